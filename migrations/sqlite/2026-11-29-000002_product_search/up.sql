-- The till's search finds words anywhere in the name, SKU and barcode, by prefix and whatever
-- the case ("earb" finds "Wireless Earbuds"): an FTS5 index over the products, kept in step by
-- triggers, so direct inserts (imports, the demo) are indexed too.
CREATE VIRTUAL TABLE product_search USING fts5(
    name, sku, barcode,
    content = 'products', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    -- Short prefixes (what a cashier types first) are looked up in their own index.
    prefix = '2 3 4'
);
INSERT INTO product_search (rowid, name, sku, barcode)
    SELECT id, name, COALESCE(sku, ''), barcode FROM products;
CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO product_search (rowid, name, sku, barcode)
        VALUES (new.id, new.name, COALESCE(new.sku, ''), new.barcode);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    INSERT INTO product_search (product_search, rowid, name, sku, barcode)
        VALUES ('delete', old.id, old.name, COALESCE(old.sku, ''), old.barcode);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF name, sku, barcode ON products BEGIN
    INSERT INTO product_search (product_search, rowid, name, sku, barcode)
        VALUES ('delete', old.id, old.name, COALESCE(old.sku, ''), old.barcode);
    INSERT INTO product_search (rowid, name, sku, barcode)
        VALUES (new.id, new.name, COALESCE(new.sku, ''), new.barcode);
END;
-- SKUs typed in any case.
CREATE INDEX products_sku_ci ON products (lower(sku));
