//! Purchase orders in the database. A delivery is one transaction: each line's received count
//! goes up with a conditional UPDATE (never past what was ordered), the branch's stock goes up,
//! the product's cost moves to the moving average (`rules::moving_average`, worked out under
//! the product's row lock), and the audit row is written; a retried delivery (same key) is the
//! same delivery.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, branches, employees, products, purchase_order_lines, purchase_orders,
    purchase_receipts, suppliers,
};
use crate::retail::purchases::rules;
use crate::retail::stock::model::{ensure_row, record_movement, Movement};
use crate::retail::stock::rules::MovementKind;
use crate::retail::transfers::rules::TypedLine;

pub const RECORD: &str = "purchase_order";

fn label(id: i64) -> String {
    format!("PO #{id}")
}

pub struct NewOrder<'a> {
    pub supplier_id: i64,
    pub branch_id: i64,
    pub reference: &'a str,
    pub key: &'a str,
    pub lines: &'a [TypedLine],
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    o: &NewOrder<'_>,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    crate::platform::db::lock_key(conn, "purchase", me, o.key)?;
    let earlier: Option<i64> = purchase_orders::table
        .filter(purchase_orders::created_by.eq(me))
        .filter(purchase_orders::idempotency_key.eq(o.key))
        .select(purchase_orders::id)
        .first(conn)
        .optional()?;
    if let Some(id) = earlier {
        return Ok(id);
    }
    let supplier: Option<(String, bool)> = suppliers::table
        .find(o.supplier_id)
        .select((suppliers::name, suppliers::is_active))
        .first(conn)
        .optional()?;
    let supplier = match supplier {
        Some((name, true)) => name,
        Some((name, false)) => {
            return Err(AppError::field_invalid(
                "supplier_id",
                format!("{name} is archived."),
            ))
        }
        None => return Err(AppError::field_invalid("supplier_id", "Choose a supplier.")),
    };
    let branch_ok: Option<bool> = branches::table
        .find(o.branch_id)
        .select(branches::is_active)
        .first(conn)
        .optional()?;
    if branch_ok != Some(true) {
        return Err(AppError::field_invalid(
            "branch_id",
            "Choose an active branch.",
        ));
    }
    let mut resolved = Vec::with_capacity(o.lines.len());
    for l in o.lines {
        let (id, name, _) = crate::retail::transfers::model::product_of(conn, &l.barcode)?;
        if resolved.iter().any(|(p, _, _)| *p == id) {
            return Err(AppError::field_invalid(
                "lines",
                format!("{name} is on two rows."),
            ));
        }
        resolved.push((id, l.quantity, l.cost.unwrap_or(Money::ZERO).0));
    }
    let id: i64 = diesel::insert_into(purchase_orders::table)
        .values((
            purchase_orders::supplier_id.eq(o.supplier_id),
            purchase_orders::branch_id.eq(o.branch_id),
            purchase_orders::status.eq("open"),
            purchase_orders::reference.eq(o.reference),
            purchase_orders::created_by.eq(me),
            purchase_orders::idempotency_key.eq(o.key),
            purchase_orders::created_at.eq(now),
            purchase_orders::updated_at.eq(now),
        ))
        .returning(purchase_orders::id)
        .get_result(conn)?;
    let mut total = 0i64;
    for (product, quantity, cost) in &resolved {
        total += quantity * cost;
        diesel::insert_into(purchase_order_lines::table)
            .values((
                purchase_order_lines::purchase_order_id.eq(id),
                purchase_order_lines::product_id.eq(product),
                purchase_order_lines::quantity.eq(quantity),
                purchase_order_lines::unit_cost_minor.eq(cost),
            ))
            .execute(conn)?;
    }
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, label(id)),
        &Changes::new()
            .created("supplier", supplier.as_str())
            .created("lines", resolved.len().to_string())
            .created("total", Money(total).plain())
            .created("reference", o.reference),
    )?;
    Ok(id)
}

/// One line: (line id, product id, name, ordered, unit cost, received).
pub type LineRow = (i64, i64, String, i64, i64, i64);

