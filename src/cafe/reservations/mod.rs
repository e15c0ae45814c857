//! Table reservations: booked by staff (or requested by a guest, then confirmed), never two
//! on one table at overlapping times, and followed through: confirmed, seated (the table's bill
//! opens), completed — or cancelled, or a no-show.

pub mod model;
pub mod routes;
pub mod rules;
