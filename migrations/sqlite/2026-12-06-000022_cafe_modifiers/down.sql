DROP TABLE cafe_line_modifiers;
ALTER TABLE cafe_session_lines DROP COLUMN modifiers;
DROP TABLE menu_item_modifier_groups;
DROP TABLE modifier_options;
DROP TABLE modifier_groups;
