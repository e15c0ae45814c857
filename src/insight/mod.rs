//! Insight: the figures managers run the business from, across retail and cafe — the
//! dashboard (`/dashboard`) and the reports (`/reports`). Both read the daily summaries the
//! sale and bill transactions keep, never every sale.

pub mod dashboard;
pub mod reports;
