//! Splitting a table's bill into parts (by items or by seats), each paid and closed on its own
//! into its own sales record: `/floor/sessions/{id}/split`.

pub mod model;
pub mod routes;
pub mod rules;
