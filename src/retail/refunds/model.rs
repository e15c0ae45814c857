//! A refund in the database: one transaction that returns the units (to stock, or to
//! defective stock), gives the money back by the sale's tenders or as store credit, reverses
//! the VAT and the commission in proportion, numbers a credit note gap-free per branch, takes
//! a cash refund out of the refunder's open shift, and writes the audit rows — or nothing.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, branches, commissions, credit_note_lines, credit_note_tenders, credit_notes,
    customers, defective_stock, employees, official_receipts, order_items, orders, payments,
    product_serials, products, store_credit_entries,
};
use crate::retail::refunds::rules::{self, RefundRequest, RefundTo, SoldLine};
use crate::retail::sales::daily::{self, DayShare};
use crate::retail::stock::model::{ensure_row, record_movement, Movement};
use crate::retail::stock::rules::{MovementKind, SerialStatus};

pub const RECORD: &str = "credit_note";

pub use crate::registers::settings::{
    refunds_manager_after_days as manager_after_days, MANAGER_AFTER_DAYS,
};

/// Who refunds, and on what day.
pub struct Refunder<'a> {
    pub actor: &'a Actor,
    pub is_manager: bool,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

/// The credit note made (or made before with the same key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Refunded {
    pub credit_note_id: i64,
    pub credit_note_number: String,
    pub total: String,
    pub vat: String,
    pub credit_note_url: String,
}

fn refunded(conn: &mut AnyConnection, id: i64) -> QueryResult<Refunded> {
    let (number, total, vat): (String, i64, i64) = credit_notes::table
        .find(id)
        .select((
            credit_notes::cn_number,
            credit_notes::total_minor,
            credit_notes::vat_minor,
        ))
        .first(conn)?;
    Ok(Refunded {
        credit_note_id: id,
        credit_note_number: number,
        total: Money(total).plain(),
        vat: Money(vat).plain(),
        credit_note_url: format!("/credit-notes/{id}"),
    })
}

/// The sale as the refund sees it, read under the row lock the refund takes.
struct Sale {
    branch_id: i64,
    seller: i64,
    method: String,
    total: i64,
    vat: i64,
    refunded: i64,
    customer_id: Option<i64>,
    day: Option<NaiveDate>,
    created_at: NaiveDateTime,
}

/// Locks the sale's row for the rest of the transaction (every refund of one sale, and its
/// void, queue here), and reads it.
fn lock_sale(conn: &mut AnyConnection, order_id: i64) -> Result<Sale, AppError> {
    type Row = (
        i64,
        i64,
        String,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<NaiveDate>,
        NaiveDateTime,
    );
    macro_rules! lock {
        () => {
            diesel::update(
                orders::table
                    .find(order_id)
                    .filter(orders::status.eq("completed")),
            )
            .set(orders::refunded_minor.eq(orders::refunded_minor))
            .returning((
                orders::branch_id,
                orders::employee_id,
                orders::payment_method,
                orders::total_minor,
                orders::vat_minor,
                orders::refunded_minor,
                orders::customer_id,
                orders::business_day,
                orders::created_at,
            ))
        };
    }
    let row: Option<Row> = match conn {
        AnyConnection::Sqlite(c) => lock!().get_result(c).optional()?,
        AnyConnection::Pg(c) => lock!().get_result(c).optional()?,
    };
    let Some((branch_id, seller, method, total, vat, refunded, customer_id, day, created_at)) = row
    else {
        let exists: i64 = orders::table
            .filter(orders::id.eq(order_id))
            .count()
            .get_result(conn)?;
        return Err(if exists == 0 {
            AppError::not_found("That sale")
        } else {
            AppError::Conflict("This sale was voided: there is nothing to refund.".into())
        });
    };
    Ok(Sale {
        branch_id,
        seller,
        method,
        total,
        vat,
        refunded,
        customer_id,
        day,
        created_at,
    })
}

/// A line of the sale with what the refund needs of it.
struct Item {
    id: i64,
    product_id: i64,
    name: String,
    quantity: i64,
    line_total: i64,
    cost: i64,
    serial_tracked: bool,
}

