//! Transfers in the database. Sending takes the units off the source branch with conditional
//! UPDATEs (never below zero) and puts serials in transit; receiving adds what arrived to the
//! destination and records the shortage. Each step is one transaction with its audit row, and
//! the step itself is a conditional UPDATE of the status, so a double click or two managers at
//! once move a transfer once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::{
    branch_stock, branches, employees, product_serials, products, stock_transfer_lines,
    stock_transfers,
};
use crate::retail::stock::model::{ensure_row, record_movement, Movement};
use crate::retail::stock::rules::{MovementKind, SerialStatus};
use crate::retail::transfers::rules::{TransferStatus, TypedLine};

pub const RECORD: &str = "stock_transfer";

pub struct NewTransfer<'a> {
    pub from: i64,
    pub to: i64,
    pub note: &'a str,
    pub key: &'a str,
    pub lines: &'a [TypedLine],
}

fn label(id: i64) -> String {
    format!("Transfer #{id}")
}

fn branch_name(conn: &mut AnyConnection, id: i64, field: &'static str) -> Result<String, AppError> {
    let (name, active): (String, bool) = branches::table
        .find(id)
        .select((branches::name, branches::is_active))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field_invalid(field, "Choose a branch."))?;
    if !active {
        return Err(AppError::field_invalid(
            field,
            format!("{name} is archived."),
        ));
    }
    Ok(name)
}

/// A product by barcode: (id, name, serial-tracked), or a field error naming the row's barcode.
pub fn product_of(
    conn: &mut AnyConnection,
    barcode: &str,
) -> Result<(i64, String, bool), AppError> {
    let found: Option<(i64, String, bool, bool)> = products::table
        .filter(products::barcode.eq(barcode))
        .select((
            products::id,
            products::name,
            products::serial_tracked,
            products::is_active,
        ))
        .first(conn)
        .optional()?;
    match found {
        None => Err(AppError::field_invalid(
            "lines",
            format!("No product has barcode {barcode}."),
        )),
        Some((_, name, _, false)) => Err(AppError::field_invalid(
            "lines",
            format!("{name} is archived."),
        )),
        Some((id, name, serial, true)) => Ok((id, name, serial)),
    }
}

