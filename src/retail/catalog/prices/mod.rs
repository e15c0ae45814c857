//! Bulk price changes from the product list's filters: by a percentage or to one price, seen
//! as old → new before anything changes, applied in one audited transaction.

pub mod model;
pub mod routes;
pub mod rules;
