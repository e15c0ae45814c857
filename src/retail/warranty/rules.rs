//! Warranty rules, pure: the claim types and their windows, the status flow.

use crate::platform::money::Money;

/// Replacement within 7 days of the sale, repair within 30 (the seed's limits), unless the
/// settings say otherwise; a repair costs 1,500.00 unless the manager enters another amount.
pub const REPLACEMENT_DAYS: i64 = 7;
pub const REPAIR_DAYS: i64 = 30;
pub const REPAIR_COST: Money = Money(150_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimType {
    Repair,
    Replacement,
}

impl ClaimType {
    pub const ALL: [ClaimType; 2] = [ClaimType::Repair, ClaimType::Replacement];
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Repair => "repair",
            ClaimType::Replacement => "replacement",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ClaimType::Repair => "Repair",
            ClaimType::Replacement => "Replacement",
        }
    }
    pub fn parse(s: &str) -> Option<ClaimType> {
        ClaimType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The claim's windows in days from the sale (business dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub replacement_days: i64,
    pub repair_days: i64,
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            replacement_days: REPLACEMENT_DAYS,
            repair_days: REPAIR_DAYS,
        }
    }
}

/// Is an item `age_days` old (sale date to today, business dates) still covered for `t`?
/// The refusal says its age and the limit.
pub fn within_window(t: ClaimType, age_days: i64, w: Windows) -> Result<(), String> {
    let (limit, what) = match t {
        ClaimType::Replacement => (w.replacement_days, "replacements"),
        ClaimType::Repair => (w.repair_days, "repairs"),
    };
    if age_days > limit {
        return Err(format!(
            "Item is {age_days} days old; {what} are accepted up to {limit} days."
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    Pending,
    InProgress,
    Completed,
    Released,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 4] = [
        ClaimStatus::Pending,
        ClaimStatus::InProgress,
        ClaimStatus::Completed,
        ClaimStatus::Released,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Pending => "pending",
            ClaimStatus::InProgress => "in_progress",
            ClaimStatus::Completed => "completed",
            ClaimStatus::Released => "released",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Pending => "Pending",
            ClaimStatus::InProgress => "In progress",
            ClaimStatus::Completed => "Completed",
            ClaimStatus::Released => "Released",
        }
    }
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// The one step a claim may take from here: no skipping, no going back.
    pub fn next(self) -> Option<ClaimStatus> {
        match self {
            ClaimStatus::Pending => Some(ClaimStatus::InProgress),
            ClaimStatus::InProgress => Some(ClaimStatus::Completed),
            ClaimStatus::Completed => Some(ClaimStatus::Released),
            ClaimStatus::Released => None,
        }
    }
    /// Open claims hold the unit: no second claim on it meanwhile.
    pub fn is_open(self) -> bool {
        matches!(self, ClaimStatus::Pending | ClaimStatus::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_end_on_day_seven_and_thirty() {
        let w = Windows::default();
        assert!(within_window(ClaimType::Replacement, 7, w).is_ok());
        assert_eq!(
            within_window(ClaimType::Replacement, 8, w).unwrap_err(),
            "Item is 8 days old; replacements are accepted up to 7 days."
        );
        assert!(within_window(ClaimType::Repair, 30, w).is_ok());
        assert_eq!(
            within_window(ClaimType::Repair, 31, w).unwrap_err(),
            "Item is 31 days old; repairs are accepted up to 30 days."
        );
        assert!(within_window(ClaimType::Repair, 0, w).is_ok());
    }

    #[test]
    fn the_flow_goes_one_step_forward() {
        assert_eq!(ClaimStatus::Pending.next(), Some(ClaimStatus::InProgress));
        assert_eq!(ClaimStatus::InProgress.next(), Some(ClaimStatus::Completed));
        assert_eq!(ClaimStatus::Completed.next(), Some(ClaimStatus::Released));
        assert_eq!(ClaimStatus::Released.next(), None);
        assert!(ClaimStatus::Pending.is_open() && !ClaimStatus::Completed.is_open());
        assert_eq!(
            ClaimStatus::parse("in_progress"),
            Some(ClaimStatus::InProgress)
        );
        assert_eq!(ClaimStatus::parse("In-Progress"), None);
    }
}
