-- Split tender: a sale paid by several tenders keeps one payment row per tender: cash (with
-- what was handed over and the change), card and e-wallet (with the terminal's or the
-- wallet's reference).
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check
    CHECK (method IN ('cash', 'installment', 'card', 'ewallet'));
ALTER TABLE payments ADD COLUMN reference TEXT NOT NULL DEFAULT '';
