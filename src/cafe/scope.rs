//! Which branch's cafe a staff page shows: staff work at their own branch; a manager picks one
//! (`?branch=`), by default the first branch that has a cafe (tables or menu items).

use diesel::prelude::*;

use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::{self, Choice};
use crate::platform::schema::{branches, cafe_tables, menu_items};

#[derive(Debug, Clone)]
pub struct CafeBranch {
    pub id: i64,
    pub name: String,
    /// Other branches a manager may switch to (empty for everyone else).
    pub choices: Vec<Choice>,
}

pub fn parse_requested(raw: &str) -> Result<Option<i64>, AppError> {
    forms::optional_id(raw)
        .map_err(|_| AppError::BadRequest("The branch filter must be one from the list.".into()))
}

pub fn resolve(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    requested: Option<i64>,
) -> Result<CafeBranch, AppError> {
    let active: Vec<(i64, String)> = branches::table
        .filter(branches::is_active.eq(true))
        .order((branches::name.asc(), branches::id.asc()))
        .select((branches::id, branches::name))
        .load(conn)?;
    let pick = |id: i64| active.iter().find(|(b, _)| *b == id).cloned();
    let chosen = if !user.is_manager() {
        let own = user.branch_id.ok_or_else(|| {
            AppError::Forbidden("Your account is not assigned to a branch.".into())
        })?;
        pick(own).ok_or_else(|| AppError::Forbidden("Your branch is archived.".into()))?
    } else if let Some(id) = requested {
        pick(id).ok_or_else(|| AppError::not_found("That branch"))?
    } else {
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
        with_cafe
            .or(with_menu)
            .and_then(pick)
            .or_else(|| user.branch_id.and_then(pick))
            .or_else(|| active.first().cloned())
            .ok_or_else(|| AppError::Unprocessable("Create a branch first.".into()))?
    };
    let choices = if user.is_manager() {
        active
            .iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(CafeBranch {
        id: chosen.0,
        name: chosen.1,
        choices,
    })
}

/// Staff work at their own branch; managers anywhere.
pub fn check_branch(user: &CurrentUser, branch_id: i64) -> Result<(), AppError> {
    if user.is_manager() || user.branch_id == Some(branch_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "That belongs to another branch.".into(),
        ))
    }
}
