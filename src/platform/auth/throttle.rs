//! Sign-in and password-check throttles on the shared counters of `platform::rate_limit`.
//!
//! A sign-in attempt reserves one hit per source address (whatever the username: random
//! usernames cannot dodge it) and one per address + username *before* the password is checked,
//! so 60 simultaneous guesses verify at most the limit. A successful attempt gives its
//! reservations back; a failed one keeps them as the failure count.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::platform::db::AnyConnection;
use crate::platform::rate_limit::{self, Exceeded, Limit};

/// Failed sign-ins per address + username.
pub const PER_ACCOUNT: Limit = Limit::per_minutes(10, 15);
/// Failed sign-ins per address, any usernames (a shop's staff share one address behind NAT).
pub const PER_ADDRESS: Limit = Limit::per_minutes(30, 15);
/// Wrong current passwords per employee on the password-change form.
pub const PASSWORD_CHANGE: Limit = Limit::per_minutes(10, 15);

fn address_bucket(ip: &str) -> String {
    format!("login-ip:{ip}")
}

fn account_bucket(ip: &str, username: &str) -> String {
    format!("login:{ip}:{username}")
}

fn password_change_bucket(employee_id: i64) -> String {
    format!("password-change:{employee_id}")
}

/// Reserves one sign-in attempt. `Ok(n)`: the `n`th attempt from this address in its window.
pub fn reserve_sign_in(
    conn: &mut AnyConnection,
    ip: &str,
    username: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<i64, Exceeded>> {
    let n = match rate_limit::hit(conn, &address_bucket(ip), PER_ADDRESS, now)? {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = rate_limit::hit(conn, &account_bucket(ip, username), PER_ACCOUNT, now)? {
        rate_limit::release(conn, &address_bucket(ip))?;
        return Ok(Err(e));
    }
    Ok(Ok(n))
}

/// Gives back a reservation whose password was never checked (the server was busy).
pub fn unreserve_sign_in(conn: &mut AnyConnection, ip: &str, username: &str) -> QueryResult<()> {
    rate_limit::release(conn, &address_bucket(ip))?;
    rate_limit::release(conn, &account_bucket(ip, username))
}

/// A successful sign-in: its attempt is not a failure, and this username starts afresh.
pub fn signed_in(conn: &mut AnyConnection, ip: &str, username: &str) -> QueryResult<()> {
    rate_limit::release(conn, &address_bucket(ip))?;
    rate_limit::clear(conn, &account_bucket(ip, username))
}

/// Reserves one check of an employee's current password.
pub fn reserve_password_check(
    conn: &mut AnyConnection,
    employee_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Result<i64, Exceeded>> {
    rate_limit::hit(
        conn,
        &password_change_bucket(employee_id),
        PASSWORD_CHANGE,
        now,
    )
}

/// The current password was right: the check does not count against the employee.
pub fn password_check_passed(conn: &mut AnyConnection, employee_id: i64) -> QueryResult<()> {
    rate_limit::release(conn, &password_change_bucket(employee_id))
}

/// Which failed attempts from one address get an audit row: the first of the window, and the
/// one that fills it (the summary). The counter holds the rest.
pub fn audit_failure(address_attempt: i64) -> bool {
    address_attempt == 1 || address_attempt == PER_ADDRESS.max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audits_the_first_failure_and_the_summary() {
        assert!(audit_failure(1));
        assert!(!audit_failure(2));
        assert!(!audit_failure(PER_ADDRESS.max - 1));
        assert!(audit_failure(PER_ADDRESS.max));
    }
}
