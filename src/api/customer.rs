//! `/api/customer/`: a guest's own profile, orders and suggestions. The guest is the visitor of
//! the signed cookie the table page gives (never an address or a header the client sends: the
//! old system took the caller's IP, so guests behind one router saw each other's orders).
//! Reading never creates anything; naming oneself does, rate-limited like the table page.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Amount, Moment, Problem};
use crate::cafe::menu::model as menu;
use crate::cafe::visitors::{self, GuestWrite};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{cafe_sales, cafe_visitors};
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct GuestOut {
    /// Whether this browser is known (has the visitor cookie).
    pub known: bool,
    pub preferred_name: String,
    /// Visits with at least one order.
    pub visit_count: i64,
    pub first_visit: Option<String>,
    pub last_seen: Option<String>,
}

/// Who this browser is, as far as the cafe knows.
#[utoipa::path(get, path = "/api/customer/me/", tag = "customer",
    responses((status = 200, body = GuestOut)))]
pub async fn me(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let hint = visitors::hint(&req);
    let clock = state.clock;
    let out = state
        .db
        .read(move |c| {
            let Some(v) = visitors::find(c, &hint)? else {
                return Ok(GuestOut {
                    known: false,
                    preferred_name: String::new(),
                    visit_count: 0,
                    first_visit: None,
                    last_seen: None,
                });
            };
            let (first, last): (chrono::NaiveDateTime, chrono::NaiveDateTime) =
                cafe_visitors::table
                    .find(v.id)
                    .select((cafe_visitors::first_seen, cafe_visitors::last_seen))
                    .first(c)?;
            Ok(GuestOut {
                known: true,
                preferred_name: v.preferred_name,
                visit_count: v.visit_count,
                first_visit: Some(Moment::of(&clock, first)),
                last_seen: Some(Moment::of(&clock, last)),
            })
        })
        .await?;
    Ok(json::ok(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuestOrder {
    pub id: i64,
    pub table_num: Option<i64>,
    pub items_json: Vec<crate::api::records::SoldItem>,
    pub total: Amount,
    pub closed_at: String,
}

/// This guest's last 20 closed bills, newest first (an empty list for an unknown browser).
#[utoipa::path(get, path = "/api/customer/orders/", tag = "customer",
    responses((status = 200, body = Vec<GuestOrder>)))]
pub async fn orders(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let hint = visitors::hint(&req);
    let clock = state.clock;
    let rows = state
        .db
        .read(move |c| {
            let Some(v) = visitors::find(c, &hint)? else {
                return Ok(Vec::new());
            };
            Ok(cafe_sales::table
                .filter(cafe_sales::visitor_id.eq(v.id))
                .order(cafe_sales::closed_at.desc())
                .limit(20)
                .select((
                    cafe_sales::id,
                    cafe_sales::table_number,
                    cafe_sales::items_json,
                    cafe_sales::total_minor,
                    cafe_sales::closed_at,
                ))
                .load::<(i64, Option<i64>, String, i64, chrono::NaiveDateTime)>(c)?)
        })
        .await?;
    let out: Vec<GuestOrder> = rows
        .into_iter()
        .map(|(id, table, items, total, at)| GuestOrder {
            id,
            table_num: table,
            items_json: serde_json::from_str(&items).unwrap_or_default(),
            total: Amount(Money(total)),
            closed_at: Moment::of(&clock, at),
        })
        .collect();
    Ok(json::ok(&out))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NameBody {
    #[schema(example = "Ana")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NameOut {
    pub preferred_name: String,
}

/// What the cafe should call this guest. Sets the visitor cookie if the browser had none.
#[utoipa::path(post, path = "/api/customer/update_name/", tag = "customer", request_body = NameBody,
    responses((status = 200, body = NameOut), (status = 400, body = Problem),
        (status = 429, body = Problem, description = "Too many changes")))]
pub async fn update_name(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NameBody>,
) -> Result<HttpResponse, AppError> {
    let name = visitors::clean_name(body.name.as_deref().unwrap_or(""))
        .map_err(|_| AppError::field_invalid("name", "Name is required (at most 40 letters)."))?;
    let hint = visitors::hint(&req);
    let n = name.clone();
    let key = state
        .db
        .write(move |c| {
            let now = BusinessClock::now_utc();
            visitors::admit(c, GuestWrite::Name, &hint, 0, now)?;
            let v = visitors::ensure(c, &hint, now)?;
            visitors::set_name(c, &v, &n, hint.ip.clone(), now)?;
            Ok(v.key)
        })
        .await?;
    let mut res = json::ok(&NameOut {
        preferred_name: name,
    });
    visitors::remember(&req, &mut res, &key);
    Ok(res)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestion {
    /// The menu item's id.
    pub id: i64,
    pub name: String,
    pub price: Amount,
    pub emoji: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsOut {
    /// What this guest ordered most (most recent first among equals), still on the menu.
    pub top_picks: Vec<Suggestion>,
    /// Trending items that are not among the picks.
    pub trending: Vec<Suggestion>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SuggestionsQuery {
    /// The branch whose menu (default: the first with a cafe).
    pub branch: String,
}

/// Three picks from this guest's own orders and three trending items, from the branch's menu.
#[utoipa::path(get, path = "/api/customer/suggestions/", tag = "customer",
    params(SuggestionsQuery),
    responses((status = 200, body = SuggestionsOut), (status = 400, body = Problem),
        (status = 404, body = Problem)))]
pub async fn suggestions(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<SuggestionsQuery>,
) -> Result<HttpResponse, AppError> {
    let hint = visitors::hint(&req);
    let requested = json::id_filter(&q.branch, "branch")?;
    let out = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, None, requested)?;
            let items: Vec<menu::MenuItem> = menu::menu_of(c, branch)?
                .into_iter()
                .map(|r| r.item)
                .filter(|i| i.orderable())
                .collect();
            let history = match visitors::find(c, &hint)? {
                Some(v) => crate::cafe::guest::view::history(c, v.id)?,
                None => Vec::new(),
            };
            let on_menu: Vec<crate::cafe::suggestions::PastLine> = history
                .into_iter()
                .filter(|l| items.iter().any(|i| i.id == l.menu_item_id))
                .collect();
            let picks = crate::cafe::suggestions::top_picks(&on_menu, 3);
            let trending_ids: Vec<i64> =
                items.iter().filter(|i| i.trending).map(|i| i.id).collect();
            let trending = crate::cafe::suggestions::trending_besides(&trending_ids, &picks, 3);
            let show = |ids: &[i64]| -> Vec<Suggestion> {
                ids.iter()
                    .filter_map(|id| items.iter().find(|i| i.id == *id))
                    .map(|i| Suggestion {
                        id: i.id,
                        name: i.name.clone(),
                        price: Amount(i.price()),
                        emoji: i.emoji.clone(),
                    })
                    .collect()
            };
            Ok(SuggestionsOut {
                top_picks: show(&picks),
                trending: show(&trending),
            })
        })
        .await?;
    Ok(json::ok(&out))
}
