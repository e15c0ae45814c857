ALTER TABLE cafe_sales DROP COLUMN discount_code;
ALTER TABLE cafe_sessions DROP COLUMN discount_code_id;
DROP TABLE discount_codes;
