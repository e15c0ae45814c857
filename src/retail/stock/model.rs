use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{
    contains_pattern, is_unique_violation, lock_rows, AnyConnection, MultiBackend,
};
use crate::platform::error::AppError;
use crate::platform::schema::{
    branch_stock, branches, employees, product_categories, product_serials, products,
    stock_movements, suppliers,
};
use crate::retail::catalog::products::rules::stock_status;
use crate::retail::stock::rules::{
    movement_label, Adjustment, AdjustmentKind, MovementKind, SerialStatus,
};

pub const RECORD: &str = "branch_stock";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Out,
    Low,
    In,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub branch_id: Option<i64>,
    pub status: Option<StatusFilter>,
    pub name: Option<String>,
    pub barcode: Option<String>,
}

/// One line of the stock page and of its CSV.
#[derive(Debug, Clone, Queryable)]
pub struct StockLine {
    pub id: i64,
    pub quantity: i64,
    pub branch: String,
    pub product_id: i64,
    pub product: String,
    pub barcode: String,
    pub price_minor: i64,
    pub min_stock: i64,
    pub serial_tracked: bool,
    pub category: String,
    pub supplier: Option<String>,
}

impl StockLine {
    pub fn status(&self) -> &'static str {
        stock_status(self.quantity, self.min_stock)
    }

    pub fn price(&self) -> crate::platform::money::Money {
        crate::platform::money::Money(self.price_minor)
    }
}

/// The filtered stock query. A macro, because the type of this five-table join is not worth
/// spelling out.
macro_rules! filtered {
    ($f:expr) => {{
        let f: &Filter = $f;
        let mut q = branch_stock::table
            .inner_join(branches::table)
            .inner_join(
                products::table
                    .inner_join(product_categories::table)
                    .left_join(suppliers::table),
            )
            .into_boxed::<MultiBackend>()
            .filter(products::is_active.eq(true));
        if let Some(b) = f.branch_id {
            q = q.filter(branch_stock::branch_id.eq(b));
        }
        match f.status {
            Some(StatusFilter::Out) => q = q.filter(branch_stock::quantity.le(0)),
            Some(StatusFilter::Low) => {
                q = q.filter(
                    branch_stock::quantity
                        .gt(0)
                        .and(branch_stock::quantity.le(products::min_stock)),
                )
            }
            Some(StatusFilter::In) => q = q.filter(branch_stock::quantity.gt(products::min_stock)),
            None => {}
        }
        if let Some(n) = &f.name {
            q = q.filter(products::name_lc.like(contains_pattern(n)).escape('\\'));
        }
        if let Some(b) = &f.barcode {
            q = q.filter(products::barcode.like(prefix_pattern(b)).escape('\\'));
        }
        q
    }};
}

