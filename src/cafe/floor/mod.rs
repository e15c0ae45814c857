//! The floor (waiters and managers): tables and open bills, orders taken by hand, bills,
//! closing with payment.

pub mod model;
pub mod moves;
pub mod routes;
