-- A cafe bill paid by several tenders: one row per tender, as retail's `payments`. Bills
-- closed before this had one tender, their payment_method, for the whole total.
-- cafe_sales.payment_method stays: the bill's main tender (cash whenever cash was given).
CREATE TABLE cafe_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id BIGINT NOT NULL REFERENCES cafe_sales (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'upi')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cash_received_minor BIGINT,
    change_minor BIGINT,
    reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cafe_payments_sale ON cafe_payments (sale_id);
INSERT INTO cafe_payments (sale_id, method, amount_minor)
    SELECT id, payment_method, total_minor FROM cafe_sales;

-- Refunds of a closed bill's lines. The bill keeps the value (before discount and tax) and
-- the money refunded so far; the conditional UPDATE on them is what stops two refunds from
-- giving back more than was paid.
ALTER TABLE cafe_sales ADD COLUMN refunded_value_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cafe_sales ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;

-- A cafe credit note takes its number from the branch's one credit-note sequence
-- (credit_note_counters), so a branch's credit notes, retail and cafe, have no gaps together.
CREATE TABLE cafe_credit_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    number BIGINT NOT NULL,
    cn_number TEXT NOT NULL UNIQUE,
    sale_id BIGINT NOT NULL REFERENCES cafe_sales (id),
    shift_id BIGINT REFERENCES shifts (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 3 AND 200),
    value_minor BIGINT NOT NULL CHECK (value_minor > 0),
    discount_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL CHECK (total_minor > 0),
    idempotency_key TEXT NOT NULL,
    request_sha TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    business_day DATE NOT NULL,
    UNIQUE (branch_id, number),
    UNIQUE (employee_id, idempotency_key)
);
CREATE INDEX cafe_credit_notes_sale ON cafe_credit_notes (sale_id);
CREATE INDEX cafe_credit_notes_shift ON cafe_credit_notes (shift_id);

CREATE TABLE cafe_credit_note_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_note_id BIGINT NOT NULL REFERENCES cafe_credit_notes (id),
    -- The line's place on the bill (its position in cafe_sales.items_json).
    line_index BIGINT NOT NULL CHECK (line_index >= 0),
    menu_item_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    value_minor BIGINT NOT NULL CHECK (value_minor >= 0),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0)
);
CREATE INDEX cafe_credit_note_lines_note ON cafe_credit_note_lines (credit_note_id);

CREATE TABLE cafe_credit_note_tenders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_note_id BIGINT NOT NULL REFERENCES cafe_credit_notes (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'upi')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cafe_credit_note_tenders_note ON cafe_credit_note_tenders (credit_note_id);
