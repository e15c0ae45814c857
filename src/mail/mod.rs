//! E-mail that never gets lost: a message is written to the outbox (`mail_outbox`) in the
//! transaction of the sale or payment that causes it, so checkout never waits for SMTP and never
//! fails because of it; a background worker on any instance claims one message at a time
//! (a conditional UPDATE with a lease), sends it, and marks it sent, or retries with backoff
//! (1 min, 5 min, 30 min, 2 h, then failed). Without SMTP settings messages are written as
//! `.eml` files under the data directory.

pub mod messages;
pub mod outbox;
pub mod routes;
pub mod transport;
pub mod worker;
