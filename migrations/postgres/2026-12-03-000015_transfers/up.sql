-- Stock transfers between branches: draft → sent (the units leave the source branch and are in
-- transit) → received (they arrive; what did not arrive is recorded as a shortage).
CREATE TABLE stock_transfers (
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_cost_minor BIGINT NOT NULL CHECK (unit_cost_minor >= 0),
    received_quantity BIGINT NOT NULL DEFAULT 0 CHECK (received_quantity >= 0 AND received_quantity <= quantity),
    UNIQUE (purchase_order_id, product_id)
);

-- One delivery against a purchase order (a retry with its key is the same delivery).
CREATE TABLE purchase_receipts (
    id BIGSERIAL PRIMARY KEY,
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_orders (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    units BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (purchase_order_id, idempotency_key)
);

-- Serial-numbered units in transit between branches: not sellable anywhere until received.
ALTER TABLE product_serials DROP CONSTRAINT product_serials_status_check;
ALTER TABLE product_serials ADD CONSTRAINT product_serials_status_check
    CHECK (status IN ('in_stock', 'sold', 'damaged', 'in_transit'));
