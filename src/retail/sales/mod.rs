//! Sales: orders, official receipts, the sales list, voids.

pub mod daily;
pub mod daily_detail;
pub mod model;
pub mod query;
pub mod receipt;
pub mod routes;
pub mod rules;
pub mod void;
