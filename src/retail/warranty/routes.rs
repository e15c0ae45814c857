//! `/warranty`: find a sold unit and file a claim (managers and sales agents), follow claims,
//! move them on (managers); `/defective`: the defective units and what became of them.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::{BranchScope, CurrentUser, Staff};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::money::Money;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::warranty::model::{
    self, Claim, ClaimFilter, ClaimRow, Completion, DefectiveRow, NewClaim, Unit,
};
use crate::retail::warranty::rules::{ClaimStatus, ClaimType};

const PAGE_SIZE: i64 = 50;

fn status_label(s: &str) -> &'static str {
    ClaimStatus::parse(s).map_or("Unknown", ClaimStatus::label)
}

fn type_label(s: &str) -> &'static str {
    ClaimType::parse(s).map_or("Unknown", ClaimType::label)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClaimQuery {
    pub status: String,
    pub claim_type: String,
    pub branch_id: String,
    pub from: String,
    pub to: String,
    pub q: String,
    pub page: Option<String>,
}

impl ClaimQuery {
    pub fn filter(&self, scope: BranchScope, state: &AppState) -> Result<ClaimFilter, AppError> {
        let status = match self.status.trim() {
            "" => None,
            s => Some(ClaimStatus::parse(s).ok_or_else(|| {
                AppError::BadRequest("The status must be one from the list.".into())
            })?),
        };
        let claim_type = match self.claim_type.trim() {
            "" => None,
            t => Some(ClaimType::parse(t).ok_or_else(|| {
                AppError::BadRequest("The type must be repair or replacement.".into())
            })?),
        };
        let from = forms::filter_date(Some(&self.from), "From").map_err(AppError::BadRequest)?;
        let to = forms::filter_date(Some(&self.to), "To").map_err(AppError::BadRequest)?;
        let (filed_from, filed_before) = state.clock.day_range_utc(from, to);
        let q = self.q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "The search can be at most 100 characters.".into(),
            ));
        }
        Ok(ClaimFilter {
            status,
            claim_type,
            branch_id: scope.branch(),
            filed_from,
            filed_before,
            q: (!q.is_empty()).then(|| q.to_lowercase()),
        })
    }

    fn base(&self) -> String {
        filter_query(&[
            ("status", &self.status),
            ("claim_type", &self.claim_type),
            ("branch_id", &self.branch_id),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ])
    }
}

pub struct ClaimLine {
    pub row: ClaimRow,
    pub filed: String,
    pub status: &'static str,
    pub kind: &'static str,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "retail/warranty/list.html")]
struct ListPage {
    ctx: PageCtx,
    query: ClaimQuery,
    rows: Vec<ClaimLine>,
    pager: Pager,
    count: i64,
    liability: String,
    repair: String,
    replacement: String,
    statuses: [ClaimStatus; 4],
    types: [ClaimType; 2],
    export_href: String,
    /// A manager's branch filter.
    branches: Vec<Choice>,
}

/// The branches a manager may filter by; nobody else chooses.
async fn branch_choices(state: &AppState, ctx: &PageCtx) -> Result<Vec<Choice>, AppError> {
    if !ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role == crate::platform::auth::Role::Manager)
    {
        return Ok(Vec::new());
    }
    let options = state
        .db
        .read(|c| Ok(crate::staff::branches::model::options(c)?))
        .await?;
    Ok(options
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect())
}

