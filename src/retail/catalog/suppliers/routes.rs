//! `/suppliers`: list, create, edit, archive and restore (managers).

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html, html_status, PageCtx};
use crate::platform::pagination::{PageRequest, Pager};
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
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

/// The supplier form (`record_form::{new, create, edit, update}::<Suppliers>`).
impl RecordForm for Suppliers {
    type Form = SupplierForm;
    const UPDATE: Update<Self> = update;
    const SAID: [&'static str; 2] = ["Supplier {name} was added.", "Supplier {name} was saved."];
    const NEXT: &'static str = "/suppliers";
    type Input = SupplierInput;

    fn blank(state: &AppState, _: &HttpRequest) -> Result<SupplierForm, AppError> {
        let today = state.clock.today();
        Ok(SupplierForm {
            contract_start: today.to_string(),
            contract_expiry: today
                .with_year(today.year() + 1)
                .unwrap_or(today)
                .to_string(),
            status: "Active".into(),
            ..Default::default()
        })
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<SupplierForm, AppError> {
        let s = find(c, id)?;
        Ok(SupplierForm {
            name: s.name,
            contact_person: s.contact_person,
            phone: s.phone,
            email: s.email,
            contract_start: s.contract_start.to_string(),
            contract_expiry: s.contract_expiry.to_string(),
            status: s.status,
        })
    }
    fn validate(form: &SupplierForm, _: Ask) -> Result<SupplierInput, FormErrors> {
        validate(form)
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        create(c, new.actor, new.input)
    }
    fn name(input: &SupplierInput) -> String {
        input.name.clone()
    }
    async fn page(v: FormView<SupplierForm>) -> Result<HttpResponse, AppError> {
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            form: v.form,
            errors: v.errors,
            statuses: STATUSES.to_vec(),
        };
        html_status(v.status, &page)
    }
}

/// Archive and restore a supplier (`archive::archive::<Suppliers>`).
pub struct Suppliers;

impl ArchiveRoutes for Suppliers {
    const SET_ACTIVE: SetActive = set_active;
    const SAID: [&'static str; 2] = [
        "Supplier {name} was archived.",
        "Supplier {name} was restored.",
    ];
    const THEN: [&'static str; 2] = ["/suppliers", "/suppliers?archived=1"];
}
