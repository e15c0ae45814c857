DROP INDEX stock_movements_created;
DROP INDEX installment_payments_paid;
DROP INDEX installment_dues_due;
DROP TABLE retail_daily_totals;
ALTER TABLE orders DROP COLUMN business_day;
