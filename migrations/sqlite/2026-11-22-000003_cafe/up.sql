-- Cafe: menu, tables with secret QR tokens, open sessions (a table's or a takeaway's tab) and
-- their lines, kitchen tickets, the sales record written when a session closes, guests
-- recognised by a visitor cookie, and their feedback. Money in minor units.

CREATE TABLE menu_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 60),
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE menu_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    category_id BIGINT NOT NULL REFERENCES menu_categories (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    name_lc TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    emoji TEXT NOT NULL DEFAULT '',
    image_id BIGINT REFERENCES stored_images (id),
    is_veg BOOLEAN NOT NULL DEFAULT 1,
    calories BIGINT CHECK (calories BETWEEN 0 AND 10000),
    allergens TEXT NOT NULL DEFAULT '',
    allergens_other TEXT NOT NULL DEFAULT '',
    serving_size TEXT NOT NULL DEFAULT '',
    prep_minutes BIGINT NOT NULL DEFAULT 10 CHECK (prep_minutes BETWEEN 0 AND 240),
    sort_order BIGINT NOT NULL DEFAULT 0,
    trending BOOLEAN NOT NULL DEFAULT 0,
    in_stock BOOLEAN NOT NULL DEFAULT 1,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX menu_items_branch ON menu_items (branch_id, is_active, sort_order, name_lc);
CREATE INDEX menu_items_category ON menu_items (category_id);

CREATE TABLE cafe_tables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    number BIGINT NOT NULL CHECK (number BETWEEN 1 AND 9999),
    capacity BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'available'
        CHECK (status IN ('available', 'occupied', 'reserved', 'maintenance')),
    token TEXT NOT NULL UNIQUE CHECK (length(token) BETWEEN 16 AND 64),
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (branch_id, number)
);

CREATE TABLE cafe_visitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    preferred_name TEXT NOT NULL DEFAULT '',
    last_ip TEXT,
    visit_count BIGINT NOT NULL DEFAULT 0,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);
CREATE INDEX cafe_visitors_ip ON cafe_visitors (last_ip, last_seen);

CREATE TABLE cafe_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    table_id BIGINT REFERENCES cafe_tables (id),
    kind TEXT NOT NULL CHECK (kind IN ('dine_in', 'takeaway', 'delivery')),
    customer_name TEXT NOT NULL DEFAULT '',
    customer_phone TEXT NOT NULL DEFAULT '',
    delivery_address TEXT NOT NULL DEFAULT '',
    visitor_id BIGINT REFERENCES cafe_visitors (id),
    opened_by_employee_id BIGINT REFERENCES employees (id),
    opened_at TIMESTAMP NOT NULL,
    staff_called_at TIMESTAMP,
    bill_printed_at TIMESTAMP,
    closed_at TIMESTAMP,
    CHECK ((kind = 'dine_in') = (table_id IS NOT NULL))
);
-- One open session per table, whatever races.
CREATE UNIQUE INDEX cafe_sessions_open_table ON cafe_sessions (table_id) WHERE closed_at IS NULL;
CREATE INDEX cafe_sessions_branch_open ON cafe_sessions (branch_id, closed_at);
CREATE INDEX cafe_sessions_table ON cafe_sessions (table_id, closed_at);

CREATE TABLE kitchen_tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    session_id BIGINT NOT NULL REFERENCES cafe_sessions (id),
    visitor_id BIGINT REFERENCES cafe_visitors (id),
    placed_by_employee_id BIGINT REFERENCES employees (id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'preparing', 'completed')),
    priority BIGINT NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 2),
    estimated_minutes BIGINT NOT NULL CHECK (estimated_minutes BETWEEN 5 AND 45),
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    completed_at TIMESTAMP
);
CREATE INDEX kitchen_tickets_open ON kitchen_tickets (branch_id, status, created_at);
CREATE INDEX kitchen_tickets_session ON kitchen_tickets (session_id);
CREATE INDEX kitchen_tickets_visitor ON kitchen_tickets (visitor_id, created_at);

CREATE TABLE cafe_session_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id BIGINT NOT NULL REFERENCES cafe_sessions (id),
    ticket_id BIGINT NOT NULL REFERENCES kitchen_tickets (id),
    menu_item_id BIGINT NOT NULL REFERENCES menu_items (id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 50),
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cafe_session_lines_session ON cafe_session_lines (session_id);
CREATE INDEX cafe_session_lines_ticket ON cafe_session_lines (ticket_id);
CREATE INDEX cafe_session_lines_item ON cafe_session_lines (menu_item_id);

CREATE TABLE cafe_sales (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    session_id BIGINT NOT NULL UNIQUE REFERENCES cafe_sessions (id),
    table_id BIGINT REFERENCES cafe_tables (id),
    table_number BIGINT,
    kind TEXT NOT NULL CHECK (kind IN ('dine_in', 'takeaway', 'delivery')),
    customer_name TEXT NOT NULL DEFAULT '',
    customer_phone TEXT NOT NULL DEFAULT '',
    items_json TEXT NOT NULL,
    subtotal_minor BIGINT NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor BIGINT NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    tax_rate_bp BIGINT NOT NULL CHECK (tax_rate_bp >= 0),
    tax_minor BIGINT NOT NULL CHECK (tax_minor >= 0),
    total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
    payment_method TEXT NOT NULL CHECK (payment_method IN ('cash', 'card', 'upi')),
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP NOT NULL,
    closed_by_employee_id BIGINT REFERENCES employees (id),
    visitor_id BIGINT REFERENCES cafe_visitors (id)
);
CREATE INDEX cafe_sales_closed ON cafe_sales (branch_id, closed_at);
CREATE INDEX cafe_sales_visitor ON cafe_sales (visitor_id, closed_at);
CREATE INDEX cafe_sales_table ON cafe_sales (table_id, closed_at);

CREATE TABLE cafe_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id BIGINT NOT NULL UNIQUE REFERENCES cafe_sales (id),
    overall_rating BIGINT NOT NULL CHECK (overall_rating BETWEEN 1 AND 5),
    food_rating BIGINT CHECK (food_rating BETWEEN 1 AND 5),
    service_rating BIGINT CHECK (service_rating BETWEEN 1 AND 5),
    would_recommend BOOLEAN,
    comment TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

INSERT INTO menu_categories (name, sort_order, is_active, created_at) VALUES
    ('Coffee', 0, TRUE, '2026-11-22 00:00:00'),
    ('Burgers', 1, TRUE, '2026-11-22 00:00:00'),
    ('Pizza', 2, TRUE, '2026-11-22 00:00:00'),
    ('Mains', 3, TRUE, '2026-11-22 00:00:00'),
    ('Desserts', 4, TRUE, '2026-11-22 00:00:00'),
    ('Drinks', 5, TRUE, '2026-11-22 00:00:00'),
    ('Snacks', 6, TRUE, '2026-11-22 00:00:00');
