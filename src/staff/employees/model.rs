use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::{session, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{
    contains_pattern, is_unique_violation, lock_rows, lower, AnyConnection, MultiBackend,
};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{branches, employees};
use crate::staff::employees::rules::EmployeeInput;

pub const RECORD: &str = "employee";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = employees)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Employee {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: String,
    pub branch_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub hire_date: NaiveDate,
    pub is_active: bool,
    pub archived_at: Option<NaiveDateTime>,
    pub picture_id: Option<i64>,
    pub is_logged_in: bool,
    pub last_login_time: Option<NaiveDateTime>,
    pub last_logout_time: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub commission_rate_bp: i64,
    pub total_sales_minor: i64,
    pub total_commission_minor: i64,
    /// The most a credit officer may approve as one plan's financed amount.
    pub approval_limit_minor: i64,
}

impl Employee {
    pub fn approval_limit(&self) -> crate::platform::money::Money {
        crate::platform::money::Money(self.approval_limit_minor)
    }

    pub fn commission_percent(&self) -> String {
        crate::platform::percent::percent_text(self.commission_rate_bp)
    }

    pub fn total_sales(&self) -> crate::platform::money::Money {
        crate::platform::money::Money(self.total_sales_minor)
    }

    pub fn total_commission(&self) -> crate::platform::money::Money {
        crate::platform::money::Money(self.total_commission_minor)
    }

    pub fn role_label(&self) -> &'static str {
        Role::parse(&self.role)
            .map(Role::label)
            .unwrap_or("Unknown")
    }

    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.username)
    }
}

/// An employee with the name of their branch, for lists.
#[derive(Debug, Clone)]
pub struct EmployeeRow {
    pub employee: Employee,
    pub branch: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Archived,
    All,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub branch_id: Option<i64>,
    pub status: Status,
}

type Boxed<'a> = diesel::helper_types::IntoBoxed<
    'a,
    diesel::helper_types::LeftJoin<employees::table, branches::table>,
    MultiBackend,
>;

fn filtered(f: &Filter) -> Boxed<'static> {
    let mut q = employees::table
        .left_join(branches::table)
        .into_boxed::<MultiBackend>();
    match f.status {
        Status::Active => q = q.filter(employees::is_active.eq(true)),
        Status::Archived => q = q.filter(employees::is_active.eq(false)),
        Status::All => {}
    }
    if let Some(r) = f.role {
        q = q.filter(employees::role.eq(r.as_str()));
    }
    if let Some(b) = f.branch_id {
        q = q.filter(employees::branch_id.eq(b));
    }
    if let Some(text) = &f.q {
        let pattern = contains_pattern(text);
        q = q.filter(
            lower(employees::name)
                .like(pattern.clone())
                .escape('\\')
                .or(employees::username.like(pattern).escape('\\')),
        );
    }
    q
}

pub fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<EmployeeRow>> {
    let rows: Vec<(Employee, Option<String>)> = filtered(f)
        .order((employees::name.asc(), employees::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((Employee::as_select(), branches::name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(employee, branch)| EmployeeRow { employee, branch })
        .collect())
}

/// Keyset page for the CSV export: rows with id greater than `after`, in id order.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &Filter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EmployeeRow>> {
    let rows: Vec<(Employee, Option<String>)> = filtered(f)
        .filter(employees::id.gt(after.unwrap_or(0)))
        .order(employees::id.asc())
        .limit(limit)
        .select((Employee::as_select(), branches::name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(employee, branch)| EmployeeRow { employee, branch })
        .collect())
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<EmployeeRow, AppError> {
    let (employee, branch) = employees::table
        .left_join(branches::table)
        .filter(employees::id.eq(id))
        .select((Employee::as_select(), branches::name.nullable()))
        .first::<(Employee, Option<String>)>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That employee"))?;
    Ok(EmployeeRow { employee, branch })
}

pub fn password_hash(conn: &mut AnyConnection, id: i64) -> QueryResult<String> {
    employees::table
        .find(id)
        .select(employees::password_hash)
        .first(conn)
}

pub fn count_all(conn: &mut AnyConnection) -> QueryResult<i64> {
    employees::table.count().get_result(conn)
}

fn branch_label(conn: &mut AnyConnection, id: Option<i64>) -> Result<String, AppError> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    let (name, active): (String, bool) = branches::table
        .find(id)
        .select((branches::name, branches::is_active))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::field_invalid(
                "branch_id",
                "That branch does not exist. Choose one from the list.",
            )
        })?;
    if !active {
        return Err(AppError::field_invalid(
            "branch_id",
            format!("{name} is archived. Choose an active branch."),
        ));
    }
    Ok(name)
}

