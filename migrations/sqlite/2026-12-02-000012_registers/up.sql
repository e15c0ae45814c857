-- Registers (one per till) and the cashiers' shifts on them: the opening float, cash paid in
-- and out during the shift, and the count at the close. Every cash sale, instalment payment
-- and cafe bill taken while a shift is open belongs to it (shift_id), so the close adds up.
CREATE TABLE registers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    -- What a tax office asks a receipt to carry (the Philippines: MIN, serial, PTU number);
    -- empty elsewhere, and then not printed.
    machine_id TEXT NOT NULL DEFAULT '',
    serial_number TEXT NOT NULL DEFAULT '',
    permit_number TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT 1,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (branch_id, name)
);

CREATE TABLE shifts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    register_id BIGINT NOT NULL REFERENCES registers (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    opening_float_minor BIGINT NOT NULL CHECK (opening_float_minor >= 0),
    -- The count by denomination, "100000x2 5000x3" (minor units x pieces); empty when one amount was typed.
    opening_count TEXT NOT NULL DEFAULT '',
    opened_at TIMESTAMP NOT NULL,
    business_day DATE NOT NULL,
    -- Bumped by every sale and cash movement in the shift: the conditional UPDATE that finds
    -- the shift open is also the row lock that orders them against the close.
    activity_count BIGINT NOT NULL DEFAULT 0,
    -- The register's running total of sales before this shift (the previous shift's "after").
    grand_total_before_minor BIGINT NOT NULL DEFAULT 0,
    closed_at TIMESTAMP,
    closed_by BIGINT REFERENCES employees (id),
    expected_cash_minor BIGINT,
    counted_cash_minor BIGINT,
    closing_count TEXT NOT NULL DEFAULT '',
    difference_note TEXT NOT NULL DEFAULT '',
    grand_total_after_minor BIGINT,
    UNIQUE (employee_id, idempotency_key)
);
-- One open shift per register and one per cashier, however many tabs open one at once.
CREATE UNIQUE INDEX shifts_open_register ON shifts (register_id) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX shifts_open_employee ON shifts (employee_id) WHERE closed_at IS NULL;
CREATE INDEX shifts_branch_opened ON shifts (branch_id, opened_at);
CREATE INDEX shifts_register_opened ON shifts (register_id, opened_at);

CREATE TABLE cash_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shift_id BIGINT NOT NULL REFERENCES shifts (id),
    kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (shift_id, idempotency_key)
);
CREATE INDEX cash_movements_shift ON cash_movements (shift_id);

ALTER TABLE orders ADD COLUMN shift_id BIGINT REFERENCES shifts (id);
CREATE INDEX orders_shift ON orders (shift_id);
ALTER TABLE installment_payments ADD COLUMN shift_id BIGINT REFERENCES shifts (id);
CREATE INDEX installment_payments_shift ON installment_payments (shift_id);
ALTER TABLE cafe_sales ADD COLUMN shift_id BIGINT REFERENCES shifts (id);
CREATE INDEX cafe_sales_shift ON cafe_sales (shift_id);
