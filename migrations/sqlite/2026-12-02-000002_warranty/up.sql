-- Warranty claims on sold units, the replacement given, and the defective stock they leave.
CREATE TABLE warranty_claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_item_id BIGINT NOT NULL REFERENCES order_items (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    claim_type TEXT NOT NULL CHECK (claim_type IN ('repair', 'replacement')),
    faulty_serial TEXT NOT NULL DEFAULT '',
    issue TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'released')),
    cost_impact_minor BIGINT NOT NULL DEFAULT 0 CHECK (cost_impact_minor >= 0),
    replacement_serial TEXT,
    filed_by BIGINT NOT NULL REFERENCES employees (id),
    handled_by BIGINT REFERENCES employees (id),
    filed_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- One open claim per unit at a time, whoever files it.
CREATE UNIQUE INDEX warranty_claims_open_unit ON warranty_claims (order_item_id, faulty_serial)
    WHERE status IN ('pending', 'in_progress');
CREATE INDEX warranty_claims_filed ON warranty_claims (filed_at);
CREATE INDEX warranty_claims_branch ON warranty_claims (branch_id, filed_at);
CREATE INDEX warranty_claims_item ON warranty_claims (order_item_id);

CREATE TABLE defective_stock (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    faulty_serial TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    claim_id BIGINT REFERENCES warranty_claims (id),
    status TEXT NOT NULL CHECK (status IN ('held', 'disposed', 'returned')),
    note TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP NOT NULL,
    resolved_by BIGINT REFERENCES employees (id),
    resolved_at TIMESTAMP
);
CREATE INDEX defective_stock_branch ON defective_stock (branch_id, received_at);

-- SQLite cannot change a CHECK: the ledger is rebuilt with "warranty" allowed, rows kept.
CREATE TABLE stock_movements_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('receive', 'count', 'damage', 'sale', 'void', 'warranty')),
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
