//! `/cafe/stats` (managers): today against the same weekday last week, the best sellers,
//! revenue by hour, by category and by day, as charts with their numbers and CSV files.

pub mod model;
pub mod routes;
