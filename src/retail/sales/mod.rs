//! Sales: orders, official receipts, the sales list.

pub mod model;
pub mod receipt;
