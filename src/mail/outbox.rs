//! The outbox table: queue a message (once per cause), claim the next due one, mark the result.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::mail_outbox;

/// A message to queue. `dedupe_key` names its cause: queuing the same cause again is a no-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: &'static str,
    pub dedupe_key: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues `m` (in the caller's transaction); `false` when its cause was queued already.
pub fn enqueue(conn: &mut AnyConnection, m: &Message, now: NaiveDateTime) -> QueryResult<bool> {
    use mail_outbox as o;
    macro_rules! insert {
        () => {
            diesel::insert_into(o::table)
                .values((
                    o::kind.eq(m.kind),
                    o::dedupe_key.eq(&m.dedupe_key),
                    o::to_address.eq(&m.to_address),
                    o::to_name.eq(&m.to_name),
                    o::subject.eq(&m.subject),
                    o::text_body.eq(&m.text),
                    o::html_body.eq(&m.html),
                    o::status.eq(Status::Queued.as_str()),
                    o::attempts.eq(0i64),
                    o::next_attempt_at.eq(now),
                    o::created_at.eq(now),
                ))
                .on_conflict(o::dedupe_key)
                .do_nothing()
        };
    }
    let n = match conn {
        AnyConnection::Sqlite(c) => insert!().execute(c)?,
        AnyConnection::Pg(c) => insert!().execute(c)?,
    };
    Ok(n == 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Queued,
        Status::Sending,
        Status::Sent,
        Status::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Queued => "Waiting",
            Status::Sending => "Sending",
            Status::Sent => "Sent",
            Status::Failed => "Failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// How long a claim lasts: a worker that dies mid-send frees its message after this.
pub const LEASE_SECONDS: i64 = 120;
/// Attempts before a message is marked failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// The wait after the `attempt`-th failure: 1 min, 5 min, 30 min, 2 h; `None` after the last.
pub fn backoff(attempt: i64) -> Option<Duration> {
    match attempt {
        1 => Some(Duration::minutes(1)),
        2 => Some(Duration::minutes(5)),
        3 => Some(Duration::minutes(30)),
        4 => Some(Duration::hours(2)),
        _ => None,
    }
}

type ClaimedRow = (i64, String, String, String, String, String, String, i64);

/// A message this worker holds until `claimed_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
}

/// Claims the oldest message that is due and not held by another worker: one conditional
/// UPDATE that re-checks the conditions, so two workers (two instances) never both win it.
pub fn claim(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Option<Claimed>> {
    use mail_outbox as o;
    for _ in 0..5 {
        let candidate: Option<i64> = o::table
            .filter(o::status.eq_any([Status::Queued.as_str(), Status::Sending.as_str()]))
            .filter(o::next_attempt_at.le(now))
            .filter(o::claimed_until.is_null().or(o::claimed_until.lt(now)))
            .order(o::id.asc())
            .select(o::id)
            .first(conn)
            .optional()?;
        let Some(id) = candidate else { return Ok(None) };
        let won: Option<ClaimedRow> = diesel::update(
            o::table
                .find(id)
                .filter(o::status.eq_any([Status::Queued.as_str(), Status::Sending.as_str()]))
                .filter(o::claimed_until.is_null().or(o::claimed_until.lt(now))),
        )
        .set((
            o::status.eq(Status::Sending.as_str()),
            o::claimed_until.eq(now + Duration::seconds(LEASE_SECONDS)),
            o::attempts.eq(o::attempts + 1),
        ))
        .returning((
            o::id,
            o::kind,
            o::to_address,
            o::to_name,
            o::subject,
            o::text_body,
            o::html_body,
            o::attempts,
        ))
        .get_result(conn)
        .optional()?;
        if let Some(r) = won {
            return Ok(Some(Claimed {
                id: r.0,
                kind: r.1,
                to_address: r.2,
                to_name: r.3,
                subject: r.4,
                text_body: r.5,
                html_body: r.6,
                attempts: r.7,
            }));
        }
    }
    Ok(None)
}

/// The claimed message went out.
pub fn mark_sent(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    use mail_outbox as o;
    diesel::update(
        o::table
            .find(id)
            .filter(o::status.eq(Status::Sending.as_str())),
    )
    .set((
        o::status.eq(Status::Sent.as_str()),
        o::sent_at.eq(now),
        o::claimed_until.eq(None::<NaiveDateTime>),
        o::last_error.eq(""),
    ))
    .execute(conn)?;
    Ok(())
}

/// The claimed message could not be sent: try again later, or give up after the last attempt.
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    attempts: i64,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    use mail_outbox as o;
    let error: String = error.chars().take(500).collect();
    let q = o::table
        .find(id)
        .filter(o::status.eq(Status::Sending.as_str()));
    match backoff(attempts).filter(|_| attempts < MAX_ATTEMPTS) {
        Some(wait) => diesel::update(q)
            .set((
                o::status.eq(Status::Queued.as_str()),
                o::next_attempt_at.eq(now + wait),
                o::claimed_until.eq(None::<NaiveDateTime>),
                o::last_error.eq(&error),
            ))
            .execute(conn)?,
        None => diesel::update(q)
            .set((
                o::status.eq(Status::Failed.as_str()),
                o::claimed_until.eq(None::<NaiveDateTime>),
                o::last_error.eq(&error),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// "Send again" on a failed message: queued now with fresh attempts; audited.
pub fn send_again(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    use mail_outbox as o;
    let (subject, status): (String, String) = o::table
        .find(id)
        .select((o::subject, o::status))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That message"))?;
    let changed = diesel::update(
        o::table
            .find(id)
            .filter(o::status.eq(Status::Failed.as_str())),
    )
    .set((
        o::status.eq(Status::Queued.as_str()),
        o::attempts.eq(0i64),
        o::next_attempt_at.eq(now),
        o::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict(format!(
            "Only a failed message can be sent again; this one is {}.",
            Status::parse(&status)
                .map_or("unknown", |s| s.label())
                .to_lowercase()
        )));
    }
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of("mail", id, &subject),
        &Changes::new().diff("status", "failed", "queued"),
    )?;
    Ok(())
}

/// One row of the outbox page.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Newest first, optionally of one status; `limit` rows from `offset`.
pub fn list(
    conn: &mut AnyConnection,
    status: Option<Status>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    use mail_outbox as o;
    let mut q = o::table.into_boxed::<crate::platform::db::MultiBackend>();
    if let Some(s) = status {
        q = q.filter(o::status.eq(s.as_str()));
    }
    q.order(o::id.desc())
        .offset(offset)
        .limit(limit)
        .select(Row::as_select())
        .load(conn)
}

/// Counts by status, for the page's tabs.
pub fn counts(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i64)>> {
    use mail_outbox as o;
    o::table
        .group_by(o::status)
        .select((o::status, diesel::dsl::count_star()))
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_stops() {
        assert_eq!(backoff(1), Some(Duration::minutes(1)));
        assert_eq!(backoff(2), Some(Duration::minutes(5)));
        assert_eq!(backoff(3), Some(Duration::minutes(30)));
        assert_eq!(backoff(4), Some(Duration::hours(2)));
        assert_eq!(backoff(5), None);
    }
}
