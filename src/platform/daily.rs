//! Daily summaries: totals kept per business day by the transactions that change them (a
//! closed bill, a sale, a void), so reports read a few hundred rows instead of every sale.
//! The business day is the business time zone's date, and the time zone is configuration,
//! not data: each summary carries the zone it was counted in (a `business_settings` row), and
//! the server counts it again from the records, one day at a time, when it starts under
//! another zone (or on a database from before the summary existed).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::clock::BusinessClock;
use crate::platform::db::{lock_rows, write_tx, AnyConnection};
use crate::platform::schema::business_settings;

/// One kind of daily summary.
pub trait DailySummary {
    /// The `business_settings` key holding the zone the summary was counted in.
    const COUNTED_IN: &'static str;
    /// The PostgreSQL advisory lock that makes instances starting together count once.
    const LOCK: i64;
    /// The first and last moments (UTC) of the records the summary counts.
    fn span(
        conn: &mut AnyConnection,
    ) -> QueryResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)>;
    /// Forgets every day counted so far.
    fn clear(conn: &mut AnyConnection) -> QueryResult<()>;
    /// Counts the records of `[from, to)` (UTC) as business day `day`.
    fn count_day(
        conn: &mut AnyConnection,
        day: NaiveDate,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> QueryResult<()>;
    /// After every day is counted: summaries built from the daily ones (months).
    fn finish(_conn: &mut AnyConnection) -> QueryResult<()> {
        Ok(())
    }
}

fn counted_in(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<String>> {
    business_settings::table
        .find(key)
        .select(business_settings::value)
        .first(conn)
        .optional()
}

/// Counts `S` again when it was counted in another zone than `clock`'s; answers the days
/// counted (0 when nothing had to be done). One transaction.
pub fn keep<S: DailySummary>(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
) -> QueryResult<usize> {
    let zone = clock.tz.name().to_string();
    if counted_in(conn, S::COUNTED_IN)?.as_deref() == Some(zone.as_str()) {
        return Ok(0);
    }
    write_tx(conn, |conn| {
        lock_rows(conn, &format!("SELECT pg_advisory_xact_lock({})", S::LOCK))?;
        if counted_in(conn, S::COUNTED_IN)?.as_deref() == Some(zone.as_str()) {
            return Ok(0);
        }
        S::clear(conn)?;
        let mut days = 0;
        if let (Some(first), Some(last)) = S::span(conn)? {
            let mut day = clock.to_local(first).date_naive();
            let last = clock.to_local(last).date_naive();
            while day <= last {
                let (from, to) = clock.day_range_utc(Some(day), Some(day));
                if let (Some(from), Some(to)) = (from, to) {
                    S::count_day(conn, day, from, to)?;
                }
                days += 1;
                match day.succ_opt() {
                    Some(next) => day = next,
                    None => break,
                }
            }
        }
        S::finish(conn)?;
        diesel::delete(business_settings::table.find(S::COUNTED_IN)).execute(conn)?;
        diesel::insert_into(business_settings::table)
            .values((
                business_settings::key.eq(S::COUNTED_IN),
                business_settings::value.eq(&zone),
                business_settings::updated_at.eq(BusinessClock::now_utc()),
            ))
            .execute(conn)?;
        Ok(days)
    })
}
