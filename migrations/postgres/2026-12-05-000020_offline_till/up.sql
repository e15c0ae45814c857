-- The offline till (docs/architecture.md, "The till through an outage").
--
-- What a till keeps of the catalogue is brought up to date by asking for the products whose
-- `catalogue_seq` is above the last one it saw. The number comes from a counter the database
-- moves whenever something a till shows changes (barcode, name, price, serial flag, archived),
-- whoever changed it. Writers take the counter's row in turn (its row lock is held to the
-- commit), so numbers are handed out in the order the changes commit: a till never skips a
-- change committed late.
ALTER TABLE products ADD COLUMN catalogue_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX products_catalogue_seq ON products (catalogue_seq, id);
INSERT INTO cache_versions (name, version) VALUES ('pos_catalogue', 0);

CREATE FUNCTION pos_catalogue_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.barcode IS NOT DISTINCT FROM NEW.barcode
        AND OLD.name IS NOT DISTINCT FROM NEW.name
        AND OLD.price_minor IS NOT DISTINCT FROM NEW.price_minor
        AND OLD.serial_tracked IS NOT DISTINCT FROM NEW.serial_tracked
        AND OLD.is_active IS NOT DISTINCT FROM NEW.is_active THEN
        RETURN NEW;
    END IF;
    UPDATE cache_versions SET version = version + 1 WHERE name = 'pos_catalogue'
    RETURNING version INTO NEW.catalogue_seq;
    RETURN NEW;
END $$;
CREATE TRIGGER pos_catalogue_stamp BEFORE INSERT OR UPDATE ON products
FOR EACH ROW EXECUTE FUNCTION pos_catalogue_stamp();

-- A block of provisional receipt numbers a till reserves while it is online, for the sales it
-- may have to make offline. The till proves a sale is its own with the block's secret (only
-- its digest is kept). Offline sales belong to the block's shift and employee.
CREATE TABLE offline_blocks (
    id BIGSERIAL PRIMARY KEY,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    register_id BIGINT NOT NULL REFERENCES registers (id),
    shift_id BIGINT NOT NULL REFERENCES shifts (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    size BIGINT NOT NULL CHECK (size > 0),
    secret_sha TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    reserved_at TIMESTAMP NOT NULL,
    UNIQUE (shift_id, idempotency_key)
);

-- Every offline sale that reached the server, once (UNIQUE (block_id, number)): accepted as an
-- order, or an exception a manager settles (accepted anyway, or the money given back).
CREATE TABLE offline_sales (
    id BIGSERIAL PRIMARY KEY,
    block_id BIGINT NOT NULL REFERENCES offline_blocks (id),
    number BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    employee_id BIGINT NOT NULL REFERENCES employees (id),
    shift_id BIGINT NOT NULL REFERENCES shifts (id),
    made_at TIMESTAMP NOT NULL,
    total_minor BIGINT NOT NULL,
    cash_received_minor BIGINT NOT NULL,
    sale TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'exception', 'accepted_by_manager', 'refunded')),
    reason TEXT NOT NULL DEFAULT '',
    order_id BIGINT REFERENCES orders (id),
    synced_by BIGINT NOT NULL REFERENCES employees (id),
    synced_at TIMESTAMP NOT NULL,
    resolved_by BIGINT REFERENCES employees (id),
    resolved_at TIMESTAMP,
    resolution_note TEXT NOT NULL DEFAULT '',
    UNIQUE (block_id, number)
);
CREATE INDEX offline_sales_branch ON offline_sales (branch_id, status, made_at);
CREATE UNIQUE INDEX offline_sales_order ON offline_sales (order_id) WHERE order_id IS NOT NULL;
