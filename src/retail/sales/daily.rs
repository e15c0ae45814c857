//! Completed retail sales per branch and business day (`retail_daily_totals`): the checkout
//! adds its sale and a void takes it off the day it was counted in, both with conditional
//! upserts in their own transaction. Revenue figures of the dashboard and reports read these
//! rows, not the orders.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::platform::clock::BusinessClock;
use crate::platform::daily::DailySummary;
use crate::platform::db::AnyConnection;
use crate::platform::db::CacheStatement;
use crate::platform::schema::{order_items, orders, retail_daily_totals};

/// One sale's share of a day: +1 order at checkout, −1 (and negative amounts) at a void.
/// `cancelled` counts the day's voided sales and `refunded` what refunds took off its
/// completed ones, so that `orders + cancelled` is every sale made that day and
/// `total + refunded` what its completed sales took: the sales list's count and sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayShare {
    pub orders: i64,
    pub total: i64,
    pub vat: i64,
    pub cost: i64,
    pub cash: i64,
    pub installment: i64,
    pub cancelled: i64,
    pub refunded: i64,
}

impl DayShare {
    /// A sale of `total` (VAT-inclusive) with its VAT and its goods' cost, paid by `method`.
    pub fn sale(total: i64, vat: i64, cost: i64, method: &str) -> DayShare {
        DayShare {
            orders: 1,
            total,
            vat,
            cost,
            cash: if method == "cash" { total } else { 0 },
            installment: if method == "installment" { total } else { 0 },
            cancelled: 0,
            refunded: 0,
        }
    }

    /// A completed sale taken off its day by a void: it stays on the day as a cancelled one.
    pub fn voided(self) -> DayShare {
        DayShare {
            orders: -self.orders,
            total: -self.total,
            vat: -self.vat,
            cost: -self.cost,
            cash: -self.cash,
            installment: -self.installment,
            cancelled: self.orders,
            refunded: 0,
        }
    }

    /// A cash refund of `total` (with its VAT and the returned goods' cost) off its sale's day.
    pub fn refund(total: i64, vat: i64, cost: i64) -> DayShare {
        DayShare {
            orders: 0,
            total: -total,
            vat: -vat,
            cost: -cost,
            cash: -total,
            installment: 0,
            cancelled: 0,
            refunded: total,
        }
    }
}

/// Adds `share` to the branch's day (creating the row on the day's first sale).
pub fn add(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    share: DayShare,
) -> QueryResult<()> {
    use retail_daily_totals as t;
    // A void or a refund takes its sale (or part of it) off a row that exists (the sale was
    // counted there). SQLite checks CHECK constraints on the row an upsert proposes, so a
    // negative share is an UPDATE.
    if share.orders < 0 || share.total < 0 {
        diesel::update(
            t::table
                .filter(t::branch_id.eq(branch))
                .filter(t::business_day.eq(day)),
        )
        .set((
            t::orders.eq(t::orders + share.orders),
            t::total_minor.eq(t::total_minor + share.total),
            t::vat_minor.eq(t::vat_minor + share.vat),
            t::cost_minor.eq(t::cost_minor + share.cost),
            t::cash_minor.eq(t::cash_minor + share.cash),
            t::installment_minor.eq(t::installment_minor + share.installment),
            t::cancelled.eq(t::cancelled + share.cancelled),
            t::refunded_minor.eq(t::refunded_minor + share.refunded),
        ))
        .returning(t::orders)
        .cached()
        .rows_changed(conn)?;
        return Ok(());
    }
    macro_rules! upsert {
        () => {
            diesel::insert_into(t::table)
                .values((
                    t::branch_id.eq(branch),
                    t::business_day.eq(day),
                    t::orders.eq(share.orders),
                    t::total_minor.eq(share.total),
                    t::vat_minor.eq(share.vat),
                    t::cost_minor.eq(share.cost),
                    t::cash_minor.eq(share.cash),
                    t::installment_minor.eq(share.installment),
                    t::cancelled.eq(share.cancelled),
                    t::refunded_minor.eq(share.refunded),
                ))
                .on_conflict((t::branch_id, t::business_day))
                .do_update()
                .set((
                    t::orders.eq(t::orders + share.orders),
                    t::total_minor.eq(t::total_minor + share.total),
                    t::vat_minor.eq(t::vat_minor + share.vat),
                    t::cost_minor.eq(t::cost_minor + share.cost),
                    t::cash_minor.eq(t::cash_minor + share.cash),
                    t::installment_minor.eq(t::installment_minor + share.installment),
                    t::cancelled.eq(t::cancelled + share.cancelled),
                    t::refunded_minor.eq(t::refunded_minor + share.refunded),
                ))
                .returning(t::orders)
        };
    }
    match conn {
        AnyConnection::Sqlite(c) => upsert!().cached().rows_changed(c),
        AnyConnection::Pg(c) => upsert!().cached().rows_changed(c),
    }
    .map(|_| ())
}