/// A draft; the same key from the same manager again is the same draft.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    t: &NewTransfer<'_>,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    crate::platform::db::lock_key(conn, "transfer", me, t.key)?;
    let earlier: Option<i64> = stock_transfers::table
        .filter(stock_transfers::created_by.eq(me))
        .filter(stock_transfers::idempotency_key.eq(t.key))
        .select(stock_transfers::id)
        .first(conn)
        .optional()?;
    if let Some(id) = earlier {
        return Ok(id);
    }
    let from = branch_name(conn, t.from, "from_branch_id")?;
    let to = branch_name(conn, t.to, "to_branch_id")?;
    if t.from == t.to {
        return Err(AppError::field_invalid(
            "to_branch_id",
            "Send to another branch than the one it leaves.",
        ));
    }
    let mut resolved = Vec::with_capacity(t.lines.len());
    for l in t.lines {
        let (id, name, serial) = product_of(conn, &l.barcode)?;
        if serial && l.serials.len() as i64 != l.quantity {
            return Err(AppError::field_invalid(
                "lines",
                format!(
                    "{name} needs one serial number per unit: {} unit(s), {} serial(s).",
                    l.quantity,
                    l.serials.len()
                ),
            ));
        }
        if !serial && !l.serials.is_empty() {
            return Err(AppError::field_invalid(
                "lines",
                format!("{name} has no serial numbers; leave them out."),
            ));
        }
        if resolved.iter().any(|(p, _, _)| *p == id) {
            return Err(AppError::field_invalid(
                "lines",
                format!("{name} is on two rows."),
            ));
        }
        resolved.push((id, l.quantity, l.serials.join(" ")));
    }
    let id: i64 = diesel::insert_into(stock_transfers::table)
        .values((
            stock_transfers::from_branch_id.eq(t.from),
            stock_transfers::to_branch_id.eq(t.to),
            stock_transfers::status.eq(TransferStatus::Draft.as_str()),
            stock_transfers::note.eq(t.note),
            stock_transfers::created_by.eq(me),
            stock_transfers::idempotency_key.eq(t.key),
            stock_transfers::created_at.eq(now),
        ))
        .returning(stock_transfers::id)
        .get_result(conn)?;
    for (product, quantity, serials) in &resolved {
        diesel::insert_into(stock_transfer_lines::table)
            .values((
                stock_transfer_lines::transfer_id.eq(id),
                stock_transfer_lines::product_id.eq(product),
                stock_transfer_lines::quantity.eq(quantity),
                stock_transfer_lines::serials.eq(serials),
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
            .created("from", from.as_str())
            .created("to", to.as_str())
            .created("lines", resolved.len().to_string())
            .created("note", t.note),
    )?;
    Ok(id)
}

/// One line: (line id, product id, product name, quantity, serials, received, received serials).
pub type LineRow = (i64, i64, String, i64, String, Option<i64>, String);

pub fn lines(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<LineRow>> {
    stock_transfer_lines::table
        .inner_join(products::table)
        .filter(stock_transfer_lines::transfer_id.eq(id))
        .order(stock_transfer_lines::id.asc())
        .select((
            stock_transfer_lines::id,
            stock_transfer_lines::product_id,
            products::name,
            stock_transfer_lines::quantity,
            stock_transfer_lines::serials,
            stock_transfer_lines::received_quantity,
            stock_transfer_lines::received_serials,
        ))
        .load(conn)
}

/// Moves the status from `from` to `to` in one conditional UPDATE; a conflict saying where it
/// stands when someone else moved it first. Answers (source, destination).
fn step(
    conn: &mut AnyConnection,
    id: i64,
    from: TransferStatus,
    to: TransferStatus,
    me: i64,
    now: NaiveDateTime,
) -> Result<(i64, i64), AppError> {
    let moved: Option<(i64, i64)> = diesel::update(
        stock_transfers::table
            .find(id)
            .filter(stock_transfers::status.eq(from.as_str())),
    )
    .set(stock_transfers::status.eq(to.as_str()))
    .returning((
        stock_transfers::from_branch_id,
        stock_transfers::to_branch_id,
    ))
    .get_result(conn)
    .optional()?;
    // Who moved it and when, on the row the UPDATE above now holds.
    if moved.is_some() {
        let row = stock_transfers::table.find(id);
        match to {
            TransferStatus::Sent => diesel::update(row)
                .set((
                    stock_transfers::sent_by.eq(me),
                    stock_transfers::sent_at.eq(now),
                ))
                .execute(conn)?,
            TransferStatus::Received => diesel::update(row)
                .set((
                    stock_transfers::received_by.eq(me),
                    stock_transfers::received_at.eq(now),
                ))
                .execute(conn)?,
            _ => 0,
        };
    }
    match moved {
        Some(b) => Ok(b),
        None => {
            let now_status: String = stock_transfers::table
                .find(id)
                .select(stock_transfers::status)
                .first(conn)
                .optional()?
                .ok_or_else(|| AppError::not_found("That transfer"))?;
            let said = TransferStatus::parse(&now_status).map_or("changed", |s| s.label());
            Err(AppError::Conflict(format!(
                "This transfer is {}: it cannot be {} now.",
                said.to_lowercase(),
                match to {
                    TransferStatus::Sent => "sent",
                    TransferStatus::Received => "received",
                    _ => "cancelled",
                }
            )))
        }
    }
}

/// Sends a draft: every line's units leave the source branch (refused whole if one is short),
/// serials go in transit.
pub fn send(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let (from, _) = step(
        conn,
        id,
        TransferStatus::Draft,
        TransferStatus::Sent,
        me,
        now,
    )?;
    let from_name: String = branches::table
        .find(from)
        .select(branches::name)
        .first(conn)?;
    let document = label(id);
    let mut units = 0;
    // Stock rows are locked in product order, as every multi-line writer here does, so two
    // documents over the same products cannot wait on each other.
    let mut all = lines(conn, id)?;
    all.sort_by_key(|l| l.1);
    for (_, product, name, quantity, serials, _, _) in all {
        let left: Option<i64> = diesel::update(
            branch_stock::table
                .filter(branch_stock::branch_id.eq(from))
                .filter(branch_stock::product_id.eq(product))
                .filter(branch_stock::quantity.ge(quantity)),
        )
        .set((
            branch_stock::quantity.eq(branch_stock::quantity - quantity),
            branch_stock::updated_at.eq(now),
        ))
        .returning(branch_stock::quantity)
        .get_result(conn)
        .optional()?;
        let Some(after) = left else {
            let have = crate::retail::stock::model::quantity(conn, from, product)?;
            return Err(AppError::Conflict(format!(
                "Only {have} × {name} at {from_name}: change the draft or receive stock first."
            )));
        };
        for serial in serials.split_whitespace() {
            let n = diesel::update(
                product_serials::table
                    .filter(product_serials::product_id.eq(product))
                    .filter(product_serials::branch_id.eq(from))
                    .filter(product_serials::serial.eq(serial))
                    .filter(product_serials::status.eq(SerialStatus::InStock.as_str())),
            )
            .set(product_serials::status.eq(SerialStatus::InTransit.as_str()))
            .execute(conn)?;
            if n == 0 {
                return Err(AppError::Conflict(format!(
                    "Serial {serial} of {name} is not in stock at {from_name}."
                )));
            }
        }
        record_movement(
            conn,
            &Movement {
                branch_id: from,
                product_id: product,
                kind: MovementKind::TransferOut,
                change: -quantity,
                after,
                document: &document,
                order_id: None,
                reason: "",
                employee_id: me,
                at: now,
            },
        )?;
        units += quantity;
    }
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, document.as_str()),
        &Changes::new()
            .diff("status", "draft", "sent")
            .note("units", units.to_string()),
    )?;
    Ok(())
}

