#!/usr/bin/env python3
"""Generated instalment plans for the benchmarks, written straight into a migrated SQLite
database: N instalment orders of the demo's main branch, each with an active 6-month plan and
its schedule (every fifth plan overdue, a tenth still pending).

    python3 bench/generate_plans.py PATH [plans]
"""
import sqlite3
import sys

def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    branch = db.execute("select id from branches where code='MNL'").fetchone()[0]
    agent = db.execute("select id from employees where username='agent'").fetchone()[0]
    customer = db.execute("select id from customers order by id limit 1").fetchone()[0]
    first_order = db.execute("select coalesce(max(id), 0) from orders").fetchone()[0] + 1
    db.execute(f"""with recursive n(i) as (select 1 union all select i+1 from n where i < {n})
        insert into orders (branch_id, employee_id, customer_id, status, payment_method, total_minor, vat_minor,
          vat_rate_bp, idempotency_key, is_active, created_at)
        select {branch}, {agent}, {customer}, 'completed', 'installment', 1030000, 110357, 1200,
          'bench-plan-' || i, 1, strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (i % 150) || ' days') from n""")
    # Plans: balance 1,030,000 + 3 % of (1,030,000 - 30,000) = 1,030,000; 6 × 171,666.66…
    db.execute(f"""insert into installment_plans (order_id, branch_id, customer_id, seller_id, status, term_months,
          rate_bp, total_minor, down_payment_minor, financed_minor, interest_minor, balance_minor, paid_minor,
          next_due_date, decision_note, created_at, updated_at)
        select id, {branch}, {customer}, {agent},
          case when id % 10 = 0 then 'pending' else 'active' end, 6, 300, 1030000, 30000, 1000000, 30000, 1030000, 0,
          case when id % 5 = 0 then date('now', '-3 days') else date('now', '+' || (id % 28 + 1) || ' days') end,
          '', created_at, created_at
        from orders where id >= {first_order}""")
    db.execute(f"""with recursive s(k) as (select 1 union all select k+1 from s where k < 6)
        insert into installment_dues (plan_id, seq, due_date, amount_minor, paid_minor)
        select p.id, s.k, date(p.next_due_date, '+' || (s.k - 1) || ' months'),
          case when s.k = 6 then 171670 else 171666 end, 0
        from installment_plans p, s where p.order_id >= {first_order}""")
    # The server counts the daily sales summary again from the orders when it next starts.
    db.execute("delete from retail_daily_totals")
    db.execute("delete from business_settings where key = 'retail.stats_time_zone'")
    db.commit()
    db.execute("ANALYZE")
    print(db.execute("select count(*) from installment_plans").fetchone()[0], "plans")

main()
