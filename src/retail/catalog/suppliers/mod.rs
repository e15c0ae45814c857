//! Suppliers and their contracts.

pub mod model;
pub mod routes;
pub mod rules;

pub use model::*;
pub use routes::*;
pub use rules::*;
