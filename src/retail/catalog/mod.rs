//! The catalogue: product categories, suppliers and products.

pub mod categories;
pub mod products;
pub mod suppliers;
