use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::images::PictureRoutes;
use crate::platform::money::Money;
use crate::platform::page::{html, html_status, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
use crate::platform::state::AppState;
use crate::retail::catalog::products::labels;
use crate::retail::catalog::products::model::{self, Filter, ProductRow};
use crate::retail::catalog::products::rules::{self, ProductForm, ProductInput};
use crate::retail::catalog::{categories, suppliers};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub category_id: String,
    pub supplier_id: String,
    pub archived: String,
    pub page: Option<String>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<Filter, AppError> {
        let q = self.q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::BadRequest(
                "The search text can be at most 100 characters.".into(),
            ));
        }
        let bad = |what: &str| {
            AppError::BadRequest(format!("The {what} filter must be one from the list."))
        };
        Ok(Filter {
            q: (!q.is_empty()).then(|| q.to_lowercase()),
            category_id: forms::optional_id(&self.category_id).map_err(|_| bad("category"))?,
            supplier_id: forms::optional_id(&self.supplier_id).map_err(|_| bad("supplier"))?,
            archived: self.archived == "1",
        })
    }
}

#[derive(Template)]
#[template(path = "retail/products/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<ProductRow>,
    query: ListQuery,
    categories: Vec<Choice>,
    suppliers: Vec<Choice>,
    pager: Pager,
    can_edit: bool,
    /// The list's filters carried to its export and its price change.
    export_href: String,
    prices_href: String,
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page.as_deref(), 25)?;
    let (mut rows, categories, suppliers) = state
        .db
        .run(move |c| {
            Ok((
                model::list(c, &filter, page.offset(), page.fetch())?,
                categories::choices(c)?,
                suppliers::choices(c)?,
            ))
        })
        .await?;
    let base = filter_query(&[
        ("q", &query.q),
        ("category_id", &query.category_id),
        ("supplier_id", &query.supplier_id),
        ("archived", &query.archived),
    ]);
    let pager = Pager::cut(page, &mut rows, base);
    let export_query = filter_query(&[
        ("q", &query.q),
        ("category_id", &query.category_id),
        ("supplier_id", &query.supplier_id),
    ]);
    html(&ListPage {
        export_href: with_query("/products/export.csv", &export_query),
        prices_href: with_query("/products/prices", &export_query),
        ctx,
        rows,
        query,
        categories,
        suppliers,
        pager,
        can_edit: user.is_manager(),
    })
}

#[derive(Template)]
#[template(path = "retail/products/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    image_id: Option<i64>,
    is_active: bool,
    form: ProductForm,
    errors: FormErrors,
    categories: Vec<Choice>,
    suppliers: Vec<Choice>,
}

/// The product form (`record_form::{new, create, edit, update}::<Products>`).
impl RecordForm for Products {
    type Form = ProductForm;
    const UPDATE: Update<Self> = model::update;
    const SAID: [&'static str; 2] = [
        "{name} was added to the catalogue. Receive stock for it on the stock page.",
        "{name} was saved.",
    ];
    const NEXT: &'static str = "/products/{id}/edit";
    type Input = ProductInput;

