//! `/api/menu/`: the cafe's menu. Reading is public (it is the guest's menu); changing it takes
//! a manager's token, sold-out (86) a kitchen token too — as on the HTML pages, through the
//! same validation (`cafe::menu::rules`) and the same transactions (`cafe::menu::model`).

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Amount, Moment, PageNumber, Paginated, Problem};
use crate::api::{cafe_branch, ApiUser};
use crate::api::{not_found, of_branch};
use crate::cafe::menu::model::{self, Filter, Flag, MenuItem, MenuRow};
use crate::cafe::menu::rules::{self, MenuItemForm};
use crate::cafe::scope;
use crate::platform::audit::Actor;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::menu_categories;
use crate::platform::state::AppState;

/// A menu item as the cafe system's clients read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuItemOut {
    pub id: i64,
    pub name: String,
    /// Whole currency units (a decimal when the price has cents).
    pub price: Amount,
    /// The category's name (`Coffee`).
    pub category: String,
    pub category_id: i64,
    /// The picture's address, or empty.
    pub image: String,
    pub emoji: String,
    pub is_veg: bool,
    pub in_stock: bool,
    pub trending: bool,
    pub description: String,
    pub calories: Option<i64>,
    pub preparation_time_minutes: i64,
    /// Allergens for people: `Dairy, Gluten`.
    pub allergens: String,
    /// The allergen codes (`dairy,gluten`), as writes take them.
    pub allergen_codes: String,
    pub serving_size: String,
    pub sort_order: i64,
    /// In stock and not archived: a guest can order it.
    pub is_available: bool,
    pub is_active: bool,
    pub branch_id: i64,
    pub updated_at: String,
}

