//! The dashboard's calendar and arithmetic, pure: where this week, month and year begin
//! (business days), and growth against yesterday without inventing a 100 %.

use chrono::{Datelike, Duration, NaiveDate};

/// The first days of the windows the dashboard adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub today: NaiveDate,
    pub yesterday: NaiveDate,
    /// Monday of this week.
    pub week: NaiveDate,
    pub month: NaiveDate,
    pub year: NaiveDate,
    /// The first of the last 14 days, for the chart.
    pub fortnight: NaiveDate,
}

impl Windows {
    pub fn of(today: NaiveDate) -> Windows {
        let week = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        Windows {
            today,
            yesterday: today - Duration::days(1),
            week,
            month: today.with_day(1).unwrap_or(today),
            year: NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            fortnight: today - Duration::days(13),
        }
    }

    /// The earliest day any window needs.
    pub fn earliest(&self) -> NaiveDate {
        self.week
            .min(self.month)
            .min(self.year)
            .min(self.yesterday)
            .min(self.fortnight)
    }
}

/// "+12.5 %" / "−3.0 %" of today against yesterday; `None` when yesterday sold nothing (the
/// seed showed a fake 100 %).
pub fn growth(today: i64, yesterday: i64) -> Option<String> {
    if yesterday <= 0 {
        return None;
    }
    let tenths = ((today - yesterday) as i128 * 1000 * 2 / yesterday as i128
        + if today >= yesterday { 1 } else { -1 })
        / 2;
    let sign = if tenths >= 0 { "+" } else { "−" };
    let t = tenths.abs();
    Some(format!("{sign}{}.{} %", t / 10, t % 10))
}

/// `part` of `whole` in whole percent, rounded half up; `None` when there is no whole.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| ((part as i128 * 200 + whole as i128) / (whole as i128 * 2)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_months_and_years_on_the_first() {
        let w = Windows::of(d("2026-12-02")); // a Wednesday
        assert_eq!(w.week, d("2026-11-30"));
        assert_eq!(w.month, d("2026-12-01"));
        assert_eq!(w.year, d("2026-01-01"));
        assert_eq!(w.yesterday, d("2026-12-01"));
        // A week that began last year.
        let w = Windows::of(d("2027-01-02")); // a Saturday
        assert_eq!(w.week, d("2026-12-28"));
        assert_eq!(w.earliest(), d("2026-12-20"));
        // Monday is its own week's start.
        assert_eq!(Windows::of(d("2026-11-30")).week, d("2026-11-30"));
    }

    #[test]
    fn growth_against_yesterday_and_none_without_sales_yesterday() {
        assert_eq!(growth(110, 100).as_deref(), Some("+10.0 %"));
        assert_eq!(growth(0, 100).as_deref(), Some("−100.0 %"));
        assert_eq!(growth(100, 300).as_deref(), Some("−66.7 %"));
        assert_eq!(growth(200, 300).as_deref(), Some("−33.3 %"));
        assert_eq!(growth(100, 100).as_deref(), Some("+0.0 %"));
        assert_eq!(growth(500, 0), None);
        assert_eq!(growth(0, 0), None);
    }

    #[test]
    fn percent_rounds_half_up() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 2), Some(50));
        assert_eq!(percent(5, 0), None);
    }
}
