//! Tables with their secret QR token: the code on the table leads to `/t/{token}`.

pub mod model;
pub mod routes;
pub mod rules;
