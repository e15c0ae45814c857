-- Table reservations. Times are UTC instants; a booking holds its table over [starts_at,
-- ends_at). Overlaps are refused by the application under a lock on the table row (PostgreSQL)
-- or the write lock (SQLite); the index serves that check and the day view.
CREATE TABLE reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    table_id BIGINT NOT NULL REFERENCES cafe_tables (id),
    customer_name TEXT NOT NULL CHECK (length(customer_name) BETWEEN 1 AND 100),
    customer_phone TEXT NOT NULL,
    party_size BIGINT NOT NULL CHECK (party_size BETWEEN 1 AND 50),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'seated', 'completed', 'cancelled', 'no_show')),
    source TEXT NOT NULL CHECK (source IN ('staff', 'guest')),
    session_id BIGINT REFERENCES cafe_sessions (id),
    idempotency_key TEXT UNIQUE,
    created_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX reservations_table_time ON reservations (table_id, starts_at);
CREATE INDEX reservations_branch_time ON reservations (branch_id, starts_at);
