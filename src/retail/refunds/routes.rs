//! `/refunds` (find a sale), `/sales/{id}/refund` (the return form), `/credit-notes/{id}`
//! (the printable credit note).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::{CurrentUser, Staff};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{FormErrors, Pairs};
use crate::platform::money::Money;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::state::AppState;
use crate::retail::refunds::model::{self, CreditNote, Refunded, Refunder};
use crate::retail::refunds::rules::{self, RefundRequest, TypedLine};
use crate::retail::sales::model::{self as sales, OrderDetail};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindQuery {
    q: String,
}

pub struct FoundSale {
    pub id: i64,
    pub or_number: String,
    pub at: String,
    pub total: Money,
    pub refunded: Money,
    pub customer: String,
}

#[derive(Template)]
#[template(path = "retail/refunds/find.html")]
struct FindPage {
    ctx: PageCtx,
    q: String,
    searched: bool,
    found: Vec<FoundSale>,
}

/// `GET /refunds`: a sale by OR number (or its receipt's QR code), or a customer's phone.
pub async fn find(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<FindQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query.into_inner().q.trim().chars().take(64).collect();
    let branch = if user.is_manager() {
        None
    } else {
        user.branch_id.or(Some(-1))
    };
    let searched = !q.is_empty();
    let term = q.clone();
    let rows = if searched {
        state
            .db
            .read(move |c| Ok(model::find_sales(c, &term, branch)?))
            .await?
    } else {
        Vec::new()
    };
    // One sale found by its number: straight to its refund form.
    if rows.len() == 1 && rows[0].1.eq_ignore_ascii_case(&q) {
        return Ok(see_other(&format!("/sales/{}/refund", rows[0].0)));
    }
    let clock = state.clock;
    html(&FindPage {
        ctx,
        q,
        searched,
        found: rows
            .into_iter()
            .map(|(id, or_number, at, total, refunded, customer)| FoundSale {
                id,
                or_number,
                at: clock.format(at),
                total: Money(total),
                refunded: Money(refunded),
                customer: customer.unwrap_or_else(|| "Walk-in".into()),
            })
            .collect(),
    })
}

/// A line of the sale on the return form.
pub struct FormLine {
    pub id: i64,
    pub name: String,
    pub sold: i64,
    pub left: i64,
    pub unit: Money,
    /// Serials still out with the customer (returnable), and whether each is ticked.
    pub serials: Vec<(String, bool)>,
    pub serial_tracked: bool,
    pub typed: String,
}

#[derive(Template)]
#[template(path = "retail/refunds/form.html")]
struct RefundPage {
    ctx: PageCtx,
    d: OrderDetail,
    or_number: String,
    at: String,
    lines: Vec<FormLine>,
    notes: Vec<(i64, String, String, Money)>,
    paid: Money,
    refunded: Money,
    left: Money,
    key: String,
    errors: FormErrors,
    reason: String,
    restock: bool,
    store_credit: bool,
    has_customer: bool,
    age_days: i64,
    limit_days: i64,
    needs_manager: bool,
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    id: i64,
    typed: Option<&Pairs>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let (d, returned, notes, limit, refunded, serial_flags) = state
        .db
        .read(move |c| {
            let d = sales::load(c, id, &user)?;
            let returned = model::returned_of(c, id)?;
            let notes = model::of_order(c, id)?;
            let limit = model::manager_after_days(c)?;
            let refunded = model::refunded_of(c, id)?;
            let flags = model::serial_tracked_of(c, id)?;
            Ok((d, returned, notes, limit, refunded, flags))
        })
        .await?;
    let clock = state.clock;
    let sold_on = clock.to_local(d.head.created_at).date_naive();
    let age_days = (clock.today() - sold_on).num_days();
    let get = |k: &str| typed.map(|p| p.get(k).to_string()).unwrap_or_default();
    let lines = d
        .items
        .iter()
        .map(|i| {
            let done = returned.iter().find(|r| r.0 == i.id).map_or(0, |r| r.1);
            let key = format!("serial_{}", i.id);
            let ticked: Vec<String> = typed
                .map(|p| p.all(&key).map(str::to_string).collect())
                .unwrap_or_default();
            FormLine {
                id: i.id,
                name: i.name.clone(),
                sold: i.quantity,
                left: i.quantity - done,
                unit: i.unit,
                serials: i
                    .serials
                    .iter()
                    .map(|s| (s.clone(), ticked.contains(s)))
                    .collect(),
                serial_tracked: serial_flags.contains(&i.id),
                typed: get(&format!("qty_{}", i.id)),
            }
        })
        .collect();
    let or_number = d
        .receipt
        .as_ref()
        .map_or_else(|| format!("#{id}"), |r| r.or_number.clone());
    let is_manager = ctx.is_manager();
    html_status(
        status,
        &RefundPage {
            or_number,
            at: clock.format(d.head.created_at),
            lines,
            notes: notes
                .into_iter()
                .map(|(id, n, at, t)| (id, n, clock.format(at), Money(t)))
                .collect(),
            paid: Money(d.head.total_minor),
            refunded: Money(refunded),
            left: Money(d.head.total_minor - refunded),
            key: crate::platform::auth::session::new_token(),
            errors,
            reason: get("reason"),
            restock: get("restock") != "no",
            store_credit: get("refund_to") == "store_credit",
            has_customer: d.head.customer.is_some(),
            age_days,
            limit_days: limit,
            needs_manager: age_days > limit && !is_manager,
            d,
            ctx,
        },
    )
}

