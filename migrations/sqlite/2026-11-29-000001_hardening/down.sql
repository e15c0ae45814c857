ALTER TABLE orders DROP COLUMN request_sha;
DROP INDEX kitchen_tickets_order_key;
ALTER TABLE kitchen_tickets DROP COLUMN order_key;
DROP INDEX menu_categories_name_ci;
DROP INDEX product_categories_name_ci;
DROP TABLE rate_limits;
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ip TEXT NOT NULL,
    username TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (ip, username, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
