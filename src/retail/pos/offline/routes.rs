//! The offline till's URLs: `POST /pos/offline/block` (a block of provisional numbers),
//! `GET /pos/catalogue` (what changed in the catalogue), `POST /pos/sync` (the queued sales)
//! and `/pos/exceptions` (managers settle the sales the server had to refuse).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::platform::auth::scope::BranchScope;
use crate::platform::auth::{CurrentUser, Staff};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors};
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::pagination::{PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::pos::offline::model::{self, Answer, OfflineSaleRow, Settle};
use crate::retail::pos::offline::rules;
use crate::retail::pos::routes::branch_of;
use crate::retail::settings;

/// `POST /pos/offline/block` `{"idempotency_key", "secret"}`: 201 with the block, the offline
/// limits and the VAT the till works totals out with.
pub async fn reserve_block(staff: Staff, body: web::Json<Value>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    branch_of(&user)?;
    let key = crate::retail::pos::cart::idempotency_key(&body["idempotency_key"])
        .map_err(AppError::Unprocessable)?;
    let secret = body["secret"].as_str().unwrap_or("").trim().to_string();
    if !rules::valid_secret(&secret) {
        return Err(AppError::Unprocessable(
            "The till's secret must be 32 to 128 hexadecimal characters.".into(),
        ));
    }
    let employee_id = user.id;
    let (reserved, vat) = state
        .db
        .write(move |c| {
            let r = model::reserve(c, &actor, employee_id, &key, &secret)?;
            Ok((r, settings::vat(c)?))
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "block": reserved.block,
        "shift": reserved.shift,
        "size": reserved.size,
        "register": reserved.register,
        "reserved_at": reserved.reserved_at.and_utc().to_rfc3339(),
        "limits": reserved.limits,
        "vat": {"rate_bp": vat.rate_bp, "prices_include_vat": vat.prices_include_vat},
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueQuery {
    after: String,
}

/// `GET /pos/catalogue?after=SEQ:ID`: up to 2,000 products changed after the cursor, as
/// `[id, barcode, name, price_minor, serial_tracked, for_sale]`, the next cursor, whether
/// more wait, and the shop's offline limits as they are now (a till polls this every minute).
pub async fn catalogue(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<CatalogueQuery>,
) -> Result<HttpResponse, AppError> {
    branch_of(&user)?;
    let cursor = rules::parse_cursor(&q.after).map_err(AppError::BadRequest)?;
    let (rows, next, limits) = state
        .db
        .read(move |c| {
            let (rows, next) = model::catalogue_after(c, cursor, rules::CATALOGUE_PAGE)?;
            Ok((rows, next, model::limits(c)?))
        })
        .await?;
    let more = rows.len() as i64 == rules::CATALOGUE_PAGE;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "products": rows,
            "next": format!("{}:{}", next.0, next.1),
            "more": more,
            "limits": limits,
        })))
}

/// `POST /pos/sync` `{"sales": [...]}`: the till's queued sales, oldest first, at most 100.
/// Each is answered on its own; they are committed together before the answer.
pub async fn sync(staff: Staff, body: web::Json<Value>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let branch_id = branch_of(&user)?;
    let sales = body["sales"].as_array().ok_or_else(|| {
        AppError::BadRequest("Send the queued sales as {\"sales\": [...]}.".into())
    })?;
    if sales.is_empty() || sales.len() > rules::MAX_PER_SYNC {
        return Err(AppError::BadRequest(format!(
            "Send 1 to {} queued sales at a time.",
            rules::MAX_PER_SYNC
        )));
    }
    /// A queued sale as it arrived: one to take, or one refused for its shape.
    enum Arrived {
        Sale(Box<rules::QueuedSale>, String),
        Refused(Answer),
    }
    let parsed: Vec<Arrived> = sales
        .iter()
        .map(|v| match rules::parse_sale(v) {
            Ok(s) => Arrived::Sale(Box::new(s), v.to_string()),
            Err(reason) => Arrived::Refused(Answer::refused(rules::identity(v), reason)),
        })
        .collect();
    let clock = state.clock;
    let answers = state
        .db
        .write(move |c| {
            let mut answers = Vec::with_capacity(parsed.len());
            for p in parsed {
                answers.push(match p {
                    Arrived::Refused(refused) => refused,
                    Arrived::Sale(sale, raw) => {
                        model::sync_one(c, &actor, branch_id, &sale, &raw, &clock)?
                    }
                });
            }
            Ok(answers)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "results": answers })))
}

/// A row of the list with its time in the business's zone.
struct Shown {
    r: OfflineSaleRow,
    made: String,
}

#[derive(Template)]
#[template(path = "retail/offline_exceptions.html")]
struct ExceptionsPage {
    ctx: PageCtx,
    rows: Vec<Shown>,
    all: bool,
    pager: Pager,
    waiting: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExceptionsQuery {
    show: String,
    page: Option<String>,
}

/// `GET /pos/exceptions`: offline sales the server refused, for a manager to settle (or,
/// with `?show=all`, every one settled too).
pub async fn exceptions(
    ctx: PageCtx,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<ExceptionsQuery>,
) -> Result<HttpResponse, AppError> {
    let all = q.show == "all";
    let req = PageRequest::parse(q.page.as_deref(), 50)?;
    let branch = scope.branch();
    let (mut rows, waiting) = state
        .db
        .read(move |c| {
            Ok((
                model::list(c, branch, !all, (req.offset(), req.fetch()))?,
                model::open_count(c, branch)?,
            ))
        })
        .await?;
    let base = if all {
        "show=all".to_string()
    } else {
        String::new()
    };
    let pager = Pager::cut(req, &mut rows, base);
    let rows = rows
        .into_iter()
        .map(|r| Shown {
            made: state.clock.format(r.made_at),
            r,
        })
        .collect();
    html(&ExceptionsPage {
        ctx,
        rows,
        all,
        pager,
        waiting,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettleForm {
    note: String,
}

pub async fn accept(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<SettleForm>,
) -> Result<HttpResponse, AppError> {
    settle(staff, id.into_inner(), Settle::Accept, form.into_inner()).await
}

pub async fn refund(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<SettleForm>,
) -> Result<HttpResponse, AppError> {
    settle(staff, id.into_inner(), Settle::Refund, form.into_inner()).await
}

async fn settle(
    staff: Staff,
    id: i64,
    how: Settle,
    form: SettleForm,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let mut errors = FormErrors::default();
    let note = forms::text(&form.note, "note", "The note", 200, false, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Unprocessable(errors.first().to_string()));
    }
    let clock = state.clock;
    let order = state
        .db
        .write(move |c| model::settle(c, &actor, &user, id, how, &note, &clock))
        .await?;
    flash::success(
        &session,
        match order {
            Some(o) => format!("Accepted: the sale is in the books as sale #{o}."),
            None => {
                "Settled: the sale is not in the books; give the customer their money back.".into()
            }
        },
    );
    Ok(see_other("/pos/exceptions"))
}
