//! The plans list and its export: one filter, paged by the list and streamed by the CSV.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::db::{contains_pattern, lower, AnyConnection, MultiBackend};
use crate::platform::schema::{
    branches, customers, employees, installment_plans, order_items, orders, product_categories,
    products,
};
use crate::retail::installments::model::PlanStatus;

/// The status filter: a stored status, or Overdue (active, next due date passed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(PlanStatus),
    Overdue,
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<StatusFilter> {
        match s {
            "overdue" => Some(StatusFilter::Overdue),
            other => PlanStatus::parse(other).map(StatusFilter::Is),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub status: Option<StatusFilter>,
    pub branch_id: Option<i64>,
    /// A sales agent sees the plans they sold.
    pub seller_id: Option<i64>,
    /// Lowercase text found in the customer's name, or their phone as typed.
    pub customer: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// The business's date, for Overdue.
    pub today: NaiveDate,
}

/// One row of the list.
#[derive(Debug, Clone, Queryable)]
pub struct PlanRow {
    pub id: i64,
    pub order_id: i64,
    pub created_at: NaiveDateTime,
    pub status: String,
    pub term_months: i64,
    pub financed_minor: i64,
    pub balance_minor: i64,
    pub paid_minor: i64,
    pub next_due_date: Option<NaiveDate>,
    pub branch: String,
    pub customer: String,
    pub phone: String,
    pub seller: String,
}

impl PlanRow {
    pub fn remaining_minor(&self) -> i64 {
        self.balance_minor - self.paid_minor
    }
    pub fn overdue_on(&self, today: NaiveDate) -> bool {
        self.status == PlanStatus::Active.as_str() && self.next_due_date.is_some_and(|d| d < today)
    }
}

/// The filter's conditions on the plan's own columns, added to a boxed query over the plans.
macro_rules! plan_conditions {
    ($boxed:expr, $f:expr) => {{
        let f: &PlanFilter = $f;
        let mut q = $boxed;
        match f.status {
            Some(StatusFilter::Is(s)) => q = q.filter(installment_plans::status.eq(s.as_str())),
            Some(StatusFilter::Overdue) => {
                q = q
                    .filter(installment_plans::status.eq(PlanStatus::Active.as_str()))
                    .filter(installment_plans::next_due_date.lt(f.today))
            }
            None => {}
        }
        if let Some(b) = f.branch_id {
            q = q.filter(installment_plans::branch_id.eq(b));
        }
        if let Some(s) = f.seller_id {
            q = q.filter(installment_plans::seller_id.eq(s));
        }
        if let Some(from) = f.due_from {
            q = q.filter(installment_plans::next_due_date.ge(from));
        }
        if let Some(to) = f.due_to {
            q = q.filter(installment_plans::next_due_date.le(to));
        }
        q
    }};
}

/// All of the filter over `$base`, which joins `customers`.
macro_rules! filtered_plans {
    ($base:expr, $f:expr) => {{
        let f: &PlanFilter = $f;
        let mut q = plan_conditions!($base.into_boxed::<MultiBackend>(), f);
        if let Some(c) = &f.customer {
            q = q.filter(
                lower(customers::name)
                    .like(contains_pattern(c))
                    .escape('\\')
                    .or(customers::phone.eq(c.clone())),
            );
        }
        q
    }};
}

pub fn page(
    conn: &mut AnyConnection,
    f: &PlanFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<PlanRow>> {
    let q = filtered_plans!(
        installment_plans::table
            .inner_join(branches::table)
            .inner_join(customers::table)
            .inner_join(employees::table.on(employees::id.eq(installment_plans::seller_id))),
        f
    );
    // Overdue plans oldest-due first (what a credit officer calls first, and what the
    // (status, next_due_date) index yields in order); the rest newest first.
    let q = match f.status {
        Some(StatusFilter::Overdue) => q
            .order(installment_plans::next_due_date.asc())
            .then_order_by(installment_plans::id.asc()),
        _ => q
            .order(installment_plans::created_at.desc())
            .then_order_by(installment_plans::id.desc()),
    };
    q.offset(offset)
        .limit(limit)
        .select((
            installment_plans::id,
            installment_plans::order_id,
            installment_plans::created_at,
            installment_plans::status,
            installment_plans::term_months,
            installment_plans::financed_minor,
            installment_plans::balance_minor,
            installment_plans::paid_minor,
            installment_plans::next_due_date,
            branches::name,
            customers::name,
            customers::phone,
            employees::name,
        ))
        .load(conn)
}

/// How many plans match and what is still owed on them.
pub fn totals(conn: &mut AnyConnection, f: &PlanFilter) -> QueryResult<(i64, i64)> {
    // Rejected and cancelled plans owe nothing; SUM of BIGINT is NUMERIC on PostgreSQL. The
    // customers are joined only when the filter names one.
    let sums = || {
        diesel::dsl::sql::<(diesel::sql_types::BigInt, diesel::sql_types::BigInt)>(
            "COUNT(*), CAST(COALESCE(SUM(CASE WHEN installment_plans.status IN ('active', 'pending') \
             THEN installment_plans.balance_minor - installment_plans.paid_minor ELSE 0 END), 0) AS BIGINT)",
        )
    };
    if f.customer.is_none() {
        let q = plan_conditions!(installment_plans::table.into_boxed::<MultiBackend>(), f);
        return q.select(sums()).first(conn);
    }
    filtered_plans!(installment_plans::table.inner_join(customers::table), f)
        .select(sums())
        .first(conn)
}

/// One order line of a plan, for the export (the seed's columns plus the plan's).
#[derive(Debug, Clone, Queryable)]
pub struct ExportLine {
    pub item_id: i64,
    pub order_id: i64,
    pub employee: String,
    pub customer: String,
    pub product: String,
    pub branch: String,
    pub category: String,
    pub unit_price_minor: i64,
    pub quantity: i64,
    pub line_total_minor: i64,
    pub payment_method: String,
    pub created_at: NaiveDateTime,
    pub order_status: String,
    pub plan_id: i64,
    pub plan_status: String,
    pub balance_minor: i64,
    pub paid_minor: i64,
    pub next_due_date: Option<NaiveDate>,
}

/// One page of the filtered plans' order lines, in item-id order after `after`.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &PlanFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ExportLine>> {
    filtered_plans!(
        installment_plans::table
            .inner_join(branches::table)
            .inner_join(customers::table)
            .inner_join(employees::table.on(employees::id.eq(installment_plans::seller_id)))
            .inner_join(orders::table.on(orders::id.eq(installment_plans::order_id)))
            .inner_join(
                order_items::table.on(order_items::order_id.eq(installment_plans::order_id))
            )
            .inner_join(products::table.on(products::id.eq(order_items::product_id)))
            .inner_join(
                product_categories::table.on(product_categories::id.eq(products::category_id)),
            ),
        f
    )
    .filter(order_items::id.gt(after.unwrap_or(0)))
    .order(order_items::id.asc())
    .limit(limit)
    .select((
        order_items::id,
        installment_plans::order_id,
        employees::name,
        customers::name,
        order_items::product_name,
        branches::name,
        product_categories::name,
        order_items::unit_price_minor,
        order_items::quantity,
        order_items::line_total_minor,
        orders::payment_method,
        installment_plans::created_at,
        orders::status,
        installment_plans::id,
        installment_plans::status,
        installment_plans::balance_minor,
        installment_plans::paid_minor,
        installment_plans::next_due_date,
    ))
    .load(conn)
}
