//! An editable list of categories (product categories, menu categories): add, rename,
//! archive — never while active items still use one — and restore. The storage differs per
//! list (`CategoryStore`); the rules, pages and audit rows are these.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, Choice, FormErrors};
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::state::AppState;
use diesel::QueryResult;

#[derive(Debug, Clone)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub sort_order: i32,
    pub is_active: bool,
}

/// Where one list of categories lives and what its pages are called.
pub trait CategoryStore: 'static {
    const RECORD: &'static str;
    const PATH: &'static str;
    const TITLE: &'static str;
    const BACK: (&'static str, &'static str);
    /// What uses a category, e.g. "active product(s)".
    const ITEMS: &'static str;

    /// Every category, active first, then by sort order and name.
    fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Category>>;
    fn name_of(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<String>>;
    fn insert(conn: &mut AnyConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64>;
    fn set_name(conn: &mut AnyConnection, id: i64, name: &str) -> QueryResult<usize>;
    /// Sets `is_active` only where it is currently the opposite; returns rows changed.
    fn flip_active(conn: &mut AnyConnection, id: i64, active: bool) -> QueryResult<usize>;
    fn active_items(conn: &mut AnyConnection, id: i64) -> QueryResult<i64>;
}

pub fn choices<S: CategoryStore>(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    Ok(S::all(conn)?
        .into_iter()
        .filter(|c| c.is_active)
        .map(|c| Choice {
            value: c.id.to_string(),
            label: c.name,
        })
        .collect())
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

pub fn create<S: CategoryStore>(
    conn: &mut AnyConnection,
    actor: &Actor,
    name: &str,
) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id = S::insert(conn, name, now).map_err(|e| duplicate(e, name))?;
    let subject = Subject::of(S::RECORD, id, name);
    let changes = Changes::new().created("name", name);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

fn existing<S: CategoryStore>(conn: &mut AnyConnection, id: i64) -> Result<String, AppError> {
    S::name_of(conn, id)?.ok_or_else(|| AppError::not_found("That category"))
}

pub fn rename<S: CategoryStore>(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    name: &str,
) -> Result<(), AppError> {
    let old = existing::<S>(conn, id)?;
    if old == name {
        return Ok(());
    }
    S::set_name(conn, id, name).map_err(|e| duplicate(e, name))?;
    audit::record(
        conn,
        actor,
        BusinessClock::now_utc(),
        audit::UPDATE,
        Subject::of(S::RECORD, id, name),
        &Changes::new().diff("name", old, name.to_string()),
    )?;
    Ok(())
}

/// A category still used by active items stays: items must always have one.
pub fn set_active<S: CategoryStore>(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let name = existing::<S>(conn, id)?;
    if !active {
        let used = S::active_items(conn, id)?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "{used} {} in {name}; move them to another category first.",
                S::ITEMS
            )));
        }
    }
    let toggle = Toggle::new(Subject::of(S::RECORD, id, &name), &name, active);
    archive::set_active(conn, actor, toggle, |c, _| {
        Ok(archive::flipped(S::flip_active(c, id, active)?))
    })?;
    Ok(name)
}

/// The "back to …" link of a category page.
pub struct BackLink {
    pub href: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "categories.html")]
struct CategoriesPage {
    ctx: PageCtx,
    categories: Vec<Category>,
    name: String,
    errors: FormErrors,
    path: &'static str,
    title: &'static str,
    back: BackLink,
}

async fn page<S: CategoryStore>(
    state: &AppState,
    ctx: PageCtx,
    name: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let categories = state.db.run(|c| Ok(S::all(c)?)).await?;
    html_status(
        status,
        &CategoriesPage {
            ctx,
            categories,
            name,
            errors,
            path: S::PATH,
            title: S::TITLE,
            back: BackLink {
                href: S::BACK.0,
                label: S::BACK.1,
            },
        },
    )
}

