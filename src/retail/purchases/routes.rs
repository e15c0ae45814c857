//! `/purchases` (managers): purchase orders with filters and CSV, a new-order form, each
//! order's page with its deliveries.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors, Pairs};
use crate::platform::money::Money;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::purchases::model::{self, LineRow, OrderRow, PurchaseFilter};
use crate::retail::purchases::rules::STATUSES;
use crate::retail::transfers::rules::{self as lines_rules, FORM_ROWS};

const PAGE_SIZE: i64 = 30;

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PurchaseQuery {
    status: String,
    supplier: String,
    branch: String,
    page: Option<String>,
}

impl PurchaseQuery {
    fn filter(&self) -> Result<PurchaseFilter, AppError> {
        let status = match self.status.as_str() {
            "" => None,
            s => Some(
                *STATUSES
                    .iter()
                    .find(|x| **x == s)
                    .ok_or_else(|| AppError::BadRequest("Unknown status.".into()))?,
            ),
        };
        let id = |raw: &str, what: &str| {
            forms::optional_id(raw).map_err(|_| AppError::BadRequest(format!("Unknown {what}.")))
        };
        Ok(PurchaseFilter {
            status,
            supplier_id: id(&self.supplier, "supplier")?,
            branch_id: id(&self.branch, "branch")?,
        })
    }

    fn base(&self) -> String {
        filter_query(&[
            ("status", &self.status),
            ("supplier", &self.supplier),
            ("branch", &self.branch),
        ])
    }
}

pub struct Row {
    pub o: OrderRow,
    pub at: String,
    pub value: Money,
    pub ordered: i64,
    pub received: i64,
}