/// `GET /sales/{id}/refund`.
pub async fn form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    form_page(
        ctx,
        &state,
        id.into_inner(),
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The form's fields as the refund's request: `qty_{item}` and ticked `serial_{item}` boxes.
fn request_of(p: &Pairs) -> Result<RefundRequest, FormErrors> {
    let mut ids: Vec<i64> = Vec::new();
    for (suffix, _) in p.with_prefix("qty_").chain(p.with_prefix("serial_")) {
        match suffix.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
                // Bounded: a sale has at most a few hundred lines, and a tampered form with
                // thousands of fields must not cost a quadratic scan.
                if ids.len() > 200 {
                    let mut e = FormErrors::default();
                    e.add("lines", "A refund takes at most 200 lines.");
                    return Err(e);
                }
            }
            _ => {
                let mut e = FormErrors::default();
                e.add("lines", "The form was changed: reload the page.");
                return Err(e);
            }
        }
    }
    let qty_keys: Vec<String> = ids.iter().map(|id| format!("qty_{id}")).collect();
    let serial_keys: Vec<String> = ids.iter().map(|id| format!("serial_{id}")).collect();
    let lines: Vec<TypedLine> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| TypedLine {
            item_id: *id,
            quantity: p.has(&qty_keys[n]).then(|| p.get(&qty_keys[n])),
            serials: p.all(&serial_keys[n]).collect(),
        })
        .collect();
    rules::parse_request(
        &lines,
        p.get("reason"),
        p.get("restock"),
        p.get("refund_to"),
        p.get("key"),
    )
}

/// Makes the refund in one write transaction (the page's and the API's).
pub async fn refund_with(
    state: &AppState,
    user: &CurrentUser,
    actor: crate::platform::audit::Actor,
    id: i64,
    req: RefundRequest,
) -> Result<Refunded, AppError> {
    let viewer = user.clone();
    let is_manager = user.is_manager();
    let today = state.clock.today();
    state
        .db
        .write(move |c| {
            // Another branch's sale is "not found" for a cashier.
            sales::load(c, id, &viewer)?;
            model::refund(
                c,
                &Refunder {
                    actor: &actor,
                    is_manager,
                    today,
                    now: BusinessClock::now_utc(),
                },
                id,
                &req,
            )
        })
        .await
}

/// `POST /sales/{id}/refund`.
pub async fn submit(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let p = Pairs(form.into_inner());
    let req = match request_of(&p) {
        Ok(r) => r,
        Err(errors) => {
            return form_page(
                ctx,
                &state,
                id,
                Some(&p),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match refund_with(&state, &user, actor, id, req).await {
        Ok(done) => {
            flash::success(
                &session,
                format!(
                    "Credit note {} made: {} refunded.",
                    done.credit_note_number, done.total
                ),
            );
            Ok(see_other(&done.credit_note_url))
        }
        // Field errors and refusals (too many units, no shift, an old sale) show on the form
        // with what was typed; nothing was written.
        Err(e) => match e.on_form("lines") {
            Ok((errors, status)) => form_page(ctx, &state, id, Some(&p), errors, status).await,
            Err(e) => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "retail/refunds/credit_note.html")]
struct CreditNotePage {
    ctx: PageCtx,
    n: CreditNote,
    when: String,
    registration: crate::registers::shifts::report::Registration,
    register: Option<crate::registers::model::Register>,
    vat_rate: String,
}

/// `GET /credit-notes/{id}`: the printable credit note (80 mm, A4 through print CSS).
pub async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (n, registration, register, rate) = state
        .db
        .read(move |c| {
            let n = model::credit_note(c, id)?;
            // Scoped like its sale: another branch's note is "not found".
            let d = sales::load(c, n.order_id, &user)
                .map_err(|_| AppError::not_found("That credit note"))?;
            let register = match n.shift_id {
                Some(s) => crate::registers::model::of_shift(c, s)?,
                None => crate::registers::model::of_order(c, n.order_id)?,
            };
            Ok((
                n,
                crate::registers::shifts::report::registration(c)?,
                register,
                d.head.vat_rate_bp,
            ))
        })
        .await?;
    html(&CreditNotePage {
        when: state.clock.format(n.created_at),
        vat_rate: crate::platform::percent::percent_text(rate),
        n,
        ctx,
        registration,
        register,
    })
}
