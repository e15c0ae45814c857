//! Insight: the figures managers run the business from, across retail and cafe — the
//! dashboard (`/dashboard`). Reads the daily summaries the sale and bill transactions keep,
//! never every sale.

pub mod dashboard;
