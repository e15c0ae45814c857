-- Every sale moved each of its products' entries in both orderings of the totals so far (per
-- branch and for the business: four index entries per product sold, at random places), and
-- that was a fifth of a sale's cost at the till. A report over most of the history now reads
-- the totals in one pass instead (see `insight::reports::model`, `best_so_far_less`), summing
-- the branches for the whole business, so the business-wide rows (branch 0) go too.
DROP INDEX retail_product_totals_units;
DROP INDEX retail_product_totals_revenue;
DELETE FROM retail_product_totals WHERE branch_id = 0;
