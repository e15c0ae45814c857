use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::audit::query::AuditRow;
use crate::platform::audit::words::{action_label, Vocabulary};
use crate::platform::audit::{self};
use crate::platform::auth::Staff;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice};
use crate::platform::money::Money;
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::schema::employees;
use crate::platform::state::AppState;
use crate::retail::sales::model::{self, OrderDetail};
use crate::retail::sales::query::{self, SaleRow, SalesFilter};
use crate::retail::sales::rules::OrderStatus;
use crate::retail::sales::void;
use crate::staff::branches;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SalesQuery {
    pub from: String,
    pub to: String,
    pub branch_id: String,
    pub employee_id: String,
    pub customer: String,
    pub payment_method: String,
    pub status: String,
    pub archived: String,
    pub page: Option<String>,
}

impl SalesQuery {
    /// The branch comes from the person's `BranchScope` (their own, or a manager's choice).
    pub fn filter(&self, scope: BranchScope) -> Result<SalesFilter, AppError> {
        let from = forms::filter_date(Some(&self.from), "From").map_err(AppError::BadRequest)?;
        let to = forms::filter_date(Some(&self.to), "To").map_err(AppError::BadRequest)?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::BadRequest(
                    "The From date is after the To date.".into(),
                ));
            }
        }
        let branch_id = scope.branch();
        let employee_id = forms::optional_id(&self.employee_id).map_err(|_| {
            AppError::BadRequest("The employee filter must be an employee from the list.".into())
        })?;
        let customer = self.customer.trim();
        if customer.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "The customer filter can be at most 100 characters.".into(),
            ));
        }
        let payment_method = match self.payment_method.trim() {
            "" => None,
            m @ ("cash" | "installment") => Some(m.to_string()),
            _ => {
                return Err(AppError::BadRequest(
                    "The payment method must be cash or installment.".into(),
                ))
            }
        };
        let status = match self.status.trim() {
            "" => None,
            s if OrderStatus::parse(s).is_some() => Some(s.to_string()),
            _ => {
                return Err(AppError::BadRequest(
                    "The status must be completed or cancelled.".into(),
                ))
            }
        };
        Ok(SalesFilter {
            from,
            to,
            branch_id,
            employee_id,
            customer: (!customer.is_empty()).then(|| customer.to_lowercase()),
            payment_method,
            status,
            archived: self.archived == "1",
        })
    }

    fn base_query(&self) -> String {
        filter_query(&[
            ("from", &self.from),
            ("to", &self.to),
            ("branch_id", &self.branch_id),
            ("employee_id", &self.employee_id),
            ("customer", &self.customer),
            ("payment_method", &self.payment_method),
            ("status", &self.status),
            ("archived", &self.archived),
        ])
    }
}

pub struct SaleView {
    pub at: String,
    pub row: SaleRow,
}

impl SaleView {
    pub fn total(&self) -> Money {
        Money(self.row.total_minor)
    }
}

#[derive(Template)]
#[template(path = "retail/sales/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<SaleView>,
    query: SalesQuery,
    branches: Vec<Choice>,
    employees: Vec<Choice>,
    is_manager: bool,
    count: i64,
    sum: Money,
    pager: Pager,
    export_href: String,
    today: String,
    week_ago: String,
    month_start: String,
}

pub async fn list(
    req: actix_web::HttpRequest,
    ctx: PageCtx,
    user: CurrentUser,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<SalesQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    // A bare /sales shows today's sales; an explicit empty date means "any date".
    if req.query_string().is_empty() {
        return Ok(see_other(&format!("/sales?from={today}&to={today}")));
    }
    let query = q.into_inner();
    let filter = query.filter(scope)?;
    let page = PageRequest::parse(query.page.as_deref(), 25)?;
    let clock = state.clock;
    let branch_scope = filter.branch_id;
    let (mut rows, (count, sum), branch_options, people) = state
        .db
        .run(move |c| {
            let people: Vec<(i64, String)> = {
                let mut q = employees::table
                    .into_boxed()
                    .filter(employees::role.eq_any(["sales_agent", "manager"]));
                if let Some(b) = branch_scope {
                    q = q.filter(employees::branch_id.eq(b));
                }
                q.order(employees::name.asc())
                    .select((employees::id, employees::name))
                    .limit(500)
                    .load(c)?
            };
            Ok((
                query::page(c, &filter, &clock, page.offset(), page.fetch())?,
                query::totals(c, &filter, &clock)?,
                branches::model::filter_options(c)?,
                people,
            ))
        })
        .await?;
    let base = query.base_query();
    let export_href = with_query("/sales/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let rows = rows
        .into_iter()
        .map(|row| SaleView {
            at: clock.format(row.created_at),
            row,
        })
        .collect();
    html(&ListPage {
        ctx,
        rows,
        query,
        branches: branch_options
            .into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
            })
            .collect(),
        employees: people
            .into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
            })
            .collect(),
        is_manager: user.is_manager(),
        count,
        sum: Money(sum),
        pager,
        export_href,
        today: today.to_string(),
        week_ago: (today - chrono::Duration::days(6)).to_string(),
        month_start: chrono::Datelike::with_day(&today, 1)
            .unwrap_or(today)
            .to_string(),
    })
}

