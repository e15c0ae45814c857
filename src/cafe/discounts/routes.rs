//! `/discounts` (managers), `POST /discounts/validate` (JSON), and putting a code on a bill
//! from the guest page or the floor.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::discounts::model::{self, DiscountCode};
use crate::cafe::discounts::rules::{self, CodeForm, Kind};
use crate::cafe::settings;
use crate::cafe::visitors::{self, GuestHint, GuestWrite};
use crate::platform::audit::Actor;
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::money::Money;
use crate::platform::page::{html_status, PageCtx};
use crate::platform::percent::percent_text;
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;

#[derive(Template)]
#[template(path = "cafe/discounts/list.html")]
struct ListPage {
    ctx: PageCtx,
    codes: Vec<DiscountCode>,
    /// The form: a new code, or the one being edited.
    editing: Option<i64>,
    form: CodeForm,
    errors: FormErrors,
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    editing: Option<i64>,
    form: CodeForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let codes = state.db.read(|c| Ok(model::list(c)?)).await?;
    html_status(
        status,
        &ListPage {
            ctx,
            codes,
            editing,
            form,
            errors,
        },
    )
}

pub async fn list(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let form = CodeForm {
        kind: "percent".into(),
        ..Default::default()
    };
    page(
        ctx,
        &state,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn edit(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let c = state.db.read(move |conn| model::find(conn, id)).await?;
    let (kind, value) = match c.terms().kind {
        Kind::Percent(bp) => ("percent", percent_text(bp)),
        Kind::Fixed(m) => ("fixed", m.plain()),
    };
    let form = CodeForm {
        code: c.code.clone(),
        description: c.description.clone(),
        kind: kind.into(),
        value,
        valid_from: c.valid_from.map(|d| d.to_string()).unwrap_or_default(),
        valid_to: c.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        min_order: if c.min_order_minor > 0 {
            Money(c.min_order_minor).plain()
        } else {
            String::new()
        },
        max_uses: c.max_uses.map(|m| m.to_string()).unwrap_or_default(),
    };
    page(
        ctx,
        &state,
        Some(id),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn save(
    ctx: PageCtx,
    staff: Staff,
    id: Option<i64>,
    form: CodeForm,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return page(
                ctx,
                &state,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let code = input.code.clone();
    let done = state
        .db
        .write(move |c| match id {
            None => model::create(c, &actor, &input).map(drop),
            Some(id) => model::update(c, &actor, id, &input),
        })
        .await;
    match done {
        Ok(()) => {
            flash::success(&session, format!("The code {code} was saved."));
            Ok(see_other("/discounts"))
        }
        Err(AppError::Fields { status, errors }) => {
            page(ctx, &state, id, form, errors, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn create(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    save(ctx, staff, None, form.into_inner()).await
}

pub async fn update(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    save(ctx, staff, Some(id.into_inner()), form.into_inner()).await
}

/// Stop and restart a code (`archive::archive::<PromoCodes>`).
pub struct PromoCodes;

impl crate::platform::archive::ArchiveRoutes for PromoCodes {
    const SET_ACTIVE: crate::platform::archive::SetActive = model::set_active;
    const SAID: [&'static str; 2] = [
        "{name} is stopped: bills can no longer use it.",
        "{name} can be used again.",
    ];
    const THEN: [&'static str; 2] = ["/discounts", "/discounts"];
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValidateBody {
    pub code: String,
    pub subtotal: serde_json::Value,
}

/// Counts one try of a code against the limits, in its own transaction (refusals count).
pub async fn admit_try(state: &AppState, hint: GuestHint, place: i64) -> Result<(), AppError> {
    state
        .db
        .write(move |c| {
            visitors::admit(c, GuestWrite::Code, &hint, place, BusinessClock::now_utc())
        })
        .await
}

/// `POST /discounts/validate` `{"code": "…", "subtotal": "300.00"}` → `{"valid": true,
/// "discount": "30.00"}` or `{"valid": false, "reason": "…"}`. Rate-limited; lists nothing.
pub async fn validate(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ValidateBody>,
) -> Result<HttpResponse, AppError> {
    let subtotal = crate::retail::pos::cart::amount(&body.subtotal, "The subtotal")
        .map_err(AppError::BadRequest)?;
    let code = rules::normalise(&body.code);
    admit_try(&state, visitors::hint(&req), 0).await?;
    let today = state.clock.today();
    let config = state.clone_config();
    let (found, currency) = state
        .db
        .read(move |conn| {
            let found = match code {
                Some(c) => model::by_code(conn, &c)?,
                None => None,
            };
            Ok((found, settings::load(conn, &config)?.money_prefix()))
        })
        .await?;
    let answer = match found {
        None => serde_json::json!({"valid": false, "reason": "This code is not valid."}),
        Some(c) => match rules::check(&c.terms(), today, subtotal, &currency) {
            Ok(d) => serde_json::json!({"valid": true, "code": c.code, "discount": d.plain()}),
            Err(reason) => serde_json::json!({"valid": false, "reason": reason}),
        },
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// Puts the typed code on an open session (or takes it off when blank); answers the message
/// for the page.
pub async fn put_on_bill(
    state: &AppState,
    actor: Actor,
    session_id: i64,
    raw: &str,
) -> Result<String, AppError> {
    let code = match raw.trim() {
        "" => None,
        typed => Some(
            rules::normalise(typed)
                .ok_or_else(|| AppError::field_invalid("code", "This code is not valid."))?,
        ),
    };
    let today = state.clock.today();
    let config = state.clone_config();
    let c = code.clone();
    let (discount, currency) = state
        .db
        .write(move |conn| {
            let currency = settings::load(conn, &config)?.money_prefix();
            let lines = crate::cafe::sales::lines(conn, session_id)?;
            let subtotal = crate::cafe::sales::bill_of(&lines, 0, Money::ZERO)?.subtotal;
            model::apply_to_session(
                conn,
                &actor,
                session_id,
                c.as_deref(),
                today,
                subtotal,
                &currency,
            )
            .map(|d| (d, currency))
        })
        .await?;
    Ok(match code {
        None => "The promo code was removed from the bill.".into(),
        Some(c) => format!(
            "Code {} applied: {}{} off.",
            c.to_uppercase(),
            currency,
            discount.grouped()
        ),
    })
}
