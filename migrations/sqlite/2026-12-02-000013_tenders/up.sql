-- Split tender: a sale paid by several tenders keeps one payment row per tender: cash (with
-- what was handed over and the change), card and e-wallet (with the terminal's or the
-- wallet's reference). SQLite cannot widen a CHECK in place, so the table is rebuilt;
-- nothing references payments.
CREATE TABLE payments_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'installment', 'card', 'ewallet')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cash_received_minor BIGINT,
    change_minor BIGINT,
    paid_at TIMESTAMP NOT NULL,
    reference TEXT NOT NULL DEFAULT ''
);
INSERT INTO payments_new (id, order_id, method, amount_minor, cash_received_minor, change_minor, paid_at)
    SELECT id, order_id, method, amount_minor, cash_received_minor, change_minor, paid_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);
