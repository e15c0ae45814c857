//! Cafe refunds through the API, in the contract's style: `POST /api/cafe/sales/{id}/refund/`
//! refunds lines of a closed bill with the bill page's own checks and transaction;
//! `GET /api/cafe/credit-notes/{id}/` reads one credit note.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Decimal2, Moment, Problem};
use crate::cafe::refunds::model::{self, CafeCreditNote};
use crate::cafe::refunds::routes::refund_with;
use crate::cafe::refunds::rules;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::error::AppError;
use crate::platform::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CafeRefundLineBody {
    /// The bill's line, numbered from 1 in the order of the bill (`items` of the sale record).
    pub line: i64,
    /// Units to refund.
    pub quantity: i64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CafeRefundBody {
    pub lines: Option<Vec<CafeRefundLineBody>>,
    /// Why the money goes back (3–200 characters).
    pub reason: Option<String>,
    /// A one-time key (letters, digits, dashes; at most 64): the same key again is the same
    /// refund.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CafeCreditNoteLineOut {
    pub item: String,
    pub quantity: i64,
    pub amount: Decimal2,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CafeCreditNoteTenderOut {
    /// `Cash`, `Card` or `UPI`.
    pub method: String,
    pub amount: Decimal2,
    pub reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CafeCreditNoteOut {
    pub id: i64,
    pub number: String,
    pub sale_id: i64,
    pub reason: String,
    /// The lines' value before the bill's discount and tax.
    pub value: Decimal2,
    pub discount: Decimal2,
    pub tax: Decimal2,
    pub total: Decimal2,
    pub created_at: String,
    pub lines: Vec<CafeCreditNoteLineOut>,
    pub tenders: Vec<CafeCreditNoteTenderOut>,
}

fn out(state: &AppState, n: CafeCreditNote) -> CafeCreditNoteOut {
    CafeCreditNoteOut {
        id: n.id,
        number: n.number,
        sale_id: n.sale_id,
        reason: n.reason,
        value: Decimal2(n.value),
        discount: Decimal2(n.discount),
        tax: Decimal2(n.tax),
        total: Decimal2(n.total),
        created_at: Moment::of(&state.clock, n.created_at),
        lines: n
            .lines
            .into_iter()
            .map(|(item, quantity, amount)| CafeCreditNoteLineOut {
                item,
                quantity,
                amount: Decimal2(amount),
            })
            .collect(),
        tenders: n
            .tenders
            .into_iter()
            .map(|(method, amount, reference)| CafeCreditNoteTenderOut {
                method: method.to_string(),
                amount: Decimal2(amount),
                reference,
            })
            .collect(),
    }
}

async fn visible(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<CafeCreditNoteOut, AppError> {
    let viewer = user.clone();
    let n = state
        .db
        .read(move |c| {
            let n = model::credit_note(c, id)?;
            crate::cafe::scope::check_branch(&viewer, n.branch_id)
                .map_err(|_| AppError::not_found("That credit note"))?;
            Ok(n)
        })
        .await?;
    Ok(out(state, n))
}

/// Refund lines of a closed cafe bill: a credit note, the money back by the bill's tenders
/// (card and UPI first, then cash from the caller's open shift), tax and discount in proportion.
#[utoipa::path(post, path = "/api/cafe/sales/{id}/refund/", tag = "sessions", request_body = CafeRefundBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 201, body = CafeCreditNoteOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem, description = "An old bill needs a manager"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "More than is left to refund, or a drawer short of cash")))]
pub async fn refund(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CafeRefundBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let b = body.into_inner();
    let raw = b.lines.unwrap_or_default();
    let typed: Vec<(String, String)> = raw
        .iter()
        .take(rules::MAX_LINES + 1)
        .map(|l| (l.line.to_string(), l.quantity.to_string()))
        .collect();
    let pairs: Vec<(&str, &str)> = typed
        .iter()
        .map(|(l, q)| (l.as_str(), q.as_str()))
        .collect();
    let req = rules::parse_request(
        &pairs,
        b.reason.as_deref().unwrap_or(""),
        b.idempotency_key.as_deref().unwrap_or(""),
    )
    .map_err(|errors| {
        // The API names the key field as the body does.
        let mut e = crate::platform::forms::FormErrors::default();
        for (f, msg) in errors.iter() {
            e.add(
                if f == "key" { "idempotency_key" } else { f },
                msg.to_string(),
            );
        }
        AppError::Fields {
            status: actix_web::http::StatusCode::BAD_REQUEST,
            errors: e,
        }
    })?;
    let done = refund_with(&state, &user, actor, id, req).await?;
    Ok(json::created(&visible(&state, &user, done.id).await?))
}

/// One cafe credit note.
#[utoipa::path(get, path = "/api/cafe/credit-notes/{id}/", tag = "sessions", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = CafeCreditNoteOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn credit_note(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(json::ok(&visible(&state, &user, id.into_inner()).await?))
}
