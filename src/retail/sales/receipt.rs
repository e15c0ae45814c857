//! The printable official receipt (80 mm thermal paper, A4 through print CSS).

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::platform::auth::CurrentUser;
use crate::platform::auth::Staff;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::state::AppState;
use crate::retail::sales::model::{self, ItemLine};
use crate::retail::sales::rules::OrderStatus;

#[derive(Template)]
#[template(path = "retail/receipt.html")]
struct ReceiptPage {
    ctx: PageCtx,
    order_id: i64,
    or_number: String,
    reprint: bool,
    cancelled: bool,
    branch: String,
    branch_address: String,
    branch_phone: String,
    when: String,
    cashier: String,
    customer: String,
    items: Vec<ItemLine>,
    vatable: Money,
    vat: Money,
    vat_rate: String,
    total: Money,
    cash: Money,
    change: Money,
    /// An instalment sale: the cash line is its down payment, and the rest is financed.
    installment: bool,
    financed: Money,
    /// Card and e-wallet tenders of a split payment: label, amount, reference.
    tenders: Vec<(&'static str, Money, String)>,
    qr_svg: String,
    /// The business's and the register's numbers for the tax office, printed when filled in.
    registration: crate::registers::shifts::report::Registration,
    register: Option<crate::registers::model::Register>,
    /// A sale made offline: the provisional receipt the customer was given.
    provisional: Option<String>,
}

/// The OR number as an SVG QR code, for returns and warranty look-ups.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    crate::platform::qr::svg(text, 120)
}

pub async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (d, registration, register, provisional) = state
        .db
        .run(move |c| {
            Ok((
                model::load(c, id, &user)?,
                crate::registers::shifts::report::registration(c)?,
                crate::registers::model::of_order(c, id)?,
                crate::retail::pos::offline::model::provisional_of(c, id)?,
            ))
        })
        .await?;
    let receipt = d
        .receipt
        .ok_or_else(|| AppError::not_found("The receipt of this sale"))?;
    let cash = d
        .payments
        .iter()
        .filter_map(|p| p.cash_received_minor)
        .sum::<i64>();
    // Card and e-wallet tenders, printed with their references under the cash.
    let tenders: Vec<(&'static str, Money, String)> = d
        .payments
        .iter()
        .filter(|p| p.method != "cash" && p.method != "installment")
        .map(|p| (p.label(), Money(p.amount_minor), p.reference.clone()))
        .collect();
    let change = d
        .payments
        .iter()
        .filter_map(|p| p.change_minor)
        .sum::<i64>();
    let page = ReceiptPage {
        qr_svg: qr_svg(&receipt.or_number)?,
        ctx,
        order_id: id,
        reprint: receipt.print_count > 0,
        cancelled: d.head.status == OrderStatus::Cancelled.as_str(),
        branch: d.head.branch_name,
        branch_address: d.head.branch_address,
        branch_phone: d.head.branch_phone,
        when: state.clock.format(d.head.created_at),
        cashier: d.head.cashier,
        customer: d.head.customer.unwrap_or_else(|| "Walk-in".into()),
        items: d.items,
        vatable: Money(receipt.vatable_minor),
        vat: Money(receipt.vat_minor),
        vat_rate: crate::platform::percent::percent_text(d.head.vat_rate_bp),
        total: Money(receipt.total_minor),
        cash: Money(cash),
        change: Money(change),
        installment: d.head.payment_method == "installment",
        financed: Money(receipt.total_minor - cash),
        tenders,
        or_number: receipt.or_number,
        registration,
        register,
        provisional,
    };
    html(&page)
}

/// `POST /sales/{id}/receipt/printed`: counts the copy just printed.
pub async fn printed(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            model::load(c, id, &user)?;
            model::mark_printed(c, &actor, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
