-- What a cached copy of the guest menu is checked against (`platform::cache`): a counter the
-- database itself moves whenever a menu item, a category or a cafe setting changes, whichever
-- instance, handler or import changed it. One point read per guest page instead of reading the
-- settings and the menu again.
CREATE TABLE cache_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO cache_versions (name, version) VALUES ('cafe_menu', 1);

CREATE FUNCTION cafe_menu_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cache_versions SET version = version + 1 WHERE name = 'cafe_menu';
    RETURN NULL;
END $$;

CREATE TRIGGER cafe_menu_items_changed AFTER INSERT OR UPDATE OR DELETE ON menu_items
FOR EACH STATEMENT EXECUTE FUNCTION cafe_menu_changed();
CREATE TRIGGER cafe_menu_categories_changed AFTER INSERT OR UPDATE OR DELETE ON menu_categories
FOR EACH STATEMENT EXECUTE FUNCTION cafe_menu_changed();
CREATE TRIGGER cafe_settings_inserted AFTER INSERT ON business_settings
FOR EACH ROW WHEN (NEW.key LIKE 'cafe.%') EXECUTE FUNCTION cafe_menu_changed();
CREATE TRIGGER cafe_settings_updated AFTER UPDATE ON business_settings
FOR EACH ROW WHEN (NEW.key LIKE 'cafe.%' OR OLD.key LIKE 'cafe.%') EXECUTE FUNCTION cafe_menu_changed();
CREATE TRIGGER cafe_settings_deleted AFTER DELETE ON business_settings
FOR EACH ROW WHEN (OLD.key LIKE 'cafe.%') EXECUTE FUNCTION cafe_menu_changed();
