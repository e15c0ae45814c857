//! Suppliers and their contracts.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::pagination::{PageRequest, Pager};
use crate::platform::schema::suppliers;
use crate::platform::state::AppState;

pub const RECORD: &str = "supplier";
pub const STATUSES: [&str; 4] = ["Active", "Renewed", "Opted Out", "Expired"];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = suppliers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Supplier {
    pub id: i64,
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: NaiveDate,
    pub contract_expiry: NaiveDate,
    pub status: String,
    pub is_active: bool,
    pub archived_at: Option<NaiveDateTime>,
}

impl Supplier {
    /// "Expired" once the expiry date has passed, whatever status was recorded.
    pub fn contract_status(&self, today: NaiveDate) -> &str {
        contract_status(&self.status, self.contract_expiry, today)
    }

    pub fn contract_period(&self) -> String {
        contract_period(self.contract_start, self.contract_expiry)
    }
}

pub fn contract_status(status: &str, expiry: NaiveDate, today: NaiveDate) -> &str {
    if today > expiry {
        "Expired"
    } else {
        status
    }
}

/// "2024 – 2026", or "2025" when the contract starts and ends in one year.
pub fn contract_period(start: NaiveDate, expiry: NaiveDate) -> String {
    if start.year() == expiry.year() {
        start.year().to_string()
    } else {
        format!("{} – {}", start.year(), expiry.year())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SupplierForm {
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: String,
    pub contract_expiry: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInput {
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: NaiveDate,
    pub contract_expiry: NaiveDate,
    pub status: String,
}

pub fn validate(form: &SupplierForm) -> Result<SupplierInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 100, true, &mut errors);
    let contact_person = forms::text(
        &form.contact_person,
        "contact_person",
        "Contact person",
        100,
        false,
        &mut errors,
    );
    let phone = forms::optional_phone(&form.phone, "phone", &mut errors).unwrap_or_default();
    let email = forms::optional_email(&form.email, "email", &mut errors).unwrap_or_default();
    let start = forms::date(
        &form.contract_start,
        "contract_start",
        "Contract start",
        &mut errors,
    );
    let expiry = forms::date(
        &form.contract_expiry,
        "contract_expiry",
        "Contract expiry",
        &mut errors,
    );
    if let (Some(s), Some(e)) = (start, expiry) {
        if e < s {
            errors.add(
                "contract_expiry",
                "The contract cannot expire before it starts.",
            );
        }
    }
    let status = form.status.trim().to_string();
    if !STATUSES.contains(&status.as_str()) {
        errors.add("status", "Choose a status from the list.");
    }
    match (start, expiry) {
        (Some(contract_start), Some(contract_expiry)) if errors.is_empty() => Ok(SupplierInput {
            name,
            contact_person,
            phone,
            email,
            contract_start,
            contract_expiry,
            status,
        }),
        _ => Err(errors),
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Supplier, AppError> {
    suppliers::table
        .find(id)
        .select(Supplier::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That supplier"))
}

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    let rows: Vec<(i64, String)> = suppliers::table
        .filter(suppliers::is_active.eq(true))
        .order(suppliers::name.asc())
        .select((suppliers::id, suppliers::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

fn snapshot(i: &SupplierInput) -> Changes {
    Changes::new()
        .created("name", i.name.as_str())
        .created("contact_person", i.contact_person.as_str())
        .created("phone", i.phone.as_str())
        .created("email", i.email.as_str())
        .created("contract_start", i.contract_start.to_string())
        .created("contract_expiry", i.contract_expiry.to_string())
        .created("status", i.status.as_str())
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, i: &SupplierInput) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(suppliers::table)
        .values((
            suppliers::name.eq(&i.name),
            suppliers::contact_person.eq(&i.contact_person),
            suppliers::phone.eq(&i.phone),
            suppliers::email.eq(&i.email),
            suppliers::contract_start.eq(i.contract_start),
            suppliers::contract_expiry.eq(i.contract_expiry),
            suppliers::status.eq(&i.status),
            suppliers::is_active.eq(true),
            suppliers::created_at.eq(now),
            suppliers::updated_at.eq(now),
        ))
        .returning(suppliers::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, &i.name),
        &snapshot(i),
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &SupplierInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    let changes = Changes::new()
        .diff("name", old.name.as_str(), i.name.as_str())
        .diff(
            "contact_person",
            old.contact_person.as_str(),
            i.contact_person.as_str(),
        )
        .diff("phone", old.phone.as_str(), i.phone.as_str())
        .diff("email", old.email.as_str(), i.email.as_str())
        .diff(
            "contract_start",
            old.contract_start.to_string(),
            i.contract_start.to_string(),
        )
        .diff(
            "contract_expiry",
            old.contract_expiry.to_string(),
            i.contract_expiry.to_string(),
        )
        .diff("status", old.status.as_str(), i.status.as_str());
    if changes.is_empty() {
        return Ok(());
    }
    let now = BusinessClock::now_utc();
    diesel::update(suppliers::table.find(id))
        .set((
            suppliers::name.eq(&i.name),
            suppliers::contact_person.eq(&i.contact_person),
            suppliers::phone.eq(&i.phone),
            suppliers::email.eq(&i.email),
            suppliers::contract_start.eq(i.contract_start),
            suppliers::contract_expiry.eq(i.contract_expiry),
            suppliers::status.eq(&i.status),
            suppliers::updated_at.eq(now),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, &i.name),
        &changes,
    )?;
    Ok(())
}

pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<Supplier, AppError> {
    let s = find(conn, id)?;
    let toggle = Toggle {
        subject: Subject::of(RECORD, id, &s.name),
        name: &s.name,
        active,
    };
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = diesel::update(
            suppliers::table
                .find(id)
                .filter(suppliers::is_active.eq(!active)),
        )
        .set((
            suppliers::is_active.eq(active),
            suppliers::archived_at.eq(if active { None } else { Some(now) }),
            suppliers::updated_at.eq(now),
        ))
        .execute(c)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(s)
}

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

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let archived = q.archived.as_deref() == Some("1");
    let page = PageRequest::parse(q.page.as_deref(), 25)?;
    let mut rows: Vec<Supplier> = state
        .db
        .run(move |c| {
            Ok(suppliers::table
                .filter(suppliers::is_active.eq(!archived))
                .order((suppliers::name.asc(), suppliers::id.asc()))
                .offset(page.offset())
                .limit(page.fetch())
                .select(Supplier::as_select())
                .load(c)?)
        })
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

pub async fn archive_route(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let s = state
        .db
        .write(move |c| set_active(c, &actor, id, false))
        .await?;
    flash::success(&session, format!("Supplier {} was archived.", s.name));
    Ok(see_other("/suppliers"))
}

pub async fn restore_route(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let s = state
        .db
        .write(move |c| set_active(c, &actor, id, true))
        .await?;
    flash::success(&session, format!("Supplier {} was restored.", s.name));
    Ok(see_other("/suppliers?archived=1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_expired_contract_says_so() {
        assert_eq!(
            contract_status("Active", d("2026-01-31"), d("2026-02-01")),
            "Expired"
        );
        assert_eq!(
            contract_status("Renewed", d("2026-01-31"), d("2026-01-31")),
            "Renewed"
        );
    }

    #[test]
    fn periods() {
        assert_eq!(
            contract_period(d("2024-03-01"), d("2026-02-28")),
            "2024 – 2026"
        );
        assert_eq!(contract_period(d("2025-01-01"), d("2025-12-31")), "2025");
    }

    #[test]
    fn validation() {
        let ok = SupplierForm {
            name: "Gadget Hub".into(),
            contract_start: "2026-01-01".into(),
            contract_expiry: "2027-01-01".into(),
            status: "Active".into(),
            ..Default::default()
        };
        assert!(validate(&ok).is_ok());
        assert!(validate(&SupplierForm {
            contract_expiry: "2025-01-01".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&SupplierForm {
            status: "Gone".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&SupplierForm {
            name: "".into(),
            ..ok
        })
        .is_err());
    }
}
