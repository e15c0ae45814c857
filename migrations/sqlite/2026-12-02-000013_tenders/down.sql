CREATE TABLE payments_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'installment')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cash_received_minor BIGINT,
    change_minor BIGINT,
    paid_at TIMESTAMP NOT NULL
);
INSERT INTO payments_old SELECT id, order_id, method, amount_minor, cash_received_minor, change_minor, paid_at FROM payments WHERE method IN ('cash', 'installment');
DROP TABLE payments;
ALTER TABLE payments_old RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);
