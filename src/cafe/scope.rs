//! Which branch's cafe a staff page shows: staff work at their own branch; a manager picks one
//! (`?branch=`), by default the first branch that has a cafe (tables or menu items).

use diesel::prelude::*;

use actix_web::{FromRequest, HttpRequest};

use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::Choice;
use crate::platform::schema::{branches, cafe_tables, menu_items};

#[derive(Debug, Clone)]
pub struct CafeBranch {
    pub id: i64,
    pub name: String,
    /// An archived branch a manager looks back at: its floor, kitchen and sales are shown, but
    /// it takes no new bills.
    pub archived: bool,
    /// Other branches a manager may switch to (empty for everyone else).
    pub choices: Vec<Choice>,
}

pub fn parse_requested(raw: &str) -> Result<Option<i64>, AppError> {
    BranchScope::parse(raw)
}

/// The branch a new record's form starts at: the one asked for in the address (`?branch=`),
/// within the person's scope (staff always their own).
pub fn form_branch(req: &HttpRequest) -> Result<String, AppError> {
    let scope = BranchScope::extract(req).into_inner()?;
    Ok(scope.branch().map(|b| b.to_string()).unwrap_or_default())
}

pub fn resolve(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    requested: Option<i64>,
) -> Result<CafeBranch, AppError> {
    let all: Vec<(i64, String, bool)> = branches::table
        .order((
            branches::is_active.desc(),
            branches::name.asc(),
            branches::id.asc(),
        ))
        .select((branches::id, branches::name, branches::is_active))
        .load(conn)?;
    let active: Vec<(i64, String)> = all
        .iter()
        .filter(|b| b.2)
        .map(|(id, name, _)| (*id, name.clone()))
        .collect();
    let pick = |id: i64| active.iter().find(|(b, _)| *b == id).cloned();
    let chosen = match BranchScope::of(user, requested)? {
        // Staff: their own branch, which must be trading.
        BranchScope::Only(own) if !user.is_manager() => {
            pick(own).ok_or_else(|| AppError::Forbidden("Your branch is archived.".into()))?
        }
        // Managers may look back at an archived branch.
        BranchScope::Only(id) => all
            .iter()
            .find(|(b, _, _)| *b == id)
            .map(|(id, name, _)| (*id, name.clone()))
            .ok_or_else(|| AppError::not_found("That branch"))?,
        BranchScope::Every => {
            let (with_cafe, with_menu) = branches_with_a_cafe(conn)?;
            with_cafe
                .or(with_menu)
                .and_then(pick)
                .or_else(|| user.branch_id.and_then(pick))
                .or_else(|| active.first().cloned())
                .ok_or_else(|| AppError::Unprocessable("Create a branch first.".into()))?
        }
    };
    let choices = if user.is_manager() {
        all.iter()
            .map(|(id, name, is_active)| Choice {
                value: id.to_string(),
                label: if *is_active {
                    name.clone()
                } else {
                    format!("{name} (archived)")
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let archived = !all.iter().any(|(id, _, a)| *id == chosen.0 && *a);
    Ok(CafeBranch {
        id: chosen.0,
        name: chosen.1,
        archived,
        choices,
    })
}

/// The first branch with tables, else the first with menu items.
fn branches_with_a_cafe(conn: &mut AnyConnection) -> QueryResult<(Option<i64>, Option<i64>)> {
    let with_cafe: Option<i64> = cafe_tables::table
        .filter(cafe_tables::is_active.eq(true))
        .select(cafe_tables::branch_id)
        .order(cafe_tables::branch_id.asc())
        .first(conn)
        .optional()?;
    let with_menu: Option<i64> = match with_cafe {
        Some(_) => None,
        None => menu_items::table
            .select(menu_items::branch_id)
            .order(menu_items::branch_id.asc())
            .first(conn)
            .optional()?,
    };
    Ok((with_cafe, with_menu))
}

/// The cafe a request without a person behind it sees (the JSON API's public menu): the
/// branch asked for, which must be trading, else the first trading branch with a cafe.
pub fn public_branch(conn: &mut AnyConnection, requested: Option<i64>) -> Result<i64, AppError> {
    // A fixed query on the concrete connection: its prepared statement is kept (the public
    // menu asks on every request).
    let trading = |c: &mut AnyConnection, id: i64| -> QueryResult<bool> {
        let active: Option<bool> = crate::on_backend!(c, |c| branches::table
            .find(id)
            .select(branches::is_active)
            .first::<bool>(c)
            .optional())?;
        Ok(active == Some(true))
    };
    if let Some(id) = requested {
        return if trading(conn, id)? {
            Ok(id)
        } else {
            Err(AppError::not_found("That branch"))
        };
    }
    let (with_cafe, with_menu) = branches_with_a_cafe(conn)?;
    for id in [with_cafe, with_menu].into_iter().flatten() {
        if trading(conn, id)? {
            return Ok(id);
        }
    }
    branches::table
        .filter(branches::is_active.eq(true))
        .order(branches::id.asc())
        .select(branches::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("A trading branch"))
}

/// Staff work at their own branch; managers anywhere (the platform's one rule).
pub use crate::platform::auth::scope::check as check_branch;
