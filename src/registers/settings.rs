//! The registers' settings: the notes and coins a drawer is counted in, the difference at the
//! close that needs a note, and whether cafe bills need an open shift.

use crate::platform::db::AnyConnection;
use crate::platform::money::Money;
use crate::platform::settings;
use crate::registers::shifts::rules;

/// "1000.00, 500.00, …, 0.25"; empty: the currency's usual ones.
pub const DENOMINATIONS: &str = "shifts.denominations";
/// A difference between counted and expected cash above this (minor units) needs a note.
pub const NOTE_OVER: &str = "shifts.difference_note_over_minor";
/// Refunds of sales (retail or cafe) older than this many days need a manager (30 when unset).
pub const MANAGER_AFTER_DAYS: &str = "refunds.manager_after_days";
/// "true": a cafe bill is paid only into the closer's open shift.
pub const CAFE_REQUIRED: &str = "cafe.shifts_required";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftSettings {
    pub denominations: Vec<Money>,
    pub note_over: Money,
    pub cafe_required: bool,
}

pub fn load(conn: &mut AnyConnection, currency: &str) -> diesel::QueryResult<ShiftSettings> {
    let denominations = settings::get(conn, DENOMINATIONS)?
        .and_then(|raw| rules::parse_denominations(&raw, currency).ok())
        .unwrap_or_else(|| rules::default_denominations(currency));
    let note_over = settings::get(conn, NOTE_OVER)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v >= 0)
        .map_or(Money::ZERO, Money);
    let cafe_required = settings::get(conn, CAFE_REQUIRED)?.is_some_and(|v| v == "true");
    Ok(ShiftSettings {
        denominations,
        note_over,
        cafe_required,
    })
}

pub fn refunds_manager_after_days(conn: &mut AnyConnection) -> diesel::QueryResult<i64> {
    Ok(settings::get(conn, MANAGER_AFTER_DAYS)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| (0..=3650).contains(v))
        .unwrap_or(30))
}
