//! A cafe refund in the database: one transaction that locks the closed bill, works out what
//! goes back (`rules::work_out`), gives it back by the bill's own tenders (card and UPI first,
//! cash from the refunder's open shift), numbers a credit note in the branch's one gap-free
//! credit-note sequence, takes the refund off the day's cafe figures and writes the audit rows —
//! or nothing. Nothing goes back to stock: food served does not return to the shelf.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::cafe::refunds::rules::{self, BillFigures, CafeRefundRequest, Refusal, SoldLine};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, cafe_credit_note_lines, cafe_credit_note_tenders, cafe_credit_notes, cafe_payments,
    cafe_sales,
};
use crate::registers::tenders;

pub const RECORD: &str = "cafe_credit_note";

/// Who refunds, and when.
pub struct CafeRefunder<'a> {
    pub actor: &'a Actor,
    pub is_manager: bool,
    pub clock: BusinessClock,
    pub now: NaiveDateTime,
}

/// A closed bill as the refund page and the refund see it.
#[derive(Debug, Clone)]
pub struct ClosedBill {
    pub id: i64,
    pub branch_id: i64,
    pub session_id: i64,
    pub table_number: Option<i64>,
    pub kind: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub subtotal: Money,
    pub discount: Money,
    pub tax_rate_bp: i64,
    pub tax: Money,
    pub total: Money,
    pub closed_at: NaiveDateTime,
    pub refunded: Money,
    pub refunded_value: i64,
    pub lines: Vec<SoldLine>,
    /// (method, amount, reference) of each tender.
    pub payments: Vec<(String, Money, String)>,
}

impl ClosedBill {
    pub fn place(&self) -> String {
        crate::cafe::kitchen::model::place_label(&self.kind, &self.customer_name, self.table_number)
    }
    pub fn left(&self) -> Money {
        Money(self.total.0 - self.refunded.0)
    }
}

type HeadRow = (
    (i64, i64, i64, Option<i64>, String, String, String, String),
    (i64, i64, i64, i64, i64, NaiveDateTime, i64, i64),
);

/// The closed bill `id` with its lines, what was returned of each, and its tenders.
pub fn load(conn: &mut AnyConnection, id: i64) -> Result<ClosedBill, AppError> {
    let ((id, branch_id, session_id, table_number, kind, name, phone, items), nums): HeadRow =
        cafe_sales::table
            .find(id)
            .select((
                (
                    cafe_sales::id,
                    cafe_sales::branch_id,
                    cafe_sales::session_id,
                    cafe_sales::table_number,
                    cafe_sales::kind,
                    cafe_sales::customer_name,
                    cafe_sales::customer_phone,
                    cafe_sales::items_json,
                ),
                (
                    cafe_sales::subtotal_minor,
                    cafe_sales::discount_minor,
                    cafe_sales::tax_rate_bp,
                    cafe_sales::tax_minor,
                    cafe_sales::total_minor,
                    cafe_sales::closed_at,
                    cafe_sales::refunded_minor,
                    cafe_sales::refunded_value_minor,
                ),
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found("That bill"))?;
    let (subtotal, discount, tax_rate_bp, tax, total, closed_at, refunded, refunded_value) = nums;
    let mut lines = rules::sold_lines(&items);
    let returned: Vec<(i64, i64)> = cafe_credit_note_lines::table
        .inner_join(cafe_credit_notes::table)
        .filter(cafe_credit_notes::sale_id.eq(id))
        .group_by(cafe_credit_note_lines::line_index)
        .select((
            cafe_credit_note_lines::line_index,
            sql::<BigInt>("CAST(SUM(cafe_credit_note_lines.quantity) AS BIGINT)"),
        ))
        .load(conn)?;
    for (index, quantity) in returned {
        if let Some(l) = usize::try_from(index).ok().and_then(|i| lines.get_mut(i)) {
            l.returned = quantity;
        }
    }
    let payments: Vec<(String, i64, String)> = cafe_payments::table
        .filter(cafe_payments::sale_id.eq(id))
        .filter(cafe_payments::amount_minor.gt(0))
        .order(cafe_payments::id.asc())
        .select((
            cafe_payments::method,
            cafe_payments::amount_minor,
            cafe_payments::reference,
        ))
        .load(conn)?;
    Ok(ClosedBill {
        id,
        branch_id,
        session_id,
        table_number,
        kind,
        customer_name: name,
        customer_phone: phone,
        subtotal: Money(subtotal),
        discount: Money(discount),
        tax_rate_bp,
        tax: Money(tax),
        total: Money(total),
        closed_at,
        refunded: Money(refunded),
        refunded_value,
        lines,
        payments: payments
            .into_iter()
            .map(|(m, a, r)| (m, Money(a), r))
            .collect(),
    })
}

/// The credit note made (or made before with the same key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafeRefunded {
    pub id: i64,
    pub number: String,
    pub total: Money,
}

