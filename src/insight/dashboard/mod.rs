//! `/dashboard` (managers): revenue windows, warranty, stock health, credit, cafe and who is
//! signed in, for every branch or one.

pub mod model;
pub mod routes;
pub mod rules;
