#!/usr/bin/env python3
"""Generated cafe history for the stats benchmark, written straight into a migrated SQLite
database that holds the demo: N closed bills (default 1,000,000) over the last 365 days at the
demo cafe, two menu lines each, and four bookings a day on every table for a year around today.
The daily summaries are left empty and their time-zone mark removed, so the server counts
them again from the sales when it starts (the start-up rebuild is timed too).

    python3 bench/generate_cafe.py PATH [bills]
"""
import sqlite3
import sys


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    branch = db.execute("select id from branches where code='CAFE'").fetchone()[0]
    ticket = db.execute("select min(id) from kitchen_tickets").fetchone()[0]
    items = db.execute(
        "select m.id, m.name, c.name, m.price_minor from menu_items m join menu_categories c on c.id = m.category_id "
        f"where m.branch_id = {branch} order by m.id").fetchall()
    k = len(items)
    db.execute("create temp table menu (n integer primary key, id, name, category, price)")
    db.executemany("insert into menu values (?, ?, ?, ?, ?)", [(i,) + row for i, row in enumerate(items)])
    first = db.execute("select coalesce(max(id), 0) from cafe_sessions").fetchone()[0] + 1
    # Bills spread evenly over the last 365 days (ids follow time), 25 minutes each.
    db.execute(f"""with recursive s(i) as (select 1 union all select i+1 from s where i < {n})
        insert into cafe_sessions (id, branch_id, table_id, kind, customer_name, opened_at, closed_at)
        select {first} + i - 1, {branch}, null, 'takeaway', 'Bench',
          strftime('%Y-%m-%d %H:%M:%S', 'now', '-365 days', '+' || (i * 31536000 / {n}) || ' seconds', '-25 minutes'),
          strftime('%Y-%m-%d %H:%M:%S', 'now', '-365 days', '+' || (i * 31536000 / {n}) || ' seconds')
        from s""")
    # Two lines a bill: a popular item (the first third of the menu) and any item.
    db.execute(f"""insert into cafe_session_lines (session_id, ticket_id, menu_item_id, name, category, quantity,
          unit_price_minor, created_at)
        select s.id, {ticket}, m.id, m.name, m.category, 1 + (s.id % 2), m.price, s.opened_at
        from cafe_sessions s join (select 0 as j union all select 1) j
        join menu m on m.n = case when j.j = 0 then (s.id * 7) % {max(k // 3, 1)} else (s.id * 13) % {k} end
        where s.id >= {first}""")
    db.execute(f"""insert into cafe_sales (branch_id, session_id, table_id, table_number, kind, customer_name,
          items_json, subtotal_minor, discount_minor, tax_rate_bp, tax_minor, total_minor, payment_method,
          opened_at, closed_at)
        select s.branch_id, s.id, null, null, 'takeaway', 'Bench', '[]', t.sub, 0, 500, (t.sub * 5 + 50) / 100,
          t.sub + (t.sub * 5 + 50) / 100, 'cash', s.opened_at, s.closed_at
        from cafe_sessions s join (select session_id, sum(quantity * unit_price_minor) as sub
          from cafe_session_lines where session_id >= {first} group by session_id) t on t.session_id = s.id""")
    # Four bookings a day on every table, from half a year ago to half a year ahead.
    db.execute(f"""with recursive d(i) as (select -182 union all select i+1 from d where i < 182),
        h(hour) as (select 11 union all select 13 union all select 18 union all select 20)
        insert into reservations (branch_id, table_id, customer_name, customer_phone, party_size, starts_at,
          ends_at, notes, status, source, created_at, updated_at)
        select {branch}, t.id, 'Guest ' || t.number || '-' || d.i, '+639170000000', 2,
          strftime('%Y-%m-%d %H:%M:%S', date('now', d.i || ' days'), '+' || (h.hour - 8) || ' hours'),
          strftime('%Y-%m-%d %H:%M:%S', date('now', d.i || ' days'), '+' || (h.hour - 8) || ' hours', '+90 minutes'),
          '', case when d.i < 0 then 'completed' else 'confirmed' end, 'staff', datetime('now'), datetime('now')
        from d join h join cafe_tables t on t.branch_id = {branch} and t.is_active""")
    db.execute("delete from cafe_daily_items")
    db.execute("delete from cafe_daily_totals")
    db.execute("delete from business_settings where key = 'cafe.stats_time_zone'")
    db.commit()
    db.execute("ANALYZE")
    print(db.execute("select count(*) from cafe_sales").fetchone()[0], "cafe sales,",
          db.execute("select count(*) from cafe_session_lines").fetchone()[0], "lines,",
          db.execute("select count(*) from reservations").fetchone()[0], "reservations")


if __name__ == "__main__":
    main()
