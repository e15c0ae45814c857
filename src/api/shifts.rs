//! Registers and shifts through the API, in the contract's style: the registers of the
//! caller's branch, shifts (list, open, the X or Z report as JSON, cash in and out, close).
//! Every handler calls the shifts pages' own checks and transactions.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Decimal2, Moment, PageNumber, Paginated, Problem};
use crate::api::not_found;
use crate::platform::audit::Actor;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::forms::{self, Pairs};
use crate::platform::money::Money;
use crate::platform::state::AppState;
use crate::registers::model as registers;
use crate::registers::shifts::model::{self, Figures, Shift};
use crate::registers::shifts::routes::{
    close_with, count_of, may_see, record_movement, shift_settings, words_of, ShiftQuery,
};
use crate::registers::shifts::rules::{self, Movement};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterOut {
    pub id: i64,
    pub branch_id: i64,
    pub branch: String,
    pub name: String,
    /// The machine identification number printed on receipts (empty when not used).
    pub machine_id: String,
    pub serial_number: String,
    pub permit_number: String,
    pub is_active: bool,
}

/// The registers: managers every branch's, everyone else their own branch's active ones.
#[utoipa::path(get, path = "/api/registers/", tag = "registers",
    params(("page" = Option<String>, Query)), security(("token" = [])),
    responses((status = 200, body = Paginated<RegisterOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn registers_list(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let rows = state.db.read(|c| Ok(registers::all(c)?)).await?;
    let rows: Vec<RegisterOut> = rows
        .into_iter()
        .filter(|(r, _)| user.is_manager() || (r.is_active && Some(r.branch_id) == user.branch_id))
        .map(|(r, branch)| RegisterOut {
            id: r.id,
            branch_id: r.branch_id,
            branch,
            name: r.name,
            machine_id: r.machine_id,
            serial_number: r.serial_number,
            permit_number: r.permit_number,
            is_active: r.is_active,
        })
        .collect();
    Ok(json::ok(&json::page_of_all(&req, page, rows)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftRowOut {
    pub id: i64,
    pub register: String,
    pub branch: String,
    pub cashier: String,
    pub business_day: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub opening_float: Decimal2,
    pub expected_cash: Option<Decimal2>,
    pub counted_cash: Option<Decimal2>,
    /// Counted − expected: negative is short.
    #[schema(value_type = Option<String>, example = "-1.00")]
    pub difference: Option<String>,
}

/// Shifts, newest first: managers see everyone's (`branch_id` to choose a branch), others
/// their own. Filters: `status` (`open`/`closed`), `register_id`, `from`, `to` (business days).
#[utoipa::path(get, path = "/api/shifts/", tag = "registers",
    params(("status" = Option<String>, Query), ("register_id" = Option<String>, Query),
        ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("branch_id" = Option<i64>, Query), ("page" = Option<String>, Query)),
    security(("token" = [])),
    responses((status = 200, body = Paginated<ShiftRowOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    user: CurrentUser,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<ShiftQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(q.page.as_deref().unwrap_or(""))?;
    let f = q.filter(&user, scope)?;
    let (count, rows) = state
        .db
        .read(move |c| {
            let count = model::count(c, &f)?;
            page.check(count)?;
            Ok((count, model::page(c, &f, page.offset(), json::PAGE_SIZE)?))
        })
        .await?;
    let clock = state.clock;
    let rows = rows
        .into_iter()
        .map(|r| ShiftRowOut {
            difference: match (r.expected_cash_minor, r.counted_cash_minor) {
                (Some(e), Some(c)) => Some(rules::difference(Money(e), Money(c)).plain()),
                _ => None,
            },
            id: r.id,
            register: r.register,
            branch: r.branch,
            cashier: r.employee,
            business_day: r.business_day.to_string(),
            opened_at: Moment::of(&clock, r.opened_at),
            closed_at: Moment::opt(&clock, r.closed_at),
            opening_float: Decimal2(Money(r.opening_float_minor)),
            expected_cash: r.expected_cash_minor.map(|m| Decimal2(Money(m))),
            counted_cash: r.counted_cash_minor.map(|m| Decimal2(Money(m))),
        })
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodOut {
    /// `cash`, `installment` (down payments), or an instalment payment's or cafe bill's method.
    pub method: String,
    pub count: i64,
    pub amount: Decimal2,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CashOut {
    pub opening_float: Decimal2,
    pub cash_sales: Decimal2,
    pub down_payments: Decimal2,
    pub instalment_cash: Decimal2,
    pub cafe_cash: Decimal2,
    pub cash_refunds: Decimal2,
    pub cash_in: Decimal2,
    pub cash_out: Decimal2,
    pub expected: Decimal2,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovementOut {
    pub id: i64,
    /// `in` or `out`.
    pub kind: String,
    pub amount: Decimal2,
    pub reason: String,
    pub employee: String,
    pub created_at: String,
}

/// A shift with its report: the X report while it is open, the Z report once closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftOut {
    pub id: i64,
    pub register_id: i64,
    pub branch_id: i64,
    pub employee_id: i64,
    /// `open` or `closed`.
    pub status: String,
    pub business_day: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub sales_count: i64,
    pub sales_total: Decimal2,
    pub vatable: Decimal2,
    pub vat: Decimal2,
    pub voids_count: i64,
    pub voids_total: Decimal2,
    /// Credit notes made in the shift, their VAT, and how the money went back.
    pub refunds_count: i64,
    pub refunds_total: Decimal2,
    pub refunds_vat: Decimal2,
    pub refunds: Vec<MethodOut>,
    pub retail: Vec<MethodOut>,
    pub instalment_payments: Vec<MethodOut>,
    pub cafe: Vec<MethodOut>,
    pub cafe_discounts: Decimal2,
    pub cash: CashOut,
    pub counted_cash: Option<Decimal2>,
    #[schema(value_type = Option<String>, example = "-1.00")]
    pub difference: Option<String>,
    pub difference_note: String,
    pub first_receipt: Option<String>,
    pub last_receipt: Option<String>,
    pub grand_total_before: Decimal2,
    pub grand_total_after: Decimal2,
    pub movements: Vec<MovementOut>,
}

fn methods(rows: &model::ByMethod) -> Vec<MethodOut> {
    rows.iter()
        .map(|(m, n, a)| MethodOut {
            method: m.clone(),
            count: *n,
            amount: Decimal2(*a),
        })
        .collect()
}

fn shift_out(clock: &BusinessClock, s: Shift, f: Figures) -> ShiftOut {
    let flow = f.flow;
    let expected = s.expected_cash_minor.map_or_else(|| flow.expected(), Money);
    let counted = s.counted_cash_minor.map(Money);
    let after = s
        .grand_total_after_minor
        .unwrap_or(s.grand_total_before_minor + f.gross().0);
    ShiftOut {
        id: s.id,
        register_id: s.register_id,
        branch_id: s.branch_id,
        employee_id: s.employee_id,
        status: if s.is_open() { "open" } else { "closed" }.into(),
        business_day: s.business_day.to_string(),
        opened_at: Moment::of(clock, s.opened_at),
        closed_at: Moment::opt(clock, s.closed_at),
        sales_count: f.sales_count,
        sales_total: Decimal2(f.sales_total),
        vatable: Decimal2(f.vatable),
        vat: Decimal2(f.vat),
        voids_count: f.voids_count,
        voids_total: Decimal2(f.voids_total),
        refunds_count: f.refunds_count,
        refunds_total: Decimal2(f.refunds_total),
        refunds_vat: Decimal2(f.refunds_vat),
        refunds: methods(&f.refunds_by_method),
        retail: methods(&f.retail_by_method),
        instalment_payments: methods(&f.instalments_by_method),
        cafe: methods(&f.cafe_by_method),
        cafe_discounts: Decimal2(f.cafe_discounts),
        cash: CashOut {
            opening_float: Decimal2(flow.opening_float),
            cash_sales: Decimal2(flow.cash_sales),
            down_payments: Decimal2(flow.down_payments),
            instalment_cash: Decimal2(flow.instalment_cash),
            cafe_cash: Decimal2(flow.cafe_cash),
            cash_refunds: Decimal2(flow.cash_refunds),
            cash_in: Decimal2(flow.cash_in),
            cash_out: Decimal2(flow.cash_out),
            expected: Decimal2(expected),
        },
        counted_cash: counted.map(Decimal2),
        difference: counted.map(|c| rules::difference(expected, c).plain()),
        difference_note: s.difference_note.clone(),
        first_receipt: f.first_receipt,
        last_receipt: f.last_receipt,
        grand_total_before: Decimal2(Money(s.grand_total_before_minor)),
        grand_total_after: Decimal2(Money(after)),
        movements: f
            .movements
            .into_iter()
            .map(|m| MovementOut {
                id: m.id,
                kind: m.kind,
                amount: Decimal2(Money(m.amount_minor)),
                reason: m.reason,
                employee: m.employee,
                created_at: Moment::of(clock, m.created_at),
            })
            .collect(),
    }
}

/// The shift and its figures, if the caller may see it (its cashier or a manager).
async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<ShiftOut, AppError> {
    let (s, f) = state
        .db
        .read(move |c| {
            let s = model::find(c, id).map_err(|_| not_found())?;
            let f = model::figures(c, &s)?;
            Ok((s, f))
        })
        .await?;
    may_see(user, &s).map_err(|_| not_found())?;
    Ok(shift_out(&state.clock, s, f))
}

/// One shift with its X report (open) or Z report (closed).
#[utoipa::path(get, path = "/api/shifts/{id}/", tag = "registers", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = ShiftOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(json::ok(&visible(&state, &user, id.into_inner()).await?))
}

/// Pieces of one note or coin in a count.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CountLine {
    #[schema(value_type = String, example = "1000.00")]
    pub denomination: Decimal2,
    pub pieces: i64,
}

/// A drawer count: `counts` by note and coin (the settings' denominations), or one `amount`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CountBody {
    #[schema(value_type = Option<String>, example = "2000.00")]
    pub amount: Option<Decimal2>,
    pub counts: Option<Vec<CountLine>>,
}

/// The form's pairs for a count, so the API checks it with the page's own function.
fn count_pairs(
    settings: &crate::registers::settings::ShiftSettings,
    body: &CountBody,
) -> Result<Pairs, AppError> {
    let mut pairs = Vec::new();
    if let Some(a) = &body.amount {
        pairs.push(("amount".to_string(), a.0.plain()));
    }
    for line in body.counts.iter().flatten() {
        if !settings.denominations.contains(&line.denomination.0) {
            return Err(AppError::field_invalid(
                "counts",
                format!(
                    "{} is not one of the notes and coins counted here ({}).",
                    line.denomination.0.plain(),
                    rules::denominations_text(&settings.denominations)
                ),
            ));
        }
        pairs.push((
            format!("d_{}", line.denomination.0 .0),
            line.pieces.to_string(),
        ));
    }
    Ok(Pairs(pairs))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OpenBody {
    pub register_id: Option<i64>,
    #[serde(flatten)]
    pub count: CountBody,
    /// A one-time key (8–64 letters, digits, dashes): the same key again is the same shift.
    pub idempotency_key: Option<String>,
}

fn key_of(raw: Option<&str>) -> Result<String, AppError> {
    forms::one_time_key(raw.unwrap_or("").trim())
        .map_err(|m| AppError::field_invalid("idempotency_key", m))
}

/// Open a shift for the caller on a register of their branch, with the float counted.
#[utoipa::path(post, path = "/api/shifts/", tag = "registers", request_body = OpenBody,
    security(("token" = [])),
    responses((status = 201, body = ShiftOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The register or the caller already has an open shift")))]
pub async fn open(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<OpenBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let register_id = b
        .register_id
        .ok_or_else(|| AppError::field_invalid("register_id", "This field is required."))?;
    let key = key_of(b.idempotency_key.as_deref())?;
    if user.branch_id.is_none() {
        return Err(AppError::Forbidden(
            crate::platform::auth::scope::NO_BRANCH.into(),
        ));
    }
    let s = shift_settings(&state).await?;
    let float = count_of(&s, &count_pairs(&s, &b.count)?)?;
    let today = state.clock.today();
    let id = state
        .db
        .write(move |c| {
            model::open(
                c,
                &actor,
                &model::NewShift {
                    register_id,
                    float: &float,
                    key: &key,
                },
                BusinessClock::now_utc(),
                today,
            )
        })
        .await?;
    Ok(json::created(&visible(&state, &user, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CashBody {
    /// `in` or `out`.
    pub kind: Option<String>,
    #[schema(value_type = Option<String>, example = "1000.00")]
    pub amount: Option<Decimal2>,
    pub reason: Option<String>,
    pub idempotency_key: Option<String>,
}

/// Cash paid into or taken out of the drawer of an open shift (its cashier or a manager).
#[utoipa::path(post, path = "/api/shifts/{id}/cash/", tag = "registers", request_body = CashBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 201, body = ShiftOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The shift is closed, or the drawer holds less")))]
pub async fn cash(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CashBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    visible(&state, &user, id).await?;
    let b = body.into_inner();
    let kind = Movement::parse(b.kind.as_deref().unwrap_or("").trim())
        .ok_or_else(|| AppError::field_invalid("kind", "Choose in or out."))?;
    let amount = b
        .amount
        .ok_or_else(|| AppError::field_invalid("amount", "This field is required."))?
        .0;
    let reason = words_of(
        b.reason.as_deref().unwrap_or(""),
        "reason",
        "The reason",
        200,
        true,
    )?;
    let key = key_of(b.idempotency_key.as_deref())?;
    record_movement(&state, actor, id, kind, amount, reason, key).await?;
    Ok(json::created(&visible(&state, &user, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseBody {
    #[serde(flatten)]
    pub count: CountBody,
    /// Why the drawer differs from the expected cash (needed beyond the setting).
    pub note: Option<String>,
}

/// Close the shift with the drawer's count; answers the Z report. A difference beyond the
/// setting needs a `note`.
#[utoipa::path(post, path = "/api/shifts/{id}/close/", tag = "registers", request_body = CloseBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = ShiftOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Already closed")))]
pub async fn close(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<CloseBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    visible(&state, &user, id).await?;
    let b = body.into_inner();
    let s = shift_settings(&state).await?;
    let counted = count_of(&s, &count_pairs(&s, &b.count)?)?;
    let note = words_of(
        b.note.as_deref().unwrap_or(""),
        "note",
        "The note",
        500,
        false,
    )?;
    close_with(&state, actor, id, counted, note, s.note_over).await?;
    Ok(json::ok(&visible(&state, &user, id).await?))
}
