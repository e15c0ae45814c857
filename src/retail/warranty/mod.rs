//! Warranty: claims on sold units (repair or replacement, within their windows), their status
//! flow, and the defective stock a replacement leaves.

pub mod model;
pub mod routes;
pub mod rules;
