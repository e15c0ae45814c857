//! Refunds through the API, in the contract's style: `POST /api/sales/{id}/refund/` makes a
//! credit note with the refund page's own checks and transaction; `GET /api/credit-notes/{id}/`
//! reads one.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Decimal2, Moment, Problem};
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::error::AppError;
use crate::platform::state::AppState;
use crate::retail::refunds::model::{self, CreditNote};
use crate::retail::refunds::routes::refund_with;
use crate::retail::refunds::rules::{self, TypedLine};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RefundLineBody {
    /// The sale's line (`order_items` id, as `GET /api/sales/{id}/` lists them).
    pub item_id: i64,
    /// Units to return; for a serial-numbered product, leave it out and list the serials.
    pub quantity: Option<i64>,
    pub serials: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RefundBody {
    pub lines: Option<Vec<RefundLineBody>>,
    /// Why the units come back (3–200 characters).
    pub reason: Option<String>,
    /// `true` (default): back to stock; `false`: into defective stock.
    pub restock: Option<bool>,
    /// `original` (default): the sale's tenders, card and e-wallet first; `store_credit`.
    pub refund_to: Option<String>,
    /// A one-time key (8–64 letters, digits, dashes): the same key again is the same refund.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteLineOut {
    pub product: String,
    pub quantity: i64,
    pub amount: Decimal2,
    pub serials: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteTenderOut {
    /// `cash`, `card`, `ewallet` or `store_credit`.
    pub method: String,
    pub amount: Decimal2,
    pub reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteOut {
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub or_number: String,
    pub branch_id: i64,
    pub created_at: String,
    pub refunded_by: String,
    pub reason: String,
    pub restock: bool,
    pub refund_to: String,
    pub total: Decimal2,
    pub vatable: Decimal2,
    pub vat: Decimal2,
    pub lines: Vec<CreditNoteLineOut>,
    pub tenders: Vec<CreditNoteTenderOut>,
    pub print_url: String,
}

fn out(state: &AppState, n: CreditNote) -> CreditNoteOut {
    CreditNoteOut {
        print_url: format!("/credit-notes/{}", n.id),
        id: n.id,
        number: n.cn_number,
        order_id: n.order_id,
        or_number: n.or_number,
        branch_id: n.branch_id,
        created_at: Moment::of(&state.clock, n.created_at),
        refunded_by: n.employee,
        reason: n.reason,
        restock: n.restock,
        refund_to: n.refund_to,
        total: Decimal2(n.total),
        vatable: Decimal2(n.vatable),
        vat: Decimal2(n.vat),
        lines: n
            .lines
            .into_iter()
            .map(|l| CreditNoteLineOut {
                amount: Decimal2(l.amount()),
                product: l.product_name,
                quantity: l.quantity,
                serials: l.serials.split_whitespace().map(str::to_string).collect(),
            })
            .collect(),
        tenders: n
            .tenders
            .into_iter()
            .map(|t| CreditNoteTenderOut {
                amount: Decimal2(t.amount()),
                method: t.method,
                reference: t.reference,
            })
            .collect(),
    }
}

/// A credit note its reader may see (another branch's is "not found" for a cashier).
async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<CreditNoteOut, AppError> {
    let viewer = user.clone();
    let n = state
        .db
        .read(move |c| {
            let n = model::credit_note(c, id)?;
            crate::retail::sales::model::load(c, n.order_id, &viewer)
                .map_err(|_| AppError::not_found("That credit note"))?;
            Ok(n)
        })
        .await?;
    Ok(out(state, n))
}

/// Refund lines of a paid sale: a credit note, the units back to stock or defective stock,
/// the money back by the sale's tenders (cash from the caller's open shift) or as store credit.
#[utoipa::path(post, path = "/api/sales/{id}/refund/", tag = "retail", request_body = RefundBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 201, body = CreditNoteOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "An old sale needs a manager"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "More than is left to return, no open shift for cash, a voided sale")))]
pub async fn refund(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<RefundBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let b = body.into_inner();
    let raw = b.lines.unwrap_or_default();
    let quantities: Vec<Option<String>> = raw
        .iter()
        .map(|l| l.quantity.map(|q| q.to_string()))
        .collect();
    let lines: Vec<TypedLine> = raw
        .iter()
        .zip(&quantities)
        .map(|(l, q)| TypedLine {
            item_id: l.item_id,
            quantity: q.as_deref(),
            serials: l.serials.iter().flatten().map(String::as_str).collect(),
        })
        .collect();
    let req = rules::parse_request(
        &lines,
        b.reason.as_deref().unwrap_or(""),
        match b.restock {
            Some(false) => "no",
            _ => "yes",
        },
        b.refund_to.as_deref().unwrap_or(""),
        b.idempotency_key.as_deref().unwrap_or(""),
    )
    .map_err(|mut errors| {
        // The API names the key field as the body does.
        if let Some(m) = errors.get("key").map(str::to_string) {
            let mut e = crate::platform::forms::FormErrors::default();
            for (f, msg) in errors.iter().filter(|(f, _)| *f != "key") {
                e.add(f, msg.to_string());
            }
            e.add("idempotency_key", m);
            errors = e;
        }
        AppError::Fields {
            status: actix_web::http::StatusCode::BAD_REQUEST,
            errors,
        }
    })?;
    let done = refund_with(&state, &user, actor, id, req).await?;
    Ok(json::created(
        &visible(&state, &user, done.credit_note_id).await?,
    ))
}

/// One credit note.
#[utoipa::path(get, path = "/api/credit-notes/{id}/", tag = "retail", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = CreditNoteOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn credit_note(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(json::ok(&visible(&state, &user, id.into_inner()).await?))
}
