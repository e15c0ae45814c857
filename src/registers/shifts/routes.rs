//! `/shifts`: open a shift with a float, the X report while it runs, cash in and out, the close
//! with the count, the Z report; the list (managers see every shift, others their own) and its
//! CSV.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::{BranchScope, CurrentUser, Staff};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors, Pairs};
use crate::platform::money::Money;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::registers::model::{self as registers, Register};
use crate::registers::settings::{self, ShiftSettings};
use crate::registers::shifts::model::{self, ShiftFilter, ShiftRow};
use crate::registers::shifts::report::{self, Report};
use crate::registers::shifts::rules::{self, Count, Movement};

const PAGE_SIZE: i64 = 50;

/// One note or coin of the count form, with what was typed.
pub struct CountBox {
    pub name: String,
    pub label: String,
    pub value: String,
}

fn boxes(s: &ShiftSettings, typed: Option<&Pairs>) -> Vec<CountBox> {
    s.denominations
        .iter()
        .map(|d| {
            let name = format!("d_{}", d.0);
            CountBox {
                value: typed.map(|p| p.get(&name).to_string()).unwrap_or_default(),
                label: d.grouped(),
                name,
            }
        })
        .collect()
}

/// The count the form says: boxes by denomination or one amount.
pub fn count_of(s: &ShiftSettings, p: &Pairs) -> Result<Count, AppError> {
    let names: Vec<String> = s
        .denominations
        .iter()
        .map(|d| format!("d_{}", d.0))
        .collect();
    let typed: Vec<&str> = names.iter().map(|n| p.get(n)).collect();
    rules::count(&s.denominations, &typed, p.get("amount"))
        .map_err(|e| AppError::field_invalid(e.field, e.message))
}

fn key_of(p: &Pairs) -> Result<String, AppError> {
    forms::one_time_key(p.get("key").trim())
        .map_err(|_| AppError::BadRequest("The form is out of date: open the page again.".into()))
}

