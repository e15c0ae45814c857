ALTER TABLE payments DROP COLUMN reference;
DELETE FROM payments WHERE method NOT IN ('cash', 'installment');
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check CHECK (method IN ('cash', 'installment'));
