//! The sales list and its CSV: one filter for both.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::clock::BusinessClock;
use crate::platform::db::{contains_pattern, lower, AnyConnection, MultiBackend};
use crate::platform::schema::{
    branches, customers, employees, official_receipts, order_items, orders,
};

#[derive(Debug, Clone, Default)]
pub struct SalesFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub branch_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub status: Option<String>,
    pub archived: bool,
}

#[derive(Debug, Clone, Queryable)]
pub struct SaleRow {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub status: String,
    pub payment_method: String,
    pub total_minor: i64,
    pub branch: String,
    pub employee: String,
    pub customer: Option<String>,
    pub or_number: Option<String>,
}

/// The customers whose name contains the text or whose phone is it: a small table searched
/// once, instead of matching a name for every order in the date range.
macro_rules! matching_customers {
    ($text:expr) => {{
        // An alias: the outer query may join `customers` too.
        let matched = diesel::alias!(customers as matched_customers);
        matched
            .select(matched.field(customers::id).nullable())
            .filter(
                lower(matched.field(customers::name))
                    .like(contains_pattern($text))
                    .escape('\\')
                    .or(matched.field(customers::phone).eq($text.to_string())),
            )
    }};
}

/// The filtered orders over `$base` (orders alone, or joined to names). A macro: the joins'
/// types are long to spell.
macro_rules! filtered_orders {
    ($base:expr, $f:expr, $clock:expr) => {
        sales_filter!($base.into_boxed::<MultiBackend>(), $f, $clock)
    };
}

/// The sales filter's conditions added to a boxed query that joins `orders`.
macro_rules! sales_filter {
    ($boxed:expr, $f:expr, $clock:expr) => {{
        let f: &SalesFilter = $f;
        let clock: &BusinessClock = $clock;
        let mut q = $boxed.filter(orders::is_active.eq(!f.archived));
        let (from, to) = clock.day_range_utc(f.from, f.to);
        if let Some(from) = from {
            q = q.filter(orders::created_at.ge(from));
        }
        if let Some(to) = to {
            q = q.filter(orders::created_at.lt(to));
        }
        if let Some(b) = f.branch_id {
            q = q.filter(orders::branch_id.eq(b));
        }
        if let Some(e) = f.employee_id {
            q = q.filter(orders::employee_id.eq(e));
        }
        if let Some(m) = &f.payment_method {
            q = q.filter(orders::payment_method.eq(m.clone()));
        }
        if let Some(s) = &f.status {
            q = q.filter(orders::status.eq(s.clone()));
        }
        if let Some(c) = &f.customer {
            q = q.filter(orders::customer_id.eq_any(matching_customers!(c)));
        }
        q
    }};
}

pub fn page(
    conn: &mut AnyConnection,
    f: &SalesFilter,
    clock: &BusinessClock,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<SaleRow>> {
    filtered_orders!(
        orders::table
            .inner_join(branches::table)
            .inner_join(employees::table.on(employees::id.eq(orders::employee_id)))
            .left_join(customers::table)
            .left_join(official_receipts::table),
        f,
        clock
    )
    .order((orders::created_at.desc(), orders::id.desc()))
    .offset(offset)
    .limit(limit)
    .select((
        orders::id,
        orders::created_at,
        orders::status,
        orders::payment_method,
        orders::total_minor,
        branches::name,
        employees::name,
        customers::name.nullable(),
        official_receipts::or_number.nullable(),
    ))
    .load(conn)
}

/// Number of sales and their total over the filtered set (completed sales only count money).
pub fn totals(
    conn: &mut AnyConnection,
    f: &SalesFilter,
    clock: &BusinessClock,
) -> QueryResult<(i64, i64)> {
    if let Some((count, sum)) = totals_by_day(conn, f)? {
        // The summaries keep archived sales (they leave the lists, not the books): the few
        // archived ones of the range come off.
        let archived = SalesFilter {
            archived: true,
            ..f.clone()
        };
        let (less, less_sum) = count_and_sum(conn, &archived, clock)?;
        return Ok((count - less, sum - less_sum));
    }
    count_and_sum(conn, f, clock)
}

/// The filtered sales counted one by one.
fn count_and_sum(
    conn: &mut AnyConnection,
    f: &SalesFilter,
    clock: &BusinessClock,
) -> QueryResult<(i64, i64)> {
    // Only the tables the filters need: joining names for every order of a busy day costs more
    // than the page itself.
    let mut q = filtered_orders!(orders::table.left_join(customers::table), f, clock);
    if f.archived {
        // Spelled as the partial index `orders_archived` is, so both databases use it.
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "NOT orders.is_active",
        ));
    }
    q.select(diesel::dsl::sql::<(diesel::sql_types::BigInt, diesel::sql_types::BigInt)>(
        "COUNT(*), CAST(COALESCE(SUM(CASE WHEN orders.status = 'completed' THEN orders.total_minor ELSE 0 END), 0) AS BIGINT)",
    ))
    .first(conn)
}

