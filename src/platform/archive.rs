//! Archive and restore, the same for every record (products, suppliers, categories, menu items,
//! tables, branches, employees, sales): one conditional UPDATE flips `is_active`, so a second
//! click or a racing colleague changes nothing and hears so, and the ARCHIVE or RESTORE audit
//! row is written in the same transaction. Each record brings only its own UPDATE (its
//! timestamp columns) and its own preconditions, checked before.

use chrono::NaiveDateTime;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;

/// What is archived or restored.
pub struct Toggle<'a> {
    /// The audit record type, id and label.
    pub subject: Subject<'a>,
    /// How the refusal names it ("Cafe Latte", "This sale").
    pub name: &'a str,
    /// `true` restores, `false` archives.
    pub active: bool,
}

/// Runs `flip` — the record's `UPDATE … SET is_active = active WHERE id = ? AND is_active =
/// !active`, answering whether it changed a row and any notes for the audit row — then writes
/// the audit row, or refuses with "already archived" / "not archived". Caller holds the
/// transaction.
pub fn set_active<F>(
    conn: &mut AnyConnection,
    actor: &Actor,
    t: Toggle<'_>,
    flip: F,
) -> Result<NaiveDateTime, AppError>
where
    F: FnOnce(&mut AnyConnection, NaiveDateTime) -> Result<Option<Changes>, AppError>,
{
    let now = BusinessClock::now_utc();
    let Some(notes) = flip(conn, now)? else {
        return Err(AppError::already(t.name, t.active));
    };
    let (action, changes) = audit::archive_toggle(t.active);
    audit::record(conn, actor, now, action, t.subject, &changes.with(notes))?;
    Ok(now)
}

/// For `flip`: rows changed by the UPDATE → changed (with no notes) or not.
pub fn flipped(rows: usize) -> Option<Changes> {
    (rows > 0).then(Changes::new)
}
