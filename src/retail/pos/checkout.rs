//! Checkout, cash or instalment: one transaction that writes the order, its items, the stock
//! decrements, the payment (the cash, or the down payment), the official receipt, an
//! instalment sale's plan and schedule, the commission and the audit row — or nothing at all.

use diesel::prelude::*;
use serde::Serialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::db::CacheStatement;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, branches, commissions, employees, installment_plans, official_receipts,
    order_items, orders, payments, product_serials, products, receipt_counters,
};
use crate::retail::customers;
use crate::retail::installments::{self, rules, rules::PlanFigures};
use crate::retail::pos::cart::{Cart, ProductRef, Tender, TenderMethod, TenderPart};
use crate::retail::pricing::{self, line_total, receipt_totals};
use crate::retail::sales::rules::OrderStatus;
use crate::retail::settings;
use crate::retail::stock::model as stock;
use crate::retail::stock::rules::{MovementKind, SerialStatus};

pub const RECORD: &str = "order";

/// What the terminal gets back (and gets again for a repeated idempotency key).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CheckoutResult {
    pub order_id: i64,
    pub receipt_number: String,
    pub total: String,
    pub vat: String,
    pub change: String,
    pub receipt_url: String,
    /// An instalment sale's plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<i64>,
}

/// The result of an earlier checkout with this key by this employee, if there was one; a
/// conflict when that checkout was for a different cart.
pub fn previous(
    conn: &mut AnyConnection,
    employee_id: i64,
    key: &str,
    fingerprint: &str,
) -> Result<Option<CheckoutResult>, AppError> {
    /// id, total, VAT, OR number, request hash, plan
    type Earlier = (i64, i64, i64, String, Option<String>, Option<i64>);
    let found: Option<Earlier> = orders::table
        .inner_join(official_receipts::table)
        .left_join(installment_plans::table)
        .filter(orders::employee_id.eq(employee_id))
        .filter(orders::idempotency_key.eq(key))
        .select((
            orders::id,
            orders::total_minor,
            orders::vat_minor,
            official_receipts::or_number,
            orders::request_sha,
            installment_plans::id.nullable(),
        ))
        .first(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((_, _, _, or, Some(sha), _)) if sha != fingerprint => {
            Err(AppError::Conflict(format!(
                "This idempotency key was already used for another sale ({or}). Start a new sale."
            )))
        }
        Some((id, total, vat, or, _, plan_id)) => {
            // The change, from the payment rows (a split sale has several).
            let change: Vec<Option<i64>> = payments::table
                .filter(payments::order_id.eq(id))
                .select(payments::change_minor)
                .load(conn)?;
            let change = change.into_iter().flatten().sum();
            Ok(Some(result(
                id,
                or,
                Money(total),
                Money(vat),
                Money(change),
                plan_id,
            )))
        }
    }
}

/// Serialises copies of one request (see `platform::db::lock_key`).
pub(crate) fn lock_key(conn: &mut AnyConnection, employee_id: i64, key: &str) -> QueryResult<()> {
    crate::platform::db::lock_key(conn, "checkout", employee_id, key)
}

fn result(
    order_id: i64,
    receipt_number: String,
    total: Money,
    vat: Money,
    change: Money,
    plan_id: Option<i64>,
) -> CheckoutResult {
    CheckoutResult {
        order_id,
        receipt_number,
        total: total.plain(),
        vat: vat.plain(),
        change: change.plain(),
        receipt_url: format!("/sales/{order_id}/receipt"),
        plan_id,
    }
}

struct Priced {
    product_id: i64,
    name: String,
    quantity: i64,
    unit: Money,
    cost: Money,
    total: Money,
    serial_tracked: bool,
    serials: Vec<String>,
}