fn duplicate_username(e: diesel::result::Error, username: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::field_conflict(
            "username",
            format!("The username {username} is already taken."),
        )
    } else {
        e.into()
    }
}

/// Active managers other than `except`, with their rows locked on PostgreSQL.
fn other_active_managers(conn: &mut AnyConnection, except: i64) -> QueryResult<i64> {
    lock_rows(
        conn,
        "SELECT id FROM employees WHERE role = 'manager' AND is_active FOR UPDATE",
    )?;
    employees::table
        .filter(employees::role.eq(Role::Manager.as_str()))
        .filter(employees::is_active.eq(true))
        .filter(employees::id.ne(except))
        .count()
        .get_result(conn)
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &EmployeeInput,
    password_hash: &str,
) -> Result<i64, AppError> {
    let branch = branch_label(conn, input.branch_id)?;
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(employees::table)
        .values((
            employees::username.eq(&input.username),
            employees::name.eq(&input.name),
            employees::role.eq(input.role.as_str()),
            employees::branch_id.eq(input.branch_id),
            employees::email.eq(&input.email),
            employees::phone.eq(&input.phone),
            employees::hire_date.eq(input.hire_date),
            employees::commission_rate_bp.eq(input.commission_rate_bp),
            employees::approval_limit_minor.eq(input.approval_limit_minor),
            employees::is_active.eq(true),
            employees::password_hash.eq(password_hash),
            employees::is_logged_in.eq(false),
            employees::created_at.eq(now),
            employees::updated_at.eq(now),
        ))
        .returning(employees::id)
        .get_result(conn)
        .map_err(|e| duplicate_username(e, &input.username))?;
    let changes = Changes::new()
        .created("name", input.name.as_str())
        .created("username", input.username.as_str())
        .created("role", input.role.as_str())
        .created("branch", branch.as_str())
        .created("email", input.email.clone().unwrap_or_default())
        .created("phone", input.phone.clone().unwrap_or_default())
        .created("hire_date", input.hire_date.to_string())
        .created("commission_rate_bp", input.commission_rate_bp)
        .created("approval_limit", Money(input.approval_limit_minor).plain());
    let label = format!("{} ({})", input.name, input.username);
    let subject = Subject::of(RECORD, id, &label);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &EmployeeInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    let old_role = Role::parse(&old.employee.role);
    if old_role == Some(Role::Manager) && input.role != Role::Manager {
        if actor.employee_id == Some(id) {
            return Err(AppError::field_conflict(
                "role",
                "You cannot remove your own manager role.",
            ));
        }
        if old.employee.is_active && other_active_managers(conn, id)? == 0 {
            return Err(AppError::field_conflict(
                "role",
                format!(
                    "{} is the last active manager; make someone else a manager first.",
                    old.employee.name
                ),
            ));
        }
    }
    let new_branch = if input.branch_id == old.employee.branch_id {
        old.branch.clone().unwrap_or_default()
    } else {
        branch_label(conn, input.branch_id)?
    };
    let now = BusinessClock::now_utc();
    let changes = Changes::new()
        .diff("name", old.employee.name.as_str(), input.name.as_str())
        .diff(
            "username",
            old.employee.username.as_str(),
            input.username.as_str(),
        )
        .diff("role", old.employee.role.as_str(), input.role.as_str())
        .diff("branch", old.branch.clone().unwrap_or_default(), new_branch)
        .diff(
            "email",
            old.employee.email.clone().unwrap_or_default(),
            input.email.clone().unwrap_or_default(),
        )
        .diff(
            "phone",
            old.employee.phone.clone().unwrap_or_default(),
            input.phone.clone().unwrap_or_default(),
        )
        .diff(
            "hire_date",
            old.employee.hire_date.to_string(),
            input.hire_date.to_string(),
        )
        .diff(
            "commission_rate_bp",
            old.employee.commission_rate_bp,
            input.commission_rate_bp,
        )
        .diff(
            "approval_limit",
            Money(old.employee.approval_limit_minor).plain(),
            Money(input.approval_limit_minor).plain(),
        );
    if changes.is_empty() {
        return Ok(());
    }
    diesel::update(employees::table.find(id))
        .set((
            employees::username.eq(&input.username),
            employees::name.eq(&input.name),
            employees::role.eq(input.role.as_str()),
            employees::branch_id.eq(input.branch_id),
            employees::email.eq(&input.email),
            employees::phone.eq(&input.phone),
            employees::hire_date.eq(input.hire_date),
            employees::commission_rate_bp.eq(input.commission_rate_bp),
            employees::approval_limit_minor.eq(input.approval_limit_minor),
            employees::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| duplicate_username(e, &input.username))?;
    let label = format!("{} ({})", input.name, input.username);
    let subject = Subject::of(RECORD, id, &label);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}

/// Archives (ending every open session at once) or restores an employee.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let row = find(conn, id)?;
    let e = row.employee;
    if !active {
        if actor.employee_id == Some(id) {
            return Err(AppError::Conflict("You cannot archive yourself.".into()));
        }
        if e.role == Role::Manager.as_str() && e.is_active && other_active_managers(conn, id)? == 0
        {
            return Err(AppError::Conflict(format!(
                "{} is the last active manager and cannot be archived.",
                e.name
            )));
        }
    }
    let label = e.label();
    let toggle = Toggle::new(Subject::of(RECORD, id, &label), &e.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = crate::flip_active!(c, now, employees, id, active, stamp archived_at, touch updated_at)?;
        if rows == 0 {
            return Ok(None);
        }
        // An archived employee is signed out everywhere, in the same transaction.
        let mut notes = Changes::new();
        if !active {
            let ended = session::end_all(c, id, None, session::ARCHIVED, now)?;
            if ended > 0 {
                notes = notes.note("sessions_ended", ended.to_string());
            }
        }
        Ok(Some(notes))
    })?;
    Ok(e.name)
}

