DROP TRIGGER cafe_menu_items_changed ON menu_items;
DROP TRIGGER cafe_menu_categories_changed ON menu_categories;
DROP TRIGGER cafe_settings_inserted ON business_settings;
DROP TRIGGER cafe_settings_updated ON business_settings;
DROP TRIGGER cafe_settings_deleted ON business_settings;
DROP FUNCTION cafe_menu_changed();
DROP TABLE cache_versions;
