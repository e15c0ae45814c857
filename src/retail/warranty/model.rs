//! Warranty claims and defective stock in the database.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::{scope, BranchScope, CurrentUser};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, branches, customers, defective_stock, official_receipts, order_items, orders,
    product_serials, products, warranty_claims,
};
use crate::platform::settings;
use crate::retail::customers::phone_key;
use crate::retail::sales::rules::OrderStatus;
use crate::retail::stock::model::{record_movement, Movement};
use crate::retail::stock::rules::{MovementKind, SerialStatus};
use crate::retail::warranty::rules::{self, ClaimStatus, ClaimType, Windows};

pub const RECORD: &str = "warranty_claim";
pub const DEFECTIVE: &str = "defective_stock";
pub const REPLACEMENT_DAYS: &str = "retail.warranty_replacement_days";
pub const REPAIR_DAYS: &str = "retail.warranty_repair_days";
pub const REPAIR_COST: &str = "retail.warranty_repair_cost_minor";

/// The windows and the default repair cost in force.
pub fn terms(conn: &mut AnyConnection) -> QueryResult<(Windows, Money)> {
    let days = |conn: &mut AnyConnection, key: &str, default: i64| -> QueryResult<i64> {
        Ok(settings::get(conn, key)?
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|d| (0..=3650).contains(d))
            .unwrap_or(default))
    };
    let windows = Windows {
        replacement_days: days(conn, REPLACEMENT_DAYS, rules::REPLACEMENT_DAYS)?,
        repair_days: days(conn, REPAIR_DAYS, rules::REPAIR_DAYS)?,
    };
    let cost = settings::get(conn, REPAIR_COST)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|c| *c >= 0)
        .map_or(rules::REPAIR_COST, Money);
    Ok((windows, cost))
}

/// A sold unit a claim can be filed for.
#[derive(Debug, Clone)]
pub struct Unit {
    pub order_item_id: i64,
    pub order_id: i64,
    pub or_number: String,
    pub sold_at: NaiveDateTime,
    pub product: String,
    pub quantity: i64,
    pub order_status: String,
    pub customer: Option<String>,
    pub serials: Vec<String>,
}

/// Order lines found by OR number, a sold serial, or the customer's phone, newest first,
/// within the person's branch scope.
pub fn find_units(
    conn: &mut AnyConnection,
    scope: BranchScope,
    text: &str,
) -> Result<Vec<Unit>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut order_ids: Vec<i64> = orders::table
        .inner_join(official_receipts::table)
        .filter(official_receipts::or_number.eq(text.to_uppercase()))
        .select(orders::id)
        .load(conn)?;
    let by_serial: Vec<i64> = product_serials::table
        .inner_join(
            order_items::table.on(order_items::id
                .nullable()
                .eq(product_serials::order_item_id)),
        )
        .filter(product_serials::serial.eq(text))
        .select(order_items::order_id)
        .load(conn)?;
    order_ids.extend(by_serial);
    if let Some(key) = phone_key(text) {
        let by_phone: Vec<i64> = orders::table
            .inner_join(customers::table)
            .filter(customers::phone_key.eq(key))
            .select(orders::id)
            .order(orders::id.desc())
            .limit(50)
            .load(conn)?;
        order_ids.extend(by_phone);
    }
    order_ids.sort_unstable();
    order_ids.dedup();
    type Row = (
        i64,
        i64,
        Option<String>,
        NaiveDateTime,
        String,
        i64,
        String,
        Option<String>,
        i64,
    );
    let mut q = order_items::table
        .inner_join(
            orders::table
                .left_join(customers::table)
                .left_join(official_receipts::table),
        )
        .filter(order_items::order_id.eq_any(&order_ids))
        .into_boxed::<crate::platform::db::MultiBackend>();
    if let Some(b) = scope.branch() {
        q = q.filter(orders::branch_id.eq(b));
    }
    let rows: Vec<Row> = q
        .order(order_items::id.desc())
        .limit(50)
        .select((
            order_items::id,
            order_items::order_id,
            official_receipts::or_number.nullable(),
            orders::created_at,
            order_items::product_name,
            order_items::quantity,
            orders::status,
            customers::name.nullable(),
            orders::branch_id,
        ))
        .load(conn)?;
    let mut units = Vec::with_capacity(rows.len());
    for (item, order, or, at, product, quantity, status, customer, _) in rows {
        let serials: Vec<String> = product_serials::table
            .filter(product_serials::order_item_id.eq(item))
            .select(product_serials::serial)
            .order(product_serials::serial.asc())
            .load(conn)?;
        units.push(Unit {
            order_item_id: item,
            order_id: order,
            or_number: or.unwrap_or_else(|| format!("#{order}")),
            sold_at: at,
            product,
            quantity,
            order_status: status,
            customer,
            serials,
        });
    }
    Ok(units)
}

