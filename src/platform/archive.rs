//! Archive and restore, the same for every record (products, suppliers, categories, menu items,
//! tables, branches, employees, sales): one conditional UPDATE flips `is_active`, so a second
//! click or a racing colleague changes nothing and hears so, and the ARCHIVE or RESTORE audit
//! row is written in the same transaction. Each record brings only its own UPDATE (its
//! timestamp columns) and its own preconditions, checked before.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::page::see_other;
use crate::platform::state::AppState;

/// What is archived or restored.
pub struct Toggle<'a> {
    /// The audit record type, id and label.
    pub subject: Subject<'a>,
    /// How the refusal names it ("Cafe Latte", "This sale").
    pub name: &'a str,
    /// `true` restores, `false` archives.
    pub active: bool,
}

impl<'a> Toggle<'a> {
    pub fn new(subject: Subject<'a>, name: &'a str, active: bool) -> Toggle<'a> {
        Toggle {
            subject,
            name,
            active,
        }
    }
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

/// The archive and restore buttons of one kind of record: its change, what the flash says and
/// where the browser goes next. The routes are `archive::<R>` and `restore::<R>`.
pub trait ArchiveRoutes {
    /// The record's `set_active`, run in the write transaction; answers the record's name.
    const SET_ACTIVE: SetActive;
    /// The flash after archiving and after restoring; `{name}` stands for the record's name.
    const SAID: [&'static str; 2];
    /// The page after archiving and after restoring; `{id}` stands for the record's id.
    const THEN: [&'static str; 2];
}

/// A record's archive (`false`) or restore (`true`) with its audit row.
pub type SetActive = fn(&mut AnyConnection, &Actor, i64, bool) -> Result<String, AppError>;

pub async fn archive<R: ArchiveRoutes>(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    answer::<R>(actor, &state, &session, id.into_inner(), false).await
}

pub async fn restore<R: ArchiveRoutes>(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    answer::<R>(actor, &state, &session, id.into_inner(), true).await
}

async fn answer<R: ArchiveRoutes>(
    actor: Actor,
    state: &AppState,
    session: &Session,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let name = state
        .db
        .write(move |c| R::SET_ACTIVE(c, &actor, id, active))
        .await?;
    let which = usize::from(active);
    flash::success(session, R::SAID[which].replace("{name}", &name));
    Ok(see_other(&R::THEN[which].replace("{id}", &id.to_string())))
}

/// A record's flip for `set_active`: `UPDATE table SET is_active = active [, stamp = NULL or
/// now] [, touch = now] WHERE id = ? AND is_active = !active`, answering the rows changed.
/// `stamp` names the "archived at" column, `touch` the "updated at" one, where the table has
/// them.
#[macro_export]
macro_rules! flip_active {
    ($conn:expr, $now:expr, $t:ident, $id:expr, $active:expr $(, stamp $stamp:ident)? $(, touch $touch:ident)?) => {{
        use diesel::prelude::*;
        use $crate::platform::schema::$t;
        let (active, now): (bool, chrono::NaiveDateTime) = ($active, $now);
        let _ = now;
        diesel::update($t::table.find($id).filter($t::is_active.eq(!active)))
            .set((
                $t::is_active.eq(active),
                $($t::$stamp.eq(if active { None } else { Some(now) }),)?
                $($t::$touch.eq(now),)?
            ))
            .execute($conn)
    }};
}
