ALTER TABLE cafe_sessions DROP COLUMN merged_into;
