//! Reservation rules without I/O: the form, statuses and their moves, opening hours, overlaps.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Confirmed,
    Seated,
    Completed,
    Cancelled,
    NoShow,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Confirmed,
        Status::Seated,
        Status::Completed,
        Status::Cancelled,
        Status::NoShow,
    ];
    /// The statuses that hold a table.
    pub const HOLDING: [&'static str; 3] = ["pending", "confirmed", "seated"];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Seated => "seated",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::NoShow => "no_show",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Confirmed => "Confirmed",
            Status::Seated => "Seated",
            Status::Completed => "Completed",
            Status::Cancelled => "Cancelled",
            Status::NoShow => "No-show",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn holds_table(self) -> bool {
        Status::HOLDING.contains(&self.as_str())
    }

    /// What can be done from here, in the order the buttons show.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Status::Pending => &[
                Action::Confirm,
                Action::Seat,
                Action::Cancel,
                Action::NoShow,
            ],
            Status::Confirmed => &[Action::Seat, Action::Cancel, Action::NoShow],
            Status::Seated => &[Action::Complete],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    Seat,
    Complete,
    Cancel,
    NoShow,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "confirm" => Action::Confirm,
            "seat" => Action::Seat,
            "complete" => Action::Complete,
            "cancel" => Action::Cancel,
            "no-show" => Action::NoShow,
            _ => return None,
        })
    }

    pub fn path(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Seat => "seat",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::NoShow => "no-show",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Confirm => "Confirm",
            Action::Seat => "Seat",
            Action::Complete => "Complete",
            Action::Cancel => "Cancel",
            Action::NoShow => "No-show",
        }
    }

    pub fn target(self) -> Status {
        match self {
            Action::Confirm => Status::Confirmed,
            Action::Seat => Status::Seated,
            Action::Complete => Status::Completed,
            Action::Cancel => Status::Cancelled,
            Action::NoShow => Status::NoShow,
        }
    }
}

/// `from` → the status `action` leads to, if that move is allowed.
pub fn next(from: Status, action: Action) -> Option<Status> {
    from.actions().contains(&action).then(|| action.target())
}

/// What staff typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReservationForm {
    pub table_id: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub party_size: String,
    pub date: String,
    pub time: String,
    pub minutes: String,
    pub notes: String,
    /// One-time key of a new booking (a double click books once).
    pub key: String,
    /// The branch a new booking is for (a manager's choice).
    pub branch_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReservationInput {
    pub table_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub party_size: i64,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub minutes: i64,
    pub notes: String,
}

impl ReservationInput {
    /// Start and end in the business time zone.
    pub fn local_range(&self) -> (NaiveDateTime, NaiveDateTime) {
        let start = self.date.and_time(self.time);
        (start, start + Duration::minutes(self.minutes))
    }
}

pub const MAX_PARTY: i64 = 50;

pub fn validate(
    form: &ReservationForm,
    default_minutes: i64,
) -> Result<ReservationInput, FormErrors> {
    let mut errors = FormErrors::default();
    let table_id = match forms::optional_id(&form.table_id) {
        Ok(Some(id)) => id,
        _ => {
            errors.add("table_id", "Choose a table.");
            0
        }
    };
    let customer_name = forms::text(
        &form.customer_name,
        "customer_name",
        "The guest's name",
        100,
        true,
        &mut errors,
    );
    let customer_phone = forms::optional_phone(&form.customer_phone, "customer_phone", &mut errors)
        .unwrap_or_default();
    if customer_phone.is_empty() {
        errors.add(
            "customer_phone",
            "A phone number is needed to reach the guest about the booking.",
        );
    }
    let party_size = forms::whole_number(
        &form.party_size,
        "party_size",
        "Party size",
        (1, MAX_PARTY),
        None,
        &mut errors,
    );
    let date = forms::date(&form.date, "date", "Date", &mut errors);
    let time = crate::cafe::settings::parse_time(&form.time);
    if time.is_none() {
        errors.add("time", "Enter a time such as 19:30.");
    }
    let minutes = forms::whole_number(
        &form.minutes,
        "minutes",
        "Length",
        (
            crate::cafe::settings::MIN_RESERVATION,
            crate::cafe::settings::MAX_RESERVATION,
        ),
        Some(default_minutes),
        &mut errors,
    );
    let notes = forms::text(&form.notes, "notes", "Notes", 500, false, &mut errors);
    match (date, time) {
        (Some(date), Some(time)) if errors.is_empty() => Ok(ReservationInput {
            table_id,
            customer_name,
            customer_phone,
            party_size,
            date,
            time,
            minutes,
            notes,
        }),
        _ => Err(errors),
    }
}

