//! `/reports` (managers): a range of business days (the last 30 by default) at one branch or
//! all, and `/reports/{part}.csv` with the numbers of each chart. Thin: the filters, one read,
//! the charts, the page.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::insight::dashboard::model::{revenue_by_day, DayRevenue};
use crate::insight::reports::model::{
    self, BranchTakings, Filter, Ranked, Seller, Takings, Transaction,
};
use crate::insight::reports::rules::{self, Grouping, MAX_RANGE_DAYS};
use crate::platform::auth::BranchScope;
use crate::platform::chart::{self, Axis, Bar};
use crate::platform::clock::BusinessClock;
use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::forms::{self, Choice};
use crate::platform::money::Money;
use crate::platform::page::{html, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::installments;
use crate::staff::branches;

/// Rows of the recent transactions per page.
const PAGE_SIZE: i64 = 20;
/// The deepest page of recent transactions (older ones are in the sales list and exports).
const MAX_PAGE: i64 = 250;
/// Entries of each ranking.
const TOP: usize = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
    pub branch_id: String,
    pub by: String,
    pub page: String,
}

/// The checked filters: a malformed or reversed range is a 400 with its reason.
#[derive(Debug, Clone, Copy)]
struct Range {
    from: NaiveDate,
    to: NaiveDate,
    by: Grouping,
}

fn range(q: &ReportQuery, today: NaiveDate) -> Result<Range, AppError> {
    let (from, to) = forms::day_range(&q.from, &q.to, today, 30, MAX_RANGE_DAYS)
        .map_err(AppError::BadRequest)?;
    let by = Grouping::parse(&q.by, from, to).map_err(AppError::BadRequest)?;
    Ok(Range { from, to, by })
}

/// Everything the page shows.
struct Figures {
    sum: Takings,
    branches: Vec<BranchTakings>,
    days: Vec<(NaiveDate, DayRevenue)>,
    payments: Vec<(String, i64, Money)>,
    sellers: Vec<Seller>,
    top_units: Vec<Ranked>,
    top_revenue: Vec<Ranked>,
    recent: Vec<Transaction>,
    receivables: Money,
    high_risk_bp: i64,
    choices: Vec<(i64, String)>,
}

async fn figures(
    state: &AppState,
    scope: BranchScope,
    r: Range,
    page: Option<PageRequest>,
) -> Result<Figures, AppError> {
    let clock = state.clock;
    let (Some(start), Some(end)) = clock.day_range_utc(Some(r.from), Some(r.to)) else {
        return Err(AppError::BadRequest(
            "That range is outside the calendar.".into(),
        ));
    };
    let f = Filter {
        branch: scope.branch(),
        from: r.from,
        to: r.to,
        start,
        end,
    };
    state
        .db
        .read(move |c| {
            let (sum, branch_rows) = model::takings(c, &f)?;
            let by_day = revenue_by_day(c, f.branch, f.from, f.to)?;
            let mut days: Vec<(NaiveDate, DayRevenue)> = Vec::new();
            for g in r.by.groups(f.from, f.to) {
                days.push((g, DayRevenue::default()));
            }
            for (d, rev) in by_day {
                let g = r.by.start(d);
                if let Some(slot) = days.iter_mut().find(|(s, _)| *s == g) {
                    slot.1.retail += rev.retail;
                    slot.1.cafe += rev.cafe;
                }
            }
            let recent = match page {
                Some(p) => model::recent(c, &f, p.offset(), p.fetch())?,
                None => Vec::new(),
            };
            let (top_units, top_revenue) = model::top(c, &f, TOP)?;
            Ok(Figures {
                payments: model::payment_split(c, &f, &sum)?,
                sellers: model::sellers(c, &f)?,
                top_units,
                top_revenue,
                receivables: model::receivables(c, f.branch)?,
                high_risk_bp: installments::model::high_risk_bp(c)?,
                choices: branches::model::options(c)?,
                sum,
                branches: branch_rows,
                days,
                recent,
            })
        })
        .await
}