fn prefix_pattern(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

macro_rules! stock_line_columns {
    () => {
        (
            branch_stock::id,
            branch_stock::quantity,
            branches::name,
            products::id,
            products::name,
            products::barcode,
            products::price_minor,
            products::min_stock,
            products::serial_tracked,
            product_categories::name,
            suppliers::name.nullable(),
        )
    };
}

/// How many stock rows match `f`.
pub fn count(conn: &mut AnyConnection, f: &Filter) -> QueryResult<i64> {
    filtered!(f).count().get_result(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<StockLine>> {
    filtered!(f)
        .order((
            branches::name.asc(),
            products::name_lc.asc(),
            branch_stock::id.asc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(stock_line_columns!())
        .load(conn)
}

/// Keyset page for the export.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &Filter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<StockLine>> {
    filtered!(f)
        .filter(branch_stock::id.gt(after.unwrap_or(0)))
        .order(branch_stock::id.asc())
        .limit(limit)
        .select(stock_line_columns!())
        .load(conn)
}

/// The stock of one product in every branch that has a row for it.
pub fn for_product(conn: &mut AnyConnection, product_id: i64) -> QueryResult<Vec<(String, i64)>> {
    branch_stock::table
        .inner_join(branches::table)
        .filter(branch_stock::product_id.eq(product_id))
        .order(branches::name.asc())
        .select((branches::name, branch_stock::quantity))
        .load(conn)
}

pub fn quantity(conn: &mut AnyConnection, branch_id: i64, product_id: i64) -> QueryResult<i64> {
    Ok(branch_stock::table
        .filter(branch_stock::branch_id.eq(branch_id))
        .filter(branch_stock::product_id.eq(product_id))
        .select(branch_stock::quantity)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// One row of a product's stock ledger, as the stock page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct MovementRow {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub branch: String,
    pub kind: String,
    pub quantity_change: i64,
    pub quantity_after: i64,
    pub document: String,
    pub order_id: Option<i64>,
    pub reason: String,
    pub employee: String,
}

impl MovementRow {
    pub fn label(&self) -> &str {
        movement_label(&self.kind)
    }
}

/// A product's ledger, newest first, optionally for one branch; `fetch` rows from `offset`.
pub fn movements(
    conn: &mut AnyConnection,
    product_id: i64,
    branch_id: Option<i64>,
    offset: i64,
    fetch: i64,
) -> QueryResult<Vec<MovementRow>> {
    let mut q = stock_movements::table
        .inner_join(branches::table.on(branches::id.eq(stock_movements::branch_id)))
        .inner_join(employees::table.on(employees::id.eq(stock_movements::employee_id)))
        .filter(stock_movements::product_id.eq(product_id))
        .into_boxed::<MultiBackend>();
    if let Some(b) = branch_id {
        q = q.filter(stock_movements::branch_id.eq(b));
    }
    q.order(stock_movements::id.desc())
        .offset(offset)
        .limit(fetch)
        .select((
            stock_movements::id,
            stock_movements::created_at,
            branches::name,
            stock_movements::kind,
            stock_movements::quantity_change,
            stock_movements::quantity_after,
            stock_movements::document,
            stock_movements::order_id,
            stock_movements::reason,
            employees::name,
        ))
        .load(conn)
}

/// How a branch's count is explained: on hand, the sum of its ledger, and what was there
/// before the ledger began (non-zero only for stock loaded without a movement, e.g. by an
/// import or before the ledger recorded sales).
#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub branch_id: i64,
    pub branch: String,
    pub on_hand: i64,
    pub moved: i64,
    pub movements: i64,
}

impl Reconciliation {
    pub fn before_history(&self) -> i64 {
        self.on_hand - self.moved
    }
}

pub fn reconcile(conn: &mut AnyConnection, product_id: i64) -> QueryResult<Vec<Reconciliation>> {
    let levels: Vec<(i64, String, i64)> = branch_stock::table
        .inner_join(branches::table)
        .filter(branch_stock::product_id.eq(product_id))
        .order(branches::name.asc())
        .select((branches::id, branches::name, branch_stock::quantity))
        .load(conn)?;
    // The sum is cast back to BIGINT: both backends widen SUM of a BIGINT to a decimal.
    // `product_id` is an integer, so formatting it into the text is safe.
    let sums: Vec<LedgerSum> = diesel::sql_query(format!(
        "SELECT branch_id, CAST(SUM(quantity_change) AS BIGINT) AS moved, COUNT(*) AS n \
         FROM stock_movements WHERE product_id = {product_id} GROUP BY branch_id"
    ))
    .load(conn)?;
    Ok(levels
        .into_iter()
        .map(|(branch_id, branch, on_hand)| {
            let sum = sums.iter().find(|s| s.branch_id == branch_id);
            Reconciliation {
                branch_id,
                branch,
                on_hand,
                moved: sum.map_or(0, |s| s.moved),
                movements: sum.map_or(0, |s| s.n),
            }
        })
        .collect())
}

#[derive(QueryableByName)]
struct LedgerSum {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    branch_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    moved: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// What a movement records; the caller has already changed `branch_stock` with a
/// conditional UPDATE and passes the balance it returned.
pub struct Movement<'a> {
    pub branch_id: i64,
    pub product_id: i64,
    pub kind: MovementKind,
    pub change: i64,
    pub after: i64,
    pub document: &'a str,
    pub order_id: Option<i64>,
    pub reason: &'a str,
    pub employee_id: i64,
    pub at: NaiveDateTime,
}

/// Writes one ledger row, in the caller's transaction.
pub fn record_movement(conn: &mut AnyConnection, m: &Movement) -> QueryResult<()> {
    diesel::insert_into(stock_movements::table)
        .values((
            stock_movements::branch_id.eq(m.branch_id),
            stock_movements::product_id.eq(m.product_id),
            stock_movements::kind.eq(m.kind.as_str()),
            stock_movements::quantity_change.eq(m.change),
            stock_movements::quantity_after.eq(m.after),
            stock_movements::document.eq(m.document),
            stock_movements::order_id.eq(m.order_id),
            stock_movements::reason.eq(m.reason),
            stock_movements::employee_id.eq(m.employee_id),
            stock_movements::created_at.eq(m.at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn serials_in_stock(
    conn: &mut AnyConnection,
    product_id: i64,
    branch_id: i64,
    limit: i64,
) -> QueryResult<Vec<String>> {
    product_serials::table
        .filter(product_serials::product_id.eq(product_id))
        .filter(product_serials::branch_id.eq(branch_id))
        .filter(product_serials::status.eq(SerialStatus::InStock.as_str()))
        .order(product_serials::serial.asc())
        .limit(limit)
        .select(product_serials::serial)
        .load(conn)
}

/// The stock row of a product at a branch, created at zero the first time.
pub fn ensure_row(
    conn: &mut AnyConnection,
    branch_id: i64,
    product_id: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let find = |c: &mut AnyConnection| {
        branch_stock::table
            .filter(branch_stock::branch_id.eq(branch_id))
            .filter(branch_stock::product_id.eq(product_id))
            .select(branch_stock::id)
            .first::<i64>(c)
            .optional()
    };
    if let Some(id) = find(conn)? {
        return Ok(id);
    }
    // A savepoint, so that losing a race to another till does not abort the transaction.
    let inserted = conn.transaction(|c| {
        diesel::insert_into(branch_stock::table)
            .values((
                branch_stock::branch_id.eq(branch_id),
                branch_stock::product_id.eq(product_id),
                branch_stock::quantity.eq(0i64),
                branch_stock::updated_at.eq(now),
            ))
            .returning(branch_stock::id)
            .get_result::<i64>(c)
    });
    match inserted {
        Ok(id) => Ok(id),
        Err(e) if is_unique_violation(&e) => find(conn)?.ok_or(e),
        Err(e) => Err(e),
    }
}

/// Applies a stock adjustment with its history row and audit row. Caller holds the transaction.
pub fn adjust(
    conn: &mut AnyConnection,
    actor: &Actor,
    product_id: i64,
    a: &Adjustment,
) -> Result<i64, AppError> {
    adjust_as(conn, actor, product_id, a, a.kind.into(), "")
}

/// `adjust`, with the ledger row naming its own kind and document (an import's opening stock).
pub fn adjust_as(
    conn: &mut AnyConnection,
    actor: &Actor,
    product_id: i64,
    a: &Adjustment,
    movement: MovementKind,
    document: &str,
) -> Result<i64, AppError> {
    let employee_id = actor.employee_id.ok_or(AppError::Unauthorized)?;
    type ProductRow = (String, bool, bool);
    let (name, serial_tracked, active): ProductRow = products::table
        .find(product_id)
        .select((
            products::name,
            products::serial_tracked,
            products::is_active,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That product"))?;
    let (branch_name, branch_active): (String, bool) = branches::table
        .find(a.branch_id)
        .select((branches::name, branches::is_active))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field_invalid("branch_id", "That branch does not exist."))?;
    if !branch_active {
        return Err(AppError::field_invalid(
            "branch_id",
            format!("{branch_name} is archived."),
        ));
    }
    if !active && a.kind == AdjustmentKind::Receive {
        return Err(AppError::field_conflict(
            "kind",
            format!("{name} is archived; restore it before receiving stock."),
        ));
    }
    let now = BusinessClock::now_utc();
    let row = ensure_row(conn, a.branch_id, product_id, now)?;
    lock_rows(
        conn,
        &format!("SELECT id FROM branch_stock WHERE id = {row} FOR UPDATE"),
    )?;
    let before: i64 = branch_stock::table
        .find(row)
        .select(branch_stock::quantity)
        .first(conn)?;
    let after: i64 = match a.kind {
        AdjustmentKind::Receive => diesel::update(branch_stock::table.find(row))
            .set((
                branch_stock::quantity.eq(branch_stock::quantity + a.quantity),
                branch_stock::updated_at.eq(now),
            ))
            .returning(branch_stock::quantity)
            .get_result(conn)?,
        AdjustmentKind::Damage => diesel::update(
            branch_stock::table
                .find(row)
                .filter(branch_stock::quantity.ge(a.quantity)),
        )
        .set((
            branch_stock::quantity.eq(branch_stock::quantity - a.quantity),
            branch_stock::updated_at.eq(now),
        ))
        .returning(branch_stock::quantity)
        .get_result::<i64>(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::field_conflict(
                "quantity",
                format!(
                    "Only {before} × {name} in stock at {branch_name}; cannot write off {}.",
                    a.quantity
                ),
            )
        })?,
        AdjustmentKind::Count => diesel::update(branch_stock::table.find(row))
            .set((
                branch_stock::quantity.eq(a.quantity),
                branch_stock::updated_at.eq(now),
            ))
            .returning(branch_stock::quantity)
            .get_result(conn)?,
    };
    if serial_tracked {
        for serial in &a.serials {
            match a.kind {
                AdjustmentKind::Receive => {
                    conn.transaction(|c| {
                        diesel::insert_into(product_serials::table)
                            .values((
                                product_serials::product_id.eq(product_id),
                                product_serials::branch_id.eq(a.branch_id),
                                product_serials::serial.eq(serial),
                                product_serials::status.eq(SerialStatus::InStock.as_str()),
                                product_serials::received_at.eq(now),
                            ))
                            .execute(c)
                    })
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            AppError::field_conflict(
                                "serials",
                                format!("Serial {serial} is already recorded for {name}."),
                            )
                        } else {
                            e.into()
                        }
                    })?;
                }
                _ => {
                    let n = diesel::update(
                        product_serials::table
                            .filter(product_serials::product_id.eq(product_id))
                            .filter(product_serials::branch_id.eq(a.branch_id))
                            .filter(product_serials::serial.eq(serial))
                            .filter(product_serials::status.eq(SerialStatus::InStock.as_str())),
                    )
                    .set(product_serials::status.eq(SerialStatus::Damaged.as_str()))
                    .execute(conn)?;
                    if n == 0 {
                        return Err(AppError::field_conflict(
                            "serials",
                            format!("Serial {serial} is not in stock at {branch_name}."),
                        ));
                    }
                }
            }
        }
    }
    record_movement(
        conn,
        &Movement {
            branch_id: a.branch_id,
            product_id,
            kind: movement,
            change: after - before,
            after,
            document,
            order_id: None,
            reason: &a.reason,
            employee_id,
            at: now,
        },
    )?;
    let mut changes = Changes::new()
        .diff("quantity", before, after)
        .note("kind", a.kind.as_str())
        .note("reason", a.reason.as_str());
    if !a.serials.is_empty() {
        changes = changes.note("serials", a.serials.join(", "));
    }
    let label = format!("{name} at {branch_name}");
    let subject = Subject::of(RECORD, row, &label);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(after)
}
