use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::reservations::rules::{
    next, overlaps, within_hours, Action, ReservationInput, Status,
};
use crate::cafe::settings::CafeSettings;
use crate::cafe::tab;
use crate::cafe::tables::model::{self as tables, CafeTable};
use crate::cafe::tables::rules::TableStatus;
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_tables, reservations};

pub const RECORD: &str = "reservation";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reservations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Reservation {
    pub id: i64,
    pub branch_id: i64,
    pub table_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub party_size: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub notes: String,
    pub status: String,
    pub source: String,
    pub session_id: Option<i64>,
}

impl Reservation {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Pending)
    }

    pub fn label(&self) -> String {
        format!("{} × {}", self.customer_name, self.party_size)
    }
}

/// A reservation with its table's number, as lists show it.
#[derive(Debug, Clone)]
pub struct ReservationRow {
    pub r: Reservation,
    pub table_number: i64,
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Reservation, AppError> {
    reservations::table
        .find(id)
        .select(Reservation::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That reservation"))
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// UTC range of the local days asked for.
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub status: Option<Status>,
    pub table_id: Option<i64>,
    /// Name or phone, lower case.
    pub q: Option<String>,
    /// Latest first (the JSON API's `?ordering=-reserved_date`).
    pub latest_first: bool,
}

/// The reservations of a branch matching `f`, as a boxed query (the list and its count).
macro_rules! matching {
    ($branch_id:expr, $f:expr) => {{
        let f: &Filter = $f;
        let mut q = reservations::table
            .inner_join(cafe_tables::table)
            .filter(reservations::branch_id.eq($branch_id))
            .into_boxed::<crate::platform::db::MultiBackend>();
        if let Some(from) = f.from {
            q = q.filter(reservations::starts_at.ge(from));
        }
        if let Some(to) = f.to {
            q = q.filter(reservations::starts_at.lt(to));
        }
        if let Some(s) = f.status {
            q = q.filter(reservations::status.eq(s.as_str()));
        }
        if let Some(t) = f.table_id {
            q = q.filter(reservations::table_id.eq(t));
        }
        if let Some(text) = &f.q {
            let pattern = crate::platform::db::contains_pattern(text);
            q = q.filter(
                crate::platform::db::lower(reservations::customer_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(reservations::customer_phone.like(pattern).escape('\\')),
            );
        }
        q
    }};
}

/// How many reservations of a branch match `f`.
pub fn count(conn: &mut AnyConnection, branch_id: i64, f: &Filter) -> QueryResult<i64> {
    matching!(branch_id, f).count().get_result(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    branch_id: i64,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ReservationRow>> {
    let q = matching!(branch_id, f);
    let q = if f.latest_first {
        q.order((reservations::starts_at.desc(), reservations::id.desc()))
    } else {
        q.order((reservations::starts_at.asc(), reservations::id.asc()))
    };
    let rows: Vec<(Reservation, i64)> = q
        .offset(offset)
        .limit(limit)
        .select((Reservation::as_select(), cafe_tables::number))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(r, table_number)| ReservationRow { r, table_number })
        .collect())
}

/// The tables that could take `party` guests over `[start, end)`: active, not in maintenance,
/// big enough, and held by no booking then. Smallest first.
pub fn free_tables(
    conn: &mut AnyConnection,
    branch_id: i64,
    start: NaiveDateTime,
    end: NaiveDateTime,
    party: i64,
) -> QueryResult<Vec<CafeTable>> {
    let busy: Vec<i64> = reservations::table
        .filter(reservations::branch_id.eq(branch_id))
        .filter(reservations::status.eq_any(Status::HOLDING))
        .filter(reservations::starts_at.lt(end))
        .filter(reservations::ends_at.gt(start))
        .select(reservations::table_id)
        .load(conn)?;
    let mut free: Vec<CafeTable> = tables::list(conn, branch_id, false)?
        .into_iter()
        .filter(|t| {
            t.is_active
                && t.status() != TableStatus::Maintenance
                && t.capacity >= party
                && !busy.contains(&t.id)
        })
        .collect();
    free.sort_by_key(|t| (t.capacity, t.number));
    Ok(free)
}

/// Who is booking: staff (audited as themselves) or a guest's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Staff,
    Guest,
}

/// Checks a booking against the table, the clock, the opening hours and every other booking of
/// the table; the caller holds the write transaction. Answers the UTC range.
fn check(
    conn: &mut AnyConnection,
    branch_id: i64,
    editing: Option<&Reservation>,
    i: &ReservationInput,
    clock: &BusinessClock,
    settings: &CafeSettings,
) -> Result<(NaiveDateTime, NaiveDateTime), AppError> {
    let table = tables::find(conn, i.table_id)
        .map_err(|_| AppError::field_invalid("table_id", "Choose a table from the list."))?;
    if table.branch_id != branch_id || !table.is_active {
        return Err(AppError::field_invalid(
            "table_id",
            "Choose a table from the list.",
        ));
    }
    if table.status() == TableStatus::Maintenance {
        return Err(AppError::field_conflict(
            "table_id",
            format!("Table {} is in maintenance.", table.number),
        ));
    }
    if i.party_size > table.capacity {
        return Err(AppError::field_invalid(
            "party_size",
            format!(
                "Table {} seats {}; choose a larger table for {}.",
                table.number, table.capacity, i.party_size
            ),
        ));
    }
    let (local_start, local_end) = i.local_range();
    if !within_hours(settings.opens, settings.closes, local_start, local_end) {
        return Err(AppError::field_invalid(
            "time",
            format!(
                "The cafe is open {} to {}; the booking must start and end within those hours.",
                settings.opens.format("%H:%M"),
                settings.closes.format("%H:%M")
            ),
        ));
    }
    let (start, end) = (
        clock.local_to_utc(local_start),
        clock.local_to_utc(local_end),
    );
    let moved = editing.is_none_or(|r| r.starts_at != start);
    if moved && start < BusinessClock::now_utc() {
        return Err(AppError::field_invalid(
            "time",
            "That time has passed; choose a time to come.",
        ));
    }
    // Bookings of one table are checked one at a time: PostgreSQL locks the table's row (in id
    // order when an edit moves between tables), SQLite's write lock already serialises.
    let mut ids = vec![i.table_id];
    if let Some(r) = editing {
        ids.push(r.table_id);
    }
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        lock_rows(
            conn,
            &format!("SELECT id FROM cafe_tables WHERE id = {id} FOR UPDATE"),
        )?;
    }
    let others: Vec<(NaiveDateTime, NaiveDateTime)> = reservations::table
        .filter(reservations::table_id.eq(i.table_id))
        .filter(reservations::status.eq_any(Status::HOLDING))
        .filter(reservations::id.ne(editing.map_or(0, |r| r.id)))
        .filter(reservations::starts_at.lt(end))
        .filter(reservations::ends_at.gt(start))
        .select((reservations::starts_at, reservations::ends_at))
        .load(conn)?;
    if let Some(clash) = others.into_iter().find(|o| overlaps(*o, (start, end))) {
        let show = |t: NaiveDateTime| clock.to_local(t).format("%H:%M").to_string();
        return Err(AppError::field_conflict(
            "time",
            format!(
                "Table {} is already booked from {} to {} that day.",
                table.number,
                show(clash.0),
                show(clash.1)
            ),
        ));
    }
    Ok((start, end))
}

/// A new booking (Pending from a guest, Confirmed when staff book it), or the one this key
/// already made.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    i: &ReservationInput,
    source: Source,
    key: Option<&str>,
    clock: &BusinessClock,
    settings: &CafeSettings,
) -> Result<i64, AppError> {
    if let Some(k) = key {
        let done: Option<i64> = reservations::table
            .filter(reservations::idempotency_key.eq(k))
            .select(reservations::id)
            .first(conn)
            .optional()?;
        if let Some(id) = done {
            return Ok(id);
        }
    }
    let (start, end) = check(conn, branch_id, None, i, clock, settings)?;
    let now = BusinessClock::now_utc();
    let status = match source {
        Source::Staff => Status::Confirmed,
        Source::Guest => Status::Pending,
    };
    let inserted = conn.transaction(|c| {
        diesel::insert_into(reservations::table)
            .values((
                reservations::branch_id.eq(branch_id),
                reservations::table_id.eq(i.table_id),
                reservations::customer_name.eq(&i.customer_name),
                reservations::customer_phone.eq(&i.customer_phone),
                reservations::party_size.eq(i.party_size),
                reservations::starts_at.eq(start),
                reservations::ends_at.eq(end),
                reservations::notes.eq(&i.notes),
                reservations::status.eq(status.as_str()),
                reservations::source.eq(match source {
                    Source::Staff => "staff",
                    Source::Guest => "guest",
                }),
                reservations::idempotency_key.eq(key),
                reservations::created_by.eq(actor.employee_id),
                reservations::created_at.eq(now),
                reservations::updated_at.eq(now),
            ))
            .returning(reservations::id)
            .get_result::<i64>(c)
    });
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::Conflict(
                "This booking was just made; open the reservations list.".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let when = clock.format(start);
    let changes = Changes::new()
        .created("table_id", i.table_id)
        .created("party_size", i.party_size)
        .created("starts_at", when)
        .created("status", status.as_str());
    let label = format!("{} × {}", i.customer_name, i.party_size);
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, label),
        &changes,
    )?;
    Ok(id)
}

