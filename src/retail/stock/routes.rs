use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{Choice, FormErrors};
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::catalog::products::model as products;
use crate::retail::stock::model::{
    self, Filter, MovementRow, Reconciliation, StatusFilter, StockLine,
};
use crate::retail::stock::rules::{self, AdjustmentForm};
use crate::staff::branches;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StockQuery {
    pub branch_id: String,
    pub status: String,
    pub name: String,
    pub barcode: String,
    pub page: Option<String>,
}

impl StockQuery {
    /// The branch comes from the person's `BranchScope` (their own, or a manager's choice).
    fn filter(&self, scope: BranchScope) -> Result<Filter, AppError> {
        let branch_id = scope.branch();
        let status = match self.status.trim() {
            "" => None,
            "out" => Some(StatusFilter::Out),
            "low" => Some(StatusFilter::Low),
            "in" => Some(StatusFilter::In),
            other => {
                return Err(AppError::BadRequest(format!(
                    "There is no stock status \"{}\".",
                    other.chars().take(20).collect::<String>()
                )))
            }
        };
        let text = |s: &str, what: &str| -> Result<Option<String>, AppError> {
            let t = s.trim();
            if t.chars().count() > 100 {
                return Err(AppError::BadRequest(format!(
                    "The {what} filter can be at most 100 characters."
                )));
            }
            Ok((!t.is_empty()).then(|| t.to_string()))
        };
        Ok(Filter {
            branch_id,
            status,
            name: text(&self.name, "name")?.map(|n| n.to_lowercase()),
            barcode: text(&self.barcode, "barcode")?,
        })
    }

    fn base_query(&self) -> String {
        filter_query(&[
            ("branch_id", &self.branch_id),
            ("status", &self.status),
            ("name", &self.name),
            ("barcode", &self.barcode),
        ])
    }
}

#[derive(Template)]
#[template(path = "retail/stock/list.html")]
struct StockPage {
    ctx: PageCtx,
    rows: Vec<StockLine>,
    query: StockQuery,
    branches: Vec<Choice>,
    is_manager: bool,
    pager: Pager,
    export_href: String,
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<StockQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter(scope)?;
    let page = PageRequest::parse(query.page.as_deref(), 50)?;
    let (mut rows, options) = state
        .db
        .run(move |c| {
            Ok((
                model::list(c, &filter, page.offset(), page.fetch())?,
                branches::model::options(c)?,
            ))
        })
        .await?;
    let base = query.base_query();
    let export_href = with_query("/inventory/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let branches = options
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect();
    html(&StockPage {
        ctx,
        rows,
        query,
        branches,
        is_manager: user.is_manager(),
        pager,
        export_href,
    })
}

/// The seed's columns: Branch, Supplier, Product Name, Category, Quantity, Price, Barcode, Status.
const HEADER: &[&str] = &[
    "Branch",
    "Supplier",
    "Product Name",
    "Category",
    "Quantity",
    "Price",
    "Barcode",
    "Status",
];

pub async fn export(
    scope: BranchScope,
    state: web::Data<AppState>,
    q: web::Query<StockQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter(scope)?;
    Ok(csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("branch_inventory", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = model::export_page(conn, &filter, after, limit)?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    (
                        r.id,
                        vec![
                            r.branch.clone(),
                            r.supplier.clone().unwrap_or_default(),
                            r.product.clone(),
                            r.category.clone(),
                            r.quantity.to_string(),
                            r.price().plain(),
                            r.barcode.clone(),
                            r.status().to_string(),
                        ],
                    )
                })
                .collect();
            Ok(rows)
        },
    ))
}

pub struct MovementView {
    pub at: String,
    pub row: MovementRow,
}

/// The ledger's filter and page, kept across the adjustment form's round trip.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HistoryQuery {
    pub branch_id: String,
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "retail/stock/product.html")]
struct ProductStockPage {
    ctx: PageCtx,
    product: products::Product,
    levels: Vec<Reconciliation>,
    history: Vec<MovementView>,
    pager: Pager,
    query: HistoryQuery,
    branches: Vec<Choice>,
    form: AdjustmentForm,
    errors: FormErrors,
}

async fn product_page(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    query: HistoryQuery,
    form: AdjustmentForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let branch_id = BranchScope::parse(&query.branch_id)?;
    let page = PageRequest::parse(query.page.as_deref(), 50)?;
    let (product, levels, mut history, options) = state
        .db
        .run(move |c| {
            Ok((
                products::find(c, id)?,
                model::reconcile(c, id)?,
                model::movements(c, id, branch_id, page.offset(), page.fetch())?,
                branches::model::options(c)?,
            ))
        })
        .await?;
    let pager = Pager::cut(
        page,
        &mut history,
        filter_query(&[("branch_id", &query.branch_id)]),
    );
    let clock = state.clock;
    let history = history
        .into_iter()
        .map(|row| MovementView {
            at: clock.format(row.created_at),
            row,
        })
        .collect();
    let branches = options
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect();
    html_status(
        status,
        &ProductStockPage {
            ctx,
            product,
            levels,
            history,
            pager,
            query,
            branches,
            form,
            errors,
        },
    )
}

pub async fn product_stock(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let form = AdjustmentForm {
        kind: "receive".into(),
        ..Default::default()
    };
    product_page(
        &state,
        ctx,
        id.into_inner(),
        query.into_inner(),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn adjust(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<AdjustmentForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let form = form.into_inner();
    let product = state.db.run(move |c| products::find(c, id)).await?;
    let adjustment = match rules::validate(&form, product.serial_tracked) {
        Ok(a) => a,
        Err(errors) => {
            return product_page(
                &state,
                ctx,
                id,
                HistoryQuery::default(),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state
        .db
        .write(move |c| model::adjust(c, &actor, id, &adjustment))
        .await
    {
        Ok(after) => {
            flash::success(
                &session,
                format!("Stock of {} is now {after}.", product.name),
            );
            Ok(see_other(&format!("/products/{id}/stock")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            product_page(
                &state,
                ctx,
                id,
                HistoryQuery::default(),
                form,
                errors,
                status,
            )
            .await
        }
    }
}
