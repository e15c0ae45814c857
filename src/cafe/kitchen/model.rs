//! Tickets as the kitchen sees them, and the changes the kitchen makes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::kitchen::rules::{
    can_recall, is_late, priority_label, TicketStatus, RECALL_MINUTES,
};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::{
    cafe_session_lines, cafe_sessions, cafe_tables, kitchen_stations, kitchen_tickets,
};

#[derive(Debug, Clone)]
pub struct TicketLine {
    pub name: String,
    pub quantity: i64,
    pub notes: String,
    /// "Large · Oat · Extra shot": what the cook must make differently.
    pub modifiers: String,
}

impl TicketLine {
    /// The note with its allergy words marked, for the board.
    pub fn note_parts(&self) -> Vec<(String, bool)> {
        crate::cafe::allergens::highlight(&self.notes)
    }
}

impl Ticket {
    pub fn note_parts(&self) -> Vec<(String, bool)> {
        crate::cafe::allergens::highlight(&self.notes)
    }
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: i64,
    pub session_id: i64,
    pub status: TicketStatus,
    pub priority: i64,
    pub estimated_minutes: i64,
    pub notes: String,
    /// "Table 4", "Takeaway · Ana", "Delivery · Ben".
    pub place: String,
    pub lines: Vec<TicketLine>,
    pub age_minutes: i64,
    /// Minutes since the kitchen finished it, for finished tickets.
    pub done_minutes: Option<i64>,
    pub created_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub table_number: Option<i64>,
    pub customer_name: String,
    /// The station that prepares it (`None`: the kitchen).
    pub station_id: Option<i64>,
    /// Its station's late threshold in minutes (the kitchen goes by each ticket's estimate).
    pub station_late: Option<i64>,
    /// The order it belongs to: the id of the order's first ticket (its own, for that one).
    pub order_id: i64,
    /// Held by the waiter: not on any board until fired.
    pub held: bool,
}

impl Ticket {
    pub fn priority_label(&self) -> &'static str {
        priority_label(self.priority)
    }
    pub fn status_label(&self) -> &'static str {
        if self.held {
            "Held"
        } else {
            self.status.label()
        }
    }
    pub fn pending(&self) -> bool {
        self.status == TicketStatus::Pending
    }
    pub fn late(&self) -> bool {
        self.status != TicketStatus::Completed
            && !self.held
            && match self.station_late {
                Some(m) => crate::cafe::stations::rules::late_at_station(self.age_minutes, m),
                None => is_late(self.age_minutes, self.estimated_minutes),
            }
    }
    /// Finished recently enough to bring back to the board.
    pub fn recallable(&self) -> bool {
        self.done_minutes.is_some_and(can_recall)
    }
}

type Head = (
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    NaiveDateTime,
    String,
    String,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<i64>,
    Option<i64>,
    bool,
    Option<NaiveDateTime>,
    Option<i64>,
);

pub fn place_label(kind: &str, customer: &str, table_number: Option<i64>) -> String {
    match (kind, table_number) {
        ("dine_in", Some(n)) => format!("Table {n}"),
        (k, _) => {
            let what = if k == "delivery" {
                "Delivery"
            } else {
                "Takeaway"
            };
            if customer.is_empty() {
                what.to_string()
            } else {
                format!("{what} · {customer}")
            }
        }
    }
}

fn with_lines(
    conn: &mut AnyConnection,
    heads: Vec<Head>,
    now: NaiveDateTime,
) -> QueryResult<Vec<Ticket>> {
    let ids: Vec<i64> = heads.iter().map(|h| h.0).collect();
    let lines: Vec<(i64, String, i64, String, String)> = cafe_session_lines::table
        .filter(cafe_session_lines::ticket_id.eq_any(&ids))
        .order(cafe_session_lines::id.asc())
        .select((
            cafe_session_lines::ticket_id,
            cafe_session_lines::name,
            cafe_session_lines::quantity,
            cafe_session_lines::notes,
            cafe_session_lines::modifiers,
        ))
        .load(conn)?;
    Ok(heads
        .into_iter()
        .map(|h| Ticket {
            id: h.0,
            session_id: h.1,
            status: TicketStatus::stored(&h.2),
            priority: h.3,
            estimated_minutes: h.4,
            notes: h.5,
            place: place_label(&h.7, &h.8, h.9),
            // A held ticket reached its station when fired: its age counts from then.
            age_minutes: (now - h.14.unwrap_or(h.6)).num_minutes().max(0),
            station_id: h.11,
            order_id: h.12.unwrap_or(h.0),
            held: h.13,
            station_late: h.15,
            done_minutes: h.10.map(|at| (now - at).num_minutes().max(0)),
            created_at: h.6,
            completed_at: h.10,
            table_number: h.9,
            customer_name: h.8.clone(),
            lines: lines
                .iter()
                .filter(|l| l.0 == h.0)
                .map(|l| TicketLine {
                    name: l.1.clone(),
                    quantity: l.2,
                    notes: l.3.clone(),
                    modifiers: l.4.clone(),
                })
                .collect(),
        })
        .collect())
}

