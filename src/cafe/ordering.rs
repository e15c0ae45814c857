//! Placing an order: lines go on the session's bill (opening the session if needed) and on a new
//! kitchen ticket, in one transaction, with prices taken from the menu at that moment. The
//! session itself (the open tab) lives in `cafe::tab`.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::cafe::kitchen::rules::{estimate_minutes, TicketStatus};
use crate::cafe::menu::model::MenuItem;
use crate::cafe::modifiers::rules::{self as modifiers, Chosen};
use crate::cafe::tab::{open_for_table, SessionHead};
use crate::cafe::visitors;
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::forms::Pairs;
use crate::platform::money::Money;
use crate::platform::schema::{cafe_session_lines, kitchen_tickets, menu_categories, menu_items};

pub const MAX_QUANTITY: i64 = 50;
pub const MAX_LINES: usize = 40;
pub const GUEST_ORDERS_PER_WINDOW: i64 = 20;
pub const GUEST_WINDOW_MINUTES: i64 = 10;
const NOTE_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub menu_item_id: i64,
    pub quantity: i64,
    pub notes: String,
    /// The modifier options picked (ids only: names and prices come from the menu).
    pub options: Vec<i64>,
    /// Held by the waiter (a later course): sent to its station only when fired.
    pub hold: bool,
    /// The seat the waiter gave it (1–99), for splitting the bill by seats.
    pub seat: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderRequest {
    pub lines: Vec<OrderLine>,
    pub notes: String,
    /// The order form's one-time key: a repeat of the same key (double tap, retry, second tab
    /// of the same page) yields the first order instead of a second one.
    pub key: Option<String>,
}

/// The one-time key a form carries: empty for none, else what we issued (32 hex characters).
pub fn order_key(raw: &str) -> Result<Option<String>, AppError> {
    let k = raw.trim().to_ascii_lowercase();
    if k.is_empty() {
        return Ok(None);
    }
    if crate::cafe::tables::rules::plausible_token(&k) {
        Ok(Some(k))
    } else {
        Err(AppError::BadRequest(
            "This order form is damaged. Please reload the page and order again.".into(),
        ))
    }
}

/// The order already placed with this key, if any. On PostgreSQL a transaction-scoped
/// advisory lock on the key makes a racing copy wait for the first to commit (SQLite's
/// `BEGIN IMMEDIATE` already does); the unique index on `order_key` backs both.
fn placed_with_key(
    conn: &mut AnyConnection,
    key: &str,
    session_id: Option<i64>,
) -> Result<Option<Placed>, AppError> {
    // `key` is 32 hex characters (checked by `order_key`), safe inside the statement.
    lock_rows(
        conn,
        &format!("SELECT pg_advisory_xact_lock(hashtext('order:{key}'))"),
    )?;
    let found: Option<(i64, i64, i64)> = kitchen_tickets::table
        .filter(kitchen_tickets::order_key.eq(key))
        .select((
            kitchen_tickets::id,
            kitchen_tickets::session_id,
            kitchen_tickets::branch_id,
        ))
        .first(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((ticket_id, sid, branch_id)) if session_id.is_none_or(|s| s == sid) => {
            Ok(Some(Placed {
                branch_id,
                session_id: sid,
                ticket_id,
                repeated: true,
            }))
        }
        Some(_) => Err(AppError::Conflict(
            "This order form was already used for another bill. Please reload the page.".into(),
        )),
    }
}

pub fn note(raw: &str, what: &str) -> Result<String, AppError> {
    let n = crate::platform::forms::visible(raw).map_err(|_| {
        AppError::Unprocessable(crate::platform::forms::InvisibleOnly::message(what))
    })?;
    let n = n.as_str();
    if n.chars().count() > NOTE_MAX {
        return Err(AppError::Unprocessable(format!(
            "{what} can be at most {NOTE_MAX} characters."
        )));
    }
    if n.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(AppError::Unprocessable(format!(
            "{what} contains characters we cannot print."
        )));
    }
    Ok(n.to_string())
}

pub fn parse_quantity(raw: &str) -> Result<i64, AppError> {
    let q: i64 = raw
        .trim()
        .parse()
        .map_err(|_| AppError::Unprocessable("Quantities must be whole numbers.".into()))?;
    if !(1..=MAX_QUANTITY).contains(&q) {
        return Err(AppError::Unprocessable(format!(
            "A quantity must be between 1 and {MAX_QUANTITY}."
        )));
    }
    Ok(q)
}

