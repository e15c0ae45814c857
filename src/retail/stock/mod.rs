//! Stock per branch: changed only by adjustments (receive, count, damage) and by sales.

pub mod import;
pub mod model;
pub mod routes;
pub mod rules;