/// Next official-receipt number of a branch, allocated inside the checkout transaction: a
/// failed checkout rolls it back, so numbers have no gaps; the row lock means no two tills
/// get the same one.
pub(crate) fn next_receipt_number(conn: &mut AnyConnection, branch_id: i64) -> QueryResult<i64> {
    macro_rules! upsert {
        () => {
            diesel::insert_into(receipt_counters::table)
                .values((
                    receipt_counters::branch_id.eq(branch_id),
                    receipt_counters::last_number.eq(1i64),
                ))
                .on_conflict(receipt_counters::branch_id)
                .do_update()
                .set(receipt_counters::last_number.eq(receipt_counters::last_number + 1i64))
                .returning(receipt_counters::last_number)
        };
    }
    match conn {
        AnyConnection::Sqlite(c) => upsert!().cached().get_result(c),
        AnyConnection::Pg(c) => upsert!().cached().get_result(c),
    }
}

/// One payment row to write.
struct PaymentLine {
    method: &'static str,
    amount: Money,
    received: Option<Money>,
    change: Option<Money>,
    reference: String,
}

/// What the tender makes of the totals: the order's method (`cash` for any sale paid in full
/// at the till, whatever the tenders), its payment rows and, for an instalment sale, its plan.
struct Settled {
    method: &'static str,
    received: Money,
    change: Money,
    rows: Vec<PaymentLine>,
    /// An instalment sale's plan and the interest rate it was worked out at.
    plan: Option<(PlanFigures, i64)>,
}

fn settle(
    conn: &mut AnyConnection,
    tender: &Tender,
    total: Money,
    today: chrono::NaiveDate,
) -> Result<Settled, AppError> {
    match *tender {
        Tender::Cash { received } => {
            if received < total {
                return Err(AppError::Unprocessable(format!(
                    "Cash received ({}) is less than the total ({}).",
                    received.grouped(),
                    total.grouped()
                )));
            }
            Ok(Settled {
                method: "cash",
                received,
                change: Money(received.0 - total.0),
                rows: vec![PaymentLine {
                    method: "cash",
                    amount: total,
                    received: Some(received),
                    change: Some(Money(received.0 - total.0)),
                    reference: String::new(),
                }],
                plan: None,
            })
        }
        Tender::Split { ref parts } => split(parts, total),
        Tender::Installment {
            term_months,
            down_payment,
        } => {
            let terms = installments::model::terms(conn)?;
            let figures = rules::plan(
                total,
                down_payment,
                term_months,
                &terms.offered,
                terms.rate_bp,
                today,
            )
            .map_err(|e| AppError::Unprocessable(e.to_string()))?;
            if !figures.financed.is_positive() {
                return Err(AppError::Unprocessable(
                    "The down payment covers the whole total: take it as a cash sale.".into(),
                ));
            }
            Ok(Settled {
                method: "installment",
                received: down_payment,
                change: Money::ZERO,
                rows: vec![PaymentLine {
                    method: "installment",
                    amount: down_payment,
                    received: Some(down_payment),
                    change: Some(Money::ZERO),
                    reference: String::new(),
                }],
                plan: Some((figures, terms.rate_bp)),
            })
        }
    }
}

/// Several tenders against the total (`registers::tenders::split`); the order's method is
/// `cash` for any sale paid in full at the till.
fn split(parts: &[TenderPart], total: Money) -> Result<Settled, AppError> {
    let typed: Vec<crate::registers::tenders::Part> = parts
        .iter()
        .map(|p| crate::registers::tenders::Part {
            method: p.method.as_str(),
            amount: p.amount,
            reference: &p.reference,
        })
        .collect();
    let s = crate::registers::tenders::split(&typed, total, "Card, e-wallet and store credit")
        .map_err(AppError::Unprocessable)?;
    let rows = s
        .rows
        .into_iter()
        .map(|r| PaymentLine {
            method: TenderMethod::parse(&r.method).map_or("cash", TenderMethod::as_str),
            amount: r.amount,
            received: r.received,
            change: r.change,
            reference: r.reference,
        })
        .collect();
    Ok(Settled {
        method: "cash",
        received: s.cash,
        change: s.change,
        rows,
        plan: None,
    })
}

