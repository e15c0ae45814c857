//! Kitchen stations and the expo: the bar makes the drinks, the kitchen the food, each on its
//! own display; an order is one ticket per station, and the expo shows it ready when every
//! station is done. Lines a waiter holds wait off the boards until fired.

pub mod model;
pub mod routes;
pub mod rules;
