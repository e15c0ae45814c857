-- Catalogue imports: the uploaded file is kept between its preview and its apply, so that
-- what is applied is exactly what was previewed (validated again inside the transaction).
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('products', 'stock', 'menu', 'customers')),
    branch_id BIGINT REFERENCES branches (id),
    file_name TEXT NOT NULL,
    digest TEXT NOT NULL,
    content BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('previewed', 'applied')),
    rows_total BIGINT NOT NULL DEFAULT 0,
    created_count BIGINT NOT NULL DEFAULT 0,
    updated_count BIGINT NOT NULL DEFAULT 0,
    unchanged_count BIGINT NOT NULL DEFAULT 0,
    uploaded_by BIGINT NOT NULL REFERENCES employees (id),
    uploaded_at TIMESTAMP NOT NULL,
    applied_by BIGINT REFERENCES employees (id),
    applied_at TIMESTAMP
);
-- Stock arrives once per file and branch: applying the same count sheet again adds nothing.
CREATE UNIQUE INDEX imports_stock_once ON imports (branch_id, digest)
    WHERE status = 'applied' AND kind = 'stock';
CREATE INDEX imports_uploaded ON imports (uploaded_at);

-- A product on discount: `price_minor` stays what the till charges (the discount price);
-- `regular_price_minor` is the base price it was reduced from.
ALTER TABLE products ADD COLUMN regular_price_minor BIGINT
    CHECK (regular_price_minor IS NULL OR regular_price_minor > price_minor);

-- SQLite cannot change a CHECK: the ledger is rebuilt with "opening" allowed, rows kept.
CREATE TABLE stock_movements_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL CHECK (kind IN ('receive', 'count', 'damage', 'sale', 'void', 'warranty', 'opening')),
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

-- A bulk price change from the product list: its one-time key makes a double click or a retry
-- one change, not two.
CREATE TABLE price_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    products_changed BIGINT NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
