-- Split bills (`cafe::floor::split`): a table's bill split by items or by seats becomes parts.
-- Part 1 stays the table's bill; each other part is a bill of its own (`split_of` names the
-- table's bill, `part_number` its place), holding the lines moved to it, paid and closed on its
-- own into its own sales record. So every line is on exactly one bill and in one sales record.
-- A table has one open bill that guests order onto (the index below); its parts sit beside it.
ALTER TABLE cafe_sessions ADD COLUMN split_of BIGINT REFERENCES cafe_sessions (id);
ALTER TABLE cafe_sessions ADD COLUMN part_number BIGINT CHECK (part_number BETWEEN 2 AND 99);
DROP INDEX cafe_sessions_open_table;
CREATE UNIQUE INDEX cafe_sessions_open_table ON cafe_sessions (table_id)
    WHERE closed_at IS NULL AND split_of IS NULL;
CREATE INDEX cafe_sessions_split_of ON cafe_sessions (split_of);
-- The seat a waiter gave a line, for splitting by seats.
ALTER TABLE cafe_session_lines ADD COLUMN seat BIGINT CHECK (seat BETWEEN 1 AND 99);
