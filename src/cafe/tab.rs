//! The open tab: a table's (or a takeaway or delivery order's) session, which every order adds
//! to and which the bill closes. Finding it, and opening it on a table's first order.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::tables::model::CafeTable;
use crate::cafe::tables::rules::TableStatus;
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_sessions, cafe_tables};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafe_sessions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SessionHead {
    pub id: i64,
    pub branch_id: i64,
    pub table_id: Option<i64>,
    pub kind: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub delivery_address: String,
    pub visitor_id: Option<i64>,
    pub opened_at: NaiveDateTime,
    pub staff_called_at: Option<NaiveDateTime>,
    pub bill_printed_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    /// A part of a split bill: the table's bill it came from, and its part number (2, 3, …).
    pub split_of: Option<i64>,
    pub part_number: Option<i64>,
}

pub fn open_session_of_table(
    conn: &mut AnyConnection,
    table_id: i64,
) -> QueryResult<Option<SessionHead>> {
    cafe_sessions::table
        .filter(cafe_sessions::table_id.eq(table_id))
        .filter(cafe_sessions::closed_at.is_null())
        .filter(cafe_sessions::split_of.is_null())
        .select(SessionHead::as_select())
        .first(conn)
        .optional()
}

pub fn session(conn: &mut AnyConnection, id: i64) -> Result<SessionHead, AppError> {
    cafe_sessions::table
        .find(id)
        .select(SessionHead::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That bill"))
}

/// The table's open session, opened now if there is none (and the table marked occupied).
/// Caller holds the write transaction; on PostgreSQL the table row is locked first so that
/// two first orders at one table open one session.
pub fn open_for_table(
    conn: &mut AnyConnection,
    table: &CafeTable,
    visitor_id: Option<i64>,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(SessionHead, bool), AppError> {
    lock_rows(
        conn,
        &format!(
            "SELECT id FROM cafe_tables WHERE id = {} FOR UPDATE",
            table.id
        ),
    )?;
    if let Some(s) = open_session_of_table(conn, table.id)? {
        return Ok((s, false));
    }
    check_branch_trading(conn, table.branch_id)?;
    let id: i64 = diesel::insert_into(cafe_sessions::table)
        .values((
            cafe_sessions::branch_id.eq(table.branch_id),
            cafe_sessions::table_id.eq(Some(table.id)),
            cafe_sessions::kind.eq("dine_in"),
            cafe_sessions::visitor_id.eq(visitor_id),
            cafe_sessions::opened_by_employee_id.eq(actor.employee_id),
            cafe_sessions::opened_at.eq(now),
        ))
        .returning(cafe_sessions::id)
        .get_result(conn)?;
    let subject = Subject::of("cafe_session", id, table.label());
    let changes = Changes::new().created("table", table.number).note(
        "opened_by",
        if actor.employee_id.is_some() {
            "staff"
        } else {
            "guest"
        },
    );
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    diesel::update(
        cafe_tables::table
            .find(table.id)
            .filter(cafe_tables::status.eq_any(["available", "reserved"])),
    )
    .set(cafe_tables::status.eq(TableStatus::Occupied.as_str()))
    .execute(conn)?;
    Ok((session(conn, id)?, true))
}

/// A new bill may only open at a trading branch. On PostgreSQL the branch row is share-locked
/// for the rest of the transaction, so archiving it (which takes the row lock and then counts
/// open bills) waits for this bill and sees it; SQLite serialises writers anyway.
pub fn check_branch_trading(conn: &mut AnyConnection, branch_id: i64) -> Result<(), AppError> {
    use crate::platform::schema::branches;
    lock_rows(
        conn,
        &format!("SELECT id FROM branches WHERE id = {branch_id} FOR SHARE"),
    )?;
    let (name, active): (String, bool) = branches::table
        .find(branch_id)
        .select((branches::name, branches::is_active))
        .first(conn)?;
    if active {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "{name} is archived: its records can be viewed, but it takes no new orders."
        )))
    }
}

/// Names the guest on an open bill (a waiter, or a program, says who is at the table).
/// Changes nothing, and writes no audit row, when the name is the same.
pub fn set_customer_name(
    conn: &mut AnyConnection,
    actor: &Actor,
    head: &SessionHead,
    name: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if head.customer_name == name {
        return Ok(());
    }
    let n = diesel::update(
        cafe_sessions::table
            .find(head.id)
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set(cafe_sessions::customer_name.eq(name))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    let subject = Subject::of("cafe_session", head.id, format!("Bill #{}", head.id));
    let changes = Changes::new().diff(
        "customer_name",
        head.customer_name.clone(),
        name.to_string(),
    );
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}

/// One share of a bill split evenly (`cafe::split`): its money was fixed when the bill was
/// split, and its sales record takes exactly that.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::platform::schema::cafe_bill_shares)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BillShare {
    pub session_id: i64,
    /// The table's bill that holds the lines (share 1).
    pub bill_id: i64,
    pub number: i64,
    pub of_n: i64,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub tax_rate_bp: i64,
    pub discount_code: Option<String>,
}

impl BillShare {
    pub fn bill(&self) -> crate::cafe::bill::Bill {
        use crate::platform::money::Money;
        crate::cafe::bill::Bill {
            subtotal: Money(self.subtotal_minor),
            discount: Money(self.discount_minor),
            tax_rate_bp: self.tax_rate_bp,
            tax: Money(self.tax_minor),
            total: Money(self.total_minor),
        }
    }

    /// "Share 2 of 3 of bill #45": what its receipt and sales record call it.
    pub fn label(&self) -> String {
        format!(
            "Share {} of {} of bill #{}",
            self.number, self.of_n, self.bill_id
        )
    }
}

/// The share a bill is, when it is one of an evenly split bill.
pub fn share_of(conn: &mut AnyConnection, session_id: i64) -> QueryResult<Option<BillShare>> {
    use crate::platform::schema::cafe_bill_shares;
    cafe_bill_shares::table
        .find(session_id)
        .select(BillShare::as_select())
        .first(conn)
        .optional()
}

/// An evenly split bill is fixed: its shares were priced from its lines, so nothing may add,
/// remove, move or re-price them. Every change to a bill's lines asks here first (after
/// taking the bill's row, so a split and a change take turns).
pub fn refuse_if_shared(conn: &mut AnyConnection, session_id: i64) -> Result<(), AppError> {
    lock_rows(
        conn,
        &format!("SELECT id FROM cafe_sessions WHERE id = {session_id} FOR UPDATE"),
    )?;
    match share_of(conn, session_id)? {
        Some(s) => Err(AppError::Conflict(format!(
            "This bill is split evenly into {} shares, so it cannot change any more: close the shares.",
            s.of_n
        ))),
        None => Ok(()),
    }
}