#[derive(Template)]
#[template(path = "retail/purchases/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    pager: Pager,
    q: PurchaseQuery,
    export_href: String,
    statuses: Vec<(&'static str, &'static str)>,
    suppliers: Vec<(i64, String)>,
    branches: Vec<(i64, String)>,
    errors: FormErrors,
    typed: Pairs,
    key: String,
    form_rows: Vec<usize>,
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    q: PurchaseQuery,
    typed: Pairs,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter()?;
    let page = PageRequest::parse(q.page.as_deref(), PAGE_SIZE)?;
    let (mut rows, totals, suppliers, branches) = state
        .db
        .read(move |c| {
            let rows = model::page(c, &filter, page.offset(), page.fetch())?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            Ok((
                rows,
                model::totals(c, &ids)?,
                model::supplier_options(c)?,
                crate::staff::branches::model::options(c)?,
            ))
        })
        .await?;
    let base = q.base();
    let pager = Pager::cut(page, &mut rows, base.clone());
    let clock = state.clock;
    html_status(
        status,
        &ListPage {
            rows: rows
                .into_iter()
                .map(|o| {
                    let t = totals
                        .iter()
                        .find(|t| t.0 == o.id)
                        .copied()
                        .unwrap_or_default();
                    Row {
                        at: clock.format(o.created_at),
                        value: Money(t.1),
                        ordered: t.2,
                        received: t.3,
                        o,
                    }
                })
                .collect(),
            pager,
            export_href: with_query("/purchases/export.csv", &base),
            q,
            statuses: STATUSES
                .iter()
                .map(|s| (*s, crate::retail::purchases::rules::status_label(s)))
                .collect(),
            suppliers,
            branches,
            errors,
            typed,
            key: crate::platform::auth::session::new_token(),
            form_rows: (0..FORM_ROWS).collect(),
            ctx,
        },
    )
}

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<PurchaseQuery>,
) -> Result<HttpResponse, AppError> {
    list_page(
        ctx,
        &state,
        q.into_inner(),
        Pairs::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /purchases`: a new order.
pub async fn create(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let p = Pairs(form.into_inner());
    let result = async {
        let mut errors = FormErrors::default();
        let supplier = forms::optional_id(p.get("supplier_id")).ok().flatten();
        let branch = forms::optional_id(p.get("branch_id")).ok().flatten();
        if supplier.is_none() {
            errors.add("supplier_id", "Choose the supplier.");
        }
        if branch.is_none() {
            errors.add("branch_id", "Choose the branch the goods arrive at.");
        }
        let reference = forms::visible(p.get("reference")).unwrap_or_default();
        if reference.chars().count() > 64 || reference.chars().any(char::is_control) {
            errors.add(
                "reference",
                "The supplier's reference is at most 64 characters.",
            );
        }
        let key = forms::one_time_key(p.get("key").trim()).unwrap_or_else(|e| {
            errors.add("key", e);
            String::new()
        });
        let lines = lines_rules::lines_into(&p, true, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Fields {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            });
        }
        let (supplier_id, branch_id) = (supplier.unwrap_or(0), branch.unwrap_or(0));
        state
            .db
            .write(move |c| {
                model::create(
                    c,
                    &actor,
                    &model::NewOrder {
                        supplier_id,
                        branch_id,
                        reference: &reference,
                        key: &key,
                        lines: &lines,
                    },
                    BusinessClock::now_utc(),
                )
            })
            .await
    }
    .await;
    match result {
        Ok(id) => {
            flash::success(
                &session,
                "Purchase order saved: receive the goods on it as they arrive.",
            );
            Ok(see_other(&format!("/purchases/{id}")))
        }
        Err(AppError::Fields { errors, status }) => {
            list_page(ctx, &state, PurchaseQuery::default(), p, errors, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "retail/purchases/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    o: OrderRow,
    at: String,
    lines: Vec<LineRow>,
    total: Money,
    errors: FormErrors,
    key: String,
}

impl DetailPage {
    fn cost(&self, minor: &i64) -> Money {
        Money(*minor)
    }
}

async fn detail_page(
    ctx: PageCtx,
    state: &AppState,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (o, lines) = state
        .db
        .read(move |c| Ok((model::find(c, id)?, model::lines(c, id)?)))
        .await?;
    html_status(
        status,
        &DetailPage {
            at: state.clock.format(o.created_at),
            total: Money(lines.iter().map(|l| l.3 * l.4).sum()),
            o,
            lines,
            errors,
            key: crate::platform::auth::session::new_token(),
            ctx,
        },
    )
}

pub async fn detail(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    detail_page(
        ctx,
        &state,
        id.into_inner(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /purchases/{id}/receive`: `got_{line}` units of each line, with the delivery's key.
pub async fn receive(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, actor, state, session) = staff.parts();
    let p = Pairs(form.into_inner());
    let mut errors = FormErrors::default();
    let mut got = Vec::new();
    for (n, (suffix, raw)) in p.with_prefix("got_").enumerate() {
        if n >= 500 {
            errors.add("lines", "A delivery has at most 500 lines.");
            break;
        }
        let (Ok(line), Ok(q)) =
            (
                suffix.parse::<i64>(),
                raw.trim().parse::<i64>().or_else(|e| {
                    if raw.trim().is_empty() {
                        Ok(0)
                    } else {
                        Err(e)
                    }
                }),
            )
        else {
            errors.add("lines", "The units received are whole numbers, 0 or more.");
            continue;
        };
        if q < 0 {
            errors.add("lines", "The units received are whole numbers, 0 or more.");
            continue;
        }
        got.push((line, q));
    }
    let key = forms::one_time_key(p.get("key").trim()).unwrap_or_else(|e| {
        errors.add("key", e);
        String::new()
    });
    if !errors.is_empty() {
        return detail_page(ctx, &state, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let result = state
        .db
        .write(move |c| model::receive(c, &actor, id, &key, &got, BusinessClock::now_utc()))
        .await;
    match result {
        Ok(units) => {
            flash::success(&session, format!("{units} unit(s) received into stock."));
            Ok(see_other(&format!("/purchases/{id}")))
        }
        Err(AppError::Fields { errors, status }) => {
            detail_page(ctx, &state, id, errors, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (_, actor, state, session) = staff.parts();
    state
        .db
        .write(move |c| model::cancel(c, &actor, id, BusinessClock::now_utc()))
        .await?;
    flash::success(&session, "Purchase order cancelled.");
    Ok(see_other(&format!("/purchases/{id}")))
}

const HEADER: &[&str] = &[
    "PO",
    "Supplier",
    "Branch",
    "Status",
    "Reference",
    "Created",
    "Created by",
    "Value",
    "Units ordered",
    "Units received",
];

/// `GET /purchases/export.csv`: the filtered orders, streamed.
pub async fn export(
    state: web::Data<AppState>,
    q: web::Query<PurchaseQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter()?;
    let clock = state.clock;
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("purchases", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = model::export_page(conn, &filter, after.unwrap_or(0), limit)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let totals = model::totals(conn, &ids)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let t = totals
                        .iter()
                        .find(|t| t.0 == r.id)
                        .copied()
                        .unwrap_or_default();
                    (
                        r.id,
                        vec![
                            format!("PO #{}", r.id),
                            r.supplier.clone(),
                            r.branch.clone(),
                            r.status_label().to_string(),
                            r.reference.clone(),
                            clock.format(r.created_at),
                            r.created_by.clone(),
                            Money(t.1).plain(),
                            t.2.to_string(),
                            t.3.to_string(),
                        ],
                    )
                })
                .collect())
        },
    ))
}
