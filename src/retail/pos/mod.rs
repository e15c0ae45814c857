//! The POS terminal: scanning, the cart, cash checkout.

pub mod cart;
pub mod checkout;
pub mod offline;
pub mod routes;
pub mod search;
