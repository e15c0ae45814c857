ALTER TABLE employees DROP COLUMN on_duty;
