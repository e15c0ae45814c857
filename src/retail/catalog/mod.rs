//! The catalogue: product categories, suppliers and products.

pub mod categories;
pub mod prices;
pub mod products;
pub mod suppliers;
