//! The offline till's rows and transactions: blocks of provisional receipt numbers, the
//! catalogue a till keeps, the sync of queued sales (each one exactly once) and the
//! exceptions a manager settles.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use serde::Serialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    employees, official_receipts, offline_blocks, offline_sales, products, registers,
};
use crate::platform::settings;
use crate::retail::pos::checkout::{self, MadeOffline};
use crate::retail::pos::offline::rules::{self, Limits, QueuedSale};

pub const BLOCK_RECORD: &str = "offline_block";
pub const SALE_RECORD: &str = "offline_sale";
/// Minutes a till may sell without reaching the server (0: it may not).
pub const LIMIT_MINUTES: &str = "pos.offline_minutes";
/// The most the sales waiting on one till may add up to (minor units).
pub const LIMIT_AMOUNT: &str = "pos.offline_amount_minor";

pub fn limits(conn: &mut AnyConnection) -> QueryResult<Limits> {
    let d = Limits::default();
    let read = |raw: Option<String>, default: i64| {
        raw.and_then(|v| v.parse::<i64>().ok())
            .filter(|v| *v >= 0)
            .unwrap_or(default)
    };
    Ok(Limits {
        minutes: read(settings::get(conn, LIMIT_MINUTES)?, d.minutes),
        amount_minor: read(settings::get(conn, LIMIT_AMOUNT)?, d.amount_minor),
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = offline_blocks)]
pub struct Block {
    pub id: i64,
    pub branch_id: i64,
    pub register_id: i64,
    pub shift_id: i64,
    pub employee_id: i64,
    pub size: i64,
    pub secret_sha: String,
    pub reserved_at: NaiveDateTime,
}

/// What a till gets for its block.
#[derive(Debug, Clone, Serialize)]
pub struct Reserved {
    pub block: i64,
    /// The shift the block's sales go into: a till with a block of an earlier shift asks again.
    pub shift: i64,
    pub size: i64,
    pub register: String,
    pub reserved_at: NaiveDateTime,
    pub limits: Limits,
}

/// Reserves a block of provisional numbers for the employee's open shift; the same key with
/// the same secret answers the same block (a retried request).
pub fn reserve(
    conn: &mut AnyConnection,
    actor: &Actor,
    employee_id: i64,
    key: &str,
    secret: &str,
) -> Result<Reserved, AppError> {
    let shift = crate::registers::shifts::model::open_of(conn, employee_id)?
        .ok_or_else(|| AppError::Conflict(crate::registers::shifts::model::OPEN_FIRST.into()))?;
    let register: String = registers::table
        .find(shift.register_id)
        .select(registers::name)
        .first(conn)?;
    let limits = limits(conn)?;
    let digest = rules::secret_digest(secret);
    let earlier: Option<Block> = offline_blocks::table
        .filter(offline_blocks::shift_id.eq(shift.id))
        .filter(offline_blocks::idempotency_key.eq(key))
        .select(Block::as_select())
        .first(conn)
        .optional()?;
    if let Some(b) = earlier {
        if !rules::secret_matches(secret, &b.secret_sha) {
            return Err(AppError::Conflict(
                "This key already reserved a block for another secret.".into(),
            ));
        }
        return Ok(Reserved {
            block: b.id,
            shift: b.shift_id,
            size: b.size,
            register,
            reserved_at: b.reserved_at,
            limits,
        });
    }
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(offline_blocks::table)
        .values((
            offline_blocks::branch_id.eq(shift.branch_id),
            offline_blocks::register_id.eq(shift.register_id),
            offline_blocks::shift_id.eq(shift.id),
            offline_blocks::employee_id.eq(employee_id),
            offline_blocks::size.eq(rules::BLOCK_SIZE),
            offline_blocks::secret_sha.eq(&digest),
            offline_blocks::idempotency_key.eq(key),
            offline_blocks::reserved_at.eq(now),
        ))
        .returning(offline_blocks::id)
        .get_result(conn)?;
    let changes = Changes::new()
        .created("register_id", shift.register_id)
        .created("shift", shift.id)
        .created(
            "numbers",
            format!(
                "{} to {}",
                rules::provisional_number(id, 1),
                rules::provisional_number(id, rules::BLOCK_SIZE)
            ),
        );
    let label = format!("P{id}");
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(BLOCK_RECORD, id, &label),
        &changes,
    )?;
    Ok(Reserved {
        block: id,
        shift: shift.id,
        size: rules::BLOCK_SIZE,
        register,
        reserved_at: now,
        limits,
    })
}

/// One product as a till keeps it: id, barcode, name, price (minor units), serial-tracked,
/// for sale (an archived product comes with `false`, so the till forgets it).
pub type CatalogueRow = (i64, String, String, i64, bool, bool);

