//! The cafe's menu: items per branch in editable categories, with stock ("86") and trending
//! toggles.

pub mod categories;
pub mod import;
pub mod model;
pub mod routes;
pub mod rules;
