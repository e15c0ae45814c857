//! The kitchen display: open tickets, oldest first within priority, updated live.

pub mod model;
pub mod routes;
pub mod rules;
