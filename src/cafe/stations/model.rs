//! Stations: storage, a manager's changes, which station prepares a category, firing held
//! tickets, and the expo's view of a branch's orders.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::kitchen::model::Ticket;
use crate::cafe::stations::rules::{expo_state, ExpoState, StationInput};
use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{
    kitchen_station_categories, kitchen_stations, kitchen_tickets, menu_categories,
};

pub const RECORD: &str = "kitchen_station";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kitchen_stations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Station {
    pub id: i64,
    pub branch_id: i64,
    pub code: String,
    pub name: String,
    pub late_minutes: i64,
    pub is_active: bool,
}

/// A station as the manager's page shows it, with the categories it prepares.
#[derive(Debug, Clone)]
pub struct StationSheet {
    pub station: Station,
    pub categories: Vec<i64>,
}

impl StationSheet {
    /// Whether it prepares the category (its id as a form's choice gives it).
    pub fn prepares(&self, category: &str) -> bool {
        category
            .parse::<i64>()
            .is_ok_and(|c| self.categories.contains(&c))
    }
}

pub fn of_branch(conn: &mut AnyConnection, branch: i64) -> QueryResult<Vec<StationSheet>> {
    let stations: Vec<Station> = kitchen_stations::table
        .filter(kitchen_stations::branch_id.eq(branch))
        .order((
            kitchen_stations::is_active.desc(),
            kitchen_stations::name.asc(),
        ))
        .select(Station::as_select())
        .load(conn)?;
    let links: Vec<(i64, i64)> = kitchen_station_categories::table
        .filter(kitchen_station_categories::branch_id.eq(branch))
        .select((
            kitchen_station_categories::station_id,
            kitchen_station_categories::category_id,
        ))
        .load(conn)?;
    Ok(stations
        .into_iter()
        .map(|station| StationSheet {
            categories: links
                .iter()
                .filter(|(s, _)| *s == station.id)
                .map(|(_, c)| *c)
                .collect(),
            station,
        })
        .collect())
}

/// The branch's working stations, for the kitchen's tabs.
pub fn active(conn: &mut AnyConnection, branch: i64) -> QueryResult<Vec<Station>> {
    kitchen_stations::table
        .filter(kitchen_stations::branch_id.eq(branch))
        .filter(kitchen_stations::is_active.eq(true))
        .order(kitchen_stations::name.asc())
        .select(Station::as_select())
        .load(conn)
}

/// The working station `/kitchen?station=code` names at this branch.
pub fn by_code(conn: &mut AnyConnection, branch: i64, code: &str) -> Result<Station, AppError> {
    kitchen_stations::table
        .filter(kitchen_stations::branch_id.eq(branch))
        .filter(kitchen_stations::code.eq(code.trim().to_ascii_lowercase()))
        .filter(kitchen_stations::is_active.eq(true))
        .select(Station::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::NotFound(
                "There is no such station at this branch. Choose one of the tabs.".into(),
            )
        })
}

/// Which working station prepares each category at this branch (the rest is the kitchen's).
pub fn routing(conn: &mut AnyConnection, branch: i64) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = kitchen_station_categories::table
        .inner_join(kitchen_stations::table)
        .filter(kitchen_station_categories::branch_id.eq(branch))
        .filter(kitchen_stations::is_active.eq(true))
        .select((
            kitchen_station_categories::category_id,
            kitchen_station_categories::station_id,
        ))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn find(conn: &mut AnyConnection, id: i64) -> Result<Station, AppError> {
    kitchen_stations::table
        .find(id)
        .select(Station::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That station"))
}

pub fn branch_of(conn: &mut AnyConnection, id: i64) -> Result<i64, AppError> {
    Ok(find(conn, id)?.branch_id)
}

fn taken(e: diesel::result::Error, code: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict(format!(
            "This branch already has a station with the code {code}."
        ))
    } else {
        e.into()
    }
}

