DROP TRIGGER branch_stock_count ON branch_stock;
DROP FUNCTION branch_stock_count();
DROP TABLE branch_stock_counts;
DROP INDEX cafe_sales_branch_closed;
DROP TABLE retail_product_totals;
DROP TABLE retail_monthly_products;
DROP TABLE retail_daily_products;
DROP TABLE retail_daily_staff;
