use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html, html_status, PageCtx};
use crate::platform::pagination::{PageRequest, Pager};
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
use crate::platform::state::AppState;
use crate::staff::branches::model::{self, Branch};
use crate::staff::branches::rules::{self, BranchForm, BranchInput};

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

/// The branch form (`record_form::{new, create, edit, update}::<Branches>`).
impl RecordForm for Branches {
    type Form = BranchForm;
    const UPDATE: Update<Self> = model::update;
    const SAID: [&'static str; 2] = ["Branch {name} was created.", "Branch {name} was saved."];
    const NEXT: &'static str = "/branches";
    type Input = BranchInput;

    fn blank(_: &AppState, _: &HttpRequest) -> Result<BranchForm, AppError> {
        Ok(BranchForm::default())
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<BranchForm, AppError> {
        let b = model::find(c, id)?;
        Ok(BranchForm {
            name: b.name,
            code: b.code,
            address: b.address,
            phone: b.phone,
        })
    }
    fn validate(form: &BranchForm, _: Ask) -> Result<BranchInput, FormErrors> {
        rules::validate(form)
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        model::create(c, new.actor, new.input)
    }
    fn name(input: &BranchInput) -> String {
        input.name.clone()
    }
    async fn page(v: FormView<BranchForm>) -> Result<HttpResponse, AppError> {
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            form: v.form,
            errors: v.errors,
        };
        html_status(v.status, &page)
    }
}

/// Archive and restore a branch (`archive::archive::<Branches>`).
pub struct Branches;

impl ArchiveRoutes for Branches {
    const SET_ACTIVE: SetActive = model::set_active;
    const SAID: [&'static str; 2] = ["Branch {name} was archived.", "Branch {name} was restored."];
    const THEN: [&'static str; 2] = ["/branches?archived=1", "/branches"];
}
