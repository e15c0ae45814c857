//! The cafe's figures. Closing a bill adds it to two daily summaries in the same transaction
//! (conditional upserts: `orders = orders + 1`, never read-modify-write); the stats page, its
//! CSV files and the SQL views read those few hundred rows instead of every sale. A day is the
//! business time zone's day; the summaries are rebuilt from the sales when the server starts
//! under another time zone than the one they were built in.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::cafe::bill::Bill;
use crate::cafe::sales::BillLine;
use crate::platform::clock::BusinessClock;
use crate::platform::daily::DailySummary;
use crate::platform::db::AnyConnection;
use crate::platform::money::Money;
use crate::platform::schema::{
    cafe_credit_note_lines, cafe_credit_notes, cafe_daily_items, cafe_daily_totals, cafe_feedback,
    cafe_sales, cafe_session_lines, cafe_sessions,
};

/// Adds a closed bill to its day's totals and its items' day rows. Called inside the closing
/// transaction, so a rolled-back close leaves no trace here either.
pub fn record_sale(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    bill: &Bill,
    lines: &[BillLine],
) -> QueryResult<()> {
    add_totals(
        conn,
        branch,
        day,
        1,
        [bill.subtotal.0, bill.discount.0, bill.tax.0, bill.total.0],
    )?;
    // One row per menu item, however many lines of it the bill has.
    let mut items: BTreeMap<i64, (&str, &str, i64, i64)> = BTreeMap::new();
    for l in lines {
        let e = items
            .entry(l.menu_item_id)
            .or_insert((&l.name, &l.category, 0, 0));
        e.0 = &l.name;
        e.1 = &l.category;
        e.2 += l.quantity;
        e.3 += l.unit_price_minor * l.quantity;
    }
    for (item, (name, category, qty, revenue)) in items {
        add_item(conn, branch, day, item, name, category, qty, revenue)?;
    }
    Ok(())
}

/// A refund of a bill's lines, taken off the day the bill was counted in: `[value, discount,
/// tax, total]` and, per line, (menu item, quantity, value). The bill still
/// counts as an order.
pub fn record_refund(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    amounts: [i64; 4],
    items: &[(i64, i64, i64)],
) -> QueryResult<()> {
    take_off(conn, branch, day, amounts)?;
    for &(item, qty, value) in items {
        take_item_off(conn, branch, day, item, qty, value)?;
    }
    Ok(())
}

/// A refund off a day's totals: an UPDATE of the row the bill's sale made (an upsert's
/// negative VALUES would trip the table's CHECKs before the conflict is seen).
fn take_off(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    [value, discount, tax, total]: [i64; 4],
) -> QueryResult<()> {
    use cafe_daily_totals as t;
    diesel::update(
        t::table
            .filter(t::branch_id.eq(branch))
            .filter(t::business_day.eq(day)),
    )
    .set((
        t::subtotal_minor.eq(t::subtotal_minor - value),
        t::discount_minor.eq(t::discount_minor - discount),
        t::tax_minor.eq(t::tax_minor - tax),
        t::total_minor.eq(t::total_minor - total),
    ))
    .execute(conn)
    .map(|_| ())
}

fn take_item_off(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    item: i64,
    qty: i64,
    value: i64,
) -> QueryResult<()> {
    use cafe_daily_items as i;
    diesel::update(
        i::table
            .filter(i::branch_id.eq(branch))
            .filter(i::business_day.eq(day))
            .filter(i::menu_item_id.eq(item)),
    )
    .set((
        i::quantity.eq(i::quantity - qty),
        i::revenue_minor.eq(i::revenue_minor - value),
    ))
    .execute(conn)
    .map(|_| ())
}

