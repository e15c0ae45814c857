//! The dashboard's figures: one aggregate query per widget (revenue from the two daily
//! summaries, warranty by type and status, stock health, credit, cafe, staff), whatever the
//! number of sales.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;

use crate::insight::in_branch;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::insight::dashboard::rules::Windows;
use crate::platform::db::{AnyConnection, MultiBackend};
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, branch_stock_counts, branches, cafe_daily_totals, cafe_feedback, cafe_sales,
    cafe_sessions, employees, installment_dues, installment_payments, installment_plans,
    kitchen_tickets, retail_daily_totals, staff_sessions, stock_movements, warranty_claims,
};

/// Revenue of one business day, retail and cafe apart (both VAT-inclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayRevenue {
    pub retail: i64,
    pub cafe: i64,
}

impl DayRevenue {
    pub fn total(&self) -> Money {
        Money(self.retail + self.cafe)
    }
    pub fn retail(&self) -> Money {
        Money(self.retail)
    }
    pub fn cafe(&self) -> Money {
        Money(self.cafe)
    }
}

/// Each day from `from` to `to` with what retail and the cafe took (days without sales are
/// absent). Two grouped reads of the daily summaries.
pub fn revenue_by_day(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<BTreeMap<NaiveDate, DayRevenue>> {
    let retail: Vec<(NaiveDate, i64)> = retail_daily_totals::table
        .filter(retail_daily_totals::business_day.between(from, to))
        .filter(in_branch("retail_daily_totals.branch_id", branch))
        .group_by(retail_daily_totals::business_day)
        .select((
            retail_daily_totals::business_day,
            sql::<BigInt>("CAST(SUM(retail_daily_totals.total_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let cafe: Vec<(NaiveDate, i64)> = cafe_daily_totals::table
        .filter(cafe_daily_totals::business_day.between(from, to))
        .filter(in_branch("cafe_daily_totals.branch_id", branch))
        .group_by(cafe_daily_totals::business_day)
        .select((
            cafe_daily_totals::business_day,
            sql::<BigInt>("CAST(SUM(cafe_daily_totals.total_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut out: BTreeMap<NaiveDate, DayRevenue> = BTreeMap::new();
    for (d, v) in retail {
        out.entry(d).or_default().retail += v;
    }
    for (d, v) in cafe {
        out.entry(d).or_default().cafe += v;
    }
    Ok(out)
}

/// The revenue windows of the dashboard, added up from the days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revenue {
    pub today: DayRevenue,
    pub yesterday: DayRevenue,
    pub week: DayRevenue,
    pub month: DayRevenue,
    pub year: DayRevenue,
    /// The last 14 days, oldest first, every day present.
    pub fortnight: Vec<(NaiveDate, DayRevenue)>,
}

pub fn revenue(conn: &mut AnyConnection, branch: Option<i64>, w: &Windows) -> QueryResult<Revenue> {
    let days = revenue_by_day(conn, branch, w.earliest(), w.today)?;
    let sum = |from: NaiveDate, to: NaiveDate| {
        days.range(from..=to)
            .fold(DayRevenue::default(), |acc, (_, d)| DayRevenue {
                retail: acc.retail + d.retail,
                cafe: acc.cafe + d.cafe,
            })
    };
    let mut fortnight = Vec::with_capacity(14);
    let mut d = w.fortnight;
    while d <= w.today {
        fortnight.push((d, days.get(&d).copied().unwrap_or_default()));
        d += Duration::days(1);
    }
    Ok(Revenue {
        today: sum(w.today, w.today),
        yesterday: sum(w.yesterday, w.yesterday),
        week: sum(w.week, w.today),
        month: sum(w.month, w.today),
        year: sum(w.year, w.today),
        fortnight,
    })
}

/// Warranty claims by type and status, with their cost to the business.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warranty {
    pub liability: Money,
    pub repair_cost: Money,
    pub replacement_cost: Money,
    /// (type, count), (status, count): every type and status that has claims.
    pub by_type: Vec<(String, i64)>,
    pub by_status: Vec<(String, i64)>,
}

pub fn warranty(conn: &mut AnyConnection, branch: Option<i64>) -> QueryResult<Warranty> {
    let rows: Vec<(String, String, i64, i64)> = warranty_claims::table
        .filter(in_branch("warranty_claims.branch_id", branch))
        .group_by((warranty_claims::claim_type, warranty_claims::status))
        .select((
            warranty_claims::claim_type,
            warranty_claims::status,
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(warranty_claims.cost_impact_minor), 0) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut w = Warranty::default();
    let mut types: BTreeMap<String, i64> = BTreeMap::new();
    let mut statuses: BTreeMap<String, i64> = BTreeMap::new();
    for (kind, status, n, cost) in rows {
        w.liability = Money(w.liability.0 + cost);
        match kind.as_str() {
            "repair" => w.repair_cost = Money(w.repair_cost.0 + cost),
            "replacement" => w.replacement_cost = Money(w.replacement_cost.0 + cost),
            _ => {}
        }
        *types.entry(kind).or_default() += n;
        *statuses.entry(status).or_default() += n;
    }
    w.by_type = types.into_iter().collect();
    w.by_status = statuses.into_iter().collect();
    Ok(w)
}

/// Stock rows of active products by health (each product's own minimum), and what arrived in
/// the last 24 hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StockHealth {
    pub healthy: i64,
    pub low: i64,
    pub out: i64,
    pub received_rows: i64,
    pub received_units: i64,
}

pub fn stock_health(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<StockHealth> {
    // Every row (a count per branch kept by triggers), then the few at or under their minimum
    // (a partial index): healthy is the rest. The stock rows carry their product's minimum
    // and state (kept by triggers).
    let mut q = branch_stock_counts::table.into_boxed::<MultiBackend>();
    if let Some(b) = branch {
        q = q.filter(branch_stock_counts::branch_id.eq(b));
    }
    let rows: i64 = q
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(branch_stock_counts.active_rows), 0) AS BIGINT)",
        ))
        .first(conn)?;
    let mut q = branch_stock::table
        .into_boxed::<MultiBackend>()
        .filter(sql::<diesel::sql_types::Bool>(
            "branch_stock.product_active AND branch_stock.quantity <= branch_stock.min_stock",
        ));
    if let Some(b) = branch {
        q = q.filter(branch_stock::branch_id.eq(b));
    }
    let (low, out): (i64, i64) = q
        .select((
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN branch_stock.quantity > 0 THEN 1 ELSE 0 END), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN branch_stock.quantity <= 0 THEN 1 ELSE 0 END), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    let healthy = rows - low - out;
    let mut q = stock_movements::table
        .into_boxed::<MultiBackend>()
        .filter(stock_movements::created_at.ge(now - Duration::hours(24)))
        .filter(stock_movements::kind.eq_any(["receive", "opening"]));
    if let Some(b) = branch {
        q = q.filter(stock_movements::branch_id.eq(b));
    }
    let (received_rows, received_units): (i64, i64) = q
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(stock_movements.quantity_change), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    Ok(StockHealth {
        healthy,
        low,
        out,
        received_rows,
        received_units,
    })
}

/// Instalment credit: overdue plans, what is still owed, and today's collections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Credit {
    pub overdue_plans: i64,
    pub outstanding: Money,
    /// Instalments falling due today, and how much of them is paid.
    pub due_today: Money,
    pub due_today_paid: Money,
    /// Every payment received today (any due date).
    pub collected_today: Money,
}

pub fn credit(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    today: NaiveDate,
    day: (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Credit> {
    let mut q = installment_plans::table.into_boxed::<MultiBackend>();
    if let Some(b) = branch {
        q = q.filter(installment_plans::branch_id.eq(b));
    }
    // Rejected and cancelled plans owe nothing; a pending plan's goods have left the shop.
    let (overdue_plans, outstanding): (i64, i64) = q
        .select((
            sql::<BigInt>(&format!(
                "CAST(COALESCE(SUM(CASE WHEN installment_plans.status = 'active' AND installment_plans.next_due_date < '{today}' THEN 1 ELSE 0 END), 0) AS BIGINT)"
            )),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN installment_plans.status IN ('active', 'pending') THEN installment_plans.balance_minor - installment_plans.paid_minor ELSE 0 END), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    let mut q = installment_dues::table
        .inner_join(installment_plans::table)
        .into_boxed::<MultiBackend>()
        .filter(installment_dues::due_date.eq(today))
        .filter(installment_plans::status.eq_any(["active", "completed"]));
    if let Some(b) = branch {
        q = q.filter(installment_plans::branch_id.eq(b));
    }
    let (due, paid): (i64, i64) = q
        .select((
            sql::<BigInt>("CAST(COALESCE(SUM(installment_dues.amount_minor), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(CASE WHEN installment_dues.paid_minor < installment_dues.amount_minor THEN installment_dues.paid_minor ELSE installment_dues.amount_minor END), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    let mut q = installment_payments::table
        .into_boxed::<MultiBackend>()
        .filter(installment_payments::paid_at.ge(day.0))
        .filter(installment_payments::paid_at.lt(day.1));
    if let Some(b) = branch {
        q = q.filter(installment_payments::branch_id.eq(b));
    }
    let collected: i64 = q
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(installment_payments.amount_minor), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(Credit {
        overdue_plans,
        outstanding: Money(outstanding),
        due_today: Money(due),
        due_today_paid: Money(paid),
        collected_today: Money(collected),
    })
}

/// The cafe now: today's takings, tables with an open bill, tickets not yet done, and the
/// average rating of the last 30 days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cafe {
    pub today: Money,
    pub open_tables: i64,
    pub tickets_in_kitchen: i64,
    pub rating: Option<String>,
    pub ratings: i64,
}

pub fn cafe(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    revenue_today: i64,
    since: NaiveDateTime,
) -> QueryResult<Cafe> {
    let mut q = cafe_sessions::table
        .into_boxed::<MultiBackend>()
        .filter(cafe_sessions::closed_at.is_null())
        .filter(cafe_sessions::table_id.is_not_null());
    if let Some(b) = branch {
        q = q.filter(cafe_sessions::branch_id.eq(b));
    }
    let open_tables: i64 = q.count().get_result(conn)?;
    let mut q = kitchen_tickets::table
        .into_boxed::<MultiBackend>()
        .filter(kitchen_tickets::status.eq_any(["pending", "preparing"]));
    if let Some(b) = branch {
        q = q.filter(kitchen_tickets::branch_id.eq(b));
    }
    let tickets_in_kitchen: i64 = q.count().get_result(conn)?;
    let mut q = cafe_feedback::table
        .inner_join(cafe_sales::table)
        .into_boxed::<MultiBackend>()
        .filter(cafe_feedback::created_at.ge(since));
    if let Some(b) = branch {
        q = q.filter(cafe_sales::branch_id.eq(b));
    }
    let (ratings, sum): (i64, i64) = q
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_feedback.overall_rating), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    Ok(Cafe {
        today: Money(revenue_today),
        open_tables,
        tickets_in_kitchen,
        rating: (ratings > 0).then(|| format!("{:.1}", sum as f64 / ratings as f64)),
        ratings,
    })
}

/// Someone signed in now (a session neither ended nor expired).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub name: String,
    pub role: String,
    pub branch: Option<String>,
    pub last_seen: NaiveDateTime,
}

/// At most `limit` people signed in now (most recently active first), and how many in all.
pub fn signed_in(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<(Vec<SignedIn>, i64)> {
    let rows: Vec<(String, String, Option<String>, NaiveDateTime)> = staff_sessions::table
        .inner_join(employees::table.left_join(branches::table))
        .filter(staff_sessions::ended_at.is_null())
        .filter(staff_sessions::expires_at.gt(now))
        .filter(employees::is_active.eq(true))
        .filter(in_branch("employees.branch_id", branch))
        .group_by(sql::<BigInt>(
            "employees.id, employees.name, employees.role, branches.name",
        ))
        .select((
            sql::<Text>("employees.name"),
            sql::<Text>("employees.role"),
            sql::<Nullable<Text>>("branches.name"),
            sql::<diesel::sql_types::Timestamp>("MAX(staff_sessions.last_seen_at)"),
        ))
        .order(sql::<Nullable<Text>>("4 DESC"))
        .load(conn)?;
    let total = rows.len() as i64;
    let people = rows
        .into_iter()
        .take(limit.max(0) as usize)
        .map(|(name, role, branch, last_seen)| SignedIn {
            name,
            role,
            branch,
            last_seen,
        })
        .collect();
    Ok((people, total))
}