pub async fn shift_settings(state: &AppState) -> Result<ShiftSettings, AppError> {
    let currency = state.config.currency.clone();
    state
        .db
        .read(move |c| Ok(settings::load(c, &currency)?))
        .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ShiftQuery {
    pub branch_id: String,
    pub register_id: String,
    pub status: String,
    pub from: String,
    pub to: String,
    pub page: Option<String>,
}

impl ShiftQuery {
    pub fn filter(&self, user: &CurrentUser, scope: BranchScope) -> Result<ShiftFilter, AppError> {
        let open = match self.status.trim() {
            "" => None,
            "open" => Some(true),
            "closed" => Some(false),
            _ => {
                return Err(AppError::BadRequest(
                    "The status must be open or closed.".into(),
                ))
            }
        };
        let register_id = forms::optional_id(&self.register_id).map_err(|_| {
            AppError::BadRequest("The register filter must be a register from the list.".into())
        })?;
        let from = forms::filter_date(Some(&self.from), "From").map_err(AppError::BadRequest)?;
        let to = forms::filter_date(Some(&self.to), "To").map_err(AppError::BadRequest)?;
        Ok(ShiftFilter {
            branch_id: scope.branch(),
            register_id,
            // Only managers look at other people's drawers.
            employee_id: (!user.is_manager()).then_some(user.id),
            open,
            from,
            to,
        })
    }

    fn base(&self) -> String {
        filter_query(&[
            ("branch_id", &self.branch_id),
            ("register_id", &self.register_id),
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

pub struct ShiftLine {
    pub row: ShiftRow,
    pub opened: String,
    pub closed: String,
    pub float: String,
    pub expected: String,
    pub counted: String,
    pub difference: String,
    pub short: bool,
}

fn line(row: ShiftRow, clock: BusinessClock) -> ShiftLine {
    let difference = match (row.expected_cash_minor, row.counted_cash_minor) {
        (Some(e), Some(c)) => Some(rules::difference(Money(e), Money(c))),
        _ => None,
    };
    ShiftLine {
        opened: clock.format(row.opened_at),
        closed: row.closed_at.map(|t| clock.format(t)).unwrap_or_default(),
        float: Money(row.opening_float_minor).grouped(),
        expected: row
            .expected_cash_minor
            .map(|m| Money(m).grouped())
            .unwrap_or_default(),
        counted: row
            .counted_cash_minor
            .map(|m| Money(m).grouped())
            .unwrap_or_default(),
        difference: difference.map(rules::difference_label).unwrap_or_default(),
        short: difference.is_some_and(|d| d.0 < 0),
        row,
    }
}

/// The "open a shift" form as typed.
#[derive(Default)]
pub struct OpenForm {
    pub register_id: String,
    pub key: String,
}

#[derive(Template)]
#[template(path = "registers/shifts.html")]
struct ListPage {
    ctx: PageCtx,
    query: ShiftQuery,
    rows: Vec<ShiftLine>,
    pager: Pager,
    count: i64,
    export_href: String,
    branches: Vec<Choice>,
    manager: bool,
    /// The person's open shift, if any: the form to open one is shown otherwise.
    mine: Option<i64>,
    registers: Vec<Register>,
    form: OpenForm,
    boxes: Vec<CountBox>,
    amount: String,
    errors: FormErrors,
}

async fn list_page(
    ctx: PageCtx,
    scope: BranchScope,
    state: &AppState,
    query: ShiftQuery,
    form: Option<(OpenForm, Pairs, FormErrors)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let filter = query.filter(&user, scope)?;
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
    let me = user.id;
    let branch = user.branch_id;
    let (mut rows, count, mine, registers) = state
        .db
        .read(move |c| {
            Ok((
                model::page(c, &filter, page.offset(), page.fetch())?,
                model::count(c, &filter)?,
                model::open_of(c, me)?.map(|s| s.id),
                match branch {
                    Some(b) => registers::of_branch(c, b)?,
                    None => Vec::new(),
                },
            ))
        })
        .await?;
    let s = shift_settings(state).await?;
    let (form, typed, errors) = form.unwrap_or_else(|| {
        (
            OpenForm {
                key: crate::platform::auth::session::new_token(),
                ..OpenForm::default()
            },
            Pairs::default(),
            FormErrors::default(),
        )
    });
    let amount = typed.get("amount").to_string();
    let boxes = boxes(&s, Some(&typed));
    let branches = if user.is_manager() {
        let options = state
            .db
            .read(|c| Ok(crate::staff::branches::model::options(c)?))
            .await?;
        options
            .into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
            })
            .collect()
    } else {
        Vec::new()
    };
    let base = query.base();
    let export_href = with_query("/shifts/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let clock = state.clock;
    let rows = rows.into_iter().map(|r| line(r, clock)).collect();
    html_status(
        status,
        &ListPage {
            ctx,
            query,
            rows,
            pager,
            count,
            export_href,
            branches,
            manager: user.is_manager(),
            mine,
            registers,
            form,
            boxes,
            amount,
            errors,
        },
    )
}

pub async fn list(
    ctx: PageCtx,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<ShiftQuery>,
) -> Result<HttpResponse, AppError> {
    list_page(ctx, scope, &state, q.into_inner(), None, StatusCode::OK).await
}

/// Where to go after opening: the till if the form came from it, else the shift.
fn next_of(p: &Pairs, shift_id: i64) -> String {
    match p.get("next") {
        "/pos" => "/pos".into(),
        _ => format!("/shifts/{shift_id}"),
    }
}

pub async fn open(
    ctx: PageCtx,
    scope: BranchScope,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let p = Pairs(form.into_inner());
    let s = shift_settings(&state).await?;
    let key = key_of(&p)?;
    let typed = OpenForm {
        register_id: p.get("register_id").to_string(),
        key: key.clone(),
    };
    let result = async {
        let register_id = forms::optional_id(p.get("register_id"))
            .ok()
            .flatten()
            .ok_or_else(|| AppError::field_invalid("register_id", "Choose a register."))?;
        if user.branch_id.is_none() {
            return Err(AppError::Forbidden(
                crate::platform::auth::scope::NO_BRANCH.into(),
            ));
        }
        let float = count_of(&s, &p)?;
        let today = state.clock.today();
        state
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
            .await
    }
    .await;
    match result {
        Ok(id) => {
            flash::success(&session, "Shift open. Sales and cash now go into it.");
            Ok(see_other(&next_of(&p, id)))
        }
        Err(AppError::Fields { errors, status }) => {
            list_page(
                ctx,
                scope,
                &state,
                ShiftQuery::default(),
                Some((typed, p, errors)),
                status,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// May `user` see this shift? Its cashier, or a manager. Anyone else hears it does not exist.
pub fn may_see(user: &CurrentUser, shift: &model::Shift) -> Result<(), AppError> {
    if user.is_manager() || user.id == shift.employee_id {
        Ok(())
    } else {
        Err(AppError::NotFound("There is no such shift.".into()))
    }
}

#[derive(Template)]
#[template(path = "registers/shift.html")]
struct ShiftPage {
    ctx: PageCtx,
    r: Report,
    boxes: Vec<CountBox>,
    amount: String,
    note: String,
    move_kind: String,
    move_amount: String,
    move_reason: String,
    close_key: String,
    move_key: String,
    errors: FormErrors,
    note_over: String,
}

/// What the shift page's forms carry back after a refusal.
#[derive(Default)]
struct Typed {
    pairs: Option<Pairs>,
    errors: FormErrors,
}

async fn shift_page(
    ctx: PageCtx,
    state: &AppState,
    id: i64,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let name = state.config.business_name.clone();
    let clock = state.clock;
    let r = state
        .db
        .read(move |c| report::load(c, id, &name, clock))
        .await?;
    may_see(&user, &r.shift)?;
    let s = shift_settings(state).await?;
    let p = typed.pairs.as_ref();
    let get = |k: &str| p.map(|p| p.get(k).to_string()).unwrap_or_default();
    html_status(
        status,
        &ShiftPage {
            boxes: boxes(&s, p),
            amount: get("amount"),
            note: get("note"),
            move_kind: get("kind"),
            move_amount: get("move_amount"),
            move_reason: get("reason"),
            close_key: crate::platform::auth::session::new_token(),
            move_key: crate::platform::auth::session::new_token(),
            errors: typed.errors,
            note_over: s.note_over.grouped(),
            ctx,
            r,
        },
    )
}

pub async fn show(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    shift_page(
        ctx,
        &state,
        id.into_inner(),
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// The shift, if `user` may act on it (its cashier or a manager).
async fn for_action(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let shift = state.db.read(move |c| model::find(c, id)).await?;
    may_see(user, &shift)?;
    crate::platform::auth::scope::check(user, shift.branch_id)
}

/// A cash movement's reason (required) or the close's note (optional), checked as a field.
pub fn words_of(
    raw: &str,
    field: &'static str,
    label: &str,
    max: usize,
    required: bool,
) -> Result<String, AppError> {
    let mut errors = FormErrors::default();
    let text = forms::text(raw, field, label, max, required, &mut errors);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(AppError::Fields {
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        })
    }
}

/// Records cash in or out of shift `id` (the page's and the API's transaction).
pub async fn record_movement(
    state: &AppState,
    actor: crate::platform::audit::Actor,
    id: i64,
    kind: Movement,
    amount: Money,
    reason: String,
    key: String,
) -> Result<i64, AppError> {
    state
        .db
        .write(move |c| {
            model::move_cash(
                c,
                &actor,
                &model::NewMovement {
                    shift_id: id,
                    kind,
                    amount,
                    reason: &reason,
                    key: &key,
                },
                BusinessClock::now_utc(),
            )
        })
        .await
}

/// Closes shift `id` with the count and the note under the settings' threshold (the page's
/// and the API's transaction).
pub async fn close_with(
    state: &AppState,
    actor: crate::platform::audit::Actor,
    id: i64,
    counted: Count,
    note: String,
    threshold: Money,
) -> Result<model::Closed, AppError> {
    state
        .db
        .write(move |c| {
            model::close(
                c,
                &actor,
                &model::Closing {
                    shift_id: id,
                    counted: &counted,
                    note: &note,
                    threshold,
                },
                BusinessClock::now_utc(),
            )
        })
        .await
}

pub async fn cash(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    for_action(&state, &user, id).await?;
    let p = Pairs(form.into_inner());
    let key = key_of(&p)?;
    let result = async {
        let kind = Movement::parse(p.get("kind"))
            .ok_or_else(|| AppError::field_invalid("kind", "Choose cash in or cash out."))?;
        let amount = Money::parse_input(p.get("move_amount"))
            .map_err(|e| AppError::field_invalid("move_amount", format!("The amount: {e}.")))?;
        let reason = words_of(p.get("reason"), "reason", "The reason", 200, true)?;
        record_movement(&state, actor, id, kind, amount, reason, key)
            .await
            .map(|_| kind)
    }
    .await;
    match result {
        Ok(kind) => {
            flash::success(&session, format!("{} recorded.", kind.label()));
            Ok(see_other(&format!("/shifts/{id}")))
        }
        Err(AppError::Fields { mut errors, status }) => {
            // The movement form's amount box is `move_amount`.
            if let Some(m) = errors.get("amount").map(str::to_string) {
                errors = {
                    let mut e = FormErrors::default();
                    e.add("move_amount", m);
                    e
                };
            }
            let typed = Typed {
                pairs: Some(p),
                errors,
            };
            shift_page(ctx, &state, id, typed, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn close(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    for_action(&state, &user, id).await?;
    let p = Pairs(form.into_inner());
    let s = shift_settings(&state).await?;
    let result = async {
        let counted = count_of(&s, &p)?;
        let note = words_of(p.get("note"), "note", "The note", 500, false)?;
        close_with(&state, actor, id, counted, note, s.note_over).await
    }
    .await;
    match result {
        Ok(closed) => {
            flash::success(
                &session,
                format!(
                    "Shift closed: expected {}, counted {} — {}.",
                    closed.expected.grouped(),
                    closed.counted.grouped(),
                    rules::difference_label(closed.difference).to_lowercase()
                ),
            );
            Ok(see_other(&format!("/shifts/{id}/z-report")))
        }
        Err(AppError::Fields { errors, status }) => {
            let typed = Typed {
                pairs: Some(p),
                errors,
            };
            shift_page(ctx, &state, id, typed, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrintQuery {
    pub paper: String,
}

#[derive(Template)]
#[template(path = "registers/z_report.html")]
struct ZPage {
    ctx: PageCtx,
    r: Report,
    a4: bool,
}

/// The printable report: a Z report of a closed shift, or the X report of an open one (the
/// page says which), on an 80 mm slip or, with `?paper=a4`, a sheet.
pub async fn z_report(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<PrintQuery>,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
    let a4 = match q.paper.as_str() {
        "" | "80mm" => false,
        "a4" => true,
        _ => return Err(AppError::BadRequest("The paper is 80mm or a4.".into())),
    };
    let id = id.into_inner();
    let name = state.config.business_name.clone();
    let clock = state.clock;
    let r = state
        .db
        .read(move |c| report::load(c, id, &name, clock))
        .await?;
    may_see(&user, &r.shift)?;
    html(&ZPage { ctx, r, a4 })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    pub branch: String,
    pub day: String,
    pub paper: String,
}

#[derive(Template)]
#[template(path = "registers/day_report.html")]
struct DayPage {
    ctx: PageCtx,
    r: report::DayReport,
    a4: bool,
    branch_id: i64,
    branches: Vec<(i64, String)>,
}

/// `GET /shifts/day`: the Z report of a branch's business day (every shift of it added up),
/// 80 mm or A4; managers choose the branch and the day (default: their branch, today).
pub async fn day_report(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<DayQuery>,
) -> Result<HttpResponse, AppError> {
    let a4 = match q.paper.as_str() {
        "" | "80mm" => false,
        "a4" => true,
        _ => return Err(AppError::BadRequest("The paper is 80mm or a4.".into())),
    };
    let day = forms::filter_date(Some(q.day.as_str()), "The day")
        .map_err(AppError::BadRequest)?
        .unwrap_or_else(|| state.clock.today());
    let branch = match forms::optional_id(&q.branch) {
        Ok(Some(b)) => b,
        Ok(None) => user
            .branch_id
            .ok_or_else(|| AppError::BadRequest("Choose a branch.".into()))?,
        Err(_) => return Err(AppError::BadRequest("Unknown branch.".into())),
    };
    let name = state.config.business_name.clone();
    let clock = state.clock;
    let (r, branches) = state
        .db
        .read(move |c| {
            Ok((
                report::load_day(c, branch, day, &name, clock)?,
                crate::staff::branches::model::options(c)?,
            ))
        })
        .await?;
    html(&DayPage {
        ctx,
        r,
        a4,
        branch_id: branch,
        branches,
    })
}

const HEADER: &[&str] = &[
    "Shift",
    "Register",
    "Branch",
    "Cashier",
    "Business day",
    "Opened",
    "Closed",
    "Opening float",
    "Expected cash",
    "Counted cash",
    "Difference",
];

pub async fn export(
    scope: BranchScope,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ShiftQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter(&user, scope)?;
    let clock = state.clock;
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("shifts", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = model::export_page(conn, &filter, after, limit)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let diff = match (r.expected_cash_minor, r.counted_cash_minor) {
                        (Some(e), Some(c)) => rules::difference(Money(e), Money(c)).plain(),
                        _ => String::new(),
                    };
                    (
                        r.id,
                        vec![
                            r.id.to_string(),
                            r.register.clone(),
                            r.branch.clone(),
                            r.employee.clone(),
                            r.business_day.to_string(),
                            clock.format(r.opened_at),
                            r.closed_at.map(|t| clock.format(t)).unwrap_or_default(),
                            Money(r.opening_float_minor).plain(),
                            r.expected_cash_minor
                                .map(|m| Money(m).plain())
                                .unwrap_or_default(),
                            r.counted_cash_minor
                                .map(|m| Money(m).plain())
                                .unwrap_or_default(),
                            diff,
                        ],
                    )
                })
                .collect())
        },
    ))
}

/// For the till: the registers a person without an open shift may open one on, and the count
/// boxes, so the till can offer the form where the refusal would otherwise be.
pub struct TillShift {
    pub open: Option<i64>,
    pub registers: Vec<Register>,
    pub boxes: Vec<CountBox>,
    pub key: String,
}

pub async fn till_shift(state: &AppState, user: &CurrentUser) -> Result<TillShift, AppError> {
    let me = user.id;
    let branch = user.branch_id;
    let (open, registers) = state
        .db
        .read(move |c| {
            Ok((
                model::open_of(c, me)?.map(|s| s.id),
                match branch {
                    Some(b) => registers::of_branch(c, b)?,
                    None => Vec::new(),
                },
            ))
        })
        .await?;
    let boxes = if open.is_none() {
        boxes(&shift_settings(state).await?, None)
    } else {
        Vec::new()
    };
    Ok(TillShift {
        open,
        registers,
        boxes,
        key: crate::platform::auth::session::new_token(),
    })
}
