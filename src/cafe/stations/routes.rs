//! `/kitchen/stations` (managers set up the bar, the dessert counter…), `/kitchen/expo` (the
//! pass: orders across stations) and `/floor/sessions/{id}/fire` (a held course goes out).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::events::CafeEvent;
use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::stations::model::{self, ExpoOrder, StationSheet};
use crate::cafe::stations::rules;
use crate::platform::auth::{BranchScope, CurrentUser, Staff};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{Choice, Pairs};
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::state::AppState;

#[derive(Template)]
#[template(path = "cafe/kitchen/stations.html")]
struct StationsPage {
    ctx: PageCtx,
    branch: CafeBranch,
    stations: Vec<StationSheet>,
    categories: Vec<Choice>,
    refused: Option<String>,
}

impl StationsPage {
    /// Which station (if any) prepares a category, for the hint beside each box.
    pub fn prepared_at(&self, category: &str) -> String {
        self.stations
            .iter()
            .find(|s| s.station.is_active && s.prepares(category))
            .map(|s| s.station.name.clone())
            .unwrap_or_default()
    }
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    user: CurrentUser,
    requested: Option<i64>,
    refused: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let (branch, stations, categories) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let stations = model::of_branch(c, branch.id)?;
            let categories = crate::platform::category_list::choices::<
                crate::cafe::menu::categories::MenuCategories,
            >(c)?;
            Ok((branch, stations, categories))
        })
        .await?;
    let (status, refused) = match refused {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    html_status(
        status,
        &StationsPage {
            ctx,
            branch,
            stations,
            categories,
            refused,
        },
    )
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
) -> Result<HttpResponse, AppError> {
    page(ctx, &state, user, branch_scope.branch(), None).await
}

fn input(p: &Pairs) -> Result<rules::StationInput, AppError> {
    let categories = p.ids("category_id", 200).map_err(|_| {
        AppError::BadRequest("The categories ticked are not ones we offered. Please reload.".into())
    })?;
    let mut unique = categories;
    unique.sort_unstable();
    unique.dedup();
    rules::station_input(p.get("code"), p.get("name"), p.get("late_minutes"), unique)
        .map_err(|e| AppError::Unprocessable(e.first().to_string()))
}

/// A refusal shown above the forms (422 or 409); anything else answered as usual.
async fn refused(
    ctx: PageCtx,
    state: &AppState,
    user: CurrentUser,
    branch: Option<i64>,
    e: AppError,
) -> Result<HttpResponse, AppError> {
    let status = match &e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(e),
    };
    page(ctx, state, user, branch, Some((status, e.to_string()))).await
}

fn back(branch: i64) -> HttpResponse {
    see_other(&format!("/kitchen/stations?branch={branch}"))
}

pub async fn create(
    staff: Staff,
    ctx: PageCtx,
    form: web::Form<Pairs>,
) -> Result<HttpResponse, AppError> {
    let requested = scope::parse_requested(form.get("branch_id"))?;
    let (user, state) = (staff.user.clone(), staff.state.clone());
    let made = match input(&form) {
        Ok(i) => {
            let (actor, user) = (staff.actor.clone(), user.clone());
            state
                .db
                .write(move |c| {
                    let branch = scope::resolve(c, &user, requested)?;
                    model::create(c, &actor, branch.id, &i, BusinessClock::now_utc())?;
                    Ok((branch.id, i.name))
                })
                .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok((branch, name)) => {
            flash::success(
                &staff.session,
                format!("{name} is set up: its tickets show on its own board."),
            );
            Ok(back(branch))
        }
        Err(e) => refused(ctx, &state, user, requested, e).await,
    }
}

pub async fn update(
    staff: Staff,
    ctx: PageCtx,
    id: web::Path<i64>,
    form: web::Form<Pairs>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (user, state) = (staff.user.clone(), staff.state.clone());
    let requested = {
        let u = user.clone();
        state
            .db
            .read(move |c| {
                let b = model::branch_of(c, id)?;
                scope::check_branch(&u, b)?;
                Ok(b)
            })
            .await?
    };
    let saved = match input(&form) {
        Ok(i) => {
            let actor = staff.actor.clone();
            state
                .db
                .write(move |c| {
                    model::update(c, &actor, id, &i, BusinessClock::now_utc())?;
                    Ok(i.name)
                })
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(name) => {
            flash::success(&staff.session, format!("{name} was saved."));
            Ok(back(requested))
        }
        Err(e) => refused(ctx, &state, user, Some(requested), e).await,
    }
}

async fn set_active(staff: Staff, id: i64, active: bool) -> Result<HttpResponse, AppError> {
    let (user, actor) = (staff.user.clone(), staff.actor.clone());
    let (branch, name) = staff
        .state
        .db
        .write(move |c| {
            let b = model::branch_of(c, id)?;
            scope::check_branch(&user, b)?;
            Ok((b, model::set_active(c, &actor, id, active)?))
        })
        .await?;
    staff.state.events.publish(CafeEvent::ticket(branch, 0));
    flash::success(
        &staff.session,
        if active {
            format!("{name} is working again: tick the categories it prepares.")
        } else {
            format!("{name} was archived: its categories and open tickets went to the kitchen.")
        },
    );
    Ok(back(branch))
}

pub async fn archive(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(staff, id.into_inner(), false).await
}

pub async fn restore(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    set_active(staff, id.into_inner(), true).await
}

#[derive(Template)]
#[template(path = "cafe/kitchen/expo.html")]
struct ExpoPage {
    ctx: PageCtx,
    branch: CafeBranch,
    open: Vec<ExpoOrder>,
    ready: Vec<ExpoOrder>,
}

#[derive(Template)]
#[template(path = "cafe/kitchen/expo_board.html")]
struct ExpoBoard {
    open: Vec<ExpoOrder>,
    ready: Vec<ExpoOrder>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExpoQuery {
    /// `board`: the orders alone, for the live refresh.
    pub part: String,
}

/// `GET /kitchen/expo`: every order of the branch across its stations, ready only when every
/// station is done.
pub async fn expo(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
    q: web::Query<ExpoQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let (branch, (open, ready)) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let orders = model::expo(c, branch.id, BusinessClock::now_utc())?;
            Ok((branch, orders))
        })
        .await?;
    if q.part == "board" {
        return html(&ExpoBoard { open, ready });
    }
    html(&ExpoPage {
        ctx,
        branch,
        open,
        ready,
    })
}

/// `POST /floor/sessions/{id}/fire`: the bill's held lines go to their stations.
pub async fn fire(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let (branch, fired) = state
        .db
        .write(move |c| {
            let head = crate::cafe::floor::model::own_session(c, &user, id)?;
            if head.closed_at.is_some() {
                return Err(AppError::Conflict("This bill is already closed.".into()));
            }
            Ok((
                head.branch_id,
                model::fire_held(c, &actor, id, BusinessClock::now_utc())?,
            ))
        })
        .await?;
    if fired > 0 {
        state.events.publish(CafeEvent::ticket_new(branch, id));
        flash::success(
            &session,
            format!("Fired: {fired} ticket(s) went to the kitchen."),
        );
    } else {
        flash::push(
            &session,
            flash::Kind::Info,
            "Nothing was held: everything is already with the kitchen.",
        );
    }
    Ok(see_other(&format!("/floor/sessions/{id}")))
}
