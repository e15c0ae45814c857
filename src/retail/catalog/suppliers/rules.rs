//! Supplier rules: the contract's status and period, and the form's validation.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};

/// The contract states a supplier can be put in (the seed's four).
pub const STATUSES: [&str; 4] = ["Active", "Renewed", "Opted Out", "Expired"];

pub fn contract_status(status: &str, expiry: NaiveDate, today: NaiveDate) -> &str {
    if today > expiry {
        "Expired"
    } else {
        status
    }
}

/// "2024 – 2026", or "2025" when the contract starts and ends in one year.
pub fn contract_period(start: NaiveDate, expiry: NaiveDate) -> String {
    if start.year() == expiry.year() {
        start.year().to_string()
    } else {
        format!("{} – {}", start.year(), expiry.year())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SupplierForm {
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: String,
    pub contract_expiry: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SupplierInput {
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: NaiveDate,
    pub contract_expiry: NaiveDate,
    pub status: String,
}

pub fn validate(form: &SupplierForm) -> Result<SupplierInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 100, true, &mut errors);
    let contact_person = forms::text(
        &form.contact_person,
        "contact_person",
        "Contact person",
        100,
        false,
        &mut errors,
    );
    let phone = forms::optional_phone(&form.phone, "phone", &mut errors).unwrap_or_default();
    let email = forms::optional_email(&form.email, "email", &mut errors).unwrap_or_default();
    let start = forms::date(
        &form.contract_start,
        "contract_start",
        "Contract start",
        &mut errors,
    );
    let expiry = forms::date(
        &form.contract_expiry,
        "contract_expiry",
        "Contract expiry",
        &mut errors,
    );
    if let (Some(s), Some(e)) = (start, expiry) {
        if e < s {
            errors.add(
                "contract_expiry",
                "The contract cannot expire before it starts.",
            );
        }
    }
    let status = form.status.trim().to_string();
    if !STATUSES.contains(&status.as_str()) {
        errors.add("status", "Choose a status from the list.");
    }
    match (start, expiry) {
        (Some(contract_start), Some(contract_expiry)) if errors.is_empty() => Ok(SupplierInput {
            name,
            contact_person,
            phone,
            email,
            contract_start,
            contract_expiry,
            status,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_expired_contract_says_so() {
        assert_eq!(
            contract_status("Active", d("2026-01-31"), d("2026-02-01")),
            "Expired"
        );
        assert_eq!(
            contract_status("Renewed", d("2026-01-31"), d("2026-01-31")),
            "Renewed"
        );
    }

    #[test]
    fn periods() {
        assert_eq!(
            contract_period(d("2024-03-01"), d("2026-02-28")),
            "2024 – 2026"
        );
        assert_eq!(contract_period(d("2025-01-01"), d("2025-12-31")), "2025");
    }

    #[test]
    fn validation() {
        let ok = SupplierForm {
            name: "Gadget Hub".into(),
            contract_start: "2026-01-01".into(),
            contract_expiry: "2027-01-01".into(),
            status: "Active".into(),
            ..Default::default()
        };
        assert!(validate(&ok).is_ok());
        assert!(validate(&SupplierForm {
            contract_expiry: "2025-01-01".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&SupplierForm {
            status: "Gone".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&SupplierForm {
            name: "".into(),
            ..ok
        })
        .is_err());
    }
}
