use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::platform::auth::CurrentUser;
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::schema::{branch_stock, branches, products};
use crate::platform::state::AppState;
use crate::retail::catalog::products::model as catalog;
use crate::retail::customers;
use crate::retail::installments;
use crate::retail::pos::cart::{self, Cart, CheckoutRequest};
use crate::retail::pos::{checkout, search};
use crate::retail::pricing::VatSettings;
use crate::retail::settings;
use crate::retail::stock::model as stock_model;

#[derive(Template)]
#[template(path = "retail/pos.html")]
struct TerminalPage {
    ctx: PageCtx,
    branch: Option<String>,
    vat: VatSettings,
    employee_id: i64,
    /// The instalment terms offered and the flat interest, for the till's preview.
    terms: installments::model::Terms,
    /// The seller's open shift, or what opening one takes.
    shift: crate::registers::shifts::routes::TillShift,
    errors: crate::platform::forms::FormErrors,
    amount: String,
}

pub async fn terminal(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let branch_id = user.branch_id;
    let (branch, vat, terms) = state
        .db
        .run(move |c| {
            let branch = match branch_id {
                Some(b) => Some(
                    branches::table
                        .find(b)
                        .select(branches::name)
                        .first::<String>(c)?,
                ),
                None => None,
            };
            Ok((branch, settings::vat(c)?, installments::model::terms(c)?))
        })
        .await?;
    let shift = crate::registers::shifts::routes::till_shift(&state, &user).await?;
    html(&TerminalPage {
        ctx,
        branch,
        vat,
        employee_id: user.id,
        terms,
        shift,
        errors: crate::platform::forms::FormErrors::default(),
        amount: String::new(),
    })
}

/// The seller's branch, or the one refusal for staff who have none.
pub(crate) fn branch_of(user: &CurrentUser) -> Result<i64, AppError> {
    user.branch_id.ok_or_else(|| {
        AppError::Forbidden(
            "You are not assigned to a branch, so you cannot sell. Ask a manager.".into(),
        )
    })
}