/// What arrived of one line: its id, the units (for a product without serials) or the serials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrived {
    pub line_id: i64,
    pub quantity: i64,
    pub serials: Vec<String>,
}

/// Receives a sent transfer: what arrived goes into the destination's stock, serials with it;
/// what did not is the shortage (its serials are written off as damaged at the destination).
/// A line not listed in `arrived` arrived whole.
pub fn receive(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    arrived: &[Arrived],
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let (_, to) = step(
        conn,
        id,
        TransferStatus::Sent,
        TransferStatus::Received,
        me,
        now,
    )?;
    let document = label(id);
    let mut all = lines(conn, id)?;
    all.sort_by_key(|l| l.1);
    if let Some(a) = arrived
        .iter()
        .find(|a| !all.iter().any(|l| l.0 == a.line_id))
    {
        return Err(AppError::field_invalid(
            "lines",
            format!("Line #{} is not on this transfer.", a.line_id),
        ));
    }
    let mut short = 0;
    for (line_id, product, name, quantity, serials, _, _) in all {
        let sent: Vec<&str> = serials.split_whitespace().collect();
        let (got, got_serials): (i64, Vec<String>) =
            match arrived.iter().find(|a| a.line_id == line_id) {
                None => (quantity, sent.iter().map(|s| s.to_string()).collect()),
                Some(a) if !sent.is_empty() => {
                    if let Some(s) = a.serials.iter().find(|s| !sent.contains(&s.as_str())) {
                        return Err(AppError::field_invalid(
                            "lines",
                            format!("Serial {s} was not sent on this transfer."),
                        ));
                    }
                    (a.serials.len() as i64, a.serials.clone())
                }
                Some(a) => {
                    if !(0..=quantity).contains(&a.quantity) {
                        return Err(AppError::field_invalid(
                            "lines",
                            format!("{name}: between 0 and {quantity} arrived."),
                        ));
                    }
                    (a.quantity, Vec::new())
                }
            };
        short += quantity - got;
        diesel::update(stock_transfer_lines::table.find(line_id))
            .set((
                stock_transfer_lines::received_quantity.eq(got),
                stock_transfer_lines::received_serials.eq(got_serials.join(" ")),
            ))
            .execute(conn)?;
        for serial in &sent {
            let arrived_here = got_serials.iter().any(|g| g == serial);
            diesel::update(
                product_serials::table
                    .filter(product_serials::product_id.eq(product))
                    .filter(product_serials::serial.eq(*serial))
                    .filter(product_serials::status.eq(SerialStatus::InTransit.as_str())),
            )
            .set((
                product_serials::branch_id.eq(to),
                product_serials::status.eq(if arrived_here {
                    SerialStatus::InStock.as_str()
                } else {
                    SerialStatus::Damaged.as_str()
                }),
            ))
            .execute(conn)?;
        }
        if got > 0 {
            let row = ensure_row(conn, to, product, now)?;
            let after: i64 = diesel::update(branch_stock::table.find(row))
                .set((
                    branch_stock::quantity.eq(branch_stock::quantity + got),
                    branch_stock::updated_at.eq(now),
                ))
                .returning(branch_stock::quantity)
                .get_result(conn)?;
            let reason = if got < quantity {
                format!("{} short of {quantity} sent", quantity - got)
            } else {
                String::new()
            };
            record_movement(
                conn,
                &Movement {
                    branch_id: to,
                    product_id: product,
                    kind: MovementKind::TransferIn,
                    change: got,
                    after,
                    document: &document,
                    order_id: None,
                    reason: &reason,
                    employee_id: me,
                    at: now,
                },
            )?;
        }
    }
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, document.as_str()),
        &Changes::new()
            .diff("status", "sent", "received")
            .note("shortage", short.to_string()),
    )?;
    Ok(short)
}