fn add_totals(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    orders: i64,
    [subtotal, discount, tax, total]: [i64; 4],
) -> QueryResult<()> {
    use cafe_daily_totals as t;
    macro_rules! upsert {
        () => {
            diesel::insert_into(t::table)
                .values((
                    t::branch_id.eq(branch),
                    t::business_day.eq(day),
                    t::orders.eq(orders),
                    t::subtotal_minor.eq(subtotal),
                    t::discount_minor.eq(discount),
                    t::tax_minor.eq(tax),
                    t::total_minor.eq(total),
                ))
                .on_conflict((t::branch_id, t::business_day))
                .do_update()
                .set((
                    t::orders.eq(t::orders + orders),
                    t::subtotal_minor.eq(t::subtotal_minor + subtotal),
                    t::discount_minor.eq(t::discount_minor + discount),
                    t::tax_minor.eq(t::tax_minor + tax),
                    t::total_minor.eq(t::total_minor + total),
                ))
        };
    }
    match conn {
        AnyConnection::Sqlite(c) => upsert!().execute(c),
        AnyConnection::Pg(c) => upsert!().execute(c),
    }
    .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
fn add_item(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    item: i64,
    name: &str,
    category: &str,
    qty: i64,
    revenue: i64,
) -> QueryResult<()> {
    use cafe_daily_items as i;
    macro_rules! upsert {
        () => {
            diesel::insert_into(i::table)
                .values((
                    i::branch_id.eq(branch),
                    i::business_day.eq(day),
                    i::menu_item_id.eq(item),
                    i::name.eq(name),
                    i::category.eq(category),
                    i::quantity.eq(qty),
                    i::revenue_minor.eq(revenue),
                ))
                .on_conflict((i::branch_id, i::business_day, i::menu_item_id))
                .do_update()
                .set((
                    i::name.eq(name),
                    i::category.eq(category),
                    i::quantity.eq(i::quantity + qty),
                    i::revenue_minor.eq(i::revenue_minor + revenue),
                ))
        };
    }
    match conn {
        AnyConnection::Sqlite(c) => upsert!().execute(c),
        AnyConnection::Pg(c) => upsert!().execute(c),
    }
    .map(|_| ())
}

/// The cafe's two daily summaries, counted again from the sales when the time zone changes.
pub struct CafeDays;

impl DailySummary for CafeDays {
    const COUNTED_IN: &'static str = "cafe.stats_time_zone";
    const LOCK: i64 = 727015;

    fn span(
        conn: &mut AnyConnection,
    ) -> QueryResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
        cafe_sales::table
            .select((
                diesel::dsl::min(cafe_sales::closed_at),
                diesel::dsl::max(cafe_sales::closed_at),
            ))
            .first(conn)
    }

    fn clear(conn: &mut AnyConnection) -> QueryResult<()> {
        diesel::delete(cafe_daily_items::table).execute(conn)?;
        diesel::delete(cafe_daily_totals::table).execute(conn)?;
        Ok(())
    }

    /// One business day's summaries from its sales and their lines (SQL aggregates per branch).
    fn count_day(
        conn: &mut AnyConnection,
        day: NaiveDate,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<()> {
        let totals: Vec<(i64, i64, i64, i64, i64, i64)> = cafe_sales::table
            .filter(cafe_sales::closed_at.ge(from))
            .filter(cafe_sales::closed_at.lt(to))
            .group_by(cafe_sales::branch_id)
            .select((
                cafe_sales::branch_id,
                sql::<BigInt>("COUNT(*)"),
                sql::<BigInt>("CAST(SUM(cafe_sales.subtotal_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_sales.discount_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_sales.tax_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_sales.total_minor) AS BIGINT)"),
            ))
            .load(conn)?;
        for (branch, orders, subtotal, discount, tax, total) in totals {
            add_totals(conn, branch, day, orders, [subtotal, discount, tax, total])?;
        }
        let items: Vec<(i64, i64, String, String, i64, i64)> = cafe_session_lines::table
            .inner_join(
                cafe_sales::table.on(cafe_sales::session_id.eq(cafe_session_lines::session_id)),
            )
            .filter(cafe_sales::closed_at.ge(from))
            .filter(cafe_sales::closed_at.lt(to))
            .group_by(sql::<BigInt>(
                "cafe_sales.branch_id, cafe_session_lines.menu_item_id",
            ))
            .select((
                sql::<BigInt>("cafe_sales.branch_id"),
                sql::<BigInt>("cafe_session_lines.menu_item_id"),
                sql::<diesel::sql_types::Text>("MAX(cafe_session_lines.name)"),
                sql::<diesel::sql_types::Text>("MAX(cafe_session_lines.category)"),
                sql::<BigInt>("CAST(SUM(cafe_session_lines.quantity) AS BIGINT)"),
                sql::<BigInt>(
                    "CAST(SUM(cafe_session_lines.quantity * cafe_session_lines.unit_price_minor) AS BIGINT)",
                ),
            ))
            .load(conn)?;
        for (branch, item, name, category, qty, revenue) in items {
            add_item(conn, branch, day, item, &name, &category, qty, revenue)?;
        }
        // Net of the refunds of that day's bills, as `record_refund` keeps them.
        let refunds: Vec<(i64, i64, i64, i64, i64)> = cafe_credit_notes::table
            .inner_join(cafe_sales::table)
            .filter(cafe_sales::closed_at.ge(from))
            .filter(cafe_sales::closed_at.lt(to))
            .group_by(cafe_sales::branch_id)
            .select((
                cafe_sales::branch_id,
                sql::<BigInt>("CAST(SUM(cafe_credit_notes.value_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_credit_notes.discount_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_credit_notes.tax_minor) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_credit_notes.total_minor) AS BIGINT)"),
            ))
            .load(conn)?;
        for (branch, value, discount, tax, total) in refunds {
            take_off(conn, branch, day, [value, discount, tax, total])?;
        }
        let returned: Vec<(i64, i64, i64, i64)> = cafe_credit_note_lines::table
            .inner_join(cafe_credit_notes::table.inner_join(cafe_sales::table))
            .filter(cafe_sales::closed_at.ge(from))
            .filter(cafe_sales::closed_at.lt(to))
            .group_by(sql::<BigInt>(
                "cafe_sales.branch_id, cafe_credit_note_lines.menu_item_id",
            ))
            .select((
                sql::<BigInt>("cafe_sales.branch_id"),
                sql::<BigInt>("cafe_credit_note_lines.menu_item_id"),
                sql::<BigInt>("CAST(SUM(cafe_credit_note_lines.quantity) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_credit_note_lines.value_minor) AS BIGINT)"),
            ))
            .load(conn)?;
        for (branch, item, qty, value) in returned {
            take_item_off(conn, branch, day, item, qty, value)?;
        }
        Ok(())
    }
}

/// At start-up: the summaries counted again when they were counted in another time zone.
pub fn keep_summaries(conn: &mut AnyConnection, clock: &BusinessClock) -> QueryResult<usize> {
    crate::platform::daily::keep::<CafeDays>(conn, clock)
}

/// A day's (or a span's) takings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Takings {
    pub orders: i64,
    pub revenue: Money,
    pub discount: Money,
}