pub fn lines(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<LineRow>> {
    purchase_order_lines::table
        .inner_join(products::table)
        .filter(purchase_order_lines::purchase_order_id.eq(id))
        .order(purchase_order_lines::id.asc())
        .select((
            purchase_order_lines::id,
            purchase_order_lines::product_id,
            products::name,
            purchase_order_lines::quantity,
            purchase_order_lines::unit_cost_minor,
            purchase_order_lines::received_quantity,
        ))
        .load(conn)
}

/// A delivery: `(line id, units)` pairs; answers the units received.
pub fn receive(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    key: &str,
    got: &[(i64, i64)],
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    // The order's row first: deliveries of one order queue here.
    let head: Option<(i64, String)> = diesel::update(purchase_orders::table.find(id))
        .set(purchase_orders::updated_at.eq(now))
        .returning((purchase_orders::branch_id, purchase_orders::status))
        .get_result(conn)
        .optional()?;
    let (branch, status) = head.ok_or_else(|| AppError::not_found("That purchase order"))?;
    let earlier: Option<i64> = purchase_receipts::table
        .filter(purchase_receipts::purchase_order_id.eq(id))
        .filter(purchase_receipts::idempotency_key.eq(key))
        .select(purchase_receipts::units)
        .first(conn)
        .optional()?;
    if let Some(units) = earlier {
        return Ok(units);
    }
    if status != "open" && status != "partial" {
        return Err(AppError::Conflict(format!(
            "This purchase order is {}: nothing more is received on it.",
            rules::status_label(&status).to_lowercase()
        )));
    }
    let all = lines(conn, id)?;
    let document = label(id);
    let mut units = 0;
    let mut changes = Changes::new();
    // Stock rows in product order (see `transfers::model::send`).
    let mut got: Vec<(i64, i64)> = got.to_vec();
    got.sort_by_key(|(line, _)| all.iter().find(|l| l.0 == *line).map_or(0, |l| l.1));
    for (line_id, quantity) in &got {
        if *quantity == 0 {
            continue;
        }
        let Some((_, product, name, ordered, unit_cost, _)) =
            all.iter().find(|l| l.0 == *line_id).cloned()
        else {
            return Err(AppError::field_invalid(
                "lines",
                format!("Line #{line_id} is not on this purchase order."),
            ));
        };
        if *quantity < 0 {
            return Err(AppError::field_invalid(
                "lines",
                format!("{name}: the units received are 0 or more."),
            ));
        }
        let after: Option<i64> = diesel::update(
            purchase_order_lines::table.find(line_id).filter(
                (purchase_order_lines::received_quantity + *quantity)
                    .le(purchase_order_lines::quantity),
            ),
        )
        .set(
            purchase_order_lines::received_quantity
                .eq(purchase_order_lines::received_quantity + *quantity),
        )
        .returning(purchase_order_lines::received_quantity)
        .get_result(conn)
        .optional()?;
        if after.is_none() {
            let done: i64 = purchase_order_lines::table
                .find(line_id)
                .select(purchase_order_lines::received_quantity)
                .first(conn)?;
            return Err(AppError::field_conflict(
                "lines",
                format!(
                    "{name}: {} of {ordered} are still to come; {quantity} is more.",
                    ordered - done
                ),
            ));
        }
        // The cost moves under the product's row lock, from the units held before these.
        let cost: i64 = diesel::update(products::table.find(product))
            .set(products::cost_minor.eq(products::cost_minor))
            .returning(products::cost_minor)
            .get_result(conn)?;
        let on_hand: i64 = branch_stock::table
            .filter(branch_stock::product_id.eq(product))
            .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "CAST(COALESCE(SUM(branch_stock.quantity), 0) AS BIGINT)",
            ))
            .first(conn)?;
        let new_cost = rules::moving_average(on_hand, cost, *quantity, unit_cost);
        diesel::update(products::table.find(product))
            .set((
                products::cost_minor.eq(new_cost),
                products::updated_at.eq(now),
            ))
            .execute(conn)?;
        let row = ensure_row(conn, branch, product, now)?;
        let held: i64 = diesel::update(branch_stock::table.find(row))
            .set((
                branch_stock::quantity.eq(branch_stock::quantity + *quantity),
                branch_stock::updated_at.eq(now),
            ))
            .returning(branch_stock::quantity)
            .get_result(conn)?;
        record_movement(
            conn,
            &Movement {
                branch_id: branch,
                product_id: product,
                kind: MovementKind::Purchase,
                change: *quantity,
                after: held,
                document: &document,
                order_id: None,
                reason: "",
                employee_id: me,
                at: now,
            },
        )?;
        units += quantity;
        changes = changes.note(
            &name,
            format!(
                "{quantity} received; cost {} → {}",
                Money(cost).plain(),
                Money(new_cost).plain()
            ),
        );
    }
    if units == 0 {
        return Err(AppError::field_invalid(
            "lines",
            "Type how many units arrived.",
        ));
    }
    let outstanding: i64 = lines(conn, id)?.iter().map(|l| l.3 - l.5).sum();
    let status_after = if outstanding == 0 {
        "received"
    } else {
        "partial"
    };
    diesel::update(purchase_orders::table.find(id))
        .set(purchase_orders::status.eq(status_after))
        .execute(conn)?;
    diesel::insert_into(purchase_receipts::table)
        .values((
            purchase_receipts::purchase_order_id.eq(id),
            purchase_receipts::employee_id.eq(me),
            purchase_receipts::idempotency_key.eq(key),
            purchase_receipts::units.eq(units),
            purchase_receipts::received_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, document.as_str()),
        &changes.diff("status", status.as_str(), status_after),
    )?;
    Ok(units)
}