/// The products changed after `cursor`, in change order, and the cursor after the last one.
pub fn catalogue_after(
    conn: &mut AnyConnection,
    cursor: (i64, i64),
    limit: i64,
) -> QueryResult<(Vec<CatalogueRow>, (i64, i64))> {
    // A row comparison, so both databases walk the (catalogue_seq, id) index in order.
    let after = diesel::dsl::sql::<Bool>("(products.catalogue_seq, products.id) > (")
        .bind::<BigInt, _>(cursor.0)
        .sql(", ")
        .bind::<BigInt, _>(cursor.1)
        .sql(")");
    let rows: Vec<(i64, String, String, i64, bool, bool, i64)> = products::table
        .filter(after)
        .order((products::catalogue_seq, products::id))
        .limit(limit)
        .select((
            products::id,
            products::barcode,
            products::name,
            products::price_minor,
            products::serial_tracked,
            products::is_active,
            products::catalogue_seq,
        ))
        .load(conn)?;
    let next = rows.last().map_or(cursor, |r| (r.6, r.0));
    Ok((
        rows.into_iter()
            .map(|(id, barcode, name, price, serial, active, _)| {
                (id, barcode, name, price, serial, active)
            })
            .collect(),
        next,
    ))
}

/// What the server made of one queued sale.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Answer {
    pub idempotency_key: String,
    pub block: Option<i64>,
    pub number: Option<i64>,
    /// `accepted` (now an order), `already` (sent before: the same answer as then),
    /// `exception` (kept for a manager), `refused` (not a sale of this till; nothing kept).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl Answer {
    pub fn refused(
        identity: (String, Option<i64>, Option<i64>),
        reason: impl Into<String>,
    ) -> Self {
        Answer {
            idempotency_key: identity.0,
            block: identity.1,
            number: identity.2,
            status: "refused",
            order_id: None,
            receipt_number: None,
            reason: reason.into(),
        }
    }
}

/// Refusals of the sale itself, which become exceptions; anything else (the database
/// failing) fails the whole sync and the till sends again.
fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Unprocessable(_)
            | AppError::Conflict(_)
            | AppError::NotFound(_)
            | AppError::Forbidden(_)
            | AppError::Fields { .. }
    )
}

const ANOTHER_TILL: &str =
    "This sale was made on another till: only the till that made it can send it.";

