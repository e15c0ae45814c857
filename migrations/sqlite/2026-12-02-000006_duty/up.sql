-- Kitchen and floor staff say when they are on duty (signed in is not the same as working).
ALTER TABLE employees ADD COLUMN on_duty BOOLEAN NOT NULL DEFAULT FALSE;
