use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::archive::ArchiveRoutes;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::images::PictureRoutes;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::catalog::products::model::{self, Filter, ProductRow};
use crate::retail::catalog::products::rules::{self, ProductForm};
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
    fn filter(&self) -> Result<Filter, AppError> {
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
    html(&ListPage {
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

struct Existing {
    id: i64,
    image_id: Option<i64>,
    is_active: bool,
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    existing: Option<Existing>,
    form: ProductForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (categories, suppliers) = state
        .db
        .run(|c| Ok((categories::choices(c)?, suppliers::choices(c)?)))
        .await?;
    let (id, image_id, is_active) = existing
        .map(|e| (Some(e.id), e.image_id, e.is_active))
        .unwrap_or((None, None, true));
    html_status(
        status,
        &FormPage {
            ctx,
            id,
            image_id,
            is_active,
            form,
            errors,
            categories,
            suppliers,
        },
    )
}

pub async fn new_form(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let form = ProductForm {
        min_stock: "3".into(),
        ..Default::default()
    };
    form_page(
        &state,
        ctx,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let name = input.name.clone();
    match state
        .db
        .write(move |c| model::create(c, &actor, &input))
        .await
    {
        Ok(id) => {
            flash::success(
                &session,
                format!(
                    "{name} was added to the catalogue. Receive stock for it on the stock page."
                ),
            );
            Ok(see_other(&format!("/products/{id}/edit")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            form_page(&state, ctx, None, form, errors, status).await
        }
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let p = state.db.run(move |c| model::find(c, id)).await?;
    let form = ProductForm {
        name: p.name.clone(),
        sku: p.sku.clone().unwrap_or_default(),
        barcode: p.barcode.clone(),
        category_id: p.category_id.to_string(),
        supplier_id: p.supplier_id.map(|s| s.to_string()).unwrap_or_default(),
        price: p.price().plain(),
        cost: p.cost().plain(),
        min_stock: p.min_stock.to_string(),
        serial_tracked: p.serial_tracked.then(|| "on".to_string()),
        description: p.description.clone(),
    };
    let existing = Existing {
        id,
        image_id: p.image_id,
        is_active: p.is_active,
    };
    form_page(
        &state,
        ctx,
        Some(existing),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let current = state.db.run(move |c| model::find(c, id)).await?;
    let existing = Existing {
        id,
        image_id: current.image_id,
        is_active: current.is_active,
    };
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                Some(existing),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let name = input.name.clone();
    match state
        .db
        .write(move |c| model::update(c, &actor, id, &input))
        .await
    {
        Ok(()) => {
            flash::success(&session, format!("{name} was saved."));
            Ok(see_other(&format!("/products/{id}/edit")))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            form_page(&state, ctx, Some(existing), form, errors, status).await
        }
    }
}

/// Archive and restore a product (`archive::archive::<Products>`).
pub struct Products;

impl ArchiveRoutes for Products {
    type Row = String;
    fn set_active(
        c: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> Result<String, AppError> {
        Ok(model::set_active(c, actor, id, active)?.name)
    }
    fn said(name: &String, active: bool) -> String {
        if active {
            format!("{name} was restored.")
        } else {
            format!("{name} was archived: it can no longer be scanned or sold.")
        }
    }
    fn then(id: i64, active: bool) -> String {
        if active {
            format!("/products/{id}/edit")
        } else {
            "/products".into()
        }
    }
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
