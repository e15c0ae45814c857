ALTER TABLE cafe_session_lines DROP COLUMN seat;
DROP INDEX cafe_sessions_split_of;
DROP INDEX cafe_sessions_open_table;
CREATE UNIQUE INDEX cafe_sessions_open_table ON cafe_sessions (table_id) WHERE closed_at IS NULL;
ALTER TABLE cafe_sessions DROP COLUMN part_number;
ALTER TABLE cafe_sessions DROP COLUMN split_of;
