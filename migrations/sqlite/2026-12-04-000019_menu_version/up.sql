-- What a cached copy of the guest menu is checked against (`platform::cache`): a counter the
-- database itself moves whenever a menu item, a category or a cafe setting changes, whichever
-- instance, handler or import changed it. One point read per guest page instead of reading the
-- settings and the menu again.
CREATE TABLE cache_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (name, version) VALUES ('cafe_menu', 1);

CREATE TRIGGER cafe_menu_items_inserted AFTER INSERT ON menu_items
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_items_updated AFTER UPDATE ON menu_items
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_items_deleted AFTER DELETE ON menu_items
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_categories_inserted AFTER INSERT ON menu_categories
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_categories_updated AFTER UPDATE ON menu_categories
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_menu_categories_deleted AFTER DELETE ON menu_categories
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_settings_inserted AFTER INSERT ON business_settings WHEN NEW.key LIKE 'cafe.%'
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_settings_updated AFTER UPDATE ON business_settings
WHEN NEW.key LIKE 'cafe.%' OR OLD.key LIKE 'cafe.%'
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
CREATE TRIGGER cafe_settings_deleted AFTER DELETE ON business_settings WHEN OLD.key LIKE 'cafe.%'
BEGIN UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu'; END;
