DROP TABLE cafe_credit_note_tenders;
DROP TABLE cafe_credit_note_lines;
DROP TABLE cafe_credit_notes;
ALTER TABLE cafe_sales DROP COLUMN refunded_minor;
ALTER TABLE cafe_sales DROP COLUMN refunded_value_minor;
DROP TABLE cafe_payments;
