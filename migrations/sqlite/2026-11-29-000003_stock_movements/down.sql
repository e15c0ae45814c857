CREATE TABLE stock_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('receive', 'count', 'damage')),
    quantity_change BIGINT NOT NULL,
    quantity_after BIGINT NOT NULL CHECK (quantity_after >= 0),
    reason TEXT NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO stock_adjustments (branch_id, product_id, kind, quantity_change, quantity_after, reason, employee_id, created_at)
    SELECT branch_id, product_id, kind, quantity_change, quantity_after, reason, employee_id, created_at
    FROM stock_movements WHERE kind IN ('receive', 'count', 'damage') ORDER BY id;
DROP TABLE stock_movements;
CREATE INDEX stock_adjustments_branch_product ON stock_adjustments (branch_id, product_id, created_at);