impl MenuItemOut {
    fn of(site: &str, clock: &BusinessClock, item: MenuItem, category: String) -> Self {
        let image = match item.image_id {
            Some(_) => format!("{site}/menu/{}/image", item.id),
            None => String::new(),
        };
        MenuItemOut {
            id: item.id,
            price: Amount(item.price()),
            is_available: item.orderable(),
            allergens: item.allergen_labels(),
            allergen_codes: item.allergens.clone(),
            updated_at: Moment::of(clock, item.updated_at),
            name: item.name,
            category,
            category_id: item.category_id,
            image,
            emoji: item.emoji,
            is_veg: item.is_veg,
            in_stock: item.in_stock,
            trending: item.trending,
            description: item.description,
            calories: item.calories,
            preparation_time_minutes: item.prep_minutes,
            serving_size: item.serving_size,
            sort_order: item.sort_order,
            is_active: item.is_active,
            branch_id: item.branch_id,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MenuQuery {
    /// A category's name (any case), or `trending`.
    pub category: String,
    /// `true` or `false`.
    pub is_veg: String,
    /// `true` or `false`.
    pub in_stock: String,
    /// `true` or `false`.
    pub trending: String,
    /// Price at least (whole units or with cents).
    #[serde(rename = "price__gte")]
    pub price_gte: String,
    /// Price at most.
    #[serde(rename = "price__lte")]
    pub price_lte: String,
    /// Text in the name, description or allergens.
    pub search: String,
    /// `price`, `name` or `sort_order`, `-` first for descending.
    pub ordering: String,
    /// A page number from 1.
    pub page: String,
    /// The branch whose menu (default: the first branch with a cafe; staff: their own).
    pub branch: String,
}

fn price_bound(raw: &str, field: &'static str) -> Result<Option<i64>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    crate::platform::money::Money::parse_input(raw)
        .map(|m| Some(m.0))
        .map_err(|e| AppError::field_invalid(field, format!("A price {e}.")))
}

fn bad_branch() -> AppError {
    AppError::field_invalid("branch", "Must be a branch id.")
}

/// The menu, 20 a page.
#[utoipa::path(get, path = "/api/menu/", tag = "menu", params(MenuQuery),
    responses(
        (status = 200, body = Paginated<MenuItemOut>),
        (status = 400, body = Problem, description = "A filter that cannot be read"),
        (status = 404, body = Problem, description = "No such page or branch"),
    ))]
pub async fn list(
    req: HttpRequest,
    user: ApiUser,
    state: web::Data<AppState>,
    q: web::Query<MenuQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let category = q.category.trim().to_lowercase();
    let trending_only =
        category == "trending" || json::bool_filter(&q.trending, "trending")? == Some(true);
    let not_trending = json::bool_filter(&q.trending, "trending")? == Some(false);
    let is_veg = json::bool_filter(&q.is_veg, "is_veg")?;
    let filter = Filter {
        q: json::search_text(&q.search)?,
        category_id: None,
        in_stock: json::bool_filter(&q.in_stock, "in_stock")?,
        trending_only,
        veg_only: false,
        archived: false,
    };
    let (min, max) = (
        price_bound(&q.price_gte, "price__gte")?,
        price_bound(&q.price_lte, "price__lte")?,
    );
    let order = json::ordering(&q.ordering, &["price", "name", "sort_order"])?;
    let requested = json::id_filter(&q.branch, "branch").map_err(|_| bad_branch())?;
    let category_filter = (!category.is_empty() && category != "trending").then_some(category);
    // The branch's whole menu is tens of items, kept in memory while the database's menu
    // counter stands (as for the guest's page), then the filters here.
    let cache = state.cache.clone();
    let rows = state
        .db
        .read(move |c| {
            let branch = cafe_branch(c, user.0.as_ref(), requested)?;
            cache.get(c, model::MENU_COUNTER, branch, |c| {
                Ok(model::menu_of(c, branch)?)
            })
        })
        .await?;
    let text = filter.q.clone();
    let mut rows: Vec<MenuRow> = rows
        .iter()
        .filter(|r| filter.in_stock.is_none_or(|s| r.item.in_stock == s))
        .filter(|r| !filter.trending_only || r.item.trending)
        .filter(|r| {
            text.as_ref().is_none_or(|t| {
                r.item.name.to_lowercase().contains(t.as_str())
                    || r.item.description.to_lowercase().contains(t.as_str())
                    || r.item.allergens.contains(t.as_str())
            })
        })
        .filter(|r| {
            category_filter
                .as_ref()
                .is_none_or(|c| r.category.to_lowercase() == *c)
        })
        .filter(|r| is_veg.is_none_or(|v| r.item.is_veg == v))
        .filter(|r| !not_trending || !r.item.trending)
        .filter(|r| min.is_none_or(|m| r.item.price_minor >= m))
        .filter(|r| max.is_none_or(|m| r.item.price_minor <= m))
        .cloned()
        .collect();
    match order {
        // The cafe system's default: sort order, then name.
        None => rows.sort_by(|a, b| {
            (a.item.sort_order, a.item.name.to_lowercase())
                .cmp(&(b.item.sort_order, b.item.name.to_lowercase()))
        }),
        Some(o) => {
            rows.sort_by(|a, b| {
                let ord = match o.field {
                    "price" => a.item.price_minor.cmp(&b.item.price_minor),
                    "name" => a.item.name.to_lowercase().cmp(&b.item.name.to_lowercase()),
                    _ => a.item.sort_order.cmp(&b.item.sort_order),
                };
                let ord = ord.then(a.item.id.cmp(&b.item.id));
                if o.descending {
                    ord.reverse()
                } else {
                    ord
                }
            });
        }
    }
    let (clock, site) = (state.clock, json::site(&req));
    let out: Vec<MenuItemOut> = rows
        .into_iter()
        .map(|r| MenuItemOut::of(&site, &clock, r.item, r.category))
        .collect();
    Ok(json::ok(&json::page_of_all(&req, page, out)?))
}

fn category_name(conn: &mut AnyConnection, id: i64) -> Result<String, AppError> {
    Ok(menu_categories::table
        .find(id)
        .select(menu_categories::name)
        .first(conn)?)
}

/// The item, if the caller may see it: archived items only with a staff token of its branch.
fn visible(
    conn: &mut AnyConnection,
    user: Option<&crate::platform::auth::CurrentUser>,
    id: i64,
) -> Result<MenuItem, AppError> {
    let item = model::find(conn, id)?;
    match user {
        Some(u) => of_branch(u, item.branch_id)?,
        None if !item.is_active => return Err(not_found()),
        None => {}
    }
    Ok(item)
}

fn item_reply(
    site: &str,
    state: &AppState,
    conn: &mut AnyConnection,
    item: MenuItem,
) -> Result<MenuItemOut, AppError> {
    let category = category_name(conn, item.category_id)?;
    Ok(MenuItemOut::of(site, &state.clock, item, category))
}

/// One menu item.
#[utoipa::path(get, path = "/api/menu/{id}/", tag = "menu",
    params(("id" = i64, Path, description = "The menu item's id")),
    responses((status = 200, body = MenuItemOut), (status = 404, body = Problem)))]
pub async fn detail(
    req: HttpRequest,
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (st, site) = (state.clone(), json::site(&req));
    let out = state
        .db
        .read(move |c| {
            let item = visible(c, user.0.as_ref(), id)?;
            item_reply(&site, &st, c, item)
        })
        .await?;
    Ok(json::ok(&out))
}

