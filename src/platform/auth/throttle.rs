//! Login throttle: more than 10 failed attempts for one IP + username within 15 minutes and
//! further attempts are refused until the oldest failure leaves the window. Kept in the
//! database so that it holds across restarts and across instances behind a proxy.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::db::AnyConnection;
use crate::platform::schema::login_failures;

pub const MAX_FAILURES: i64 = 10;
pub const WINDOW_MINUTES: i64 = 15;

/// `Err(minutes)` when this IP + username must wait that many minutes.
pub fn check(
    conn: &mut AnyConnection,
    ip: &str,
    username: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<(), i64>> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let recent: Vec<NaiveDateTime> = login_failures::table
        .filter(login_failures::ip.eq(ip))
        .filter(login_failures::username.eq(username))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.desc())
        .select(login_failures::failed_at)
        .limit(MAX_FAILURES)
        .load(conn)?;
    if (recent.len() as i64) < MAX_FAILURES {
        return Ok(Ok(()));
    }
    // The window reopens when the oldest of the last MAX_FAILURES failures is 15 minutes old.
    let oldest = recent.last().copied().unwrap_or(now);
    Ok(Err(minutes_until(
        oldest + Duration::minutes(WINDOW_MINUTES),
        now,
    )))
}

pub fn minutes_until(until: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let secs = (until - now).num_seconds().max(1);
    (secs + 59) / 60
}

pub fn record_failure(
    conn: &mut AnyConnection,
    ip: &str,
    username: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::ip.eq(ip),
            login_failures::username.eq(username),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn clear(conn: &mut AnyConnection, ip: &str, username: &str) -> QueryResult<()> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::ip.eq(ip))
            .filter(login_failures::username.eq(username)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn prune(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::failed_at.le(now - Duration::minutes(WINDOW_MINUTES))),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_waiting_time_up_to_whole_minutes() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(minutes_until(now + Duration::seconds(30), now), 1);
        assert_eq!(minutes_until(now + Duration::seconds(14 * 60 + 1), now), 15);
        assert_eq!(minutes_until(now, now), 1);
    }
}
