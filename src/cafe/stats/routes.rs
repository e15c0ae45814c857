//! The stats page and its CSV files: extract the filters, read the summaries, draw.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::stats::model::{self, CategoryFigures, ItemFigures, Takings};
use crate::platform::auth::CurrentUser;
use crate::platform::chart::{self, Bar};
use crate::platform::clock::BusinessClock;
use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::forms;
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::pagination::filter_query;
use crate::platform::state::AppState;

/// The longest range a ranking may cover: a year and a day (a whole leap year).
const MAX_RANGE_DAYS: i64 = 366;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatsQuery {
    pub branch: String,
    /// The range of the rankings (top items, categories); the last 30 days by default.
    pub from: String,
    pub to: String,
    /// The day of the revenue-by-hour chart; today by default.
    pub day: String,
}

/// The filters, checked: a malformed or reversed date is a 400 with its reason.
#[derive(Debug, Clone, Copy)]
struct Span {
    from: NaiveDate,
    to: NaiveDate,
    day: NaiveDate,
    today: NaiveDate,
}

fn span(q: &StatsQuery, today: NaiveDate) -> Result<Span, AppError> {
    let (from, to) = forms::day_range(&q.from, &q.to, today, 30, MAX_RANGE_DAYS)
        .map_err(AppError::BadRequest)?;
    let date =
        |raw: &str, what: &str| forms::filter_date(Some(raw), what).map_err(AppError::BadRequest);
    let day = date(&q.day, "Day")?.unwrap_or(today);
    Ok(Span {
        from,
        to,
        day,
        today,
    })
}

/// Today against the same weekday a week ago: the whole day then, and by this time then.
#[derive(Debug, Clone, Default)]
pub struct Today {
    pub now: Takings,
    pub last_week_day: Takings,
    pub last_week_so_far: Takings,
    pub active_tables: i64,
    pub rating: Option<String>,
    pub ratings: i64,
}

impl Today {
    /// "+12 %" / "−5 %" against last week by this time; none when last week had nothing.
    pub fn change(&self) -> Option<String> {
        let before = self.last_week_so_far.revenue.0;
        (before > 0).then(|| {
            let pct = ((self.now.revenue.0 - before) as f64 / before as f64 * 100.0).round();
            if pct >= 0.0 {
                format!("+{pct:.0} %")
            } else {
                format!("−{:.0} %", -pct)
            }
        })
    }
}

struct Figures {
    branch: CafeBranch,
    cafe: CafeSettings,
    today: Today,
    top: Vec<ItemFigures>,
    /// The modifier options sold with items in the range (oat milk, extra shots), most first.
    options: Vec<crate::cafe::modifiers::model::OptionSold>,
    categories: Vec<CategoryFigures>,
    hours: [Takings; 24],
    daily: Vec<(NaiveDate, Takings)>,
}

async fn figures(
    state: &AppState,
    user: CurrentUser,
    q: &StatsQuery,
    want: Want,
) -> Result<(Figures, Span), AppError> {
    let clock = state.clock;
    let s = span(q, clock.today())?;
    let requested = scope::parse_requested(&q.branch)?;
    let config = state.clone_config();
    let f = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let b = branch.id;
            let cafe = settings::load(c, &config)?;
            let mut out = Figures {
                branch,
                cafe,
                today: Today::default(),
                top: Vec::new(),
                options: Vec::new(),
                categories: Vec::new(),
                hours: [Takings::default(); 24],
                daily: Vec::new(),
            };
            if want.today {
                let now = BusinessClock::now_utc();
                let (start, end) = clock.day_range_utc(Some(s.today), Some(s.today));
                let start = start.expect("a start");
                let week_ago = s.today - Duration::days(7);
                out.today = Today {
                    now: model::daily(c, b, s.today, s.today)?[0].1,
                    last_week_day: model::daily(c, b, week_ago, week_ago)?[0].1,
                    last_week_so_far: model::takings_between(
                        c,
                        b,
                        model::a_week_before(start),
                        model::a_week_before(now),
                    )?,
                    active_tables: model::active_tables(c, b)?,
                    ratings: 0,
                    rating: None,
                };
                let (n, r) = model::rating_between(c, b, start, end.expect("an end"))?;
                out.today.ratings = n;
                out.today.rating = r;
            }
            if want.top {
                out.top = model::top_items(c, b, s.from, s.to, 10)?;
                if let (Some(from), Some(to)) = clock.day_range_utc(Some(s.from), Some(s.to)) {
                    out.options = crate::cafe::modifiers::model::sold_between(c, b, from, to, 10)?;
                }
            }
            if want.categories {
                out.categories = model::by_category(c, b, s.from, s.to)?;
            }
            if want.hours {
                out.hours = model::by_hour(c, &clock, b, s.day)?;
            }
            if want.daily {
                out.daily = model::daily(c, b, s.today - Duration::days(29), s.today)?;
            }
            Ok(out)
        })
        .await?;
    Ok((f, s))
}

#[derive(Debug, Clone, Copy, Default)]
struct Want {
    today: bool,
    top: bool,
    categories: bool,
    hours: bool,
    daily: bool,
}

