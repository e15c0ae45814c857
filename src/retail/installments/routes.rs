//! `/installments`: the plans list, a plan's page with its schedule and payments, the credit
//! officer's decision, recording a payment and its printable receipt.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::{scope, BranchScope, CurrentUser, Role, Staff};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice};
use crate::platform::money::Money;
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::installments::model::{
    self, Due, PaymentMethod, PaymentRow, PlanHead, PlanStatus,
};
use crate::retail::installments::query::{self, PlanFilter, PlanRow, StatusFilter};
use crate::retail::installments::rules;
use crate::staff::branches;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanQuery {
    pub status: String,
    pub branch_id: String,
    pub customer: String,
    pub due_from: String,
    pub due_to: String,
    pub page: Option<String>,
}

impl PlanQuery {
    pub fn filter(
        &self,
        user: &CurrentUser,
        scope: BranchScope,
        today: chrono::NaiveDate,
    ) -> Result<PlanFilter, AppError> {
        let status = match self.status.trim() {
            "" => None,
            s => Some(StatusFilter::parse(s).ok_or_else(|| {
                AppError::BadRequest("The status must be one from the list.".into())
            })?),
        };
        let due_from =
            forms::filter_date(Some(&self.due_from), "Due from").map_err(AppError::BadRequest)?;
        let due_to =
            forms::filter_date(Some(&self.due_to), "Due to").map_err(AppError::BadRequest)?;
        let customer = self.customer.trim();
        if customer.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "The customer filter can be at most 100 characters.".into(),
            ));
        }
        Ok(PlanFilter {
            status,
            branch_id: scope.branch(),
            // A sales agent follows the plans they sold.
            seller_id: (user.role == Role::SalesAgent).then_some(user.id),
            customer: (!customer.is_empty()).then(|| customer.to_lowercase()),
            due_from,
            due_to,
            today,
        })
    }
}

/// A plan row with its figures written out.
pub struct PlanLine {
    pub row: PlanRow,
    pub status: &'static str,
    pub overdue: bool,
    pub created: String,
    pub financed: String,
    pub remaining: String,
}

#[derive(Template)]
#[template(path = "retail/installments/list.html")]
struct ListPage {
    ctx: PageCtx,
    query: PlanQuery,
    rows: Vec<PlanLine>,
    pager: Pager,
    count: i64,
    outstanding: String,
    is_manager: bool,
    branches: Vec<Choice>,
    statuses: Vec<Choice>,
    export_href: String,
}

fn status_choices() -> Vec<Choice> {
    let mut out: Vec<Choice> = PlanStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
        })
        .collect();
    out.insert(
        2,
        Choice {
            value: "overdue".into(),
            label: "Overdue".into(),
        },
    );
    out
}

fn status_label(status: &str, overdue: bool) -> &'static str {
    if overdue {
        "Overdue"
    } else {
        PlanStatus::parse(status).map_or("Unknown", PlanStatus::label)
    }
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    scope: BranchScope,
    q: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let today = state.clock.today();
    let filter = query.filter(&user, scope, today)?;
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
    let is_manager = user.is_manager();
    let (mut rows, (count, outstanding), branch_options) = state
        .db
        .read(move |c| {
            Ok((
                query::page(c, &filter, page.offset(), page.fetch())?,
                query::totals(c, &filter)?,
                if is_manager {
                    branches::model::options(c)?
                } else {
                    Vec::new()
                },
            ))
        })
        .await?;
    let base = filter_query(&[
        ("status", &query.status),
        ("branch_id", &query.branch_id),
        ("customer", &query.customer),
        ("due_from", &query.due_from),
        ("due_to", &query.due_to),
    ]);
    let export_href = with_query("/installments/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let clock = state.clock;
    let rows = rows
        .into_iter()
        .map(|row| {
            let overdue = row.overdue_on(today);
            PlanLine {
                status: status_label(&row.status, overdue),
                overdue,
                created: clock.format(row.created_at),
                financed: Money(row.financed_minor).grouped(),
                remaining: Money(row.remaining_minor()).grouped(),
                row,
            }
        })
        .collect();
    html(&ListPage {
        ctx,
        query,
        rows,
        pager,
        count,
        outstanding: Money(outstanding).grouped(),
        is_manager,
        branches: branch_options
            .into_iter()
            .map(|(id, label)| Choice {
                value: id.to_string(),
                label,
            })
            .collect(),
        statuses: status_choices(),
        export_href,
    })
}

