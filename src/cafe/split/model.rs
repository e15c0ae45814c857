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

/// Takes the table's bill to split: the table's row first, as closing a bill and a guest's
/// first order take it, then the bill's, so two splits of one bill, or a split and its close,
/// wait in turn. Refuses a closed bill, a part, and a bill already shared evenly.
fn take_bill(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<SessionHead, AppError> {
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
    refuse_unsplittable(conn, &head)?;
    Ok(head)
}

/// Refuses (409, with the reason) a bill that cannot be split: closed, a part, or shared.
pub fn refuse_unsplittable(conn: &mut AnyConnection, head: &SessionHead) -> Result<(), AppError> {
    let shared = tab::share_of(conn, head.id)?.map(|s| s.of_n);
    match rules::why_not_split(head.closed_at.is_some(), head.split_of.is_some(), shared) {
        Some(why) => Err(AppError::Conflict(why)),
        None => Ok(()),
    }
}

/// A new part of bill `head` (numbered after the parts it has), returning its id.
fn new_part(
    conn: &mut AnyConnection,
    actor: &Actor,
    head: &SessionHead,
    printed: Option<NaiveDateTime>,
) -> Result<i64, AppError> {
    let before: i64 = cafe_sessions::table
        .filter(cafe_sessions::split_of.eq(head.id))
        .count()
        .get_result(conn)?;
    let number = before + 2;
    if number > 99 {
        return Err(AppError::Unprocessable(
            "This bill has been split into too many parts already.".into(),
        ));
    }
    Ok(diesel::insert_into(cafe_sessions::table)
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
            cafe_sessions::bill_printed_at.eq(printed),
            cafe_sessions::split_of.eq(head.id),
            cafe_sessions::part_number.eq(number),
        ))
        .returning(cafe_sessions::id)
        .get_result(conn)?)
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
    let head = take_bill(conn, user, id)?;
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
    let mut made = Vec::new();
    for group in groups.iter().skip(1) {
        let part = new_part(conn, actor, &head, head.bill_printed_at)?;
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

/// What pricing a bill needs: the tax rate, the business day (for its promo code) and the
/// currency prefix.
pub struct Pricing<'a> {
    pub tax_rate_bp: i64,
    pub today: chrono::NaiveDate,
    pub currency: &'a str,
}

/// Shares bill `id` evenly among `n` guests: the bill is priced now (its promo code used up
/// now), the bill itself becomes share 1 and shares 2..n bills of their own, each with its
/// money fixed ([`rules::even_bill_shares`]). The bill is marked printed (guests' orders stop)
/// and nothing may change its lines from now on ([`tab::refuse_if_shared`]). Returns the new
/// bills, share 2 first.
pub fn split_evenly(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    id: i64,
    n: usize,
    pricing: &Pricing<'_>,
    now: NaiveDateTime,
) -> Result<(SessionHead, Vec<i64>), AppError> {
    use crate::platform::schema::cafe_bill_shares;
    if !(2..=rules::MAX_PARTS).contains(&n) {
        return Err(AppError::Unprocessable(format!(
            "Share a bill among 2 to {} guests.",
            rules::MAX_PARTS
        )));
    }
    let head = take_bill(conn, user, id)?;
    if !parts_of(conn, id)?.is_empty() {
        return Err(AppError::Conflict(
            "This bill is already split into parts, so it cannot also be shared evenly.".into(),
        ));
    }
    let lines = crate::cafe::sales::lines(conn, id)?;
    let (bill, code) = crate::cafe::sales::priced(
        conn,
        id,
        &lines,
        pricing.tax_rate_bp,
        pricing.today,
        pricing.currency,
    )?;
    if bill.total.0 <= 0 {
        return Err(AppError::Conflict(
            "This bill has nothing to pay, so there is nothing to share.".into(),
        ));
    }
    if let Some(c) = &code {
        if let Some(why) = &c.refused {
            return Err(AppError::Conflict(format!(
                "The code {} no longer applies: {why} Remove it from the bill, then split.",
                c.code
            )));
        }
        crate::cafe::discounts::model::count_use(conn, c.id, &c.code, pricing.today)?;
    }
    let shares = rules::even_bill_shares(
        (bill.subtotal.0, bill.discount.0, bill.tax.0, bill.total.0),
        n,
    );
    let printed = head.bill_printed_at.unwrap_or(now);
    diesel::update(cafe_sessions::table.find(id))
        .set(cafe_sessions::bill_printed_at.eq(printed))
        .execute(conn)?;
    let mut made = Vec::new();
    for (k, share) in shares.iter().enumerate() {
        let session = if k == 0 {
            id
        } else {
            let part = new_part(conn, actor, &head, Some(printed))?;
            made.push(part);
            part
        };
        diesel::insert_into(cafe_bill_shares::table)
            .values((
                cafe_bill_shares::session_id.eq(session),
                cafe_bill_shares::bill_id.eq(id),
                cafe_bill_shares::number.eq(k as i64 + 1),
                cafe_bill_shares::of_n.eq(n as i64),
                cafe_bill_shares::subtotal_minor.eq(share.subtotal),
                cafe_bill_shares::discount_minor.eq(share.discount),
                cafe_bill_shares::tax_minor.eq(share.tax),
                cafe_bill_shares::total_minor.eq(share.total),
                cafe_bill_shares::tax_rate_bp.eq(bill.tax_rate_bp),
                cafe_bill_shares::discount_code.eq(code.as_ref().map(|c| c.code.clone())),
            ))
            .execute(conn)?;
    }
    let each: Vec<String> = shares
        .iter()
        .map(|s| crate::platform::money::Money(s.total).plain())
        .collect();
    let subject = Subject::of("cafe_session", id, format!("Bill #{id}"));
    let changes = Changes::new()
        .note("split_evenly", format!("{n} shares: {}", each.join(" + ")))
        .note("total", bill.total.plain());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok((tab::session(conn, id)?, made))
}
