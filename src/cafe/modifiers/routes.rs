//! `/menu/modifier-groups`: managers keep the groups and their options; the kitchen marks an
//! option out of stock. A refused form comes back on the page with the reason (422), nothing
//! saved.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::modifiers::model::{self, GroupSheet};
use crate::cafe::modifiers::rules;
use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::audit::Actor;
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{FormErrors, Pairs};
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::state::AppState;
use chrono::NaiveDateTime;

const PAGE: &str = "/menu/modifier-groups";

#[derive(Template)]
#[template(path = "cafe/menu/modifiers.html")]
struct ModifiersPage {
    ctx: PageCtx,
    groups: Vec<GroupSheet>,
    refused: Option<String>,
    form: GroupForm,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub min: String,
    pub max: String,
}

impl Default for GroupForm {
    fn default() -> Self {
        GroupForm {
            name: String::new(),
            min: "0".into(),
            max: "1".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OptionForm {
    pub name: String,
    pub delta: String,
    pub sort_order: String,
}

async fn page(
    ctx: PageCtx,
    state: &AppState,
    refused: Option<(StatusCode, String)>,
    form: GroupForm,
) -> Result<HttpResponse, AppError> {
    let groups = state.db.read(|c| Ok(model::all_groups(c)?)).await?;
    let (status, refused) = match refused {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    html_status(
        status,
        &ModifiersPage {
            ctx,
            groups,
            refused,
            form,
        },
    )
}

pub async fn list(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    page(ctx, &state, None, GroupForm::default()).await
}

/// A refusal the page shows above its forms; anything else (a missing record, a database
/// error) is answered as usual.
async fn refused_or(
    ctx: PageCtx,
    state: &AppState,
    e: AppError,
    form: GroupForm,
) -> Result<HttpResponse, AppError> {
    let status = match &e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unprocessable(_) | AppError::Fields { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(e),
    };
    page(ctx, state, Some((status, e.to_string())), form).await
}

fn invalid(errors: &FormErrors) -> (StatusCode, String) {
    (StatusCode::UNPROCESSABLE_ENTITY, errors.first().to_string())
}

fn done(staff: &Staff, said: String) -> HttpResponse {
    flash::success(&staff.session, said);
    see_other(PAGE)
}

/// Checks a form, writes it in one transaction with its audit row, and says so: a refused
/// form comes back on the page with the reason (422 or 409, nothing written, the new group's
/// fields kept), a saved one is a flash on the page.
async fn save<I, T>(
    staff: Staff,
    ctx: PageCtx,
    checked: Result<I, FormErrors>,
    form: GroupForm,
    said: impl FnOnce(&I) -> String,
    write: impl FnOnce(&mut AnyConnection, &Actor, &I, NaiveDateTime) -> Result<T, AppError>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError>
where
    I: Send + 'static,
    T: Send + 'static,
{
    let state = staff.state.clone();
    let input = match checked {
        Ok(i) => i,
        Err(e) => return page(ctx, &state, Some(invalid(&e)), form).await,
    };
    let said = said(&input);
    let actor = staff.actor.clone();
    let r = state
        .db
        .write(move |c| write(c, &actor, &input, BusinessClock::now_utc()))
        .await;
    match r {
        Ok(_) => Ok(done(&staff, said)),
        Err(e) => refused_or(ctx, &state, e, form).await,
    }
}

pub async fn create_group(
    staff: Staff,
    ctx: PageCtx,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let checked = rules::group_input(&form.name, &form.min, &form.max);
    save(
        staff,
        ctx,
        checked,
        form,
        |i| format!("{} was added. Now give it its options.", i.name),
        model::create_group,
    )
    .await
}

pub async fn update_group(
    staff: Staff,
    ctx: PageCtx,
    id: web::Path<i64>,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let checked = rules::group_input(&form.name, &form.min, &form.max);
    save(
        staff,
        ctx,
        checked,
        GroupForm::default(),
        |i| format!("{} was saved.", i.name),
        move |c, a, i, now| model::update_group(c, a, id, i, now),
    )
    .await
}

/// A group's archive and restore buttons (`platform::archive`).
pub struct ModifierGroups;

impl ArchiveRoutes for ModifierGroups {
    const SET_ACTIVE: SetActive = model::set_group_active;
    const SAID: [&'static str; 2] = [
        "{name} was archived: no item asks for it now.",
        "{name} is offered again on its items.",
    ];
    const THEN: [&'static str; 2] = [PAGE, PAGE];
}

/// An option's archive and restore buttons.
pub struct ModifierOptions;

impl ArchiveRoutes for ModifierOptions {
    const SET_ACTIVE: SetActive = model::set_option_active;
    const SAID: [&'static str; 2] = ["{name} was archived.", "{name} is offered again."];
    const THEN: [&'static str; 2] = [PAGE, PAGE];
}

pub async fn add_option(
    staff: Staff,
    ctx: PageCtx,
    id: web::Path<i64>,
    form: web::Form<OptionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let checked = rules::option_input(&form.name, &form.delta, &form.sort_order);
    save(
        staff,
        ctx,
        checked,
        GroupForm::default(),
        |i| format!("{} was added.", i.name),
        move |c, a, i, now| model::add_option(c, a, id, i, now),
    )
    .await
}

pub async fn update_option(
    staff: Staff,
    ctx: PageCtx,
    id: web::Path<i64>,
    form: web::Form<OptionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let checked = rules::option_input(&form.name, &form.delta, &form.sort_order);
    save(
        staff,
        ctx,
        checked,
        GroupForm::default(),
        |i| format!("{} was saved.", i.name),
        move |c, a, i, now| model::update_option(c, a, id, i, now),
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StockForm {
    /// The state wanted ("1" in stock, "0" out), not a flip: a repeated click changes nothing.
    pub in_stock: String,
}

pub async fn option_stock(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<StockForm>,
) -> Result<HttpResponse, AppError> {
    let in_stock = match form.in_stock.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Say whether the option is in stock (1) or out (0).".into(),
            ))
        }
    };
    let (actor, id) = (staff.actor.clone(), id.into_inner());
    let name = staff
        .state
        .db
        .write(move |c| model::set_option_stock(c, &actor, id, in_stock, BusinessClock::now_utc()))
        .await?;
    Ok(done(
        &staff,
        if in_stock {
            format!("{name} is back in stock.")
        } else {
            format!("{name} is marked out of stock: guests cannot choose it.")
        },
    ))
}

/// `POST /menu/{id}/modifier-groups`: the groups ticked on the item's edit page.
pub async fn item_groups(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Pairs>,
) -> Result<HttpResponse, AppError> {
    let ids = form.ids("group_id", 200).map_err(|_| {
        AppError::BadRequest("The groups ticked are not ones we offered. Please reload.".into())
    })?;
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    let (actor, id) = (staff.actor.clone(), id.into_inner());
    let name = staff
        .state
        .db
        .write(move |c| model::set_item_groups(c, &actor, id, &unique, BusinessClock::now_utc()))
        .await?;
    flash::success(
        &staff.session,
        format!("{name} now asks for the groups ticked."),
    );
    Ok(see_other(&format!("/menu/{id}/edit")))
}
