-- Summaries for the reports page, kept like retail_daily_totals (the checkout adds a sale, a
-- void takes it off the day it was counted in, both in their own transaction) and counted
-- again from the orders when the server starts under another time zone. They are derived
-- rows without foreign keys (products, branches and employees are archived, never deleted):
-- a key check per summary row would double the cost of counting a year again.

-- Completed retail sales per seller and day, with the commission they earned.
CREATE TABLE retail_daily_staff (
    branch_id BIGINT NOT NULL,
    business_day DATE NOT NULL,
    employee_id BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    commission_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day, employee_id)
);

-- Units, revenue (VAT-inclusive line totals) and cost per product and day, and the same per
-- month (`month` = its first day): a year's top products read twelve months and the days at
-- the ends of the range instead of every order line.
CREATE TABLE retail_daily_products (
    branch_id BIGINT NOT NULL,
    business_day DATE NOT NULL,
    product_id BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue_minor BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day, product_id)
);
CREATE INDEX retail_daily_products_day ON retail_daily_products (business_day, product_id, units, revenue_minor);

CREATE TABLE retail_monthly_products (
    branch_id BIGINT NOT NULL,
    month DATE NOT NULL,
    product_id BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue_minor BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, month, product_id)
);
CREATE INDEX retail_monthly_products_month ON retail_monthly_products (month, product_id, units, revenue_minor);

-- Every sale of each product so far, per branch and (branch_id 0) for the whole business: a
-- range that covers most of the history is "so far" less the few days outside it, and the
-- best sellers so far are read from an index in order.
CREATE TABLE retail_product_totals (
    branch_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue_minor BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, product_id)
);
CREATE INDEX retail_product_totals_units ON retail_product_totals (branch_id, units, product_id);
CREATE INDEX retail_product_totals_revenue ON retail_product_totals (branch_id, revenue_minor, product_id);

-- The cafe's part of a branch's report.
CREATE INDEX cafe_sales_branch_closed ON cafe_sales (branch_id, closed_at);

-- The retail summaries are counted again (with these) when the server next starts.
DELETE FROM business_settings WHERE key = 'retail.stats_time_zone';

-- Stock health's "every stock row of a product on sale" without counting them: a count per
-- branch kept by triggers (whatever code path writes stock rows or products). Not copied by
-- `copy-database`: the triggers count the rows again as they are copied.
CREATE TABLE branch_stock_counts (
    branch_id BIGINT PRIMARY KEY REFERENCES branches (id),
    active_rows BIGINT NOT NULL
);
INSERT INTO branch_stock_counts (branch_id, active_rows)
SELECT branch_id, COUNT(*) FROM branch_stock WHERE product_active GROUP BY branch_id;
CREATE TRIGGER branch_stock_count_insert AFTER INSERT ON branch_stock WHEN NEW.product_active
BEGIN
    INSERT INTO branch_stock_counts (branch_id, active_rows) VALUES (NEW.branch_id, 1)
    ON CONFLICT (branch_id) DO UPDATE SET active_rows = active_rows + 1;
END;
CREATE TRIGGER branch_stock_count_delete AFTER DELETE ON branch_stock WHEN OLD.product_active
BEGIN
    UPDATE branch_stock_counts SET active_rows = active_rows - 1 WHERE branch_id = OLD.branch_id;
END;
CREATE TRIGGER branch_stock_count_update AFTER UPDATE OF product_active, branch_id ON branch_stock
WHEN OLD.product_active <> NEW.product_active OR OLD.branch_id <> NEW.branch_id
BEGIN
    UPDATE branch_stock_counts SET active_rows = active_rows - 1
    WHERE branch_id = OLD.branch_id AND OLD.product_active;
    INSERT INTO branch_stock_counts (branch_id, active_rows) SELECT NEW.branch_id, 1 WHERE NEW.product_active
    ON CONFLICT (branch_id) DO UPDATE SET active_rows = active_rows + 1;
END;
