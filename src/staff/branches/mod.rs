//! Branches of the business (shops and the cafe).

pub mod model;
pub mod routes;
pub mod rules;

pub use model::Branch;
