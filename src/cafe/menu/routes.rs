//! `/menu`: the manager's menu list and item form; kitchen staff may 86 items.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::allergens;
use crate::cafe::menu::categories::MenuCategories;
use crate::cafe::menu::model::{self, Filter, Flag, MenuRow};
use crate::cafe::menu::rules::{self, MenuItemForm, MenuItemInput};
use crate::cafe::scope::{self, CafeBranch};
use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::auth::Staff;
use crate::platform::category_list;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::images::PictureRoutes;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::filter_query;
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
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
    /// Every modifier group, and whether this item offers it (a saved item only).
    groups: Vec<(crate::cafe::modifiers::model::ModifierGroup, bool)>,
}

/// The menu item form (`record_form::{new, create, edit, update}::<MenuItems>`): a new item
/// goes to the branch the form names (`branch_id`), within the user's scope.
impl RecordForm for MenuItems {
    type Form = MenuItemForm;
    const UPDATE: Update<Self> = model::update;
    const SAID: [&'static str; 2] = ["{name} is on the menu.", "{name} was saved."];
    const NEXT: &'static str = "/menu/{id}/edit";
    type Input = MenuItemInput;

    fn blank(_: &AppState, req: &HttpRequest) -> Result<MenuItemForm, AppError> {
        Ok(MenuItemForm {
            is_veg: true,
            in_stock: true,
            prep_minutes: "10".into(),
            sort_order: "0".into(),
            branch_id: scope::form_branch(req)?,
            ..Default::default()
        })
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<MenuItemForm, AppError> {
        let i = model::find(c, id)?;
        Ok(MenuItemForm {
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
            branch_id: i.branch_id.to_string(),
        })
    }
    fn validate(form: &MenuItemForm, _: Ask) -> Result<MenuItemInput, FormErrors> {
        rules::validate(form)
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        let branch = scope::resolve(c, new.user, scope::parse_requested(&new.form.branch_id)?)?;
        model::create(c, new.actor, branch.id, new.input)
    }
    fn name(input: &MenuItemInput) -> String {
        input.name.clone()
    }
    async fn page(v: FormView<MenuItemForm>) -> Result<HttpResponse, AppError> {
        // A new item's branch is the one its form names; a saved item's is its own.
        let requested = match v.id {
            None => scope::parse_requested(&v.form.branch_id)?,
            Some(_) => None,
        };
        let (id, user) = (v.id, v.user.clone());
        let (branch, categories, saved, groups) = v
            .state
            .db
            .run(move |c| {
                let saved = id.map(|id| model::find(c, id)).transpose()?;
                let branch_id = saved.as_ref().map(|i| i.branch_id).or(requested);
                let groups = match id {
                    Some(id) => {
                        let on = crate::cafe::modifiers::model::groups_of_item(c, id)?;
                        crate::cafe::modifiers::model::all_groups(c)?
                            .into_iter()
                            .filter(|s| s.group.is_active || on.contains(&s.group.id))
                            .map(|s| {
                                let ticked = on.contains(&s.group.id);
                                (s.group, ticked)
                            })
                            .collect()
                    }
                    None => Vec::new(),
                };
                Ok((
                    scope::resolve(c, &user, branch_id)?,
                    category_list::choices::<MenuCategories>(c)?,
                    saved,
                    groups,
                ))
            })
            .await?;
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            image_id: saved.as_ref().and_then(|i| i.image_id),
            is_active: saved.is_none_or(|i| i.is_active),
            branch,
            form: v.form,
            errors: v.errors,
            categories,
            allergens: allergens::ALL,
            groups,
        };
        html_status(v.status, &page)
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

/// Kitchen staff 86 an item or bring it back, managers mark it trending: one click, then back
/// to the list it came from.
async fn flip(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<BackForm>,
    flag: Flag,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
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
    flash::success(&session, text);
    Ok(see_other(&back_to(&form, "/menu")))
}

pub async fn toggle_stock(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<BackForm>,
) -> Result<HttpResponse, AppError> {
    flip(staff, id, form, Flag::InStock).await
}

pub async fn toggle_trending(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<BackForm>,
) -> Result<HttpResponse, AppError> {
    flip(staff, id, form, Flag::Trending).await
}

/// Archive and restore a menu item (`archive::archive::<MenuItems>`).
pub struct MenuItems;

impl ArchiveRoutes for MenuItems {
    const SET_ACTIVE: SetActive = model::set_active;
    const SAID: [&'static str; 2] = [
        "{name} was archived: guests no longer see it.",
        "{name} is back on the menu.",
    ];
    const THEN: [&'static str; 2] = ["/menu/{id}/edit", "/menu/{id}/edit"];
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub branch: String,
}

/// `/menu/export.csv?branch=`: a branch's active menu in the import's columns.
pub async fn export(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = scope::parse_requested(&q.branch)?;
    let branch = state
        .db
        .read(move |c| scope::resolve(c, &user, requested))
        .await?;
    let header = crate::platform::spreadsheet::template_header(super::import::COLUMNS);
    let branch_id = branch.id;
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("menu", state.clock.today()),
        &header,
        move |conn, after, limit| super::import::export_page(conn, branch_id, after, limit),
    ))
}