pub async fn list(
    ctx: PageCtx,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<ClaimQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter(scope, &state)?;
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
    let (mut rows, (count, liability, repair, replacement)) = state
        .db
        .read(move |c| {
            Ok((
                model::page(c, &filter, page.offset(), page.fetch())?,
                model::totals(c, &filter)?,
            ))
        })
        .await?;
    let branches = branch_choices(&state, &ctx).await?;
    let base = query.base();
    let export_href = with_query("/warranty/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let clock = state.clock;
    let rows = rows
        .into_iter()
        .map(|row| ClaimLine {
            filed: clock.format(row.filed_at),
            status: status_label(&row.status),
            kind: type_label(&row.claim_type),
            cost: Money(row.cost_impact_minor).grouped(),
            row,
        })
        .collect();
    html(&ListPage {
        ctx,
        query,
        rows,
        pager,
        count,
        liability: Money(liability).grouped(),
        repair: Money(repair).grouped(),
        replacement: Money(replacement).grouped(),
        statuses: ClaimStatus::ALL,
        types: ClaimType::ALL,
        export_href,
        branches,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FindQuery {
    pub find: String,
    pub item: String,
}

pub struct UnitLine {
    pub u: Unit,
    pub sold: String,
    pub voided: bool,
}

#[derive(Template)]
#[template(path = "retail/warranty/new.html")]
struct NewPage {
    ctx: PageCtx,
    find: String,
    units: Vec<UnitLine>,
    form: ClaimForm,
    errors: FormErrors,
    types: [ClaimType; 2],
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClaimForm {
    pub order_item_id: String,
    pub claim_type: String,
    pub faulty_serial: String,
    pub issue: String,
    pub find: String,
}

async fn new_page(
    ctx: PageCtx,
    scope: BranchScope,
    state: &AppState,
    form: ClaimForm,
    errors: FormErrors,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut form = form;
    if form.find.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "The search can be at most 100 characters.".into(),
        ));
    }
    // A refused claim shows its line again, found by its sale's OR number.
    let item = forms::optional_id(&form.order_item_id).ok().flatten();
    let text = form.find.trim().to_string();
    let (units, find) = state
        .db
        .read(move |c| {
            let text = match (text.is_empty(), item) {
                (true, Some(item)) => model::or_number_of_item(c, item)?.unwrap_or_default(),
                _ => text,
            };
            Ok((model::find_units(c, scope, &text)?, text))
        })
        .await?;
    form.find = find.clone();
    // Found by a serial, or one unit with one serial: that is the unit the claim is about.
    if form.faulty_serial.is_empty() {
        let by_serial = units.iter().find_map(|u| {
            u.serials
                .iter()
                .find(|s| s.eq_ignore_ascii_case(&find))
                .map(|s| (u.order_item_id, s.clone()))
        });
        let single = match units.as_slice() {
            [only] if only.serials.len() == 1 => {
                Some((only.order_item_id, only.serials[0].clone()))
            }
            _ => None,
        };
        if let Some((item, serial)) = by_serial.or(single) {
            form.faulty_serial = serial;
            if form.order_item_id.is_empty() {
                form.order_item_id = item.to_string();
            }
        }
    }
    let clock = state.clock;
    let units = units
        .into_iter()
        .map(|u| UnitLine {
            sold: clock.format(u.sold_at),
            voided: u.order_status != "completed",
            u,
        })
        .collect();
    html_status(
        status,
        &NewPage {
            ctx,
            find,
            units,
            form,
            errors,
            types: ClaimType::ALL,
        },
    )
}

/// `GET /warranty/new?find=`: a sold unit found by OR number, serial or customer phone.
pub async fn new(
    ctx: PageCtx,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<FindQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let form = ClaimForm {
        order_item_id: q.item,
        claim_type: "repair".into(),
        find: q.find,
        ..Default::default()
    };
    new_page(
        ctx,
        scope,
        &state,
        form,
        FormErrors::default(),
        actix_web::http::StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: PageCtx,
    scope: BranchScope,
    staff: Staff,
    form: web::Form<ClaimForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let item = forms::optional_id(&form.order_item_id).ok().flatten();
    if item.is_none() {
        errors.add("order_item_id", "Pick the sold item the claim is for.");
    }
    let kind = ClaimType::parse(form.claim_type.trim());
    if kind.is_none() {
        errors.add("claim_type", "Choose repair or replacement.");
    }
    let issue = forms::text(&form.issue, "issue", "The issue", 1000, true, &mut errors);
    let serial = forms::text(
        &form.faulty_serial,
        "faulty_serial",
        "The serial",
        64,
        false,
        &mut errors,
    );
    let (Some(item), Some(kind), true) = (item, kind, errors.is_empty()) else {
        let status = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
        return new_page(ctx, scope, &state, form, errors, status).await;
    };
    let clock = state.clock;
    let filed = state
        .db
        .write(move |c| {
            let claim = NewClaim {
                order_item_id: item,
                claim_type: kind,
                faulty_serial: &serial,
                issue: &issue,
            };
            model::file(c, &actor, &user, &clock, &claim)
        })
        .await;
    match filed {
        Ok(id) => {
            flash::success(&session, format!("Claim #{id} was filed."));
            Ok(see_other(&format!("/warranty/{id}")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            new_page(ctx, scope, &state, form, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "retail/warranty/show.html")]
struct ShowPage {
    ctx: PageCtx,
    claim: Claim,
    status: &'static str,
    kind: &'static str,
    next: Option<ClaimStatus>,
    filed: String,
    resolved: String,
    cost: String,
    is_manager: bool,
    replacement: bool,
    default_repair_cost: String,
}

pub async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (claim, (_, repair_cost)) = state
        .db
        .read(move |c| Ok((model::find(c, id)?, model::terms(c)?)))
        .await?;
    crate::platform::auth::scope::check(&user, claim.branch_id)?;
    let clock = state.clock;
    html(&ShowPage {
        status: status_label(&claim.status),
        kind: type_label(&claim.claim_type),
        next: claim.status().and_then(ClaimStatus::next),
        filed: clock.format(claim.filed_at),
        resolved: clock.format_opt(claim.resolved_at),
        cost: Money(claim.cost_impact_minor).grouped(),
        is_manager: user.is_manager(),
        replacement: claim.kind() == Some(ClaimType::Replacement),
        default_repair_cost: repair_cost.plain(),
        claim,
        ctx,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AdvanceForm {
    pub to: String,
    pub repair_cost: String,
    pub new_serial: String,
}

pub async fn advance(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<AdvanceForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let to = ClaimStatus::parse(form.to.trim())
        .ok_or_else(|| AppError::Unprocessable("Choose the next status from the list.".into()))?;
    let repair_cost = match form.repair_cost.trim() {
        "" => None,
        raw => Some(
            Money::parse_input(raw)
                .map_err(|e| AppError::Unprocessable(format!("The repair cost: {e}.")))?,
        ),
    };
    let new_serial = form.new_serial.trim().to_string();
    if new_serial.chars().count() > 64 {
        return Err(AppError::Unprocessable(
            "A serial is at most 64 characters.".into(),
        ));
    }
    let mail = crate::mail::messages::MailContext::of(&state.config);
    let claim = state
        .db
        .write(move |c| {
            let claim = model::find(c, id)?;
            crate::platform::auth::scope::check(&user, claim.branch_id)?;
            let done = Completion {
                repair_cost,
                new_serial: &new_serial,
            };
            let claim = model::advance(c, &actor, id, to, &done)?;
            // The customer hears of the new status (in this transaction, sent later).
            crate::mail::messages::queue_or_log(c, "a warranty status", |c| {
                crate::mail::messages::queue_warranty(
                    c,
                    &mail,
                    id,
                    crate::platform::clock::BusinessClock::now_utc(),
                )
            });
            Ok(claim)
        })
        .await
        .map_err(|e| match e {
            AppError::Fields { errors, .. } => AppError::Conflict(errors.first().to_string()),
            other => other,
        })?;
    flash::success(
        &session,
        format!(
            "Claim #{id} is {}.",
            status_label(&claim.status).to_lowercase()
        ),
    );
    Ok(see_other(&format!("/warranty/{id}")))
}

const HEADER: &[&str] = &[
    "Claim ID",
    "Customer",
    "Item",
    "Type",
    "Status",
    "Date Filed",
    "Serial",
    "Cost impact",
];

pub async fn export(
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<ClaimQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter(scope, &state)?;
    let clock = state.clock;
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("warranty", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = model::export_page(conn, &filter, after, limit)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    (
                        r.id,
                        vec![
                            r.id.to_string(),
                            r.customer.clone().unwrap_or_else(|| "Walk-in".into()),
                            r.product.clone(),
                            type_label(&r.claim_type).to_string(),
                            status_label(&r.status).to_string(),
                            clock.format(r.filed_at),
                            r.faulty_serial.clone(),
                            Money(r.cost_impact_minor).plain(),
                        ],
                    )
                })
                .collect())
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DefectiveQuery {
    pub branch_id: String,
    pub status: String,
    pub page: Option<String>,
}

pub struct DefectiveLine {
    pub row: DefectiveRow,
    pub received: String,
}

#[derive(Template)]
#[template(path = "retail/warranty/defective.html")]
struct DefectivePage {
    ctx: PageCtx,
    query: DefectiveQuery,
    rows: Vec<DefectiveLine>,
    pager: Pager,
    branches: Vec<Choice>,
}

pub async fn defective(
    ctx: PageCtx,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<DefectiveQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let status = match query.status.trim() {
        "" => None,
        s @ ("held" | "disposed" | "returned") => Some(s.to_string()),
        _ => {
            return Err(AppError::BadRequest(
                "The status must be held, disposed or returned.".into(),
            ))
        }
    };
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
    let branch = scope.branch();
    let mut rows = state
        .db
        .read(move |c| {
            Ok(model::defective(
                c,
                branch,
                status.as_deref(),
                page.offset(),
                page.fetch(),
            )?)
        })
        .await?;
    let base = filter_query(&[("branch_id", &query.branch_id), ("status", &query.status)]);
    let pager = Pager::cut(page, &mut rows, base);
    let clock = state.clock;
    let rows = rows
        .into_iter()
        .map(|row| DefectiveLine {
            received: clock.format(row.received_at),
            row,
        })
        .collect();
    let branches = branch_choices(&state, &ctx).await?;
    html(&DefectivePage {
        ctx,
        query,
        rows,
        pager,
        branches,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResolveForm {
    pub to: String,
    pub note: String,
}

pub async fn resolve(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let to = match form.to.trim() {
        t @ ("disposed" | "returned") => t.to_string(),
        _ => {
            return Err(AppError::Unprocessable(
                "Choose disposed or returned to supplier.".into(),
            ))
        }
    };
    let note = forms::visible(&form.note).unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(AppError::Unprocessable(
            "The note can be at most 500 characters.".into(),
        ));
    }
    state
        .db
        .write(move |c| model::resolve_defective(c, &actor, &user, id, &to, &note))
        .await?;
    flash::success(&session, format!("Defective unit #{id} was updated."));
    Ok(see_other("/defective"))
}