/// The OR number of a sold line's sale, to find it again on the claim form.
pub fn or_number_of_item(conn: &mut AnyConnection, item: i64) -> QueryResult<Option<String>> {
    official_receipts::table
        .inner_join(order_items::table.on(order_items::order_id.eq(official_receipts::order_id)))
        .filter(order_items::id.eq(item))
        .select(official_receipts::or_number)
        .first(conn)
        .optional()
}

/// A claim as filed.
pub struct NewClaim<'a> {
    pub order_item_id: i64,
    pub claim_type: ClaimType,
    pub faulty_serial: &'a str,
    pub issue: &'a str,
}

/// Files a claim: the sale must be completed and of the person's branch, the serial one sold
/// on that line (for serial-tracked products), the unit within the claim type's window from the
/// sale (business dates) and without another open claim. Caller holds the transaction.
pub fn file(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    clock: &BusinessClock,
    c: &NewClaim<'_>,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    type Line = (i64, i64, i64, String, NaiveDateTime, String, bool);
    let (order_id, branch_id, product_id, product, sold_at, status, serial_tracked): Line =
        order_items::table
            .inner_join(orders::table)
            .inner_join(products::table.on(products::id.eq(order_items::product_id)))
            .filter(order_items::id.eq(c.order_item_id))
            .select((
                orders::id,
                orders::branch_id,
                order_items::product_id,
                order_items::product_name,
                orders::created_at,
                orders::status,
                products::serial_tracked,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found("That sold item"))?;
    scope::check(user, branch_id)?;
    if status != OrderStatus::Completed.as_str() {
        return Err(AppError::Conflict(
            "This sale was voided or cancelled: it has no warranty.".into(),
        ));
    }
    let serial = c.faulty_serial.trim();
    if serial_tracked {
        let sold: i64 = product_serials::table
            .filter(product_serials::order_item_id.eq(c.order_item_id))
            .filter(product_serials::serial.eq(serial))
            .count()
            .get_result(conn)?;
        if sold == 0 {
            return Err(AppError::field_invalid(
                "faulty_serial",
                format!("Serial {serial} was not sold on this line: pick the unit's serial."),
            ));
        }
    }
    let (windows, _) = terms(conn)?;
    let age = (clock.today() - clock.to_local(sold_at).date_naive()).num_days();
    rules::within_window(c.claim_type, age, windows)
        .map_err(|m| AppError::field_conflict("claim_type", m))?;
    let open: i64 = warranty_claims::table
        .filter(warranty_claims::order_item_id.eq(c.order_item_id))
        .filter(warranty_claims::faulty_serial.eq(serial))
        .filter(warranty_claims::status.eq_any([
            ClaimStatus::Pending.as_str(),
            ClaimStatus::InProgress.as_str(),
        ]))
        .count()
        .get_result(conn)?;
    let already =
        || AppError::Conflict("This unit already has an open claim: follow that one.".into());
    if open > 0 {
        return Err(already());
    }
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(warranty_claims::table)
        .values((
            warranty_claims::order_item_id.eq(c.order_item_id),
            warranty_claims::order_id.eq(order_id),
            warranty_claims::branch_id.eq(branch_id),
            warranty_claims::product_id.eq(product_id),
            warranty_claims::claim_type.eq(c.claim_type.as_str()),
            warranty_claims::faulty_serial.eq(serial),
            warranty_claims::issue.eq(c.issue),
            warranty_claims::status.eq(ClaimStatus::Pending.as_str()),
            warranty_claims::cost_impact_minor.eq(0i64),
            warranty_claims::filed_by.eq(me),
            warranty_claims::filed_at.eq(now),
            warranty_claims::updated_at.eq(now),
        ))
        .returning(warranty_claims::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                already()
            } else {
                e.into()
            }
        })?;
    let changes = Changes::new()
        .created("claim_type", c.claim_type.as_str())
        .created("faulty_serial", serial)
        .created("product", product.as_str())
        .note("issue", c.issue);
    let label = format!("Claim #{id}");
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, &label),
        &changes,
    )?;
    Ok(id)
}

