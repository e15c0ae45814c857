-- The generated catalogue on PostgreSQL (bench/generate.py does the same on SQLite): 100,000
-- products BX00000001… with a billion units each at the main branch.
INSERT INTO products (name, name_lc, sku, barcode, category_id, price_minor, cost_minor, min_stock, serial_tracked, description, is_active, created_at, updated_at)
  SELECT 'Bench Product ' || lpad(i::text, 6, '0'), 'bench product ' || lpad(i::text, 6, '0'), 'BS' || lpad(i::text, 8, '0'), 'BX' || lpad(i::text, 8, '0'),
         (SELECT min(id) FROM product_categories), 10000 + (i % 500) * 100, 8000 + (i % 500) * 80, 3, FALSE, '', TRUE, now(), now()
  FROM generate_series(1, 100000) AS i;
INSERT INTO branch_stock (branch_id, product_id, quantity, updated_at)
  SELECT (SELECT id FROM branches WHERE code = 'MNL'), id, 1000000000, now() FROM products WHERE barcode LIKE 'BX%';
ANALYZE;
