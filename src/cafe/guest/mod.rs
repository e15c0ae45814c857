//! The guest's page at `/t/{token}`: menu, ordering, order status, bill and feedback.

pub mod feedback;
pub mod routes;
pub mod view;
