//! Table form validation, statuses and tokens.

use rand::RngCore;
use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStatus {
    Available,
    Occupied,
    Reserved,
    Maintenance,
}

impl TableStatus {
    pub const ALL: [TableStatus; 4] = [
        TableStatus::Available,
        TableStatus::Occupied,
        TableStatus::Reserved,
        TableStatus::Maintenance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Available => "available",
            TableStatus::Occupied => "occupied",
            TableStatus::Reserved => "reserved",
            TableStatus::Maintenance => "maintenance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TableStatus::Available => "Available",
            TableStatus::Occupied => "Occupied",
            TableStatus::Reserved => "Reserved",
            TableStatus::Maintenance => "Maintenance",
        }
    }

    pub fn parse(s: &str) -> Option<TableStatus> {
        TableStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// 128 random bits, URL-safe: a guessed table number or token cannot order.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are what we issue: hex, 32 characters. Anything else is not worth a query.
pub fn plausible_token(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TableForm {
    pub number: String,
    pub capacity: String,
    pub location: String,
    pub status: String,
    pub branch_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableInput {
    pub number: i64,
    pub capacity: i64,
    pub location: String,
    pub status: TableStatus,
}

pub fn validate(form: &TableForm) -> Result<TableInput, FormErrors> {
    let mut errors = FormErrors::default();
    let number = forms::whole_number(
        &form.number,
        "number",
        "Table number",
        (1, 9999),
        None,
        &mut errors,
    );
    let capacity = forms::whole_number(
        &form.capacity,
        "capacity",
        "Capacity",
        (1, 100),
        Some(4),
        &mut errors,
    );
    let location = forms::text(
        &form.location,
        "location",
        "Location",
        100,
        false,
        &mut errors,
    );
    let status = match form.status.trim() {
        "" => TableStatus::Available,
        s => TableStatus::parse(s).unwrap_or_else(|| {
            errors.add("status", "Choose a status from the list.");
            TableStatus::Available
        }),
    };
    errors.into_result(TableInput {
        number,
        capacity,
        location,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_recognisable() {
        let a = new_token();
        assert!(plausible_token(&a));
        assert_ne!(a, new_token());
        assert!(!plausible_token("1"));
        assert!(!plausible_token(&"G".repeat(32)));
        assert!(!plausible_token(&"A".repeat(32)));
    }

    #[test]
    fn validates_the_form() {
        let ok = validate(&TableForm {
            number: "7".into(),
            capacity: "".into(),
            location: "Terrace".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (ok.number, ok.capacity, ok.status),
            (7, 4, TableStatus::Available)
        );
        let e = validate(&TableForm {
            number: "0".into(),
            capacity: "500".into(),
            status: "flying".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(
            e.get("number").is_some() && e.get("capacity").is_some() && e.get("status").is_some()
        );
    }
}