/// May `user` see this plan? Managers any; others their branch's; a sales agent only the
/// plans they sold.
pub fn may_see(user: &CurrentUser, plan: &PlanHead) -> Result<(), AppError> {
    scope::check(user, plan.branch_id)?;
    if user.role == Role::SalesAgent && plan.seller_id != user.id {
        return Err(AppError::Forbidden(
            "You can follow the plans you sold; this one was sold by someone else.".into(),
        ));
    }
    Ok(())
}

pub struct DueLine {
    pub due: Due,
    pub date: String,
    pub amount: String,
    pub paid: String,
    pub state: &'static str,
}

pub struct PaymentLine {
    pub p: PaymentRow,
    pub at: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "retail/installments/show.html")]
struct ShowPage {
    ctx: PageCtx,
    plan: PlanHead,
    status: &'static str,
    overdue_days: i64,
    customer: String,
    phone: String,
    seller: String,
    or_number: String,
    decided: String,
    money: Figures,
    dues: Vec<DueLine>,
    payments: Vec<PaymentLine>,
    may_decide: bool,
    may_pay: bool,
    methods: [PaymentMethod; 3],
    payment_key: String,
}

/// A plan's amounts, written out.
pub struct Figures {
    pub total: String,
    pub down_payment: String,
    pub financed: String,
    pub interest: String,
    pub rate: String,
    pub balance: String,
    pub paid: String,
    pub remaining: String,
    pub refund_due: String,
}

pub async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (plan, names, dues, payments) = state
        .db
        .read(move |c| {
            let plan = model::find(c, id)?;
            let names = model::names_of(c, &plan)?;
            Ok((
                plan,
                names,
                model::dues_of(c, id)?,
                model::payments_of(c, id)?,
            ))
        })
        .await?;
    may_see(&user, &plan)?;
    let today = state.clock.today();
    let states: Vec<rules::DueState> = dues.iter().map(Due::state).collect();
    let active = plan.status() == Some(PlanStatus::Active);
    let overdue_days = if active {
        rules::days_overdue(rules::next_due(&states), today)
    } else {
        0
    };
    let clock = state.clock;
    let dues = dues
        .into_iter()
        .map(|d| DueLine {
            date: d.due_date.format("%d %b %Y").to_string(),
            amount: Money(d.amount_minor).grouped(),
            paid: Money(d.paid_minor).grouped(),
            state: if d.paid_minor >= d.amount_minor {
                "Paid"
            } else if d.due_date < today && active {
                "Overdue"
            } else if d.paid_minor > 0 {
                "Part paid"
            } else {
                "Due"
            },
            due: d,
        })
        .collect();
    let payments = payments
        .into_iter()
        .map(|p| PaymentLine {
            at: clock.format(p.paid_at),
            amount: Money(p.amount_minor).grouped(),
            p,
        })
        .collect();
    let decider = matches!(user.role, Role::Manager | Role::CreditOfficer);
    html(&ShowPage {
        status: status_label(&plan.status, overdue_days > 0),
        overdue_days,
        customer: names.customer,
        phone: names.phone,
        seller: names.seller,
        or_number: names.or_number,
        decided: match (&names.decider, plan.decided_at) {
            (Some(who), Some(at)) => format!("{who}, {}", clock.format(at)),
            _ => String::new(),
        },
        money: Figures {
            total: Money(plan.total_minor).grouped(),
            down_payment: Money(plan.down_payment_minor).grouped(),
            financed: Money(plan.financed_minor).grouped(),
            interest: Money(plan.interest_minor).grouped(),
            rate: crate::platform::percent::percent_text(plan.rate_bp),
            balance: Money(plan.balance_minor).grouped(),
            paid: Money(plan.paid_minor).grouped(),
            remaining: plan.remaining().grouped(),
            refund_due: Money(plan.refund_due_minor).grouped(),
        },
        may_decide: decider
            && plan.status() == Some(PlanStatus::Pending)
            && plan.seller_id != user.id,
        may_pay: decider && active,
        methods: PaymentMethod::ALL,
        payment_key: crate::platform::auth::session::new_token(),
        dues,
        payments,
        plan,
        ctx,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub note: String,
}

pub async fn approve(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide(staff, id.into_inner(), form.into_inner(), true).await
}

pub async fn reject(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide(staff, id.into_inner(), form.into_inner(), false).await
}

async fn decide(
    staff: Staff,
    id: i64,
    form: DecisionForm,
    approve: bool,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let note = forms::visible(&form.note).unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(AppError::Unprocessable(
            "The note can be at most 500 characters.".into(),
        ));
    }
    if !approve && note.chars().count() < 3 {
        return Err(AppError::Unprocessable(
            "Say why the plan is rejected (at least 3 characters): the seller and the customer will ask.".into(),
        ));
    }
    let plan = state
        .db
        .write(move |c| model::decide(c, &actor, id, approve, &note))
        .await?;
    flash::success(
        &session,
        if approve {
            format!(
                "Plan #{id} is approved: the customer pays from {}.",
                plan.next_due_date
                    .map_or(String::new(), |d| d.format("%d %b %Y").to_string())
            )
        } else {
            format!(
                "Plan #{id} was rejected: the sale is cancelled, its stock is back and the down payment of {} is to be refunded.",
                Money(plan.refund_due_minor).grouped()
            )
        },
    );
    Ok(see_other(&format!("/installments/{id}")))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    pub amount: String,
    pub method: String,
    pub payment_key: String,
}