#[derive(Template)]
#[template(path = "insight/reports.html")]
struct ReportsPage {
    ctx: PageCtx,
    f: Figures,
    from: String,
    to: String,
    by: &'static str,
    branches: Vec<Choice>,
    selected: String,
    /// The filters as a query string, for the CSV links.
    keep: String,
    pager: Pager,
    exposure: Option<String>,
    high_risk: bool,
    threshold: String,
    revenue_chart: String,
    payment_chart: String,
    branch_chart: String,
    seller_chart: String,
    units_chart: String,
    revenue_rank_chart: String,
    clock: BusinessClock,
}

impl ReportsPage {
    fn money<M: std::borrow::Borrow<Money>>(&self, m: M) -> String {
        format!("{} {}", self.ctx.currency, m.borrow().grouped())
    }
    fn amount(&self, m: &Money) -> String {
        self.money(*m)
    }
    fn minor(&self, v: &i64) -> String {
        self.money(Money(*v))
    }
    /// When a transaction happened, in the business time zone.
    fn when(&self, t: &Transaction) -> String {
        self.clock.format(t.at)
    }
    fn label(&self, d: &NaiveDate) -> String {
        Grouping::parse(self.by, *d, *d)
            .map(|g| g.label(*d))
            .unwrap_or_default()
    }
}

fn keep(q: &ReportQuery, r: &Range, scope: BranchScope) -> String {
    let branch = scope.branch().map(|b| b.to_string()).unwrap_or_default();
    filter_query(&[
        ("from", &r.from.to_string()),
        ("to", &r.to.to_string()),
        ("branch_id", &branch),
        ("by", &q.by.trim().to_string()),
    ])
}

pub async fn page(
    ctx: PageCtx,
    state: web::Data<AppState>,
    scope: BranchScope,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let r = range(&q, state.clock.today())?;
    let req = PageRequest::parse(Some(&q.page), PAGE_SIZE)?;
    if req.number > MAX_PAGE {
        return Err(AppError::BadRequest(format!(
            "Recent transactions go back {MAX_PAGE} pages; narrow the range or use the sales export."
        )));
    }
    let mut f = figures(&state, scope, r, Some(req)).await?;
    let keep = keep(&q, &r, scope);
    let pager = Pager::cut(req, &mut f.recent, keep.clone());
    let money = |m: Money| format!("{} {}", ctx.currency, m.grouped());
    let by = r.by;
    let revenue_chart = chart::columns(
        &format!("Revenue by {}", by.as_str()),
        &f.days
            .iter()
            .map(|(d, rev)| Bar {
                label: by.label(*d),
                value: rev.total().0,
                figure: money(rev.total()),
            })
            .collect::<Vec<_>>(),
        (f.days.len() / 8).max(1),
        Axis::Money,
    );
    let payment_chart = chart::bars(
        "Payment methods",
        &f.payments
            .iter()
            .map(|(m, v, total)| Bar {
                label: m.clone(),
                value: *v,
                figure: money(*total),
            })
            .collect::<Vec<_>>(),
    );
    let branch_chart = chart::bars(
        "Revenue by branch",
        &f.branches
            .iter()
            .map(|b| Bar {
                label: b.name.clone(),
                value: b.takings.gross().0,
                figure: money(b.takings.gross()),
            })
            .collect::<Vec<_>>(),
    );
    let seller_chart = chart::bars(
        "Sales by employee",
        &f.sellers
            .iter()
            .take(TOP)
            .map(|s| Bar {
                label: s.name.clone(),
                value: s.total().0,
                figure: money(s.total()),
            })
            .collect::<Vec<_>>(),
    );
    let ranking = |title: &str, rows: &[Ranked], units: bool| {
        chart::bars(
            title,
            &rows
                .iter()
                .map(|p| Bar {
                    label: p.name.clone(),
                    value: if units { p.units } else { p.revenue.0 },
                    figure: if units {
                        p.units.to_string()
                    } else {
                        money(p.revenue)
                    },
                })
                .collect::<Vec<_>>(),
        )
    };
    let units_chart = ranking("Top products by units", &f.top_units, true);
    let revenue_rank_chart = ranking("Top products by revenue", &f.top_revenue, false);
    let exposure = rules::ratio(f.receivables.0, f.sum.gross().0);
    let high_risk = rules::high_risk(f.receivables.0, f.sum.gross().0, f.high_risk_bp);
    let threshold = crate::platform::percent::percent_text(f.high_risk_bp);
    html(&ReportsPage {
        from: r.from.to_string(),
        to: r.to.to_string(),
        by: by.as_str(),
        branches: f
            .choices
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect(),
        selected: scope.branch().map(|b| b.to_string()).unwrap_or_default(),
        keep,
        pager,
        exposure,
        high_risk,
        threshold,
        revenue_chart,
        payment_chart,
        branch_chart,
        seller_chart,
        units_chart,
        revenue_rank_chart,
        clock: state.clock,
        ctx,
        f,
    })
}

