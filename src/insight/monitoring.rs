//! Monitoring: `GET /metrics` (Prometheus' text format, `platform::metrics`) for managers and
//! for a scraper holding the monitoring token, and `/settings/monitoring`, where a manager
//! makes or withdraws that token.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::metrics;
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::state::AppState;

/// `GET /metrics`: the counters and gauges of this instance, as a Prometheus scraper reads them.
pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics::render(&state))
}

#[derive(Template)]
#[template(path = "insight/monitoring.html")]
struct MonitoringPage {
    ctx: PageCtx,
    /// When the current token was made (business time), if there is one.
    created: Option<String>,
    /// A token made just now, shown this once.
    new_key: Option<String>,
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    new_key: Option<String>,
) -> Result<HttpResponse, AppError> {
    let created: Option<NaiveDateTime> = state.db.read(|c| Ok(metrics::token_created(c)?)).await?;
    html(&MonitoringPage {
        ctx,
        created: created.map(|t| state.clock.format(t)),
        new_key,
    })
}

/// `GET /settings/monitoring`.
pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    page(ctx, &state, None).await
}

/// `POST /settings/monitoring/token`: a new token in place of the old one, shown once.
pub async fn issue(ctx: PageCtx, staff: Staff) -> Result<HttpResponse, AppError> {
    let (_, actor, state, _) = staff.parts();
    let now = BusinessClock::now_utc();
    let key = state
        .db
        .write(move |c| Ok(metrics::issue_token(c, &actor, now)?))
        .await?;
    page(ctx, &state, Some(key)).await
}

/// `POST /settings/monitoring/revoke`: no token; scrapers are refused until a new one is made.
pub async fn revoke(staff: Staff) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    state
        .db
        .write(move |c| Ok(metrics::revoke_token(c, &actor)?))
        .await?;
    flash::success(
        &session,
        "The monitoring token was withdrawn. Scrapers that used it are now refused.",
    );
    Ok(see_other("/settings/monitoring"))
}