/// Cancels an order nothing was received on.
pub fn cancel(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let n = diesel::update(
        purchase_orders::table
            .find(id)
            .filter(purchase_orders::status.eq("open")),
    )
    .set((
        purchase_orders::status.eq("cancelled"),
        purchase_orders::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        find(conn, id)?;
        return Err(AppError::Conflict(
            "Only an order with nothing received yet can be cancelled.".into(),
        ));
    }
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, label(id)),
        &Changes::new().diff("status", "open", "cancelled"),
    )?;
    Ok(())
}

/// The list's filter.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    pub status: Option<&'static str>,
    pub supplier_id: Option<i64>,
    pub branch_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable)]
pub struct OrderRow {
    pub id: i64,
    pub supplier: String,
    pub branch: String,
    pub status: String,
    pub reference: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

impl OrderRow {
    pub fn status_label(&self) -> &'static str {
        rules::status_label(&self.status)
    }
}

macro_rules! order_rows {
    ($f:expr) => {{
        let f: &PurchaseFilter = $f;
        let mut q = purchase_orders::table
            .inner_join(suppliers::table)
            .inner_join(branches::table)
            .inner_join(employees::table.on(employees::id.eq(purchase_orders::created_by)))
            .into_boxed();
        if let Some(s) = f.status {
            q = q.filter(purchase_orders::status.eq(s));
        }
        if let Some(s) = f.supplier_id {
            q = q.filter(purchase_orders::supplier_id.eq(s));
        }
        if let Some(b) = f.branch_id {
            q = q.filter(purchase_orders::branch_id.eq(b));
        }
        q.select((
            purchase_orders::id,
            suppliers::name,
            branches::name,
            purchase_orders::status,
            purchase_orders::reference,
            purchase_orders::created_at,
            employees::name,
        ))
    }};
}

/// Newest first, `fetch` rows from `offset`.
pub fn page(
    conn: &mut AnyConnection,
    f: &PurchaseFilter,
    offset: i64,
    fetch: i64,
) -> QueryResult<Vec<OrderRow>> {
    order_rows!(f)
        .order(purchase_orders::id.desc())
        .offset(offset)
        .limit(fetch)
        .load(conn)
}

/// The export's pages: oldest first after id `after`.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &PurchaseFilter,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<OrderRow>> {
    order_rows!(f)
        .filter(purchase_orders::id.gt(after))
        .order(purchase_orders::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<OrderRow, AppError> {
    order_rows!(&PurchaseFilter::default())
        .filter(purchase_orders::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That purchase order"))
}

/// Ordered and received totals of orders (for the list and the export): id → (ordered value,
/// units ordered, units received).
pub fn totals(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    purchase_order_lines::table
        .filter(purchase_order_lines::purchase_order_id.eq_any(ids))
        .group_by(purchase_order_lines::purchase_order_id)
        .select((
            purchase_order_lines::purchase_order_id,
            sql::<BigInt>("CAST(SUM(purchase_order_lines.quantity * purchase_order_lines.unit_cost_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(purchase_order_lines.quantity) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(purchase_order_lines.received_quantity) AS BIGINT)"),
        ))
        .load(conn)
}

/// Active suppliers for the form: (id, name).
pub fn supplier_options(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, String)>> {
    suppliers::table
        .filter(suppliers::is_active.eq(true))
        .order(suppliers::name.asc())
        .select((suppliers::id, suppliers::name))
        .load(conn)
}
