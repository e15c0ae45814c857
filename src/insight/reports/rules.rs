//! The pure part of the reports: the range and its parts (whole months and loose days), the
//! grouping of days into weeks or months, and the ratios (margin, exposure) in tenths of a
//! percent rounded half up.

use chrono::{Datelike, Duration, NaiveDate};

/// The longest range a report covers (three years and a day for leap years).
pub const MAX_RANGE_DAYS: i64 = 1_096;

/// The days of a range read per month where a whole month lies inside it, per day at its ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeParts {
    /// First days of the first and last whole month, when there is one.
    pub months: Option<(NaiveDate, NaiveDate)>,
    /// Spans of loose days (inclusive), at most two.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

fn first_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

fn prev_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first)
}

/// Splits `from..=to` into whole months and the loose days around them.
pub fn parts(from: NaiveDate, to: NaiveDate) -> RangeParts {
    let first_whole = if from.day() == 1 {
        from
    } else {
        next_month(first_of(from))
    };
    let last_whole = if to.succ_opt().is_none_or(|n| n.day() == 1) {
        first_of(to)
    } else {
        prev_month(first_of(to))
    };
    if first_whole > last_whole {
        return RangeParts {
            months: None,
            days: vec![(from, to)],
        };
    }
    let mut days = Vec::new();
    if from < first_whole {
        days.push((from, first_whole - Duration::days(1)));
    }
    let after = next_month(last_whole);
    if after <= to {
        days.push((after, to));
    }
    RangeParts {
        months: Some((first_whole, last_whole)),
        days,
    }
}

/// How the revenue chart groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Day,
    Week,
    Month,
}

impl Grouping {
    /// The asked grouping, or the one that gives a readable chart: days up to two months,
    /// weeks up to half a year, months beyond.
    pub fn parse(raw: &str, from: NaiveDate, to: NaiveDate) -> Result<Grouping, String> {
        match raw.trim() {
            "day" => Ok(Grouping::Day),
            "week" => Ok(Grouping::Week),
            "month" => Ok(Grouping::Month),
            "" => Ok(match (to - from).num_days() {
                0..=62 => Grouping::Day,
                63..=183 => Grouping::Week,
                _ => Grouping::Month,
            }),
            _ => Err("Group by day, week or month.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
        }
    }

    /// The first day of the group `day` belongs to (weeks start on Monday).
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grouping::Day => day,
            Grouping::Week => day - Duration::days(day.weekday().num_days_from_monday() as i64),
            Grouping::Month => first_of(day),
        }
    }

    /// The group's label: "02 Dec", "Week of 30 Nov", "Dec 2026".
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Grouping::Day => start.format("%d %b").to_string(),
            Grouping::Week => start.format("Wk %d %b").to_string(),
            Grouping::Month => start.format("%b %Y").to_string(),
        }
    }

    /// Every group of `from..=to` in order, so that empty ones show as zero.
    pub fn groups(self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut at = self.start(from);
        while at <= to {
            out.push(at);
            at = match self {
                Grouping::Day => at + Duration::days(1),
                Grouping::Week => at + Duration::days(7),
                Grouping::Month => next_month(at),
            };
        }
        out
    }
}

/// `part / whole` as "12.3 %", rounded half up to a tenth; `None` without a whole.
pub fn ratio(part: i64, whole: i64) -> Option<String> {
    tenths(part, whole).map(|t| {
        let sign = if t < 0 { "−" } else { "" };
        format!("{sign}{}.{} %", t.abs() / 10, t.abs() % 10)
    })
}

/// `part / whole` in tenths of a percent, half away from zero.
pub fn tenths(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let scaled = part as i128 * 2000 / whole as i128;
    Some(((scaled + scaled.signum()) / 2) as i64)
}

