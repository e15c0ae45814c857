-- The till's search finds words anywhere in the name, SKU and barcode, by prefix and whatever
-- the case ("earb" finds "Wireless Earbuds"): a GIN index over the products' words (the
-- 'simple' configuration: no stemming, no stop words), maintained by PostgreSQL itself.
-- fastupdate off: new products go straight into the index instead of a pending list that
-- every search would scan until the next vacuum (products are added rarely, searched often).
CREATE INDEX products_search ON products
    USING GIN (to_tsvector('simple', name || ' ' || COALESCE(sku, '') || ' ' || barcode))
    WITH (fastupdate = off);
-- SKUs typed in any case.
CREATE INDEX products_sku_ci ON products (lower(sku));
