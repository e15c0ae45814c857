//! The gadget store through the API, in the cafe contract's style (page envelope, `detail`
//! errors, tokens): products and barcode lookup, branch stock, sales with their official
//! receipts, cash checkout with an idempotency key, instalment plans and payments, warranty
//! claims. Amounts are strings with two decimals (`"1234.50"`), as the till's own JSON has
//! them. Every handler calls the retail pages' own filters, checks and transactions.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Decimal2, Moment, PageNumber, Paginated, Problem};
use crate::api::{not_found, of_branch};
use crate::platform::audit::Actor;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{branch_stock, products};
use crate::platform::state::AppState;
use crate::retail::catalog::products::model as catalog;
use crate::retail::installments::{model as plans, query as plan_query};
use crate::retail::pos::cart::{self, CheckoutRequest};
use crate::retail::pos::checkout::CheckoutResult;
use crate::retail::sales::{model as sales, query as sales_query};
use crate::retail::stock::model as stock;
use crate::retail::warranty::model as warranty;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductOut {
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    pub barcode: String,
    /// The shelf price now (a discount price when one is set).
    pub price: Decimal2,
    /// The regular price when a discount is on, else null.
    pub regular_price: Option<Decimal2>,
    pub serial_tracked: bool,
    pub min_stock: i64,
    pub category: String,
    pub description: String,
}