/// Gives the station exactly these categories; one that another station prepares is refused.
fn set_categories(
    conn: &mut AnyConnection,
    station: &Station,
    categories: &[i64],
) -> Result<Vec<String>, AppError> {
    let names: Vec<(i64, String)> = menu_categories::table
        .filter(menu_categories::id.eq_any(categories))
        .select((menu_categories::id, menu_categories::name))
        .load(conn)?;
    if names.len() != categories.len() {
        return Err(AppError::Unprocessable(
            "One of the categories ticked does not exist. Please reload the page.".into(),
        ));
    }
    let elsewhere: Option<(String, String)> = kitchen_station_categories::table
        .inner_join(kitchen_stations::table)
        .inner_join(
            menu_categories::table
                .on(menu_categories::id.eq(kitchen_station_categories::category_id)),
        )
        .filter(kitchen_station_categories::branch_id.eq(station.branch_id))
        .filter(kitchen_station_categories::category_id.eq_any(categories))
        .filter(kitchen_station_categories::station_id.ne(station.id))
        .select((menu_categories::name, kitchen_stations::name))
        .first(conn)
        .optional()?;
    if let Some((category, other)) = elsewhere {
        return Err(AppError::Conflict(format!(
            "{category} is already prepared at {other}: untick it there first."
        )));
    }
    diesel::delete(
        kitchen_station_categories::table
            .filter(kitchen_station_categories::station_id.eq(station.id)),
    )
    .execute(conn)?;
    for c in categories {
        diesel::insert_into(kitchen_station_categories::table)
            .values((
                kitchen_station_categories::station_id.eq(station.id),
                kitchen_station_categories::category_id.eq(c),
                kitchen_station_categories::branch_id.eq(station.branch_id),
            ))
            .execute(conn)?;
    }
    let mut listed: Vec<String> = names.into_iter().map(|(_, n)| n).collect();
    listed.sort_unstable();
    Ok(listed)
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch: i64,
    s: &StationInput,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let id: i64 = diesel::insert_into(kitchen_stations::table)
        .values((
            kitchen_stations::branch_id.eq(branch),
            kitchen_stations::code.eq(&s.code),
            kitchen_stations::name.eq(&s.name),
            kitchen_stations::late_minutes.eq(s.late_minutes),
            kitchen_stations::is_active.eq(true),
            kitchen_stations::created_at.eq(now),
        ))
        .returning(kitchen_stations::id)
        .get_result(conn)
        .map_err(|e| taken(e, &s.code))?;
    let station = find(conn, id)?;
    let categories = set_categories(conn, &station, &s.categories)?;
    let changes = Changes::new()
        .created("code", s.code.as_str())
        .created("name", s.name.as_str())
        .created("late_minutes", s.late_minutes)
        .created("categories", categories.join(", "));
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, &s.name),
        &changes,
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    s: &StationInput,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    if !old.is_active {
        return Err(AppError::Conflict(
            "This station is archived: restore it before changing it.".into(),
        ));
    }
    let before: Vec<i64> = kitchen_station_categories::table
        .filter(kitchen_station_categories::station_id.eq(id))
        .select(kitchen_station_categories::category_id)
        .load(conn)?;
    diesel::update(kitchen_stations::table.find(id))
        .set((
            kitchen_stations::code.eq(&s.code),
            kitchen_stations::name.eq(&s.name),
            kitchen_stations::late_minutes.eq(s.late_minutes),
        ))
        .execute(conn)
        .map_err(|e| taken(e, &s.code))?;
    let categories = set_categories(conn, &old, &s.categories)?;
    let mut changes = Changes::new()
        .diff("code", old.code, s.code.clone())
        .diff("name", old.name, s.name.clone())
        .diff("late_minutes", old.late_minutes, s.late_minutes);
    let (mut a, mut b) = (before, s.categories.clone());
    a.sort_unstable();
    b.sort_unstable();
    if a != b {
        changes = changes.note("categories", categories.join(", "));
    }
    if !changes.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(RECORD, id, &s.name),
            &changes,
        )?;
    }
    Ok(())
}

