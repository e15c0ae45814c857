//! The floor's view of a branch and the waiter's changes to sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::kitchen::model::place_label;
use crate::cafe::tab::SessionHead;
use crate::cafe::tables::model::{self as tables, CafeTable};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;
use crate::platform::schema::{cafe_session_lines, cafe_sessions, kitchen_tickets};

pub struct OpenSummary {
    pub head: SessionHead,
    pub place: String,
    pub items: i64,
    pub subtotal: Money,
    pub minutes: i64,
}

pub struct TableCard {
    pub table: CafeTable,
    pub open: Option<OpenSummary>,
    /// The open parts or shares of a split bill at this table, paid on their own.
    pub parts: Vec<OpenSummary>,
}

pub struct Floor {
    pub tables: Vec<TableCard>,
    pub others: Vec<OpenSummary>,
}

pub fn floor(conn: &mut AnyConnection, branch_id: i64, now: NaiveDateTime) -> QueryResult<Floor> {
    let table_list = tables::list(conn, branch_id, false)?;
    let open: Vec<SessionHead> = cafe_sessions::table
        .filter(cafe_sessions::branch_id.eq(branch_id))
        .filter(cafe_sessions::closed_at.is_null())
        .order(cafe_sessions::opened_at.asc())
        .select(SessionHead::as_select())
        .load(conn)?;
    let ids: Vec<i64> = open.iter().map(|s| s.id).collect();
    let lines: Vec<(i64, i64, i64)> = cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq_any(&ids))
        .select((
            cafe_session_lines::session_id,
            cafe_session_lines::quantity,
            cafe_session_lines::unit_price_minor,
        ))
        .load(conn)?;
    // Shares of an evenly split bill show their own money (their lines stay on share 1).
    let shares: Vec<(i64, i64, i64, i64)> = crate::platform::schema::cafe_bill_shares::table
        .filter(crate::platform::schema::cafe_bill_shares::session_id.eq_any(&ids))
        .select((
            crate::platform::schema::cafe_bill_shares::session_id,
            crate::platform::schema::cafe_bill_shares::number,
            crate::platform::schema::cafe_bill_shares::of_n,
            crate::platform::schema::cafe_bill_shares::subtotal_minor,
        ))
        .load(conn)?;
    let mut summaries: Vec<OpenSummary> = open
        .into_iter()
        .map(|head| {
            let mine = lines.iter().filter(|l| l.0 == head.id);
            let items = mine.clone().map(|l| l.1).sum();
            let share = shares.iter().find(|s| s.0 == head.id);
            let subtotal = match share {
                Some(s) => Money(s.3),
                None => Money(mine.map(|l| l.1.saturating_mul(l.2)).sum()),
            };
            let number = head
                .table_id
                .and_then(|t| table_list.iter().find(|x| x.id == t).map(|x| x.number));
            let place = place_label(&head.kind, &head.customer_name, number);
            OpenSummary {
                place: match (share, head.part_number) {
                    (Some(s), _) => format!("{place} · share {} of {}", s.1, s.2),
                    (None, Some(k)) => format!("{place} · part {k}"),
                    (None, None) => place,
                },
                minutes: (now - head.opened_at).num_minutes().max(0),
                items,
                subtotal,
                head,
            }
        })
        .collect();
    let tables = table_list
        .into_iter()
        .map(|table| {
            let pos = summaries
                .iter()
                .position(|s| s.head.table_id == Some(table.id) && s.head.split_of.is_none());
            let open = pos.map(|p| summaries.remove(p));
            let (parts, rest): (Vec<OpenSummary>, Vec<OpenSummary>) =
                std::mem::take(&mut summaries)
                    .into_iter()
                    .partition(|s| s.head.table_id == Some(table.id));
            summaries = rest;
            TableCard { open, parts, table }
        })
        .collect();
    Ok(Floor {
        tables,
        others: summaries,
    })
}

pub use crate::cafe::scope::check_branch;

