//! `/api/discounts/`: promo codes. Managers list and keep them (the old system showed every
//! code, expired ones too, to anyone); anyone may check one code against a subtotal
//! (rate-limited like the guest page's promo box). Codes are really applied and counted: a
//! bill carries its code and the close counts the use (`cafe::discounts`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Amount, Decimal2, PageNumber, Paginated, Problem};
use crate::cafe::discounts::model::{self, DiscountCode};
use crate::cafe::discounts::rules::{self, CodeForm, Kind};
use crate::cafe::settings;
use crate::cafe::visitors;
use crate::platform::audit::Actor;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::percent::percent_text;
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DiscountOut {
    pub id: i64,
    /// As it was created (matched without case).
    pub code: String,
    pub description: String,
    /// `percentage` or `fixed`.
    pub discount_type: String,
    /// The percentage (`"10.00"`) or the amount off (`"50.00"`).
    pub value: Decimal2,
    pub min_order_amount: Amount,
    pub max_uses: Option<i64>,
    pub used_count: i64,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub is_active: bool,
    /// Whether a bill could use it today (active, in dates, uses left).
    pub is_valid_now: bool,
}

fn out(c: DiscountCode, today: chrono::NaiveDate) -> DiscountOut {
    let t = c.terms();
    let (kind, value) = match t.kind {
        Kind::Percent(bp) => ("percentage", Money(bp)),
        Kind::Fixed(m) => ("fixed", m),
    };
    DiscountOut {
        id: c.id,
        is_valid_now: rules::check(&t, today, Money(i64::MAX / 4), "").is_ok(),
        discount_type: kind.into(),
        value: Decimal2(value),
        min_order_amount: Amount(Money(c.min_order_minor)),
        max_uses: c.max_uses,
        used_count: c.uses,
        valid_from: c.valid_from.map(|d| d.to_string()),
        valid_until: c.valid_to.map(|d| d.to_string()),
        is_active: c.is_active,
        code: c.code,
        description: c.description,
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DiscountsQuery {
    /// Text in the code or the description.
    pub search: String,
    pub page: String,
}

/// Every code, newest first (managers).
#[utoipa::path(get, path = "/api/discounts/", tag = "discounts", params(DiscountsQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<DiscountOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<DiscountsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let search = json::search_text(&q.search)?;
    let today = state.clock.today();
    let mut all = state.db.read(|c| Ok(model::list(c)?)).await?;
    if let Some(s) = search {
        all.retain(|c| {
            c.code.to_lowercase().contains(&s) || c.description.to_lowercase().contains(&s)
        });
    }
    let rows = all.into_iter().map(|c| out(c, today)).collect();
    Ok(json::ok(&json::page_of_all(&req, page, rows)?))
}

/// One code (managers).
#[utoipa::path(get, path = "/api/discounts/{id}/", tag = "discounts", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = DiscountOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let today = state.clock.today();
    let c = state.db.read(move |c| model::find(c, id)).await?;
    Ok(json::ok(&out(c, today)))
}

/// A code. A create or replace needs `code`, `discount_type` and `value`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DiscountBody {
    pub code: Option<String>,
    pub description: Option<String>,
    /// `percentage` or `fixed`.
    pub discount_type: Option<String>,
    /// A percentage (above 0, at most 100) or an amount off.
    #[schema(value_type = Option<String>, example = "10.00")]
    pub value: Option<Decimal2>,
    #[schema(value_type = Option<f64>)]
    pub min_order_amount: Option<Amount>,
    pub max_uses: Option<i64>,
    /// `2026-12-01`, the first day (inclusive).
    pub valid_from: Option<String>,
    /// The last day (inclusive).
    pub valid_until: Option<String>,
}

impl DiscountBody {
    fn over(self, mut f: CodeForm) -> CodeForm {
        json::fill(&mut f.code, self.code);
        json::fill(&mut f.description, self.description);
        // The API's words for the form's; anything else is refused by the form's rule.
        json::fill(
            &mut f.kind,
            self.discount_type.map(|k| {
                match k.as_str() {
                    "percentage" => "percent",
                    "fixed" => "fixed",
                    _ => "?",
                }
                .to_string()
            }),
        );
        json::fill(&mut f.value, self.value.map(|v| v.0.plain()));
        json::fill(&mut f.min_order, self.min_order_amount.map(|a| a.0.plain()));
        json::fill(&mut f.max_uses, self.max_uses.map(|m| m.to_string()));
        json::fill(&mut f.valid_from, self.valid_from);
        json::fill(&mut f.valid_to, self.valid_until);
        f
    }
}

fn form_of(c: &DiscountCode) -> CodeForm {
    let t = c.terms();
    let (kind, value) = match t.kind {
        Kind::Percent(bp) => ("percent", percent_text(bp)),
        Kind::Fixed(m) => ("fixed", m.plain()),
    };
    CodeForm {
        code: c.code.clone(),
        description: c.description.clone(),
        kind: kind.into(),
        value,
        valid_from: c.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        valid_to: c.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        min_order: Money(c.min_order_minor).plain(),
        max_uses: c.max_uses.map(|m| m.to_string()).unwrap_or_default(),
    }
}

