DROP TABLE installment_payments;
DROP TABLE installment_dues;
DROP TABLE installment_plans;
ALTER TABLE employees DROP COLUMN approval_limit_minor;
