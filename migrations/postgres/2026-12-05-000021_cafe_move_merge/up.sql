-- Merging two tables' bills: the bill merged away is closed without a sale and says into which
-- bill its orders went (`cafe::floor::moves`).
ALTER TABLE cafe_sessions ADD COLUMN merged_into BIGINT REFERENCES cafe_sessions (id);
