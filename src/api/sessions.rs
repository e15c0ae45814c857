//! `/api/sessions/{table number}/`: a table's open bill, as the cafe system keyed it. Orders go
//! through `cafe::ordering::add_lines` (prices from the menu, the kitchen ticket, the audit row,
//! one-time keys), bills through `cafe::sales` — the floor page's own functions, so the API's
//! bill is the printed bill.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Amount, Detail, Moment, PageNumber, Paginated, Problem};
use crate::api::tables::by_number;
use crate::cafe::events::CafeEvent;
use crate::cafe::ordering::{self, OrderLine, OrderRequest, Placer};
use crate::cafe::sales::{self, PaymentMethod};
use crate::cafe::settings;
use crate::cafe::tab::{self, SessionHead};
use crate::config::Config;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::FormErrors;
use crate::platform::schema::{cafe_sessions, cafe_tables, menu_items};
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionItemOut {
    /// The menu item's id (as the cafe system answered).
    pub id: i64,
    /// This bill line's own id.
    pub line_id: i64,
    pub name: String,
    pub emoji: String,
    /// The category as the sale records it.
    pub category: String,
    pub is_veg: bool,
    /// The unit price when ordered.
    pub price: Amount,
    pub qty: i64,
    pub notes: String,
    /// The options chosen, as printed ("Regular · Oat milk"); empty for none.
    pub modifiers: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    /// The table's number; null for a takeaway or delivery order.
    pub table_num: Option<i64>,
    pub customer_name: String,
    /// The notes of the kitchen tickets so far, joined with " | ".
    pub special_instructions: String,
    /// `dine_in`, `takeaway` or `delivery`.
    pub session_type: String,
    /// The promo code on the bill, or empty.
    pub discount_code: String,
    /// What the code takes off today (0 when it does not apply).
    pub discount_amount: Amount,
    pub start_time: String,
    pub bill_printed: bool,
    pub items: Vec<SessionItemOut>,
    pub subtotal: Amount,
    pub tax: Amount,
    /// What the guest pays: subtotal − discount + tax, exactly as the printed bill.
    pub total: Amount,
    pub is_active: bool,
    pub created_at: String,
}

