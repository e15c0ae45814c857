use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html_status, PageCtx};
use crate::platform::pagination::{filter_query, with_query};
use crate::platform::redirect::see_other;
use crate::retail::catalog::prices::model::{self, Applied, PriceRow};
use crate::retail::catalog::prices::rules::{self, ChangeForm};
use crate::retail::catalog::products::routes::ListQuery;

/// The product list's filters and the change, as the GET preview and the POST carry them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PricesQuery {
    pub q: String,
    pub category_id: String,
    pub supplier_id: String,
    pub mode: String,
    pub value: String,
    pub rounding: String,
    /// The POST's one-time key and the fingerprint of the prices its preview showed.
    pub key: String,
    pub seen: String,
}

impl PricesQuery {
    fn list(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            category_id: self.category_id.clone(),
            supplier_id: self.supplier_id.clone(),
            ..Default::default()
        }
    }

    fn change(&self) -> ChangeForm {
        ChangeForm {
            mode: self.mode.clone(),
            value: self.value.clone(),
            rounding: self.rounding.clone(),
        }
    }

    fn back(&self) -> String {
        with_query(
            "/products",
            &filter_query(&[
                ("q", &self.q),
                ("category_id", &self.category_id),
                ("supplier_id", &self.supplier_id),
            ]),
        )
    }
}

/// How many rows of old → new the page lists (the count and the change cover all).
const LISTED: usize = 300;

#[derive(Template)]
#[template(path = "retail/products/prices.html")]
struct PricesPage {
    ctx: PageCtx,
    query: PricesQuery,
    errors: FormErrors,
    back: String,
    /// The preview, when the change is valid.
    rows: Vec<PriceRow>,
    count: usize,
    unpriced: usize,
    rule: String,
    fingerprint: String,
    key: String,
    previewed: bool,
}

async fn page(
    ctx: PageCtx,
    staff: &Staff,
    query: PricesQuery,
    error: Option<AppError>,
) -> Result<HttpResponse, AppError> {
    let filter = query.list().filter()?;
    let status = error.as_ref().map_or(actix_web::http::StatusCode::OK, |e| {
        actix_web::ResponseError::status_code(e)
    });
    let mut errors = match error {
        Some(AppError::Fields { errors, .. }) => errors,
        Some(e) => {
            let mut f = FormErrors::default();
            f.add("form", e.to_string());
            f
        }
        None => FormErrors::default(),
    };
    let asked = !query.mode.is_empty() || !query.value.is_empty();
    let valid = if asked {
        match rules::validate(&query.change()) {
            Ok(v) => Some(v),
            Err(e) => {
                for (field, message) in e.iter() {
                    errors.add(field, message);
                }
                None
            }
        }
    } else {
        None
    };
    let mut p = PricesPage {
        ctx,
        back: query.back(),
        query,
        errors,
        rows: vec![],
        count: 0,
        unpriced: 0,
        rule: String::new(),
        fingerprint: String::new(),
        key: crate::platform::auth::session::new_token(),
        previewed: false,
    };
    let status = if asked && valid.is_none() && status.is_success() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    if let Some((change, rounding)) = valid {
        let preview = staff
            .state
            .db
            .read(move |c| model::preview(c, &filter, change, rounding))
            .await;
        match preview {
            Ok(preview) => {
                p.count = preview.rows.len();
                p.unpriced = preview.rows.iter().filter(|r| r.new.is_none()).count();
                p.rows = preview.rows.into_iter().take(LISTED).collect();
                p.fingerprint = preview.fingerprint;
                p.rule = change.describe(rounding);
                p.previewed = true;
            }
            Err(e @ AppError::Unprocessable(_)) => p.errors.add("form", e.to_string()),
            Err(e) => return Err(e),
        }
    }
    html_status(status, &p)
}

/// `GET /products/prices?…`: the form, and with a valid change its preview.
pub async fn show(
    ctx: PageCtx,
    staff: Staff,
    q: web::Query<PricesQuery>,
) -> Result<HttpResponse, AppError> {
    page(ctx, &staff, q.into_inner(), None).await
}

/// `POST /products/prices`: the previewed change, all or nothing.
pub async fn apply(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<PricesQuery>,
) -> Result<HttpResponse, AppError> {
    let query = form.into_inner();
    let filter = query.list().filter()?;
    let (change, rounding) = match rules::validate(&query.change()) {
        Ok(v) => v,
        Err(errors) => {
            let e = AppError::Fields {
                status: actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            };
            return page(ctx, &staff, query, Some(e)).await;
        }
    };
    let key =
        crate::retail::pos::cart::idempotency_key(&serde_json::Value::String(query.key.clone()))
            .map_err(|_| {
                AppError::BadRequest("The form is out of date: preview the change again.".into())
            })?;
    let (actor, seen) = (staff.actor.clone(), query.seen.clone());
    let done = staff
        .state
        .db
        .write(move |c| model::apply(c, &actor, &filter, change, rounding, &key, &seen))
        .await;
    match done {
        Ok(Applied::Done(n)) => {
            flash::success(
                &staff.session,
                format!("{n} price(s) changed: {}.", change.describe(rounding)),
            );
            Ok(see_other(&query.back()))
        }
        Ok(Applied::Already) => {
            flash::push(
                &staff.session,
                flash::Kind::Info,
                "That price change was already made; nothing more was changed.",
            );
            Ok(see_other(&query.back()))
        }
        Err(e @ (AppError::Conflict(_) | AppError::Unprocessable(_))) => {
            page(ctx, &staff, query, Some(e)).await
        }
        Err(e) => Err(e),
    }
}