/// The totals of a filter on days, branch and status alone, from the daily summaries (a row
/// per branch and day, `retail::sales::daily`): the same figures as counting the sales, at a
/// cost that does not grow with them. `None` for the filters the summaries do not answer.
fn totals_by_day(conn: &mut AnyConnection, f: &SalesFilter) -> QueryResult<Option<(i64, i64)>> {
    use crate::platform::schema::retail_daily_totals as t;
    if f.archived || f.employee_id.is_some() || f.customer.is_some() || f.payment_method.is_some() {
        return Ok(None);
    }
    // The day's row: `orders` completed (their total net of refunds) and `cancelled`.
    let (count, sum) = match f.status.as_deref() {
        None => (
            "retail_daily_totals.orders + retail_daily_totals.cancelled",
            "retail_daily_totals.total_minor + retail_daily_totals.refunded_minor",
        ),
        Some("completed") => (
            "retail_daily_totals.orders",
            "retail_daily_totals.total_minor + retail_daily_totals.refunded_minor",
        ),
        Some("cancelled") => ("retail_daily_totals.cancelled", "0"),
        Some(_) => return Ok(None),
    };
    let mut q = t::table.into_boxed::<MultiBackend>();
    if let Some(from) = f.from {
        q = q.filter(t::business_day.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(t::business_day.le(to));
    }
    if let Some(b) = f.branch_id {
        q = q.filter(t::branch_id.eq(b));
    }
    q.select(diesel::dsl::sql::<(
        diesel::sql_types::BigInt,
        diesel::sql_types::BigInt,
    )>(&format!(
        "CAST(COALESCE(SUM({count}), 0) AS BIGINT), CAST(COALESCE(SUM({sum}), 0) AS BIGINT)"
    )))
    .first(conn)
    .map(Some)
}

#[derive(Debug, Clone, Queryable)]
pub struct ExportLine {
    pub item_id: i64,
    pub created_at: NaiveDateTime,
    pub order_id: i64,
    pub customer: Option<String>,
    pub product: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
    pub branch: String,
    pub employee: String,
    pub or_number: Option<String>,
    pub payment_method: String,
    pub status: String,
}

/// One page of order lines for the export, in item-id order after `after`.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &SalesFilter,
    clock: &BusinessClock,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ExportLine>> {
    let q = order_items::table
        .inner_join(
            orders::table
                .inner_join(branches::table)
                .left_join(customers::table)
                .left_join(official_receipts::table),
        )
        .inner_join(employees::table.on(employees::id.eq(orders::employee_id)))
        .into_boxed::<MultiBackend>()
        .filter(order_items::id.gt(after.unwrap_or(0)));
    let q = sales_filter!(q, f, clock);
    q.order(order_items::id.asc())
        .limit(limit)
        .select((
            order_items::id,
            orders::created_at,
            orders::id,
            customers::name.nullable(),
            order_items::product_name,
            order_items::quantity,
            order_items::unit_price_minor,
            order_items::line_total_minor,
            branches::name,
            employees::name,
            official_receipts::or_number.nullable(),
            orders::payment_method,
            orders::status,
        ))
        .load(conn)
}
