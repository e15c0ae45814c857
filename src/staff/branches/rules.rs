use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};

/// The branch form as typed; every field a string so that nothing is refused before we can
/// explain why.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BranchForm {
    pub name: String,
    pub code: String,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchInput {
    pub name: String,
    pub code: String,
    pub address: String,
    pub phone: String,
}

pub fn validate(form: &BranchForm) -> Result<BranchInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 100, true, &mut errors);
    let code = form.code.trim().to_ascii_uppercase();
    if code.is_empty() {
        errors.add(
            "code",
            "Code is required (2–6 letters or digits, e.g. MNL); it prefixes receipt numbers.",
        );
    } else if !(2..=6).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.add("code", "Code must be 2–6 letters or digits, e.g. MNL.");
    }
    let address = forms::text(&form.address, "address", "Address", 200, false, &mut errors);
    let phone = forms::optional_phone(&form.phone, "phone", &mut errors).unwrap_or_default();
    errors.into_result(BranchInput {
        name,
        code,
        address,
        phone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, code: &str) -> BranchForm {
        BranchForm {
            name: name.into(),
            code: code.into(),
            ..Default::default()
        }
    }

    #[test]
    fn codes_are_short_and_upper_case() {
        assert_eq!(validate(&form("Main", "mnl")).unwrap().code, "MNL");
        assert!(validate(&form("Main", "M")).is_err());
        assert!(validate(&form("Main", "MANILA1")).is_err());
        assert!(validate(&form("Main", "MN-L")).is_err());
        assert!(validate(&form("", "MNL")).is_err());
    }
}
