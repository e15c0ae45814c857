DROP TABLE offline_sales;
DROP TABLE offline_blocks;
DROP TRIGGER pos_catalogue_updated;
DROP TRIGGER pos_catalogue_inserted;
DELETE FROM cache_versions WHERE name = 'pos_catalogue';
DROP INDEX products_catalogue_seq;
ALTER TABLE products DROP COLUMN catalogue_seq;