/// The bill as the floor page computes it, in the cafe system's shape.
pub fn session_out(
    conn: &mut AnyConnection,
    config: &Config,
    clock: &BusinessClock,
    head: SessionHead,
) -> Result<SessionOut, AppError> {
    // The floor page's own bill: lines, promo code and tax exactly as printed.
    let cafe = settings::load(conn, config)?;
    let open =
        crate::cafe::guest::view::open_bill(conn, head, &cafe, config, BusinessClock::now_utc())?;
    let crate::cafe::guest::view::OpenBill {
        head,
        tickets,
        lines,
        bill,
        code,
        ..
    } = open;
    let ids: Vec<i64> = lines.iter().map(|l| l.menu_item_id).collect();
    let looks: Vec<(i64, String, bool)> = menu_items::table
        .filter(menu_items::id.eq_any(&ids))
        .select((menu_items::id, menu_items::emoji, menu_items::is_veg))
        .load(conn)?;
    let notes: Vec<String> = tickets
        .into_iter()
        .map(|t| t.notes)
        .filter(|n| !n.is_empty())
        .collect();
    let table_num = match head.table_id {
        Some(t) => Some(
            cafe_tables::table
                .find(t)
                .select(cafe_tables::number)
                .first(conn)?,
        ),
        None => None,
    };
    let items = lines
        .into_iter()
        .map(|l| {
            let look = looks.iter().find(|x| x.0 == l.menu_item_id);
            SessionItemOut {
                id: l.menu_item_id,
                line_id: l.id,
                emoji: look.map(|x| x.1.clone()).unwrap_or_default(),
                is_veg: look.is_some_and(|x| x.2),
                price: Amount(l.unit_price()),
                qty: l.quantity,
                name: l.name,
                category: l.category,
                notes: l.notes,
                modifiers: l.modifiers,
            }
        })
        .collect();
    Ok(SessionOut {
        id: head.id,
        table_num,
        customer_name: head.customer_name,
        special_instructions: notes.join(" | "),
        session_type: head.kind,
        discount_code: code.map(|c| c.code.to_uppercase()).unwrap_or_default(),
        discount_amount: Amount(bill.discount),
        start_time: Moment::of(clock, head.opened_at),
        bill_printed: head.bill_printed_at.is_some(),
        items,
        subtotal: Amount(bill.subtotal),
        tax: Amount(bill.tax),
        total: Amount(bill.total),
        is_active: head.closed_at.is_none(),
        created_at: Moment::of(clock, head.opened_at),
    })
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct BranchQuery {
    /// Managers: the branch (default: the first with a cafe). Staff work at their own.
    pub branch: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SessionsQuery {
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

fn no_session(t: i64) -> AppError {
    AppError::NotFound(format!("No active session for table {t}."))
}

/// The open bill of table `t` at the caller's branch.
fn open_of(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    requested: Option<i64>,
    t: i64,
) -> Result<SessionHead, AppError> {
    let branch = crate::api::cafe_branch(conn, Some(user), requested)?;
    let table = by_number(conn, branch, t).map_err(|_| no_session(t))?;
    tab::open_session_of_table(conn, table.id)?.ok_or_else(|| no_session(t))
}

/// Every open bill of the branch (tables, takeaway and delivery), by table number.
#[utoipa::path(get, path = "/api/sessions/", tag = "sessions", params(SessionsQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<SessionOut>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<SessionsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let requested = json::id_filter(&q.branch, "branch")?;
    let (config, clock) = (state.clone_config(), state.clock);
    let (count, rows) = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let open = || {
                cafe_sessions::table
                    .left_join(cafe_tables::table)
                    .filter(cafe_sessions::branch_id.eq(branch))
                    .filter(cafe_sessions::closed_at.is_null())
            };
            let count: i64 = open().count().get_result(c)?;
            page.check(count)?;
            let heads: Vec<SessionHead> = open()
                .order((cafe_tables::number.asc(), cafe_sessions::id.asc()))
                .offset(page.offset())
                .limit(json::PAGE_SIZE)
                .select(SessionHead::as_select())
                .load(c)?;
            let rows = heads
                .into_iter()
                .map(|h| session_out(c, &config, &clock, h))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((count, rows))
        })
        .await?;
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

/// Table `t`'s open bill with its lines and total.
#[utoipa::path(get, path = "/api/sessions/{t}/", tag = "sessions",
    params(("t" = i64, Path, description = "The table's number"), BranchQuery),
    security(("token" = [])),
    responses((status = 200, body = SessionOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    user: CurrentUser,
    state: web::Data<AppState>,
    t: web::Path<i64>,
    q: web::Query<BranchQuery>,
) -> Result<HttpResponse, AppError> {
    let t = t.into_inner();
    let requested = json::id_filter(&q.branch, "branch")?;
    let (config, clock) = (state.clone_config(), state.clock);
    let out = state
        .db
        .read(move |c| {
            let head = open_of(c, &user, requested, t)?;
            session_out(c, &config, &clock, head)
        })
        .await?;
    Ok(json::ok(&out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemIn {
    /// A menu item's id.
    pub id: i64,
    /// 1 to 50.
    #[serde(default = "one")]
    pub qty: i64,
    #[serde(default)]
    pub notes: String,
    /// The ids of the modifier options chosen (a latte's size and milk); the menu prices them.
    #[serde(default)]
    pub options: Vec<i64>,
}

fn one() -> i64 {
    1
}

/// An order for a table: opens its bill if needed and sends the lines to the kitchen.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OrderBody {
    /// Names the guest on the bill.
    pub customer_name: Option<String>,
    /// A note for the kitchen on this order.
    pub special_instructions: Option<String>,
    /// `dine_in` (a table's bill is always dine-in; the others are accepted and ignored).
    pub session_type: Option<String>,
    /// A promo code to put on the bill (checked against today's subtotal).
    pub discount_code: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemIn>,
    /// A one-time key (also read from the `Idempotency-Key` header): the same key again
    /// answers the first order instead of placing a second.
    pub order_key: Option<String>,
}

/// Any key a program sends (a UUID, a counter…), as the 32 hex digits the order store keeps.
pub fn one_time_key(raw: &str) -> Result<Option<String>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 200 || raw.chars().any(|c| c.is_control()) {
        return Err(AppError::field_invalid(
            "order_key",
            "A one-time key is at most 200 printable characters.",
        ));
    }
    let digest = Sha256::digest(format!("api:{raw}").as_bytes());
    Ok(Some(hex::encode(&digest[..16])))
}

fn order_of(body: &OrderBody, header_key: &str) -> Result<OrderRequest, AppError> {
    let mut errors = FormErrors::default();
    if body.items.len() > ordering::MAX_LINES {
        errors.add(
            "items",
            format!("At most {} lines in one order.", ordering::MAX_LINES),
        );
    }
    let mut lines = Vec::new();
    for item in &body.items {
        if !(1..=ordering::MAX_QUANTITY).contains(&item.qty) {
            errors.add(
                "items",
                format!(
                    "Each quantity must be between 1 and {}.",
                    ordering::MAX_QUANTITY
                ),
            );
            break;
        }
        let notes = ordering::note(&item.notes, "A note")
            .map_err(|e| AppError::field_invalid("items", e.public_message()))?;
        if item.options.len() > crate::cafe::modifiers::rules::MAX_PICKED {
            errors.add("items", "Too many options in one line.");
            break;
        }
        lines.push(OrderLine {
            menu_item_id: item.id,
            quantity: item.qty,
            notes,
            options: item.options.clone(),
            hold: false,
            seat: None,
        });
    }
    if let Some(t) = &body.session_type {
        if !["dine_in", "takeaway", "delivery"].contains(&t.as_str()) {
            errors.add("session_type", "Choose dine_in, takeaway or delivery.");
        }
    }
    if !errors.is_empty() {
        return Err(json::field_errors(errors));
    }
    let notes = ordering::note(
        body.special_instructions.as_deref().unwrap_or(""),
        "The note",
    )
    .map_err(|e| AppError::field_invalid("special_instructions", e.public_message()))?;
    let key = match body.order_key.as_deref() {
        Some(k) if !k.trim().is_empty() => one_time_key(k)?,
        _ => one_time_key(header_key)?,
    };
    Ok(OrderRequest { lines, notes, key })
}

/// Order for table `t` (waiters and managers): opens the bill if the table has none (201), else
/// adds to it (200). Every line is checked (on the menu, in stock, 1–50) before anything is
/// written; the whole order is one transaction with its kitchen ticket and audit row.
#[utoipa::path(post, path = "/api/sessions/{t}/", tag = "sessions", request_body = OrderBody,
    params(("t" = i64, Path, description = "The table's number"), BranchQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "A one-time key for this order")),
    security(("token" = [])),
    responses((status = 201, body = SessionOut, description = "The bill was opened"),
        (status = 200, body = SessionOut, description = "Added to the open bill"),
        (status = 400, body = Problem, description = "Bad input: `{\"items\": [\"…\"]}` or `{\"detail\": \"…\"}`"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No such table"),
        (status = 409, body = Problem, description = "Sold out, table in maintenance, bill closed")))]
pub async fn order(
    req: HttpRequest,
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    t: web::Path<i64>,
    q: web::Query<BranchQuery>,
    body: web::Json<OrderBody>,
) -> Result<HttpResponse, AppError> {
    let t = t.into_inner();
    let requested = json::id_filter(&q.branch, "branch")?;
    let body = body.into_inner();
    let header_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let order = order_of(&body, &header_key)?;
    let name = match body.customer_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(
            crate::cafe::visitors::clean_name(n)
                .map_err(|e| AppError::field_invalid("customer_name", e.public_message()))?,
        ),
    };
    let code =
        match body.discount_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(crate::cafe::discounts::rules::normalise(c).ok_or_else(|| {
                AppError::field_invalid("discount_code", "This code is not valid.")
            })?),
        };
    let (config, clock) = (state.clone_config(), state.clock);
    let cfg = config.clone();
    let (session_id, opened, placed) = state
        .db
        .write(move |c| {
            let now = BusinessClock::now_utc();
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let table = by_number(c, branch, t)?;
            let existing = tab::open_session_of_table(c, table.id)?;
            if existing.is_none() && !table.takes_orders() {
                return Err(AppError::Conflict(format!(
                    "{} is in maintenance: set it available first.",
                    table.label()
                )));
            }
            let (head, opened) = match existing {
                Some(h) => (h, false),
                None => tab::open_for_table(c, &table, None, &actor, now)?,
            };
            let placed = if order.lines.is_empty() {
                None
            } else {
                Some(ordering::add_lines(
                    c,
                    &head,
                    &Placer::Staff(actor.clone()),
                    &order,
                    now,
                )?)
            };
            if let Some(n) = &name {
                tab::set_customer_name(c, &actor, &head, n, now)?;
            }
            if let Some(code) = &code {
                let cafe = settings::load(c, &config)?;
                let lines = sales::lines(c, head.id)?;
                let subtotal =
                    sales::bill_of(&lines, 0, crate::platform::money::Money::ZERO)?.subtotal;
                crate::cafe::discounts::model::apply_to_session(
                    c,
                    &actor,
                    head.id,
                    Some(code),
                    clock.to_local(now).date_naive(),
                    subtotal,
                    &cafe.money_prefix(),
                )
                .map_err(|e| match e {
                    AppError::Fields { errors, .. } => {
                        AppError::field_invalid("discount_code", errors.first().to_string())
                    }
                    other => other,
                })?;
            }
            Ok((head.id, opened, placed))
        })
        .await?;
    // The bill is read back after the commit: reading every line inside the transaction would
    // hold SQLite's write lock for it, and make the next order wait.
    let out = state
        .db
        .read(move |c| {
            let head = tab::session(c, session_id)?;
            session_out(c, &cfg, &clock, head)
        })
        .await?;
    if let Some(p) = placed.filter(|p| !p.repeated) {
        state
            .events
            .publish(CafeEvent::ticket_new(p.branch_id, p.session_id));
    }
    Ok(if opened {
        json::created(&out)
    } else {
        json::ok(&out)
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseBody {
    /// `cash` (default), `card` or `upi`: the whole bill by one method.
    pub payment_method: Option<String>,
    /// With `payment_method` cash: what the guest handed over (the change is worked out).
    pub cash_received: Option<Amount>,
    /// A bill paid in parts instead: 1 to 6 tenders that together pay the total (cash may
    /// exceed its part; the change comes from the cash only). `payment_method` is then unused.
    pub tenders: Option<Vec<CloseTender>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseTender {
    /// `cash`, `card` or `upi`.
    pub method: String,
    pub amount: Amount,
    /// The card slip's or the transfer's number (at most 64 characters).
    pub reference: Option<String>,
}

/// The close's body as a bill payment, or the field that is wrong.
fn bill_payment(body: CloseBody) -> Result<sales::BillPayment, AppError> {
    let Some(tenders) = body.tenders else {
        let raw = body.payment_method.unwrap_or_else(|| "cash".into());
        let method = PaymentMethod::parse(&raw).ok_or_else(|| {
            AppError::field_invalid("payment_method", "Choose cash, card or upi.")
        })?;
        if body.cash_received.is_some() && method != PaymentMethod::Cash {
            return Err(AppError::field_invalid(
                "cash_received",
                "Cash received goes with payment_method cash.",
            ));
        }
        let mut pay = sales::BillPayment::whole(method);
        pay.received = body.cash_received.map(|a| a.0);
        return Ok(pay);
    };
    if tenders.is_empty() || tenders.len() > 6 {
        return Err(AppError::field_invalid(
            "tenders",
            "Pay with 1 to 6 tenders.",
        ));
    }
    let mut parts = Vec::with_capacity(tenders.len());
    for (n, t) in tenders.into_iter().enumerate() {
        let which = format!("Tender {}", n + 1);
        let method = PaymentMethod::parse(&t.method).ok_or_else(|| {
            AppError::field_invalid(
                "tenders",
                format!("{which}: the method is cash, card or upi."),
            )
        })?;
        if !t.amount.0.is_positive() {
            return Err(AppError::field_invalid(
                "tenders",
                format!("{which}'s amount must be more than zero."),
            ));
        }
        let reference = crate::registers::tenders::reference(t.reference.as_deref().unwrap_or(""))
            .map_err(|e| AppError::field_invalid("tenders", format!("{which}: {e}")))?;
        parts.push(sales::BillTender {
            method,
            amount: t.amount.0,
            reference,
        });
    }
    Ok(sales::BillPayment {
        parts,
        rest: None,
        rest_reference: String::new(),
        received: None,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Closed {
    pub detail: String,
    /// What was paid (the printed bill's total).
    pub total: Amount,
    /// The change given from the cash.
    pub change: Amount,
    /// How it was paid: "Cash", or "Card 400.00 + Cash 198.00".
    pub paid_by: String,
    /// The sales record written.
    pub sale_id: i64,
}

/// Close table `t`'s bill (waiters and managers): one sales record, the promo use counted,
/// the table free again — exactly once, even when two close it at the same moment (409).
#[utoipa::path(post, path = "/api/sessions/{t}/close/", tag = "sessions", request_body = CloseBody,
    params(("t" = i64, Path), BranchQuery), security(("token" = [])),
    responses((status = 200, body = Closed), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Closed a moment ago by someone else")))]
pub async fn close(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    t: web::Path<i64>,
    q: web::Query<BranchQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let t = t.into_inner();
    let requested = json::id_filter(&q.branch, "branch")?;
    let body: CloseBody = json::optional_body(&body)?;
    let payment = bill_payment(body)?;
    let config = state.clone_config();
    let closed = state
        .db
        .write(move |c| {
            let head = open_of(c, &user, requested, t)?;
            let cafe = settings::load(c, &config)?;
            let now = BusinessClock::now_utc();
            let today = BusinessClock::new(config.tz).to_local(now).date_naive();
            sales::close(
                c,
                &actor,
                head.id,
                &payment,
                cafe.tax_rate_bp,
                now,
                today,
                &cafe.money_prefix(),
            )
        })
        .await?;
    state
        .events
        .publish(CafeEvent::session(closed.branch_id, closed.session_id));
    Ok(json::ok(&Closed {
        detail: format!("Table {t} session closed."),
        total: Amount(closed.total),
        change: Amount(closed.change),
        paid_by: closed.paid_by,
        sale_id: closed.sale_id,
    }))
}

/// The bill has been printed (waiters and managers): guests can no longer add to it. Saying so
/// twice changes nothing.
#[utoipa::path(post, path = "/api/sessions/{t}/mark_bill_printed/", tag = "sessions",
    params(("t" = i64, Path), BranchQuery), security(("token" = [])),
    responses((status = 200, body = Detail), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn mark_printed(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    t: web::Path<i64>,
    q: web::Query<BranchQuery>,
) -> Result<HttpResponse, AppError> {
    let t = t.into_inner();
    let requested = json::id_filter(&q.branch, "branch")?;
    let head = state
        .db
        .write(move |c| {
            let head = open_of(c, &user, requested, t)?;
            if head.bill_printed_at.is_some() {
                return Ok(head);
            }
            sales::mark_printed(c, &actor, head.id, BusinessClock::now_utc())
        })
        .await?;
    state
        .events
        .publish(CafeEvent::session(head.branch_id, head.id));
    Ok(json::ok(&Detail {
        detail: format!("Bill printed flag set for table {t}."),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillOut {
    pub subtotal: Amount,
    pub discount: Amount,
    pub tax: Amount,
    pub total: Amount,
    /// Percent, e.g. 5.0 or 12.0.
    pub tax_rate: f64,
    pub discount_code: String,
}

/// Table `t`'s bill (the same numbers as the printed bill).
#[utoipa::path(get, path = "/api/sessions/{t}/generate_bill/", tag = "sessions",
    params(("t" = i64, Path), BranchQuery), security(("token" = [])),
    responses((status = 200, body = BillOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn generate_bill(
    user: CurrentUser,
    state: web::Data<AppState>,
    t: web::Path<i64>,
    q: web::Query<BranchQuery>,
) -> Result<HttpResponse, AppError> {
    let t = t.into_inner();
    let requested = json::id_filter(&q.branch, "branch")?;
    let config = state.clone_config();
    let out = state
        .db
        .read(move |c| {
            let head = open_of(c, &user, requested, t)?;
            let cafe = settings::load(c, &config)?;
            let open = crate::cafe::guest::view::open_bill(
                c,
                head,
                &cafe,
                &config,
                BusinessClock::now_utc(),
            )?;
            let (bill, code) = (open.bill, open.code);
            Ok(BillOut {
                subtotal: Amount(bill.subtotal),
                discount: Amount(bill.discount),
                tax: Amount(bill.tax),
                total: Amount(bill.total),
                tax_rate: cafe.tax_rate_bp as f64 / 100.0,
                discount_code: code.map(|c| c.code.to_uppercase()).unwrap_or_default(),
            })
        })
        .await?;
    Ok(json::ok(&out))
}
