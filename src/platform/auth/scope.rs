//! Which branches a person may see and act on, decided once for every area: a manager works
//! across the business (every branch, or the one chosen with `?branch_id=` / `?branch=`);
//! everyone else only at their own branch, whatever the request asks for. Lists and exports
//! filter by `BranchScope::branch`; actions on one record call `check`.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::Deserialize;

use crate::platform::auth::CurrentUser;
use crate::platform::error::AppError;
use crate::platform::forms;

/// The one refusal for a record of another branch.
pub const ANOTHER_BRANCH: &str = "That belongs to another branch.";
/// The one refusal for staff whose account has no branch.
pub const NO_BRANCH: &str = "Your account is not assigned to a branch.";
/// The one answer to a branch filter that is not a branch id.
pub const BAD_FILTER: &str = "The branch filter must be a branch from the list.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchScope {
    /// A manager who chose no branch: every branch.
    Every,
    /// One branch: the manager's choice, or the person's own.
    Only(i64),
}

impl BranchScope {
    /// The scope of `user` when they ask for `requested`.
    pub fn of(user: &CurrentUser, requested: Option<i64>) -> Result<BranchScope, AppError> {
        if user.is_manager() {
            return Ok(requested.map_or(BranchScope::Every, BranchScope::Only));
        }
        user.branch_id
            .map(BranchScope::Only)
            .ok_or_else(|| AppError::Forbidden(NO_BRANCH.into()))
    }

    /// The branch to filter by, if any.
    pub fn branch(self) -> Option<i64> {
        match self {
            BranchScope::Every => None,
            BranchScope::Only(id) => Some(id),
        }
    }

    /// A requested branch as typed in a query string: empty is none, anything else must be
    /// an id (400 otherwise, never a silent default).
    pub fn parse(raw: &str) -> Result<Option<i64>, AppError> {
        forms::optional_id(raw).map_err(|_| AppError::BadRequest(BAD_FILTER.into()))
    }
}

/// May `user` work on a record of `branch_id`? Managers anywhere, staff at their own branch.
pub fn check(user: &CurrentUser, branch_id: i64) -> Result<(), AppError> {
    if user.is_manager() || user.branch_id == Some(branch_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(ANOTHER_BRANCH.into()))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Requested {
    branch_id: String,
    branch: String,
}

/// The scope of the signed-in person for this request, from `?branch_id=` (retail) or
/// `?branch=` (cafe).
impl FromRequest for BranchScope {
    type Error = AppError;
    type Future = Ready<Result<BranchScope, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let scope = || -> Result<BranchScope, AppError> {
            let user = req
                .extensions()
                .get::<CurrentUser>()
                .cloned()
                .ok_or(AppError::Unauthorized)?;
            let q = actix_web::web::Query::<Requested>::from_query(req.query_string())
                .map_err(|_| AppError::BadRequest(BAD_FILTER.into()))?
                .into_inner();
            let raw = if q.branch_id.is_empty() {
                q.branch
            } else {
                q.branch_id
            };
            BranchScope::of(&user, BranchScope::parse(&raw)?)
        };
        ready(scope())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::auth::Role;

    fn person(role: Role, branch: Option<i64>) -> CurrentUser {
        CurrentUser {
            id: 1,
            username: "test".into(),
            name: "Test".into(),
            role,
            branch_id: branch,
            picture_id: None,
            session_id: 1,
            api_token: None,
        }
    }

    #[test]
    fn managers_choose_staff_get_their_own() {
        let m = person(Role::Manager, None);
        assert_eq!(BranchScope::of(&m, None).unwrap(), BranchScope::Every);
        assert_eq!(BranchScope::of(&m, Some(2)).unwrap(), BranchScope::Only(2));
        let a = person(Role::SalesAgent, Some(1));
        assert_eq!(BranchScope::of(&a, Some(2)).unwrap(), BranchScope::Only(1));
        assert_eq!(BranchScope::of(&a, None).unwrap().branch(), Some(1));
        let lost = person(Role::Waiter, None);
        assert!(matches!(
            BranchScope::of(&lost, None),
            Err(AppError::Forbidden(m)) if m == NO_BRANCH
        ));
        assert!(check(&a, 1).is_ok());
        assert!(matches!(check(&a, 2), Err(AppError::Forbidden(m)) if m == ANOTHER_BRANCH));
        assert!(check(&m, 2).is_ok());
        assert_eq!(BranchScope::parse("").unwrap(), None);
        assert_eq!(BranchScope::parse("7").unwrap(), Some(7));
        assert!(BranchScope::parse("main").is_err());
        assert!(BranchScope::parse("-1").is_err());
    }
}