/// The seed's columns first, then OR number, payment method and status.
const HEADER: &[&str] = &[
    "Date",
    "Order ID",
    "Customer",
    "Product",
    "Qty",
    "Unit Price",
    "Total",
    "Branch",
    "Sold By",
    "OR Number",
    "Payment Method",
    "Status",
];

pub async fn export(
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<SalesQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter(scope)?;
    let clock = state.clock;
    Ok(csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("sales", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = query::export_page(conn, &filter, &clock, after, limit)?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    (
                        r.item_id,
                        vec![
                            clock.format(r.created_at),
                            r.order_id.to_string(),
                            r.customer.clone().unwrap_or_else(|| "Walk In".into()),
                            r.product.clone(),
                            r.quantity.to_string(),
                            Money(r.unit_price_minor).plain(),
                            Money(r.line_total_minor).plain(),
                            r.branch.clone(),
                            r.employee.clone(),
                            r.or_number.clone().unwrap_or_default(),
                            r.payment_method.clone(),
                            r.status.clone(),
                        ],
                    )
                })
                .collect();
            Ok(rows)
        },
    ))
}

pub struct HistoryView {
    pub at: String,
    pub row: AuditRow,
    pub action: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "retail/sales/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    d: OrderDetail,
    at: String,
    voided_at: String,
    total: Money,
    vat: Money,
    is_manager: bool,
    history: Vec<HistoryView>,
    /// Its credit notes: id, number, when, amount.
    notes: Vec<(i64, String, String, Money)>,
    refunded: Money,
}

pub async fn detail(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    words: web::Data<Vocabulary>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let is_manager = user.is_manager();
    let vocabulary = words.clone();
    let (d, history, names, notes, refunded) = state
        .db
        .run(move |c| {
            let d = model::load(c, id, &user)?;
            let words = vocabulary;
            let history = audit::query::for_record(c, crate::retail::pos::checkout::RECORD, id)?;
            let names = words.names(c, &history)?;
            let notes = crate::retail::refunds::model::of_order(c, id)?;
            let refunded = crate::retail::refunds::model::refunded_of(c, id)?;
            Ok((d, history, names, notes, refunded))
        })
        .await?;
    let clock = state.clock;
    html(&DetailPage {
        ctx,
        at: clock.format(d.head.created_at),
        voided_at: clock.format_opt(d.head.voided_at),
        total: Money(d.head.total_minor),
        vat: Money(d.head.vat_minor),
        d,
        is_manager,
        notes: notes
            .into_iter()
            .map(|(id, n, at, t)| (id, n, clock.format(at), Money(t)))
            .collect(),
        refunded: Money(refunded),
        history: history
            .into_iter()
            .map(|row| HistoryView {
                at: clock.format(row.at),
                action: action_label(&row.action).to_string(),
                lines: words.lines(&row, &names),
                row,
            })
            .collect(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoidForm {
    reason: String,
}

pub async fn void_route(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<VoidForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let reason = void::validate_reason(&form.reason).map_err(AppError::Unprocessable)?;
    let or = state
        .db
        .write(move |c| void::void_sale(c, &actor, id, &reason))
        .await?;
    flash::success(
        &session,
        format!("Sale {or} was voided: stock and commission are back."),
    );
    Ok(see_other(&format!("/sales/{id}")))
}

/// Archive and restore a sale (`archive::archive::<Sales>`): it leaves the lists, not the books.
pub struct Sales;

impl ArchiveRoutes for Sales {
    const SET_ACTIVE: SetActive = void::set_active;
    const SAID: [&'static str; 2] = [
        "The sale was archived: it no longer shows in lists.",
        "The sale was restored.",
    ];
    const THEN: [&'static str; 2] = ["/sales/{id}", "/sales/{id}"];
}
