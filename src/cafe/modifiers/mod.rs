//! Modifiers: a latte's size, milk and extras. Groups of options shared by menu items, asked
//! for on the guest's menu and the waiter's form, priced on the server, printed on the kitchen
//! ticket, the bill and the receipt, kept in the sales record and counted in the stats.

pub mod model;
pub mod routes;
pub mod rules;