pub async fn list<S: CategoryStore>(
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page::<S>(
        &state,
        ctx,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

pub async fn create_route<S: CategoryStore>(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let typed = form.into_inner().name;
    let name = match clean_name(&typed) {
        Ok(n) => n,
        Err(errors) => {
            return page::<S>(&state, ctx, typed, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let n = name.clone();
    match state.db.write(move |c| create::<S>(c, &actor, &n)).await {
        Ok(_) => {
            flash::success(&session, format!("Category {name} was added."));
            Ok(see_other(S::PATH))
        }
        Err(AppError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("name", m);
            page::<S>(&state, ctx, typed, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e),
    }
}

pub async fn rename_route<S: CategoryStore>(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let name =
        clean_name(&form.name).map_err(|e| AppError::Unprocessable(e.first().to_string()))?;
    let id = id.into_inner();
    let n = name.clone();
    state
        .db
        .write(move |c| rename::<S>(c, &actor, id, &n))
        .await?;
    flash::success(&session, format!("Category renamed to {name}."));
    Ok(see_other(S::PATH))
}

async fn toggle_route<S: CategoryStore>(
    staff: Staff,
    id: i64,
    active: bool,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let name = state
        .db
        .write(move |c| set_active::<S>(c, &actor, id, active))
        .await?;
    let done = if active { "restored" } else { "archived" };
    flash::success(&session, format!("Category {name} was {done}."));
    Ok(see_other(S::PATH))
}

pub async fn archive_route<S: CategoryStore>(
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    toggle_route::<S>(staff, id.into_inner(), false).await
}

pub async fn restore_route<S: CategoryStore>(
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    toggle_route::<S>(staff, id.into_inner(), true).await
}

/// A `CategoryStore` for a categories table (`id, name, sort_order, is_active, created_at`)
/// whose items table has `category_id` and `is_active`.
#[macro_export]
macro_rules! category_store {
    ($store:ident, $cats:ident, $items:ident, record: $record:expr, path: $path:expr,
     title: $title:expr, back: $back:expr, items: $what:expr) => {
        use diesel::prelude::*;
        use $crate::platform::schema::{$cats, $items};

        pub struct $store;

        impl $crate::platform::category_list::CategoryStore for $store {
            const RECORD: &'static str = $record;
            const PATH: &'static str = $path;
            const TITLE: &'static str = $title;
            const BACK: (&'static str, &'static str) = $back;
            const ITEMS: &'static str = $what;

            fn all(
                conn: &mut $crate::platform::db::AnyConnection,
            ) -> diesel::QueryResult<Vec<$crate::platform::category_list::Category>> {
                let rows: Vec<(i64, String, i32, bool)> = $cats::table
                    .order((
                        $cats::is_active.desc(),
                        $cats::sort_order.asc(),
                        $cats::name.asc(),
                    ))
                    .select(($cats::id, $cats::name, $cats::sort_order, $cats::is_active))
                    .load(conn)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, sort_order, is_active)| {
                        $crate::platform::category_list::Category {
                            id,
                            name,
                            sort_order,
                            is_active,
                        }
                    })
                    .collect())
            }

            fn name_of(
                conn: &mut $crate::platform::db::AnyConnection,
                id: i64,
            ) -> diesel::QueryResult<Option<String>> {
                $cats::table
                    .find(id)
                    .select($cats::name)
                    .first(conn)
                    .optional()
            }

            fn insert(
                conn: &mut $crate::platform::db::AnyConnection,
                name: &str,
                now: chrono::NaiveDateTime,
            ) -> diesel::QueryResult<i64> {
                let next: Option<i32> = $cats::table
                    .select(diesel::dsl::max($cats::sort_order))
                    .first(conn)?;
                diesel::insert_into($cats::table)
                    .values((
                        $cats::name.eq(name),
                        $cats::sort_order.eq(next.unwrap_or(0) + 1),
                        $cats::is_active.eq(true),
                        $cats::created_at.eq(now),
                    ))
                    .returning($cats::id)
                    .get_result(conn)
            }

            fn set_name(
                conn: &mut $crate::platform::db::AnyConnection,
                id: i64,
                name: &str,
            ) -> diesel::QueryResult<usize> {
                diesel::update($cats::table.find(id))
                    .set($cats::name.eq(name))
                    .execute(conn)
            }

            fn flip_active(
                conn: &mut $crate::platform::db::AnyConnection,
                id: i64,
                active: bool,
            ) -> diesel::QueryResult<usize> {
                diesel::update($cats::table.find(id).filter($cats::is_active.eq(!active)))
                    .set($cats::is_active.eq(active))
                    .execute(conn)
            }

            fn active_items(
                conn: &mut $crate::platform::db::AnyConnection,
                id: i64,
            ) -> diesel::QueryResult<i64> {
                $items::table
                    .filter($items::category_id.eq(id))
                    .filter($items::is_active.eq(true))
                    .count()
                    .get_result(conn)
            }
        }
    };
}

/// Categories by name, case-insensitively: how an imported file names them.
pub struct ByName(std::collections::HashMap<String, Category>);

/// A category an imported row names: one that exists, or one the import will create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Existing(i64),
    New(String),
}

impl ByName {
    pub fn load<S: CategoryStore>(conn: &mut AnyConnection) -> QueryResult<ByName> {
        Ok(ByName(
            S::all(conn)?
                .into_iter()
                .map(|c| (c.name.to_lowercase(), c))
                .collect(),
        ))
    }

    /// The category a cell names: `Err` with the reason when it cannot be used (blank, archived).
    pub fn named(&self, raw: &str) -> Result<Named, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("The category is required.".into());
        }
        if name.chars().count() > 60 {
            return Err("A category name can be at most 60 characters.".into());
        }
        match self.0.get(&name.to_lowercase()) {
            Some(c) if c.is_active => Ok(Named::Existing(c.id)),
            Some(c) => Err(format!(
                "The category {} is archived; restore it on the categories page first.",
                c.name
            )),
            None => Ok(Named::New(name.to_string())),
        }
    }

    /// What a named category is called, existing or to be created.
    pub fn name_of_named(&self, named: &Named) -> String {
        match named {
            Named::Existing(id) => self.name_of(*id),
            Named::New(name) => name.clone(),
        }
    }

    pub fn name_of(&self, id: i64) -> String {
        self.0
            .values()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// The id of a named category; a new one must have been created by `create_missing`.
    pub fn id(&self, named: &Named) -> Result<i64, AppError> {
        match named {
            Named::Existing(id) => Ok(*id),
            Named::New(name) => self
                .0
                .get(&name.to_lowercase())
                .map(|c| c.id)
                .ok_or_else(|| AppError::Conflict(format!("The category {name} is missing."))),
        }
    }

    /// Creates, audited, the categories an import names that do not exist yet.
    pub fn create_missing<S: CategoryStore>(
        &mut self,
        conn: &mut AnyConnection,
        actor: &Actor,
        names: &[String],
    ) -> Result<(), AppError> {
        for name in names {
            if self.0.contains_key(&name.to_lowercase()) {
                continue;
            }
            let clean = clean_name(name).map_err(|e| AppError::Unprocessable(e.first().into()))?;
            let id = create::<S>(conn, actor, &clean)?;
            self.0.insert(
                clean.to_lowercase(),
                Category {
                    id,
                    name: clean,
                    sort_order: 0,
                    is_active: true,
                },
            );
        }
        Ok(())
    }
}
