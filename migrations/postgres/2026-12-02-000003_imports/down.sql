DROP TABLE price_changes;
DELETE FROM stock_movements WHERE kind = 'opening';
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_kind_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_kind_check
    CHECK (kind IN ('receive', 'count', 'damage', 'sale', 'void', 'warranty'));
ALTER TABLE products DROP COLUMN regular_price_minor;
DROP TABLE imports;