/// A claim's row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = warranty_claims)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Claim {
    pub id: i64,
    pub order_item_id: i64,
    pub order_id: i64,
    pub branch_id: i64,
    pub product_id: i64,
    pub claim_type: String,
    pub faulty_serial: String,
    pub issue: String,
    pub status: String,
    pub cost_impact_minor: i64,
    pub replacement_serial: Option<String>,
    pub filed_by: i64,
    pub handled_by: Option<i64>,
    pub filed_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

impl Claim {
    pub fn status(&self) -> Option<ClaimStatus> {
        ClaimStatus::parse(&self.status)
    }
    pub fn kind(&self) -> Option<ClaimType> {
        ClaimType::parse(&self.claim_type)
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Claim, AppError> {
    warranty_claims::table
        .find(id)
        .select(Claim::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That warranty claim"))
}

/// What completing a claim needs.
pub struct Completion<'a> {
    /// A repair's cost; the setting's default when `None`.
    pub repair_cost: Option<Money>,
    /// A replacement's new unit (serial-tracked products).
    pub new_serial: &'a str,
}

/// Moves a claim one step on (Pending → In progress → Completed → Released), conditionally:
/// a racing or repeated click changes nothing twice. Completing stamps the resolution date and
/// the cost impact; a replacement also takes one unit out of the branch's stock (the new
/// serial, for serial-tracked products), records the new serial and writes the faulty unit to
/// defective stock, in the same transaction.
pub fn advance(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    to: ClaimStatus,
    done: &Completion<'_>,
) -> Result<Claim, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let claim = find(conn, id)?;
    let from = claim
        .status()
        .ok_or_else(|| AppError::Internal("claim status".into()))?;
    if from.next() != Some(to) {
        return Err(AppError::Conflict(format!(
            "This claim is {}; it can only move to {}.",
            from.label(),
            from.next().map_or("nothing further", ClaimStatus::label)
        )));
    }
    let now = BusinessClock::now_utc();
    let moved = diesel::update(
        warranty_claims::table
            .find(id)
            .filter(warranty_claims::status.eq(from.as_str())),
    )
    .set((
        warranty_claims::status.eq(to.as_str()),
        warranty_claims::handled_by.eq(me),
        warranty_claims::updated_at.eq(now),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Err(AppError::Conflict(
            "Someone changed this claim just now: look again.".into(),
        ));
    }
    let mut changes = Changes::new().diff("status", from.as_str(), to.as_str());
    if to == ClaimStatus::Completed {
        let (cost, serial) = match claim.kind() {
            Some(ClaimType::Replacement) => replace(conn, &claim, done.new_serial, me, now)?,
            _ => {
                let (_, default) = terms(conn)?;
                (done.repair_cost.unwrap_or(default), None)
            }
        };
        diesel::update(warranty_claims::table.find(id))
            .set((
                warranty_claims::cost_impact_minor.eq(cost.0),
                warranty_claims::replacement_serial.eq(&serial),
                warranty_claims::resolved_at.eq(now),
            ))
            .execute(conn)?;
        changes = changes.created("cost_impact", cost.plain());
        if let Some(s) = &serial {
            changes = changes.created("replacement_serial", s.as_str());
        }
    }
    let label = format!("Claim #{id}");
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, &label),
        &changes,
    )?;
    find(conn, id)
}