/// Changes a booking; whatever it changes, the table and time are checked again.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &ReservationInput,
    clock: &BusinessClock,
    settings: &CafeSettings,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    if !old.status().holds_table() {
        return Err(AppError::Conflict(format!(
            "This reservation is {}; it can no longer be changed.",
            old.status().label().to_lowercase()
        )));
    }
    let (start, end) = check(conn, old.branch_id, Some(&old), i, clock, settings)?;
    let now = BusinessClock::now_utc();
    let n = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq(&old.status)),
    )
    .set((
        reservations::table_id.eq(i.table_id),
        reservations::customer_name.eq(&i.customer_name),
        reservations::customer_phone.eq(&i.customer_phone),
        reservations::party_size.eq(i.party_size),
        reservations::starts_at.eq(start),
        reservations::ends_at.eq(end),
        reservations::notes.eq(&i.notes),
        reservations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::Conflict(
            "The reservation changed meanwhile; open it again.".into(),
        ));
    }
    let changes = Changes::new()
        .diff("table_id", old.table_id, i.table_id)
        .diff(
            "customer_name",
            old.customer_name.as_str(),
            i.customer_name.as_str(),
        )
        .diff(
            "customer_phone",
            old.customer_phone.as_str(),
            i.customer_phone.as_str(),
        )
        .diff("party_size", old.party_size, i.party_size)
        .diff(
            "starts_at",
            clock.format(old.starts_at),
            clock.format(start),
        )
        .diff("ends_at", clock.format(old.ends_at), clock.format(end))
        .diff("notes", old.notes.as_str(), i.notes.as_str());
    if !changes.is_empty() {
        let label = format!("{} × {}", i.customer_name, i.party_size);
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(RECORD, id, label),
            &changes,
        )?;
    }
    Ok(())
}