pub async fn pay(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<PaymentForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let plan_id = id.into_inner();
    let amount = Money::parse_input(&form.amount)
        .map_err(|e| AppError::field_invalid("amount", format!("The amount: {e}.")))?;
    let method = PaymentMethod::parse(form.method.trim())
        .ok_or_else(|| AppError::Unprocessable("Choose cash, bank transfer or e-wallet.".into()))?;
    let key = crate::retail::pos::cart::idempotency_key(&serde_json::Value::String(
        form.payment_key.clone(),
    ))
    .map_err(|_| AppError::BadRequest("The form is out of date: open the plan again.".into()))?;
    let mail = crate::mail::messages::MailContext::of(&state.config);
    let done = state
        .db
        .write(move |c| {
            // The customer's receipt waits in the outbox, in this transaction.
            crate::mail::messages::record_payment_with_receipt(
                c,
                &actor,
                &model::NewPayment {
                    plan_id,
                    amount,
                    method,
                    key: &key,
                },
                &mail,
            )
        })
        .await
        .map_err(|e| match e {
            // The payment form is small: its one refusal is said on the page it leads to.
            AppError::Fields { errors, status }
                if status == actix_web::http::StatusCode::CONFLICT =>
            {
                AppError::Conflict(errors.first().to_string())
            }
            AppError::Fields { errors, .. } => AppError::Unprocessable(errors.first().to_string()),
            other => other,
        })?;
    let tail = if done.completed {
        " The plan is paid off.".to_string()
    } else {
        format!(" Remaining balance {}.", done.remaining.grouped())
    };
    flash::success(
        &session,
        format!("Payment {} recorded.{tail}", done.or_number),
    );
    Ok(see_other(&format!(
        "/installments/payments/{}/receipt",
        done.payment_id
    )))
}

#[derive(Template)]
#[template(path = "retail/installments/receipt.html")]
struct PaymentReceipt {
    ctx: PageCtx,
    r: model::PaymentReceipt,
    when: String,
    amount: String,
    remaining: String,
    method: &'static str,
}

pub async fn receipt(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (r, plan) = state
        .db
        .read(move |c| {
            let r = model::payment_receipt(c, id)?;
            let plan = model::find(c, r.plan_id)?;
            Ok((r, plan))
        })
        .await?;
    may_see(&user, &plan)?;
    html(&PaymentReceipt {
        when: state.clock.format(r.paid_at),
        amount: Money(r.amount_minor).grouped(),
        remaining: Money(r.remaining_after_minor).grouped(),
        method: PaymentMethod::parse(&r.method).map_or("Other", PaymentMethod::label),
        r,
        ctx,
    })
}

