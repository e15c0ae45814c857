//! The moving-average cost, pure.
//!
//! A product has one cost price. When `received` units arrive at `unit_cost` while `on_hand`
//! units (all branches) are already held at `cost`, the new cost is the average over both:
//! `(on_hand × cost + received × unit_cost) / (on_hand + received)`, rounded half up to the
//! centavo. With nothing on hand (or less than nothing, after a count), the new units set it.

/// The product's cost after a delivery.
pub fn moving_average(on_hand: i64, cost: i64, received: i64, unit_cost: i64) -> i64 {
    if received <= 0 {
        return cost;
    }
    if on_hand <= 0 {
        return unit_cost;
    }
    let num = i128::from(on_hand) * i128::from(cost) + i128::from(received) * i128::from(unit_cost);
    let den = i128::from(on_hand) + i128::from(received);
    ((2 * num + den) / (2 * den)) as i64
}

/// Where a purchase order stands.
pub fn status_label(s: &str) -> &'static str {
    match s {
        "open" => "Open",
        "partial" => "Partly received",
        "received" => "Received",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

pub const STATUSES: [&str; 4] = ["open", "partial", "received", "cancelled"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_is_the_average_over_what_is_held_and_what_arrives() {
        // 10 held at 100.00, 10 arrive at 120.00: 110.00.
        assert_eq!(moving_average(10, 10_000, 10, 12_000), 11_000);
        // 3 at 100.00 and 1 at 101.00: 100.25.
        assert_eq!(moving_average(3, 10_000, 1, 10_100), 10_025);
        // 2 at 0.01 and 1 at 0.02: 0.0133… → 0.01; 1 at 0.01 and 1 at 0.02: 0.015 → 0.02.
        assert_eq!(moving_average(2, 1, 1, 2), 1);
        assert_eq!(moving_average(1, 1, 1, 2), 2);
        // Nothing held: the delivery's cost. Nothing received: unchanged.
        assert_eq!(moving_average(0, 10_000, 5, 9_000), 9_000);
        assert_eq!(moving_average(-2, 10_000, 5, 9_000), 9_000);
        assert_eq!(moving_average(4, 10_000, 0, 9_000), 10_000);
    }
}
