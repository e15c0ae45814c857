-- Daily summaries of closed cafe bills, kept in the transaction that closes a bill: the stats
-- page and the views read a few hundred rows instead of every sale. `business_day` is the
-- business time zone's date (the time zone is configuration, not in the database; the server
-- rebuilds these tables when it starts under another time zone).
CREATE TABLE cafe_daily_totals (
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    business_day DATE NOT NULL,
    orders BIGINT NOT NULL CHECK (orders >= 0),
    subtotal_minor BIGINT NOT NULL,
    discount_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

-- Per menu item and day; name and category as the last bill of the day had them.
CREATE TABLE cafe_daily_items (
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    business_day DATE NOT NULL,
    menu_item_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    revenue_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day, menu_item_id)
);
CREATE INDEX cafe_daily_items_day ON cafe_daily_items (business_day);

CREATE INDEX cafe_feedback_created ON cafe_feedback (created_at);
-- Counting the summaries again walks the sales one business day at a time.
CREATE INDEX cafe_sales_closed_at ON cafe_sales (closed_at);

-- For people who query the database with their own tools (docs/sql-views.md).
CREATE VIEW v_daily_revenue AS
SELECT branch_id, business_day AS sale_date, orders AS order_count, total_minor AS total_revenue_minor,
       CASE WHEN orders > 0 THEN total_minor / orders ELSE 0 END AS avg_order_value_minor,
       discount_minor AS total_discounts_minor
FROM cafe_daily_totals;

CREATE VIEW v_popular_items AS
SELECT branch_id, menu_item_id, MAX(name) AS item_name, MAX(category) AS category,
       CAST(SUM(quantity) AS BIGINT) AS total_qty_sold, CAST(SUM(revenue_minor) AS BIGINT) AS total_revenue_minor
FROM cafe_daily_items
GROUP BY branch_id, menu_item_id;

CREATE VIEW v_table_status AS
SELECT t.branch_id, t.id AS table_id, t.number, t.capacity, t.location, t.status AS table_status,
       s.id AS session_id, s.customer_name, s.opened_at AS session_start,
       CAST(ROUND((julianday('now') - julianday(s.opened_at)) * 24 * 60) AS INTEGER) AS minutes_occupied
FROM cafe_tables t
LEFT JOIN cafe_sessions s ON s.table_id = t.id AND s.closed_at IS NULL
WHERE t.is_active;
