use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
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
use crate::staff::branches::model::{self, Branch};
use crate::staff::branches::rules::{self, BranchForm};

const PAGE_SIZE: i64 = 25;

#[derive(Template)]
#[template(path = "staff/branches/list.html")]
struct ListPage {
    ctx: PageCtx,
    branches: Vec<Branch>,
    archived: bool,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "staff/branches/form.html")]
struct FormPage {
    ctx: PageCtx,
    /// `None` for a new branch.
    id: Option<i64>,
    form: BranchForm,
    errors: FormErrors,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    archived: Option<String>,
    page: Option<String>,
}

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let archived = q.archived.as_deref() == Some("1");
    let page = PageRequest::parse(q.page.as_deref(), PAGE_SIZE)?;
    let mut branches = state
        .db
        .run(move |c| Ok(model::list(c, archived, page.offset(), page.fetch())?))
        .await?;
    let base = if archived {
        "archived=1".to_string()
    } else {
        String::new()
    };
    let pager = Pager::cut(page, &mut branches, base);
    html(&ListPage {
        ctx,
        branches,
        archived,
        pager,
    })
}

pub async fn new_form(ctx: PageCtx) -> Result<HttpResponse, AppError> {
    html(&FormPage {
        ctx,
        id: None,
        form: BranchForm::default(),
        errors: FormErrors::default(),
    })
}

fn invalid(
    ctx: PageCtx,
    id: Option<i64>,
    form: BranchForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    html_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FormPage {
            ctx,
            id,
            form,
            errors,
        },
    )
}

/// A duplicate code found by the database becomes a message next to the field.
fn conflict_on_code(
    ctx: PageCtx,
    id: Option<i64>,
    form: BranchForm,
    e: AppError,
) -> Result<HttpResponse, AppError> {
    match e {
        AppError::Conflict(msg) => {
            let mut errors = FormErrors::default();
            errors.add("code", msg);
            html_status(
                StatusCode::CONFLICT,
                &FormPage {
                    ctx,
                    id,
                    form,
                    errors,
                },
            )
        }
        other => Err(other),
    }
}

pub async fn create(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<BranchForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => return invalid(ctx, None, form, errors),
    };
    let name = input.name.clone();
    match state
        .db
        .write(move |c| model::create(c, &actor, &input))
        .await
    {
        Ok(_) => {
            flash::success(&session, format!("Branch {name} was created."));
            Ok(see_other("/branches"))
        }
        Err(e) => conflict_on_code(ctx, None, form, e),
    }
}

pub async fn edit_form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let b = state.db.run(move |c| model::find(c, id)).await?;
    let form = BranchForm {
        name: b.name,
        code: b.code,
        address: b.address,
        phone: b.phone,
    };
    html(&FormPage {
        ctx,
        id: Some(id),
        form,
        errors: FormErrors::default(),
    })
}

pub async fn update(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<BranchForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let input = match rules::validate(&form) {
        Ok(i) => i,
        Err(errors) => return invalid(ctx, Some(id), form, errors),
    };
    let name = input.name.clone();
    match state
        .db
        .write(move |c| model::update(c, &actor, id, &input))
        .await
    {
        Ok(()) => {
            flash::success(&session, format!("Branch {name} was saved."));
            Ok(see_other("/branches"))
        }
        Err(e) => conflict_on_code(ctx, Some(id), form, e),
    }
}

/// Archive and restore a branch (`archive::archive::<Branches>`).
pub struct Branches;

impl ArchiveRoutes for Branches {
    type Row = model::Branch;
    fn set_active(
        c: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> Result<model::Branch, AppError> {
        model::set_active(c, actor, id, active)
    }
    fn said(b: &model::Branch, active: bool) -> String {
        let verb = if active { "restored" } else { "archived" };
        format!("Branch {} was {verb}.", b.name)
    }
    fn then(_: i64, active: bool) -> String {
        if active {
            "/branches"
        } else {
            "/branches?archived=1"
        }
        .into()
    }
}
