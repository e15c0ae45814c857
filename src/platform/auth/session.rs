//! Staff sessions kept in the database. The cookie only carries a random token; the row decides
//! whether it is still valid, so archiving an employee or changing a password ends sessions at
//! once, and an idle session that expires is recorded as a sign-out.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::schema::{employees, staff_sessions};

pub const LOGOUT: &str = "logout";
pub const EXPIRED: &str = "expired";
pub const ARCHIVED: &str = "archived";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const PASSWORD_RESET: &str = "password_reset";

/// Only touch `last_seen_at` this often: a write per request would cost every page a write lock.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: i64,
    pub employee_id: i64,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

/// Starts a session for an employee; returns the token for the cookie and the session id.
pub fn start(
    conn: &mut AnyConnection,
    employee_id: i64,
    ip: Option<&str>,
    now: NaiveDateTime,
    idle_minutes: i64,
) -> QueryResult<(String, i64)> {
    let token = new_token();
    let id = diesel::insert_into(staff_sessions::table)
        .values((
            staff_sessions::token_hash.eq(token_hash(&token)),
            staff_sessions::employee_id.eq(employee_id),
            staff_sessions::created_at.eq(now),
            staff_sessions::last_seen_at.eq(now),
            staff_sessions::expires_at.eq(now + Duration::minutes(idle_minutes)),
            staff_sessions::ip.eq(ip),
        ))
        .returning(staff_sessions::id)
        .get_result(conn)?;
    Ok((token, id))
}

/// Slides the idle expiry forward; a no-op when another request already did.
pub fn touch(
    conn: &mut AnyConnection,
    session_id: i64,
    now: NaiveDateTime,
    idle_minutes: i64,
) -> QueryResult<()> {
    diesel::update(
        staff_sessions::table
            .filter(staff_sessions::id.eq(session_id))
            .filter(staff_sessions::ended_at.is_null())
            .filter(staff_sessions::last_seen_at.lt(now - Duration::seconds(TOUCH_EVERY_SECONDS))),
    )
    .set((
        staff_sessions::last_seen_at.eq(now),
        staff_sessions::expires_at.eq(now + Duration::minutes(idle_minutes)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends one session (conditionally: ending twice changes nothing) and updates the employee's
/// on-duty flag. Returns whether this call ended it.
pub fn end(
    conn: &mut AnyConnection,
    session_id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let ended = diesel::update(
        staff_sessions::table
            .filter(staff_sessions::id.eq(session_id))
            .filter(staff_sessions::ended_at.is_null()),
    )
    .set((
        staff_sessions::ended_at.eq(at),
        staff_sessions::end_reason.eq(reason),
    ))
    .execute(conn)?;
    if ended > 0 {
        let employee_id: i64 = staff_sessions::table
            .find(session_id)
            .select(staff_sessions::employee_id)
            .first(conn)?;
        refresh_presence(conn, employee_id, at)?;
    }
    Ok(ended > 0)
}

/// Ends every open session of an employee except `keep`, and revokes every API token they
/// hold (archived, password changed or reset: a script must sign in again too); returns how
/// many sessions ended.
pub fn end_all(
    conn: &mut AnyConnection,
    employee_id: i64,
    keep: Option<i64>,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let n = diesel::update(
        staff_sessions::table
            .filter(staff_sessions::employee_id.eq(employee_id))
            .filter(staff_sessions::ended_at.is_null())
            .filter(staff_sessions::id.ne(keep.unwrap_or(-1))),
    )
    .set((
        staff_sessions::ended_at.eq(at),
        staff_sessions::end_reason.eq(reason),
    ))
    .execute(conn)?;
    crate::platform::auth::token::revoke_all(conn, employee_id, reason, at)?;
    refresh_presence(conn, employee_id, at)?;
    Ok(n)
}

/// `is_logged_in` is true exactly while the employee has an open session.
fn refresh_presence(
    conn: &mut AnyConnection,
    employee_id: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let open: i64 = staff_sessions::table
        .filter(staff_sessions::employee_id.eq(employee_id))
        .filter(staff_sessions::ended_at.is_null())
        .count()
        .get_result(conn)?;
    if open == 0 {
        diesel::update(
            employees::table
                .filter(employees::id.eq(employee_id))
                .filter(employees::is_logged_in.eq(true)),
        )
        .set((
            employees::is_logged_in.eq(false),
            employees::last_logout_time.eq(at),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Ends one expired session, with its LOGOUT audit row. Caller holds a write transaction.
pub fn expire(
    conn: &mut AnyConnection,
    session: &SessionRow,
    employee_label: &str,
) -> QueryResult<()> {
    if end(conn, session.id, EXPIRED, session.expires_at)? {
        audit::record(
            conn,
            &Actor {
                employee_id: Some(session.employee_id),
                ip: None,
            },
            session.expires_at,
            audit::LOGOUT,
            Subject::of("employee", session.employee_id, employee_label),
            &Changes::new().note("reason", "session expired"),
        )?;
    }
    Ok(())
}

/// Ends every session whose idle time ran out; run periodically so nobody stays "on duty".
pub fn sweep_expired(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let due: Vec<(SessionRow, String)> = staff_sessions::table
        .inner_join(employees::table)
        .filter(staff_sessions::ended_at.is_null())
        .filter(staff_sessions::expires_at.le(now))
        .select((
            (
                staff_sessions::id,
                staff_sessions::employee_id,
                staff_sessions::last_seen_at,
                staff_sessions::expires_at,
                staff_sessions::ended_at,
            ),
            employees::name,
        ))
        .limit(500)
        .load(conn)?;
    for (session, name) in &due {
        expire(conn, session, name)?;
    }
    Ok(due.len())
}