fn product_out(p: catalog::Product, category: String) -> ProductOut {
    ProductOut {
        id: p.id,
        price: Decimal2(p.price()),
        regular_price: p.regular_price_minor.map(|m| Decimal2(Money(m))),
        name: p.name,
        sku: p.sku,
        barcode: p.barcode,
        serial_tracked: p.serial_tracked,
        min_stock: p.min_stock,
        category,
        description: p.description,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ProductsQuery {
    /// Text in the name, or an exact barcode or SKU.
    pub search: String,
    pub page: String,
}

/// The catalogue, by name, 20 a page (sellers and managers).
#[utoipa::path(get, path = "/api/products/", tag = "retail", params(ProductsQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<ProductOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn products(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ProductsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let f = catalog::Filter {
        q: json::search_text(&q.search)?,
        ..Default::default()
    };
    let (count, rows) = state
        .db
        .read(move |c| {
            let count: i64 = catalog::filtered(&f).count().get_result(c)?;
            page.check(count)?;
            Ok((count, catalog::list(c, &f, page.offset(), json::PAGE_SIZE)?))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| product_out(r.product, r.category))
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

/// One product.
#[utoipa::path(get, path = "/api/products/{id}/", tag = "retail", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = ProductOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn product(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let out = state
        .db
        .read(move |c| {
            let p = catalog::find(c, id)?;
            if !p.is_active {
                return Err(not_found());
            }
            let category: String = crate::platform::schema::product_categories::table
                .find(p.category_id)
                .select(crate::platform::schema::product_categories::name)
                .first(c)?;
            Ok(product_out(p, category))
        })
        .await?;
    Ok(json::ok(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScannedOut {
    pub product: ProductOut,
    /// On hand at the caller's branch.
    pub stock: i64,
    /// Serials on hand at the caller's branch (serial-tracked products; at most 100).
    pub serials_in_stock: Vec<String>,
}

/// A product by its barcode, with its stock at the caller's branch (what the till's scanner
/// does).
#[utoipa::path(get, path = "/api/products/barcode/{barcode}/", tag = "retail",
    params(("barcode" = String, Path)), security(("token" = [])),
    responses((status = 200, body = ScannedOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn by_barcode(
    user: CurrentUser,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner().trim().to_string();
    if code.is_empty() || code.len() > 64 {
        return Err(not_found());
    }
    let branch = user
        .branch_id
        .ok_or_else(|| AppError::Forbidden(crate::platform::auth::scope::NO_BRANCH.into()))?;
    let out = state
        .db
        .read(move |c| {
            let found: Option<(catalog::Product, String, Option<i64>)> = products::table
                .inner_join(crate::platform::schema::product_categories::table)
                .left_join(
                    branch_stock::table.on(branch_stock::product_id
                        .eq(products::id)
                        .and(branch_stock::branch_id.eq(branch))),
                )
                .filter(products::barcode.eq(&code))
                .filter(products::is_active.eq(true))
                .select((
                    catalog::Product::as_select(),
                    crate::platform::schema::product_categories::name,
                    branch_stock::quantity.nullable(),
                ))
                .first(c)
                .optional()?;
            let (p, category, on_hand) = found.ok_or_else(|| {
                AppError::NotFound(format!("No product with barcode {code} is for sale."))
            })?;
            let serials = if p.serial_tracked {
                stock::serials_in_stock(c, p.id, branch, 100)?
            } else {
                Vec::new()
            };
            Ok(ScannedOut {
                product: product_out(p, category),
                stock: on_hand.unwrap_or(0),
                serials_in_stock: serials,
            })
        })
        .await?;
    Ok(json::ok(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StockOut {
    pub product_id: i64,
    pub product: String,
    pub barcode: String,
    pub branch: String,
    pub quantity: i64,
    pub min_stock: i64,
    /// `In Stock`, `Low Stock` or `Out of Stock`.
    pub status: String,
    pub price: Decimal2,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// Text in the product's name.
    pub search: String,
    /// `low`, `out` or `in`.
    pub status: String,
    pub page: String,
    /// Managers: one branch (default: every branch). Staff see their own.
    pub branch_id: String,
}

/// Stock per branch and product, 20 a page.
#[utoipa::path(get, path = "/api/stock/", tag = "retail", params(StockQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<StockOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn stock_list(
    req: HttpRequest,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<StockQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let status = match q.status.trim() {
        "" => None,
        "low" => Some(stock::StatusFilter::Low),
        "out" => Some(stock::StatusFilter::Out),
        "in" => Some(stock::StatusFilter::In),
        _ => return Err(AppError::field_invalid("status", "Choose low, out or in.")),
    };
    let f = stock::Filter {
        branch_id: scope.branch(),
        status,
        name: json::search_text(&q.search)?,
        barcode: None,
    };
    let (count, rows) = state
        .db
        .read(move |c| {
            let count = stock::count(c, &f)?;
            page.check(count)?;
            Ok((count, stock::list(c, &f, page.offset(), json::PAGE_SIZE)?))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|l| StockOut {
            status: l.status().into(),
            price: Decimal2(l.price()),
            product_id: l.product_id,
            product: l.product,
            barcode: l.barcode,
            branch: l.branch,
            quantity: l.quantity,
            min_stock: l.min_stock,
        })
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRowOut {
    pub id: i64,
    pub created_at: String,
    /// `completed` or `cancelled`.
    pub status: String,
    /// `cash` or `installment`.
    pub payment_method: String,
    pub total: Decimal2,
    pub branch: String,
    pub employee: String,
    pub customer: Option<String>,
    /// The official receipt's number.
    pub receipt_number: Option<String>,
}

/// Sales, newest first, with the sales page's filters (`from`, `to`, `employee_id`,
/// `customer`, `payment_method`, `status`; managers `branch_id`).
#[utoipa::path(get, path = "/api/orders/", tag = "retail",
    params(
        ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("employee_id" = Option<i64>, Query), ("customer" = Option<String>, Query),
        ("payment_method" = Option<String>, Query), ("status" = Option<String>, Query),
        ("branch_id" = Option<i64>, Query), ("page" = Option<String>, Query)),
    security(("token" = [])),
    responses((status = 200, body = Paginated<OrderRowOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn orders(
    req: HttpRequest,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<crate::retail::sales::routes::SalesQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(q.page.as_deref().unwrap_or(""))?;
    let f = q.filter(scope)?;
    let clock = state.clock;
    let (count, rows) = state
        .db
        .read(move |c| {
            let (count, _) = sales_query::totals(c, &f, &clock)?;
            page.check(count)?;
            Ok((
                count,
                sales_query::page(c, &f, &clock, page.offset(), json::PAGE_SIZE)?,
            ))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| OrderRowOut {
            id: r.id,
            created_at: Moment::of(&clock, r.created_at),
            status: r.status,
            payment_method: r.payment_method,
            total: Decimal2(Money(r.total_minor)),
            branch: r.branch,
            employee: r.employee,
            customer: r.customer,
            receipt_number: r.or_number,
        })
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineOut {
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub unit_price: Decimal2,
    pub total: Decimal2,
    pub serials: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptOut {
    pub receipt_number: String,
    pub vatable: Decimal2,
    pub vat: Decimal2,
    pub total: Decimal2,
    pub print_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    /// `cash`, `card`, `ewallet`, or `installment` (a down payment).
    pub method: String,
    pub amount: Decimal2,
    pub cash_received: Option<Decimal2>,
    pub change: Option<Decimal2>,
    /// A card's or e-wallet's reference; empty for cash.
    pub reference: String,
    pub paid_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub branch_id: i64,
    pub branch: String,
    pub status: String,
    pub payment_method: String,
    pub total: Decimal2,
    pub vat: Decimal2,
    pub created_at: String,
    pub voided_at: Option<String>,
    pub void_reason: Option<String>,
    pub cashier: String,
    pub customer: Option<String>,
    pub lines: Vec<OrderLineOut>,
    pub receipt: Option<ReceiptOut>,
    pub payments: Vec<PaymentOut>,
    /// The printable receipt.
    pub receipt_url: String,
}

/// One sale with its lines, official receipt and payments (another branch's is not found for
/// anyone but a manager).
#[utoipa::path(get, path = "/api/orders/{id}/", tag = "retail", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = OrderOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn order(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let clock = state.clock;
    let d = state
        .db
        .read(move |c| sales::load(c, id, &user).map_err(|_| not_found()))
        .await?;
    let h = d.head;
    Ok(json::ok(&OrderOut {
        id: h.id,
        branch_id: h.branch_id,
        branch: h.branch_name,
        status: h.status,
        payment_method: h.payment_method,
        total: Decimal2(Money(h.total_minor)),
        vat: Decimal2(Money(h.vat_minor)),
        created_at: Moment::of(&clock, h.created_at),
        voided_at: Moment::opt(&clock, h.voided_at),
        void_reason: h.void_reason,
        cashier: h.cashier,
        customer: h.customer,
        lines: d
            .items
            .into_iter()
            .map(|l| OrderLineOut {
                product_id: l.product_id,
                name: l.name,
                quantity: l.quantity,
                unit_price: Decimal2(l.unit),
                total: Decimal2(l.total),
                serials: l.serials,
            })
            .collect(),
        receipt: d.receipt.map(|r| ReceiptOut {
            receipt_number: r.or_number,
            vatable: Decimal2(Money(r.vatable_minor)),
            vat: Decimal2(Money(r.vat_minor)),
            total: Decimal2(Money(r.total_minor)),
            print_count: r.print_count,
        }),
        payments: d
            .payments
            .into_iter()
            .map(|p| PaymentOut {
                cash_received: p.cash().map(Decimal2),
                change: p.change().map(Decimal2),
                method: p.method,
                amount: Decimal2(Money(p.amount_minor)),
                reference: p.reference,
                paid_at: Moment::of(&clock, p.paid_at),
            })
            .collect(),
        receipt_url: format!("/sales/{}/receipt", h.id),
    }))
}

/// The till's cash sale, for a program: `{"idempotency_key": "…", "lines": [{"product_id",
/// "quantity", "serials": [...]}], "cash_received": "2000.00", "customer": {…}}` — the same body
/// and rules as `POST /pos/checkout/cash`. The same key again answers the first sale (201).
#[utoipa::path(post, path = "/api/checkout/cash/", tag = "retail",
    request_body(content = Object, description = "The till's cart: idempotency_key, lines, cash_received, customer"),
    security(("token" = [])),
    responses((status = 201, body = CheckoutResult), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Out of stock, serial sold, key reused for another cart")))]
pub async fn checkout_cash(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<CheckoutRequest>,
) -> Result<HttpResponse, AppError> {
    let cart = cart::parse(&body).map_err(AppError::BadRequest)?;
    let done = crate::retail::pos::routes::sell(&state, &user, actor, cart).await?;
    Ok(json::created(&done))
}

/// A sale paid by several tenders: the same body as `/api/checkout/cash/` with `"tenders":
/// [{"method": "cash"|"card"|"ewallet", "amount": "…", "reference": "…"}]` instead of
/// `cash_received` (card and e-wallet need their reference; only cash gives change) — the
/// rules of `POST /pos/checkout`.
#[utoipa::path(post, path = "/api/checkout/", tag = "retail",
    request_body(content = Object, description = "The till's cart: idempotency_key, lines, tenders, customer"),
    security(("token" = [])),
    responses((status = 201, body = CheckoutResult), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Out of stock, serial sold, no open shift, key reused for another cart")))]
pub async fn checkout_split(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<CheckoutRequest>,
) -> Result<HttpResponse, AppError> {
    let cart = cart::parse_split(&body).map_err(AppError::BadRequest)?;
    let done = crate::retail::pos::routes::sell(&state, &user, actor, cart).await?;
    Ok(json::created(&done))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanRowOut {
    pub id: i64,
    pub order_id: i64,
    pub created_at: String,
    /// `pending`, `active`, `completed`, `rejected` or `cancelled`.
    pub status: String,
    pub term_months: i64,
    pub financed: Decimal2,
    pub balance: Decimal2,
    pub paid: Decimal2,
    pub remaining: Decimal2,
    pub next_due_date: Option<String>,
    pub overdue: bool,
    pub branch: String,
    pub customer: String,
    pub phone: String,
    pub seller: String,
}

/// Instalment plans with the plans page's filters (`status`, `customer`, `due_from`,
/// `due_to`; managers `branch_id`). Sales agents see the plans they sold.
#[utoipa::path(get, path = "/api/installments/", tag = "retail",
    params(("status" = Option<String>, Query), ("customer" = Option<String>, Query),
        ("due_from" = Option<String>, Query), ("due_to" = Option<String>, Query),
        ("branch_id" = Option<i64>, Query), ("page" = Option<String>, Query)),
    security(("token" = [])),
    responses((status = 200, body = Paginated<PlanRowOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn plans_list(
    req: HttpRequest,
    user: CurrentUser,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<crate::retail::installments::routes::PlanQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(q.page.as_deref().unwrap_or(""))?;
    let today = state.clock.today();
    let f = q.filter(&user, scope, today)?;
    let clock = state.clock;
    let (count, rows) = state
        .db
        .read(move |c| {
            let (count, _) = plan_query::totals(c, &f)?;
            page.check(count)?;
            Ok((
                count,
                plan_query::page(c, &f, page.offset(), json::PAGE_SIZE)?,
            ))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| PlanRowOut {
            overdue: r.overdue_on(today),
            remaining: Decimal2(Money(r.remaining_minor())),
            id: r.id,
            order_id: r.order_id,
            created_at: Moment::of(&clock, r.created_at),
            status: r.status,
            term_months: r.term_months,
            financed: Decimal2(Money(r.financed_minor)),
            balance: Decimal2(Money(r.balance_minor)),
            paid: Decimal2(Money(r.paid_minor)),
            next_due_date: r.next_due_date.map(|d| d.to_string()),
            branch: r.branch,
            customer: r.customer,
            phone: r.phone,
            seller: r.seller,
        })
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueOut {
    pub seq: i64,
    pub due_date: String,
    pub amount: Decimal2,
    pub paid: Decimal2,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanPaymentOut {
    pub id: i64,
    pub amount: Decimal2,
    /// `cash`, `bank_transfer` or `e_wallet`.
    pub method: String,
    pub receipt_number: String,
    pub employee: String,
    pub paid_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub order_id: i64,
    pub branch_id: i64,
    pub status: String,
    pub term_months: i64,
    /// Flat interest, percent of the financed amount.
    pub interest_rate: Decimal2,
    pub total: Decimal2,
    pub down_payment: Decimal2,
    pub financed: Decimal2,
    pub interest: Decimal2,
    pub balance: Decimal2,
    pub paid: Decimal2,
    pub remaining: Decimal2,
    pub next_due_date: Option<String>,
    pub created_at: String,
    pub dues: Vec<DueOut>,
    pub payments: Vec<PlanPaymentOut>,
}

fn plan_out(
    conn: &mut crate::platform::db::AnyConnection,
    clock: &BusinessClock,
    p: plans::PlanHead,
) -> Result<PlanOut, AppError> {
    let dues = plans::dues_of(conn, p.id)?;
    let payments = plans::payments_of(conn, p.id)?;
    Ok(PlanOut {
        remaining: Decimal2(p.remaining()),
        id: p.id,
        order_id: p.order_id,
        branch_id: p.branch_id,
        status: p.status,
        term_months: p.term_months,
        interest_rate: Decimal2(Money(p.rate_bp)),
        total: Decimal2(Money(p.total_minor)),
        down_payment: Decimal2(Money(p.down_payment_minor)),
        financed: Decimal2(Money(p.financed_minor)),
        interest: Decimal2(Money(p.interest_minor)),
        balance: Decimal2(Money(p.balance_minor)),
        paid: Decimal2(Money(p.paid_minor)),
        next_due_date: p.next_due_date.map(|d| d.to_string()),
        created_at: Moment::of(clock, p.created_at),
        dues: dues
            .into_iter()
            .map(|d| DueOut {
                seq: d.seq,
                due_date: d.due_date.to_string(),
                amount: Decimal2(Money(d.amount_minor)),
                paid: Decimal2(Money(d.paid_minor)),
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|x| PlanPaymentOut {
                id: x.id,
                amount: Decimal2(Money(x.amount_minor)),
                method: x.method,
                receipt_number: x.or_number,
                employee: x.employee,
                paid_at: Moment::of(clock, x.paid_at),
            })
            .collect(),
    })
}

fn visible_plan(
    conn: &mut crate::platform::db::AnyConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<plans::PlanHead, AppError> {
    let p = plans::find(conn, id).map_err(|_| not_found())?;
    crate::retail::installments::routes::may_see(user, &p).map_err(|_| not_found())?;
    Ok(p)
}

/// One plan with its schedule and payments.
#[utoipa::path(get, path = "/api/installments/{id}/", tag = "retail", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = PlanOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn plan(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let clock = state.clock;
    let out = state
        .db
        .read(move |c| {
            let p = visible_plan(c, &user, id)?;
            plan_out(c, &clock, p)
        })
        .await?;
    Ok(json::ok(&out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PaymentBody {
    #[schema(value_type = Option<String>, example = "1500.00")]
    pub amount: Option<Decimal2>,
    /// `cash`, `bank_transfer` or `e_wallet`.
    pub method: Option<String>,
    /// A one-time key: the same key again records one payment.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub payment_id: i64,
    /// The payment's official receipt number.
    pub receipt_number: String,
    pub remaining: Decimal2,
    pub completed: bool,
}

/// Take a payment on an active plan (credit officers and managers): the oldest dues are paid
/// first; a payment can never pass what is owed (409 with what is left); one payment per key.
#[utoipa::path(post, path = "/api/installments/{id}/payments/", tag = "retail",
    request_body = PaymentBody, params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 201, body = PaymentRecorded), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "More than is owed, or the plan is not active")))]
pub async fn pay(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<PaymentBody>,
) -> Result<HttpResponse, AppError> {
    let plan_id = id.into_inner();
    let b = body.into_inner();
    let amount = b
        .amount
        .ok_or_else(|| AppError::field_invalid("amount", "This field is required."))?
        .0;
    let method =
        plans::PaymentMethod::parse(b.method.as_deref().unwrap_or("").trim()).ok_or_else(|| {
            AppError::field_invalid("method", "Choose cash, bank_transfer or e_wallet.")
        })?;
    let key = crate::api::sessions::one_time_key(b.idempotency_key.as_deref().unwrap_or(""))?
        .ok_or_else(|| AppError::field_invalid("idempotency_key", "This field is required."))?;
    let mail = crate::mail::messages::MailContext::of(&state.config);
    let done = state
        .db
        .write(move |c| {
            visible_plan(c, &user, plan_id)?;
            crate::mail::messages::record_payment_with_receipt(
                c,
                &actor,
                &plans::NewPayment {
                    plan_id,
                    amount,
                    method,
                    key: &key,
                },
                &mail,
            )
        })
        .await?;
    Ok(json::created(&PaymentRecorded {
        payment_id: done.payment_id,
        receipt_number: done.or_number,
        remaining: Decimal2(done.remaining),
        completed: done.completed,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimOut {
    pub id: i64,
    pub order_id: i64,
    pub order_item_id: i64,
    pub product_id: i64,
    /// `repair` or `replacement`.
    pub claim_type: String,
    pub faulty_serial: String,
    pub issue: String,
    /// `pending`, `in_progress`, `completed` or `released`.
    pub status: String,
    pub cost_impact: Decimal2,
    pub replacement_serial: Option<String>,
    pub filed_at: String,
    pub resolved_at: Option<String>,
}

fn claim_out(clock: &BusinessClock, c: warranty::Claim) -> ClaimOut {
    ClaimOut {
        id: c.id,
        order_id: c.order_id,
        order_item_id: c.order_item_id,
        product_id: c.product_id,
        claim_type: c.claim_type,
        faulty_serial: c.faulty_serial,
        issue: c.issue,
        status: c.status,
        cost_impact: Decimal2(Money(c.cost_impact_minor)),
        replacement_serial: c.replacement_serial,
        filed_at: Moment::of(clock, c.filed_at),
        resolved_at: Moment::opt(clock, c.resolved_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimRowOut {
    pub id: i64,
    pub filed_at: String,
    pub claim_type: String,
    pub status: String,
    pub faulty_serial: String,
    pub cost_impact: Decimal2,
    pub product: String,
    pub branch: String,
    pub customer: Option<String>,
}

/// Warranty claims, newest first, with the claims page's filters (`status`, `claim_type`,
/// `from`, `to`, `q`; managers `branch_id`).
#[utoipa::path(get, path = "/api/warranty/", tag = "retail",
    params(("status" = Option<String>, Query), ("claim_type" = Option<String>, Query),
        ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("q" = Option<String>, Query), ("branch_id" = Option<i64>, Query),
        ("page" = Option<String>, Query)),
    security(("token" = [])),
    responses((status = 200, body = Paginated<ClaimRowOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn claims(
    req: HttpRequest,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<crate::retail::warranty::routes::ClaimQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(q.page.as_deref().unwrap_or(""))?;
    let f = q.filter(scope, &state)?;
    let clock = state.clock;
    let (count, rows) = state
        .db
        .read(move |c| {
            let (count, ..) = warranty::totals(c, &f)?;
            page.check(count)?;
            Ok((
                count,
                warranty::page(c, &f, page.offset(), json::PAGE_SIZE)?,
            ))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| ClaimRowOut {
            id: r.id,
            filed_at: Moment::of(&clock, r.filed_at),
            claim_type: r.claim_type,
            status: r.status,
            faulty_serial: r.faulty_serial,
            cost_impact: Decimal2(Money(r.cost_impact_minor)),
            product: r.product,
            branch: r.branch,
            customer: r.customer,
        })
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

/// One claim.
#[utoipa::path(get, path = "/api/warranty/{id}/", tag = "retail", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = ClaimOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn claim(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let c = state
        .db
        .read(move |c| {
            let claim = warranty::find(c, id).map_err(|_| not_found())?;
            of_branch(&user, claim.branch_id)?;
            Ok(claim)
        })
        .await?;
    Ok(json::ok(&claim_out(&state.clock, c)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ClaimBody {
    /// The sold line the claim is for (`lines` of `GET /api/orders/{id}/` … see the sale).
    pub order_item_id: Option<i64>,
    /// `repair` or `replacement`.
    pub claim_type: Option<String>,
    /// The faulty unit's serial (serial-tracked products).
    pub faulty_serial: Option<String>,
    pub issue: Option<String>,
}

/// File a warranty claim (sellers and managers): the sale completed and of the caller's
/// branch, the unit within the claim type's window and without another open claim.
#[utoipa::path(post, path = "/api/warranty/", tag = "retail", request_body = ClaimBody,
    security(("token" = [])),
    responses((status = 201, body = ClaimOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "Out of its window, or already claimed")))]
pub async fn file_claim(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<ClaimBody>,
) -> Result<HttpResponse, AppError> {
    use crate::platform::forms::{self, FormErrors};
    use crate::retail::warranty::rules::ClaimType;
    let b = body.into_inner();
    let mut errors = FormErrors::default();
    if b.order_item_id.is_none() {
        errors.add("order_item_id", "This field is required.");
    }
    let kind = ClaimType::parse(b.claim_type.as_deref().unwrap_or("").trim());
    if kind.is_none() {
        errors.add("claim_type", "Choose repair or replacement.");
    }
    let issue = forms::text(
        b.issue.as_deref().unwrap_or(""),
        "issue",
        "The issue",
        1000,
        true,
        &mut errors,
    );
    let serial = forms::text(
        b.faulty_serial.as_deref().unwrap_or(""),
        "faulty_serial",
        "The serial",
        64,
        false,
        &mut errors,
    );
    let (Some(item), Some(kind), true) = (b.order_item_id, kind, errors.is_empty()) else {
        return Err(json::field_errors(errors));
    };
    let clock = state.clock;
    let claim = state
        .db
        .write(move |c| {
            let id = warranty::file(
                c,
                &actor,
                &user,
                &clock,
                &warranty::NewClaim {
                    order_item_id: item,
                    claim_type: kind,
                    faulty_serial: &serial,
                    issue: &issue,
                },
            )?;
            warranty::find(c, id)
        })
        .await?;
    Ok(json::created(&claim_out(&clock, claim)))
}