/// Exposure over the threshold (basis points) is high risk; no revenue with money owed is too.
pub fn high_risk(outstanding: i64, revenue: i64, threshold_bp: i64) -> bool {
    match tenths(outstanding, revenue) {
        Some(t) => t * 10 > threshold_bp,
        None => outstanding > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_splits_into_whole_months_and_loose_days() {
        assert_eq!(
            parts(d("2026-01-15"), d("2026-04-10")),
            RangeParts {
                months: Some((d("2026-02-01"), d("2026-03-01"))),
                days: vec![
                    (d("2026-01-15"), d("2026-01-31")),
                    (d("2026-04-01"), d("2026-04-10"))
                ],
            }
        );
        // Whole months only.
        assert_eq!(
            parts(d("2026-02-01"), d("2026-02-28")),
            RangeParts {
                months: Some((d("2026-02-01"), d("2026-02-01"))),
                days: vec![],
            }
        );
        // Inside one month: days only.
        assert_eq!(
            parts(d("2026-11-03"), d("2026-12-02")),
            RangeParts {
                months: None,
                days: vec![(d("2026-11-03"), d("2026-12-02"))],
            }
        );
        // A year ending today.
        let p = parts(d("2025-12-03"), d("2026-12-02"));
        assert_eq!(p.months, Some((d("2026-01-01"), d("2026-11-01"))));
        assert_eq!(
            p.days,
            vec![
                (d("2025-12-03"), d("2025-12-31")),
                (d("2026-12-01"), d("2026-12-02"))
            ]
        );
    }

    #[test]
    fn every_day_of_a_range_is_in_exactly_one_part() {
        let start = d("2025-12-20");
        for len in [0, 1, 12, 40, 70, 400] {
            for shift in 0..40 {
                let from = start + Duration::days(shift);
                let to = from + Duration::days(len);
                let p = parts(from, to);
                let mut covered = 0;
                if let Some((a, b)) = p.months {
                    let mut m = a;
                    while m <= b {
                        covered += (next_month(m) - m).num_days();
                        m = next_month(m);
                    }
                }
                for (a, b) in &p.days {
                    covered += (*b - *a).num_days() + 1;
                }
                assert_eq!(covered, len + 1, "{from}..{to}: {p:?}");
            }
        }
    }

    #[test]
    fn grouping_by_default_follows_the_range() {
        let g = |a, b| Grouping::parse("", d(a), d(b)).unwrap();
        assert_eq!(g("2026-11-03", "2026-12-02"), Grouping::Day);
        assert_eq!(g("2026-06-01", "2026-12-02"), Grouping::Month);
        assert_eq!(g("2026-09-01", "2026-12-02"), Grouping::Week);
        assert!(Grouping::parse("year", d("2026-01-01"), d("2026-01-02")).is_err());
        assert_eq!(Grouping::Week.start(d("2026-12-02")), d("2026-11-30"));
        assert_eq!(
            Grouping::Week.groups(d("2026-12-02"), d("2026-12-14")),
            vec![d("2026-11-30"), d("2026-12-07"), d("2026-12-14")]
        );
        assert_eq!(
            Grouping::Month
                .groups(d("2026-01-31"), d("2026-03-01"))
                .len(),
            3
        );
    }

    #[test]
    fn ratios_round_half_up_to_a_tenth() {
        assert_eq!(ratio(1, 3).as_deref(), Some("33.3 %"));
        assert_eq!(ratio(2, 3).as_deref(), Some("66.7 %"));
        assert_eq!(ratio(1, 8).as_deref(), Some("12.5 %"));
        assert_eq!(ratio(-1, 8).as_deref(), Some("−12.5 %"));
        assert_eq!(ratio(5, 0), None);
    }

    #[test]
    fn exposure_over_the_threshold_is_high_risk() {
        assert!(!high_risk(300, 1_000, 3_000)); // exactly 30 %
        assert!(high_risk(301, 1_000, 3_000));
        assert!(high_risk(1, 0, 3_000));
        assert!(!high_risk(0, 0, 3_000));
    }
}
