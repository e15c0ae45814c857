//! Fixed-window counters in the database, shared by every instance on it: sign-in attempts per
//! address and per address + username, password checks per employee, anonymous guest writes
//! per visitor, address and table.
//!
//! `hit` counts and checks in one conditional upsert, so concurrent requests cannot all read
//! "9 of 10" and all go ahead: the row lock (PostgreSQL) or the write lock (SQLite) orders
//! them, and the update only happens while the window has room. The caller reserves *before*
//! the expensive or visible work and may `release` the reservation when the attempt turned out
//! fine (a successful sign-in is not a failure).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::platform::db::AnyConnection;
use crate::platform::schema::rate_limits;

/// At most `max` hits per `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    pub const fn per_minutes(max: i64, minutes: i64) -> Limit {
        Limit {
            max,
            window_secs: minutes * 60,
        }
    }
}

/// The longest window any caller uses; older rows are pruned.
pub const LONGEST_WINDOW_SECS: i64 = 24 * 60 * 60;

/// A refused hit: wait this many seconds (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub retry_after_secs: i64,
}

impl Exceeded {
    /// Whole minutes to wait, rounded up, for messages.
    pub fn minutes(self) -> i64 {
        (self.retry_after_secs + 59) / 60
    }
}

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = BigInt)]
    hits: i64,
}

const UPSERT_SQLITE: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) \
    ON CONFLICT (bucket) DO UPDATE SET \
      hits = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.hits + 1 END, \
      window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END \
    WHERE rate_limits.window_start <= ? OR rate_limits.hits < ? \
    RETURNING hits";
const UPSERT_PG: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
    ON CONFLICT (bucket) DO UPDATE SET \
      hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
      window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END \
    WHERE rate_limits.window_start <= $3 OR rate_limits.hits < $4 \
    RETURNING hits";

/// Counts one hit in `bucket`. `Ok(n)`: allowed, the `n`th hit of this window. `Err`: the
/// window is full; nothing was counted.
pub fn hit(
    conn: &mut AnyConnection,
    bucket: &str,
    limit: Limit,
    now: NaiveDateTime,
) -> QueryResult<Result<i64, Exceeded>> {
    let expired_before = now - Duration::seconds(limit.window_secs);
    let counted: Option<Hits> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(UPSERT_SQLITE)
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(expired_before)
            .bind::<Timestamp, _>(expired_before)
            .bind::<Timestamp, _>(expired_before)
            .bind::<BigInt, _>(limit.max)
            .get_result(c)
            .optional()?,
        AnyConnection::Pg(c) => diesel::sql_query(UPSERT_PG)
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(expired_before)
            .bind::<BigInt, _>(limit.max)
            .get_result(c)
            .optional()?,
    };
    if let Some(h) = counted {
        return Ok(Ok(h.hits));
    }
    let started: NaiveDateTime = rate_limits::table
        .find(bucket)
        .select(rate_limits::window_start)
        .first(conn)
        .optional()?
        .unwrap_or(now);
    crate::platform::metrics::rate_limit_refused(bucket);
    let reopens = started + Duration::seconds(limit.window_secs);
    Ok(Err(Exceeded {
        retry_after_secs: (reopens - now).num_seconds().max(1),
    }))
}

/// Gives back one reserved hit (the attempt it stood for succeeded).
pub fn release(conn: &mut AnyConnection, bucket: &str) -> QueryResult<()> {
    diesel::update(
        rate_limits::table
            .find(bucket)
            .filter(rate_limits::hits.gt(0)),
    )
    .set(rate_limits::hits.eq(rate_limits::hits - 1))
    .execute(conn)?;
    Ok(())
}

/// Forgets a bucket (a successful sign-in clears that address + username).
pub fn clear(conn: &mut AnyConnection, bucket: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(bucket)).execute(conn)?;
    Ok(())
}

/// Deletes counters whose window ended long ago.
pub fn prune(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        rate_limits::table
            .filter(rate_limits::window_start.le(now - Duration::seconds(LONGEST_WINDOW_SECS))),
    )
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up() {
        assert_eq!(
            Exceeded {
                retry_after_secs: 1
            }
            .minutes(),
            1
        );
        assert_eq!(
            Exceeded {
                retry_after_secs: 60
            }
            .minutes(),
            1
        );
        assert_eq!(
            Exceeded {
                retry_after_secs: 61
            }
            .minutes(),
            2
        );
        assert_eq!(Limit::per_minutes(10, 15).window_secs, 900);
    }
}
