//! Station rules, pure: what a manager may type for a station, how an order's lines are split
//! into tickets, and what the expo makes of an order's tickets.

use crate::cafe::kitchen::rules::TicketStatus;
use crate::platform::forms::{self, FormErrors};

/// Codes a station cannot take: `/kitchen` is the kitchen's own board, the expo has its page.
const RESERVED: [&str; 3] = ["kitchen", "expo", "all"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationInput {
    /// What `/kitchen?station=` names: lower-case letters, digits and dashes.
    pub code: String,
    pub name: String,
    /// Minutes after which a ticket on this station shows late.
    pub late_minutes: i64,
    pub categories: Vec<i64>,
}

pub fn station_input(
    code: &str,
    name: &str,
    late: &str,
    categories: Vec<i64>,
) -> Result<StationInput, FormErrors> {
    let mut errors = FormErrors::default();
    let code = code.trim().to_ascii_lowercase();
    if code.is_empty()
        || code.len() > 20
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errors.add(
            "code",
            "The code is 1 to 20 letters, digits or dashes, like bar or dessert.",
        );
    } else if RESERVED.contains(&code.as_str()) {
        errors.add(
            "code",
            format!("{code} is taken by the kitchen's own pages: choose another code."),
        );
    }
    let name = forms::text(name, "name", "The station's name", 40, true, &mut errors);
    let late_minutes = forms::whole_number(
        late,
        "late_minutes",
        "Minutes before a ticket is late",
        (1, 240),
        Some(15),
        &mut errors,
    );
    errors.into_result(StationInput {
        code,
        name,
        late_minutes,
        categories,
    })
}

/// Where a line goes: its station (`None`: the kitchen) and whether it is held.
pub type Route = (Option<i64>, bool);

/// An order's lines in tickets: one per (station, held), lines sent now before lines held,
/// each group in the order its first line came. `None` is the kitchen.
pub fn split(lines: &[Route]) -> Vec<(Route, Vec<usize>)> {
    let mut out: Vec<(Route, Vec<usize>)> = Vec::new();
    for held in [false, true] {
        for (i, key) in lines.iter().enumerate() {
            if key.1 != held {
                continue;
            }
            match out.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => v.push(i),
                None => out.push((*key, vec![i])),
            }
        }
    }
    out
}

/// Where an order stands at the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpoState {
    /// Everything on it is held for the waiter to fire.
    Held,
    /// Nobody has started.
    Waiting,
    /// A station has started, or finished while another has not.
    Cooking,
    /// Every station sent has finished: serve it.
    Ready,
}

impl ExpoState {
    pub fn label(self) -> &'static str {
        match self {
            ExpoState::Held => "Held",
            ExpoState::Waiting => "Waiting",
            ExpoState::Cooking => "Cooking",
            ExpoState::Ready => "Ready",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            ExpoState::Held => "held",
            ExpoState::Waiting => "waiting",
            ExpoState::Cooking => "cooking",
            ExpoState::Ready => "ready",
        }
    }
}

/// `(status, held)` of an order's tickets: ready only when every fired ticket is done.
pub fn expo_state(tickets: &[(TicketStatus, bool)]) -> ExpoState {
    let fired: Vec<TicketStatus> = tickets
        .iter()
        .filter(|(_, held)| !held)
        .map(|(s, _)| *s)
        .collect();
    if fired.is_empty() {
        ExpoState::Held
    } else if fired.iter().all(|s| *s == TicketStatus::Completed) {
        ExpoState::Ready
    } else if fired.iter().any(|s| *s != TicketStatus::Pending) {
        ExpoState::Cooking
    } else {
        ExpoState::Waiting
    }
}

/// Whether a ticket on a station is late: past the station's threshold, counted from when it
/// reached the station (fired, for a held ticket).
pub fn late_at_station(age_minutes: i64, late_minutes: i64) -> bool {
    age_minutes > late_minutes
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    #[test]
    fn an_order_splits_by_station_with_held_lines_last() {
        let bar = Some(2);
        let lines = [
            (None, false),
            (bar, false),
            (None, true),
            (None, false),
            (bar, true),
        ];
        assert_eq!(
            split(&lines),
            vec![
                ((None, false), vec![0, 3]),
                ((bar, false), vec![1]),
                ((None, true), vec![2]),
                ((bar, true), vec![4]),
            ]
        );
        assert_eq!(split(&[(None, false)]), vec![((None, false), vec![0])]);
        assert!(split(&[]).is_empty());
        // Every line in exactly one ticket.
        let mut all: Vec<usize> = split(&lines).into_iter().flat_map(|(_, v)| v).collect();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn the_expo_shows_ready_only_when_every_fired_station_is_done() {
        assert_eq!(
            expo_state(&[(Pending, false), (Pending, false)]),
            ExpoState::Waiting
        );
        assert_eq!(
            expo_state(&[(Completed, false), (Pending, false)]),
            ExpoState::Cooking
        );
        assert_eq!(
            expo_state(&[(Preparing, false), (Pending, false)]),
            ExpoState::Cooking
        );
        assert_eq!(
            expo_state(&[(Completed, false), (Completed, false)]),
            ExpoState::Ready
        );
        assert_eq!(
            expo_state(&[(Completed, false), (Pending, true)]),
            ExpoState::Ready
        );
        assert_eq!(expo_state(&[(Pending, true)]), ExpoState::Held);
        assert_eq!(expo_state(&[]), ExpoState::Held);
        assert_eq!(ExpoState::Ready.label(), "Ready");
    }

    #[test]
    fn what_a_manager_types_for_a_station_is_checked() {
        let s = station_input(" Bar ", "Bar", "8", vec![1, 6]).unwrap();
        assert_eq!((s.code.as_str(), s.late_minutes), ("bar", 8));
        assert_eq!(
            station_input("dessert", "Desserts", "", vec![])
                .unwrap()
                .late_minutes,
            15
        );
        for (code, name, late) in [
            ("", "Bar", "8"),
            ("bar bar", "Bar", "8"),
            ("kitchen", "Bar", "8"),
            ("expo", "Bar", "8"),
            ("bär", "Bar", "8"),
            (&"b".repeat(21)[..], "Bar", "8"),
            ("bar", "", "8"),
            ("bar", "\u{200b}", "8"),
            ("bar", "Bar", "0"),
            ("bar", "Bar", "241"),
            ("bar", "Bar", "x"),
        ] {
            assert!(
                station_input(code, name, late, vec![]).is_err(),
                "{code} {name} {late}"
            );
        }
        assert!(late_at_station(9, 8) && !late_at_station(8, 8));
    }
}