/// A replacement: one unit out of the branch's stock, the faulty one into defective stock.
/// Answers the cost impact (the unit's cost at sale) and the new serial.
fn replace(
    conn: &mut AnyConnection,
    claim: &Claim,
    new_serial: &str,
    me: i64,
    now: NaiveDateTime,
) -> Result<(Money, Option<String>), AppError> {
    let (cost, serial_tracked, name): (i64, bool, String) = order_items::table
        .inner_join(products::table.on(products::id.eq(order_items::product_id)))
        .filter(order_items::id.eq(claim.order_item_id))
        .select((
            order_items::cost_price_minor,
            products::serial_tracked,
            products::name,
        ))
        .first(conn)?;
    let branch: String = branches::table
        .find(claim.branch_id)
        .select(branches::name)
        .first(conn)?;
    let left: Option<i64> = diesel::update(
        branch_stock::table
            .filter(branch_stock::branch_id.eq(claim.branch_id))
            .filter(branch_stock::product_id.eq(claim.product_id))
            .filter(branch_stock::quantity.ge(1i64)),
    )
    .set((
        branch_stock::quantity.eq(branch_stock::quantity - 1i64),
        branch_stock::updated_at.eq(now),
    ))
    .returning(branch_stock::quantity)
    .get_result(conn)
    .optional()?;
    let Some(after) = left else {
        return Err(AppError::field_conflict(
            "new_serial",
            format!("{name} is out of stock at {branch}: a replacement needs one unit."),
        ));
    };
    let serial = if serial_tracked {
        let new_serial = new_serial.trim();
        let taken = diesel::update(
            product_serials::table
                .filter(product_serials::product_id.eq(claim.product_id))
                .filter(product_serials::branch_id.eq(claim.branch_id))
                .filter(product_serials::serial.eq(new_serial))
                .filter(product_serials::status.eq(SerialStatus::InStock.as_str())),
        )
        .set((
            product_serials::status.eq(SerialStatus::Sold.as_str()),
            product_serials::order_item_id.eq(claim.order_item_id),
        ))
        .execute(conn)?;
        if taken == 0 {
            return Err(AppError::field_conflict(
                "new_serial",
                format!("Serial {new_serial} is not in stock at {branch}: pick an in-stock unit."),
            ));
        }
        // The faulty unit is back and not for sale.
        diesel::update(
            product_serials::table
                .filter(product_serials::product_id.eq(claim.product_id))
                .filter(product_serials::serial.eq(&claim.faulty_serial))
                .filter(product_serials::order_item_id.eq(claim.order_item_id)),
        )
        .set((
            product_serials::status.eq(SerialStatus::Damaged.as_str()),
            product_serials::order_item_id.eq(None::<i64>),
            product_serials::branch_id.eq(claim.branch_id),
        ))
        .execute(conn)?;
        Some(new_serial.to_string())
    } else {
        None
    };
    let document = format!("Warranty #{}", claim.id);
    let reason = match &serial {
        Some(s) => format!("Replaces {} with {s}", claim.faulty_serial),
        None => "Replacement unit".to_string(),
    };
    record_movement(
        conn,
        &Movement {
            branch_id: claim.branch_id,
            product_id: claim.product_id,
            kind: MovementKind::Warranty,
            change: -1,
            after,
            document: &document,
            order_id: Some(claim.order_id),
            reason: &reason,
            employee_id: me,
            at: now,
        },
    )?;
    diesel::insert_into(defective_stock::table)
        .values((
            defective_stock::product_id.eq(claim.product_id),
            defective_stock::branch_id.eq(claim.branch_id),
            defective_stock::faulty_serial.eq(&claim.faulty_serial),
            defective_stock::reason.eq(&claim.issue),
            defective_stock::claim_id.eq(claim.id),
            defective_stock::status.eq("held"),
            defective_stock::received_at.eq(now),
        ))
        .execute(conn)?;
    Ok((Money(cost), serial))
}

/// The claims list's filter.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub status: Option<ClaimStatus>,
    pub claim_type: Option<ClaimType>,
    pub branch_id: Option<i64>,
    pub filed_from: Option<NaiveDateTime>,
    pub filed_before: Option<NaiveDateTime>,
    /// A serial exactly, or text in the customer's name (lower case).
    pub q: Option<String>,
}

#[derive(Debug, Clone, Queryable)]
pub struct ClaimRow {
    pub id: i64,
    pub filed_at: NaiveDateTime,
    pub claim_type: String,
    pub status: String,
    pub faulty_serial: String,
    pub cost_impact_minor: i64,
    pub product: String,
    pub branch: String,
    pub customer: Option<String>,
}

/// The columns of a `ClaimRow`, for the list and the export.
macro_rules! claim_row {
    () => {
        (
            warranty_claims::id,
            warranty_claims::filed_at,
            warranty_claims::claim_type,
            warranty_claims::status,
            warranty_claims::faulty_serial,
            warranty_claims::cost_impact_minor,
            order_items::product_name,
            branches::name,
            customers::name.nullable(),
        )
    };
}

