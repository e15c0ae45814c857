//! Instalment sales: the plan an instalment checkout makes, its approval by a credit officer,
//! the schedule and the payments that pay it off.

pub mod model;
pub mod query;
pub mod routes;
pub mod rules;
