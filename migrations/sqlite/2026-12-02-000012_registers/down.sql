DROP INDEX cafe_sales_shift;
ALTER TABLE cafe_sales DROP COLUMN shift_id;
DROP INDEX installment_payments_shift;
ALTER TABLE installment_payments DROP COLUMN shift_id;
DROP INDEX orders_shift;
ALTER TABLE orders DROP COLUMN shift_id;
DROP TABLE cash_movements;
DROP TABLE shifts;
DROP TABLE registers;
