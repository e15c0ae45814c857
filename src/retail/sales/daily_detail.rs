//! Completed retail sales per seller and per product, by business day (and per product by
//! month, and so far per branch: `retail_product_totals`):
//! what the reports page ranks. The checkout counts its sale in, a void counts it out
//! of the day it was counted in, each in its own transaction, with upserts that add (never a
//! read-modify-write). When the time zone changes, `RetailDays` counts them again from the
//! orders with one `INSERT … SELECT` per day and builds the months from the days.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::platform::db::CacheStatement;
use crate::platform::db::{date_literal, moment_literal, AnyConnection};
use crate::platform::schema::{
    commissions, order_items, orders, retail_daily_products, retail_daily_staff,
    retail_monthly_products, retail_product_totals,
};

/// The first day of `day`'s month (the key of the monthly rows).
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Counts order `order_id` into the summaries (`sign` = 1) or out of them (`sign` = −1), on
/// the business day it was counted in. An order without a business day (from before the
/// summaries) is left alone: the rebuild counted it or will.
pub fn count_order(conn: &mut AnyConnection, order_id: i64, sign: i64) -> QueryResult<()> {
    let (branch, day, seller, total): (i64, Option<NaiveDate>, i64, i64) = orders::table
        .find(order_id)
        .select((
            orders::branch_id,
            orders::business_day,
            orders::employee_id,
            orders::total_minor,
        ))
        .first(conn)?;
    let Some(day) = day else {
        return Ok(());
    };
    // The commission the sale earned (a void's own row is the negative of it).
    let commission: i64 = commissions::table
        .filter(commissions::order_id.eq(order_id))
        .select(sql::<BigInt>(
            "CAST(COALESCE(MAX(commissions.amount_minor), 0) AS BIGINT)",
        ))
        .cached()
        .get_result(conn)?;
    add_staff(
        conn,
        branch,
        day,
        seller,
        [sign, sign * total, sign * commission],
    )?;
    let lines: Vec<(i64, i64, i64, i64)> = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .group_by(order_items::product_id)
        .select((
            order_items::product_id,
            sql::<BigInt>("CAST(SUM(order_items.quantity) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(order_items.line_total_minor) AS BIGINT)"),
            sql::<BigInt>(
                "CAST(SUM(order_items.quantity * order_items.cost_price_minor) AS BIGINT)",
            ),
        ))
        .cached()
        .load(conn)?;
    for (product, units, revenue, cost) in lines {
        let figures = [sign * units, sign * revenue, sign * cost];
        add_product_day(conn, branch, day, product, figures)?;
        add_product_month(conn, branch, month_of(day), product, figures)?;
        add_product_total(conn, branch, product, figures)?;
    }
    Ok(())
}

fn add_staff(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    seller: i64,
    [orders, total, commission]: [i64; 3],
) -> QueryResult<()> {
    use retail_daily_staff as t;
    crate::on_backend!(conn, |c| diesel::insert_into(t::table)
        .values((
            t::branch_id.eq(branch),
            t::business_day.eq(day),
            t::employee_id.eq(seller),
            t::orders.eq(orders),
            t::total_minor.eq(total),
            t::commission_minor.eq(commission),
        ))
        .on_conflict((t::branch_id, t::business_day, t::employee_id))
        .do_update()
        .set((
            t::orders.eq(t::orders + orders),
            t::total_minor.eq(t::total_minor + total),
            t::commission_minor.eq(t::commission_minor + commission),
        ))
        .returning(t::orders)
        .cached()
        .rows_changed(c))
    .map(|_| ())
}

/// The day and month tables have the same shape under another date column's name.
macro_rules! add_product {
    ($name:ident, $t:ident, $date:ident) => {
        fn $name(
            conn: &mut AnyConnection,
            branch: i64,
            date: NaiveDate,
            product: i64,
            [units, revenue, cost]: [i64; 3],
        ) -> QueryResult<()> {
            use $t as t;
            crate::on_backend!(conn, |c| diesel::insert_into(t::table)
                .values((
                    t::branch_id.eq(branch),
                    t::$date.eq(date),
                    t::product_id.eq(product),
                    t::units.eq(units),
                    t::revenue_minor.eq(revenue),
                    t::cost_minor.eq(cost),
                ))
                .on_conflict((t::branch_id, t::$date, t::product_id))
                .do_update()
                .set((
                    t::units.eq(t::units + units),
                    t::revenue_minor.eq(t::revenue_minor + revenue),
                    t::cost_minor.eq(t::cost_minor + cost),
                ))
                .returning(t::units)
                .cached()
                .rows_changed(c))
            .map(|_| ())
        }
    };
}
add_product!(add_product_day, retail_daily_products, business_day);
add_product!(add_product_month, retail_monthly_products, month);