/// A cash sale a till made while it could not reach the server (`retail::pos::offline`), as
/// it reaches the books: the employee and shift that made it, when, and what the till charged.
#[derive(Debug, Clone)]
pub struct MadeOffline {
    pub employee_id: i64,
    pub shift_id: i64,
    pub made_at: chrono::NaiveDateTime,
    /// The business day of `made_at`.
    pub day: chrono::NaiveDate,
    /// The unit price the till charged on each line of the cart, in the cart's order (the
    /// price of its last catalogue sync).
    pub charged: Vec<Money>,
    /// The total the till charged.
    pub total: Money,
    /// The number printed on the customer's provisional receipt.
    pub provisional: String,
    /// A manager accepted the sale whatever the checks found: the prices as charged, an
    /// archived product sold, stock the books lack taken down to zero, a serial not in stock
    /// left as it is; each such thing goes in `notes`.
    pub accepted_by_manager: bool,
}

/// The checkout itself, on the business's `today` (an instalment schedule counts from it).
/// Caller holds the write transaction; any `Err` rolls everything back.
pub fn checkout(
    conn: &mut AnyConnection,
    actor: &Actor,
    cart: &Cart,
    today: chrono::NaiveDate,
) -> Result<CheckoutResult, AppError> {
    record(conn, actor, cart, today, None).map(|(done, _)| done)
}

/// An offline sale into the books: every check of a sale at the till, and the price and total
/// the till charged must still be the catalogue's (or a manager accepts it anyway). With the
/// notes of what a manager's acceptance let through.
pub fn checkout_offline(
    conn: &mut AnyConnection,
    actor: &Actor,
    cart: &Cart,
    made: &MadeOffline,
) -> Result<(CheckoutResult, Vec<String>), AppError> {
    if !matches!(cart.tender, Tender::Cash { .. }) || cart.customer.is_some() {
        return Err(AppError::Unprocessable(
            "A sale made offline is paid in cash, without a customer.".into(),
        ));
    }
    if made.charged.len() != cart.lines.len() {
        return Err(AppError::Unprocessable(
            "Every line of an offline sale needs the price the till charged.".into(),
        ));
    }
    record(conn, actor, cart, made.day, Some(made))
}

fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    cart: &Cart,
    today: chrono::NaiveDate,
    offline: Option<&MadeOffline>,
) -> Result<(CheckoutResult, Vec<String>), AppError> {
    let lenient = offline.is_some_and(|o| o.accepted_by_manager);
    let mut notes: Vec<String> = Vec::new();
    let employee_id = match offline {
        Some(o) => o.employee_id,
        None => actor.employee_id.ok_or(AppError::Unauthorized)?,
    };
    let fingerprint = cart.fingerprint();
    lock_key(conn, employee_id, &cart.idempotency_key)?;
    if let Some(done) = previous(conn, employee_id, &cart.idempotency_key, &fingerprint)? {
        return Ok((done, notes));
    }
    let (branch_id, rate_bp): (Option<i64>, i64) = employees::table
        .find(employee_id)
        .select((employees::branch_id, employees::commission_rate_bp))
        .first(conn)?;
    let branch_id = branch_id.ok_or_else(|| {
        AppError::Forbidden(
            "You are not assigned to a branch, so you cannot sell. Ask a manager.".into(),
        )
    })?;
    // The sale's cash goes into the seller's open shift; none open, no sale. An offline sale's
    // cash went into the drawer of the shift that made it, which must still be open (its count
    // at the close would not have expected it); a manager may accept it outside any shift.
    let shift_id = match offline {
        None => Some(crate::registers::shifts::model::require(conn, employee_id)?),
        Some(o) => match crate::registers::shifts::model::hold_open(conn, o.shift_id) {
            Ok(()) => Some(o.shift_id),
            Err(AppError::Conflict(_)) if lenient => {
                notes.push(format!(
                    "Shift #{} was closed before the sale reached the server: the sale is in no shift.",
                    o.shift_id
                ));
                None
            }
            Err(AppError::Conflict(_)) => {
                return Err(AppError::Conflict(format!(
                    "Shift #{} was closed before this sale reached the server; its cash was counted without it.",
                    o.shift_id
                )))
            }
            Err(e) => return Err(e),
        },
    };
    let (branch_name, branch_code): (String, String) = branches::table
        .find(branch_id)
        .select((branches::name, branches::code))
        .first(conn)?;

    // Price every line from the catalogue.
    let mut lines: Vec<Priced> = Vec::with_capacity(cart.lines.len());
    for (n, l) in cart.lines.iter().enumerate() {
        type Row = (i64, String, i64, i64, bool, bool);
        let q = products::table.select((
            products::id,
            products::name,
            products::price_minor,
            products::cost_minor,
            products::serial_tracked,
            products::is_active,
        ));
        let found: Option<Row> = match &l.product {
            ProductRef::Barcode(b) => q.filter(products::barcode.eq(b)).first(conn).optional()?,
            ProductRef::Id(id) => q.filter(products::id.eq(id)).first(conn).optional()?,
        };
        let what = match &l.product {
            ProductRef::Barcode(b) => format!("barcode {b}"),
            ProductRef::Id(id) => format!("product #{id}"),
        };
        let (product_id, name, price, cost, serial_tracked, active) = found.ok_or_else(|| {
            AppError::Unprocessable(format!("No product has {what}. Remove it from the cart."))
        })?;
        if !active && lenient {
            notes.push(format!("{name} was archived; sold as the till did."));
        } else if !active {
            return Err(AppError::Unprocessable(format!(
                "{name} is archived and cannot be sold."
            )));
        }
        // Offline, the till charged the price of its last sync: the books keep what the
        // customer paid, once it is the catalogue's price or a manager accepts it.
        let price = match offline.map(|o| o.charged[n]) {
            Some(charged) if charged.0 != price && lenient => {
                notes.push(format!(
                    "{name}: charged {} at the till, {} in the catalogue.",
                    charged.plain(),
                    Money(price).plain()
                ));
                charged.0
            }
            Some(charged) if charged.0 != price => {
                return Err(AppError::Unprocessable(format!(
                    "{name}: the till charged {} (its last sync), the catalogue says {}.",
                    charged.plain(),
                    Money(price).plain()
                )))
            }
            _ => price,
        };
        if serial_tracked && l.serials.len() as i64 != l.quantity && !lenient {
            return Err(AppError::Unprocessable(format!(
                "{name} needs one serial number per unit: {} unit(s), {} serial(s).",
                l.quantity,
                l.serials.len()
            )));
        }
        if !serial_tracked && !l.serials.is_empty() && !lenient {
            return Err(AppError::Unprocessable(format!(
                "{name} is not serial-tracked; remove the serials."
            )));
        }
        let total = line_total(Money(price), l.quantity)
            .map_err(|e| AppError::Unprocessable(e.to_string()))?;
        lines.push(Priced {
            product_id,
            name,
            quantity: l.quantity,
            unit: Money(price),
            cost: Money(cost),
            total,
            serial_tracked,
            serials: l.serials.clone(),
        });
    }
    let sum = lines
        .iter()
        .try_fold(Money::ZERO, |acc, l| acc.checked_add(l.total))
        .ok_or_else(|| AppError::Unprocessable("The total is too large.".into()))?;
    let vat_settings = settings::vat(conn)?;
    let totals =
        receipt_totals(sum, vat_settings).map_err(|e| AppError::Unprocessable(e.to_string()))?;
    if let Some(o) = offline.filter(|o| o.total != totals.total) {
        // The VAT settings changed since the till's sync: the books say what the rates give.
        if !lenient {
            return Err(AppError::Unprocessable(format!(
                "The till charged {} in all; the prices and VAT now make {}.",
                o.total.plain(),
                totals.total.plain()
            )));
        }
        notes.push(format!(
            "The till charged {} in all; recorded as {} at today's VAT.",
            o.total.plain(),
            totals.total.plain()
        ));
    }
    let settled = settle(conn, &cart.tender, totals.total, today)?;
    let change = settled.change;
    let customer_id = match &cart.customer {
        Some(c) => Some(customers::find_or_create(conn, actor, c)?),
        None => None,
    };
    let store_credit: i64 = settled
        .rows
        .iter()
        .filter(|r| r.method == "store_credit")
        .map(|r| r.amount.0)
        .sum();
    if store_credit > 0 && customer_id.is_none() {
        return Err(AppError::Unprocessable(
            "Store credit is the customer's: add the customer's name and phone to the sale.".into(),
        ));
    }

    // When the sale was made (an offline sale's own time); its receipt is issued now.
    let issued_at = BusinessClock::now_utc();
    let now = offline.map_or(issued_at, |o| o.made_at);
    let order_id: i64 = diesel::insert_into(orders::table)
        .values((
            orders::branch_id.eq(branch_id),
            orders::employee_id.eq(employee_id),
            orders::customer_id.eq(customer_id),
            orders::status.eq(OrderStatus::Completed.as_str()),
            orders::payment_method.eq(settled.method),
            orders::total_minor.eq(totals.total.0),
            orders::vat_minor.eq(totals.vat.0),
            orders::vat_rate_bp.eq(vat_settings.rate_bp),
            orders::idempotency_key.eq(&cart.idempotency_key),
            orders::request_sha.eq(&fingerprint),
            orders::is_active.eq(true),
            orders::created_at.eq(now),
            orders::business_day.eq(today),
            orders::shift_id.eq(shift_id),
        ))
        .returning(orders::id)
        .get_result(conn)?;

    // The balance each line leaves, for the stock ledger once the receipt number is known.
    // Stock rows are taken in product order (as refunds, transfers and deliveries do), so two
    // sales of the same products in a different cart order cannot wait on each other.
    let mut after_of = vec![0i64; lines.len()];
    let mut short = vec![0i64; lines.len()];
    let mut by_product: Vec<usize> = (0..lines.len()).collect();
    by_product.sort_by_key(|&i| lines[i].product_id);
    for i in by_product {
        let l = &lines[i];
        // The stock check and the decrement are one statement: two tills cannot both sell the last unit.
        let left: Option<i64> = diesel::update(
            branch_stock::table
                .filter(branch_stock::branch_id.eq(branch_id))
                .filter(branch_stock::product_id.eq(l.product_id))
                .filter(branch_stock::quantity.ge(l.quantity)),
        )
        .set((
            branch_stock::quantity.eq(branch_stock::quantity - l.quantity),
            branch_stock::updated_at.eq(now),
        ))
        .returning(branch_stock::quantity)
        .cached()
        .get_result(conn)
        .optional()?;
        let left = match left {
            // A manager's acceptance takes what the books hold down to zero (stock never goes
            // below zero); the shortfall is noted for a count of the shelf.
            None if lenient => {
                // What the books hold, read under the row's lock (a no-op UPDATE takes it), so
                // nothing moves it between the reading and the writing.
                let held: Option<i64> = diesel::update(
                    branch_stock::table
                        .filter(branch_stock::branch_id.eq(branch_id))
                        .filter(branch_stock::product_id.eq(l.product_id)),
                )
                .set(branch_stock::quantity.eq(branch_stock::quantity))
                .returning(branch_stock::quantity)
                .get_result(conn)
                .optional()?;
                let available = held.unwrap_or(0);
                let after = (available - l.quantity).max(0);
                if available < l.quantity {
                    notes.push(format!(
                        "{}: {} sold, {available} on the books at {branch_name}; count the shelf.",
                        l.name, l.quantity
                    ));
                    short[i] = l.quantity - available;
                }
                if held.is_some() && after != available {
                    diesel::update(
                        branch_stock::table
                            .filter(branch_stock::branch_id.eq(branch_id))
                            .filter(branch_stock::product_id.eq(l.product_id)),
                    )
                    .set((
                        branch_stock::quantity.eq(after),
                        branch_stock::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                }
                Some(after)
            }
            other => other,
        };
        let Some(after) = left else {
            let available = stock::quantity(conn, branch_id, l.product_id)?;
            return Err(AppError::Conflict(if available == 0 {
                format!("{} is out of stock at {branch_name}.", l.name)
            } else {
                format!("Only {available} × {} left at {branch_name}.", l.name)
            }));
        };
        after_of[i] = after;
    }
    let mut balances: Vec<(i64, i64, i64)> = Vec::with_capacity(lines.len());
    for ((l, after), short) in lines.iter().zip(after_of).zip(short) {
        balances.push((l.product_id, l.quantity - short, after));
        let item_id: i64 = diesel::insert_into(order_items::table)
            .values((
                order_items::order_id.eq(order_id),
                order_items::product_id.eq(l.product_id),
                order_items::product_name.eq(&l.name),
                order_items::quantity.eq(l.quantity),
                order_items::unit_price_minor.eq(l.unit.0),
                order_items::cost_price_minor.eq(l.cost.0),
                order_items::line_total_minor.eq(l.total.0),
            ))
            .returning(order_items::id)
            .get_result(conn)?;
        if l.serial_tracked {
            for serial in &l.serials {
                let sold = diesel::update(
                    product_serials::table
                        .filter(product_serials::product_id.eq(l.product_id))
                        .filter(product_serials::branch_id.eq(branch_id))
                        .filter(product_serials::serial.eq(serial))
                        .filter(product_serials::status.eq(SerialStatus::InStock.as_str())),
                )
                .set((
                    product_serials::status.eq(SerialStatus::Sold.as_str()),
                    product_serials::order_item_id.eq(item_id),
                ))
                .returning(product_serials::id)
                .cached()
                .rows_changed(conn)?;
                if sold == 0 && lenient {
                    notes.push(format!(
                        "Serial {serial} of {} was not in stock at {branch_name}; left as it was.",
                        l.name
                    ));
                } else if sold == 0 {
                    return Err(AppError::Conflict(format!(
                        "Serial {serial} of {} is not in stock at {branch_name} (unknown or already sold).",
                        l.name
                    )));
                }
            }
        }
    }

    let cost: i64 = lines.iter().map(|l| l.cost.0 * l.quantity).sum();
    crate::retail::sales::daily::add(
        conn,
        branch_id,
        today,
        crate::retail::sales::daily::DayShare::sale(
            totals.total.0,
            totals.vat.0,
            cost,
            settled.method,
        ),
    )?;
    for row in &settled.rows {
        diesel::insert_into(payments::table)
            .values((
                payments::order_id.eq(order_id),
                payments::method.eq(row.method),
                payments::amount_minor.eq(row.amount.0),
                payments::cash_received_minor.eq(row.received.map(|m| m.0)),
                payments::change_minor.eq(row.change.map(|m| m.0)),
                payments::paid_at.eq(now),
                payments::reference.eq(&row.reference),
            ))
            .execute(conn)?;
    }

    if let (Some(customer), true) = (customer_id, store_credit > 0) {
        // Spent with a conditional UPDATE: never below zero, whatever else spends it at once.
        crate::retail::refunds::model::credit_customer(
            conn,
            customer,
            -store_credit,
            None,
            Some(order_id),
            employee_id,
            now,
        )?;
    }
    let number = next_receipt_number(conn, branch_id)?;
    let or_number = pricing::or_number(&branch_code, number);
    diesel::insert_into(official_receipts::table)
        .values((
            official_receipts::order_id.eq(order_id),
            official_receipts::branch_id.eq(branch_id),
            official_receipts::number.eq(number),
            official_receipts::or_number.eq(&or_number),
            official_receipts::vatable_minor.eq(totals.vatable.0),
            official_receipts::vat_minor.eq(totals.vat.0),
            official_receipts::total_minor.eq(totals.total.0),
            official_receipts::issued_by.eq(employee_id),
            official_receipts::issued_at.eq(issued_at),
            official_receipts::print_count.eq(0i64),
        ))
        .execute(conn)?;
    for (product_id, quantity, after) in balances {
        if quantity == 0 {
            continue;
        }
        stock::record_movement(
            conn,
            &stock::Movement {
                branch_id,
                product_id,
                kind: MovementKind::Sale,
                change: -quantity,
                after,
                document: &or_number,
                order_id: Some(order_id),
                reason: "",
                employee_id,
                at: now,
            },
        )?;
    }

    let plan_id = match (&settled.plan, customer_id) {
        (Some((figures, rate_bp)), Some(customer_id)) => Some(installments::model::create_plan(
            conn,
            &installments::model::NewPlan {
                order_id,
                branch_id,
                customer_id,
                seller_id: employee_id,
                rate_bp: *rate_bp,
                figures,
                at: now,
            },
        )?),
        (Some(_), None) => {
            return Err(AppError::Unprocessable(
                "An instalment sale needs the customer's name and phone number.".into(),
            ))
        }
        (None, _) => None,
    };

    let commission = pricing::commission(totals.total, rate_bp);
    if rate_bp > 0 {
        diesel::insert_into(commissions::table)
            .values((
                commissions::order_id.eq(order_id),
                commissions::employee_id.eq(employee_id),
                commissions::rate_bp.eq(rate_bp),
                commissions::amount_minor.eq(commission.0),
                commissions::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    // The seller's and the products' figures of the day, read back from what was written.
    crate::retail::sales::daily_detail::count_order(conn, order_id, 1)?;
    // Increments in SQL, never read-modify-write: concurrent sales by one agent add up.
    diesel::update(employees::table.find(employee_id))
        .set((
            employees::total_sales_minor.eq(employees::total_sales_minor + totals.total.0),
            employees::total_commission_minor.eq(employees::total_commission_minor + commission.0),
        ))
        .returning(employees::id)
        .cached()
        .rows_changed(conn)?;

    let summary = lines
        .iter()
        .map(|l| format!("{} × {}", l.quantity, l.name))
        .collect::<Vec<_>>()
        .join("; ");
    let changes = Changes::new()
        .created("or_number", or_number.as_str())
        .created("total", totals.total.plain())
        .created("vat", totals.vat.plain())
        .created("payment_method", settled.method)
        .created("cash_received", settled.received.plain())
        .created("change", change.plain())
        .note(
            "tenders",
            settled
                .rows
                .iter()
                .map(|r| format!("{} {}", r.method, r.amount.plain()))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .created("commission", commission.plain())
        .note("lines", summary);
    let changes = match offline {
        Some(o) => {
            let c = changes
                .note(
                    "made_offline",
                    o.made_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                )
                .note("provisional_receipt", o.provisional.as_str());
            if notes.is_empty() {
                c
            } else {
                c.note("accepted_by_manager", notes.join(" "))
            }
        }
        None => changes,
    };
    let changes = match (&settled.plan, plan_id) {
        (Some((p, _)), Some(id)) => changes
            .created("installment_plan", id)
            .created("down_payment", p.down_payment.plain())
            .created("financed", p.financed.plain())
            .created("interest", p.interest.plain())
            .created("term_months", p.schedule.len() as i64),
        _ => changes,
    };
    let subject = Subject::of(RECORD, order_id, &or_number);
    audit::record(conn, actor, issued_at, audit::CREATE, subject, &changes)?;
    Ok((
        result(
            order_id,
            or_number,
            totals.total,
            totals.vat,
            change,
            plan_id,
        ),
        notes,
    ))
}