/// Whether a booking from `start` to `end` (local) lies within opening hours. Closing at or
/// before opening means the cafe closes after midnight.
pub fn within_hours(
    opens: NaiveTime,
    closes: NaiveTime,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> bool {
    let t = start.time();
    let day = start.date();
    let closing = if closes > opens {
        if t < opens || t >= closes {
            return false;
        }
        day.and_time(closes)
    } else if t >= opens {
        day.succ_opt()
            .map_or(day.and_time(closes), |d| d.and_time(closes))
    } else if t < closes {
        day.and_time(closes)
    } else {
        return false;
    };
    end <= closing
}

/// Two bookings clash when their ranges overlap; touching ones (one ends as the next starts)
/// do not.
pub fn overlaps(a: (NaiveDateTime, NaiveDateTime), b: (NaiveDateTime, NaiveDateTime)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 5)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn ranges_that_touch_do_not_clash() {
        assert!(!overlaps((at(18, 0), at(19, 30)), (at(19, 30), at(21, 0))));
        assert!(overlaps((at(18, 0), at(19, 31)), (at(19, 30), at(21, 0))));
        assert!(overlaps((at(19, 0), at(19, 10)), (at(18, 0), at(21, 0))));
        assert!(!overlaps((at(21, 0), at(22, 0)), (at(18, 0), at(21, 0))));
    }

    #[test]
    fn opening_hours_by_day_and_past_midnight() {
        assert!(within_hours(t(7, 0), t(22, 0), at(20, 30), at(22, 0)));
        assert!(!within_hours(t(7, 0), t(22, 0), at(21, 0), at(22, 30)));
        assert!(!within_hours(t(7, 0), t(22, 0), at(6, 30), at(8, 0)));
        // Open 18:00 to 02:00.
        assert!(within_hours(
            t(18, 0),
            t(2, 0),
            at(23, 0),
            at(23, 0) + Duration::minutes(150)
        ));
        assert!(!within_hours(
            t(18, 0),
            t(2, 0),
            at(23, 0),
            at(23, 0) + Duration::minutes(190)
        ));
        assert!(within_hours(t(18, 0), t(2, 0), at(0, 30), at(1, 30)));
        assert!(!within_hours(t(18, 0), t(2, 0), at(12, 0), at(13, 0)));
    }

    #[test]
    fn statuses_move_forward_only() {
        assert_eq!(
            next(Status::Pending, Action::Confirm),
            Some(Status::Confirmed)
        );
        assert_eq!(next(Status::Confirmed, Action::Seat), Some(Status::Seated));
        assert_eq!(
            next(Status::Seated, Action::Complete),
            Some(Status::Completed)
        );
        assert_eq!(next(Status::Seated, Action::Cancel), None);
        assert_eq!(next(Status::Completed, Action::Confirm), None);
        assert_eq!(next(Status::Cancelled, Action::Seat), None);
        assert!(Status::Confirmed.holds_table() && !Status::NoShow.holds_table());
    }

    #[test]
    fn the_form_is_checked() {
        let good = ReservationForm {
            table_id: "3".into(),
            customer_name: "Ana".into(),
            customer_phone: "0917 123 4567".into(),
            party_size: "4".into(),
            date: "2026-12-05".into(),
            time: "19:30".into(),
            ..Default::default()
        };
        let ok = validate(&good, 90).unwrap();
        assert_eq!(ok.minutes, 90);
        assert_eq!(ok.local_range().1, at(21, 0));
        for bad in [
            ReservationForm {
                party_size: "0".into(),
                ..good.clone()
            },
            ReservationForm {
                party_size: "51".into(),
                ..good.clone()
            },
            ReservationForm {
                customer_phone: "".into(),
                ..good.clone()
            },
            ReservationForm {
                customer_phone: "call me".into(),
                ..good.clone()
            },
            ReservationForm {
                time: "25:00".into(),
                ..good.clone()
            },
            ReservationForm {
                date: "2026-13-01".into(),
                ..good.clone()
            },
            ReservationForm {
                table_id: "x".into(),
                ..good.clone()
            },
            ReservationForm {
                minutes: "5".into(),
                ..good.clone()
            },
            ReservationForm {
                customer_name: "\u{200b}".into(),
                ..good.clone()
            },
        ] {
            assert!(validate(&bad, 90).is_err(), "{bad:?}");
        }
    }
}