/// The option ids a form picked for one item: every `mod_{item}` or `mod_{item}_{group}` value
/// (a group's radio buttons need a name of their own); an empty value is the "none" radio.
pub fn picked_options(p: &Pairs, item: i64) -> Result<Vec<i64>, AppError> {
    let (key, per_group) = (format!("mod_{item}"), format!("mod_{item}_"));
    let mut out = Vec::new();
    let values =
        p.0.iter()
            .filter(|(k, _)| *k == key || k.starts_with(&per_group))
            .map(|(_, v)| v.as_str());
    for raw in values {
        if raw.trim().is_empty() {
            continue;
        }
        match crate::platform::forms::optional_id(raw) {
            Ok(Some(id)) => out.push(id),
            _ => {
                return Err(AppError::BadRequest(
                    "The options chosen are not ones the menu offers. Please reload the menu."
                        .into(),
                ))
            }
        }
        if out.len() > crate::cafe::modifiers::rules::MAX_PICKED {
            return Err(AppError::BadRequest("Too many options in one line.".into()));
        }
    }
    Ok(out)
}

/// The menu form: `qty_{item}` (empty or 0 = not chosen), `note_{item}`, `mod_{item}` (the
/// item's options), and `notes`.
pub fn parse_menu_form(p: &Pairs) -> Result<OrderRequest, AppError> {
    let mut lines: Vec<OrderLine> = Vec::new();
    for (suffix, raw) in p.with_prefix("qty_") {
        let id: i64 = suffix.parse().ok().filter(|i| *i > 0).ok_or_else(|| {
            AppError::BadRequest("The order names an item that does not exist.".into())
        })?;
        let raw = raw.trim();
        if raw.is_empty() || raw == "0" {
            continue;
        }
        let quantity = parse_quantity(raw)?;
        if lines.iter().any(|l| l.menu_item_id == id) {
            return Err(AppError::BadRequest(
                "The same item appears twice in the order.".into(),
            ));
        }
        let notes = note(p.get(&format!("note_{id}")), "A note")?;
        lines.push(OrderLine {
            menu_item_id: id,
            quantity,
            notes,
            options: picked_options(p, id)?,
            hold: false,
            seat: None,
        });
        if lines.len() > MAX_LINES {
            return Err(AppError::Unprocessable(format!(
                "An order can have at most {MAX_LINES} different items."
            )));
        }
    }
    if lines.is_empty() {
        return Err(AppError::Unprocessable(
            "Choose at least one item (set its quantity) before placing the order.".into(),
        ));
    }
    Ok(OrderRequest {
        lines,
        notes: note(p.get("notes"), "The order note")?,
        key: order_key(p.get("order_key"))?,
    })
}

/// One line typed in by a waiter: an item from the list, a quantity, a note.
/// The item's options come as `mod_{item}` fields, as on the guest's menu.
pub fn parse_staff_line(p: &Pairs) -> Result<OrderRequest, AppError> {
    let menu_item_id = crate::platform::forms::optional_id(p.get("menu_item_id"))
        .ok()
        .flatten()
        .ok_or_else(|| AppError::Unprocessable("Choose an item from the menu.".into()))?;
    let key = p.get("order_key");
    Ok(OrderRequest {
        lines: vec![OrderLine {
            menu_item_id,
            quantity: parse_quantity(p.get("quantity"))?,
            notes: note(p.get("notes"), "A note")?,
            options: picked_options(p, menu_item_id)?,
            // Only staff hold a course; a guest's order goes straight to the kitchen.
            hold: !p.get("hold").is_empty(),
            seat: match p.get("seat").trim() {
                "" => None,
                raw => Some(
                    raw.parse::<i64>()
                        .ok()
                        .filter(|s| (1..=99).contains(s))
                        .ok_or_else(|| {
                            AppError::Unprocessable("A seat is a number from 1 to 99.".into())
                        })?,
                ),
            },
        }],
        notes: String::new(),
        key: order_key(key)?,
    })
}

/// Who placed it: a guest at the table, or staff taking the order by hand.
#[derive(Debug, Clone)]
pub enum Placer {
    Guest { visitor_id: i64, ip: Option<String> },
    Staff(Actor),
}

