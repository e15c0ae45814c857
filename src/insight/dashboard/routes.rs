//! `/dashboard`: the manager's page. Thin: the scope, one read, the charts, the page.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Duration;

use crate::insight::dashboard::model::{
    self, Cafe, Credit, Revenue, SignedIn, StockHealth, Warranty,
};
use crate::insight::dashboard::rules::{self, Windows};
use crate::platform::auth::BranchScope;
use crate::platform::chart::{self, Bar};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::forms::Choice;
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::state::AppState;
use crate::staff::branches;

/// How many signed-in people the page lists (the count is always whole).
const PEOPLE_SHOWN: i64 = 30;

struct Figures {
    revenue: Revenue,
    warranty: Warranty,
    stock: StockHealth,
    credit: Credit,
    cafe: Cafe,
    people: Vec<SignedIn>,
    people_total: i64,
    branches: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "insight/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    f: Figures,
    branches: Vec<Choice>,
    selected: String,
    /// `&branch_id=N` for the links to filtered lists, empty for every branch.
    branch_query: String,
    growth: Option<String>,
    due_progress: Option<i64>,
    fortnight_chart: String,
    people_seen: Vec<(String, String, String, String)>,
    today_label: String,
    /// (stored value, label, count) of the claims by type and by status.
    claim_types: Vec<(String, &'static str, i64)>,
    claim_statuses: Vec<(String, &'static str, i64)>,
}

impl DashboardPage {
    fn money<M: std::borrow::Borrow<Money>>(&self, m: M) -> String {
        format!("{} {}", self.ctx.currency, m.borrow().grouped())
    }
}

pub async fn page(
    ctx: PageCtx,
    state: web::Data<AppState>,
    scope: BranchScope,
) -> Result<HttpResponse, AppError> {
    let clock = state.clock;
    let today = clock.today();
    let w = Windows::of(today);
    let branch = scope.branch();
    let f = state
        .db
        .read(move |c| {
            let now = BusinessClock::now_utc();
            let (start, end) = clock.day_range_utc(Some(today), Some(today));
            let day = (start.unwrap_or(now), end.unwrap_or(now));
            let revenue = model::revenue(c, branch, &w)?;
            let cafe_today = revenue.today.cafe;
            let (people, people_total) = model::signed_in(c, branch, now, PEOPLE_SHOWN)?;
            Ok(Figures {
                warranty: model::warranty(c, branch)?,
                stock: model::stock_health(c, branch, now)?,
                credit: model::credit(c, branch, today, day)?,
                cafe: model::cafe(c, branch, cafe_today, now - Duration::days(30))?,
                revenue,
                people,
                people_total,
                branches: branches::model::options(c)?,
            })
        })
        .await?;
    let growth = rules::growth(f.revenue.today.total().0, f.revenue.yesterday.total().0);
    let due_progress = rules::percent(f.credit.due_today_paid.0, f.credit.due_today.0);
    let currency = ctx.currency.clone();
    let fortnight_chart = chart::columns(
        "Revenue, last 14 days",
        &f.revenue
            .fortnight
            .iter()
            .map(|(d, r)| Bar {
                label: d.format("%d %b").to_string(),
                value: r.total().0,
                figure: format!(
                    "{currency} {} (retail {}, cafe {})",
                    r.total().grouped(),
                    Money(r.retail).grouped(),
                    Money(r.cafe).grouped()
                ),
            })
            .collect::<Vec<_>>(),
        2,
        chart::Axis::Money,
    );
    let people_seen = f
        .people
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                crate::platform::auth::Role::parse(&p.role)
                    .map_or(p.role.clone(), |r| r.label().to_string()),
                p.branch.clone().unwrap_or_else(|| "All branches".into()),
                clock.format(p.last_seen),
            )
        })
        .collect();
    use crate::retail::warranty::rules::{ClaimStatus, ClaimType};
    let claim_types = f
        .warranty
        .by_type
        .iter()
        .map(|(v, n)| {
            (
                v.clone(),
                ClaimType::parse(v).map_or("Other", ClaimType::label),
                *n,
            )
        })
        .collect();
    let claim_statuses = f
        .warranty
        .by_status
        .iter()
        .map(|(v, n)| {
            (
                v.clone(),
                ClaimStatus::parse(v).map_or("Other", ClaimStatus::label),
                *n,
            )
        })
        .collect();
    let selected = branch.map(|b| b.to_string()).unwrap_or_default();
    html(&DashboardPage {
        branches: f
            .branches
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        branch_query: branch
            .map(|b| format!("&branch_id={b}"))
            .unwrap_or_default(),
        selected,
        growth,
        due_progress,
        fortnight_chart,
        people_seen,
        today_label: today.format("%A %-d %B %Y").to_string(),
        claim_types,
        claim_statuses,
        ctx,
        f,
    })
}
