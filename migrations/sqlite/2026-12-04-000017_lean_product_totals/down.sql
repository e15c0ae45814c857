CREATE INDEX retail_product_totals_units ON retail_product_totals (branch_id, units, product_id);
CREATE INDEX retail_product_totals_revenue ON retail_product_totals (branch_id, revenue_minor, product_id);
INSERT INTO retail_product_totals (branch_id, product_id, units, revenue_minor, cost_minor)
SELECT 0, product_id, SUM(units), SUM(revenue_minor), SUM(cost_minor) FROM retail_product_totals GROUP BY product_id;
