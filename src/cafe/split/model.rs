//! Splitting a bill: part 1 stays the table's bill, each other part becomes a bill of its own
//! holding its lines (a conditional UPDATE moves only lines still on the table's bill), in one
//! transaction with its audit row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::split::rules;
use crate::cafe::tab::{self, SessionHead};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::CurrentUser;
use crate::platform::db::{lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_session_lines, cafe_sessions};

/// The parts of a table's bill: (bill id, part number, closed).
pub fn parts_of(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<(i64, i64, bool)>> {
    let rows: Vec<(i64, Option<i64>, Option<NaiveDateTime>)> = cafe_sessions::table
        .filter(cafe_sessions::split_of.eq(id))
        .order(cafe_sessions::part_number.asc())
        .select((
            cafe_sessions::id,
            cafe_sessions::part_number,
            cafe_sessions::closed_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, closed)| (id, n.unwrap_or(0), closed.is_some()))
        .collect())
}

/// Splits bill `id` into parts: `picked` is (line, part) as the waiter chose. Returns the new
/// bills, part 2 first.
pub fn split(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    id: i64,
    picked: &[(i64, usize)],
    parts: usize,
    now: NaiveDateTime,
) -> Result<(SessionHead, Vec<i64>), AppError> {
    // The table's row first, as closing a bill and a guest's first order take it, then the
    // bill's: two splits of one bill, or a split and its close, wait in turn.
    let head = crate::cafe::floor::model::own_session(conn, user, id)?;
    if let Some(t) = head.table_id {
        lock_rows(
            conn,
            &format!("SELECT id FROM cafe_tables WHERE id = {t} FOR UPDATE"),
        )?;
    }
    lock_rows(
        conn,
        &format!("SELECT id FROM cafe_sessions WHERE id = {id} FOR UPDATE"),
    )?;
    let head = crate::cafe::floor::model::own_session(conn, user, id)?;
    if head.closed_at.is_some() {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    if head.split_of.is_some() {
        return Err(AppError::Conflict(
            "This is already a part of a split bill: split the table's bill instead.".into(),
        ));
    }
    let lines: Vec<i64> = cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(id))
        .order(cafe_session_lines::id.asc())
        .select(cafe_session_lines::id)
        .load(conn)?;
    if lines.len() < 2 {
        return Err(AppError::Conflict(
            "A bill needs two lines or more to split.".into(),
        ));
    }
    let groups = rules::assign(&lines, picked, parts).map_err(AppError::Unprocessable)?;
    let before: i64 = cafe_sessions::table
        .filter(cafe_sessions::split_of.eq(id))
        .count()
        .get_result(conn)?;
    let mut made = Vec::new();
    for (k, group) in groups.iter().enumerate().skip(1) {
        let number = before + k as i64 + 1;
        if number > 99 {
            return Err(AppError::Unprocessable(
                "This bill has been split into too many parts already.".into(),
            ));
        }
        let part: i64 = diesel::insert_into(cafe_sessions::table)
            .values((
                cafe_sessions::branch_id.eq(head.branch_id),
                cafe_sessions::table_id.eq(head.table_id),
                cafe_sessions::kind.eq(&head.kind),
                cafe_sessions::customer_name.eq(&head.customer_name),
                cafe_sessions::customer_phone.eq(&head.customer_phone),
                cafe_sessions::delivery_address.eq(&head.delivery_address),
                cafe_sessions::visitor_id.eq(head.visitor_id),
                cafe_sessions::opened_by_employee_id.eq(actor.employee_id),
                cafe_sessions::opened_at.eq(head.opened_at),
                cafe_sessions::bill_printed_at.eq(head.bill_printed_at),
                cafe_sessions::split_of.eq(id),
                cafe_sessions::part_number.eq(number),
            ))
            .returning(cafe_sessions::id)
            .get_result(conn)?;
        let moved = diesel::update(
            cafe_session_lines::table
                .filter(cafe_session_lines::id.eq_any(group))
                .filter(cafe_session_lines::session_id.eq(id)),
        )
        .set(cafe_session_lines::session_id.eq(part))
        .execute(conn)?;
        if moved != group.len() {
            return Err(AppError::Conflict(
                "This bill changed meanwhile: look at it again.".into(),
            ));
        }
        made.push(part);
    }
    let summary: Vec<String> = groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let bill = if k == 0 { id } else { made[k - 1] };
            format!("bill #{bill}: {} line(s)", g.len())
        })
        .collect();
    let subject = Subject::of("cafe_session", id, format!("Bill #{id}"));
    let changes = Changes::new().note("split", summary.join("; "));
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok((tab::session(conn, id)?, made))
}