/// What a create or change may carry. A create (POST) or a replace (PUT) needs `name`,
/// `price` and a category (`category` by name or `category_id`); a PATCH only what changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MenuItemBody {
    #[schema(example = "Iced latte")]
    pub name: Option<String>,
    #[schema(value_type = Option<f64>, example = 180)]
    pub price: Option<Amount>,
    /// A category's name (any case).
    #[schema(example = "Coffee")]
    pub category: Option<String>,
    pub category_id: Option<i64>,
    pub description: Option<String>,
    pub emoji: Option<String>,
    pub is_veg: Option<bool>,
    pub in_stock: Option<bool>,
    pub trending: Option<bool>,
    pub calories: Option<i64>,
    pub preparation_time_minutes: Option<i64>,
    /// Allergen codes separated by commas: `dairy,gluten,nuts,egg,soy,shellfish,fish,sesame`
    /// (see the menu form for the full list).
    pub allergens: Option<String>,
    pub serving_size: Option<String>,
    pub sort_order: Option<i64>,
    /// The branch a new item goes to (managers; default: the first branch with a cafe).
    pub branch_id: Option<i64>,
}

impl MenuItemBody {
    /// The item form as the HTML page would have sent it, over `base` (the stored item for a
    /// PATCH, empty for a create or a replace) — so the API and the page share one validation.
    fn into_form(
        self,
        conn: &mut AnyConnection,
        base: MenuItemForm,
    ) -> Result<MenuItemForm, AppError> {
        let mut f = base;
        let category_id = match (self.category_id, self.category) {
            (Some(id), _) => Some(id.to_string()),
            (None, Some(name)) => Some(
                category_by_name(conn, &name)?
                    .map(|id| id.to_string())
                    .ok_or_else(|| {
                        AppError::field_invalid("category", "No category has that name.")
                    })?,
            ),
            (None, None) => None,
        };
        if let Some(c) = category_id {
            f.category_id = c;
        }
        json::fill(&mut f.name, self.name);
        json::fill(&mut f.price, self.price.map(|a| a.0.plain()));
        json::fill(&mut f.description, self.description);
        json::fill(&mut f.emoji, self.emoji);
        json::fill(&mut f.calories, self.calories.map(|c| c.to_string()));
        json::fill(
            &mut f.prep_minutes,
            self.preparation_time_minutes.map(|c| c.to_string()),
        );
        json::fill(&mut f.serving_size, self.serving_size);
        json::fill(&mut f.sort_order, self.sort_order.map(|c| c.to_string()));
        if let Some(a) = self.allergens {
            f.allergens = a
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .take(50)
                .collect();
        }
        if let Some(b) = self.is_veg {
            f.is_veg = b;
        }
        if let Some(b) = self.in_stock {
            f.in_stock = b;
        }
        if let Some(b) = self.trending {
            f.trending = b;
        }
        Ok(f)
    }
}

fn category_by_name(conn: &mut AnyConnection, name: &str) -> Result<Option<i64>, AppError> {
    let wanted = name.trim().to_lowercase();
    let all: Vec<(i64, String)> = menu_categories::table
        .filter(menu_categories::is_active.eq(true))
        .select((menu_categories::id, menu_categories::name))
        .load(conn)?;
    Ok(all
        .into_iter()
        .find(|(_, n)| n.to_lowercase() == wanted)
        .map(|(id, _)| id))
}

/// The form of a stored item (the base a PATCH changes).
fn form_of(item: &MenuItem) -> MenuItemForm {
    MenuItemForm {
        name: item.name.clone(),
        category_id: item.category_id.to_string(),
        price: item.price().plain(),
        description: item.description.clone(),
        emoji: item.emoji.clone(),
        is_veg: item.is_veg,
        calories: item.calories.map(|c| c.to_string()).unwrap_or_default(),
        allergens: item
            .allergens
            .split(',')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        allergens_other: item.allergens_other.clone(),
        serving_size: item.serving_size.clone(),
        prep_minutes: item.prep_minutes.to_string(),
        sort_order: item.sort_order.to_string(),
        trending: item.trending,
        in_stock: item.in_stock,
        branch_id: item.branch_id.to_string(),
    }
}

/// A new item starts in stock unless the body says otherwise.
fn new_form() -> MenuItemForm {
    MenuItemForm {
        in_stock: true,
        is_veg: true,
        ..Default::default()
    }
}

/// Add an item to the menu (managers).
#[utoipa::path(post, path = "/api/menu/", tag = "menu", request_body = MenuItemBody,
    security(("token" = [])),
    responses(
        (status = 201, body = MenuItemOut),
        (status = 400, body = Problem, description = "Field errors: `{\"price\": [\"…\"]}`"),
        (status = 401, body = Problem), (status = 403, body = Problem),
    ))]
