-- Stock transfers between branches: draft → sent (the units leave the source branch and are in
-- transit) → received (they arrive; what did not arrive is recorded as a shortage).
CREATE TABLE stock_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_branch_id BIGINT NOT NULL REFERENCES branches (id),
    to_branch_id BIGINT NOT NULL REFERENCES branches (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'received', 'cancelled')),
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_by BIGINT REFERENCES employees (id),
    sent_at TIMESTAMP,
    received_by BIGINT REFERENCES employees (id),
    received_at TIMESTAMP,
    CHECK (from_branch_id <> to_branch_id),
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX stock_transfers_created ON stock_transfers (created_at);

CREATE TABLE stock_transfer_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id BIGINT NOT NULL REFERENCES stock_transfers (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    -- The serials sent, space-separated (serial-numbered products).
    serials TEXT NOT NULL DEFAULT '',
    received_quantity BIGINT CHECK (received_quantity >= 0 AND received_quantity <= quantity),
    received_serials TEXT NOT NULL DEFAULT '',
    UNIQUE (transfer_id, product_id)
);

-- Purchase orders to suppliers: lines at cost, received in one or more deliveries; each
-- receipt adds stock and moves the product's cost to the moving average.
CREATE TABLE purchase_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'partial', 'received', 'cancelled')),
    reference TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX purchase_orders_created ON purchase_orders (created_at);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, created_at);

CREATE TABLE purchase_order_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_cost_minor BIGINT NOT NULL CHECK (unit_cost_minor >= 0),
    received_quantity BIGINT NOT NULL DEFAULT 0 CHECK (received_quantity >= 0 AND received_quantity <= quantity),
    UNIQUE (purchase_order_id, product_id)
);

-- One delivery against a purchase order (a retry with its key is the same delivery).
CREATE TABLE purchase_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    units BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (purchase_order_id, idempotency_key)
);

-- Serial-numbered units in transit between branches: not sellable anywhere until received.
-- SQLite cannot widen a CHECK: the table is rebuilt, rows kept.
CREATE TABLE product_serials_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    serial TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 64),
    status TEXT NOT NULL CHECK (status IN ('in_stock', 'sold', 'damaged', 'in_transit')),
    order_item_id BIGINT REFERENCES order_items (id),
    received_at TIMESTAMP NOT NULL,
    UNIQUE (product_id, serial)
);
INSERT INTO product_serials_new SELECT id, product_id, branch_id, serial, status, order_item_id, received_at FROM product_serials;
DROP TABLE product_serials;
ALTER TABLE product_serials_new RENAME TO product_serials;
CREATE INDEX product_serials_stock ON product_serials (product_id, branch_id, status);
CREATE INDEX product_serials_item ON product_serials (order_item_id);
