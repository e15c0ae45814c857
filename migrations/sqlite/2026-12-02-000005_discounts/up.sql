-- Promo codes for cafe bills. `uses` only grows by a conditional UPDATE when a bill closes;
-- the CHECK is the last guard that it never passes `max_uses`.
CREATE TABLE discount_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    code_lc TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
    percent_bp BIGINT NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
    amount_minor BIGINT NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
    valid_from DATE,
    valid_to DATE,
    min_order_minor BIGINT NOT NULL DEFAULT 0 CHECK (min_order_minor >= 0),
    max_uses BIGINT CHECK (max_uses IS NULL OR max_uses >= 1),
    uses BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
ALTER TABLE cafe_sessions ADD COLUMN discount_code_id BIGINT REFERENCES discount_codes (id);
ALTER TABLE cafe_sales ADD COLUMN discount_code TEXT;
