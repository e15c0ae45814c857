//! The bill of an open session and closing it: the sales record is written exactly once, the
//! table is freed, in one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::cafe::bill::{self, Bill};
use crate::cafe::tab::{self, SessionHead};
use crate::cafe::tables::rules::TableStatus;
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    cafe_payments, cafe_sales, cafe_session_lines, cafe_sessions, cafe_tables,
};

pub const RECORD: &str = "cafe_sale";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Cash,
    Card,
    Upi,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] =
        [PaymentMethod::Cash, PaymentMethod::Card, PaymentMethod::Upi];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Upi => "upi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Card => "Card",
            PaymentMethod::Upi => "UPI",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
    }
}

/// One tender of a bill paid in parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillTender {
    pub method: PaymentMethod,
    pub amount: Money,
    pub reference: String,
}

/// How a bill is paid: tenders of fixed amounts (a card slip, a UPI transfer, cash counted
/// out), and the method that pays whatever they leave of the total. With `rest` absent the
/// parts must pay the whole total themselves (the JSON API's `tenders`). Only cash gives
/// change (`registers::tenders::split`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPayment {
    pub parts: Vec<BillTender>,
    pub rest: Option<PaymentMethod>,
    pub rest_reference: String,
    /// The cash handed over for the rest, when the rest is cash (the change is worked out).
    pub received: Option<Money>,
}

impl BillPayment {
    /// The whole bill by one method, as the single "Paid by" choice always was.
    pub fn whole(method: PaymentMethod) -> BillPayment {
        BillPayment {
            parts: Vec::new(),
            rest: Some(method),
            rest_reference: String::new(),
            received: None,
        }
    }

    /// The payment rows that pay `total`, and the bill's main method (cash whenever cash was
    /// kept; otherwise the largest tender's). A refusal the cashier can act on otherwise.
    pub fn settle(
        &self,
        total: Money,
    ) -> Result<(Vec<crate::registers::tenders::Row>, PaymentMethod), String> {
        use crate::registers::tenders::{split, Part};
        let fixed: i64 = self.parts.iter().map(|p| p.amount.0).sum();
        let left = total.0 - fixed;
        let mut typed: Vec<Part> = self
            .parts
            .iter()
            .map(|p| Part {
                method: p.method.as_str(),
                amount: p.amount,
                reference: &p.reference,
            })
            .collect();
        match self.rest {
            Some(rest) if left > 0 || self.received.is_some() => {
                let amount = match (rest, self.received) {
                    (PaymentMethod::Cash, Some(r)) => {
                        if r.0 < left.max(0) {
                            return Err(format!(
                                "Cash received ({}) is less than the {} left to pay.",
                                r.grouped(),
                                Money(left).grouped()
                            ));
                        }
                        r
                    }
                    (_, Some(_)) => {
                        return Err("Cash received goes with the rest paid in cash.".into())
                    }
                    _ => Money(left.max(0)),
                };
                typed.push(Part {
                    method: rest.as_str(),
                    amount,
                    reference: &self.rest_reference,
                });
            }
            _ => {}
        }
        let s = split(&typed, total, "Card and UPI")?;
        let main = if s.rows.iter().any(|r| r.method == "cash") {
            PaymentMethod::Cash
        } else {
            s.rows
                .iter()
                .max_by_key(|r| r.amount.0)
                .and_then(|r| PaymentMethod::parse(&r.method))
                .or(self.rest)
                .unwrap_or(PaymentMethod::Cash)
        };
        Ok((s.rows, main))
    }

