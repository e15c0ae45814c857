//! Kitchen ticket rules: the estimate, priorities and status changes.

/// 3 minutes per line, at least 5, at most 45 (the seed's intended rule; it always gave 5).
pub fn estimate_minutes(lines: usize) -> i64 {
    (lines as i64).saturating_mul(3).clamp(5, 45)
}

/// A ticket's priority as stored (2, 1, 0) and as the kitchen says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priority {
    pub value: i64,
    pub label: &'static str,
}

pub const PRIORITIES: [Priority; 3] = [
    Priority {
        value: 2,
        label: "Urgent",
    },
    Priority {
        value: 1,
        label: "High",
    },
    Priority {
        value: 0,
        label: "Normal",
    },
];

pub fn priority_label(p: i64) -> &'static str {
    PRIORITIES
        .iter()
        .find(|x| x.value == p)
        .map_or("Normal", |x| x.label)
}

pub fn parse_priority(raw: &str) -> Option<i64> {
    PRIORITIES
        .iter()
        .find(|x| x.label.eq_ignore_ascii_case(raw.trim()))
        .map(|x| x.value)
        .or_else(|| raw.trim().parse().ok().filter(|v| (0..=2).contains(v)))
}

/// A kitchen ticket's progress, stored as TEXT; the table's CHECK lists the same three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    Pending,
    Preparing,
    Completed,
}

impl TicketStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Pending => "pending",
            TicketStatus::Preparing => "preparing",
            TicketStatus::Completed => "completed",
        }
    }

    /// A stored value; anything else (the CHECK forbids it) reads as just received.
    pub fn stored(s: &str) -> TicketStatus {
        match s {
            "preparing" => TicketStatus::Preparing,
            "completed" => TicketStatus::Completed,
            _ => TicketStatus::Pending,
        }
    }

    /// What the cook and the guest read.
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Pending => "Received",
            TicketStatus::Preparing => "Preparing",
            TicketStatus::Completed => "Ready",
        }
    }
}

impl std::fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kitchen's rush banner: five or more tickets nobody has started.
pub fn is_rush(pending: usize) -> bool {
    pending >= 5
}

/// How long a finished ticket can be brought back to the board ("recall"), as kitchen
/// displays do for a ticket bumped by mistake.
pub const RECALL_MINUTES: i64 = 10;

pub fn can_recall(minutes_since_done: i64) -> bool {
    (0..RECALL_MINUTES).contains(&minutes_since_done)
}

/// Late once the ticket is older than its estimate.
pub fn is_late(age_minutes: i64, estimated_minutes: i64) -> bool {
    age_minutes > estimated_minutes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_is_three_minutes_a_line_between_5_and_45() {
        assert_eq!(estimate_minutes(0), 5);
        assert_eq!(estimate_minutes(1), 5);
        assert_eq!(estimate_minutes(2), 6);
        assert_eq!(estimate_minutes(10), 30);
        assert_eq!(estimate_minutes(15), 45);
        assert_eq!(estimate_minutes(40), 45);
    }

    #[test]
    fn ticket_statuses_round_trip_and_read_as_the_kitchen_says() {
        for s in [
            TicketStatus::Pending,
            TicketStatus::Preparing,
            TicketStatus::Completed,
        ] {
            assert_eq!(TicketStatus::stored(s.as_str()), s);
        }
        assert_eq!(TicketStatus::Completed.label(), "Ready");
        assert_eq!(TicketStatus::Pending.to_string(), "pending");
    }

    #[test]
    fn a_ticket_can_be_recalled_for_ten_minutes() {
        assert!(can_recall(0));
        assert!(can_recall(9));
        assert!(!can_recall(10));
        assert!(!can_recall(-1));
    }

    #[test]
    fn priorities_and_lateness() {
        assert_eq!(parse_priority("urgent"), Some(2));
        assert_eq!(parse_priority("1"), Some(1));
        assert_eq!(parse_priority("5"), None);
        assert_eq!(parse_priority("soon"), None);
        assert_eq!(priority_label(0), "Normal");
        assert!(is_late(6, 5));
        assert!(is_rush(5) && !is_rush(4));
        assert!(!is_late(5, 5));
    }
}
