-- Refunds and returns. A sale keeps what was refunded of it (orders.refunded_*, and per line
-- order_items.returned_quantity / refunded_minor): the conditional UPDATE that adds a return
-- to its line is what keeps two refunds of the same line from returning more than was sold.
ALTER TABLE orders ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN refunded_vat_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD COLUMN returned_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN store_credit_minor BIGINT NOT NULL DEFAULT 0 CHECK (store_credit_minor >= 0);

-- A credit note's number is gap-free per branch, like the official receipt's.
CREATE TABLE credit_note_counters (
    branch_id BIGINT PRIMARY KEY REFERENCES branches (id),
    last_number BIGINT NOT NULL
);

CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    number BIGINT NOT NULL,
    cn_number TEXT NOT NULL UNIQUE,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    -- The refunder's open shift (cash refunds leave its drawer).
    shift_id BIGINT REFERENCES shifts (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 3 AND 200),
    restock BOOLEAN NOT NULL,
    refund_to TEXT NOT NULL CHECK (refund_to IN ('original', 'store_credit')),
    customer_id BIGINT REFERENCES customers (id),
    total_minor BIGINT NOT NULL CHECK (total_minor > 0),
    vatable_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    commission_minor BIGINT NOT NULL DEFAULT 0,
    idempotency_key TEXT NOT NULL,
    request_sha TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    business_day DATE NOT NULL,
    UNIQUE (branch_id, number),
    UNIQUE (employee_id, idempotency_key)
);
CREATE INDEX credit_notes_order ON credit_notes (order_id);
CREATE INDEX credit_notes_shift ON credit_notes (shift_id);
CREATE INDEX credit_notes_branch_created ON credit_notes (branch_id, created_at);

CREATE TABLE credit_note_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_note_id BIGINT NOT NULL REFERENCES credit_notes (id),
    order_item_id BIGINT NOT NULL REFERENCES order_items (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    product_name TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cost_minor BIGINT NOT NULL,
    -- The serial numbers returned, space-separated; empty for a product without serials.
    serials TEXT NOT NULL DEFAULT ''
);
CREATE INDEX credit_note_lines_note ON credit_note_lines (credit_note_id);

-- How the money went back: one row per tender (the sale's own tenders, or store credit).
CREATE TABLE credit_note_tenders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_note_id BIGINT NOT NULL REFERENCES credit_notes (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'ewallet', 'store_credit')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX credit_note_tenders_note ON credit_note_tenders (credit_note_id);

-- A customer's store credit: the balance on the customer (a conditional UPDATE spends it), and
-- a ledger of every change.
CREATE TABLE store_credit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    amount_minor BIGINT NOT NULL,
    balance_after_minor BIGINT NOT NULL CHECK (balance_after_minor >= 0),
    credit_note_id BIGINT REFERENCES credit_notes (id),
    order_id BIGINT REFERENCES orders (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX store_credit_entries_customer ON store_credit_entries (customer_id, id);

ALTER TABLE defective_stock ADD COLUMN credit_note_id BIGINT REFERENCES credit_notes (id);

-- SQLite cannot widen a CHECK: the stock ledger is rebuilt with the kinds of returns,
-- transfers and purchase receiving, rows kept.
CREATE TABLE stock_movements_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('receive', 'count', 'damage', 'sale', 'void', 'warranty', 'opening', 'return', 'transfer_out', 'transfer_in', 'purchase')),
    quantity_change BIGINT NOT NULL,
    quantity_after BIGINT NOT NULL CHECK (quantity_after >= 0),
    document TEXT NOT NULL DEFAULT '',
    order_id BIGINT REFERENCES orders (id),
    reason TEXT NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO stock_movements_new SELECT id, branch_id, product_id, kind, quantity_change, quantity_after, document, order_id, reason, employee_id, created_at FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_new RENAME TO stock_movements;
CREATE INDEX stock_movements_product ON stock_movements (product_id, branch_id, id);
CREATE INDEX stock_movements_order ON stock_movements (order_id);
CREATE INDEX stock_movements_created ON stock_movements (created_at);

-- Store credit is a tender at the till.
CREATE TABLE payments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'installment', 'card', 'ewallet', 'store_credit')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cash_received_minor BIGINT,
    change_minor BIGINT,
    paid_at TIMESTAMP NOT NULL,
    reference TEXT NOT NULL DEFAULT ''
);
INSERT INTO payments_new SELECT id, order_id, method, amount_minor, cash_received_minor, change_minor, paid_at, reference FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);
