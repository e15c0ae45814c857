-- The sales list's count and sum over any range of days: every sale made that day (completed
-- or cancelled) and what it took before refunds. A day's row already holds its completed sales
-- net of refunds; with the cancelled ones and the refunds beside them, the list reads a row per
-- branch and day instead of every sale (`retail::sales::query::totals`).
ALTER TABLE retail_daily_totals ADD COLUMN cancelled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE retail_daily_totals ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
-- The summaries keep archived sales (they leave the lists, not the books): the list takes the
-- few archived ones of its range off, found through this index.
CREATE INDEX orders_archived ON orders (created_at) WHERE NOT is_active;
-- Counted again from the orders at the next start (`platform::daily::keep`).
DELETE FROM business_settings WHERE key = 'retail.stats_time_zone';
