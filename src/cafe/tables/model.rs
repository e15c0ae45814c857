//! Tables: storage and the changes managers and waiters make to them.

use diesel::prelude::*;

use crate::cafe::tables::rules::{new_token, TableInput, TableStatus};
use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_sessions, cafe_tables};

pub const RECORD: &str = "cafe_table";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafe_tables)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CafeTable {
    pub id: i64,
    pub branch_id: i64,
    pub number: i64,
    pub capacity: i64,
    pub location: String,
    pub status: String,
    pub token: String,
    pub is_active: bool,
}

impl CafeTable {
    pub fn status(&self) -> TableStatus {
        TableStatus::parse(&self.status).unwrap_or(TableStatus::Available)
    }

    pub fn label(&self) -> String {
        format!("Table {}", self.number)
    }

    /// A table in maintenance takes no orders, from guests or staff.
    pub fn takes_orders(&self) -> bool {
        self.status() != TableStatus::Maintenance
    }
}

pub fn list(
    conn: &mut AnyConnection,
    branch_id: i64,
    archived: bool,
) -> QueryResult<Vec<CafeTable>> {
    cafe_tables::table
        .filter(cafe_tables::branch_id.eq(branch_id))
        .filter(cafe_tables::is_active.eq(!archived))
        .order(cafe_tables::number.asc())
        .select(CafeTable::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<CafeTable, AppError> {
    cafe_tables::table
        .find(id)
        .select(CafeTable::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That table"))
}

pub fn by_token(conn: &mut AnyConnection, token: &str) -> QueryResult<Option<CafeTable>> {
    if !crate::cafe::tables::rules::plausible_token(token) {
        return Ok(None);
    }
    // An archived table, or any table of an archived branch, takes no guests: its code is
    // as good as invalid.
    crate::on_backend!(conn, |c| cafe_tables::table
        .inner_join(crate::platform::schema::branches::table)
        .filter(cafe_tables::token.eq(token))
        .filter(cafe_tables::is_active.eq(true))
        .filter(crate::platform::schema::branches::is_active.eq(true))
        .select(CafeTable::as_select())
        .first(c)
        .optional())
}

fn duplicate(e: diesel::result::Error, number: i64) -> AppError {
    if is_unique_violation(&e) {
        AppError::field_conflict(
            "number",
            format!("This branch already has a table {number}."),
        )
    } else {
        e.into()
    }
}

pub fn has_open_session(conn: &mut AnyConnection, table_id: i64) -> QueryResult<bool> {
    let n: i64 = cafe_sessions::table
        .filter(cafe_sessions::table_id.eq(table_id))
        .filter(cafe_sessions::closed_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    i: &TableInput,
) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(cafe_tables::table)
        .values((
            cafe_tables::branch_id.eq(branch_id),
            cafe_tables::number.eq(i.number),
            cafe_tables::capacity.eq(i.capacity),
            cafe_tables::location.eq(&i.location),
            cafe_tables::status.eq(i.status.as_str()),
            cafe_tables::token.eq(new_token()),
            cafe_tables::is_active.eq(true),
            cafe_tables::created_at.eq(now),
            cafe_tables::updated_at.eq(now),
        ))
        .returning(cafe_tables::id)
        .get_result(conn)
        .map_err(|e| duplicate(e, i.number))?;
    let subject = Subject::of(RECORD, id, format!("Table {}", i.number));
    let changes = Changes::new()
        .created("number", i.number)
        .created("capacity", i.capacity)
        .created("location", i.location.as_str())
        .created("branch_id", branch_id);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

/// A table with guests at it cannot be put out of service; an archived table keeps the status
/// it was archived with (restore it first).
fn check_status_change(
    conn: &mut AnyConnection,
    t: &CafeTable,
    status: TableStatus,
) -> Result<(), AppError> {
    if !t.is_active && t.status() != status {
        return Err(AppError::field_conflict(
            "status",
            format!(
                "{} is archived: restore it before changing its status.",
                t.label()
            ),
        ));
    }
    if status == TableStatus::Maintenance
        && t.status() != TableStatus::Maintenance
        && has_open_session(conn, t.id)?
    {
        return Err(AppError::field_conflict(
            "status",
            format!(
                "{} has an open bill: close it before putting the table into maintenance.",
                t.label()
            ),
        ));
    }
    Ok(())
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &TableInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    check_status_change(conn, &old, i.status)?;
    let now = BusinessClock::now_utc();
    diesel::update(cafe_tables::table.find(id))
        .set((
            cafe_tables::number.eq(i.number),
            cafe_tables::capacity.eq(i.capacity),
            cafe_tables::location.eq(&i.location),
            cafe_tables::status.eq(i.status.as_str()),
            cafe_tables::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| duplicate(e, i.number))?;
    let changes = Changes::new()
        .diff("number", old.number, i.number)
        .diff("capacity", old.capacity, i.capacity)
        .diff("location", old.location.clone(), i.location.clone())
        .diff("status", old.status.clone(), i.status.as_str().to_string());
    if !changes.is_empty() {
        let label = format!("Table {}", i.number);
        let subject = Subject::of(RECORD, id, &label);
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    Ok(())
}

pub fn set_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    status: TableStatus,
) -> Result<CafeTable, AppError> {
    let t = find(conn, id)?;
    check_status_change(conn, &t, status)?;
    if t.status() == status {
        return Ok(t);
    }
    let now = BusinessClock::now_utc();
    diesel::update(cafe_tables::table.find(id))
        .set((
            cafe_tables::status.eq(status.as_str()),
            cafe_tables::updated_at.eq(now),
        ))
        .execute(conn)?;
    let subject = Subject::of(RECORD, id, t.label());
    let changes = Changes::new().diff("status", t.status.clone(), status.as_str().to_string());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    find(conn, id)
}

/// A new secret: the printed code stops working at once.
pub fn renew_token(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<CafeTable, AppError> {
    let t = find(conn, id)?;
    let now = BusinessClock::now_utc();
    diesel::update(cafe_tables::table.find(id))
        .set((
            cafe_tables::token.eq(new_token()),
            cafe_tables::updated_at.eq(now),
        ))
        .execute(conn)?;
    let subject = Subject::of(RECORD, id, t.label());
    let changes = Changes::new().note("token", "replaced; the old QR code no longer works");
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    find(conn, id)
}

pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let t = find(conn, id)?;
    if !active && has_open_session(conn, id)? {
        return Err(AppError::Conflict(format!(
            "{} has an open bill: close it first.",
            t.label()
        )));
    }
    let label = t.label();
    let toggle = Toggle::new(Subject::of(RECORD, id, &label), &label, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = crate::flip_active!(c, now, cafe_tables, id, active, touch updated_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(label)
}
