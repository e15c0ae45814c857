DROP INDEX products_sku_ci;
DROP TRIGGER products_search_update;
DROP TRIGGER products_search_delete;
DROP TRIGGER products_search_insert;
DROP TABLE product_search;