/// `/reports/{part}.csv`: the numbers of one chart, with the page's filters.
pub async fn csv(
    state: web::Data<AppState>,
    scope: BranchScope,
    part: web::Path<String>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let part = part.into_inner();
    const PARTS: [&str; 5] = ["revenue", "payments", "branches", "employees", "products"];
    if !PARTS.contains(&part.as_str()) {
        return Err(AppError::not_found("That report"));
    }
    let q = q.into_inner();
    let r = range(&q, state.clock.today())?;
    let f = figures(&state, scope, r, None).await?;
    let name = format!("report-{part}-{}-to-{}.csv", r.from, r.to);
    let m = |m: Money| m.plain();
    match part.as_str() {
        "revenue" => csv_export::whole(
            &name,
            &[
                r.by.as_str(),
                "Retail (VAT incl.)",
                "Cafe (tax incl.)",
                "Total (VAT incl.)",
            ],
            &f.days
                .iter()
                .map(|(d, rev)| {
                    vec![
                        d.to_string(),
                        m(rev.retail()),
                        m(rev.cafe()),
                        m(rev.total()),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        "payments" => csv_export::whole(
            &name,
            &["Method", "Amount (VAT incl.)"],
            &f.payments
                .iter()
                .map(|(method, _, total)| vec![method.clone(), m(*total)])
                .collect::<Vec<_>>(),
        ),
        "branches" => csv_export::whole(
            &name,
            &[
                "Branch",
                "Transactions",
                "Gross revenue (VAT incl.)",
                "VAT",
                "Net revenue (VAT excl.)",
                "Cost",
                "Gross profit",
            ],
            &f.branches
                .iter()
                .map(|b| {
                    let t = &b.takings;
                    vec![
                        b.name.clone(),
                        t.transactions().to_string(),
                        m(t.gross()),
                        m(t.vat()),
                        m(t.net()),
                        m(t.cost()),
                        m(t.profit()),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        "employees" => csv_export::whole(
            &name,
            &[
                "Employee",
                "Retail sales",
                "Retail revenue (VAT incl.)",
                "Commission",
                "Cafe bills",
                "Cafe revenue (tax incl.)",
                "Total",
            ],
            &f.sellers
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.retail_orders.to_string(),
                        m(s.retail_total),
                        m(s.commission),
                        s.cafe_bills.to_string(),
                        m(s.cafe_total),
                        m(s.total()),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
        _ => csv_export::whole(
            &name,
            &["Ranking", "Rank", "Product", "Area", "Units", "Revenue"],
            &f.top_units
                .iter()
                .enumerate()
                .map(|(i, p)| ("By units", i, p))
                .chain(
                    f.top_revenue
                        .iter()
                        .enumerate()
                        .map(|(i, p)| ("By revenue", i, p)),
                )
                .map(|(ranking, i, p)| {
                    vec![
                        ranking.to_string(),
                        (i + 1).to_string(),
                        p.name.clone(),
                        p.area.to_string(),
                        p.units.to_string(),
                        m(p.revenue),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
    }
}

/// The CSV links of the page, for the template.
pub fn csv_href(part: &str, keep: &str) -> String {
    with_query(&format!("/reports/{part}.csv"), keep)
}