macro_rules! ticket_heads {
    () => {
        kitchen_tickets::table
            .inner_join(cafe_sessions::table.left_join(cafe_tables::table))
            .left_join(kitchen_stations::table)
            .select((
                kitchen_tickets::id,
                kitchen_tickets::session_id,
                kitchen_tickets::status,
                kitchen_tickets::priority,
                kitchen_tickets::estimated_minutes,
                kitchen_tickets::notes,
                kitchen_tickets::created_at,
                cafe_sessions::kind,
                cafe_sessions::customer_name,
                cafe_tables::number.nullable(),
                kitchen_tickets::completed_at,
                kitchen_tickets::station_id,
                kitchen_tickets::order_ticket_id,
                kitchen_tickets::held,
                kitchen_tickets::fired_at,
                kitchen_stations::late_minutes.nullable(),
            ))
    };
}

/// Which board: every station's tickets (`/kitchen`, the overview), the kitchen's own (no
/// station), or one station's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardOf {
    All,
    Kitchen,
    Station(i64),
}

impl BoardOf {
    /// -1 for every board, 0 for the kitchen's (no station), else the station.
    fn key(self) -> i64 {
        match self {
            BoardOf::All => -1,
            BoardOf::Kitchen => 0,
            BoardOf::Station(s) => s,
        }
    }
}

macro_rules! station_filter {
    ($board:expr) => {
        diesel::dsl::sql::<diesel::sql_types::Bool>("(")
            .bind::<diesel::sql_types::BigInt, _>($board.key())
            .sql(" = -1 OR COALESCE(kitchen_tickets.station_id, 0) = ")
            .bind::<diesel::sql_types::BigInt, _>($board.key())
            .sql(")")
    };
}

/// Pending and preparing tickets of a branch's board (the kitchen's, or a station's), not
/// held: urgent first, then oldest first.
pub fn open_tickets(
    conn: &mut AnyConnection,
    branch_id: i64,
    station: BoardOf,
    now: NaiveDateTime,
) -> QueryResult<Vec<Ticket>> {
    let heads: Vec<Head> = ticket_heads!()
        .filter(kitchen_tickets::branch_id.eq(branch_id))
        .filter(station_filter!(station))
        .filter(kitchen_tickets::held.eq(false))
        .filter(kitchen_tickets::status.ne(TicketStatus::Completed.as_str()))
        .order((
            kitchen_tickets::priority.desc(),
            kitchen_tickets::created_at.asc(),
            kitchen_tickets::id.asc(),
        ))
        .limit(200)
        .load(conn)?;
    with_lines(conn, heads, now)
}

/// The last tickets the kitchen finished, newest first, for the "done" column.
pub fn recently_done(
    conn: &mut AnyConnection,
    branch_id: i64,
    station: BoardOf,
    now: NaiveDateTime,
) -> QueryResult<Vec<Ticket>> {
    let heads: Vec<Head> = ticket_heads!()
        .filter(kitchen_tickets::branch_id.eq(branch_id))
        .filter(station_filter!(station))
        .filter(kitchen_tickets::status.eq(TicketStatus::Completed.as_str()))
        .filter(kitchen_tickets::created_at.gt(now - chrono::Duration::hours(12)))
        .order(kitchen_tickets::completed_at.desc())
        .limit(8)
        .load(conn)?;
    with_lines(conn, heads, now)
}