impl Placer {
    fn actor(&self) -> Actor {
        match self {
            Placer::Guest { ip, .. } => Actor {
                employee_id: None,
                ip: ip.clone(),
            },
            Placer::Staff(a) => a.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub branch_id: i64,
    pub session_id: i64,
    pub ticket_id: i64,
    /// A repeat of an order already placed with the same key: nothing new was written.
    pub repeated: bool,
}

/// A guest's order from the table's page. Caller holds the write transaction.
pub fn place_guest_order(
    conn: &mut AnyConnection,
    token: &str,
    hint: &visitors::GuestHint,
    req: &OrderRequest,
    now: NaiveDateTime,
) -> Result<(Placed, visitors::Visitor), AppError> {
    let table = crate::cafe::tables::model::by_token(conn, token)?.ok_or_else(invalid_code)?;
    if let Some(key) = &req.key {
        if let Some(first) = placed_with_key(conn, key, None)? {
            let visitor = visitors::ensure(conn, hint, now)?;
            return Ok((first, visitor));
        }
    }
    if !table.takes_orders() {
        return Err(AppError::Conflict(format!(
            "{} is not taking orders right now. Please ask the staff.",
            table.label()
        )));
    }
    visitors::admit(conn, visitors::GuestWrite::Order, hint, table.id, now)?;
    let visitor = visitors::ensure(conn, hint, now)?;
    let recent: i64 = kitchen_tickets::table
        .filter(kitchen_tickets::visitor_id.eq(visitor.id))
        .filter(kitchen_tickets::created_at.gt(now - Duration::minutes(GUEST_WINDOW_MINUTES)))
        .count()
        .get_result(conn)?;
    if recent >= GUEST_ORDERS_PER_WINDOW {
        return Err(AppError::TooManyRequests(format!(
            "You have placed {GUEST_ORDERS_PER_WINDOW} orders in the last {GUEST_WINDOW_MINUTES} minutes. Please ask the staff for anything else."
        )));
    }
    let placer = Placer::Guest {
        visitor_id: visitor.id,
        ip: hint.ip.clone(),
    };
    let (session, _) = open_for_table(conn, &table, Some(visitor.id), &placer.actor(), now)?;
    let placed = add_lines(conn, &session, &placer, req, now)?;
    Ok((placed, visitor))
}

pub fn invalid_code() -> AppError {
    AppError::NotFound(
        "This table code is not valid any more. Please scan the code on your table again, or ask the staff.".into(),
    )
}

/// Adds an order to an open session: checks, prices from the menu, the ticket and its lines,
/// the audit row. Caller holds the write transaction.
pub fn add_lines(
    conn: &mut AnyConnection,
    session: &SessionHead,
    placer: &Placer,
    req: &OrderRequest,
    now: NaiveDateTime,
) -> Result<Placed, AppError> {
    if let Some(key) = &req.key {
        if let Some(first) = placed_with_key(conn, key, Some(session.id))? {
            return Ok(first);
        }
    }
    if session.closed_at.is_some() {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    crate::cafe::tab::refuse_if_shared(conn, session.id)?;
    if session.bill_printed_at.is_some() && matches!(placer, Placer::Guest { .. }) {
        return Err(AppError::Conflict(
            "The bill for this table has been printed, so new orders are closed. Please ask the staff.".into(),
        ));
    }
    if req.lines.is_empty() {
        return Err(AppError::Unprocessable("Choose at least one item.".into()));
    }
    let ids: Vec<i64> = req.lines.iter().map(|l| l.menu_item_id).collect();
    let items: HashMap<i64, (MenuItem, String)> = menu_items::table
        .inner_join(menu_categories::table)
        .filter(menu_items::id.eq_any(&ids))
        .filter(menu_items::branch_id.eq(session.branch_id))
        .select((MenuItem::as_select(), menu_categories::name))
        .load::<(MenuItem, String)>(conn)?
        .into_iter()
        .map(|(i, c)| (i.id, (i, c)))
        .collect();
    for line in &req.lines {
        let Some((item, _)) = items.get(&line.menu_item_id).filter(|(i, _)| i.is_active) else {
            return Err(AppError::Unprocessable(
                "One of the items is not on the menu any more. Please reload the menu.".into(),
            ));
        };
        if !item.in_stock {
            return Err(AppError::Conflict(format!(
                "Sorry, {} is sold out right now. Please remove it and order again.",
                item.name
            )));
        }
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(AppError::Unprocessable(format!(
                "A quantity must be between 1 and {MAX_QUANTITY}."
            )));
        }
    }
    let offered = crate::cafe::modifiers::model::offered_for(conn, &ids)?;
    let none = Vec::new();
    let mut priced: Vec<(Vec<Chosen>, Money)> = Vec::with_capacity(req.lines.len());
    for line in &req.lines {
        let (item, _) = &items[&line.menu_item_id];
        let offer = offered.get(&item.id).unwrap_or(&none);
        let chosen = modifiers::choose(&item.name, offer, &line.options)?;
        let unit = modifiers::unit_price(item.price(), &chosen)
            .ok_or_else(|| AppError::Unprocessable("This order is too large to price.".into()))?;
        priced.push((chosen, unit));
    }
    let (visitor_id, employee_id) = match placer {
        Placer::Guest { visitor_id, .. } => (Some(*visitor_id), None),
        Placer::Staff(a) => (None, a.employee_id),
    };
    if let Some(v) = visitor_id {
        let before: i64 = kitchen_tickets::table
            .filter(kitchen_tickets::session_id.eq(session.id))
            .filter(kitchen_tickets::visitor_id.eq(v))
            .count()
            .get_result(conn)?;
        if before == 0 {
            visitors::count_visit(conn, v)?;
        }
    }
    // One ticket per station the lines go to (and per held course): the first keeps the
    // order's one-time key, the others name it.
    let routing = crate::cafe::stations::model::routing(conn, session.branch_id)?;
    let keys: Vec<(Option<i64>, bool)> = req
        .lines
        .iter()
        .map(|l| {
            let station = routing.get(&items[&l.menu_item_id].0.category_id).copied();
            (station, l.hold)
        })
        .collect();
    let mut first: Option<i64> = None;
    let mut total = Money::ZERO;
    let mut summary: Vec<String> = Vec::with_capacity(req.lines.len());
    for ((station, held), indexes) in crate::cafe::stations::rules::split(&keys) {
        let ticket: i64 = diesel::insert_into(kitchen_tickets::table)
            .values((
                kitchen_tickets::branch_id.eq(session.branch_id),
                kitchen_tickets::session_id.eq(session.id),
                kitchen_tickets::visitor_id.eq(visitor_id),
                kitchen_tickets::placed_by_employee_id.eq(employee_id),
                kitchen_tickets::status.eq(TicketStatus::Pending.as_str()),
                kitchen_tickets::priority.eq(0i64),
                kitchen_tickets::estimated_minutes.eq(estimate_minutes(indexes.len())),
                kitchen_tickets::notes.eq(&req.notes),
                kitchen_tickets::created_at.eq(now),
                kitchen_tickets::order_key.eq(if first.is_none() {
                    req.key.as_deref()
                } else {
                    None
                }),
                kitchen_tickets::station_id.eq(station),
                kitchen_tickets::order_ticket_id.eq(first),
                kitchen_tickets::held.eq(held),
            ))
            .returning(kitchen_tickets::id)
            .get_result(conn)?;
        first.get_or_insert(ticket);
        for i in indexes {
            let (line, (chosen, unit)) = (&req.lines[i], &priced[i]);
            let (item, category) = &items[&line.menu_item_id];
            let described = modifiers::describe(chosen);
            let line_id: i64 = diesel::insert_into(cafe_session_lines::table)
                .values((
                    cafe_session_lines::session_id.eq(session.id),
                    cafe_session_lines::ticket_id.eq(ticket),
                    cafe_session_lines::menu_item_id.eq(item.id),
                    cafe_session_lines::name.eq(&item.name),
                    cafe_session_lines::category.eq(category),
                    cafe_session_lines::quantity.eq(line.quantity),
                    cafe_session_lines::unit_price_minor.eq(unit.0),
                    cafe_session_lines::notes.eq(&line.notes),
                    cafe_session_lines::created_at.eq(now),
                    cafe_session_lines::modifiers.eq(&described),
                    cafe_session_lines::seat.eq(line.seat),
                ))
                .returning(cafe_session_lines::id)
                .get_result(conn)?;
            crate::cafe::modifiers::model::record_line(conn, line_id, chosen)?;
            total = total
                .checked_add(unit.checked_mul(line.quantity).unwrap_or(Money::ZERO))
                .unwrap_or(total);
            let held = if held { ", held" } else { "" };
            summary.push(if described.is_empty() {
                format!("{} × {}{held}", line.quantity, item.name)
            } else {
                format!("{} × {} ({described}){held}", line.quantity, item.name)
            });
        }
    }
    let ticket_id = first.expect("an order has a line");
    let subject = Subject::of("kitchen_ticket", ticket_id, format!("Ticket {ticket_id}"));
    let changes = Changes::new()
        .created("session_id", session.id)
        .created("lines", summary.join(", "))
        .created("amount", total.plain())
        .note(
            "placed_by",
            if visitor_id.is_some() {
                "guest"
            } else {
                "staff"
            },
        );
    audit::record(conn, &placer.actor(), now, audit::CREATE, subject, &changes)?;
    Ok(Placed {
        branch_id: session.branch_id,
        session_id: session.id,
        ticket_id,
        repeated: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn reads_the_menu_form() {
        let r = parse_menu_form(&pairs(&[
            ("qty_3", "2"),
            ("note_3", " no sugar "),
            ("mod_3_1", "30"),
            ("mod_3", "31"),
            ("mod_33", "77"),
            ("qty_4", ""),
            ("qty_5", "0"),
            ("qty_9", "1"),
            ("notes", "window seat"),
        ]))
        .unwrap();
        assert_eq!(r.lines.len(), 2);
        assert_eq!(
            r.lines[0],
            OrderLine {
                menu_item_id: 3,
                quantity: 2,
                notes: "no sugar".into(),
                options: vec![30, 31],
                hold: false,
                seat: None,
            }
        );
        assert_eq!(r.notes, "window seat");
    }

    #[test]
    fn reads_a_waiters_line() {
        let line = |item: &str, qty: &str, notes: &str, key: &str| {
            parse_staff_line(&pairs(&[
                ("menu_item_id", item),
                ("quantity", qty),
                ("notes", notes),
                ("order_key", key),
                ("mod_7", "12"),
                ("mod_7", ""),
                ("mod_8", "99"),
            ]))
        };
        let r = line("7", " 3 ", "no ice", "").unwrap();
        assert_eq!(r.key, None);
        let k = "0123456789ABCDEF0123456789abcdef";
        let r2 = line("7", "1", "", k).unwrap();
        assert_eq!(r2.key.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        assert!(line("7", "1", "", "short").is_err());
        assert!(line("7", "1", "", "0123456789abcdef0123456789abcdeg").is_err());
        assert_eq!(
            r.lines,
            vec![OrderLine {
                menu_item_id: 7,
                quantity: 3,
                notes: "no ice".into(),
                options: vec![12],
                hold: false,
                seat: None,
            }]
        );
        for (item, qty) in [
            ("", "1"),
            ("x", "1"),
            ("-7", "1"),
            ("7", "0"),
            ("7", "51"),
            ("7", ""),
        ] {
            assert!(line(item, qty, "", "").is_err(), "{item} {qty}");
        }
        assert!(line("7", "1", &"n".repeat(201), "").is_err());
        let tampered = pairs(&[("menu_item_id", "7"), ("quantity", "1"), ("mod_7", "x")]);
        assert!(matches!(
            parse_staff_line(&tampered),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn refuses_bad_quantities_and_empty_orders() {
        for bad in ["-1", "51", "1.5", "two", "99999999999999999999"] {
            assert!(parse_menu_form(&pairs(&[("qty_3", bad)])).is_err(), "{bad}");
        }
        assert!(parse_menu_form(&pairs(&[("qty_3", "0")])).is_err());
        assert!(parse_menu_form(&pairs(&[])).is_err());
        assert!(parse_menu_form(&pairs(&[("qty_x", "1")])).is_err());
        assert!(parse_menu_form(&pairs(&[("qty_-3", "1")])).is_err());
        let long = "n".repeat(201);
        assert!(parse_menu_form(&pairs(&[("qty_3", "1"), ("note_3", &long)])).is_err());
        assert_eq!(
            parse_menu_form(&pairs(&[("qty_3", "50")])).unwrap().lines[0].quantity,
            50
        );
    }
}
