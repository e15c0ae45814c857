//! `/suppliers`: list, create, edit, archive and restore (managers).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use crate::platform::archive::ArchiveRoutes;
use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::catalog::suppliers::model::*;
use crate::retail::catalog::suppliers::rules::*;

pub struct SupplierView {
    pub s: Supplier,
    pub status: String,
    pub period: String,
}

#[derive(Template)]
#[template(path = "retail/suppliers/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<SupplierView>,
    archived: bool,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "retail/suppliers/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    form: SupplierForm,
    errors: FormErrors,
    statuses: Vec<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    archived: Option<String>,
    page: Option<String>,
}

pub async fn list_page(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let archived = q.archived.as_deref() == Some("1");
    let page = PageRequest::parse(q.page.as_deref(), 25)?;
    let mut rows: Vec<Supplier> = state
        .db
        .run(move |c| Ok(list(c, archived, page.offset(), page.fetch())?))
        .await?;
    let pager = Pager::cut(
        page,
        &mut rows,
        if archived {
            "archived=1".into()
        } else {
            String::new()
        },
    );
    let today = state.clock.today();
    let rows = rows
        .into_iter()
        .map(|s| SupplierView {
            status: s.contract_status(today).to_string(),
            period: s.contract_period(),
            s,
        })
        .collect();
    html(&ListPage {
        ctx,
        rows,
        archived,
        pager,
    })
}

fn form_page(
    ctx: PageCtx,
    id: Option<i64>,
    form: SupplierForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    html_status(
        status,
        &FormPage {
            ctx,
            id,
            form,
            errors,
            statuses: STATUSES.to_vec(),
        },
    )
}

pub async fn new_form(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let today = state.clock.today();
    let form = SupplierForm {
        contract_start: today.to_string(),
        contract_expiry: today
            .with_year(today.year() + 1)
            .unwrap_or(today)
            .to_string(),
        status: "Active".into(),
        ..Default::default()
    };
    form_page(ctx, None, form, FormErrors::default(), StatusCode::OK)
}

pub async fn create_route(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<SupplierForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match validate(&form) {
        Ok(i) => i,
        Err(errors) => return form_page(ctx, None, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let name = input.name.clone();
    state.db.write(move |c| create(c, &actor, &input)).await?;
    flash::success(&session, format!("Supplier {name} was added."));
    Ok(see_other("/suppliers"))
}

pub async fn edit_form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let s = state.db.run(move |c| find(c, id)).await?;
    let form = SupplierForm {
        name: s.name,
        contact_person: s.contact_person,
        phone: s.phone,
        email: s.email,
        contract_start: s.contract_start.to_string(),
        contract_expiry: s.contract_expiry.to_string(),
        status: s.status,
    };
    form_page(ctx, Some(id), form, FormErrors::default(), StatusCode::OK)
}

pub async fn update_route(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<SupplierForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let input = match validate(&form) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                ctx,
                Some(id),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let name = input.name.clone();
    state
        .db
        .write(move |c| update(c, &actor, id, &input))
        .await?;
    flash::success(&session, format!("Supplier {name} was saved."));
    Ok(see_other("/suppliers"))
}

/// Archive and restore a supplier (`archive::archive::<Suppliers>`).
pub struct Suppliers;

impl ArchiveRoutes for Suppliers {
    type Row = String;
    fn set_active(
        c: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> Result<String, AppError> {
        Ok(set_active(c, actor, id, active)?.name)
    }
    fn said(name: &String, active: bool) -> String {
        let verb = if active { "restored" } else { "archived" };
        format!("Supplier {name} was {verb}.")
    }
    fn then(_: i64, active: bool) -> String {
        if active {
            "/suppliers?archived=1"
        } else {
            "/suppliers"
        }
        .into()
    }
}
