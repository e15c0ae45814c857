//! `/cafe/bills` (the closed bills of a branch), `/cafe/bills/{id}` (a closed bill and the
//! form that refunds its lines), `/cafe/credit-notes/{id}` (the printable credit note).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::cafe::refunds::model::{self, BillRow, CafeCreditNote, CafeRefunder, ClosedBill};
use crate::cafe::refunds::rules;
use crate::cafe::scope::{self, check_branch, CafeBranch};
use crate::cafe::settings::{self, CafeSettings};
use crate::platform::auth::{BranchScope, CurrentUser, Staff};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{FormErrors, Pairs};
use crate::platform::money::Money;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BillsQuery {
    q: String,
    day: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "cafe/bills/list.html")]
struct BillsPage {
    ctx: PageCtx,
    branch: CafeBranch,
    q: String,
    day: String,
    rows: Vec<(BillRow, String)>,
    pager: Pager,
}

/// `GET /cafe/bills`: a branch's closed bills of a day (today unless `day=`), newest first;
/// `q` finds a bill by its number, table number or the guest's phone.
pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
    query: web::Query<BillsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let q: String = query.q.trim().chars().take(32).collect();
    let clock = state.clock;
    let day = match query.day.trim() {
        "" => clock.today(),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("The day is a date such as 2026-12-03.".into()))?,
    };
    let page = PageRequest::parse(query.page.as_deref(), 50)?;
    let span = (
        clock.day_start_utc(day),
        clock.day_start_utc(day.succ_opt().unwrap_or(day)),
    );
    let requested = branch_scope.branch();
    let term = q.clone();
    let (branch, mut rows) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let rows =
                model::closed_bills(c, branch.id, &term, span, (page.fetch(), page.offset()))?;
            Ok((branch, rows))
        })
        .await?;
    let day_text = day.format("%Y-%m-%d").to_string();
    let branch_text = branch.id.to_string();
    let pager = Pager::cut(
        page,
        &mut rows,
        filter_query(&[("branch", &branch_text), ("q", &q), ("day", &day_text)]),
    );
    let rows = rows
        .into_iter()
        .map(|r| {
            let at = clock.format(r.closed_at);
            (r, at)
        })
        .collect();
    html(&BillsPage {
        ctx,
        branch,
        q,
        day: day_text,
        rows,
        pager,
    })
}

#[derive(Template)]
#[template(path = "cafe/bills/show.html")]
struct BillPage {
    ctx: PageCtx,
    bill: ClosedBill,
    settings: CafeSettings,
    closed: String,
    notes: Vec<(i64, String, String, Money)>,
    /// Per line: what was typed in its quantity box.
    typed: Vec<String>,
    key: String,
    reason: String,
    errors: FormErrors,
    age_days: i64,
    limit_days: i64,
    needs_manager: bool,
}

impl BillPage {
    fn tender_label(&self, method: &str) -> &'static str {
        model::tender_label(method)
    }
}

async fn bill_page(
    ctx: PageCtx,
    state: &AppState,
    id: i64,
    typed: Option<&Pairs>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let config = state.clone_config();
    let (bill, settings, notes, limit) = state
        .db
        .read(move |c| {
            let bill = model::load(c, id)?;
            check_branch(&user, bill.branch_id).map_err(|_| AppError::not_found("That bill"))?;
            let settings = settings::load(c, &config)?;
            let notes = model::of_sale(c, id)?;
            let limit = crate::registers::settings::refunds_manager_after_days(c)?;
            Ok((bill, settings, notes, limit))
        })
        .await?;
    let clock = state.clock;
    let age_days = (clock.today() - clock.to_local(bill.closed_at).date_naive()).num_days();
    let get = |k: &str| typed.map(|p| p.get(k).to_string()).unwrap_or_default();
    let typed_lines = (1..=bill.lines.len())
        .map(|n| get(&format!("qty_{n}")))
        .collect();
    let is_manager = ctx.is_manager();
    html_status(
        status,
        &BillPage {
            closed: clock.format(bill.closed_at),
            notes: notes
                .into_iter()
                .map(|(id, n, at, t)| (id, n, clock.format(at), t))
                .collect(),
            typed: typed_lines,
            key: crate::platform::auth::session::new_token(),
            reason: get("reason"),
            errors,
            age_days,
            limit_days: limit,
            needs_manager: age_days > limit && !is_manager,
            bill,
            settings,
            ctx,
        },
    )
}

