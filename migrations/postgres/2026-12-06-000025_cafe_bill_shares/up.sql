-- Even split (`cafe::split`): a bill shared evenly by N guests. The lines stay on the table's
-- bill (share 1); shares 2..N are bills of their own (`split_of`, `part_number`) without lines.
-- Each share's money is fixed when the bill is split (the total shared evenly, the remainder
-- cents on the last share; discount and tax apportioned so each share adds up), so every
-- share closes on its own into its own sales record and the shares add up to the bill exactly.
CREATE TABLE cafe_bill_shares (
    session_id BIGINT PRIMARY KEY REFERENCES cafe_sessions (id),
    bill_id BIGINT NOT NULL REFERENCES cafe_sessions (id),
    number BIGINT NOT NULL CHECK (number >= 1),
    of_n BIGINT NOT NULL CHECK (of_n BETWEEN 2 AND 12 AND number <= of_n),
    subtotal_minor BIGINT NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor BIGINT NOT NULL CHECK (discount_minor >= 0),
    tax_minor BIGINT NOT NULL CHECK (tax_minor >= 0),
    total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
    tax_rate_bp BIGINT NOT NULL,
    discount_code TEXT,
    UNIQUE (bill_id, number)
);