/// One queued sale into the books, exactly once. The caller holds the write transaction; the
/// checkout runs in a savepoint, so a refused sale is kept as an exception in the same commit.
pub fn sync_one(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    sale: &QueuedSale,
    raw: &str,
    clock: &BusinessClock,
) -> Result<Answer, AppError> {
    let key = sale.cart.idempotency_key.clone();
    let identity = (key.clone(), Some(sale.block_id), Some(sale.number));
    let block: Option<Block> = offline_blocks::table
        .find(sale.block_id)
        .select(Block::as_select())
        .first(conn)
        .optional()?;
    let Some(block) = block
        .filter(|b| b.branch_id == branch_id && rules::secret_matches(&sale.secret, &b.secret_sha))
    else {
        return Ok(Answer::refused(identity, ANOTHER_TILL));
    };
    if sale.number > block.size {
        return Ok(Answer::refused(
            identity,
            "That number is outside the till's block.",
        ));
    }
    // Two copies of this sale (two tabs, a retry while the first is still running) wait for
    // each other here; the second then finds what the first kept.
    crate::platform::db::lock_key(conn, "offline_sale", block.id, &sale.number.to_string())?;
    let earlier: Option<(String, String, String, Option<i64>)> = offline_sales::table
        .filter(offline_sales::block_id.eq(block.id))
        .filter(offline_sales::number.eq(sale.number))
        .select((
            offline_sales::idempotency_key,
            offline_sales::status,
            offline_sales::reason,
            offline_sales::order_id,
        ))
        .first(conn)
        .optional()?;
    if let Some((earlier_key, status, reason, order_id)) = earlier {
        if earlier_key != key {
            return Ok(Answer::refused(
                identity,
                format!(
                    "Receipt {} was already used by another sale.",
                    sale.provisional()
                ),
            ));
        }
        let receipt_number = match order_id {
            Some(id) => official_receipts::table
                .filter(official_receipts::order_id.eq(id))
                .select(official_receipts::or_number)
                .first(conn)
                .optional()?,
            None => None,
        };
        return Ok(Answer {
            // Settled by a manager meanwhile: in the books (already), or kept out of them (still
            // a sale the till should show, with what became of it).
            status: match status.as_str() {
                "exception" | "refunded" => "exception",
                _ => "already",
            },
            reason: if status == "refunded" {
                format!("{reason} A manager gave the money back.")
            } else {
                reason
            },
            order_id,
            receipt_number,
            ..Answer::refused(identity, "")
        });
    }
    let now = BusinessClock::now_utc();
    let skew = chrono::Duration::minutes(rules::CLOCK_SKEW_MINUTES);
    let made = MadeOffline {
        employee_id: block.employee_id,
        shift_id: block.shift_id,
        made_at: sale.made_at.min(now),
        day: clock.to_local(sale.made_at.min(now)).date_naive(),
        charged: sale.charged.clone(),
        total: sale.total,
        provisional: sale.provisional(),
        accepted_by_manager: false,
    };
    let checked = if sale.made_at > now + skew || sale.made_at + skew < block.reserved_at {
        Err(AppError::Unprocessable(
            "The till's clock was wrong: the sale's time is outside its block's.".into(),
        ))
    } else {
        Ok(())
    };
    let outcome = checked.and_then(|()| {
        conn.transaction(|c| checkout::checkout_offline(c, actor, &sale.cart, &made))
    });
    let (status, order_id, receipt_number, reason) = match outcome {
        // The key of a sale already in the books under another provisional number: a till
        // that reused a key (never the till's own doing).
        Ok((done, _)) if provisional_of(conn, done.order_id)?.is_some() => {
            return Ok(Answer::refused(
                identity,
                format!(
                    "This sale's key already belongs to receipt {}.",
                    done.receipt_number
                ),
            ))
        }
        Ok((done, _)) => (
            "accepted",
            Some(done.order_id),
            Some(done.receipt_number),
            String::new(),
        ),
        Err(e) if is_refusal(&e) => ("exception", None, None, e.to_string()),
        Err(e) => return Err(e),
    };
    let kept: i64 = diesel::insert_into(offline_sales::table)
        .values((
            offline_sales::block_id.eq(block.id),
            offline_sales::number.eq(sale.number),
            offline_sales::idempotency_key.eq(&key),
            offline_sales::branch_id.eq(block.branch_id),
            offline_sales::employee_id.eq(block.employee_id),
            offline_sales::shift_id.eq(block.shift_id),
            offline_sales::made_at.eq(made.made_at),
            offline_sales::total_minor.eq(sale.total.0),
            offline_sales::cash_received_minor.eq(sale.received.0),
            offline_sales::sale.eq(raw),
            offline_sales::status.eq(status),
            offline_sales::reason.eq(&reason),
            offline_sales::order_id.eq(order_id),
            offline_sales::synced_by.eq(actor.employee_id.unwrap_or(block.employee_id)),
            offline_sales::synced_at.eq(now),
        ))
        .returning(offline_sales::id)
        .get_result(conn)?;
    if status == "exception" {
        let changes = Changes::new()
            .created("total", sale.total.plain())
            .note("reason", reason.as_str());
        audit::record(
            conn,
            actor,
            now,
            audit::CREATE,
            Subject::of(SALE_RECORD, kept, sale.provisional()),
            &changes,
        )?;
    }
    Ok(Answer {
        status,
        order_id,
        receipt_number,
        reason,
        ..Answer::refused(identity, "")
    })
}

/// An offline sale as a manager's list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct OfflineSaleRow {
    pub id: i64,
    pub block_id: i64,
    pub number: i64,
    pub made_at: NaiveDateTime,
    pub total_minor: i64,
    pub sale: String,
    pub status: String,
    pub reason: String,
    pub order_id: Option<i64>,
    pub resolution_note: String,
    pub employee: String,
}

impl OfflineSaleRow {
    pub fn provisional(&self) -> String {
        rules::provisional_number(self.block_id, self.number)
    }
    pub fn total(&self) -> Money {
        Money(self.total_minor)
    }
    /// "2 × 4801000000012 at 100.00" per line, from the sale as the till sent it.
    pub fn lines(&self) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&self.sale).unwrap_or_default();
        v["lines"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .map(|l| {
                        format!(
                            "{} × {} at {}",
                            l["quantity"].as_i64().unwrap_or(1),
                            l["name"].as_str().or(l["barcode"].as_str()).unwrap_or("?"),
                            l["price"].as_str().unwrap_or("?")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "exception" => "Needs a manager",
            "accepted_by_manager" => "Accepted by a manager",
            "refunded" => "Money given back",
            _ => "Accepted",
        }
    }
}

/// Offline sales of a branch (or every branch), those waiting for a manager or all of them,
/// newest first.
pub fn list(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    open_only: bool,
    page: (i64, i64),
) -> QueryResult<Vec<OfflineSaleRow>> {
    let mut q = offline_sales::table
        .inner_join(employees::table.on(employees::id.eq(offline_sales::employee_id)))
        .select((
            offline_sales::id,
            offline_sales::block_id,
            offline_sales::number,
            offline_sales::made_at,
            offline_sales::total_minor,
            offline_sales::sale,
            offline_sales::status,
            offline_sales::reason,
            offline_sales::order_id,
            offline_sales::resolution_note,
            employees::name,
        ))
        .order((offline_sales::made_at.desc(), offline_sales::id.desc()))
        .into_boxed();
    if let Some(b) = branch {
        q = q.filter(offline_sales::branch_id.eq(b));
    }
    if open_only {
        q = q.filter(offline_sales::status.eq("exception"));
    } else {
        q = q.filter(offline_sales::status.ne("accepted"));
    }
    q.offset(page.0).limit(page.1).load(conn)
}

/// How a manager settles an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Into the books as the till made it, whatever the checks found (noted).
    Accept,
    /// The sale is not kept: the customer gets the money back from the drawer.
    Refund,
}

