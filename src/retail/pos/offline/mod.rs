//! The till through an outage (docs/architecture.md): a till that cannot reach the server
//! keeps selling for cash from its own copy of the catalogue, numbers each sale from a block
//! it reserved while online, and sends its queue when the server answers again; each queued
//! sale reaches the books exactly once, as an order or as an exception for a manager.

pub mod model;
pub mod routes;
pub mod rules;