const EVERYTHING: Want = Want {
    today: true,
    top: true,
    categories: true,
    hours: true,
    daily: true,
};

#[derive(Template)]
#[template(path = "cafe/stats.html")]
struct StatsPage {
    ctx: PageCtx,
    f: Figures,
    from: String,
    to: String,
    day: String,
    today_label: String,
    /// The filters again, for the CSV links.
    keep: String,
    top_chart: String,
    category_chart: String,
    hour_chart: String,
    daily_chart: String,
}

impl StatsPage {
    fn money<M: std::borrow::Borrow<Money>>(&self, m: M) -> String {
        self.f.cafe.money(m.borrow())
    }
}

pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let (f, s) = figures(&state, user, &q, EVERYTHING).await?;
    let cafe = &f.cafe;
    let top_chart = chart::bars(
        "Top items by quantity",
        &f.top
            .iter()
            .map(|i| Bar {
                label: i.name.clone(),
                value: i.quantity,
                figure: format!("{} · {}", i.quantity, cafe.money(&i.revenue)),
            })
            .collect::<Vec<_>>(),
    );
    let category_chart = chart::bars(
        "Revenue by category",
        &f.categories
            .iter()
            .map(|c| Bar {
                label: c.category.clone(),
                value: c.revenue.0,
                figure: cafe.money(&c.revenue),
            })
            .collect::<Vec<_>>(),
    );
    let hour_chart = chart::columns(
        "Revenue by hour",
        &f.hours
            .iter()
            .enumerate()
            .map(|(h, t)| Bar {
                label: format!("{h:02}"),
                value: t.revenue.0,
                figure: format!("{} orders, {}", t.orders, cafe.money(&t.revenue)),
            })
            .collect::<Vec<_>>(),
        3,
        chart::Axis::Money,
    );
    let daily_chart = chart::columns(
        "Daily revenue, last 30 days",
        &f.daily
            .iter()
            .map(|(d, t)| Bar {
                label: d.format("%d %b").to_string(),
                value: t.revenue.0,
                figure: format!("{} orders, {}", t.orders, cafe.money(&t.revenue)),
            })
            .collect::<Vec<_>>(),
        7,
        chart::Axis::Money,
    );
    let keep = filter_query(&[
        ("branch", &f.branch.id.to_string()),
        ("from", &s.from.to_string()),
        ("to", &s.to.to_string()),
        ("day", &s.day.to_string()),
    ]);
    html(&StatsPage {
        ctx,
        from: s.from.to_string(),
        to: s.to.to_string(),
        day: s.day.to_string(),
        today_label: s.today.format("%A %-d %B").to_string(),
        keep,
        top_chart,
        category_chart,
        hour_chart,
        daily_chart,
        f,
    })
}

/// `GET /cafe/stats/{report}.csv` with the page's filters: `top-items`, `categories`, `hours`,
/// `daily`. Amounts in plain decimals (no sign, no grouping) for spreadsheets.
pub async fn csv(
    user: CurrentUser,
    state: web::Data<AppState>,
    report: web::Path<String>,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let report = report.into_inner();
    let want = match report.as_str() {
        "top-items" => Want {
            top: true,
            ..Want::default()
        },
        "categories" => Want {
            categories: true,
            ..Want::default()
        },
        "hours" => Want {
            hours: true,
            ..Want::default()
        },
        "daily" => Want {
            daily: true,
            ..Want::default()
        },
        _ => return Err(AppError::not_found("That report")),
    };
    let (f, s) = figures(&state, user, &q, want).await?;
    let name = |what: &str| format!("cafe-{what}-{}.csv", f.branch.id);
    match report.as_str() {
        "top-items" => csv_export::whole(
            &format!("cafe-top-items-{}-{}.csv", s.from, s.to),
            &["Rank", "Item", "Category", "Quantity", "Revenue"],
            &f.top
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    vec![
                        (n + 1).to_string(),
                        i.name.clone(),
                        i.category.clone(),
                        i.quantity.to_string(),
                        i.revenue.plain(),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        "categories" => csv_export::whole(
            &format!("cafe-categories-{}-{}.csv", s.from, s.to),
            &["Category", "Quantity", "Revenue"],
            &f.categories
                .iter()
                .map(|c| {
                    vec![
                        c.category.clone(),
                        c.quantity.to_string(),
                        c.revenue.plain(),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        "hours" => csv_export::whole(
            &format!("cafe-hours-{}.csv", s.day),
            &["Hour", "Orders", "Revenue"],
            &f.hours
                .iter()
                .enumerate()
                .map(|(h, t)| {
                    vec![
                        format!("{h:02}:00"),
                        t.orders.to_string(),
                        t.revenue.plain(),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        _ => csv_export::whole(
            &name("daily"),
            &["Day", "Orders", "Revenue", "Average order", "Discounts"],
            &f.daily
                .iter()
                .map(|(d, t)| {
                    vec![
                        d.to_string(),
                        t.orders.to_string(),
                        t.revenue.plain(),
                        t.average().plain(),
                        t.discount.plain(),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
    }
}
