-- Instalment sales: the plan of an order (computed on the server from the priced cart), its
-- schedule and its payments. Money in minor units. Whatever the application does, the
-- database itself never lets a plan or an instalment be paid beyond what it is owed.
ALTER TABLE employees ADD COLUMN approval_limit_minor BIGINT NOT NULL DEFAULT 0 CHECK (approval_limit_minor >= 0);

CREATE TABLE installment_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    seller_id BIGINT NOT NULL REFERENCES employees (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'completed', 'rejected', 'cancelled')),
    term_months BIGINT NOT NULL CHECK (term_months BETWEEN 1 AND 60),
    rate_bp BIGINT NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
    down_payment_minor BIGINT NOT NULL CHECK (down_payment_minor >= 0),
    financed_minor BIGINT NOT NULL CHECK (financed_minor >= 0),
    interest_minor BIGINT NOT NULL CHECK (interest_minor >= 0),
    balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
    paid_minor BIGINT NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= balance_minor),
    next_due_date DATE,
    decided_by BIGINT REFERENCES employees (id),
    decided_at TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT '',
    refund_due_minor BIGINT NOT NULL DEFAULT 0 CHECK (refund_due_minor >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The overdue list in due-date order, and its totals read from the index alone.
CREATE INDEX installment_plans_status_due ON installment_plans (status, next_due_date, id);
CREATE INDEX installment_plans_owed ON installment_plans (status, next_due_date, balance_minor, paid_minor);
CREATE INDEX installment_plans_branch ON installment_plans (branch_id, created_at);
CREATE INDEX installment_plans_customer ON installment_plans (customer_id);
CREATE INDEX installment_plans_seller ON installment_plans (seller_id, created_at);

CREATE TABLE installment_dues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES installment_plans (id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    due_date DATE NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),
    paid_minor BIGINT NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
    UNIQUE (plan_id, seq)
);

CREATE TABLE installment_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES installment_plans (id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    method TEXT NOT NULL CHECK (method IN ('cash', 'bank_transfer', 'e_wallet')),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    -- From the branch's receipt counter: sales and payments share one gap-free OR series.
    number BIGINT NOT NULL,
    or_number TEXT NOT NULL UNIQUE,
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    idempotency_key TEXT NOT NULL,
    paid_at TIMESTAMP NOT NULL,
    UNIQUE (employee_id, idempotency_key),
    UNIQUE (branch_id, number)
);
CREATE INDEX installment_payments_plan ON installment_payments (plan_id, id);
