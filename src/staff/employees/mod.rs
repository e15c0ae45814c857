//! Employees: the people who sign in, with their role and branch.

pub mod export;
pub mod model;
pub mod routes;
pub mod rules;

pub use model::Employee;
