#!/usr/bin/env python3
"""Generated retail data for the benchmarks, written straight into a migrated SQLite database
(or printed as SQL for PostgreSQL): 100,000 products with stock at the main branch and
1,000,000 past order lines (about 400,000 orders over 90 days) with payments and receipts.

    python3 bench/generate.py sqlite PATH [products] [lines]
"""
import json
import sqlite3
import sys

def main():
    path = sys.argv[2]
    n_products = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    n_lines = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000_000
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    branch = db.execute("select id from branches where code='MNL'").fetchone()[0]
    agent = db.execute("select id from employees where username='agent'").fetchone()[0]
    category = db.execute("select id from product_categories order by id limit 1").fetchone()[0]
    base = db.execute("select coalesce(max(id), 0) from products").fetchone()[0]
    # Barcodes BX00000001… are text codes (not EAN), so no check digit is involved. Names mix 13
    # brands and 17 kinds of product ("Nova Earbuds 000042"), so a word matches 1/13 or 1/17 of them.
    brands = json.dumps(["Acme", "Nova", "Orion", "Zenith", "Apex", "Lumen", "Vertex", "Pulse", "Helix",
                         "Quanta", "Aero", "Cobalt", "Sable"])
    kinds = json.dumps(["Earbuds", "Charger", "Cable", "Case", "Screen Protector", "Power Bank", "Speaker",
                        "Headphones", "Smartwatch", "Mouse", "Keyboard", "Adapter", "Tripod", "Stylus",
                        "Memory Card", "Router", "Webcam"])
    name = (f"json_extract('{brands}', '$[' || (i % 13) || ']') || ' ' || "
            f"json_extract('{kinds}', '$[' || (i % 17) || ']') || ' ' || printf('%06d', i)")
    db.execute(f"""with recursive n(i) as (select 1 union all select i+1 from n where i < {n_products})
        insert into products (name, name_lc, sku, barcode, category_id, price_minor, cost_minor, min_stock,
          serial_tracked, description, is_active, created_at, updated_at)
        select {name}, lower({name}), 'BS' || printf('%08d', i),
          'BX' || printf('%08d', i), {category}, 10000 + (i % 500) * 100, 8000 + (i % 500) * 80, 3, 0, '', 1,
          '2026-01-01 00:00:00', '2026-01-01 00:00:00' from n""")
    db.execute(f"""insert into branch_stock (branch_id, product_id, quantity, updated_at)
        select {branch}, id, 1000000000, '2026-01-01 00:00:00' from products where barcode like 'BX%'""")
    n_orders = n_lines * 2 // 5
    last_or = db.execute(f"select coalesce(max(number), 0) from official_receipts where branch_id = {branch}").fetchone()[0]
    first_order = db.execute("select coalesce(max(id), 0) from orders").fetchone()[0] + 1
    # Orders spread over the last 90 days (ids follow time).
    db.execute(f"""with recursive n(i) as (select 1 union all select i+1 from n where i < {n_orders})
        insert into orders (branch_id, employee_id, customer_id, status, payment_method, total_minor, vat_minor,
          vat_rate_bp, idempotency_key, is_active, created_at)
        select {branch}, {agent}, null, 'completed', 'cash', 75000, 8036, 1200, 'bench-' || i, 1,
          strftime('%Y-%m-%d %H:%M:%S', 'now', '-90 days', '+' || (i * 7776000 / {n_orders}) || ' seconds') from n""")
    db.execute(f"""insert into order_items (order_id, product_id, product_name, quantity, unit_price_minor, cost_price_minor, line_total_minor)
        select o.id, {base} + 1 + ((o.id * 7 + k.k) % {n_products}), 'Bench Product', 1, 30000, 24000, 30000
        from orders o join (select 0 as k union all select 1 union all select 2) k
        where o.idempotency_key like 'bench-%' and (k.k < 2 or o.id % 2 = 0)""")
    db.execute(f"""insert into payments (order_id, method, amount_minor, cash_received_minor, change_minor, paid_at)
        select id, 'cash', total_minor, 100000, 100000 - total_minor, created_at from orders where idempotency_key like 'bench-%'""")
    db.execute(f"""insert into official_receipts (order_id, branch_id, number, or_number, vatable_minor, vat_minor, total_minor, issued_by, issued_at, print_count)
        select id, {branch}, {last_or} + id - {first_order} + 1, 'MNL-' || printf('%06d', {last_or} + id - {first_order} + 1), 66964, 8036, 75000, {agent}, created_at, 1
        from orders where idempotency_key like 'bench-%'""")
    db.execute(f"insert into receipt_counters (branch_id, last_number) values ({branch}, (select max(number) from official_receipts where branch_id = {branch})) "
               "on conflict (branch_id) do update set last_number = excluded.last_number")
    # The server counts the daily sales summary again from the orders when it next starts.
    db.execute("delete from retail_daily_totals")
    db.execute("delete from business_settings where key = 'retail.stats_time_zone'")
    db.commit()
    lines = db.execute("select count(*) from order_items").fetchone()[0]
    print(f"products: {db.execute('select count(*) from products').fetchone()[0]}, orders: {db.execute('select count(*) from orders').fetchone()[0]}, order lines: {lines}")

if __name__ == "__main__":
    main()