    /// The one-line summary the flash message and the audit trail give.
    pub fn describe(rows: &[crate::registers::tenders::Row], main: PaymentMethod) -> String {
        if rows.len() <= 1 {
            return main.label().to_string();
        }
        rows.iter()
            .map(|r| {
                let label = PaymentMethod::parse(&r.method).map_or("?", PaymentMethod::label);
                format!("{label} {}", r.amount.grouped())
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// The split part of the floor's close form: one tender of a fixed amount beside "Paid by",
/// and the cash handed over. Empty fields mean no part and exact money.
pub fn payment_from_form(
    method: &str,
    part_method: &str,
    part_amount: &str,
    part_reference: &str,
    rest_reference: &str,
    cash_received: &str,
) -> Result<BillPayment, String> {
    let rest =
        PaymentMethod::parse(method).ok_or("Choose how the bill was paid: cash, card or UPI.")?;
    let mut pay = BillPayment::whole(rest);
    pay.rest_reference = crate::registers::tenders::reference(rest_reference)?;
    if !cash_received.trim().is_empty() {
        let r = Money::parse_input(cash_received).map_err(|e| format!("Cash received: {e}."))?;
        pay.received = Some(r);
    }
    if !part_amount.trim().is_empty() {
        let amount = Money::parse_input(part_amount).map_err(|e| format!("The part paid: {e}."))?;
        if !amount.is_positive() {
            return Err("The part paid must be more than zero (or leave it empty).".into());
        }
        let method = PaymentMethod::parse(part_method)
            .ok_or("Choose how the part was paid: cash, card or UPI.")?;
        if method == rest {
            return Err(format!(
                "The part and the rest are both {}: leave the part empty.",
                rest.label()
            ));
        }
        pay.parts.push(BillTender {
            method,
            amount,
            reference: crate::registers::tenders::reference(part_reference)?,
        });
    }
    Ok(pay)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafe_session_lines)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct BillLine {
    pub id: i64,
    pub ticket_id: i64,
    pub menu_item_id: i64,
    pub name: String,
    pub category: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub notes: String,
    /// The options chosen, as printed: "Regular · Oat" (empty for none).
    pub modifiers: String,
    /// The seat the waiter gave it, if any.
    pub seat: Option<i64>,
}

impl BillLine {
    pub fn unit_price(&self) -> Money {
        Money(self.unit_price_minor)
    }
    pub fn amount(&self) -> Money {
        Money(self.unit_price_minor.saturating_mul(self.quantity))
    }
}

pub fn lines(conn: &mut AnyConnection, session_id: i64) -> QueryResult<Vec<BillLine>> {
    cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(session_id))
        .order(cafe_session_lines::id.asc())
        .select(BillLine::as_select())
        .load(conn)
}

pub fn bill_of(lines: &[BillLine], tax_rate_bp: i64, discount: Money) -> Result<Bill, AppError> {
    let priced: Vec<(Money, i64)> = lines.iter().map(|l| (l.unit_price(), l.quantity)).collect();
    bill::compute(&priced, discount, tax_rate_bp)
        .ok_or_else(|| AppError::Unprocessable("This bill is too large to compute.".into()))
}

/// The promo code on a bill, and why it does not apply now (if it does not).
#[derive(Debug, Clone)]
pub struct CodeOnBill {
    pub id: i64,
    pub code: String,
    pub refused: Option<String>,
}

/// A session's bill with its promo code's discount, when the code still applies today.
pub fn priced(
    conn: &mut AnyConnection,
    session_id: i64,
    lines: &[BillLine],
    tax_rate_bp: i64,
    today: chrono::NaiveDate,
    currency: &str,
) -> Result<(Bill, Option<CodeOnBill>), AppError> {
    let plain = bill_of(lines, tax_rate_bp, Money::ZERO)?;
    let Some(code) = crate::cafe::discounts::model::of_session(conn, session_id)? else {
        return Ok((plain, None));
    };
    let check =
        crate::cafe::discounts::rules::check(&code.terms(), today, plain.subtotal, currency);
    let on_bill = |refused| CodeOnBill {
        id: code.id,
        code: code.code.clone(),
        refused,
    };
    match check {
        Ok(d) => Ok((bill_of(lines, tax_rate_bp, d)?, Some(on_bill(None)))),
        Err(m) => Ok((plain, Some(on_bill(Some(m))))),
    }
}

#[derive(Serialize)]
struct SnapshotLine<'a> {
    id: i64,
    name: &'a str,
    category: &'a str,
    qty: i64,
    price: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    modifiers: &'a str,
}

/// What was sold, as the sales record keeps it (one entry per bill line).
pub fn items_snapshot(lines: &[BillLine]) -> String {
    snapshot_json(
        &lines
            .iter()
            .map(|l| SnapshotLine {
                id: l.menu_item_id,
                name: &l.name,
                category: &l.category,
                qty: l.quantity,
                price: l.unit_price().plain(),
                modifiers: &l.modifiers,
            })
            .collect::<Vec<_>>(),
    )
}

fn snapshot_json(items: &[SnapshotLine]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// What a bill's sales record takes: the money, the promo code, the items as sold, and the
/// lines the day's item counts take.
struct Sold {
    bill: Bill,
    code: Option<String>,
    snapshot: String,
    counted: Vec<BillLine>,
}

/// A share of an evenly split bill sells its fixed money as one line ("Share 2 of 3 of bill
/// #45", refundable as a whole); the bill's items count in the day's figures once, with the
/// share that closes last (the bill's row is taken first, so of two shares closed at once the
/// second sees the first closed).
fn sold_share(conn: &mut AnyConnection, share: &tab::BillShare) -> Result<Sold, AppError> {
    crate::platform::db::lock_rows(
        conn,
        &format!(
            "SELECT id FROM cafe_sessions WHERE id = {} FOR UPDATE",
            share.bill_id
        ),
    )?;
    let open: i64 = cafe_sessions::table
        .inner_join(
            crate::platform::schema::cafe_bill_shares::table
                .on(crate::platform::schema::cafe_bill_shares::session_id.eq(cafe_sessions::id)),
        )
        .filter(crate::platform::schema::cafe_bill_shares::bill_id.eq(share.bill_id))
        .filter(cafe_sessions::closed_at.is_null())
        .count()
        .get_result(conn)?;
    let counted = if open == 0 {
        lines(conn, share.bill_id)?
    } else {
        Vec::new()
    };
    let line = SnapshotLine {
        id: 0,
        name: &share.label(),
        category: "Shared bill",
        qty: 1,
        price: Money(share.subtotal_minor).plain(),
        modifiers: "",
    };
    Ok(Sold {
        bill: share.bill(),
        code: share.discount_code.clone(),
        snapshot: snapshot_json(&[line]),
        counted,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub sale_id: i64,
    pub branch_id: i64,
    pub session_id: i64,
    pub total: Money,
    pub change: Money,
    /// "Cash" or "Card 400.00 + Cash 198.00".
    pub paid_by: String,
    /// At a table: how many bills (parts or shares of a split bill) are still open there.
    pub still_open: Option<i64>,
}

impl Closed {
    /// What the waiter hears after "Closed: …": the table is free, or the parts still to pay.
    pub fn table_news(&self) -> String {
        match self.still_open {
            Some(0) => " The table is free.".into(),
            Some(n) => format!(" {n} more part(s) of this table's bill still to pay."),
            None => String::new(),
        }
    }
}

/// Closes an open session exactly once: the conditional UPDATE on `closed_at` lets one of two
/// simultaneous closes through; the other gets a clear refusal (and the unique session_id on
/// the sales record would stop a second record even if it did not).
#[allow(clippy::too_many_arguments)]
pub fn close(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    payment: &BillPayment,
    tax_rate_bp: i64,
    now: NaiveDateTime,
    today: chrono::NaiveDate,
    currency: &str,
) -> Result<Closed, AppError> {
    let s: SessionHead = tab::session(conn, session_id)?;
    // The table's row before anything refers to it (the sales record's key on it would take a
    // share lock, and two parts closing at once would then wait for each other).
    if let Some(t) = s.table_id {
        crate::platform::db::lock_rows(
            conn,
            &format!("SELECT id FROM cafe_tables WHERE id = {t} FOR UPDATE"),
        )?;
    }
    // Paid into the closer's open shift, when they have one (or must, by the settings).
    let shift_id = match actor.employee_id {
        Some(me) => crate::registers::shifts::model::take(conn, me)?,
        None => None,
    };
    if shift_id.is_none()
        && crate::platform::settings::get(conn, crate::registers::settings::CAFE_REQUIRED)?
            .is_some_and(|v| v == "true")
    {
        return Err(AppError::Conflict(
            crate::registers::shifts::model::OPEN_FIRST.into(),
        ));
    }
    let closed = diesel::update(
        cafe_sessions::table
            .find(session_id)
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set(cafe_sessions::closed_at.eq(now))
    .execute(conn)?;
    if closed == 0 {
        return Err(AppError::Conflict(
            "This bill was already closed (perhaps by a colleague a moment ago). Nothing was charged twice.".into(),
        ));
    }
    let Sold {
        bill: b,
        code,
        snapshot,
        counted,
    } = match tab::share_of(conn, session_id)? {
        Some(share) => sold_share(conn, &share)?,
        None => {
            let lines = lines(conn, session_id)?;
            let (b, code) = priced(conn, session_id, &lines, tax_rate_bp, today, currency)?;
            // A code that stopped applying is not quietly dropped: the guest was shown the
            // discount.
            if let Some(c) = &code {
                if let Some(why) = &c.refused {
                    return Err(AppError::Conflict(format!(
                        "The code {} no longer applies: {why} Remove it from the bill, then close.",
                        c.code
                    )));
                }
                crate::cafe::discounts::model::count_use(conn, c.id, &c.code, today)?;
            }
            Sold {
                bill: b,
                code: code.map(|c| c.code),
                snapshot: items_snapshot(&lines),
                counted: lines,
            }
        }
    };
    let (rows, method) = payment.settle(b.total).map_err(AppError::Unprocessable)?;
    let table_number: Option<i64> = match s.table_id {
        Some(t) => cafe_tables::table
            .find(t)
            .select(cafe_tables::number)
            .first(conn)
            .optional()?,
        None => None,
    };
    let sale_id: i64 = diesel::insert_into(cafe_sales::table)
        .values((
            cafe_sales::branch_id.eq(s.branch_id),
            cafe_sales::session_id.eq(session_id),
            cafe_sales::table_id.eq(s.table_id),
            cafe_sales::table_number.eq(table_number),
            cafe_sales::kind.eq(&s.kind),
            cafe_sales::customer_name.eq(&s.customer_name),
            cafe_sales::customer_phone.eq(&s.customer_phone),
            cafe_sales::items_json.eq(&snapshot),
            cafe_sales::subtotal_minor.eq(b.subtotal.0),
            cafe_sales::discount_minor.eq(b.discount.0),
            cafe_sales::discount_code.eq(&code),
            cafe_sales::tax_rate_bp.eq(b.tax_rate_bp),
            cafe_sales::tax_minor.eq(b.tax.0),
            cafe_sales::total_minor.eq(b.total.0),
            cafe_sales::payment_method.eq(method.as_str()),
            cafe_sales::opened_at.eq(s.opened_at),
            cafe_sales::closed_at.eq(now),
            cafe_sales::closed_by_employee_id.eq(actor.employee_id),
            cafe_sales::visitor_id.eq(s.visitor_id),
            cafe_sales::shift_id.eq(shift_id),
        ))
        .returning(cafe_sales::id)
        .get_result(conn)?;
    // One payment row per tender; a free bill keeps one row of nothing, so every sale has one.
    let zero = [crate::registers::tenders::Row {
        method: method.as_str().into(),
        amount: Money::ZERO,
        received: None,
        change: None,
        reference: String::new(),
    }];
    for r in if rows.is_empty() {
        &zero[..]
    } else {
        &rows[..]
    } {
        diesel::insert_into(cafe_payments::table)
            .values((
                cafe_payments::sale_id.eq(sale_id),
                cafe_payments::method.eq(&r.method),
                cafe_payments::amount_minor.eq(r.amount.0),
                cafe_payments::cash_received_minor.eq(r.received.map(|m| m.0)),
                cafe_payments::change_minor.eq(r.change.map(|m| m.0)),
                cafe_payments::reference.eq(&r.reference),
            ))
            .execute(conn)?;
    }
    crate::cafe::stats::model::record_sale(conn, s.branch_id, today, &b, &counted)?;
    // A split bill's table is free when its last open part closes (the table's row was taken
    // first thing, so of two parts closed at once the second sees the first closed).
    let still_open: i64 = match s.table_id {
        Some(t) => cafe_sessions::table
            .filter(cafe_sessions::table_id.eq(t))
            .filter(cafe_sessions::closed_at.is_null())
            .count()
            .get_result(conn)?,
        None => 0,
    };
    if let Some(t) = s.table_id.filter(|_| still_open == 0) {
        diesel::update(
            cafe_tables::table
                .find(t)
                .filter(cafe_tables::status.eq(TableStatus::Occupied.as_str())),
        )
        .set(cafe_tables::status.eq(TableStatus::Available.as_str()))
        .execute(conn)?;
    }
    let label = format!(
        "{} bill",
        crate::cafe::kitchen::model::place_label(&s.kind, &s.customer_name, table_number)
    );
    let subject = Subject::of(RECORD, sale_id, &label);
    let changes = Changes::new()
        .created("session_id", session_id)
        .created("subtotal", b.subtotal.plain())
        .created("discount", b.discount.plain())
        .created("tax", b.tax.plain())
        .created("total", b.total.plain())
        .created("payment_method", BillPayment::describe(&rows, method));
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(Closed {
        sale_id,
        branch_id: s.branch_id,
        session_id,
        total: b.total,
        change: Money(rows.iter().filter_map(|r| r.change).map(|m| m.0).sum()),
        paid_by: BillPayment::describe(&rows, method),
        still_open: s.table_id.map(|_| still_open),
    })
}

/// "Mark printed": locks the session against new guest orders. Printing again is fine.
pub fn mark_printed(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    now: NaiveDateTime,
) -> Result<SessionHead, AppError> {
    let s = tab::session(conn, session_id)?;
    if s.closed_at.is_some() {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    let changed = diesel::update(
        cafe_sessions::table
            .find(session_id)
            .filter(cafe_sessions::bill_printed_at.is_null()),
    )
    .set(cafe_sessions::bill_printed_at.eq(now))
    .execute(conn)?;
    let subject = Subject::of("cafe_session", session_id, format!("Bill #{session_id}"));
    let changes = Changes::new().note("copy", if changed == 1 { "first" } else { "again" });
    audit::record(conn, actor, now, audit::PRINT, subject, &changes)?;
    tab::session(conn, session_id)
}

/// A manager reopens a printed bill so the table can order more (from their phones too).
pub fn reopen(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    now: NaiveDateTime,
) -> Result<SessionHead, AppError> {
    let s = tab::session(conn, session_id)?;
    if s.closed_at.is_some() {
        return Err(AppError::Conflict(
            "This bill is already closed and paid; it cannot be reopened.".into(),
        ));
    }
    tab::refuse_if_shared(conn, session_id)?;
    let changed = diesel::update(
        cafe_sessions::table
            .find(session_id)
            .filter(cafe_sessions::bill_printed_at.is_not_null())
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set(cafe_sessions::bill_printed_at.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "This bill is open already: it has not been printed.".into(),
        ));
    }
    let subject = Subject::of("cafe_session", session_id, format!("Bill #{session_id}"));
    let changes = Changes::new().note("bill", "reopened for more orders");
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    tab::session(conn, session_id)
}

/// A waiter answers a guest's call: the alert on the floor goes.
pub fn acknowledge_call(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    now: NaiveDateTime,
) -> Result<SessionHead, AppError> {
    let changed = diesel::update(
        cafe_sessions::table
            .find(session_id)
            .filter(cafe_sessions::staff_called_at.is_not_null()),
    )
    .set(cafe_sessions::staff_called_at.eq(None::<NaiveDateTime>))
    .execute(conn)?;
    if changed == 1 {
        let subject = Subject::of("cafe_session", session_id, format!("Bill #{session_id}"));
        let changes = Changes::new().note("staff_called", "answered");
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    tab::session(conn, session_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn methods(rows: &[crate::registers::tenders::Row]) -> Vec<(&str, i64, Option<i64>)> {
        rows.iter()
            .map(|r| (r.method.as_str(), r.amount.0, r.change.map(|m| m.0)))
            .collect()
    }

    #[test]
    fn a_card_part_and_the_rest_in_cash_with_change() {
        let pay = payment_from_form("cash", "card", "250", "S-9", "", "300").unwrap();
        let (rows, main) = pay.settle(Money(50_400)).unwrap();
        assert_eq!(main, PaymentMethod::Cash);
        assert_eq!(
            methods(&rows),
            vec![("cash", 25_400, Some(4_600)), ("card", 25_000, None)]
        );
        assert_eq!(
            BillPayment::describe(&rows, main),
            "Cash 254.00 + Card 250.00"
        );
    }

    #[test]
    fn one_method_pays_the_whole_bill_and_a_free_bill_needs_no_row() {
        let (rows, main) = BillPayment::whole(PaymentMethod::Upi)
            .settle(Money(50_400))
            .unwrap();
        assert_eq!(
            (methods(&rows), main),
            (vec![("upi", 50_400, None)], PaymentMethod::Upi)
        );
        let (rows, _) = BillPayment::whole(PaymentMethod::Card)
            .settle(Money::ZERO)
            .unwrap();
        assert!(rows.is_empty());
    }

    #[test]
    fn parts_that_do_not_pay_the_bill_are_refused() {
        let short = payment_from_form("cash", "card", "250", "", "", "200").unwrap();
        assert!(short
            .settle(Money(50_400))
            .unwrap_err()
            .contains("less than"));
        let over = payment_from_form("cash", "card", "600", "", "", "").unwrap();
        assert!(over
            .settle(Money(50_400))
            .unwrap_err()
            .contains("only cash gives change"));
        let api = BillPayment {
            parts: vec![BillTender {
                method: PaymentMethod::Card,
                amount: Money(10_000),
                reference: String::new(),
            }],
            rest: None,
            rest_reference: String::new(),
            received: None,
        };
        assert!(api.settle(Money(50_400)).unwrap_err().contains("less than"));
    }

    #[test]
    fn the_close_form_is_checked_for_shape() {
        for (method, part_method, amount, reference, received) in [
            ("bitcoin", "", "", "", ""),
            ("cash", "card", "-5", "", ""),
            ("cash", "card", "0", "", ""),
            ("cash", "card", "1e9", "", ""),
            ("cash", "gold", "5", "", ""),
            ("card", "card", "5", "", ""),
            ("cash", "upi", "5", "a\u{200b}b", ""),
            ("cash", "", "", "", "abc"),
        ] {
            assert!(
                payment_from_form(method, part_method, amount, reference, "", received).is_err(),
                "{method} {part_method} {amount} {received}"
            );
        }
        let card = payment_from_form("card", "", "", "", "", "600").unwrap();
        assert!(
            card.settle(Money(50_400)).is_err(),
            "cash received needs cash"
        );
    }
}