    fn blank(_: &AppState, _: &HttpRequest) -> Result<ProductForm, AppError> {
        Ok(ProductForm {
            min_stock: "3".into(),
            ..Default::default()
        })
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<ProductForm, AppError> {
        let p = model::find(c, id)?;
        Ok(ProductForm {
            name: p.name.clone(),
            sku: p.sku.clone().unwrap_or_default(),
            barcode: p.barcode.clone(),
            category_id: p.category_id.to_string(),
            supplier_id: p.supplier_id.map(|s| s.to_string()).unwrap_or_default(),
            price: p.base_price().plain(),
            discount_price: p.discount_price().map(Money::plain).unwrap_or_default(),
            cost: p.cost().plain(),
            min_stock: p.min_stock.to_string(),
            serial_tracked: p.serial_tracked.then(|| "on".to_string()),
            description: p.description.clone(),
        })
    }
    fn validate(form: &ProductForm, _: Ask) -> Result<ProductInput, FormErrors> {
        rules::validate(form)
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        model::create(c, new.actor, new.input)
    }
    fn name(input: &ProductInput) -> String {
        input.name.clone()
    }
    async fn page(v: FormView<ProductForm>) -> Result<HttpResponse, AppError> {
        let id = v.id;
        let (categories, suppliers, saved) = v
            .state
            .db
            .run(move |c| {
                let saved = id.map(|id| model::find(c, id)).transpose()?;
                Ok((categories::choices(c)?, suppliers::choices(c)?, saved))
            })
            .await?;
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            image_id: saved.as_ref().and_then(|p| p.image_id),
            is_active: saved.is_none_or(|p| p.is_active),
            form: v.form,
            errors: v.errors,
            categories,
            suppliers,
        };
        html_status(v.status, &page)
    }
}

/// Archive and restore a product (`archive::archive::<Products>`).
pub struct Products;

impl ArchiveRoutes for Products {
    const SET_ACTIVE: SetActive = model::set_active;
    const SAID: [&'static str; 2] = [
        "{name} was archived: it can no longer be scanned or sold.",
        "{name} was restored.",
    ];
    const THEN: [&'static str; 2] = ["/products", "/products/{id}/edit"];
}

/// A product's picture (`images::upload_picture::<ProductPictures>`).
pub struct ProductPictures;

impl PictureRoutes for ProductPictures {
    fn check(c: &mut AnyConnection, id: i64) -> Result<(), AppError> {
        model::find(c, id).map(drop)
    }
    fn attach(c: &mut AnyConnection, actor: &Actor, id: i64, image: i64) -> Result<(), AppError> {
        model::set_image(c, actor, id, Some(image))
    }
    fn shown(c: &mut AnyConnection, id: i64) -> Result<Option<i64>, AppError> {
        Ok(model::find(c, id)?.image_id)
    }
    const SAID: &'static str = "The product image was updated.";
    fn back(id: i64) -> String {
        format!("/products/{id}/edit")
    }
}

/// `/products/export.csv`: the list's filters, the import's columns (a round trip is lossless).
pub async fn export(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter()?;
    let header = crate::platform::spreadsheet::template_header(super::import::COLUMNS);
    Ok(crate::platform::csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("products", state.clock.today()),
        &header,
        move |conn, after, limit| super::import::export_page(conn, &filter, after, limit),
    ))
}

#[derive(Template)]
#[template(path = "retail/products/labels.html")]
struct LabelsPage {
    business_name: String,
    currency: String,
    labels: Vec<labels::Label>,
    layout: &'static str,
    /// The same selection in the other layout.
    other_layout: String,
}

/// `/products/labels?id=…&id=…&copies=&layout=a4|roll` (or `?import=` for a stock import's
/// units): a print view.
pub async fn print_labels(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<forms::Pairs>,
) -> Result<HttpResponse, AppError> {
    let request = labels::LabelRequest::parse(&q)?;
    let r = request.clone();
    let labels = state.db.read(move |c| labels::labels(c, &r)).await?;
    let other = match request.layout {
        labels::Layout::A4 => labels::Layout::Roll,
        labels::Layout::Roll => labels::Layout::A4,
    };
    let mut pairs: Vec<(String, String)> = request
        .ids
        .iter()
        .map(|id| ("id".to_string(), id.to_string()))
        .collect();
    if let Some(i) = request.import {
        pairs.push(("import".into(), i.to_string()));
    }
    pairs.push(("copies".into(), request.copies.to_string()));
    pairs.push(("layout".into(), other.as_str().into()));
    let other_layout = format!(
        "/products/labels?{}",
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    html(&LabelsPage {
        business_name: ctx.business_name,
        currency: ctx.currency,
        labels,
        layout: request.layout.as_str(),
        other_layout,
    })
}
