DROP INDEX products_sku_ci;
DROP INDEX products_search;