/// The seed's columns, then the plan's.
const HEADER: &[&str] = &[
    "Order #",
    "Employee",
    "Customer",
    "Product Name",
    "Branch",
    "Category",
    "Price",
    "QTY",
    "Total",
    "Payment Method",
    "Date",
    "Status",
    "Plan #",
    "Plan status",
    "Remaining balance",
    "Next due date",
];

/// `/installments/export.csv`: the list's filters, every order line of the plans, streamed.
pub async fn export(
    user: CurrentUser,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<PlanQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let filter = q.filter(&user, scope, today)?;
    let clock = state.clock;
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("installments", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = query::export_page(conn, &filter, after, limit)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let overdue = r.plan_status == PlanStatus::Active.as_str()
                        && r.next_due_date.is_some_and(|d| d < today);
                    (
                        r.item_id,
                        vec![
                            r.order_id.to_string(),
                            r.employee.clone(),
                            r.customer.clone(),
                            r.product.clone(),
                            r.branch.clone(),
                            r.category.clone(),
                            Money(r.unit_price_minor).plain(),
                            r.quantity.to_string(),
                            Money(r.line_total_minor).plain(),
                            r.payment_method.clone(),
                            clock.format(r.created_at),
                            r.order_status.clone(),
                            r.plan_id.to_string(),
                            status_label(&r.plan_status, overdue).to_string(),
                            Money(r.balance_minor - r.paid_minor).plain(),
                            r.next_due_date.map(|d| d.to_string()).unwrap_or_default(),
                        ],
                    )
                })
                .collect())
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CalculatorQuery {
    /// Words to find a product by.
    pub q: String,
    pub product_id: String,
    /// Or a price typed in: the total the customer pays.
    pub price: String,
    pub down_payment: String,
    pub term: String,
}

#[derive(Template)]
#[template(path = "retail/installments/calculator.html")]
struct CalculatorPage {
    ctx: PageCtx,
    query: CalculatorQuery,
    terms: Vec<i64>,
    rate: String,
    hits: Vec<crate::retail::pos::search::SearchHit>,
    product: Option<String>,
    figures: Option<rules::PlanFigures>,
    error: Option<String>,
}

/// `/installments/calculator`: the plan a price (typed, or a product's with VAT as at the till)
/// would make, worked out by the same functions as the checkout.
pub async fn calculator(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<CalculatorQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let words = query.q.trim().to_string();
    if words.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "The search can be at most 100 characters.".into(),
        ));
    }
    let product_id = forms::optional_id(&query.product_id)
        .map_err(|_| AppError::BadRequest("That product is not in the list.".into()))?;
    let branch = user.branch_id;
    let (terms, hits, product) = state
        .db
        .read(move |c| {
            let terms = model::terms(c)?;
            let hits = if words.is_empty() {
                Vec::new()
            } else {
                crate::retail::pos::search::find(c, branch.unwrap_or(0), &words, (0, 10))?
            };
            let product = match product_id {
                Some(id) => Some(model::priced_for_plan(c, id)?),
                None => None,
            };
            Ok((terms, hits, product))
        })
        .await?;
    let today = state.clock.today();
    let mut error = None;
    let total = match &product {
        Some((_, total)) => Some(*total),
        None if query.price.trim().is_empty() => None,
        None => match Money::parse_input(&query.price) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(format!("The price: {e}."));
                None
            }
        },
    };
    let down = match query.down_payment.trim() {
        "" => Some(Money::ZERO),
        raw => match Money::parse_input(raw) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(format!("The down payment: {e}."));
                None
            }
        },
    };
    let term = query
        .term
        .trim()
        .parse::<i64>()
        .ok()
        .or_else(|| terms.offered.get(1).or(terms.offered.first()).copied())
        .unwrap_or(6);
    let figures = match (total, down) {
        (Some(total), Some(down)) => {
            match rules::plan(total, down, term, &terms.offered, terms.rate_bp, today) {
                Ok(f) => Some(f),
                Err(e) => {
                    error = Some(e.to_string());
                    None
                }
            }
        }
        _ => None,
    };
    let mut query = query;
    query.term = term.to_string();
    html(&CalculatorPage {
        ctx,
        query,
        rate: crate::platform::percent::percent_text(terms.rate_bp),
        terms: terms.offered,
        hits,
        product: product.map(|(name, total)| format!("{name} — {}", total.grouped())),
        figures,
        error,
    })
}
