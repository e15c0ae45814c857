//! `/reports` (managers): revenue, cost, profit, VAT, receivables and exposure, payment
//! methods, branches, employees with commission, top products and recent transactions for a
//! range of business days, each chart with its numbers and a CSV.

pub mod model;
pub mod routes;
pub mod rules;