pub async fn create(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<MenuItemBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let (st, site) = (state.clone(), json::site(&req));
    let out = state
        .db
        .write(move |c| {
            let branch = scope::resolve(c, &user, body.branch_id)?;
            if branch.archived {
                return Err(AppError::field_invalid(
                    "branch_id",
                    "That branch is archived.",
                ));
            }
            let form = body.into_form(c, new_form())?;
            let input = rules::validate(&form).map_err(json::field_errors)?;
            let id = model::create(c, &actor, branch.id, &input)?;
            let item = model::find(c, id)?;
            item_reply(&site, &st, c, item)
        })
        .await?;
    Ok(json::created(&out))
}

async fn change(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: i64,
    body: MenuItemBody,
    partial: bool,
) -> Result<HttpResponse, AppError> {
    let (st, site) = (state.clone(), json::site(&req));
    let out = state
        .db
        .write(move |c| {
            let item = visible(c, Some(&user), id)?;
            let base = if partial {
                form_of(&item)
            } else {
                if body.name.is_none()
                    || body.price.is_none()
                    || (body.category.is_none() && body.category_id.is_none())
                {
                    let mut e = crate::platform::forms::FormErrors::default();
                    for (field, missing) in [
                        ("name", body.name.is_none()),
                        ("price", body.price.is_none()),
                        (
                            "category",
                            body.category.is_none() && body.category_id.is_none(),
                        ),
                    ] {
                        if missing {
                            e.add(field, "This field is required.");
                        }
                    }
                    return Err(json::field_errors(e));
                }
                new_form()
            };
            let form = body.into_form(c, base)?;
            let input = rules::validate(&form).map_err(json::field_errors)?;
            model::update(c, &actor, id, &input)?;
            let item = model::find(c, id)?;
            item_reply(&site, &st, c, item)
        })
        .await?;
    Ok(json::ok(&out))
}

/// Replace an item (managers): every field not sent takes its default.
#[utoipa::path(put, path = "/api/menu/{id}/", tag = "menu", request_body = MenuItemBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses(
        (status = 200, body = MenuItemOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn replace(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<MenuItemBody>,
) -> Result<HttpResponse, AppError> {
    change(
        req,
        user,
        actor,
        state,
        id.into_inner(),
        body.into_inner(),
        false,
    )
    .await
}

/// Change some fields of an item (managers).
#[utoipa::path(patch, path = "/api/menu/{id}/", tag = "menu", request_body = MenuItemBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses(
        (status = 200, body = MenuItemOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn patch(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<MenuItemBody>,
) -> Result<HttpResponse, AppError> {
    change(
        req,
        user,
        actor,
        state,
        id.into_inner(),
        body.into_inner(),
        true,
    )
    .await
}

/// Take an item off the menu (managers). It is archived, not erased: past bills and sales
/// name it, and a manager can restore it on the menu page.
#[utoipa::path(delete, path = "/api/menu/{id}/", tag = "menu",
    params(("id" = i64, Path)), security(("token" = [])),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn delete(
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            let item = visible(c, Some(&user), id)?;
            if !item.is_active {
                return Err(not_found());
            }
            model::set_active(c, &actor, id, false).map(drop)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn flip(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: i64,
    flag: Flag,
) -> Result<HttpResponse, AppError> {
    let (st, site) = (state.clone(), json::site(&req));
    let out = state
        .db
        .write(move |c| {
            visible(c, Some(&user), id)?;
            let item = model::toggle(c, &actor, id, flag)?;
            item_reply(&site, &st, c, item)
        })
        .await?;
    Ok(json::ok(&out))
}

/// Sold out (86) or back in stock (kitchen and managers).
#[utoipa::path(post, path = "/api/menu/{id}/toggle_stock/", tag = "menu",
    params(("id" = i64, Path)), security(("token" = [])),
    responses(
        (status = 200, body = MenuItemOut),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn toggle_stock(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    flip(req, user, actor, state, id.into_inner(), Flag::InStock).await
}

/// Trending on the guest's menu or not (managers).
#[utoipa::path(post, path = "/api/menu/{id}/toggle_trending/", tag = "menu",
    params(("id" = i64, Path)), security(("token" = [])),
    responses(
        (status = 200, body = MenuItemOut),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn toggle_trending(
    req: HttpRequest,
    user: crate::platform::auth::CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    flip(req, user, actor, state, id.into_inner(), Flag::Trending).await
}