/// Makes the refund. Caller holds the write transaction and has checked the branch; any
/// `Err` rolls everything back.
pub fn refund(
    conn: &mut AnyConnection,
    who: &CafeRefunder<'_>,
    sale_id: i64,
    req: &CafeRefundRequest,
) -> Result<CafeRefunded, AppError> {
    let me = who.actor.employee_id.ok_or(AppError::Unauthorized)?;
    let fingerprint = req.fingerprint();
    crate::platform::db::lock_key(conn, "cafe-refund", me, &req.key)?;
    let earlier: Option<(i64, String, String, i64)> = cafe_credit_notes::table
        .filter(cafe_credit_notes::employee_id.eq(me))
        .filter(cafe_credit_notes::idempotency_key.eq(&req.key))
        .select((
            cafe_credit_notes::id,
            cafe_credit_notes::request_sha,
            cafe_credit_notes::cn_number,
            cafe_credit_notes::total_minor,
        ))
        .first(conn)
        .optional()?;
    if let Some((id, sha, number, total)) = earlier {
        if sha != fingerprint {
            return Err(AppError::Conflict(
                "This one-time key was already used for another refund. Start again from the bill."
                    .into(),
            ));
        }
        return Ok(CafeRefunded {
            id,
            number,
            total: Money(total),
        });
    }

    // The bill's row is locked first: two refunds of one bill take turns, and the second sees
    // what the first returned.
    let locked = diesel::update(cafe_sales::table.find(sale_id))
        .set(cafe_sales::refunded_minor.eq(cafe_sales::refunded_minor))
        .execute(conn)?;
    if locked == 0 {
        return Err(AppError::not_found("That bill"));
    }
    let bill = load(conn, sale_id)?;
    let limit = crate::registers::settings::refunds_manager_after_days(conn)?;
    let closed_on = who.clock.to_local(bill.closed_at).date_naive();
    let today = who.clock.to_local(who.now).date_naive();
    let age = (today - closed_on).num_days();
    if age > limit && !who.is_manager {
        return Err(AppError::Forbidden(format!(
            "This bill is {age} days old: refunds after {limit} days need a manager."
        )));
    }
    let worked = rules::work_out(
        &bill.lines,
        BillFigures {
            tax: bill.tax.0,
            total: bill.total.0,
            value_returned: bill.refunded_value,
        },
        &req.lines,
    )
    .map_err(|r| match r {
        Refusal::Invalid(m) => AppError::field_invalid("lines", m),
        Refusal::TooMany(m) => AppError::Conflict(m),
    })?;
    let moved = diesel::update(
        cafe_sales::table
            .find(sale_id)
            .filter((cafe_sales::refunded_minor + worked.total).le(cafe_sales::total_minor))
            .filter(
                (cafe_sales::refunded_value_minor + worked.value).le(cafe_sales::subtotal_minor),
            ),
    )
    .set((
        cafe_sales::refunded_minor.eq(cafe_sales::refunded_minor + worked.total),
        cafe_sales::refunded_value_minor.eq(cafe_sales::refunded_value_minor + worked.value),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Err(AppError::Conflict(
            "This refund is more than is left of the bill.".into(),
        ));
    }

    // The money goes back by the bill's own tenders, less what each got back before.
    let back: Vec<(String, i64)> = cafe_credit_note_tenders::table
        .inner_join(cafe_credit_notes::table)
        .filter(cafe_credit_notes::sale_id.eq(sale_id))
        .group_by(cafe_credit_note_tenders::method)
        .select((
            cafe_credit_note_tenders::method,
            sql::<BigInt>("CAST(SUM(cafe_credit_note_tenders.amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let paid = tenders::paid_less_refunded(
        bill.payments
            .iter()
            .map(|(m, a, r)| (m.clone(), a.0, r.clone())),
        back,
    );
    let tenders = tenders::to_original_tenders(&paid, worked.total).ok_or_else(|| {
        AppError::Conflict("The bill's tenders have no more to give back.".into())
    })?;
    let cash: i64 = tenders.iter().filter(|t| t.0 == "cash").map(|t| t.1).sum();
    // Cash leaves the refunder's drawer, which must hold it; with shifts optional for the
    // cafe and none open, the cash is not counted against any drawer.
    let shift_id = crate::registers::shifts::model::take(conn, me)?;
    if cash > 0 {
        match shift_id {
            Some(id) => {
                let shift = crate::registers::shifts::model::find(conn, id)?;
                let held = crate::registers::shifts::model::figures(conn, &shift)?
                    .flow
                    .expected();
                if Money(cash) > held {
                    return Err(AppError::Conflict(format!(
                        "The drawer should hold only {}: refunding {} in cash is more. Pay cash in first.",
                        held.grouped(),
                        Money(cash).grouped()
                    )));
                }
            }
            None => {
                if crate::platform::settings::get(conn, crate::registers::settings::CAFE_REQUIRED)?
                    .is_some_and(|v| v == "true")
                {
                    return Err(AppError::Conflict(
                        crate::registers::shifts::model::OPEN_FIRST.into(),
                    ));
                }
            }
        }
    }

    let branch_code: String = branches::table
        .find(bill.branch_id)
        .select(branches::code)
        .first(conn)?;
    let number = crate::registers::model::next_credit_note_number(conn, bill.branch_id)?;
    let cn_number = tenders::credit_note_number(&branch_code, number);
    let note_id: i64 = diesel::insert_into(cafe_credit_notes::table)
        .values((
            cafe_credit_notes::branch_id.eq(bill.branch_id),
            cafe_credit_notes::number.eq(number),
            cafe_credit_notes::cn_number.eq(&cn_number),
            cafe_credit_notes::sale_id.eq(sale_id),
            cafe_credit_notes::shift_id.eq(shift_id),
            cafe_credit_notes::employee_id.eq(me),
            cafe_credit_notes::reason.eq(&req.reason),
            cafe_credit_notes::value_minor.eq(worked.value),
            cafe_credit_notes::discount_minor.eq(worked.discount),
            cafe_credit_notes::tax_minor.eq(worked.tax),
            cafe_credit_notes::total_minor.eq(worked.total),
            cafe_credit_notes::idempotency_key.eq(&req.key),
            cafe_credit_notes::request_sha.eq(&fingerprint),
            cafe_credit_notes::created_at.eq(who.now),
            cafe_credit_notes::business_day.eq(today),
        ))
        .returning(cafe_credit_notes::id)
        .get_result(conn)?;
    for t in &worked.lines {
        let l = &bill.lines[t.index];
        diesel::insert_into(cafe_credit_note_lines::table)
            .values((
                cafe_credit_note_lines::credit_note_id.eq(note_id),
                cafe_credit_note_lines::line_index.eq(t.index as i64),
                cafe_credit_note_lines::menu_item_id.eq(l.menu_item_id),
                cafe_credit_note_lines::name.eq(&l.name),
                cafe_credit_note_lines::category.eq(&l.category),
                cafe_credit_note_lines::quantity.eq(t.quantity),
                cafe_credit_note_lines::value_minor.eq(t.value),
                cafe_credit_note_lines::amount_minor.eq(t.amount),
            ))
            .execute(conn)?;
    }
    for (method, amount, reference) in &tenders {
        diesel::insert_into(cafe_credit_note_tenders::table)
            .values((
                cafe_credit_note_tenders::credit_note_id.eq(note_id),
                cafe_credit_note_tenders::method.eq(method),
                cafe_credit_note_tenders::amount_minor.eq(amount),
                cafe_credit_note_tenders::reference.eq(reference),
            ))
            .execute(conn)?;
    }

    // The cafe's figures go down on the day the bill was counted in.
    let items: Vec<(i64, i64, i64)> = worked
        .lines
        .iter()
        .map(|t| (bill.lines[t.index].menu_item_id, t.quantity, t.value))
        .collect();
    crate::cafe::stats::model::record_refund(
        conn,
        bill.branch_id,
        closed_on,
        [worked.value, worked.discount, worked.tax, worked.total],
        &items,
    )?;

    let what: Vec<String> = worked
        .lines
        .iter()
        .map(|t| format!("{} × {}", t.quantity, bill.lines[t.index].name))
        .collect();
    let paid_back: Vec<String> = tenders
        .iter()
        .map(|(m, a, _)| format!("{} {}", tender_label(m), Money(*a).plain()))
        .collect();
    let changes = Changes::new()
        .created("sale_id", sale_id)
        .created("lines", what.join(", "))
        .created("reason", req.reason.as_str())
        .created("total", Money(worked.total).plain())
        .created("tax", Money(worked.tax).plain())
        .created("refunded_by", paid_back.join(", "));
    audit::record(
        conn,
        who.actor,
        who.now,
        audit::CREATE,
        Subject::of(RECORD, note_id, &cn_number),
        &changes,
    )?;
    audit::record(
        conn,
        who.actor,
        who.now,
        audit::REFUND,
        Subject::of(
            crate::cafe::sales::RECORD,
            sale_id,
            format!("{} bill", bill.place()),
        ),
        &Changes::new().note("credit_note", &cn_number),
    )?;
    Ok(CafeRefunded {
        id: note_id,
        number: cn_number,
        total: Money(worked.total),
    })
}

pub fn tender_label(method: &str) -> &'static str {
    crate::cafe::sales::PaymentMethod::parse(method).map_or("Other", |m| m.label())
}

/// A printed cafe credit note.
#[derive(Debug, Clone)]
pub struct CafeCreditNote {
    pub id: i64,
    pub number: String,
    pub sale_id: i64,
    pub branch_id: i64,
    pub branch_name: String,
    pub employee: String,
    pub reason: String,
    pub value: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub created_at: NaiveDateTime,
    /// (name, quantity, amount)
    pub lines: Vec<(String, i64, Money)>,
    /// (method label, amount, reference)
    pub tenders: Vec<(&'static str, Money, String)>,
}

type NoteRow = (
    (i64, String, i64, i64, String, String, String),
    (i64, i64, i64, i64, NaiveDateTime),
);

pub fn credit_note(conn: &mut AnyConnection, id: i64) -> Result<CafeCreditNote, AppError> {
    use crate::platform::schema::employees;
    let ((id, number, sale_id, branch_id, branch_name, employee, reason), nums): NoteRow =
        cafe_credit_notes::table
            .inner_join(branches::table)
            .inner_join(employees::table)
            .filter(cafe_credit_notes::id.eq(id))
            .select((
                (
                    cafe_credit_notes::id,
                    cafe_credit_notes::cn_number,
                    cafe_credit_notes::sale_id,
                    cafe_credit_notes::branch_id,
                    branches::name,
                    employees::name,
                    cafe_credit_notes::reason,
                ),
                (
                    cafe_credit_notes::value_minor,
                    cafe_credit_notes::discount_minor,
                    cafe_credit_notes::tax_minor,
                    cafe_credit_notes::total_minor,
                    cafe_credit_notes::created_at,
                ),
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found("That credit note"))?;
    let (value, discount, tax, total, created_at) = nums;
    let lines: Vec<(String, i64, i64)> = cafe_credit_note_lines::table
        .filter(cafe_credit_note_lines::credit_note_id.eq(id))
        .order(cafe_credit_note_lines::line_index.asc())
        .select((
            cafe_credit_note_lines::name,
            cafe_credit_note_lines::quantity,
            cafe_credit_note_lines::amount_minor,
        ))
        .load(conn)?;
    let tenders: Vec<(String, i64, String)> = cafe_credit_note_tenders::table
        .filter(cafe_credit_note_tenders::credit_note_id.eq(id))
        .order(cafe_credit_note_tenders::id.asc())
        .select((
            cafe_credit_note_tenders::method,
            cafe_credit_note_tenders::amount_minor,
            cafe_credit_note_tenders::reference,
        ))
        .load(conn)?;
    Ok(CafeCreditNote {
        id,
        number,
        sale_id,
        branch_id,
        branch_name,
        employee,
        reason,
        value: Money(value),
        discount: Money(discount),
        tax: Money(tax),
        total: Money(total),
        created_at,
        lines: lines
            .into_iter()
            .map(|(n, q, a)| (n, q, Money(a)))
            .collect(),
        tenders: tenders
            .into_iter()
            .map(|(m, a, r)| (tender_label(&m), Money(a), r))
            .collect(),
    })
}

/// A bill's credit notes: (id, number, created, total).
pub fn of_sale(
    conn: &mut AnyConnection,
    sale_id: i64,
) -> QueryResult<Vec<(i64, String, NaiveDateTime, Money)>> {
    Ok(cafe_credit_notes::table
        .filter(cafe_credit_notes::sale_id.eq(sale_id))
        .order(cafe_credit_notes::id.asc())
        .select((
            cafe_credit_notes::id,
            cafe_credit_notes::cn_number,
            cafe_credit_notes::created_at,
            cafe_credit_notes::total_minor,
        ))
        .load::<(i64, String, NaiveDateTime, i64)>(conn)?
        .into_iter()
        .map(|(id, n, at, t)| (id, n, at, Money(t)))
        .collect())
}

/// One row of the closed-bills list.
#[derive(Debug, Clone)]
pub struct BillRow {
    pub id: i64,
    pub place: String,
    pub phone: String,
    pub closed_at: NaiveDateTime,
    pub total: Money,
    pub refunded: Money,
    pub method: String,
}

/// A branch's closed bills, newest first: all of them, or those whose bill number, table
/// number or guest phone is `q`, between `from` and `to` (UTC). `limit` rows from `offset`.
pub fn closed_bills(
    conn: &mut AnyConnection,
    branch: i64,
    q: &str,
    span: (NaiveDateTime, NaiveDateTime),
    (limit, offset): (i64, i64),
) -> QueryResult<Vec<BillRow>> {
    let mut query = cafe_sales::table
        .filter(cafe_sales::branch_id.eq(branch))
        .filter(cafe_sales::closed_at.ge(span.0))
        .filter(cafe_sales::closed_at.lt(span.1))
        .into_boxed();
    let term = q.trim().trim_start_matches('#');
    if !term.is_empty() {
        let number = term.parse::<i64>().ok();
        let digits: String = term.chars().filter(char::is_ascii_digit).collect();
        let by_phone = cafe_sales::customer_phone.eq(term.to_string());
        query = match number {
            Some(n) => query.filter(
                cafe_sales::id
                    .eq(n)
                    .or(cafe_sales::table_number.eq(n))
                    .or(by_phone)
                    .or(cafe_sales::customer_phone.eq(digits)),
            ),
            None => query.filter(by_phone),
        };
    }
    type Row = (
        i64,
        String,
        String,
        Option<i64>,
        String,
        NaiveDateTime,
        i64,
        i64,
        String,
    );
    let rows: Vec<Row> = query
        .order((cafe_sales::closed_at.desc(), cafe_sales::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((
            cafe_sales::id,
            cafe_sales::kind,
            cafe_sales::customer_name,
            cafe_sales::table_number,
            cafe_sales::customer_phone,
            cafe_sales::closed_at,
            cafe_sales::total_minor,
            cafe_sales::refunded_minor,
            cafe_sales::payment_method,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, name, table, phone, closed_at, total, refunded, method)| BillRow {
                id,
                place: crate::cafe::kitchen::model::place_label(&kind, &name, table),
                phone,
                closed_at,
                total: Money(total),
                refunded: Money(refunded),
                method: tender_label(&method).to_string(),
            },
        )
        .collect())
}
