-- Platform: branches, employees, sign-in sessions, login throttling, stored images, audit trail.
-- Timestamps are UTC, written by the application (never DEFAULT CURRENT_TIMESTAMP: its text
-- format differs from diesel's and breaks ordering).

CREATE TABLE stored_images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE branches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 6),
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT 1,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX branches_active_name ON branches (is_active, name);

CREATE TABLE employees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 40),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role TEXT NOT NULL CHECK (role IN ('manager', 'sales_agent', 'credit_officer', 'kitchen', 'waiter')),
    branch_id BIGINT REFERENCES branches (id),
    email TEXT,
    phone TEXT,
    hire_date DATE NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    archived_at TIMESTAMP,
    password_hash TEXT NOT NULL,
    picture_id BIGINT REFERENCES stored_images (id),
    is_logged_in BOOLEAN NOT NULL DEFAULT 0,
    last_login_time TIMESTAMP,
    last_logout_time TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX employees_active_name ON employees (is_active, name);
CREATE INDEX employees_branch ON employees (branch_id);
CREATE INDEX employees_role_active ON employees (role, is_active);

CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    end_reason TEXT CHECK (end_reason IN ('logout', 'expired', 'archived', 'password_changed', 'password_reset')),
    ip TEXT
);
CREATE INDEX staff_sessions_employee_open ON staff_sessions (employee_id, ended_at);
CREATE INDEX staff_sessions_open_expiry ON staff_sessions (ended_at, expires_at);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ip TEXT NOT NULL,
    username TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (ip, username, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    employee_id BIGINT REFERENCES employees (id),
    action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    record_type TEXT NOT NULL,
    record_id BIGINT,
    record_label TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '{}',
    ip TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action_at ON audit_log (action, at);
CREATE INDEX audit_log_type_at ON audit_log (record_type, at);
CREATE INDEX audit_log_employee_at ON audit_log (employee_id, at);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id);

-- The audit trail is append-only, whatever code or tool touches the database.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
