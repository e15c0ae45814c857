//! `/registers` (managers): the tills of each branch, added, renamed, moved, archived and
//! restored, with the numbers a tax office wants on their receipts.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::state::AppState;
use crate::registers::model::{self, Register, RegisterInput};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub branch_id: String,
    pub name: String,
    pub machine_id: String,
    pub serial_number: String,
    pub permit_number: String,
}

impl RegisterForm {
    fn of(r: &Register) -> RegisterForm {
        RegisterForm {
            branch_id: r.branch_id.to_string(),
            name: r.name.clone(),
            machine_id: r.machine_id.clone(),
            serial_number: r.serial_number.clone(),
            permit_number: r.permit_number.clone(),
        }
    }

    fn check(&self, branches: &[Choice]) -> Result<RegisterInput, FormErrors> {
        let mut errors = FormErrors::default();
        let branch_id = forms::optional_id(&self.branch_id)
            .ok()
            .flatten()
            .filter(|id| branches.iter().any(|b| b.value == id.to_string()));
        if branch_id.is_none() {
            errors.add("branch_id", "Choose a branch from the list.");
        }
        let name = forms::text(&self.name, "name", "The name", 60, true, &mut errors);
        let mut tax = |raw: &str, field: &'static str, label: &str| {
            forms::text(raw, field, label, 40, false, &mut errors)
        };
        let machine_id = tax(&self.machine_id, "machine_id", "The machine number");
        let serial_number = tax(&self.serial_number, "serial_number", "The serial number");
        let permit_number = tax(&self.permit_number, "permit_number", "The permit number");
        errors.into_result(RegisterInput {
            branch_id: branch_id.unwrap_or(0),
            name,
            machine_id,
            serial_number,
            permit_number,
        })
    }
}

pub struct RegisterLine {
    pub r: Register,
    pub branch: String,
}

#[derive(Template)]
#[template(path = "registers/registers.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<RegisterLine>,
    branches: Vec<Choice>,
    form: RegisterForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "registers/register.html")]
struct EditPage {
    ctx: PageCtx,
    r: Register,
    branches: Vec<Choice>,
    form: RegisterForm,
    errors: FormErrors,
}

async fn branches(state: &AppState) -> Result<Vec<Choice>, AppError> {
    let options = state
        .db
        .read(|c| Ok(crate::staff::branches::model::options(c)?))
        .await?;
    Ok(options
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect())
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    form: RegisterForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .read(|c| Ok(model::all(c)?))
        .await?
        .into_iter()
        .map(|(r, branch)| RegisterLine { r, branch })
        .collect();
    let branches = branches(state).await?;
    html_status(
        status,
        &ListPage {
            ctx,
            rows,
            branches,
            form,
            errors,
        },
    )
}

pub async fn list(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    list_page(
        ctx,
        &state,
        RegisterForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let form = form.into_inner();
    let choices = branches(&state).await?;
    let input = match form.check(&choices) {
        Ok(i) => i,
        Err(errors) => {
            return list_page(ctx, &state, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let name = input.name.clone();
    let done = state
        .db
        .write(move |c| model::create(c, &actor, &input, BusinessClock::now_utc()))
        .await;
    match done {
        Ok(_) => {
            flash::success(&session, format!("Register {name} added."));
            Ok(see_other("/registers"))
        }
        Err(AppError::Fields { errors, status }) => {
            list_page(ctx, &state, form, errors, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn edit(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let r = state.db.read(move |c| model::find(c, id)).await?;
    let branches = branches(&state).await?;
    html_status(
        StatusCode::OK,
        &EditPage {
            form: RegisterForm::of(&r),
            ctx,
            r,
            branches,
            errors: FormErrors::default(),
        },
    )
}

pub async fn update(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let r = state.db.read(move |c| model::find(c, id)).await?;
    let form = form.into_inner();
    let choices = branches(&state).await?;
    let refused = |errors: FormErrors, status: StatusCode| {
        html_status(
            status,
            &EditPage {
                ctx: ctx.clone(),
                r: r.clone(),
                branches: choices.clone(),
                form: form.clone(),
                errors,
            },
        )
    };
    let input = match form.check(&choices) {
        Ok(i) => i,
        Err(errors) => return refused(errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let name = input.name.clone();
    let done = state
        .db
        .write(move |c| model::update(c, &actor, id, &input, BusinessClock::now_utc()))
        .await;
    match done {
        Ok(()) => {
            flash::success(&session, format!("Register {name} saved."));
            Ok(see_other("/registers"))
        }
        Err(AppError::Fields { errors, status }) => refused(errors, status),
        Err(e) => Err(e),
    }
}

pub async fn archive(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    toggle(staff, id.into_inner(), false).await
}

pub async fn restore(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    toggle(staff, id.into_inner(), true).await
}

async fn toggle(staff: Staff, id: i64, active: bool) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let r = state
        .db
        .write(move |c| model::set_active(c, &actor, id, active))
        .await?;
    flash::success(
        &session,
        if active {
            format!("{} is back in use.", r.name)
        } else {
            format!("{} is archived: no new shift opens on it.", r.name)
        },
    );
    Ok(see_other("/registers"))
}
