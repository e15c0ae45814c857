-- The business day a sale belongs to (the business time zone's date at checkout), so that a
-- void takes the sale off the day it was counted in.
ALTER TABLE orders ADD COLUMN business_day DATE;

-- Daily totals of completed retail sales, kept by the checkout and void transactions with
-- conditional upserts; rebuilt from the orders when the server starts under another time zone.
-- Amounts are VAT-inclusive (total_minor) with the VAT in it (vat_minor) and the goods' cost.
CREATE TABLE retail_daily_totals (
    branch_id BIGINT NOT NULL REFERENCES branches (id),
    business_day DATE NOT NULL,
    orders BIGINT NOT NULL CHECK (orders >= 0),
    total_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    cost_minor BIGINT NOT NULL,
    cash_minor BIGINT NOT NULL,
    installment_minor BIGINT NOT NULL,
    PRIMARY KEY (branch_id, business_day)
);

CREATE INDEX installment_dues_due ON installment_dues (due_date);
CREATE INDEX installment_payments_paid ON installment_payments (paid_at);
CREATE INDEX stock_movements_created ON stock_movements (created_at);

-- Stock health without joining every product: each stock row carries its product's minimum
-- and whether the product is on sale, copied by triggers (below) whatever code path writes
-- the product. The few rows at or under their minimum have a partial index; healthy rows are
-- the rest of the count.
ALTER TABLE branch_stock ADD COLUMN min_stock BIGINT NOT NULL DEFAULT 0;
ALTER TABLE branch_stock ADD COLUMN product_active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX branch_stock_active ON branch_stock (product_active, branch_id);
CREATE INDEX branch_stock_short ON branch_stock (branch_id, quantity) WHERE product_active AND quantity <= min_stock;
UPDATE branch_stock SET
    min_stock = (SELECT p.min_stock FROM products p WHERE p.id = branch_stock.product_id),
    product_active = (SELECT p.is_active FROM products p WHERE p.id = branch_stock.product_id);
CREATE TRIGGER branch_stock_copies_product AFTER INSERT ON branch_stock
BEGIN
    UPDATE branch_stock SET
        min_stock = (SELECT min_stock FROM products WHERE id = NEW.product_id),
        product_active = (SELECT is_active FROM products WHERE id = NEW.product_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER products_health_to_stock AFTER UPDATE OF min_stock, is_active ON products
WHEN OLD.min_stock <> NEW.min_stock OR OLD.is_active <> NEW.is_active
BEGIN
    UPDATE branch_stock SET min_stock = NEW.min_stock, product_active = NEW.is_active
    WHERE product_id = NEW.id;
END;
