//! `/feedback` (managers): what guests said after their visits, filtered by day, rating,
//! recommendation and table, with the averages of what is shown; each entry links to its bill.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde::Deserialize;

use crate::cafe::scope::{self, CafeBranch};
use crate::platform::auth::CurrentUser;
use crate::platform::db::{AnyConnection, MultiBackend};
use crate::platform::error::AppError;
use crate::platform::forms;
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::schema::{cafe_feedback, cafe_sales};
use crate::platform::state::AppState;

#[derive(Debug, Clone)]
pub struct Review {
    pub at: NaiveDateTime,
    pub overall: i64,
    pub food: Option<i64>,
    pub service: Option<i64>,
    pub would_recommend: Option<bool>,
    pub comment: String,
    pub session_id: i64,
    pub table_number: Option<i64>,
    pub total: Money,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub branch_id: i64,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    pub rating: Option<i64>,
    pub recommend: Option<bool>,
    pub table: Option<i64>,
}

type Boxed<'a> = diesel::helper_types::IntoBoxed<
    'a,
    diesel::helper_types::InnerJoin<cafe_feedback::table, cafe_sales::table>,
    MultiBackend,
>;

fn filtered(f: &Filter) -> Boxed<'static> {
    let mut q = cafe_feedback::table
        .inner_join(cafe_sales::table)
        .into_boxed::<MultiBackend>()
        .filter(cafe_sales::branch_id.eq(f.branch_id));
    if let Some(from) = f.from {
        q = q.filter(cafe_feedback::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(cafe_feedback::created_at.lt(to));
    }
    if let Some(r) = f.rating {
        q = q.filter(cafe_feedback::overall_rating.eq(r));
    }
    if let Some(r) = f.recommend {
        q = q.filter(cafe_feedback::would_recommend.eq(r));
    }
    if let Some(t) = f.table {
        q = q.filter(cafe_sales::table_number.eq(t));
    }
    q
}

type Stored = (
    NaiveDateTime,
    i64,
    Option<i64>,
    Option<i64>,
    Option<bool>,
    String,
    i64,
    Option<i64>,
    i64,
);

pub fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Review>> {
    let rows: Vec<Stored> = filtered(f)
        .order((cafe_feedback::created_at.desc(), cafe_feedback::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((
            cafe_feedback::created_at,
            cafe_feedback::overall_rating,
            cafe_feedback::food_rating,
            cafe_feedback::service_rating,
            cafe_feedback::would_recommend,
            cafe_feedback::comment,
            cafe_sales::session_id,
            cafe_sales::table_number,
            cafe_sales::total_minor,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Review {
            at: r.0,
            overall: r.1,
            food: r.2,
            service: r.3,
            would_recommend: r.4,
            comment: r.5,
            session_id: r.6,
            table_number: r.7,
            total: Money(r.8),
        })
        .collect())
}

/// The averages of everything the filter matches (not only the page), from SQL sums.
#[derive(Debug, Clone, Default)]
pub struct Averages {
    pub count: i64,
    pub overall: Option<String>,
    pub food: Option<String>,
    pub service: Option<String>,
    /// Share of those who answered that would recommend, in whole percent.
    pub recommend: Option<i64>,
}

fn mean(sum: i64, n: i64) -> Option<String> {
    (n > 0).then(|| format!("{:.1}", sum as f64 / n as f64))
}

pub fn averages(conn: &mut AnyConnection, f: &Filter) -> QueryResult<Averages> {
    let (count, overall, food_sum, food_n, service_sum, service_n, yes, answered): (
        i64, i64, i64, i64, i64, i64, i64, i64,
    ) = filtered(f)
        .select((
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_feedback.overall_rating), 0) AS BIGINT)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_feedback.food_rating), 0) AS BIGINT)"),
            sql::<BigInt>("COUNT(cafe_feedback.food_rating)"),
            sql::<BigInt>("CAST(COALESCE(SUM(cafe_feedback.service_rating), 0) AS BIGINT)"),
            sql::<BigInt>("COUNT(cafe_feedback.service_rating)"),
            sql::<BigInt>(
                "CAST(COALESCE(SUM(CASE WHEN cafe_feedback.would_recommend THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ),
            sql::<BigInt>("COUNT(cafe_feedback.would_recommend)"),
        ))
        .first(conn)?;
    Ok(Averages {
        count,
        overall: mean(overall, count),
        food: mean(food_sum, food_n),
        service: mean(service_sum, service_n),
        recommend: (answered > 0).then(|| (yes * 100 + answered / 2) / answered),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewQuery {
    pub branch: String,
    pub from: String,
    pub to: String,
    pub rating: String,
    pub recommend: String,
    pub table: String,
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "cafe/reviews.html")]
struct ReviewsPage {
    ctx: PageCtx,
    branch: CafeBranch,
    query: ReviewQuery,
    rows: Vec<(Review, String)>,
    averages: Averages,
    pager: Pager,
}

pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ReviewQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let bad = |what: &str| AppError::BadRequest(format!("The {what} filter is not valid."));
    let day = |raw: &str, what: &str| -> Result<Option<NaiveDate>, AppError> {
        forms::filter_date(Some(raw), what).map_err(AppError::BadRequest)
    };
    let (from, to) = state
        .clock
        .day_range_utc(day(&query.from, "From")?, day(&query.to, "To")?);
    let rating = match query.rating.trim() {
        "" => None,
        r => Some(
            r.parse::<i64>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| bad("rating"))?,
        ),
    };
    let recommend = match query.recommend.trim() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => return Err(bad("recommendation")),
    };
    let table = match query.table.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .ok()
                .filter(|n| (1..=9999).contains(n))
                .ok_or_else(|| bad("table"))?,
        ),
    };
    let requested = scope::parse_requested(&query.branch)?;
    let page = PageRequest::parse(query.page.as_deref(), 50)?;
    let (branch, mut rows, averages) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let f = Filter {
                branch_id: branch.id,
                from,
                to,
                rating,
                recommend,
                table,
            };
            Ok((
                branch,
                list(c, &f, page.offset(), page.fetch())?,
                averages(c, &f)?,
            ))
        })
        .await?;
    let pager = Pager::cut(
        page,
        &mut rows,
        filter_query(&[
            ("branch", &query.branch),
            ("from", &query.from),
            ("to", &query.to),
            ("rating", &query.rating),
            ("recommend", &query.recommend),
            ("table", &query.table),
        ]),
    );
    let rows = rows
        .into_iter()
        .map(|r| {
            let when = state.clock.format(r.at);
            (r, when)
        })
        .collect();
    html(&ReviewsPage {
        ctx,
        branch,
        query,
        rows,
        averages,
        pager,
    })
}