/// Settles one exception, once (a second settle of the same one is a conflict). Answers the
/// order an acceptance made.
pub fn settle(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &crate::platform::auth::CurrentUser,
    id: i64,
    how: Settle,
    note: &str,
    clock: &BusinessClock,
) -> Result<Option<i64>, AppError> {
    type Row = (i64, i64, i64, i64, i64, NaiveDateTime, String, String);
    let row: Option<Row> = offline_sales::table
        .find(id)
        .select((
            offline_sales::branch_id,
            offline_sales::block_id,
            offline_sales::number,
            offline_sales::employee_id,
            offline_sales::shift_id,
            offline_sales::made_at,
            offline_sales::sale,
            offline_sales::status,
        ))
        .first(conn)
        .optional()?;
    let (branch_id, block_id, number, employee_id, shift_id, made_at, raw, status) =
        row.ok_or_else(|| AppError::NotFound("There is no such offline sale.".into()))?;
    crate::platform::auth::scope::check(user, branch_id)?;
    if status != "exception" {
        return Err(AppError::Conflict(
            "This offline sale was already settled.".into(),
        ));
    }
    let now = BusinessClock::now_utc();
    let provisional = rules::provisional_number(block_id, number);
    let (order_id, notes) = match how {
        Settle::Refund => (None, Vec::new()),
        Settle::Accept => {
            let value: serde_json::Value = serde_json::from_str(&raw)
                .map_err(|_| AppError::Unprocessable("The kept sale is damaged.".into()))?;
            let sale = rules::parse_sale(&value).map_err(AppError::Unprocessable)?;
            let made = MadeOffline {
                employee_id,
                shift_id,
                made_at,
                day: clock.to_local(made_at).date_naive(),
                charged: sale.charged.clone(),
                total: sale.total,
                provisional: provisional.clone(),
                accepted_by_manager: true,
            };
            let (done, notes) = checkout::checkout_offline(conn, actor, &sale.cart, &made)?;
            (Some(done.order_id), notes)
        }
    };
    let status = match how {
        Settle::Accept => "accepted_by_manager",
        Settle::Refund => "refunded",
    };
    let changed = diesel::update(
        offline_sales::table
            .find(id)
            .filter(offline_sales::status.eq("exception")),
    )
    .set((
        offline_sales::status.eq(status),
        offline_sales::order_id.eq(order_id),
        offline_sales::resolved_by.eq(actor.employee_id),
        offline_sales::resolved_at.eq(now),
        offline_sales::resolution_note.eq(note),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "This offline sale was already settled.".into(),
        ));
    }
    let mut changes = Changes::new().diff("status", "exception", status);
    if !note.is_empty() {
        changes = changes.note("note", note);
    }
    if !notes.is_empty() {
        changes = changes.note("accepted_by_manager", notes.join(" "));
    }
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(SALE_RECORD, id, &provisional),
        &changes,
    )?;
    Ok(order_id)
}

/// Exceptions waiting for a manager at a branch (or everywhere).
pub fn open_count(conn: &mut AnyConnection, branch: Option<i64>) -> QueryResult<i64> {
    let mut q = offline_sales::table
        .filter(offline_sales::status.eq("exception"))
        .count()
        .into_boxed();
    if let Some(b) = branch {
        q = q.filter(offline_sales::branch_id.eq(b));
    }
    q.get_result(conn)
}

/// The provisional receipt number of a sale made offline, if it was.
pub fn provisional_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Option<String>> {
    let found: Option<(i64, i64)> = offline_sales::table
        .filter(offline_sales::order_id.eq(order_id))
        .select((offline_sales::block_id, offline_sales::number))
        .first(conn)
        .optional()?;
    Ok(found.map(|(b, n)| rules::provisional_number(b, n)))
}
