-- Modifiers (`cafe::modifiers`): groups of options (Size, Milk, Extras) shared by menu items,
-- each with how many a guest must and may choose; an option adds its price to the item's.
-- A bill line keeps what was chosen twice: as text for the kitchen, the bill and the sales
-- record (`cafe_session_lines.modifiers`), and as rows for the stats (`cafe_line_modifiers`).
-- Their changes move the guest menu's cache counter, as menu items' do (migration menu_version).
CREATE TABLE modifier_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    name_lc TEXT NOT NULL UNIQUE,
    min_choices BIGINT NOT NULL DEFAULT 0 CHECK (min_choices BETWEEN 0 AND 10),
    max_choices BIGINT NOT NULL DEFAULT 1 CHECK (max_choices BETWEEN 1 AND 10),
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    CHECK (min_choices <= max_choices)
);

CREATE TABLE modifier_options (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES modifier_groups (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    name_lc TEXT NOT NULL,
    price_delta_minor BIGINT NOT NULL DEFAULT 0 CHECK (price_delta_minor BETWEEN 0 AND 10000000),
    sort_order BIGINT NOT NULL DEFAULT 0,
    in_stock BOOLEAN NOT NULL DEFAULT 1,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (group_id, name_lc)
);

CREATE TABLE menu_item_modifier_groups (
    menu_item_id BIGINT NOT NULL REFERENCES menu_items (id),
    group_id BIGINT NOT NULL REFERENCES modifier_groups (id),
    PRIMARY KEY (menu_item_id, group_id)
);
CREATE INDEX menu_item_modifier_groups_group ON menu_item_modifier_groups (group_id);

ALTER TABLE cafe_session_lines ADD COLUMN modifiers TEXT NOT NULL DEFAULT '';

CREATE TABLE cafe_line_modifiers (
    line_id BIGINT NOT NULL REFERENCES cafe_session_lines (id),
    option_id BIGINT NOT NULL REFERENCES modifier_options (id),
    group_name TEXT NOT NULL,
    option_name TEXT NOT NULL,
    price_delta_minor BIGINT NOT NULL CHECK (price_delta_minor >= 0),
    PRIMARY KEY (line_id, option_id)
);
CREATE INDEX cafe_line_modifiers_option ON cafe_line_modifiers (option_id);
CREATE TRIGGER cafe_modifier_groups_inserted AFTER INSERT ON modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_modifier_groups_updated AFTER UPDATE ON modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_modifier_groups_deleted AFTER DELETE ON modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_modifier_options_inserted AFTER INSERT ON modifier_options
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_modifier_options_updated AFTER UPDATE ON modifier_options
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_modifier_options_deleted AFTER DELETE ON modifier_options
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_item_modifier_groups_inserted AFTER INSERT ON menu_item_modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_item_modifier_groups_updated AFTER UPDATE ON menu_item_modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_item_modifier_groups_deleted AFTER DELETE ON menu_item_modifier_groups
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
