//! Tokens of the JSON API. A program signs in once (`POST /api/auth/login/`) and sends
//! `Authorization: Token <key>` after. Like staff sessions, only the key's SHA-256 is stored;
//! unlike them a token does not slide: it ends at a fixed time (a setting), at logout, or when
//! the employee is archived or their password changes. A token does not make its employee
//! "signed in" on the dashboard: a script is not a person at a till.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;

use crate::platform::auth::guard::CurrentUser;
use crate::platform::auth::role::Role;
use crate::platform::auth::session::token_hash;
use crate::platform::db::AnyConnection;
use crate::platform::schema::{api_tokens, employees};
use crate::platform::settings;

/// How many days a new token lasts (`/settings/retail`, "JSON API").
pub const LIFETIME_DAYS: &str = "api.token_days";
pub const DEFAULT_LIFETIME_DAYS: i64 = 30;
pub const MAX_LIFETIME_DAYS: i64 = 365;

/// Only note `last_used_at` this often: a write per request would cost every call a write lock.
const TOUCH_EVERY_SECONDS: i64 = 300;

/// The days a new token lasts.
pub fn lifetime_days(conn: &mut AnyConnection) -> QueryResult<i64> {
    Ok(settings::get(conn, LIFETIME_DAYS)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|d| (1..=MAX_LIFETIME_DAYS).contains(d))
        .unwrap_or(DEFAULT_LIFETIME_DAYS))
}

/// A new key: 40 hex digits (160 random bits), the shape the cafe system's clients expect.
fn new_key() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Issues a token for an employee; returns the key (shown once) and when it expires.
pub fn issue(
    conn: &mut AnyConnection,
    employee_id: i64,
    ip: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<(String, NaiveDateTime)> {
    let key = new_key();
    let expires = now + Duration::days(lifetime_days(conn)?);
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(token_hash(&key)),
            api_tokens::employee_id.eq(employee_id),
            api_tokens::created_at.eq(now),
            api_tokens::expires_at.eq(expires),
            api_tokens::last_used_at.eq(now),
            api_tokens::ip.eq(ip),
        ))
        .execute(conn)?;
    Ok((key, expires))
}

/// What a presented key turned out to be.
pub enum Presented {
    Valid(CurrentUser, bool),
    /// Unknown, revoked, expired, or its employee archived: all the same to the caller.
    Invalid,
}

/// The employee behind a key, and whether `last_used_at` is due a touch.
pub fn find(conn: &mut AnyConnection, key: &str, now: NaiveDateTime) -> QueryResult<Presented> {
    if key.len() != 40 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Presented::Invalid);
    }
    type Row = (
        (i64, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>),
        (i64, String, String, String, Option<i64>, Option<i64>, bool),
    );
    let found: Option<Row> = crate::on_backend!(conn, |c| api_tokens::table
        .inner_join(employees::table)
        .filter(api_tokens::token_hash.eq(token_hash(&key.to_ascii_lowercase())))
        .select((
            (
                api_tokens::id,
                api_tokens::expires_at,
                api_tokens::last_used_at,
                api_tokens::revoked_at,
            ),
            (
                employees::id,
                employees::username,
                employees::name,
                employees::role,
                employees::branch_id,
                employees::picture_id,
                employees::is_active,
            ),
        ))
        .first(c)
        .optional()?);
    let Some(((token_id, expires, used, revoked), (id, username, name, role, branch, pic, active))) =
        found
    else {
        return Ok(Presented::Invalid);
    };
    let role = Role::parse(&role);
    match role {
        Some(role) if active && revoked.is_none() && expires > now => Ok(Presented::Valid(
            CurrentUser {
                id,
                username,
                name,
                role,
                branch_id: branch,
                picture_id: pic,
                session_id: 0,
                api_token: Some(token_id),
            },
            (now - used).num_seconds() >= TOUCH_EVERY_SECONDS,
        )),
        _ => Ok(Presented::Invalid),
    }
}

/// Notes that a token was used (at most every few minutes; see `TOUCH_EVERY_SECONDS`).
pub fn touch(conn: &mut AnyConnection, token_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(token_id))
            .filter(api_tokens::last_used_at.lt(now - Duration::seconds(TOUCH_EVERY_SECONDS))),
    )
    .set(api_tokens::last_used_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Revokes one token; returns whether this call did (revoking twice changes nothing).
pub fn revoke(
    conn: &mut AnyConnection,
    token_id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(token_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set((
        api_tokens::revoked_at.eq(at),
        api_tokens::revoke_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every live token of an employee; returns how many.
pub fn revoke_all(
    conn: &mut AnyConnection,
    employee_id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::employee_id.eq(employee_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set((
        api_tokens::revoked_at.eq(at),
        api_tokens::revoke_reason.eq(reason),
    ))
    .execute(conn)
}

/// The key in an `Authorization: Token <key>` header (`Bearer` is accepted too).
pub fn from_header(value: &str) -> Option<&str> {
    let (scheme, key) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer"))
        .then(|| key.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_forty_hex_digits_and_differ() {
        let (a, b) = (new_key(), new_key());
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn header_schemes() {
        assert_eq!(from_header("Token abc"), Some("abc"));
        assert_eq!(from_header("token  abc "), Some("abc"));
        assert_eq!(from_header("Bearer abc"), Some("abc"));
        assert_eq!(from_header("Basic abc"), None);
        assert_eq!(from_header("abc"), None);
    }
}