/// The open or closed bill `id`, if this employee may work on it (their branch, or a
/// manager): where every action on a bill starts.
pub fn own_session(
    conn: &mut AnyConnection,
    user: &crate::platform::auth::CurrentUser,
    id: i64,
) -> Result<SessionHead, AppError> {
    let head = crate::cafe::tab::session(conn, id)?;
    check_branch(user, head.branch_id)?;
    Ok(head)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TakeawayForm {
    pub kind: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub delivery_address: String,
    pub branch: String,
}

pub struct TakeawayInput {
    pub kind: &'static str,
    pub name: String,
    pub phone: String,
    pub address: String,
}

pub fn validate_takeaway(f: &TakeawayForm) -> Result<TakeawayInput, FormErrors> {
    let mut errors = FormErrors::default();
    let kind = match f.kind.as_str() {
        "takeaway" => "takeaway",
        "delivery" => "delivery",
        _ => {
            errors.add("kind", "Choose takeaway or delivery.");
            "takeaway"
        }
    };
    let name = forms::text(
        &f.customer_name,
        "customer_name",
        "The customer's name",
        100,
        true,
        &mut errors,
    );
    let phone =
        forms::optional_phone(&f.customer_phone, "customer_phone", &mut errors).unwrap_or_default();
    let address = forms::text(
        &f.delivery_address,
        "delivery_address",
        "The delivery address",
        300,
        kind == "delivery",
        &mut errors,
    );
    if kind == "delivery" && phone.is_empty() {
        errors.add("customer_phone", "A delivery needs a phone number.");
    }
    errors.into_result(TakeawayInput {
        kind,
        name,
        phone,
        address,
    })
}

pub fn open_takeaway(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    i: &TakeawayInput,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    crate::cafe::tab::check_branch_trading(conn, branch_id)?;
    let id: i64 = diesel::insert_into(cafe_sessions::table)
        .values((
            cafe_sessions::branch_id.eq(branch_id),
            cafe_sessions::kind.eq(i.kind),
            cafe_sessions::customer_name.eq(&i.name),
            cafe_sessions::customer_phone.eq(&i.phone),
            cafe_sessions::delivery_address.eq(&i.address),
            cafe_sessions::opened_by_employee_id.eq(actor.employee_id),
            cafe_sessions::opened_at.eq(now),
        ))
        .returning(cafe_sessions::id)
        .get_result(conn)?;
    let subject = Subject::of("cafe_session", id, place_label(i.kind, &i.name, None));
    let changes = Changes::new()
        .created("kind", i.kind)
        .created("customer_name", i.name.as_str());
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

/// Removes one line of an open bill (and its ticket when that was its last line).
pub fn remove_line(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    line_id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let line: Option<(i64, String, i64, i64)> = cafe_session_lines::table
        .find(line_id)
        .filter(cafe_session_lines::session_id.eq(session_id))
        .select((
            cafe_session_lines::ticket_id,
            cafe_session_lines::name,
            cafe_session_lines::quantity,
            cafe_session_lines::unit_price_minor,
        ))
        .first(conn)
        .optional()?;
    let (ticket_id, name, qty, price) = line.ok_or_else(|| AppError::not_found("That line"))?;
    crate::cafe::tab::refuse_if_shared(conn, session_id)?;
    let open: i64 = cafe_sessions::table
        .find(session_id)
        .filter(cafe_sessions::closed_at.is_null())
        .count()
        .get_result(conn)?;
    if open == 0 {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    diesel::delete(cafe_session_lines::table.find(line_id)).execute(conn)?;
    let left: i64 = cafe_session_lines::table
        .filter(cafe_session_lines::ticket_id.eq(ticket_id))
        .count()
        .get_result(conn)?;
    if left == 0 {
        diesel::delete(kitchen_tickets::table.find(ticket_id)).execute(conn)?;
    }
    let subject = Subject::of("cafe_session", session_id, format!("Bill #{session_id}"));
    let changes = Changes::new()
        .note("removed", format!("{qty} × {name}"))
        .note("amount", Money(price.saturating_mul(qty)).plain());
    audit::record(conn, actor, now, audit::DELETE, subject, &changes)?;
    Ok(())
}