/// `GET /cafe/bills/{id}`.
pub async fn show(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    bill_page(
        ctx,
        &state,
        id.into_inner(),
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /cafe/bills/{id}/refund`: `qty_{line}` (lines numbered from 1), `reason`, `key`.
pub async fn refund(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let p = Pairs(form.into_inner());
    let typed: Vec<(&str, &str)> = p.with_prefix("qty_").take(rules::MAX_LINES + 1).collect();
    let req = match rules::parse_request(&typed, p.get("reason"), p.get("key")) {
        Ok(r) => r,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return bill_page(ctx, &state, id, Some(&p), errors, status).await;
        }
    };
    let done = refund_with(&state, &user, actor, id, req).await;
    match done {
        Ok(done) => {
            flash::success(
                &session,
                format!(
                    "Credit note {} made: {} refunded.",
                    done.number,
                    done.total.grouped()
                ),
            );
            Ok(see_other(&format!("/cafe/credit-notes/{}", done.id)))
        }
        // Refusals (too many units, an old bill, a drawer short of cash) show on the form with
        // what was typed; nothing was written.
        Err(e) => match e.on_form("lines") {
            Ok((errors, status)) => bill_page(ctx, &state, id, Some(&p), errors, status).await,
            Err(e) => Err(e),
        },
    }
}

/// Makes the refund in one write transaction (the page's and the API's): another branch's
/// bill is "not found" for a waiter.
pub async fn refund_with(
    state: &AppState,
    user: &CurrentUser,
    actor: crate::platform::audit::Actor,
    id: i64,
    req: rules::CafeRefundRequest,
) -> Result<model::CafeRefunded, AppError> {
    let viewer = user.clone();
    let is_manager = user.is_manager();
    let clock = state.clock;
    state
        .db
        .write(move |c| {
            let branch: i64 = {
                use crate::platform::schema::cafe_sales;
                use diesel::prelude::*;
                cafe_sales::table
                    .find(id)
                    .select(cafe_sales::branch_id)
                    .first(c)
                    .optional()?
                    .ok_or_else(|| AppError::not_found("That bill"))?
            };
            check_branch(&viewer, branch).map_err(|_| AppError::not_found("That bill"))?;
            model::refund(
                c,
                &CafeRefunder {
                    actor: &actor,
                    is_manager,
                    clock,
                    now: BusinessClock::now_utc(),
                },
                id,
                &req,
            )
        })
        .await
}

#[derive(Template)]
#[template(path = "cafe/bills/credit_note.html")]
struct CreditNotePage {
    ctx: PageCtx,
    n: CafeCreditNote,
    settings: CafeSettings,
    when: String,
    registration: crate::registers::shifts::report::Registration,
}

/// `GET /cafe/credit-notes/{id}`: the printable credit note (80 mm; A4 through print CSS).
pub async fn credit_note(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.clone_config();
    let (n, settings, registration) = state
        .db
        .read(move |c| {
            let n = model::credit_note(c, id)?;
            check_branch(&user, n.branch_id)
                .map_err(|_| AppError::not_found("That credit note"))?;
            Ok((
                n,
                settings::load(c, &config)?,
                crate::registers::shifts::report::registration(c)?,
            ))
        })
        .await?;
    html(&CreditNotePage {
        when: state.clock.format(n.created_at),
        n,
        settings,
        ctx,
        registration,
    })
}