/// Archives or restores a station (the shared archive). Archived, its categories go back to
/// the kitchen and so do its tickets not yet done: nothing is left on a board nobody watches.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let s = find(conn, id)?;
    let toggle = Toggle::new(Subject::of(RECORD, id, &s.name), &s.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        if crate::flip_active!(c, now, kitchen_stations, id, active)? == 0 {
            return Ok(None);
        }
        if active {
            return Ok(Some(Changes::new()));
        }
        diesel::delete(
            kitchen_station_categories::table.filter(kitchen_station_categories::station_id.eq(id)),
        )
        .execute(c)?;
        let moved = diesel::update(
            kitchen_tickets::table
                .filter(kitchen_tickets::station_id.eq(id))
                .filter(kitchen_tickets::status.ne("completed")),
        )
        .set(kitchen_tickets::station_id.eq(None::<i64>))
        .execute(c)?;
        Ok(Some(
            Changes::new().note("tickets_to_kitchen", moved.to_string()),
        ))
    })?;
    Ok(s.name)
}

/// Sends a bill's held tickets to their stations. Conditional: a second click fires nothing.
pub fn fire_held(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let fired = diesel::update(
        kitchen_tickets::table
            .filter(kitchen_tickets::session_id.eq(session_id))
            .filter(kitchen_tickets::held.eq(true)),
    )
    .set((
        kitchen_tickets::held.eq(false),
        kitchen_tickets::fired_at.eq(now),
    ))
    .execute(conn)?;
    if fired > 0 {
        let subject = Subject::of("cafe_session", session_id, format!("Bill #{session_id}"));
        let changes = Changes::new().note("fired", fired.to_string());
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    Ok(fired)
}

/// One order at the pass: its tickets across stations, and where it stands.
pub struct ExpoOrder {
    pub id: i64,
    pub place: String,
    pub state: ExpoState,
    pub created_at: NaiveDateTime,
    pub age_minutes: i64,
    /// (station name, ticket) for each of its tickets.
    pub tickets: Vec<(String, Ticket)>,
}

/// The branch's orders of the last hours, grouped across stations: those still cooking
/// (oldest first), then the last ones ready.
pub fn expo(
    conn: &mut AnyConnection,
    branch: i64,
    now: NaiveDateTime,
) -> QueryResult<(Vec<ExpoOrder>, Vec<ExpoOrder>)> {
    let tickets = crate::cafe::kitchen::model::recent(conn, branch, now)?;
    let names: HashMap<i64, String> = kitchen_stations::table
        .filter(kitchen_stations::branch_id.eq(branch))
        .select((kitchen_stations::id, kitchen_stations::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut orders: Vec<ExpoOrder> = Vec::new();
    for t in tickets {
        let station = t
            .station_id
            .and_then(|s| names.get(&s).cloned())
            .unwrap_or_else(|| "Kitchen".into());
        match orders.iter_mut().find(|o| o.id == t.order_id) {
            Some(o) => o.tickets.push((station, t)),
            None => orders.push(ExpoOrder {
                id: t.order_id,
                place: t.place.clone(),
                state: ExpoState::Waiting,
                created_at: t.created_at,
                age_minutes: t.age_minutes,
                tickets: vec![(station, t)],
            }),
        }
    }
    for o in &mut orders {
        let s: Vec<_> = o.tickets.iter().map(|(_, t)| (t.status, t.held)).collect();
        o.state = expo_state(&s);
    }
    let (mut ready, mut open): (Vec<ExpoOrder>, Vec<ExpoOrder>) = orders
        .into_iter()
        .partition(|o| o.state == ExpoState::Ready);
    open.sort_by_key(|o| (o.created_at, o.id));
    ready.sort_by_key(|o| {
        std::cmp::Reverse(o.tickets.iter().filter_map(|(_, t)| t.completed_at).max())
    });
    ready.truncate(8);
    Ok((open, ready))
}