macro_rules! filtered_claims {
    ($f:expr) => {{
        let f: &ClaimFilter = $f;
        let mut q = warranty_claims::table
            .inner_join(order_items::table)
            .inner_join(branches::table)
            .inner_join(orders::table.on(orders::id.eq(warranty_claims::order_id)))
            .left_join(customers::table.on(customers::id.nullable().eq(orders::customer_id)))
            .into_boxed::<crate::platform::db::MultiBackend>();
        if let Some(s) = f.status {
            q = q.filter(warranty_claims::status.eq(s.as_str()));
        }
        if let Some(t) = f.claim_type {
            q = q.filter(warranty_claims::claim_type.eq(t.as_str()));
        }
        if let Some(b) = f.branch_id {
            q = q.filter(warranty_claims::branch_id.eq(b));
        }
        if let Some(from) = f.filed_from {
            q = q.filter(warranty_claims::filed_at.ge(from));
        }
        if let Some(before) = f.filed_before {
            q = q.filter(warranty_claims::filed_at.lt(before));
        }
        if let Some(text) = &f.q {
            q = q.filter(
                crate::platform::db::lower(warranty_claims::faulty_serial)
                    .eq(text.clone())
                    .or(
                        crate::platform::db::lower(customers::name.assume_not_null())
                            .like(crate::platform::db::contains_pattern(text))
                            .escape('\\'),
                    ),
            );
        }
        q
    }};
}

pub fn page(
    conn: &mut AnyConnection,
    f: &ClaimFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ClaimRow>> {
    filtered_claims!(f)
        .order((warranty_claims::filed_at.desc(), warranty_claims::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(claim_row!())
        .load(conn)
}

/// One page of the filtered claims in id order after `after`, for the export.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &ClaimFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ClaimRow>> {
    filtered_claims!(f)
        .filter(warranty_claims::id.gt(after.unwrap_or(0)))
        .order(warranty_claims::id.asc())
        .limit(limit)
        .select(claim_row!())
        .load(conn)
}

/// Count, liability (all cost impact), repair cost, replacement cost.
pub fn totals(conn: &mut AnyConnection, f: &ClaimFilter) -> QueryResult<(i64, i64, i64, i64)> {
    filtered_claims!(f)
        .select(diesel::dsl::sql::<(
            diesel::sql_types::BigInt,
            diesel::sql_types::BigInt,
            diesel::sql_types::BigInt,
            diesel::sql_types::BigInt,
        )>(
            "COUNT(*), CAST(COALESCE(SUM(warranty_claims.cost_impact_minor), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN warranty_claims.claim_type = 'repair' THEN warranty_claims.cost_impact_minor ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN warranty_claims.claim_type = 'replacement' THEN warranty_claims.cost_impact_minor ELSE 0 END), 0) AS BIGINT)",
        ))
        .first(conn)
}

/// A defective unit as the page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct DefectiveRow {
    pub id: i64,
    pub received_at: NaiveDateTime,
    pub product: String,
    pub branch: String,
    pub faulty_serial: String,
    pub reason: String,
    pub claim_id: Option<i64>,
    pub status: String,
    pub note: String,
}

pub fn defective(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<DefectiveRow>> {
    let mut q = defective_stock::table
        .inner_join(products::table)
        .inner_join(branches::table)
        .into_boxed::<crate::platform::db::MultiBackend>();
    if let Some(b) = branch {
        q = q.filter(defective_stock::branch_id.eq(b));
    }
    if let Some(s) = status {
        q = q.filter(defective_stock::status.eq(s.to_string()));
    }
    q.order(defective_stock::id.desc())
        .offset(offset)
        .limit(limit)
        .select((
            defective_stock::id,
            defective_stock::received_at,
            products::name,
            branches::name,
            defective_stock::faulty_serial,
            defective_stock::reason,
            defective_stock::claim_id,
            defective_stock::status,
            defective_stock::note,
        ))
        .load(conn)
}

/// A manager marks a held defective unit disposed or returned to its supplier, once.
pub fn resolve_defective(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    id: i64,
    to: &str,
    note: &str,
) -> Result<(), AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let branch: i64 = defective_stock::table
        .find(id)
        .select(defective_stock::branch_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That defective unit"))?;
    scope::check(user, branch)?;
    let now = BusinessClock::now_utc();
    let changed = diesel::update(
        defective_stock::table
            .find(id)
            .filter(defective_stock::status.eq("held")),
    )
    .set((
        defective_stock::status.eq(to),
        defective_stock::note.eq(note),
        defective_stock::resolved_by.eq(me),
        defective_stock::resolved_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "This unit was already disposed of or returned.".into(),
        ));
    }
    let changes = Changes::new().diff("status", "held", to).note("note", note);
    let label = format!("Defective unit #{id}");
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(DEFECTIVE, id, &label),
        &changes,
    )?;
    Ok(())
}
