DROP INDEX orders_archived;
ALTER TABLE retail_daily_totals DROP COLUMN refunded_minor;
ALTER TABLE retail_daily_totals DROP COLUMN cancelled;