/// What a scan returns; the field names are a stable interface (scanners and scripts use them).
#[derive(Debug, Serialize)]
pub struct ScanResult {
    pub id: i64,
    pub barcode: String,
    pub name: String,
    pub price: String,
    pub stock: i64,
    pub serial_tracked: bool,
    /// In-stock serials at this branch (serial-tracked products only; at most 100).
    pub serials_in_stock: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScanQuery {
    barcode: String,
}

pub async fn scan(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ScanQuery>,
) -> Result<HttpResponse, AppError> {
    let branch_id = branch_of(&user)?;
    let barcode = q.into_inner().barcode.trim().to_string();
    if barcode.is_empty() || barcode.len() > 64 {
        return Err(AppError::BadRequest("Scan or type a barcode.".into()));
    }
    let found = state
        .db
        .read(move |c| {
            // One query: the product and its stock at this branch.
            let found: Option<(catalog::Product, Option<i64>)> =
                crate::on_backend!(c, |c| products::table
                    .left_join(
                        branch_stock::table.on(branch_stock::product_id
                            .eq(products::id)
                            .and(branch_stock::branch_id.eq(branch_id))),
                    )
                    .filter(products::barcode.eq(&barcode))
                    .filter(products::is_active.eq(true))
                    .select((
                        catalog::Product::as_select(),
                        branch_stock::quantity.nullable()
                    ))
                    .first(c)
                    .optional()?);
            let Some((p, stock)) = found else {
                return Ok(Err(barcode));
            };
            let stock = stock.unwrap_or(0);
            let serials = if p.serial_tracked {
                stock_model::serials_in_stock(c, p.id, branch_id, 100)?
            } else {
                vec![]
            };
            Ok(Ok(ScanResult {
                id: p.id,
                price: p.price().plain(),
                barcode: p.barcode,
                name: p.name,
                stock,
                serial_tracked: p.serial_tracked,
                serials_in_stock: serials,
            }))
        })
        .await?;
    match found {
        Ok(r) => Ok(HttpResponse::Ok().json(r)),
        Err(code) => Err(AppError::NotFound(format!(
            "No product with barcode {code} is for sale."
        ))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    page: Option<String>,
}

#[derive(Debug, Serialize)]
struct SearchHitOut {
    id: i64,
    name: String,
    barcode: String,
    price: String,
    stock: i64,
}

/// Words anywhere in the name, SKU or barcode (by prefix, any case), an exact barcode or SKU
/// first; 20 at a time, never the whole catalogue.
pub async fn search(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let branch_id = branch_of(&user)?;
    let q = q.into_inner();
    let text = q.q.trim().to_lowercase();
    if text.is_empty() || text.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "Type 1 to 100 characters to search.".into(),
        ));
    }
    let page = crate::platform::pagination::PageRequest::parse(q.page.as_deref(), 20)?;
    let raw = q.q.trim().to_string();
    let hits = state
        .db
        .read(move |c| {
            Ok(search::find(
                c,
                branch_id,
                &raw,
                (page.offset(), page.size),
            )?)
        })
        .await?;
    let out: Vec<SearchHitOut> = hits
        .into_iter()
        .map(|h| SearchHitOut {
            id: h.id,
            name: h.name,
            barcode: h.barcode,
            price: Money(h.price_minor).plain(),
            stock: h.stock.unwrap_or(0),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CustomerQuery {
    phone: String,
}

pub async fn customer(
    state: web::Data<AppState>,
    q: web::Query<CustomerQuery>,
) -> Result<HttpResponse, AppError> {
    let phone = q.into_inner().phone;
    if phone.len() > 40 || customers::phone_key(&phone).is_none() {
        return Err(AppError::BadRequest(
            "Enter a phone number to look the customer up.".into(),
        ));
    }
    let found = state
        .db
        .run(move |c| Ok(customers::find_by_phone(c, &phone)?))
        .await?;
    match found {
        // With the store credit the till may take as a tender.
        Some(c) => Ok(HttpResponse::Ok().json(serde_json::json!({
            "id": c.id,
            "name": c.name,
            "phone": c.phone,
            "email": c.email,
            "address": c.address,
            "store_credit": crate::platform::money::Money(c.store_credit_minor).plain(),
        }))),
        None => Err(AppError::NotFound(
            "No customer with this phone number yet: enter a name to add them with the sale."
                .into(),
        )),
    }
}

/// `POST /pos/checkout/cash`: JSON in, JSON out (201, or 4xx `{"error": …}`).
pub async fn checkout_cash(
    staff: Staff,
    body: web::Json<CheckoutRequest>,
) -> Result<HttpResponse, AppError> {
    let cart = cart::parse(&body).map_err(AppError::Unprocessable)?;
    checkout(staff, cart).await
}

/// `POST /pos/checkout`: the same JSON with `"tenders": [{"method": "cash"|"card"|"ewallet",
/// "amount": "…", "reference": "…"}]` instead of `cash_received`: several tenders that pay the
/// total together; the change comes from the cash.
pub async fn checkout_split(
    staff: Staff,
    body: web::Json<CheckoutRequest>,
) -> Result<HttpResponse, AppError> {
    let cart = cart::parse_split(&body).map_err(AppError::Unprocessable)?;
    checkout(staff, cart).await
}

/// `POST /pos/checkout/installment`: the same JSON with `term_months` and `down_payment`
/// instead of `cash_received`, and a customer; the answer adds `plan_id`.
pub async fn checkout_installment(
    staff: Staff,
    body: web::Json<CheckoutRequest>,
) -> Result<HttpResponse, AppError> {
    let cart = cart::parse_installment(&body).map_err(AppError::Unprocessable)?;
    checkout(staff, cart).await
}

async fn checkout(staff: Staff, cart: Cart) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let done = sell(&state, &user, actor, cart).await?;
    Ok(HttpResponse::Created().json(done))
}

/// One sale from a parsed cart, for the till and for the JSON API: the checkout transaction
/// with its receipt mail queued; a repeat of the same idempotency key answers the first sale.
pub async fn sell(
    state: &AppState,
    user: &CurrentUser,
    actor: crate::platform::audit::Actor,
    cart: Cart,
) -> Result<checkout::CheckoutResult, AppError> {
    branch_of(user)?;
    let key = cart.idempotency_key.clone();
    let fingerprint = cart.fingerprint();
    let employee_id = user.id;
    let today = state.clock.today();
    let mail = crate::mail::messages::MailContext::of(&state.config);
    let outcome = state
        .db
        .write(move |c| {
            let done = checkout::checkout(c, &actor, &cart, today)?;
            // The customer's receipt waits in the outbox, in this transaction.
            crate::mail::messages::queue_or_log(c, "the receipt of a sale", |c| {
                crate::mail::messages::queue_sale(c, &mail, done.order_id, BusinessClock::now_utc())
            });
            Ok(done)
        })
        .await;
    match outcome {
        Ok(done) => Ok(done),
        Err(e) => {
            // Two copies of one request raced: the loser returns the winner's result.
            let earlier = state
                .db
                .run(move |c| checkout::previous(c, employee_id, &key, &fingerprint))
                .await?;
            earlier.ok_or(e)
        }
    }
}
