//! Business time: timestamps are stored in UTC and shown and filtered in the business zone.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy)]
pub struct BusinessClock {
    pub tz: Tz,
}

impl BusinessClock {
    pub fn new(tz: Tz) -> Self {
        BusinessClock { tz }
    }

    pub fn now_utc() -> NaiveDateTime {
        Utc::now().naive_utc()
    }

    pub fn today(&self) -> NaiveDate {
        Utc::now().with_timezone(&self.tz).date_naive()
    }

    pub fn to_local(&self, utc: NaiveDateTime) -> DateTime<Tz> {
        Utc.from_utc_datetime(&utc).with_timezone(&self.tz)
    }

    /// `2026-11-22 14:05` in the business zone.
    pub fn format(&self, utc: NaiveDateTime) -> String {
        self.to_local(utc).format("%Y-%m-%d %H:%M").to_string()
    }

    pub fn format_opt(&self, utc: Option<NaiveDateTime>) -> String {
        utc.map(|t| self.format(t)).unwrap_or_default()
    }

    /// The UTC instant at which a business-local day starts.
    pub fn day_start_utc(&self, day: NaiveDate) -> NaiveDateTime {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        match self.tz.from_local_datetime(&midnight) {
            LocalResult::Single(t) => t.naive_utc(),
            LocalResult::Ambiguous(first, _) => first.naive_utc(),
            // A zone that skips midnight (DST): the day starts at the first valid minute.
            LocalResult::None => (1..=180)
                .find_map(|m| {
                    self.tz
                        .from_local_datetime(&(midnight + Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.naive_utc())
                .unwrap_or(midnight),
        }
    }

    /// The UTC instant of a business-local time; in a DST gap, the first valid minute after it.
    pub fn local_to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        (0..=180)
            .find_map(|m| {
                self.tz
                    .from_local_datetime(&(local + Duration::minutes(m)))
                    .earliest()
            })
            .map(|t| t.naive_utc())
            .unwrap_or(local)
    }

    /// Half-open UTC range `[from, to)` covering the local days `from..=to`; either end optional.
    pub fn day_range_utc(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        (
            from.map(|d| self.day_start_utc(d)),
            to.and_then(|d| d.succ_opt()).map(|d| self.day_start_utc(d)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manila_day_starts_at_16_utc_the_day_before() {
        let clock = BusinessClock::new(chrono_tz::Asia::Manila);
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let (from, to) = clock.day_range_utc(Some(day), Some(day));
        assert_eq!(from.unwrap().to_string(), "2026-11-21 16:00:00");
        assert_eq!(to.unwrap().to_string(), "2026-11-22 16:00:00");
    }

    #[test]
    fn formats_in_business_time() {
        let clock = BusinessClock::new(chrono_tz::Asia::Manila);
        let utc = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(20, 30, 0)
            .unwrap();
        assert_eq!(clock.format(utc), "2026-01-02 04:30");
    }

    #[test]
    fn dst_gap_at_midnight_is_handled() {
        // Santiago skips 00:00–01:00 on its spring-forward day.
        let clock = BusinessClock::new(chrono_tz::America::Santiago);
        let day = NaiveDate::from_ymd_opt(2026, 9, 6).unwrap();
        let start = clock.day_start_utc(day);
        assert_eq!(clock.to_local(start).date_naive(), day);
    }
}
