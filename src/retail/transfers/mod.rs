//! Stock transfers between branches (draft → sent → received, shortages recorded, serials
//! travelling with their units) and the typed lines that transfers and purchase orders share.

pub mod model;
pub mod routes;
pub mod rules;
