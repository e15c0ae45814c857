//! Shifts on a register: open with a float, cash in and out, close with the count; the X and Z
//! reports.

pub mod model;
pub mod report;
pub mod routes;
pub mod rules;