fn add_product_total(
    conn: &mut AnyConnection,
    branch: i64,
    product: i64,
    [units, revenue, cost]: [i64; 3],
) -> QueryResult<()> {
    use retail_product_totals as t;
    crate::on_backend!(conn, |c| diesel::insert_into(t::table)
        .values((
            t::branch_id.eq(branch),
            t::product_id.eq(product),
            t::units.eq(units),
            t::revenue_minor.eq(revenue),
            t::cost_minor.eq(cost),
        ))
        .on_conflict((t::branch_id, t::product_id))
        .do_update()
        .set((
            t::units.eq(t::units + units),
            t::revenue_minor.eq(t::revenue_minor + revenue),
            t::cost_minor.eq(t::cost_minor + cost),
        ))
        .returning(t::units)
        .cached()
        .rows_changed(c))
    .map(|_| ())
}

/// Forgets everything counted (before counting again).
pub fn clear(conn: &mut AnyConnection) -> QueryResult<()> {
    diesel::delete(retail_daily_staff::table).execute(conn)?;
    diesel::delete(retail_daily_products::table).execute(conn)?;
    diesel::delete(retail_monthly_products::table).execute(conn)?;
    diesel::delete(retail_product_totals::table).execute(conn)?;
    Ok(())
}

/// A refund taken off the day its sale was counted in: the seller's takings and commission
/// (`[total, commission]`), and per product `(product, [units, value, cost])`.
pub fn count_refund(
    conn: &mut AnyConnection,
    branch: i64,
    day: NaiveDate,
    seller: i64,
    [total, commission]: [i64; 2],
    lines: &[(i64, [i64; 3])],
) -> QueryResult<()> {
    add_staff(conn, branch, day, seller, [0, -total, -commission])?;
    for (product, [units, value, cost]) in lines {
        let figures = [-units, -value, -cost];
        add_product_day(conn, branch, day, *product, figures)?;
        add_product_month(conn, branch, month_of(day), *product, figures)?;
        add_product_total(conn, branch, *product, figures)?;
    }
    Ok(())
}

/// Counts the completed sales made in `[from, to)` (UTC) as business day `day`: set-based, so
/// counting a year of a busy shop again takes seconds, not an upsert per line; net of refunds
/// (a refund's commission row is negative, and takes its share off).
pub fn count_day(
    conn: &mut AnyConnection,
    day: NaiveDate,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<()> {
    let d = date_literal(conn, day);
    let from = moment_literal(conn, from);
    let to = moment_literal(conn, to);
    let completed =
        format!("o.created_at >= {from} AND o.created_at < {to} AND o.status = 'completed'");
    diesel::sql_query(format!(
        "INSERT INTO retail_daily_staff (branch_id, business_day, employee_id, orders, total_minor, commission_minor)
         SELECT o.branch_id, {d}, o.employee_id, COUNT(*), SUM(o.total_minor - o.refunded_minor),
                COALESCE(SUM((SELECT SUM(c.amount_minor) FROM commissions c WHERE c.order_id = o.id)), 0)
         FROM orders o
         WHERE {completed}
         GROUP BY o.branch_id, o.employee_id"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO retail_daily_products (branch_id, business_day, product_id, units, revenue_minor, cost_minor)
         SELECT o.branch_id, {d}, i.product_id, SUM(i.quantity - i.returned_quantity),
                SUM(i.line_total_minor - i.refunded_minor),
                SUM((i.quantity - i.returned_quantity) * i.cost_price_minor)
         FROM order_items i JOIN orders o ON o.id = i.order_id WHERE {completed}
         GROUP BY o.branch_id, i.product_id"
    ))
    .execute(conn)?;
    Ok(())
}

/// The months and the totals so far, from the days (after every day is counted).
pub fn count_months(conn: &mut AnyConnection) -> QueryResult<()> {
    let month = match conn {
        AnyConnection::Sqlite(_) => "date(business_day, 'start of month')",
        AnyConnection::Pg(_) => "CAST(date_trunc('month', business_day) AS DATE)",
    };
    diesel::sql_query(format!(
        "INSERT INTO retail_monthly_products (branch_id, month, product_id, units, revenue_minor, cost_minor)
         SELECT branch_id, {month}, product_id, SUM(units), SUM(revenue_minor), SUM(cost_minor)
         FROM retail_daily_products GROUP BY branch_id, {month}, product_id"
    ))
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO retail_product_totals (branch_id, product_id, units, revenue_minor, cost_minor)
         SELECT branch_id, product_id, SUM(units), SUM(revenue_minor), SUM(cost_minor)
         FROM retail_daily_products GROUP BY branch_id, product_id",
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_keyed_by_its_first_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_of(d(2026, 2, 28)), d(2026, 2, 1));
        assert_eq!(month_of(d(2026, 12, 1)), d(2026, 12, 1));
    }
}
