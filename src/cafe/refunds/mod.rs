//! Refunds of a closed cafe bill's lines: a credit note numbered with the branch's retail
//! credit notes, the money back by the bill's own tenders, nothing back to stock.

pub mod model;
pub mod routes;
pub mod rules;
