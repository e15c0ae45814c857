//! The cafe's records through the API: closed bills (`/api/sales/`), guests' feedback
//! (`/api/feedback/`) and the figures (`/api/stats/`), read from the same rows and daily
//! summaries as the stats page, never by loading every sale.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Amount, Moment, PageNumber, Paginated, Problem};
use crate::api::{not_found, of_branch};
use crate::cafe::reviews::{self, Review};
use crate::cafe::stats::model as stats;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::clock::BusinessClock;
use crate::platform::db::{AnyConnection, MultiBackend};
use crate::platform::error::AppError;
use crate::platform::forms::{self, Pairs};
use crate::platform::money::Money;
use crate::platform::schema::cafe_sales;
use crate::platform::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SoldItem {
    /// The menu item's id.
    pub id: i64,
    pub name: String,
    /// The category as it was when sold.
    pub category: String,
    pub qty: i64,
    pub price: Amount,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SaleOut {
    pub id: i64,
    pub table_num: Option<i64>,
    /// `dine_in`, `takeaway` or `delivery`.
    pub session_type: String,
    pub customer_name: String,
    pub items_json: Vec<SoldItem>,
    pub subtotal: Amount,
    pub discount_amount: Amount,
    pub discount_code: String,
    pub tax: Amount,
    pub total: Amount,
    /// `cash`, `card` or `upi`.
    pub payment_method: String,
    pub start_time: String,
    pub closed_at: String,
}

type SaleRow = (
    i64,
    Option<i64>,
    String,
    String,
    String,
    (i64, i64, i64, i64),
    Option<String>,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
);

macro_rules! sale_columns {
    () => {
        (
            cafe_sales::id,
            cafe_sales::table_number,
            cafe_sales::kind,
            cafe_sales::customer_name,
            cafe_sales::items_json,
            (
                cafe_sales::subtotal_minor,
                cafe_sales::discount_minor,
                cafe_sales::tax_minor,
                cafe_sales::total_minor,
            ),
            cafe_sales::discount_code,
            cafe_sales::payment_method,
            cafe_sales::opened_at,
            cafe_sales::closed_at,
        )
    };
}

fn sale_out(clock: &BusinessClock, r: SaleRow) -> SaleOut {
    let (
        id,
        table_num,
        kind,
        customer,
        items,
        (sub, disc, tax, total),
        code,
        method,
        opened,
        closed,
    ) = r;
    SaleOut {
        id,
        table_num,
        session_type: kind,
        customer_name: customer,
        // The snapshot the close wrote; prices as "180.00" strings read back exactly.
        items_json: serde_json::from_str(&items).unwrap_or_default(),
        subtotal: Amount(Money(sub)),
        discount_amount: Amount(Money(disc)),
        discount_code: code.unwrap_or_default().to_uppercase(),
        tax: Amount(Money(tax)),
        total: Amount(Money(total)),
        payment_method: method,
        start_time: Moment::of(clock, opened),
        closed_at: Moment::of(clock, closed),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SalesQuery {
    pub table_num: String,
    /// `cash`, `card` or `upi`.
    pub payment_method: String,
    /// Closed on or after this business day, `2026-12-01`.
    #[serde(rename = "closed_at__date__gte")]
    pub from: String,
    /// Closed on or before this business day.
    #[serde(rename = "closed_at__date__lte")]
    pub to: String,
    /// `closed_at`, `total` or `table_num`, `-` first for descending (default `-closed_at`).
    pub ordering: String,
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

/// Closed bills, newest first, 20 a page (an indexed range; no sale is loaded but the page's).
#[utoipa::path(get, path = "/api/sales/", tag = "sales", params(SalesQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<SaleOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn sales(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<SalesQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let clock = state.clock;
    let day = |raw: &str, field: &'static str| {
        forms::filter_date(Some(raw), "The day").map_err(|m| AppError::field_invalid(field, m))
    };
    let (from, to) = clock.day_range_utc(
        day(&q.from, "closed_at__date__gte")?,
        day(&q.to, "closed_at__date__lte")?,
    );
    let method = match q.payment_method.trim() {
        "" => None,
        m => Some(
            crate::cafe::sales::PaymentMethod::parse(m)
                .ok_or_else(|| {
                    AppError::field_invalid("payment_method", "Choose cash, card or upi.")
                })?
                .as_str(),
        ),
    };
    let table = json::id_filter(&q.table_num, "table_num")?;
    let order = json::ordering(&q.ordering, &["closed_at", "total", "table_num"])?
        .map(|o| (o.field, o.descending));
    let requested = json::id_filter(&q.branch, "branch")?;
    let (count, rows) = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let filtered = || {
                let mut q = cafe_sales::table
                    .filter(cafe_sales::branch_id.eq(branch))
                    .into_boxed::<MultiBackend>();
                if let Some(f) = from {
                    q = q.filter(cafe_sales::closed_at.ge(f));
                }
                if let Some(t) = to {
                    q = q.filter(cafe_sales::closed_at.lt(t));
                }
                if let Some(m) = method {
                    q = q.filter(cafe_sales::payment_method.eq(m));
                }
                if let Some(t) = table {
                    q = q.filter(cafe_sales::table_number.eq(t));
                }
                q
            };
            let count: i64 = filtered().count().get_result(c)?;
            page.check(count)?;
            let q = filtered();
            let q = match order {
                Some(("total", false)) => {
                    q.order((cafe_sales::total_minor.asc(), cafe_sales::id.asc()))
                }
                Some(("total", true)) => {
                    q.order((cafe_sales::total_minor.desc(), cafe_sales::id.desc()))
                }
                Some(("table_num", false)) => {
                    q.order((cafe_sales::table_number.asc(), cafe_sales::id.asc()))
                }
                Some(("table_num", true)) => {
                    q.order((cafe_sales::table_number.desc(), cafe_sales::id.desc()))
                }
                Some((_, false)) => q.order((cafe_sales::closed_at.asc(), cafe_sales::id.asc())),
                _ => q.order((cafe_sales::closed_at.desc(), cafe_sales::id.desc())),
            };
            let rows: Vec<SaleRow> = q
                .offset(page.offset())
                .limit(json::PAGE_SIZE)
                .select(sale_columns!())
                .load(c)?;
            Ok((count, rows))
        })
        .await?;
    let rows = rows.into_iter().map(|r| sale_out(&clock, r)).collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

fn sale_of(conn: &mut AnyConnection, user: &CurrentUser, id: i64) -> Result<SaleRow, AppError> {
    let (branch, row): (i64, SaleRow) = cafe_sales::table
        .find(id)
        .select((cafe_sales::branch_id, sale_columns!()))
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    of_branch(user, branch)?;
    Ok(row)
}

/// One closed bill.
#[utoipa::path(get, path = "/api/sales/{id}/", tag = "sales", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = SaleOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn sale(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let row = state.db.read(move |c| sale_of(c, &user, id)).await?;
    Ok(json::ok(&sale_out(&state.clock, row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackOut {
    /// The sale the feedback is about.
    pub session_record: i64,
    pub table_num: Option<i64>,
    pub overall_rating: i64,
    pub food_rating: Option<i64>,
    pub service_rating: Option<i64>,
    pub comment: String,
    pub would_recommend: Option<bool>,
    pub created_at: String,
}

fn feedback_out(clock: &BusinessClock, r: Review, sale: i64) -> FeedbackOut {
    FeedbackOut {
        session_record: sale,
        table_num: r.table_number,
        overall_rating: r.overall,
        food_rating: r.food,
        service_rating: r.service,
        comment: r.comment,
        would_recommend: r.would_recommend,
        created_at: Moment::of(clock, r.at),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// 1 to 5.
    pub overall_rating: String,
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

/// Guests' feedback, newest first (managers).
#[utoipa::path(get, path = "/api/feedback/", tag = "feedback", params(FeedbackQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<FeedbackOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn feedback(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<FeedbackQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let rating = json::id_filter(&q.overall_rating, "overall_rating")?;
    if rating.is_some_and(|r| !(1..=5).contains(&r)) {
        return Err(AppError::field_invalid(
            "overall_rating",
            "A rating is 1 to 5.",
        ));
    }
    let requested = json::id_filter(&q.branch, "branch")?;
    let clock = state.clock;
    let (count, rows) = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let f = reviews::Filter {
                branch_id: branch,
                rating,
                ..Default::default()
            };
            let count = reviews::averages(c, &f)?.count;
            page.check(count)?;
            let rows = reviews::list(c, &f, page.offset(), json::PAGE_SIZE)?;
            let mut out = Vec::new();
            for r in rows {
                let sale: i64 = cafe_sales::table
                    .filter(cafe_sales::session_id.eq(r.session_id))
                    .select(cafe_sales::id)
                    .first(c)?;
                out.push(feedback_out(&clock, r, sale));
            }
            Ok((count, out))
        })
        .await?;
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// The sale (closed bill) the feedback is about.
    pub session_record: Option<i64>,
    /// 1 to 5.
    pub overall_rating: Option<i64>,
    pub food_rating: Option<i64>,
    pub service_rating: Option<i64>,
    pub comment: Option<String>,
    pub would_recommend: Option<bool>,
}

/// Record a guest's feedback on a closed bill (floor staff and managers; guests give theirs on
/// their table's page). One per bill.
#[utoipa::path(post, path = "/api/feedback/", tag = "feedback", request_body = FeedbackBody,
    security(("token" = [])),
    responses((status = 201, body = FeedbackOut), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No such sale"),
        (status = 409, body = Problem, description = "This bill already has feedback")))]
pub async fn give_feedback(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<FeedbackBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let sale_id = b
        .session_record
        .ok_or_else(|| AppError::field_invalid("session_record", "This field is required."))?;
    let star = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    // The guest page's own parsing, so the two accept exactly the same.
    let pairs = Pairs(vec![
        ("overall".into(), star(b.overall_rating)),
        ("food".into(), star(b.food_rating)),
        ("service".into(), star(b.service_rating)),
        ("comment".into(), b.comment.unwrap_or_default()),
        (
            "recommend".into(),
            match b.would_recommend {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        ),
    ]);
    let f = crate::cafe::guest::feedback::parse(&pairs)?;
    let clock = state.clock;
    let out = state
        .db
        .write(move |c| {
            sale_of(c, &user, sale_id)?;
            let now = BusinessClock::now_utc();
            crate::cafe::guest::feedback::save(c, &actor, sale_id, &f, now)?;
            let table: Option<i64> = cafe_sales::table
                .find(sale_id)
                .select(cafe_sales::table_number)
                .first(c)?;
            Ok(FeedbackOut {
                session_record: sale_id,
                table_num: table,
                overall_rating: f.overall,
                food_rating: f.food,
                service_rating: f.service,
                comment: f.comment,
                would_recommend: f.would_recommend,
                created_at: Moment::of(&clock, now),
            })
        })
        .await?;
    Ok(json::created(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodayOut {
    /// Today's takings (business day, bills closed so far), tax included.
    pub revenue: Amount,
    pub orders: i64,
    pub avg_order: Amount,
    /// Tables with an open bill now.
    pub active_tables: i64,
    /// Today's average rating, two decimals, or null.
    pub feedback_avg: Option<f64>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First business day (default: 30 days before `date_to`).
    pub date_from: String,
    /// Last business day (default: today).
    pub date_to: String,
    /// The day of `hourly` (default: today).
    pub date: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

/// Today so far: takings, orders, average order, open tables, rating (managers). "Today" is
/// the business day in the business time zone (the old system counted from midnight UTC).
#[utoipa::path(get, path = "/api/stats/", tag = "stats", params(StatsQuery),
    security(("token" = [])),
    responses((status = 200, body = TodayOut), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn today(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = json::id_filter(&q.branch, "branch")?;
    let clock = state.clock;
    let out = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let now = BusinessClock::now_utc();
            let start = clock.day_start_utc(clock.to_local(now).date_naive());
            let t = stats::takings_between(c, branch, start, now + chrono::Duration::seconds(1))?;
            let (_, rating) =
                stats::rating_between(c, branch, start, now + chrono::Duration::seconds(1))?;
            Ok(TodayOut {
                revenue: Amount(t.revenue),
                orders: t.orders,
                avg_order: Amount(t.average()),
                active_tables: stats::active_tables(c, branch)?,
                feedback_avg: rating.and_then(|r| r.parse::<f64>().ok()),
            })
        })
        .await?;
    Ok(json::ok(&out))
}

/// The requested range of business days (at most 366 days; default the last 30).
fn range(q: &StatsQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    forms::day_range(&q.date_from, &q.date_to, today, 30, 366)
        .map_err(|m| AppError::field_invalid("date_from", m))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopItem {
    /// The menu item's id.
    pub id: i64,
    pub name: String,
    pub category: String,
    pub qty: i64,
    pub revenue: Amount,
}

/// The ten best sellers over a range of days, from the daily summaries.
#[utoipa::path(get, path = "/api/stats/top_items/", tag = "stats", params(StatsQuery),
    security(("token" = [])),
    responses((status = 200, body = Vec<TopItem>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn top_items(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, to) = range(&q, state.clock.today())?;
    let requested = json::id_filter(&q.branch, "branch")?;
    let rows = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            Ok(stats::top_items(c, branch, from, to, 10)?)
        })
        .await?;
    let out: Vec<TopItem> = rows
        .into_iter()
        .map(|r| TopItem {
            id: r.menu_item_id,
            name: r.name,
            category: r.category,
            qty: r.quantity,
            revenue: Amount(r.revenue),
        })
        .collect();
    Ok(json::ok(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HourOut {
    /// 0–23, business time.
    pub hour: u32,
    pub revenue: Amount,
    pub orders: i64,
}

/// Takings by hour of one business day (hours without a sale left out, as before).
#[utoipa::path(get, path = "/api/stats/hourly/", tag = "stats", params(StatsQuery),
    security(("token" = [])),
    responses((status = 200, body = Vec<HourOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn hourly(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let clock = state.clock;
    let day = forms::filter_date(Some(q.date.as_str()), "The day")
        .map_err(|m| AppError::field_invalid("date", m))?
        .unwrap_or_else(|| clock.today());
    let requested = json::id_filter(&q.branch, "branch")?;
    let hours = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            Ok(stats::by_hour(c, &clock, branch, day)?)
        })
        .await?;
    let out: Vec<HourOut> = hours
        .iter()
        .enumerate()
        .filter(|(_, t)| t.orders > 0)
        .map(|(h, t)| HourOut {
            hour: h as u32,
            revenue: Amount(t.revenue),
            orders: t.orders,
        })
        .collect();
    Ok(json::ok(&out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryOut {
    /// The category as each sale recorded it.
    pub category: String,
    pub qty: i64,
    pub revenue: Amount,
}

/// Quantity and revenue by category over a range of days, most revenue first.
#[utoipa::path(get, path = "/api/stats/category_breakdown/", tag = "stats", params(StatsQuery),
    security(("token" = [])),
    responses((status = 200, body = Vec<CategoryOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn categories(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, to) = range(&q, state.clock.today())?;
    let requested = json::id_filter(&q.branch, "branch")?;
    let mut rows = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            Ok(stats::by_category(c, branch, from, to)?)
        })
        .await?;
    rows.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(a.category.cmp(&b.category)));
    let out: Vec<CategoryOut> = rows
        .into_iter()
        .map(|r| CategoryOut {
            category: r.category,
            qty: r.quantity,
            revenue: Amount(r.revenue),
        })
        .collect();
    Ok(json::ok(&out))
}
