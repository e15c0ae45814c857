//! Promo codes: a manager creates them; guests and waiters apply one to a bill; a use is
//! counted when the bill closes, never past the code's maximum.

pub mod model;
pub mod routes;
pub mod rules;
