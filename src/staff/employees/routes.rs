use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::audit::Actor;
use crate::platform::auth::BranchScope;
use crate::platform::auth::Staff;
use crate::platform::auth::{password, CurrentUser, Role};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{Choice, FormErrors};
use crate::platform::images;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
use crate::platform::state::AppState;
use crate::staff::branches;
use crate::staff::employees::model::{self, EmployeeRow, Filter, PasswordChange, Status};
use crate::staff::employees::rules::{self, capitalise, EmployeeForm, EmployeeInput};

const PAGE_SIZE: i64 = 25;

/// The list's query string; the CSV export takes the same one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub role: String,
    pub branch_id: String,
    pub status: String,
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
        let role = match self.role.trim() {
            "" => None,
            r => Some(Role::parse(r).ok_or_else(|| {
                AppError::BadRequest(format!("There is no role \"{}\".", truncate(r)))
            })?),
        };
        // Employees are a manager's page: the filter is a choice, not a limit.
        let branch_id = BranchScope::parse(&self.branch_id)?;
        let status = match self.status.trim() {
            "" | "active" => Status::Active,
            "archived" => Status::Archived,
            "all" => Status::All,
            other => {
                return Err(AppError::BadRequest(format!(
                    "There is no status \"{}\".",
                    truncate(other)
                )))
            }
        };
        Ok(Filter {
            q: (!q.is_empty()).then(|| q.to_string()),
            role,
            branch_id,
            status,
        })
    }

    /// The query string without `page`.
    pub fn base_query(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("role", &self.role),
            ("branch_id", &self.branch_id),
            ("status", &self.status),
        ];
        filter_query(&pairs)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(30).collect()
}

fn role_choices() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().into(),
        })
        .collect()
}

fn branch_choices(options: Vec<(i64, String)>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/employees/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<EmployeeRow>,
    query: ListQuery,
    roles: Vec<Choice>,
    branches: Vec<Choice>,
    pager: Pager,
    export_href: String,
}

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
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
    let export_href = with_query("/employees/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    html(&ListPage {
        ctx,
        rows,
        query,
        roles: role_choices(),
        branches: branch_choices(options),
        pager,
        export_href,
    })
}

#[derive(Template)]
#[template(path = "staff/employees/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    form: EmployeeForm,
    errors: FormErrors,
    roles: Vec<Choice>,
    branches: Vec<Choice>,
}

/// A checked employee form and the new employee's password: as typed after `validate`, its
/// bcrypt hash after `prepare` (hashed off the write transaction, on the bounded pool).
pub struct CheckedEmployee {
    input: EmployeeInput,
    password: String,
}

/// `model::update` for the checked form (the password is not changed here).
fn update_checked(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    checked: &CheckedEmployee,
) -> Result<(), AppError> {
    model::update(c, actor, id, &checked.input)
}

/// The employee form (`record_form::{new, create, edit, update}::<Employees>`); the password is
/// set only on a new employee (afterwards by a reset or by the employee).
impl RecordForm for Employees {
    type Form = EmployeeForm;
    const UPDATE: Update<Self> = update_checked;
    const SAID: [&'static str; 2] = [
        "{name} was added. They can sign in with the password you set.",
        "{name} was saved.",
    ];
    const NEXT: &'static str = "/employees/{id}";
    type Input = CheckedEmployee;

