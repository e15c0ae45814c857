//! Products: what the shop sells, with barcode, prices and stock rules.

pub mod import;
pub mod labels;
pub mod model;
pub mod routes;
pub mod rules;

pub use model::Product;
