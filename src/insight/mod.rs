//! Insight: the figures managers run the business from, across retail and cafe — the
//! dashboard (`/dashboard`) and the reports (`/reports`). Both read the daily summaries the
//! sale and bill transactions keep, never every sale.

pub mod dashboard;
pub mod monitoring;
pub mod reports;

use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::Bool;

/// `column = branch` when a page shows one branch, else true: a condition grouped queries
/// can take (a boxed query cannot be grouped). The id is a number we parsed.
pub(crate) fn in_branch(column: &str, branch: Option<i64>) -> SqlLiteral<Bool> {
    sql::<Bool>(&match branch {
        Some(b) => format!("{column} = {b}"),
        None => "1 = 1".to_string(),
    })
}
