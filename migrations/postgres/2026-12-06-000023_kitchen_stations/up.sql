-- Kitchen stations (`cafe::stations`): the bar, the dessert counter… each prepares the menu
-- categories given to it at its branch (a category goes to one station at most; the rest is the
-- kitchen's). An order is split into one ticket per station; its first ticket keeps the order's
-- one-time key and the others name it (`order_ticket_id`), so the expo view can show an order
-- ready only when every station is done. A ticket the waiter holds (a main course, to come
-- after the starters) waits off the boards until fired.
CREATE TABLE kitchen_stations (
    id BIGSERIAL PRIMARY KEY,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 20),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    late_minutes BIGINT NOT NULL DEFAULT 15 CHECK (late_minutes BETWEEN 1 AND 240),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (branch_id, code)
);

CREATE TABLE kitchen_station_categories (
    station_id BIGINT NOT NULL REFERENCES kitchen_stations (id),
    category_id BIGINT NOT NULL REFERENCES menu_categories (id),
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    PRIMARY KEY (station_id, category_id),
    UNIQUE (branch_id, category_id)
);

ALTER TABLE kitchen_tickets ADD COLUMN station_id BIGINT REFERENCES kitchen_stations (id);
ALTER TABLE kitchen_tickets ADD COLUMN order_ticket_id BIGINT REFERENCES kitchen_tickets (id);
ALTER TABLE kitchen_tickets ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE kitchen_tickets ADD COLUMN fired_at TIMESTAMP;
CREATE INDEX kitchen_tickets_station ON kitchen_tickets (branch_id, station_id, status, created_at);
CREATE INDEX kitchen_tickets_order ON kitchen_tickets (order_ticket_id);
