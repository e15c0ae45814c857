//! `/menu`: the manager's menu list and item form; kitchen staff may 86 items.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::allergens;
use crate::cafe::menu::categories::MenuCategories;
use crate::cafe::menu::model::{self, Filter, Flag, MenuRow};
use crate::cafe::menu::rules::{self, MenuItemForm};
use crate::cafe::scope::{self, CafeBranch};
use crate::platform::archive::ArchiveRoutes;
use crate::platform::audit::Actor;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::category_list;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors, Pairs};
use crate::platform::images::PictureRoutes;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::filter_query;
use crate::platform::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub category_id: String,
    pub stock: String,
    pub trending: String,
    pub archived: String,
    pub branch: String,
}

impl ListQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        let q = self.q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "The search text can be at most 100 characters.".into(),
            ));
        }
        let in_stock = match self.stock.as_str() {
            "" => None,
            "in" => Some(true),
            "out" => Some(false),
            _ => {
                return Err(AppError::BadRequest(
                    "The stock filter must be in or out.".into(),
                ))
            }
        };
        Ok(Filter {
            q: (!q.is_empty()).then(|| q.to_lowercase()),
            category_id: forms::optional_id(&self.category_id).map_err(|_| {
                AppError::BadRequest("The category filter must be one from the list.".into())
            })?,
            in_stock,
            trending_only: self.trending == "1",
            veg_only: false,
            archived: self.archived == "1",
        })
    }
}

#[derive(Template)]
#[template(path = "cafe/menu/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<MenuRow>,
    query: ListQuery,
    categories: Vec<Choice>,
    branch: CafeBranch,
    can_edit: bool,
    back: String,
}

pub async fn list(
    req: HttpRequest,
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter()?;
    let requested = scope::parse_requested(&query.branch)?;
    let u = user.clone();
    let (branch, rows, categories) = state
        .db
        .run(move |c| {
            let branch = scope::resolve(c, &u, requested)?;
            let rows = model::list(c, branch.id, &filter)?;
            Ok((branch, rows, category_list::choices::<MenuCategories>(c)?))
        })
        .await?;
    let back = format!(
        "/menu{}",
        filter_query(&[
            ("q", &query.q),
            ("category_id", &query.category_id),
            ("stock", &query.stock),
            ("trending", &query.trending),
            ("archived", &query.archived),
            ("branch", &query.branch),
        ])
    );
    let _ = req;
    html(&ListPage {
        ctx,
        rows,
        query,
        categories,
        branch,
        can_edit: user.is_manager(),
        back,
    })
}

#[derive(Template)]
#[template(path = "cafe/menu/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    image_id: Option<i64>,
    is_active: bool,
    branch: CafeBranch,
    form: MenuItemForm,
    errors: FormErrors,
    categories: Vec<Choice>,
    allergens: &'static [allergens::Allergen],
}