/// Confirm, seat (the table's bill opens and the table is occupied), complete, cancel or
/// no-show: a conditional UPDATE from the status the button was shown for, so two clicks move
/// it once.
pub fn act(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    action: Action,
) -> Result<Reservation, AppError> {
    let r = find(conn, id)?;
    let to = next(r.status(), action).ok_or_else(|| {
        AppError::Conflict(format!(
            "This reservation is {}; it cannot be marked {}.",
            r.status().label().to_lowercase(),
            action.target().label().to_lowercase()
        ))
    })?;
    let now = BusinessClock::now_utc();
    let mut session_id = r.session_id;
    if action == Action::Seat {
        let table = tables::find(conn, r.table_id)?;
        if table.status() == TableStatus::Maintenance {
            return Err(AppError::Conflict(format!(
                "Table {} is in maintenance.",
                table.number
            )));
        }
        // Another party's bill still open at the table: they have not left yet.
        if tab::open_session_of_table(conn, table.id)?.is_some() {
            return Err(AppError::Conflict(format!(
                "Table {} still has an open bill; close it first or move the booking to another table.",
                table.number
            )));
        }
        let (session, _) = tab::open_for_table(conn, &table, None, actor, now)?;
        session_id = Some(session.id);
    }
    let n = diesel::update(
        reservations::table
            .find(id)
            .filter(reservations::status.eq(&r.status)),
    )
    .set((
        reservations::status.eq(to.as_str()),
        reservations::session_id.eq(session_id),
        reservations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::Conflict(
            "Someone else just changed this reservation; look again.".into(),
        ));
    }
    let changes = Changes::new().diff("status", r.status.clone(), to.as_str().to_string());
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, r.label()),
        &changes,
    )?;
    find(conn, id)
}

/// A guest's request from the public form (already admitted by the rate limits): the smallest
/// free table that fits is held, Pending, until staff confirm. Refusals never name another
/// guest.
#[allow(clippy::too_many_arguments)]
pub fn request(
    conn: &mut AnyConnection,
    hint: &crate::cafe::visitors::GuestHint,
    branch_id: i64,
    input: &ReservationInput,
    key: &str,
    clock: &BusinessClock,
    settings: &CafeSettings,
) -> Result<i64, AppError> {
    let (local_start, local_end) = input.local_range();
    let (start, end) = (
        clock.local_to_utc(local_start),
        clock.local_to_utc(local_end),
    );
    let table = free_tables(conn, branch_id, start, end, input.party_size)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            AppError::field_conflict(
                "time",
                format!(
                    "No table for {} is free at that time. Try another time{}.",
                    input.party_size,
                    if settings.phone.is_empty() {
                        String::new()
                    } else {
                        format!(" or call us on {}", settings.phone)
                    }
                ),
            )
        })?;
    let held = ReservationInput {
        table_id: table.id,
        ..input.clone()
    };
    create(
        conn,
        &crate::platform::audit::Actor {
            employee_id: None,
            ip: hint.ip.clone(),
        },
        branch_id,
        &held,
        Source::Guest,
        Some(key),
        clock,
        settings,
    )
}