/// A branch's tickets of the last twelve hours, every station, for the expo view.
pub fn recent(
    conn: &mut AnyConnection,
    branch_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Ticket>> {
    let heads: Vec<Head> = ticket_heads!()
        .filter(kitchen_tickets::branch_id.eq(branch_id))
        .filter(kitchen_tickets::created_at.gt(now - chrono::Duration::hours(12)))
        .order(kitchen_tickets::id.desc())
        .limit(400)
        .load(conn)?;
    with_lines(conn, heads, now)
}

/// A session's tickets (the guest's status view, the floor's session page).
pub fn of_session(
    conn: &mut AnyConnection,
    session_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<Ticket>> {
    let heads: Vec<Head> = ticket_heads!()
        .filter(kitchen_tickets::session_id.eq(session_id))
        .order(kitchen_tickets::id.asc())
        .load(conn)?;
    with_lines(conn, heads, now)
}

/// What the JSON API's ticket list filters by (the cafe system's filters).
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<i64>,
    pub table_number: Option<i64>,
    /// Made within [from, until) (a business day in UTC).
    pub created: Option<(NaiveDateTime, NaiveDateTime)>,
}

/// A branch's tickets matching `f`, oldest first, one page: (count, page).
pub fn list(
    conn: &mut AnyConnection,
    branch_id: i64,
    f: &TicketFilter,
    (offset, limit): (i64, i64),
    now: NaiveDateTime,
) -> QueryResult<(i64, Vec<Ticket>)> {
    use crate::platform::db::MultiBackend;
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = $q
                .filter(kitchen_tickets::branch_id.eq(branch_id))
                .into_boxed::<MultiBackend>();
            if let Some(s) = f.status {
                q = q.filter(kitchen_tickets::status.eq(s.as_str()));
            }
            if let Some(p) = f.priority {
                q = q.filter(kitchen_tickets::priority.eq(p));
            }
            if let Some(n) = f.table_number {
                q = q.filter(cafe_tables::number.nullable().eq(n));
            }
            if let Some((from, until)) = f.created {
                q = q
                    .filter(kitchen_tickets::created_at.ge(from))
                    .filter(kitchen_tickets::created_at.lt(until));
            }
            q
        }};
    }
    let count: i64 = filtered!(
        kitchen_tickets::table.inner_join(cafe_sessions::table.left_join(cafe_tables::table))
    )
    .count()
    .get_result(conn)?;
    let heads: Vec<Head> = filtered!(ticket_heads!())
        .order((kitchen_tickets::created_at.asc(), kitchen_tickets::id.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((count, with_lines(conn, heads, now)?))
}

/// One ticket with its lines.
pub fn one(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> Result<Ticket, AppError> {
    let heads: Vec<Head> = ticket_heads!()
        .filter(kitchen_tickets::id.eq(id))
        .load(conn)?;
    with_lines(conn, heads, now)?
        .pop()
        .ok_or_else(|| AppError::not_found("That ticket"))
}

pub fn branch_of(conn: &mut AnyConnection, id: i64) -> Result<i64, AppError> {
    kitchen_tickets::table
        .find(id)
        .select(kitchen_tickets::branch_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That ticket"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Start,
    Done,
    /// A finished ticket back to preparing, within `RECALL_MINUTES` and while its bill is open.
    Recall,
}

/// Start (pending → preparing) or Done (pending/preparing → completed), as one conditional
/// UPDATE: a second click, or a second cook, gets a clear refusal instead of a double change.
/// Returns (branch, session) for the live update.
pub fn advance(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    step: Step,
) -> Result<(i64, i64), AppError> {
    let (branch_id, session_id, stored, held): (i64, i64, String, bool) = kitchen_tickets::table
        .find(id)
        .select((
            kitchen_tickets::branch_id,
            kitchen_tickets::session_id,
            kitchen_tickets::status,
            kitchen_tickets::held,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That ticket"))?;
    if held {
        return Err(AppError::Conflict(
            "This ticket is held: it reaches the kitchen when the waiter fires it.".into(),
        ));
    }
    let status = TicketStatus::stored(&stored);
    let now = BusinessClock::now_utc();
    let target = kitchen_tickets::table.find(id);
    let (changed, new_status) = match step {
        Step::Start => (
            diesel::update(
                target.filter(kitchen_tickets::status.eq(TicketStatus::Pending.as_str())),
            )
            .set((
                kitchen_tickets::status.eq(TicketStatus::Preparing.as_str()),
                kitchen_tickets::started_at.eq(now),
            ))
            .execute(conn)?,
            TicketStatus::Preparing,
        ),
        Step::Done => (
            diesel::update(
                target.filter(kitchen_tickets::status.ne(TicketStatus::Completed.as_str())),
            )
            .set((
                kitchen_tickets::status.eq(TicketStatus::Completed.as_str()),
                kitchen_tickets::completed_at.eq(now),
            ))
            .execute(conn)?,
            TicketStatus::Completed,
        ),
        Step::Recall => {
            let bill_open: bool = cafe_sessions::table
                .find(session_id)
                .select(cafe_sessions::closed_at.is_null())
                .first(conn)?;
            if !bill_open {
                return Err(AppError::Conflict(format!(
                    "Ticket {id} belongs to a bill that is already closed; it cannot be recalled."
                )));
            }
            let since = now - chrono::Duration::minutes(RECALL_MINUTES);
            (
                diesel::update(
                    target
                        .filter(kitchen_tickets::status.eq(TicketStatus::Completed.as_str()))
                        .filter(kitchen_tickets::completed_at.ge(since)),
                )
                .set((
                    kitchen_tickets::status.eq(TicketStatus::Preparing.as_str()),
                    kitchen_tickets::completed_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?,
                TicketStatus::Preparing,
            )
        }
    };
    if changed == 0 {
        return Err(AppError::Conflict(
            if step == Step::Recall && status == TicketStatus::Completed {
                format!(
                "Ticket {id} was finished more than {RECALL_MINUTES} minutes ago; it can no longer be recalled."
            )
            } else if step == Step::Recall {
                format!("Ticket {id} is not finished; there is nothing to recall.")
            } else {
                format!("Ticket {id} is already {}.", status.label().to_lowercase())
            },
        ));
    }
    let subject = Subject::of("kitchen_ticket", id, format!("Ticket {id}"));
    let changes = Changes::new().diff("status", status.as_str(), new_status.as_str());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok((branch_id, session_id))
}

pub fn set_priority(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    priority: i64,
) -> Result<(i64, i64), AppError> {
    let (branch_id, session_id, old, status): (i64, i64, i64, String) = kitchen_tickets::table
        .find(id)
        .select((
            kitchen_tickets::branch_id,
            kitchen_tickets::session_id,
            kitchen_tickets::priority,
            kitchen_tickets::status,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That ticket"))?;
    if TicketStatus::stored(&status) == TicketStatus::Completed {
        return Err(AppError::Conflict(format!(
            "Ticket {id} is already done; its priority cannot change."
        )));
    }
    if old != priority {
        diesel::update(kitchen_tickets::table.find(id))
            .set(kitchen_tickets::priority.eq(priority))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            BusinessClock::now_utc(),
            audit::UPDATE,
            Subject::of("kitchen_ticket", id, format!("Ticket {id}")),
            &Changes::new().diff("priority", priority_label(old), priority_label(priority)),
        )?;
    }
    Ok((branch_id, session_id))
}

/// What a bulk completion did with each ticket it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkDone {
    pub done: usize,
    pub already: usize,
    /// Unknown ids, or tickets of another branch (which this kitchen may not touch).
    pub not_found: usize,
    /// Sessions whose tickets changed, for live updates.
    pub sessions: Vec<i64>,
}

impl BulkDone {
    /// "2 marked ready, 1 already done, 1 not found."
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{} marked ready", self.done)];
        if self.already > 0 {
            parts.push(format!("{} already done", self.already));
        }
        if self.not_found > 0 {
            parts.push(format!("{} not found", self.not_found));
        }
        parts.join(", ") + "."
    }
}

/// Completes the given open tickets of a branch and says what happened to each.
pub fn complete_many(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    ids: &[i64],
) -> Result<BulkDone, AppError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mine: Vec<(i64, i64, String)> = kitchen_tickets::table
        .filter(kitchen_tickets::id.eq_any(&ids))
        .filter(kitchen_tickets::branch_id.eq(branch_id))
        .select((
            kitchen_tickets::id,
            kitchen_tickets::session_id,
            kitchen_tickets::status,
        ))
        .load(conn)?;
    let mut out = BulkDone {
        not_found: ids.len() - mine.len(),
        ..BulkDone::default()
    };
    for (id, session_id, status) in mine {
        if TicketStatus::stored(&status) == TicketStatus::Completed {
            out.already += 1;
            continue;
        }
        advance(conn, actor, id, Step::Done)?;
        out.done += 1;
        if !out.sessions.contains(&session_id) {
            out.sessions.push(session_id);
        }
    }
    Ok(out)
}
