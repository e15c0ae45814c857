-- Hardening: one table of fixed-window counters for every throttle (sign-in per address and
-- per address + username, password checks, anonymous guest writes), shared by every instance
-- on this database; case-insensitive category names; a one-time key per cafe order.

DROP TABLE login_failures;

CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits BIGINT NOT NULL CHECK (hits >= 0)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

CREATE UNIQUE INDEX product_categories_name_ci ON product_categories (lower(name));
CREATE UNIQUE INDEX menu_categories_name_ci ON menu_categories (lower(name));

ALTER TABLE kitchen_tickets ADD COLUMN order_key TEXT;
CREATE UNIQUE INDEX kitchen_tickets_order_key ON kitchen_tickets (order_key) WHERE order_key IS NOT NULL;

-- What a checkout asked for, so that a reused idempotency key with another cart is refused.
ALTER TABLE orders ADD COLUMN request_sha TEXT;
