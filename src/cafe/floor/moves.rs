//! Moving a table's bill to another table, and merging two tables' bills into one. Both take
//! the tables' rows in id order (PostgreSQL; SQLite has one writer), the same lock a guest's
//! first order takes on its table, so an order placed at the same moment lands either before
//! the move (and moves with the bill) or after it (on the table as it is then).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::tab::{self, SessionHead};
use crate::cafe::tables::model::{self as tables, CafeTable};
use crate::cafe::tables::rules::TableStatus;
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::CurrentUser;
use crate::platform::db::{lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{
    cafe_session_lines, cafe_sessions, cafe_tables, kitchen_tickets, reservations,
};

const RECORD: &str = "cafe_session";

/// Locks the rows of these tables, lowest id first, for the rest of the transaction.
fn lock_tables(conn: &mut AnyConnection, ids: &mut [i64]) -> QueryResult<()> {
    ids.sort_unstable();
    for id in ids.iter() {
        lock_rows(
            conn,
            &format!("SELECT id FROM cafe_tables WHERE id = {id} FOR UPDATE"),
        )?;
    }
    Ok(())
}

/// An open dine-in bill this employee may change, and its table.
fn open_at_table(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<(SessionHead, CafeTable), AppError> {
    let head = super::model::own_session(conn, user, id)?;
    if head.closed_at.is_some() {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    let table_id = head.table_id.ok_or_else(|| {
        AppError::Conflict(
            "Only a table's bill moves or merges (this one is not at a table).".into(),
        )
    })?;
    if head.split_of.is_some()
        || !crate::cafe::split::model::parts_of(conn, head.id)?
            .iter()
            .all(|p| p.2)
    {
        return Err(AppError::Conflict(
            "This bill is split into parts still open: close the parts first.".into(),
        ));
    }
    let table = tables::find(conn, table_id)?;
    Ok((head, table))
}

/// The table goes back to available if its bill made it occupied.
fn free(conn: &mut AnyConnection, table_id: i64) -> QueryResult<usize> {
    diesel::update(
        cafe_tables::table
            .find(table_id)
            .filter(cafe_tables::status.eq(TableStatus::Occupied.as_str())),
    )
    .set(cafe_tables::status.eq(TableStatus::Available.as_str()))
    .execute(conn)
}

fn occupy(conn: &mut AnyConnection, table_id: i64) -> QueryResult<usize> {
    diesel::update(
        cafe_tables::table
            .find(table_id)
            .filter(cafe_tables::status.eq_any(["available", "reserved"])),
    )
    .set(cafe_tables::status.eq(TableStatus::Occupied.as_str()))
    .execute(conn)
}

/// Moves bill `id` to table `to`, which must be a free table of the same branch that takes
/// orders. Answers the bill's branch (for the live event).
pub fn move_to(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    id: i64,
    to: i64,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let (head, from) = open_at_table(conn, user, id)?;
    lock_tables(conn, &mut [from.id, to])?;
    crate::cafe::tab::refuse_if_shared(conn, head.id)?;
    let target = tables::find(conn, to)?;
    if target.branch_id != head.branch_id {
        return Err(AppError::field_conflict(
            "table_id",
            "Choose a table of this branch.",
        ));
    }
    if target.id == from.id {
        return Err(AppError::field_conflict(
            "table_id",
            format!("The bill is already at {}.", from.label()),
        ));
    }
    if !target.is_active || !target.takes_orders() {
        return Err(AppError::field_conflict(
            "table_id",
            format!("{} is not in use: choose another table.", target.label()),
        ));
    }
    if tab::open_session_of_table(conn, target.id)?.is_some() {
        return Err(AppError::field_conflict(
            "table_id",
            format!(
                "{} has a bill open: merge the two bills instead.",
                target.label()
            ),
        ));
    }
    let moved = diesel::update(
        cafe_sessions::table
            .find(head.id)
            .filter(cafe_sessions::closed_at.is_null())
            .filter(cafe_sessions::table_id.eq(from.id)),
    )
    .set(cafe_sessions::table_id.eq(target.id))
    .execute(conn)?;
    if moved == 0 {
        return Err(AppError::Conflict(
            "This bill changed meanwhile: look at it again.".into(),
        ));
    }
    free(conn, from.id)?;
    occupy(conn, target.id)?;
    let changes = Changes::new().diff("table", from.number, target.number);
    let subject = Subject::of(RECORD, head.id, format!("Bill #{}", head.id));
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(head.branch_id)
}

/// Merges bill `from` (another table's) into bill `into`: its orders, kitchen tickets and
/// reservation join `into`, and `from` closes without a sale, saying where they went; its
/// table is free again. A bill already printed is open again (it has new lines). Answers the
/// branch.
pub fn merge(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    into: i64,
    from: i64,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    if into == from {
        return Err(AppError::field_conflict(
            "session_id",
            "Choose another table's bill.",
        ));
    }
    let (keep, keep_table) = open_at_table(conn, user, into)?;
    let (gone, gone_table) = open_at_table(conn, user, from)?;
    if keep.branch_id != gone.branch_id {
        return Err(AppError::field_conflict(
            "session_id",
            "Choose a bill of this branch.",
        ));
    }
    lock_tables(conn, &mut [keep_table.id, gone_table.id])?;
    crate::cafe::tab::refuse_if_shared(conn, keep.id.min(gone.id))?;
    crate::cafe::tab::refuse_if_shared(conn, keep.id.max(gone.id))?;
    // Closed first, conditionally: of two merges of the same bill at once, one finds it open.
    let closed = diesel::update(
        cafe_sessions::table
            .find(gone.id)
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set((
        cafe_sessions::closed_at.eq(now),
        cafe_sessions::merged_into.eq(keep.id),
    ))
    .execute(conn)?;
    let still_open = diesel::update(
        cafe_sessions::table
            .find(keep.id)
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set(cafe_sessions::bill_printed_at.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    if closed == 0 || still_open == 0 {
        return Err(AppError::Conflict(
            "One of the bills was closed meanwhile: look at the floor again.".into(),
        ));
    }
    let lines = diesel::update(
        cafe_session_lines::table.filter(cafe_session_lines::session_id.eq(gone.id)),
    )
    .set(cafe_session_lines::session_id.eq(keep.id))
    .execute(conn)?;
    diesel::update(kitchen_tickets::table.filter(kitchen_tickets::session_id.eq(gone.id)))
        .set(kitchen_tickets::session_id.eq(keep.id))
        .execute(conn)?;
    diesel::update(reservations::table.filter(reservations::session_id.eq(gone.id)))
        .set(reservations::session_id.eq(keep.id))
        .execute(conn)?;
    free(conn, gone_table.id)?;
    let label = |id: i64| format!("Bill #{id}");
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, keep.id, label(keep.id)),
        &Changes::new()
            .note(
                "merged",
                format!("{} ({})", label(gone.id), gone_table.label()),
            )
            .created("lines", lines as i64),
    )?;
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, gone.id, label(gone.id)),
        &Changes::new().note(
            "merged_into",
            format!("{} ({})", label(keep.id), keep_table.label()),
        ),
    )?;
    Ok(keep.branch_id)
}

/// The bill a merged bill went into, if it was merged.
pub fn merged_into(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<i64>> {
    cafe_sessions::table
        .find(id)
        .select(cafe_sessions::merged_into)
        .first(conn)
}

/// What the bill's page offers: free tables to move to, other tables' open bills to merge in.
pub struct MoveChoices {
    pub free_tables: Vec<(i64, String)>,
    pub other_bills: Vec<(i64, String)>,
}

pub fn choices(conn: &mut AnyConnection, head: &SessionHead) -> QueryResult<MoveChoices> {
    if head.closed_at.is_some() || head.table_id.is_none() {
        return Ok(MoveChoices {
            free_tables: vec![],
            other_bills: vec![],
        });
    }
    let open: Vec<(i64, Option<i64>)> = cafe_sessions::table
        .filter(cafe_sessions::branch_id.eq(head.branch_id))
        .filter(cafe_sessions::closed_at.is_null())
        .select((cafe_sessions::id, cafe_sessions::table_id))
        .load(conn)?;
    let all = tables::list(conn, head.branch_id, false)?;
    let mut free_tables = Vec::new();
    let mut other_bills = Vec::new();
    for t in all {
        match open.iter().find(|(_, table)| *table == Some(t.id)) {
            None if t.is_active && t.takes_orders() => free_tables.push((t.id, t.label())),
            Some((bill, _)) if *bill != head.id => {
                other_bills.push((*bill, format!("{} · bill #{bill}", t.label())))
            }
            _ => {}
        }
    }
    Ok(MoveChoices {
        free_tables,
        other_bills,
    })
}
