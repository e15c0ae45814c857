-- Retail: settings, catalogue, branch stock with adjustments and serials, customers, sales
-- (orders, items, payments, official receipts, commissions). Money in minor units (BIGINT),
-- rates in basis points.

CREATE TABLE business_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE employees ADD COLUMN commission_rate_bp BIGINT NOT NULL DEFAULT 0 CHECK (commission_rate_bp BETWEEN 0 AND 10000);
ALTER TABLE employees ADD COLUMN total_sales_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE employees ADD COLUMN total_commission_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE product_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    contact_person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    contract_start DATE NOT NULL,
    contract_expiry DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Renewed', 'Opted Out', 'Expired')),
    is_active BOOLEAN NOT NULL DEFAULT 1,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (contract_expiry >= contract_start)
);
CREATE INDEX suppliers_active_name ON suppliers (is_active, name);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_lc TEXT NOT NULL,
    sku TEXT UNIQUE,
    barcode TEXT NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 1 AND 64),
    category_id BIGINT NOT NULL REFERENCES product_categories (id),
    supplier_id BIGINT REFERENCES suppliers (id),
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    cost_minor BIGINT NOT NULL CHECK (cost_minor >= 0),
    min_stock BIGINT NOT NULL DEFAULT 3 CHECK (min_stock >= 0),
    image_id BIGINT REFERENCES stored_images (id),
    serial_tracked BOOLEAN NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT 1,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX products_name_lc ON products (name_lc);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_supplier ON products (supplier_id);
CREATE INDEX products_active_name ON products (is_active, name_lc);

CREATE TABLE branch_stock (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (branch_id, product_id)
);
CREATE INDEX branch_stock_product ON branch_stock (product_id);

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
CREATE INDEX stock_adjustments_branch_product ON stock_adjustments (branch_id, product_id, created_at);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    phone TEXT NOT NULL DEFAULT '',
    phone_key TEXT UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX customers_name ON customers (name);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    customer_id BIGINT REFERENCES customers (id),
    status TEXT NOT NULL CHECK (status IN ('completed', 'cancelled')),
    payment_method TEXT NOT NULL CHECK (payment_method IN ('cash', 'installment')),
    total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
    vat_minor BIGINT NOT NULL CHECK (vat_minor >= 0),
    vat_rate_bp BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    archived_at TIMESTAMP,
    voided_at TIMESTAMP,
    voided_by BIGINT REFERENCES employees (id),
    void_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (employee_id, idempotency_key)
);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_branch_created ON orders (branch_id, created_at);
CREATE INDEX orders_employee_created ON orders (employee_id, created_at);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    product_name TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    cost_price_minor BIGINT NOT NULL CHECK (cost_price_minor >= 0),
    line_total_minor BIGINT NOT NULL CHECK (line_total_minor >= 0)
);
CREATE INDEX order_items_order ON order_items (order_id);
CREATE INDEX order_items_product ON order_items (product_id);

CREATE TABLE product_serials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id BIGINT NOT NULL REFERENCES products (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    serial TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 64),
    status TEXT NOT NULL CHECK (status IN ('in_stock', 'sold', 'damaged')),
    order_item_id BIGINT REFERENCES order_items (id),
    received_at TIMESTAMP NOT NULL,
    UNIQUE (product_id, serial)
);
CREATE INDEX product_serials_stock ON product_serials (product_id, branch_id, status);
CREATE INDEX product_serials_item ON product_serials (order_item_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'installment')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    cash_received_minor BIGINT,
    change_minor BIGINT,
    paid_at TIMESTAMP NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE receipt_counters (
    branch_id BIGINT PRIMARY KEY NOT NULL REFERENCES branches (id),
    last_number BIGINT NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE official_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    number BIGINT NOT NULL,
    or_number TEXT NOT NULL UNIQUE,
    vatable_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    issued_by BIGINT NOT NULL REFERENCES employees (id),
    issued_at TIMESTAMP NOT NULL,
    print_count BIGINT NOT NULL DEFAULT 0,
    UNIQUE (branch_id, number)
);

CREATE TABLE commissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    rate_bp BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX commissions_employee ON commissions (employee_id, created_at);
CREATE INDEX commissions_order ON commissions (order_id);

-- The default categories; managers edit the list.
INSERT INTO product_categories (name, sort_order, is_active, created_at) VALUES
    ('Laptop', 0, TRUE, '2026-11-22 00:00:00'),
    ('Android', 1, TRUE, '2026-11-22 00:00:00'),
    ('iPhone', 2, TRUE, '2026-11-22 00:00:00'),
    ('Printer', 3, TRUE, '2026-11-22 00:00:00'),
    ('Accessory', 4, TRUE, '2026-11-22 00:00:00');
