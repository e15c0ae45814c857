-- The business day a sale belongs to (the business time zone's date at checkout), so that a
-- void takes the sale off the day it was counted in.
ALTER TABLE orders ADD COLUMN business_day DATE;

-- Daily totals of completed retail sales, kept by the checkout and void transactions with
-- conditional upserts; rebuilt from the orders when the server starts under another time zone.
-- Amounts are VAT-inclusive (total_minor) with the VAT in it (vat_minor) and the goods' cost.
CREATE TABLE retail_daily_totals (
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    business_day DATE NOT NULL,
    orders BIGINT NOT NULL CHECK (orders >= 0),
    total_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    cash_minor BIGINT NOT NULL,
    installment_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

CREATE INDEX installment_dues_due ON installment_dues (due_date);
CREATE INDEX installment_payments_paid ON installment_payments (paid_at);
CREATE INDEX stock_movements_created ON stock_movements (created_at);