/// Makes the refund. Caller holds the write transaction; any `Err` rolls everything back.
pub fn refund(
    conn: &mut AnyConnection,
    who: &Refunder<'_>,
    order_id: i64,
    req: &RefundRequest,
) -> Result<Refunded, AppError> {
    let me = who.actor.employee_id.ok_or(AppError::Unauthorized)?;
    let fingerprint = req.fingerprint();
    crate::platform::db::lock_key(conn, "refund", me, &req.key)?;
    let earlier: Option<(i64, String)> = credit_notes::table
        .filter(credit_notes::employee_id.eq(me))
        .filter(credit_notes::idempotency_key.eq(&req.key))
        .select((credit_notes::id, credit_notes::request_sha))
        .first(conn)
        .optional()?;
    if let Some((id, sha)) = earlier {
        if sha != fingerprint {
            return Err(AppError::Conflict(
                "This one-time key was already used for another refund. Start again from the sale."
                    .into(),
            ));
        }
        return Ok(refunded(conn, id)?);
    }

    let sale = lock_sale(conn, order_id)?;
    if sale.method != "cash" {
        return Err(AppError::Conflict(
            "An instalment sale is not refunded at the till: reject or settle its plan on the instalments page."
                .into(),
        ));
    }
    let limit = manager_after_days(conn)?;
    let sold_on = sale.day.unwrap_or_else(|| sale.created_at.date());
    let age = (who.today - sold_on).num_days();
    if age > limit && !who.is_manager {
        return Err(AppError::Forbidden(format!(
            "This sale is {age} days old: refunds after {limit} days need a manager."
        )));
    }
    if req.refund_to == RefundTo::StoreCredit && sale.customer_id.is_none() {
        return Err(AppError::field_invalid(
            "refund_to",
            "Store credit needs a customer on the sale; refund to the sale's tenders instead.",
        ));
    }

    // Every line of the sale (the paid share of each depends on all of them).
    type ItemRow = (i64, i64, String, i64, i64, i64, bool);
    let items: Vec<Item> = order_items::table
        .inner_join(products::table)
        .filter(order_items::order_id.eq(order_id))
        .order(order_items::id.asc())
        .select((
            order_items::id,
            order_items::product_id,
            order_items::product_name,
            order_items::quantity,
            order_items::line_total_minor,
            order_items::cost_price_minor,
            products::serial_tracked,
        ))
        .load::<ItemRow>(conn)?
        .into_iter()
        .map(
            |(id, product_id, name, quantity, line_total, cost, serial_tracked)| Item {
                id,
                product_id,
                name,
                quantity,
                line_total,
                cost,
                serial_tracked,
            },
        )
        .collect();
    let paid = rules::paid_per_line(
        &items.iter().map(|i| i.line_total).collect::<Vec<_>>(),
        sale.total,
    );

    // Each line: the conditional UPDATE that adds the return is what refuses a second refund
    // of units already returned, however many tills try at once.
    struct Returned<'a> {
        item: &'a Item,
        quantity: i64,
        amount: i64,
        value: i64,
        serials: &'a [String],
    }
    let mut returned: Vec<Returned> = Vec::with_capacity(req.lines.len());
    for line in &req.lines {
        let Some(pos) = items.iter().position(|i| i.id == line.item_id) else {
            return Err(AppError::field_invalid(
                "lines",
                format!("Line #{} is not on this sale.", line.item_id),
            ));
        };
        let item = &items[pos];
        if item.serial_tracked && line.serials.len() as i64 != line.quantity {
            return Err(AppError::field_invalid(
                "lines",
                format!(
                    "{}: tick the serial number of each unit returned ({} unit(s), {} serial(s)).",
                    item.name,
                    line.quantity,
                    line.serials.len()
                ),
            ));
        }
        if !item.serial_tracked && !line.serials.is_empty() {
            return Err(AppError::field_invalid(
                "lines",
                format!("{} has no serial numbers; remove them.", item.name),
            ));
        }
        let after: Option<i64> =
            diesel::update(order_items::table.find(item.id).filter(
                (order_items::returned_quantity + line.quantity).le(order_items::quantity),
            ))
            .set(order_items::returned_quantity.eq(order_items::returned_quantity + line.quantity))
            .returning(order_items::returned_quantity)
            .get_result(conn)
            .optional()?;
        let Some(after) = after else {
            let done: i64 = order_items::table
                .find(item.id)
                .select(order_items::returned_quantity)
                .first(conn)?;
            let left = item.quantity - done;
            return Err(AppError::Conflict(if left == 0 {
                format!(
                    "Every unit of {} on this sale was already returned.",
                    item.name
                )
            } else {
                format!(
                    "Only {left} × {} of this sale are left to return.",
                    item.name
                )
            }));
        };
        let before = after - line.quantity;
        let sold = SoldLine {
            quantity: item.quantity,
            returned: before,
            paid: paid[pos],
        };
        let amount = rules::line_refund(&sold, line.quantity)
            .map_err(|e| AppError::field_invalid("lines", format!("{}: {e}", item.name)))?
            .0;
        // The line's own value returned (its total before any VAT added on top): what the
        // sales figures per product go down by.
        let value = rules::share(item.line_total, before, after, item.quantity);
        diesel::update(order_items::table.find(item.id))
            .set(order_items::refunded_minor.eq(order_items::refunded_minor + value))
            .execute(conn)?;
        for serial in &line.serials {
            let back = diesel::update(
                product_serials::table
                    .filter(product_serials::order_item_id.eq(item.id))
                    .filter(product_serials::serial.eq(serial))
                    .filter(product_serials::status.eq(SerialStatus::Sold.as_str())),
            )
            .set((
                product_serials::status.eq(if req.restock {
                    SerialStatus::InStock.as_str()
                } else {
                    SerialStatus::Damaged.as_str()
                }),
                product_serials::order_item_id.eq(None::<i64>),
            ))
            .execute(conn)?;
            if back == 0 {
                return Err(AppError::Conflict(format!(
                    "Serial {serial} was not sold on this line of the sale, or it was already returned."
                )));
            }
        }
        returned.push(Returned {
            item,
            quantity: line.quantity,
            amount,
            value,
            serials: &line.serials,
        });
    }
    let total: i64 = returned.iter().map(|r| r.amount).sum();
    if total <= 0 {
        return Err(AppError::field_invalid(
            "lines",
            "Nothing to refund: the lines chosen were free.",
        ));
    }
    let after: Option<i64> = diesel::update(
        orders::table
            .find(order_id)
            .filter((orders::refunded_minor + total).le(orders::total_minor)),
    )
    .set(orders::refunded_minor.eq(orders::refunded_minor + total))
    .returning(orders::refunded_minor)
    .get_result(conn)
    .optional()?;
    let Some(after) = after else {
        return Err(AppError::Conflict(
            "This refund is more than is left of the sale.".into(),
        ));
    };
    debug_assert_eq!(after - total, sale.refunded);
    let before = after - total;
    let vat = rules::share(sale.vat, before, after, sale.total);
    diesel::update(orders::table.find(order_id))
        .set(orders::refunded_vat_minor.eq(orders::refunded_vat_minor + vat))
        .execute(conn)?;

    // Where the money goes.
    let tenders: Vec<(String, i64, String)> = match req.refund_to {
        RefundTo::StoreCredit => vec![("store_credit".into(), total, String::new())],
        RefundTo::Original => {
            let paid: Vec<(String, i64, String)> = payments::table
                .filter(payments::order_id.eq(order_id))
                .order(payments::id.asc())
                .select((
                    payments::method,
                    payments::amount_minor,
                    payments::reference,
                ))
                .load(conn)?;
            let back: Vec<(String, i64)> = credit_note_tenders::table
                .inner_join(credit_notes::table)
                .filter(credit_notes::order_id.eq(order_id))
                .filter(credit_notes::refund_to.eq(RefundTo::Original.as_str()))
                .group_by(credit_note_tenders::method)
                .select((
                    credit_note_tenders::method,
                    sql::<BigInt>("CAST(SUM(credit_note_tenders.amount_minor) AS BIGINT)"),
                ))
                .load(conn)?;
            let paid = crate::registers::tenders::paid_less_refunded(paid, back);
            rules::to_original_tenders(&paid, total).ok_or_else(|| {
                AppError::Conflict("The sale's tenders have no more to give back.".into())
            })?
        }
    };
    let cash: i64 = tenders.iter().filter(|t| t.0 == "cash").map(|t| t.1).sum();
    // Cash leaves a drawer: the refunder's open shift, which must hold it.
    let shift_id = if cash > 0 {
        let id = crate::registers::shifts::model::require(conn, me)?;
        let shift = crate::registers::shifts::model::find(conn, id)?;
        let held = crate::registers::shifts::model::figures(conn, &shift)?
            .flow
            .expected();
        if Money(cash) > held {
            return Err(AppError::Conflict(format!(
                "The drawer should hold only {}: refund {} in cash is more. Refund as store credit, or pay cash in first.",
                held.grouped(),
                Money(cash).grouped()
            )));
        }
        Some(id)
    } else {
        crate::registers::shifts::model::take(conn, me)?
    };

    let branch_code: String = branches::table
        .find(sale.branch_id)
        .select(branches::code)
        .first(conn)?;
    let number = crate::registers::model::next_credit_note_number(conn, sale.branch_id)?;
    let cn_number = rules::credit_note_number(&branch_code, number);
    let cost: i64 = returned.iter().map(|r| r.quantity * r.item.cost).sum();
    let commission_original: Option<(i64, i64)> = commissions::table
        .filter(commissions::order_id.eq(order_id))
        .filter(commissions::amount_minor.gt(0))
        .select((commissions::rate_bp, commissions::amount_minor))
        .first(conn)
        .optional()?;
    let commission = commission_original.map_or(0, |(_, amount)| {
        rules::share(amount, before, after, sale.total)
    });
    let note_id: i64 = diesel::insert_into(credit_notes::table)
        .values((
            credit_notes::branch_id.eq(sale.branch_id),
            credit_notes::number.eq(number),
            credit_notes::cn_number.eq(&cn_number),
            credit_notes::order_id.eq(order_id),
            credit_notes::shift_id.eq(shift_id),
            credit_notes::employee_id.eq(me),
            credit_notes::reason.eq(&req.reason),
            credit_notes::restock.eq(req.restock),
            credit_notes::refund_to.eq(req.refund_to.as_str()),
            credit_notes::customer_id.eq(sale.customer_id),
            credit_notes::total_minor.eq(total),
            credit_notes::vatable_minor.eq(total - vat),
            credit_notes::vat_minor.eq(vat),
            credit_notes::commission_minor.eq(commission),
            credit_notes::idempotency_key.eq(&req.key),
            credit_notes::request_sha.eq(&fingerprint),
            credit_notes::created_at.eq(who.now),
            credit_notes::business_day.eq(who.today),
        ))
        .returning(credit_notes::id)
        .get_result(conn)?;
    for r in &returned {
        diesel::insert_into(credit_note_lines::table)
            .values((
                credit_note_lines::credit_note_id.eq(note_id),
                credit_note_lines::order_item_id.eq(r.item.id),
                credit_note_lines::product_id.eq(r.item.product_id),
                credit_note_lines::product_name.eq(&r.item.name),
                credit_note_lines::quantity.eq(r.quantity),
                credit_note_lines::amount_minor.eq(r.amount),
                credit_note_lines::cost_minor.eq(r.item.cost),
                credit_note_lines::serials.eq(r.serials.join(" ")),
            ))
            .execute(conn)?;
    }
    for (method, amount, reference) in &tenders {
        diesel::insert_into(credit_note_tenders::table)
            .values((
                credit_note_tenders::credit_note_id.eq(note_id),
                credit_note_tenders::method.eq(method),
                credit_note_tenders::amount_minor.eq(amount),
                credit_note_tenders::reference.eq(reference),
            ))
            .execute(conn)?;
        if method == "store_credit" {
            let customer = sale.customer_id.ok_or_else(|| {
                AppError::Conflict("Store credit needs a customer on the sale.".into())
            })?;
            credit_customer(conn, customer, *amount, Some(note_id), None, me, who.now)?;
        }
    }

    // The units: back on the shelf, or into defective stock (stock rows in product order).
    let mut by_product: Vec<&Returned> = returned.iter().collect();
    by_product.sort_by_key(|r| r.item.product_id);
    for r in by_product {
        if req.restock {
            let row = ensure_row(conn, sale.branch_id, r.item.product_id, who.now)?;
            let left: i64 = diesel::update(branch_stock::table.find(row))
                .set((
                    branch_stock::quantity.eq(branch_stock::quantity + r.quantity),
                    branch_stock::updated_at.eq(who.now),
                ))
                .returning(branch_stock::quantity)
                .get_result(conn)?;
            record_movement(
                conn,
                &Movement {
                    branch_id: sale.branch_id,
                    product_id: r.item.product_id,
                    kind: MovementKind::Return,
                    change: r.quantity,
                    after: left,
                    document: &cn_number,
                    order_id: Some(order_id),
                    reason: &req.reason,
                    employee_id: me,
                    at: who.now,
                },
            )?;
        } else {
            let units: Vec<String> = if r.serials.is_empty() {
                vec![String::new(); r.quantity as usize]
            } else {
                r.serials.to_vec()
            };
            for serial in units {
                diesel::insert_into(defective_stock::table)
                    .values((
                        defective_stock::product_id.eq(r.item.product_id),
                        defective_stock::branch_id.eq(sale.branch_id),
                        defective_stock::faulty_serial.eq(serial),
                        defective_stock::reason
                            .eq(format!("Returned ({cn_number}): {}", req.reason)),
                        defective_stock::status.eq("held"),
                        defective_stock::received_at.eq(who.now),
                        defective_stock::credit_note_id.eq(note_id),
                    ))
                    .execute(conn)?;
            }
        }
    }

    // The commission goes back in proportion; the seller's totals and the day's figures go
    // down on the day the sale was counted in.
    if let (Some((rate_bp, _)), true) = (commission_original, commission != 0) {
        diesel::insert_into(commissions::table)
            .values((
                commissions::order_id.eq(order_id),
                commissions::employee_id.eq(sale.seller),
                commissions::rate_bp.eq(rate_bp),
                commissions::amount_minor.eq(-commission),
                commissions::created_at.eq(who.now),
            ))
            .execute(conn)?;
    }
    diesel::update(employees::table.find(sale.seller))
        .set((
            employees::total_sales_minor.eq(employees::total_sales_minor - total),
            employees::total_commission_minor.eq(employees::total_commission_minor - commission),
        ))
        .execute(conn)?;
    if let Some(day) = sale.day {
        daily::add(
            conn,
            sale.branch_id,
            day,
            DayShare::refund(total, vat, cost),
        )?;
        let lines: Vec<(i64, [i64; 3])> = returned
            .iter()
            .map(|r| {
                (
                    r.item.product_id,
                    [r.quantity, r.value, r.quantity * r.item.cost],
                )
            })
            .collect();
        crate::retail::sales::daily_detail::count_refund(
            conn,
            sale.branch_id,
            day,
            sale.seller,
            [total, commission],
            &lines,
        )?;
    }

    let or_number: String = official_receipts::table
        .filter(official_receipts::order_id.eq(order_id))
        .select(official_receipts::or_number)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| format!("order #{order_id}"));
    let what: Vec<String> = returned
        .iter()
        .map(|r| {
            if r.serials.is_empty() {
                format!("{} × {}", r.quantity, r.item.name)
            } else {
                format!(
                    "{} × {} ({})",
                    r.quantity,
                    r.item.name,
                    r.serials.join(", ")
                )
            }
        })
        .collect();
    let tenders_text: Vec<String> = tenders
        .iter()
        .map(|(m, a, _)| format!("{} {}", rules::tender_label(m), Money(*a).plain()))
        .collect();
    let changes = Changes::new()
        .created("credit_note", cn_number.as_str())
        .created("or_number", or_number.as_str())
        .created("returned", what.join("; "))
        .created("refund", Money(total).plain())
        .created("vat", Money(vat).plain())
        .created("tenders", tenders_text.join(", "))
        .created(
            "restock",
            if req.restock {
                "back to stock"
            } else {
                "defective stock"
            },
        )
        .created("commission_reversed", Money(commission).plain())
        .created("reason", req.reason.as_str());
    let mut batch = audit::Batch::new(who.actor, who.now);
    batch.add(
        audit::CREATE,
        Subject::of(RECORD, note_id, &cn_number),
        &changes,
    );
    batch.add(
        audit::REFUND,
        Subject::of(crate::retail::pos::checkout::RECORD, order_id, &or_number),
        &changes,
    );
    batch.write(conn)?;
    Ok(refunded(conn, note_id)?)
}

