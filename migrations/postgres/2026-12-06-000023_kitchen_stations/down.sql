DROP INDEX kitchen_tickets_order;
DROP INDEX kitchen_tickets_station;
ALTER TABLE kitchen_tickets DROP COLUMN fired_at;
ALTER TABLE kitchen_tickets DROP COLUMN held;
ALTER TABLE kitchen_tickets DROP COLUMN order_ticket_id;
ALTER TABLE kitchen_tickets DROP COLUMN station_id;
DROP TABLE kitchen_station_categories;
DROP TABLE kitchen_stations;
