//! Product categories: an editable list; the migration creates Laptop, Android, iPhone,
//! Printer and Accessory.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::schema::{product_categories, products};
use crate::platform::state::AppState;

pub const RECORD: &str = "product_category";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_categories)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub sort_order: i32,
    pub is_active: bool,
}

pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Category>> {
    product_categories::table
        .order((
            product_categories::is_active.desc(),
            product_categories::sort_order.asc(),
            product_categories::name.asc(),
        ))
        .select(Category::as_select())
        .load(conn)
}

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    Ok(all(conn)?
        .into_iter()
        .filter(|c| c.is_active)
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name,
        })
        .collect())
}

pub fn id_by_name(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<i64>> {
    product_categories::table
        .filter(product_categories::name.eq(name))
        .select(product_categories::id)
        .first(conn)
        .optional()
}

fn clean_name(raw: &str) -> Result<String, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(raw, "name", "Category name", 60, true, &mut errors);
    errors.into_result(name)
}

fn duplicate(e: diesel::result::Error, name: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict(format!("There is already a category called {name}."))
    } else {
        e.into()
    }
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, name: &str) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let next: Option<i32> = product_categories::table
        .select(diesel::dsl::max(product_categories::sort_order))
        .first(conn)?;
    let id: i64 = diesel::insert_into(product_categories::table)
        .values((
            product_categories::name.eq(name),
            product_categories::sort_order.eq(next.unwrap_or(0) + 1),
            product_categories::is_active.eq(true),
            product_categories::created_at.eq(now),
        ))
        .returning(product_categories::id)
        .get_result(conn)
        .map_err(|e| duplicate(e, name))?;
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, name),
        &Changes::new().created("name", name),
    )?;
    Ok(id)
}

pub fn rename(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    name: &str,
) -> Result<(), AppError> {
    let old: String = product_categories::table
        .find(id)
        .select(product_categories::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That category"))?;
    if old == name {
        return Ok(());
    }
    diesel::update(product_categories::table.find(id))
        .set(product_categories::name.eq(name))
        .execute(conn)
        .map_err(|e| duplicate(e, name))?;
    let now = BusinessClock::now_utc();
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, id, name),
        &Changes::new().diff("name", old, name.to_string()),
    )?;
    Ok(())
}

/// A category still used by active products stays: products must always have one.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let name: String = product_categories::table
        .find(id)
        .select(product_categories::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That category"))?;
    if !active {
        let used: i64 = products::table
            .filter(products::category_id.eq(id))
            .filter(products::is_active.eq(true))
            .count()
            .get_result(conn)?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "{used} active product(s) are in {name}; move them to another category first."
            )));
        }
    }
    let changed = diesel::update(
        product_categories::table
            .find(id)
            .filter(product_categories::is_active.eq(!active)),
    )
    .set(product_categories::is_active.eq(active))
    .execute(conn)?;
    if changed == 0 {
        return Err(AppError::already(&name, active));
    }
    let (action, changes) = audit::archive_toggle(active);
    let now = BusinessClock::now_utc();
    audit::record(
        conn,
        actor,
        now,
        action,
        Subject::of(RECORD, id, &name),
        &changes,
    )?;
    Ok(name)
}

#[derive(Template)]
#[template(path = "retail/categories.html")]
struct CategoriesPage {
    ctx: PageCtx,
    categories: Vec<Category>,
    name: String,
    errors: FormErrors,
}

pub async fn list(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let categories = state.db.run(|c| Ok(all(c)?)).await?;
    html(&CategoriesPage {
        ctx,
        categories,
        name: String::new(),
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

async fn refused(
    state: &AppState,
    ctx: PageCtx,
    name: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let categories = state.db.run(|c| Ok(all(c)?)).await?;
    html_status(
        status,
        &CategoriesPage {
            ctx,
            categories,
            name,
            errors,
        },
    )
}

pub async fn create_route(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().name;
    let name = match clean_name(&typed) {
        Ok(n) => n,
        Err(errors) => {
            return refused(&state, ctx, typed, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let n = name.clone();
    match state.db.write(move |c| create(c, &actor, &n)).await {
        Ok(_) => {
            flash::success(&session, format!("Category {name} was added."));
            Ok(see_other("/categories"))
        }
        Err(AppError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("name", m);
            refused(&state, ctx, typed, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

pub async fn rename_route(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let name =
        clean_name(&form.name).map_err(|e| AppError::Unprocessable(e.first().to_string()))?;
    let id = id.into_inner();
    let n = name.clone();
    state.db.write(move |c| rename(c, &actor, id, &n)).await?;
    flash::success(&session, format!("Category renamed to {name}."));
    Ok(see_other("/categories"))
}

pub async fn archive_route(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let name = state
        .db
        .write(move |c| set_active(c, &actor, id, false))
        .await?;
    flash::success(&session, format!("Category {name} was archived."));
    Ok(see_other("/categories"))
}

pub async fn restore_route(
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let name = state
        .db
        .write(move |c| set_active(c, &actor, id, true))
        .await?;
    flash::success(&session, format!("Category {name} was restored."));
    Ok(see_other("/categories"))
}