/// Adds (or, negative, spends) store credit: one conditional UPDATE on the balance, which
/// never goes below zero, and a ledger row. `Err` Conflict when the balance is short.
pub fn credit_customer(
    conn: &mut AnyConnection,
    customer_id: i64,
    amount: i64,
    credit_note_id: Option<i64>,
    order_id: Option<i64>,
    employee_id: i64,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let after: Option<i64> = diesel::update(
        customers::table
            .find(customer_id)
            .filter((customers::store_credit_minor + amount).ge(0i64)),
    )
    .set(customers::store_credit_minor.eq(customers::store_credit_minor + amount))
    .returning(customers::store_credit_minor)
    .get_result(conn)
    .optional()?;
    let Some(after) = after else {
        let balance: i64 = customers::table
            .find(customer_id)
            .select(customers::store_credit_minor)
            .first(conn)?;
        return Err(AppError::Conflict(format!(
            "The customer has only {} of store credit.",
            Money(balance).grouped()
        )));
    };
    diesel::insert_into(store_credit_entries::table)
        .values((
            store_credit_entries::customer_id.eq(customer_id),
            store_credit_entries::amount_minor.eq(amount),
            store_credit_entries::balance_after_minor.eq(after),
            store_credit_entries::credit_note_id.eq(credit_note_id),
            store_credit_entries::order_id.eq(order_id),
            store_credit_entries::employee_id.eq(employee_id),
            store_credit_entries::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(after)
}

/// A credit note as it prints.
#[derive(Debug, Clone)]
pub struct CreditNote {
    pub id: i64,
    pub cn_number: String,
    pub order_id: i64,
    pub or_number: String,
    pub branch_id: i64,
    pub branch: String,
    pub branch_address: String,
    pub branch_phone: String,
    pub employee: String,
    pub customer: Option<String>,
    pub reason: String,
    pub restock: bool,
    pub refund_to: String,
    pub total: Money,
    pub vatable: Money,
    pub vat: Money,
    pub created_at: NaiveDateTime,
    pub shift_id: Option<i64>,
    pub lines: Vec<NoteLine>,
    pub tenders: Vec<NoteTender>,
}

#[derive(Debug, Clone, Queryable)]
pub struct NoteLine {
    pub product_name: String,
    pub quantity: i64,
    pub amount_minor: i64,
    pub serials: String,
}

impl NoteLine {
    pub fn amount(&self) -> Money {
        Money(self.amount_minor)
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct NoteTender {
    pub method: String,
    pub amount_minor: i64,
    pub reference: String,
}

impl NoteTender {
    pub fn label(&self) -> &'static str {
        rules::tender_label(&self.method)
    }
    pub fn amount(&self) -> Money {
        Money(self.amount_minor)
    }
}

pub fn credit_note(conn: &mut AnyConnection, id: i64) -> Result<CreditNote, AppError> {
    type Head = (
        (i64, String, i64, i64, String, String, String),
        (String, Option<i64>, String, bool, String, i64, i64, i64),
        (NaiveDateTime, Option<i64>, i64),
    );
    let head: Option<Head> = credit_notes::table
        .inner_join(branches::table)
        .inner_join(employees::table.on(employees::id.eq(credit_notes::employee_id)))
        .filter(credit_notes::id.eq(id))
        .select((
            (
                credit_notes::id,
                credit_notes::cn_number,
                credit_notes::order_id,
                credit_notes::branch_id,
                branches::name,
                branches::address,
                branches::phone,
            ),
            (
                employees::name,
                credit_notes::customer_id,
                credit_notes::reason,
                credit_notes::restock,
                credit_notes::refund_to,
                credit_notes::total_minor,
                credit_notes::vatable_minor,
                credit_notes::vat_minor,
            ),
            (
                credit_notes::created_at,
                credit_notes::shift_id,
                credit_notes::employee_id,
            ),
        ))
        .first(conn)
        .optional()?;
    let Some((
        (id, cn_number, order_id, branch_id, branch, branch_address, branch_phone),
        (employee, customer_id, reason, restock, refund_to, total, vatable, vat),
        (created_at, shift_id, _),
    )) = head
    else {
        return Err(AppError::not_found("That credit note"));
    };
    let customer = match customer_id {
        Some(c) => customers::table
            .find(c)
            .select(customers::name)
            .first::<String>(conn)
            .optional()?,
        None => None,
    };
    let or_number: String = official_receipts::table
        .filter(official_receipts::order_id.eq(order_id))
        .select(official_receipts::or_number)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| format!("#{order_id}"));
    let lines = credit_note_lines::table
        .filter(credit_note_lines::credit_note_id.eq(id))
        .order(credit_note_lines::id.asc())
        .select((
            credit_note_lines::product_name,
            credit_note_lines::quantity,
            credit_note_lines::amount_minor,
            credit_note_lines::serials,
        ))
        .load(conn)?;
    let tenders = credit_note_tenders::table
        .filter(credit_note_tenders::credit_note_id.eq(id))
        .order(credit_note_tenders::id.asc())
        .select((
            credit_note_tenders::method,
            credit_note_tenders::amount_minor,
            credit_note_tenders::reference,
        ))
        .load(conn)?;
    Ok(CreditNote {
        id,
        cn_number,
        order_id,
        or_number,
        branch_id,
        branch,
        branch_address,
        branch_phone,
        employee,
        customer,
        reason,
        restock,
        refund_to,
        total: Money(total),
        vatable: Money(vatable),
        vat: Money(vat),
        created_at,
        shift_id,
        lines,
        tenders,
    })
}

/// The credit notes of a sale, oldest first: (id, number, when, total).
pub fn of_order(
    conn: &mut AnyConnection,
    order_id: i64,
) -> QueryResult<Vec<(i64, String, NaiveDateTime, i64)>> {
    credit_notes::table
        .filter(credit_notes::order_id.eq(order_id))
        .order(credit_notes::id.asc())
        .select((
            credit_notes::id,
            credit_notes::cn_number,
            credit_notes::created_at,
            credit_notes::total_minor,
        ))
        .load(conn)
}

/// What is left to return of each line of a sale: item id → units returned so far.
pub fn returned_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    order_items::table
        .filter(order_items::order_id.eq(order_id))
        .select((order_items::id, order_items::returned_quantity))
        .load(conn)
}

/// A sale found for a refund: id, OR number, when, total, refunded, customer.
pub type FoundSale = (i64, String, NaiveDateTime, i64, i64, Option<String>);

/// Sales a refund may start from: by OR number (typed, or scanned from the receipt's QR
/// code) or by the customer's phone, newest first, at most 20, in the viewer's branch unless
/// a manager asks. (id, OR number, when, total, refunded, customer)
pub fn find_sales(
    conn: &mut AnyConnection,
    q: &str,
    branch: Option<i64>,
) -> QueryResult<Vec<FoundSale>> {
    let q = q.trim();
    // Both look-ups use an index: the receipt's number, and the customer's phone key.
    let mut ids: Vec<i64> = official_receipts::table
        .filter(official_receipts::or_number.eq(q.to_uppercase()))
        .select(official_receipts::order_id)
        .load(conn)?;
    if let Some(key) = crate::retail::customers::phone_key(q) {
        let people: Vec<i64> = customers::table
            .filter(customers::phone_key.eq(key))
            .select(customers::id)
            .load(conn)?;
        if !people.is_empty() {
            ids.extend(
                orders::table
                    .filter(orders::customer_id.eq_any(people))
                    .order(orders::id.desc())
                    .limit(20)
                    .select(orders::id)
                    .load::<i64>(conn)?,
            );
        }
    }
    let mut query = orders::table
        .inner_join(official_receipts::table)
        .left_join(customers::table)
        .filter(orders::id.eq_any(ids))
        .filter(orders::status.eq("completed"))
        .filter(orders::payment_method.eq("cash"))
        .into_boxed();
    if let Some(b) = branch {
        query = query.filter(orders::branch_id.eq(b));
    }
    query
        .order(orders::id.desc())
        .limit(20)
        .select((
            orders::id,
            official_receipts::or_number,
            orders::created_at,
            orders::total_minor,
            orders::refunded_minor,
            customers::name.nullable(),
        ))
        .load(conn)
}

/// What was refunded of a sale so far.
pub fn refunded_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<i64> {
    orders::table
        .find(order_id)
        .select(orders::refunded_minor)
        .first(conn)
}

/// The lines of a sale whose product has serial numbers.
pub fn serial_tracked_of(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Vec<i64>> {
    order_items::table
        .inner_join(products::table)
        .filter(order_items::order_id.eq(order_id))
        .filter(products::serial_tracked.eq(true))
        .select(order_items::id)
        .load(conn)
}
