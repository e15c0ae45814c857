//! The cafe's live events: the platform's live-update hub (`platform::live`), named for the
//! cafe's use of it (tickets, bills, calls for staff).

pub use crate::platform::live::{stream, EventHub, EventKind, LiveEvent as CafeEvent};