/// A completed sale's share, read back from the order (for a void).
pub fn share_of(
    conn: &mut AnyConnection,
    order_id: i64,
) -> QueryResult<(Option<NaiveDate>, DayShare)> {
    let (day, total, vat, method): (Option<NaiveDate>, i64, i64, String) = orders::table
        .find(order_id)
        .select((
            orders::business_day,
            orders::total_minor,
            orders::vat_minor,
            orders::payment_method,
        ))
        .first(conn)?;
    let cost: i64 = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(order_items.quantity * order_items.cost_price_minor), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok((day, DayShare::sale(total, vat, cost, &method)))
}

/// A branch's day counted from its orders: branch, completed, total, VAT, cash, instalment,
/// cancelled, refunded.
type BranchDay = (i64, i64, i64, i64, i64, i64, i64, i64);

/// Retail sales counted again from the orders (and their `business_day` set again) when the
/// time zone changes.
pub struct RetailDays;

impl DailySummary for RetailDays {
    const COUNTED_IN: &'static str = "retail.stats_time_zone";
    const LOCK: i64 = 727016;

    fn span(
        conn: &mut AnyConnection,
    ) -> QueryResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
        orders::table
            .select((
                diesel::dsl::min(orders::created_at),
                diesel::dsl::max(orders::created_at),
            ))
            .first(conn)
    }

    fn clear(conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::delete(retail_daily_totals::table).execute(conn)?;
        super::daily_detail::clear(conn)
    }

    fn count_day(
        conn: &mut AnyConnection,
        day: NaiveDate,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<()> {
        if let AnyConnection::Pg(_) = conn {
            // A day's orders are a few thousand of millions of lines: PostgreSQL's planner
            // would hash all the lines for each day (a second a day on a million lines); an
            // index lookup per order is what it should do. For this transaction only.
            diesel::sql_query("SET LOCAL enable_hashjoin = off").execute(conn)?;
        }
        diesel::update(
            orders::table
                .filter(orders::created_at.ge(from))
                .filter(orders::created_at.lt(to)),
        )
        .set(orders::business_day.eq(day))
        .execute(conn)?;
        // Every sale of the day, completed or cancelled: the cancelled ones are counted too
        // (the sales list's count), a day whose sales were all voided keeps its row.
        let totals: Vec<BranchDay> = orders::table
            .filter(orders::created_at.ge(from))
            .filter(orders::created_at.lt(to))
            .group_by(orders::branch_id)
            .select((
                orders::branch_id,
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' THEN 1 ELSE 0 END) AS BIGINT)",
                ),
                // Net of refunds, as the refund left the day (`refunds::model`).
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' THEN orders.total_minor - orders.refunded_minor ELSE 0 END) AS BIGINT)",
                ),
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' THEN orders.vat_minor - orders.refunded_vat_minor ELSE 0 END) AS BIGINT)",
                ),
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' AND orders.payment_method = 'cash' THEN orders.total_minor - orders.refunded_minor ELSE 0 END) AS BIGINT)",
                ),
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' AND orders.payment_method = 'installment' THEN orders.total_minor ELSE 0 END) AS BIGINT)",
                ),
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' THEN 0 ELSE 1 END) AS BIGINT)",
                ),
                sql::<BigInt>(
                    "CAST(SUM(CASE WHEN orders.status = 'completed' THEN orders.refunded_minor ELSE 0 END) AS BIGINT)",
                ),
            ))
            .load(conn)?;
        let costs: Vec<(i64, i64)> = order_items::table
            .inner_join(orders::table)
            .filter(orders::created_at.ge(from))
            .filter(orders::created_at.lt(to))
            .filter(orders::status.eq("completed"))
            .group_by(orders::branch_id)
            .select((
                orders::branch_id,
                sql::<BigInt>(
                    "CAST(SUM((order_items.quantity - order_items.returned_quantity) * order_items.cost_price_minor) AS BIGINT)",
                ),
            ))
            .load(conn)?;
        for (branch, orders, total, vat, cash, installment, cancelled, refunded) in totals {
            let cost = costs.iter().find(|(b, _)| *b == branch).map_or(0, |c| c.1);
            add(
                conn,
                branch,
                day,
                DayShare {
                    orders,
                    total,
                    vat,
                    cost,
                    cash,
                    installment,
                    cancelled,
                    refunded,
                },
            )?;
        }
        super::daily_detail::count_day(conn, day, from, to)
    }

    fn finish(conn: &mut AnyConnection) -> QueryResult<()> {
        super::daily_detail::count_months(conn)
    }
}

/// At start-up: counted again when counted in another time zone (or never).
pub fn keep_summaries(conn: &mut AnyConnection, clock: &BusinessClock) -> QueryResult<usize> {
    crate::platform::daily::keep::<RetailDays>(conn, clock)
}
