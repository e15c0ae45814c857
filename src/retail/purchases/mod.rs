//! Purchase orders and receiving: lines at cost to a supplier for a branch, received in one or
//! more deliveries, each adding stock and moving the product's cost to the moving average.

pub mod model;
pub mod routes;
pub mod rules;
