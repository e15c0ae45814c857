//! A sale's life, stored as TEXT in `orders.status` (the table's CHECK lists the same two).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Paid and standing.
    Completed,
    /// Voided by a manager: stock and commission went back.
    Cancelled,
}

impl OrderStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The words shown for it.
    pub const fn label(self) -> &'static str {
        match self {
            OrderStatus::Completed => "Completed",
            OrderStatus::Cancelled => "Voided",
        }
    }

    /// A status filter as typed in a query string.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        match s {
            "completed" => Some(OrderStatus::Completed),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [OrderStatus::Completed, OrderStatus::Cancelled] {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("void"), None);
    }
}