fn renamed(e: crate::platform::forms::FormErrors) -> AppError {
    // The form's field names, as the API names them.
    let mut out = crate::platform::forms::FormErrors::default();
    for (field, m) in e.iter() {
        let f = match field {
            "kind" => "discount_type",
            "valid_to" => "valid_until",
            "min_order" => "min_order_amount",
            other => other,
        };
        out.add(f, m);
    }
    json::field_errors(out)
}

/// Create a code (managers).
#[utoipa::path(post, path = "/api/discounts/", tag = "discounts", request_body = DiscountBody,
    security(("token" = [])),
    responses((status = 201, body = DiscountOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The code exists")))]
pub async fn create(
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<DiscountBody>,
) -> Result<HttpResponse, AppError> {
    let input = rules::validate(&body.into_inner().over(CodeForm::default())).map_err(renamed)?;
    let today = state.clock.today();
    let c = state
        .db
        .write(move |c| {
            let id = model::create(c, &actor, &input)?;
            model::find(c, id)
        })
        .await?;
    Ok(json::created(&out(c, today)))
}

async fn change(
    actor: Actor,
    state: web::Data<AppState>,
    id: i64,
    body: DiscountBody,
    partial: bool,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let c = state
        .db
        .write(move |c| {
            let old = model::find(c, id)?;
            let base = if partial {
                form_of(&old)
            } else {
                CodeForm::default()
            };
            let input = rules::validate(&body.over(base)).map_err(renamed)?;
            model::update(c, &actor, id, &input)?;
            model::find(c, id)
        })
        .await?;
    Ok(json::ok(&out(c, today)))
}

/// Replace a code (managers).
#[utoipa::path(put, path = "/api/discounts/{id}/", tag = "discounts", request_body = DiscountBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = DiscountOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The code exists")))]
pub async fn replace(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<DiscountBody>,
) -> Result<HttpResponse, AppError> {
    change(actor, state, id.into_inner(), body.into_inner(), false).await
}

/// Change some fields of a code (managers).
#[utoipa::path(patch, path = "/api/discounts/{id}/", tag = "discounts", request_body = DiscountBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = DiscountOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The code exists")))]
pub async fn patch(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<DiscountBody>,
) -> Result<HttpResponse, AppError> {
    change(actor, state, id.into_inner(), body.into_inner(), true).await
}

/// Stop a code (managers): archived, so the bills and sales that used it still name it.
#[utoipa::path(delete, path = "/api/discounts/{id}/", tag = "discounts", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 204, description = "Stopped"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Already stopped")))]
pub async fn delete(
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state
        .db
        .write(move |c| model::set_active(c, &actor, id, false).map(drop))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ValidateBody {
    #[schema(example = "WELCOME10")]
    pub code: Option<String>,
    /// The bill's subtotal (0 or more).
    #[schema(value_type = Option<f64>, example = 300)]
    pub subtotal: Option<Amount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidOut {
    pub valid: bool,
    pub code: String,
    /// What the code takes off this subtotal.
    pub discount_amount: Amount,
    pub discount_type: String,
    pub value: Decimal2,
    pub description: String,
}

/// Does a code apply to a subtotal today? Anyone may ask (a guest's promo box), a limited
/// number of times per guest; nothing is written but the count of tries.
#[utoipa::path(post, path = "/api/discounts/validate/", tag = "discounts",
    request_body = ValidateBody,
    responses((status = 200, body = ValidOut),
        (status = 400, body = Problem, description = "Unknown, expired or used up; or under the minimum order"),
        (status = 429, body = Problem, description = "Too many tries")))]
pub async fn validate(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ValidateBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let code = body.code.unwrap_or_default();
    if code.chars().count() > 50 {
        return Err(AppError::field_invalid("code", "At most 50 characters."));
    }
    let subtotal = body
        .subtotal
        .ok_or_else(|| AppError::field_invalid("subtotal", "This field is required."))?
        .0;
    crate::cafe::discounts::routes::admit_try(&state, visitors::hint(&req), 0).await?;
    let today = state.clock.today();
    let config = state.clone_config();
    let (found, currency) = state
        .db
        .read(move |conn| {
            let found = match rules::normalise(&code) {
                Some(c) => model::by_code(conn, &c)?,
                None => None,
            };
            Ok((found, settings::load(conn, &config)?.money_prefix()))
        })
        .await?;
    let invalid = || AppError::BadRequest("Discount code is invalid or has expired.".into());
    let c = found.ok_or_else(invalid)?;
    let t = c.terms();
    // Under the minimum order: the old system's answer, with `valid: false`.
    if t.active && subtotal < t.min_order {
        return Ok(HttpResponse::BadRequest().json(serde_json::json!({
            "valid": false,
            "detail": format!("Minimum order amount is {currency}{}.", t.min_order.grouped()),
        })));
    }
    let discount = rules::check(&t, today, subtotal, &currency).map_err(|_| invalid())?;
    let d = out(c, today);
    Ok(json::ok(&ValidOut {
        valid: true,
        code: d.code,
        discount_amount: Amount(discount),
        discount_type: d.discount_type,
        value: d.value,
        description: d.description,
    }))
}
