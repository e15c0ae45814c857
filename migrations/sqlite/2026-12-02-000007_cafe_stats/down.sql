DROP VIEW v_table_status;
DROP VIEW v_popular_items;
DROP VIEW v_daily_revenue;
DROP INDEX cafe_sales_closed_at;
DROP INDEX cafe_feedback_created;
DROP TABLE cafe_daily_items;
DROP TABLE cafe_daily_totals;
