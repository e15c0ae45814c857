DROP INDEX cafe_sales_branch_closed;
DROP TABLE retail_product_totals;
DROP TABLE retail_monthly_products;
DROP TABLE retail_daily_products;
DROP TABLE retail_daily_staff;