struct Existing {
    id: i64,
    image_id: Option<i64>,
    is_active: bool,
    branch_id: i64,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    user: CurrentUser,
    requested_branch: Option<i64>,
    existing: Option<Existing>,
    form: MenuItemForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let branch_id = existing.as_ref().map(|e| e.branch_id).or(requested_branch);
    let (branch, categories) = state
        .db
        .run(move |c| {
            Ok((
                scope::resolve(c, &user, branch_id)?,
                category_list::choices::<MenuCategories>(c)?,
            ))
        })
        .await?;
    let (id, image_id, is_active) = existing
        .map(|e| (Some(e.id), e.image_id, e.is_active))
        .unwrap_or((None, None, true));
    html_status(
        status,
        &FormPage {
            ctx,
            id,
            image_id,
            is_active,
            branch,
            form,
            errors,
            categories,
            allergens: allergens::ALL,
        },
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BranchQuery {
    pub branch: String,
}

pub async fn new_form(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let form = MenuItemForm {
        is_veg: true,
        in_stock: true,
        prep_minutes: "10".into(),
        sort_order: "0".into(),
        ..Default::default()
    };
    form_page(
        &state,
        ctx,
        user,
        requested,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: PageCtx,
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    q: web::Query<BranchQuery>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = Pairs(form.into_inner());
    let form = MenuItemForm::from_pairs(&pairs);
    // A branch_id that does not parse is refused, never replaced by the default branch.
    let requested = match scope::parse_requested(pairs.get("branch_id"))? {
        Some(b) => Some(b),
        None => scope::parse_requested(&q.branch)?,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(&state, ctx, user, requested, None, form, errors, status).await
        }
    };
    let name = input.name.clone();
    let u = user.clone();
    let result = state
        .db
        .write(move |c| {
            let branch = scope::resolve(c, &u, requested)?;
            model::create(c, &actor, branch.id, &input)
        })
        .await;
    match result {
        Ok(id) => {
            flash::success(&session, format!("{name} is on the menu."));
            Ok(see_other(&format!("/menu/{id}/edit")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            form_page(&state, ctx, user, requested, None, form, errors, status).await
        }
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let i = state.db.run(move |c| model::find(c, id)).await?;
    let form = MenuItemForm {
        name: i.name.clone(),
        category_id: i.category_id.to_string(),
        price: i.price().plain(),
        description: i.description.clone(),
        emoji: i.emoji.clone(),
        is_veg: i.is_veg,
        calories: i.calories.map(|c| c.to_string()).unwrap_or_default(),
        allergens: i
            .allergens
            .split(',')
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect(),
        allergens_other: i.allergens_other.clone(),
        serving_size: i.serving_size.clone(),
        prep_minutes: i.prep_minutes.to_string(),
        sort_order: i.sort_order.to_string(),
        trending: i.trending,
        in_stock: i.in_stock,
    };
    let existing = Existing {
        id,
        image_id: i.image_id,
        is_active: i.is_active,
        branch_id: i.branch_id,
    };
    form_page(
        &state,
        ctx,
        user,
        None,
        Some(existing),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    ctx: PageCtx,
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = MenuItemForm::from_pairs(&Pairs(form.into_inner()));
    let current = state.db.run(move |c| model::find(c, id)).await?;
    let existing = Existing {
        id,
        image_id: current.image_id,
        is_active: current.is_active,
        branch_id: current.branch_id,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                user,
                None,
                Some(existing),
                form,
                errors,
                status,
            )
            .await
        }
    };
    let name = input.name.clone();
    match state
        .db
        .write(move |c| model::update(c, &actor, id, &input))
        .await
    {
        Ok(()) => {
            flash::success(&session, format!("{name} was saved."));
            Ok(see_other(&format!("/menu/{id}/edit")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            form_page(
                &state,
                ctx,
                user,
                None,
                Some(existing),
                form,
                errors,
                status,
            )
            .await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackForm {
    pub back: String,
}

/// Where to go after a one-click toggle: the list the click came from, never another site.
fn back_to(form: &BackForm, fallback: &str) -> String {
    crate::platform::redirect::return_path(&form.back, &["/menu", "/kitchen"], fallback).to_string()
}

async fn flip(
    user: CurrentUser,
    actor: Actor,
    state: &AppState,
    session: &Session,
    id: i64,
    flag: Flag,
) -> Result<(), AppError> {
    let item = state
        .db
        .write(move |c| {
            scope::check_branch(&user, model::find(c, id)?.branch_id)?;
            model::toggle(c, &actor, id, flag)
        })
        .await?;
    let text = match (flag, item.in_stock, item.trending) {
        (Flag::InStock, true, _) => format!("{} is back in stock.", item.name),
        (Flag::InStock, false, _) => format!("{} is sold out (86).", item.name),
        (Flag::Trending, _, true) => format!("{} is marked trending.", item.name),
        (Flag::Trending, _, false) => format!("{} is no longer trending.", item.name),
    };
    flash::success(session, text);
    Ok(())
}

pub async fn toggle_stock(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<BackForm>,
) -> Result<HttpResponse, AppError> {
    flip(
        user,
        actor,
        &state,
        &session,
        id.into_inner(),
        Flag::InStock,
    )
    .await?;
    Ok(see_other(&back_to(&form, "/menu")))
}

pub async fn toggle_trending(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<BackForm>,
) -> Result<HttpResponse, AppError> {
    flip(
        user,
        actor,
        &state,
        &session,
        id.into_inner(),
        Flag::Trending,
    )
    .await?;
    Ok(see_other(&back_to(&form, "/menu")))
}

/// Archive and restore a menu item (`archive::archive::<MenuItems>`).
pub struct MenuItems;

impl ArchiveRoutes for MenuItems {
    type Row = String;
    fn set_active(
        c: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> Result<String, AppError> {
        Ok(model::set_active(c, actor, id, active)?.name)
    }
    fn said(name: &String, active: bool) -> String {
        if active {
            format!("{name} is back on the menu.")
        } else {
            format!("{name} was archived: guests no longer see it.")
        }
    }
    fn then(id: i64, _: bool) -> String {
        format!("/menu/{id}/edit")
    }
}

/// A menu item's picture (`images::upload_picture::<MenuPictures>`). Archived items' pictures
/// are not served: the guest's menu no longer shows them.
pub struct MenuPictures;

impl PictureRoutes for MenuPictures {
    fn check(c: &mut AnyConnection, id: i64) -> Result<(), AppError> {
        model::find(c, id).map(drop)
    }
    fn attach(c: &mut AnyConnection, actor: &Actor, id: i64, image: i64) -> Result<(), AppError> {
        model::set_image(c, actor, id, Some(image))
    }
    fn shown(c: &mut AnyConnection, id: i64) -> Result<Option<i64>, AppError> {
        let item = model::find(c, id)?;
        Ok(item.image_id.filter(|_| item.is_active))
    }
    const SAID: &'static str = "The picture was updated.";
    fn back(id: i64) -> String {
        format!("/menu/{id}/edit")
    }
}
