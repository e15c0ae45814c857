DROP TABLE offline_sales;
DROP TABLE offline_blocks;
DROP TRIGGER pos_catalogue_stamp ON products;
DROP FUNCTION pos_catalogue_stamp();
DELETE FROM cache_versions WHERE name = 'pos_catalogue';
DROP INDEX products_catalogue_seq;
ALTER TABLE products DROP COLUMN catalogue_seq;