    fn blank(state: &AppState, _: &HttpRequest) -> Result<EmployeeForm, AppError> {
        Ok(EmployeeForm {
            hire_date: state.clock.today().to_string(),
            role: "sales_agent".into(),
            ..Default::default()
        })
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<EmployeeForm, AppError> {
        let e = model::find(c, id)?.employee;
        Ok(EmployeeForm {
            name: e.name,
            username: e.username,
            role: e.role,
            branch_id: e.branch_id.map(|b| b.to_string()).unwrap_or_default(),
            email: e.email.unwrap_or_default(),
            phone: e.phone.unwrap_or_default(),
            hire_date: e.hire_date.to_string(),
            password: String::new(),
            commission_rate: crate::platform::percent::percent_text(e.commission_rate_bp),
            approval_limit: crate::platform::money::Money(e.approval_limit_minor).plain(),
        })
    }
    fn validate(form: &EmployeeForm, ask: Ask) -> Result<CheckedEmployee, FormErrors> {
        let (input, password) = rules::validate(form, ask.today, ask.id.is_none())?;
        Ok(CheckedEmployee { input, password })
    }
    async fn prepare(
        state: &AppState,
        checked: CheckedEmployee,
        id: Option<i64>,
    ) -> Result<CheckedEmployee, AppError> {
        if id.is_some() {
            return Ok(checked);
        }
        let cost = state.config.bcrypt_cost;
        let hash = password::hash_off_thread(&state.password_work, checked.password, cost).await?;
        Ok(CheckedEmployee {
            input: checked.input,
            password: hash,
        })
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        model::create(c, new.actor, &new.input.input, &new.input.password)
    }
    fn name(input: &CheckedEmployee) -> String {
        input.input.name.clone()
    }
    async fn page(mut v: FormView<EmployeeForm>) -> Result<HttpResponse, AppError> {
        // A password is never sent back to the browser, not even the one just typed.
        v.form.password.clear();
        let options = v.state.db.run(|c| Ok(branches::model::options(c)?)).await?;
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            form: v.form,
            errors: v.errors,
            roles: role_choices(),
            branches: branch_choices(options),
        };
        html_status(v.status, &page)
    }
}

#[derive(Template)]
#[template(path = "staff/employees/show.html")]
struct ShowPage {
    ctx: PageCtx,
    row: EmployeeRow,
    hire_date: String,
    last_login: String,
    last_logout: String,
    errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let row = state.db.run(move |c| model::find(c, id)).await?;
    let clock = state.clock;
    html_status(
        status,
        &ShowPage {
            ctx,
            hire_date: row.employee.hire_date.to_string(),
            last_login: clock.format_opt(row.employee.last_login_time),
            last_logout: clock.format_opt(row.employee.last_logout_time),
            row,
            errors,
        },
    )
}

pub async fn show(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_page(
        &state,
        ctx,
        id.into_inner(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let pw = form.into_inner().password;
    if let Err(m) = password::check_strength(&pw) {
        let mut errors = FormErrors::default();
        errors.add("password", capitalise(&m));
        return show_page(&state, ctx, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hash =
        password::hash_off_thread(&state.password_work, pw, state.config.bcrypt_cost).await?;
    let e = state
        .db
        .write(move |c| model::set_password(c, &actor, id, &hash, PasswordChange::ResetByManager))
        .await?;
    flash::success(
        &session,
        format!(
            "{}'s password was changed; they were signed out everywhere.",
            e.name
        ),
    );
    Ok(see_other(&format!("/employees/{id}")))
}

/// An employee's picture: managers see everyone's, others only their own.
pub async fn picture(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    if !user.is_manager() && user.id != id {
        return Err(AppError::not_found("That picture"));
    }
    let found = state
        .db
        .run(move |c| {
            let e = model::find(c, id)?.employee;
            match e.picture_id {
                Some(p) => Ok(images::load(c, p)?),
                None => Ok(None),
            }
        })
        .await?;
    let (ct, bytes, sha) = found.ok_or_else(|| AppError::not_found("That picture"))?;
    Ok(images::respond(&req, ct, bytes, sha))
}

/// Archive and restore an employee (`archive::archive::<Employees>`).
pub struct Employees;

impl ArchiveRoutes for Employees {
    const SET_ACTIVE: SetActive = model::set_active;
    const SAID: [&'static str; 2] = [
        "{name} was archived and signed out.",
        "{name} was restored and can sign in again.",
    ];
    const THEN: [&'static str; 2] = ["/employees/{id}", "/employees/{id}"];
}