impl Takings {
    /// Revenue per order, rounded half-up to the minor unit.
    pub fn average(&self) -> Money {
        if self.orders == 0 {
            Money::ZERO
        } else {
            Money((self.revenue.0 * 2 + self.orders) / (self.orders * 2))
        }
    }
}

/// Each day of `from..=to` with its takings (days without sales are zero).
pub fn daily(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, Takings)>> {
    let rows: Vec<(NaiveDate, i64, i64, i64)> = cafe_daily_totals::table
        .filter(cafe_daily_totals::branch_id.eq(branch))
        .filter(cafe_daily_totals::business_day.ge(from))
        .filter(cafe_daily_totals::business_day.le(to))
        .select((
            cafe_daily_totals::business_day,
            cafe_daily_totals::orders,
            cafe_daily_totals::total_minor,
            cafe_daily_totals::discount_minor,
        ))
        .load(conn)?;
    let found: BTreeMap<NaiveDate, Takings> = rows
        .into_iter()
        .map(|(d, orders, total, discount)| {
            (
                d,
                Takings {
                    orders,
                    revenue: Money(total),
                    discount: Money(discount),
                },
            )
        })
        .collect();
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push((d, found.get(&d).copied().unwrap_or_default()));
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    Ok(out)
}

/// Takings of bills closed in `[from, to)` (UTC): "by this time last week".
pub fn takings_between(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Takings> {
    let (orders, total, discount): (i64, i64, i64) = cafe_sales::table
        .filter(cafe_sales::branch_id.eq(branch))
        .filter(cafe_sales::closed_at.ge(from))
        .filter(cafe_sales::closed_at.lt(to))
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_sales.total_minor), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_sales.discount_minor), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    Ok(Takings {
        orders,
        revenue: Money(total),
        discount: Money(discount),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFigures {
    pub menu_item_id: i64,
    pub name: String,
    pub category: String,
    pub quantity: i64,
    pub revenue: Money,
}

/// The best sellers of `from..=to` by quantity (then revenue, then name), at most `limit`.
pub fn top_items(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<ItemFigures>> {
    let rows: Vec<(i64, String, String, i64, i64)> = cafe_daily_items::table
        .filter(cafe_daily_items::branch_id.eq(branch))
        .filter(cafe_daily_items::business_day.ge(from))
        .filter(cafe_daily_items::business_day.le(to))
        .group_by(cafe_daily_items::menu_item_id)
        .select((
            cafe_daily_items::menu_item_id,
            sql::<diesel::sql_types::Text>("MAX(cafe_daily_items.name)"),
            sql::<diesel::sql_types::Text>("MAX(cafe_daily_items.category)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_items.quantity) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_items.revenue_minor) AS BIGINT)"),
        ))
        .order((
            sql::<BigInt>("4").desc(),
            sql::<BigInt>("5").desc(),
            sql::<diesel::sql_types::Text>("2").asc(),
        ))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(menu_item_id, name, category, quantity, revenue)| ItemFigures {
                menu_item_id,
                name,
                category,
                quantity,
                revenue: Money(revenue),
            },
        )
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFigures {
    pub category: String,
    pub quantity: i64,
    pub revenue: Money,
}

/// Revenue and quantity by the category each sale recorded, largest revenue first.
pub fn by_category(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<CategoryFigures>> {
    let rows: Vec<(String, i64, i64)> = cafe_daily_items::table
        .filter(cafe_daily_items::branch_id.eq(branch))
        .filter(cafe_daily_items::business_day.ge(from))
        .filter(cafe_daily_items::business_day.le(to))
        .group_by(cafe_daily_items::category)
        .select((
            cafe_daily_items::category,
            sql::<BigInt>("CAST(SUM(cafe_daily_items.quantity) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_items.revenue_minor) AS BIGINT)"),
        ))
        .order((sql::<BigInt>("3").desc(), cafe_daily_items::category.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(category, quantity, revenue)| CategoryFigures {
            category,
            quantity,
            revenue: Money(revenue),
        })
        .collect())
}

/// Orders and revenue in each local hour (0–23) of one business day. The day's bills are
/// grouped by the database, by the hour of their closing time shifted to the business zone
/// (the zone's offset at noon: on a daylight-saving change the night's hours may shift by one).
pub fn by_hour(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
    branch: i64,
    day: NaiveDate,
) -> QueryResult<[Takings; 24]> {
    let (from, to) = clock.day_range_utc(Some(day), Some(day));
    let (from, to) = (from.expect("a start"), to.expect("an end"));
    let noon = day.and_hms_opt(12, 0, 0).expect("noon");
    let offset = clock
        .tz
        .offset_from_utc_datetime(&noon)
        .fix()
        .local_minus_utc();
    let hour = match conn {
        AnyConnection::Sqlite(_) => {
            format!("CAST(strftime('%H', cafe_sales.closed_at, '{offset:+} seconds') AS INTEGER)")
        }
        AnyConnection::Pg(_) => format!(
            "CAST(EXTRACT(HOUR FROM cafe_sales.closed_at + INTERVAL '{offset} seconds') AS BIGINT)"
        ),
    };
    let rows: Vec<(i64, i64, i64)> = cafe_sales::table
        .filter(cafe_sales::branch_id.eq(branch))
        .filter(cafe_sales::closed_at.ge(from))
        .filter(cafe_sales::closed_at.lt(to))
        .group_by(sql::<BigInt>(&hour))
        .select((
            sql::<BigInt>(&hour),
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(SUM(cafe_sales.total_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut out = [Takings::default(); 24];
    for (h, orders, total) in rows {
        if let Some(slot) = usize::try_from(h).ok().and_then(|h| out.get_mut(h)) {
            slot.orders += orders;
            slot.revenue = Money(slot.revenue.0 + total);
        }
    }
    Ok(out)
}

/// Tables with an open bill now.
pub fn active_tables(conn: &mut AnyConnection, branch: i64) -> QueryResult<i64> {
    cafe_sessions::table
        .filter(cafe_sessions::branch_id.eq(branch))
        .filter(cafe_sessions::closed_at.is_null())
        .filter(cafe_sessions::table_id.is_not_null())
        .count()
        .get_result(conn)
}

/// The average overall rating of feedback given in `[from, to)`, with how many gave it.
pub fn rating_between(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<(i64, Option<String>)> {
    let (n, sum): (i64, i64) = cafe_feedback::table
        .inner_join(cafe_sales::table)
        .filter(cafe_sales::branch_id.eq(branch))
        .filter(cafe_feedback::created_at.ge(from))
        .filter(cafe_feedback::created_at.lt(to))
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_feedback.overall_rating), 0) AS BIGINT)"),
        ))
        .first(conn)?;
    Ok((n, (n > 0).then(|| format!("{:.1}", sum as f64 / n as f64))))
}

/// The same moment a week earlier (for "by this time last week").
pub fn a_week_before(t: NaiveDateTime) -> NaiveDateTime {
    t - Duration::days(7)
}