/// How a password came to change, which decides which sessions end.
#[derive(Debug, Clone, Copy)]
pub enum PasswordChange {
    /// A manager set it: every session of the employee ends.
    ResetByManager,
    /// The employee changed their own: their other sessions end, this one stays.
    OwnFromSession(i64),
}

pub fn set_password(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    hash: &str,
    how: PasswordChange,
) -> Result<Employee, AppError> {
    let e = find(conn, id)?.employee;
    let now = BusinessClock::now_utc();
    diesel::update(employees::table.find(id))
        .set((
            employees::password_hash.eq(hash),
            employees::updated_at.eq(now),
        ))
        .execute(conn)?;
    let (keep, reason, action) = match how {
        PasswordChange::ResetByManager => (None, session::PASSWORD_RESET, audit::PASSWORD_RESET),
        PasswordChange::OwnFromSession(s) => {
            (Some(s), session::PASSWORD_CHANGED, audit::PASSWORD_CHANGE)
        }
    };
    let ended = session::end_all(conn, id, keep, reason, now)?;
    let changes = Changes::new().note("sessions_ended", ended.to_string());
    let subject = Subject::of(RECORD, id, e.label());
    audit::record(conn, actor, now, action, subject, &changes)?;
    Ok(e)
}

pub fn update_contact(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    email: Option<String>,
    phone: Option<String>,
) -> Result<bool, AppError> {
    let e = find(conn, id)?.employee;
    let changes = Changes::new()
        .diff(
            "email",
            e.email.clone().unwrap_or_default(),
            email.clone().unwrap_or_default(),
        )
        .diff(
            "phone",
            e.phone.clone().unwrap_or_default(),
            phone.clone().unwrap_or_default(),
        );
    if changes.is_empty() {
        return Ok(false);
    }
    let now = BusinessClock::now_utc();
    diesel::update(employees::table.find(id))
        .set((
            employees::email.eq(email),
            employees::phone.eq(phone),
            employees::updated_at.eq(now),
        ))
        .execute(conn)?;
    let subject = Subject::of(RECORD, id, e.label());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(true)
}

pub fn set_picture(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    picture_id: Option<i64>,
) -> Result<(), AppError> {
    let e = find(conn, id)?.employee;
    let describe = |p: Option<i64>| {
        p.map(|i| format!("picture #{i}"))
            .unwrap_or_else(|| "none".into())
    };
    let changes = Changes::new().diff("picture", describe(e.picture_id), describe(picture_id));
    if changes.is_empty() {
        return Ok(());
    }
    let now = BusinessClock::now_utc();
    diesel::update(employees::table.find(id))
        .set((
            employees::picture_id.eq(picture_id),
            employees::updated_at.eq(now),
        ))
        .execute(conn)?;
    crate::platform::images::delete_if_unused(conn, e.picture_id)?;
    let subject = Subject::of(RECORD, id, e.label());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}
