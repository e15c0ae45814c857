-- Tokens of the JSON API (`Authorization: Token …`): random, stored as their SHA-256, with an
-- absolute expiry (a setting) and revocable; archiving an employee or resetting their password
-- revokes every token they hold.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoke_reason TEXT CHECK (revoke_reason IN ('logout', 'archived', 'password_changed', 'password_reset')),
    ip TEXT
);
CREATE INDEX api_tokens_employee_open ON api_tokens (employee_id, revoked_at);
