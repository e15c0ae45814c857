//! Refunds and returns: part or all of a sale given back with a credit note (its own gap-free
//! number per branch), the units restocked or put in defective stock, the money back by the
//! sale's tenders or as store credit.

pub mod model;
pub mod routes;
pub mod rules;