/// Cancels a draft (nothing has moved yet).
pub fn cancel(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    step(
        conn,
        id,
        TransferStatus::Draft,
        TransferStatus::Cancelled,
        me,
        now,
    )?;
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, label(id)),
        &Changes::new().diff("status", "draft", "cancelled"),
    )?;
    Ok(())
}

/// A transfer's head for its page and the list.
#[derive(Debug, Clone, Queryable)]
pub struct TransferRow {
    pub id: i64,
    pub from_branch_id: i64,
    pub to_branch_id: i64,
    pub status: String,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub received_at: Option<NaiveDateTime>,
    pub created_by: String,
}

impl TransferRow {
    pub fn status_label(&self) -> &'static str {
        TransferStatus::parse(&self.status).map_or("Unknown", |s| s.label())
    }
}

/// Transfers newest first, a page at a time (`fetch` rows from `offset`), optionally of one
/// status and touching one branch.
pub fn page(
    conn: &mut AnyConnection,
    status: Option<TransferStatus>,
    branch: Option<i64>,
    offset: i64,
    fetch: i64,
) -> QueryResult<Vec<TransferRow>> {
    let mut q = stock_transfers::table
        .inner_join(employees::table.on(employees::id.eq(stock_transfers::created_by)))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(stock_transfers::status.eq(s.as_str()));
    }
    if let Some(b) = branch {
        q = q.filter(
            stock_transfers::from_branch_id
                .eq(b)
                .or(stock_transfers::to_branch_id.eq(b)),
        );
    }
    q.order(stock_transfers::id.desc())
        .offset(offset)
        .limit(fetch)
        .select((
            stock_transfers::id,
            stock_transfers::from_branch_id,
            stock_transfers::to_branch_id,
            stock_transfers::status,
            stock_transfers::note,
            stock_transfers::created_at,
            stock_transfers::sent_at,
            stock_transfers::received_at,
            employees::name,
        ))
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<TransferRow, AppError> {
    stock_transfers::table
        .inner_join(employees::table.on(employees::id.eq(stock_transfers::created_by)))
        .filter(stock_transfers::id.eq(id))
        .select((
            stock_transfers::id,
            stock_transfers::from_branch_id,
            stock_transfers::to_branch_id,
            stock_transfers::status,
            stock_transfers::note,
            stock_transfers::created_at,
            stock_transfers::sent_at,
            stock_transfers::received_at,
            employees::name,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That transfer"))
}
