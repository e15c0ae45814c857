use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::platform::auth::password;
use crate::platform::auth::Role;
use crate::platform::forms::{self, FormErrors};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EmployeeForm {
    pub name: String,
    pub username: String,
    pub role: String,
    pub branch_id: String,
    pub email: String,
    pub phone: String,
    pub hire_date: String,
    pub password: String,
    /// Sales agents' commission in percent, e.g. "5" or "2.5".
    pub commission_rate: String,
    /// Credit officers' approval limit, an amount such as "50000".
    pub approval_limit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeInput {
    pub name: String,
    pub username: String,
    pub role: Role,
    pub branch_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub hire_date: NaiveDate,
    /// 500 = 5 % of each sale's total.
    pub commission_rate_bp: i64,
    /// The largest financed amount a credit officer approves alone.
    pub approval_limit_minor: i64,
}

/// Usernames are case-insensitive: stored lower-case, letters, digits and `._-`.
pub fn username(raw: &str) -> Result<String, String> {
    let u = raw.trim().to_lowercase();
    if u.is_empty() {
        return Err("Username is required.".into());
    }
    if !(3..=40).contains(&u.chars().count()) {
        return Err("Username must be 3–40 characters.".into());
    }
    if !u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(
            "Username may contain only letters, digits, dots, dashes and underscores.".into(),
        );
    }
    Ok(u)
}

/// Validates the employee form. `with_password` for a new employee (initial password).
pub fn validate(
    form: &EmployeeForm,
    today: NaiveDate,
    with_password: bool,
) -> Result<(EmployeeInput, String), FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 100, true, &mut errors);
    let username = username(&form.username).unwrap_or_else(|m| {
        errors.add("username", m);
        String::new()
    });
    let role = Role::parse(form.role.trim());
    if role.is_none() {
        errors.add("role", "Choose a role.");
    }
    let branch_id = forms::optional_id(&form.branch_id).unwrap_or_else(|_| {
        errors.add("branch_id", "Choose a branch from the list.");
        None
    });
    if let Some(r) = role {
        if r.needs_branch() && branch_id.is_none() && errors.get("branch_id").is_none() {
            errors.add(
                "branch_id",
                format!(
                    "A {} works at a branch: choose one.",
                    r.label().to_lowercase()
                ),
            );
        }
    }
    let email = forms::optional_email(&form.email, "email", &mut errors);
    let phone = forms::optional_phone(&form.phone, "phone", &mut errors);
    let hire_date = forms::date(&form.hire_date, "hire_date", "Hire date", &mut errors);
    if let Some(d) = hire_date {
        let earliest = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date");
        if d < earliest || d > today + Duration::days(366) {
            errors.add(
                "hire_date",
                "The hire date must be after 1950 and within a year from today.",
            );
        }
    }
    let commission_rate_bp = match form.commission_rate.trim() {
        "" => 0,
        raw => crate::platform::percent::parse_percent_bp(raw, 100).unwrap_or_else(|m| {
            errors.add("commission_rate", m);
            0
        }),
    };
    let approval_limit_minor = match form.approval_limit.trim() {
        "" => 0,
        raw => crate::platform::money::Money::parse_input(raw)
            .map(|m| m.0)
            .unwrap_or_else(|e| {
                errors.add("approval_limit", format!("The approval limit: {e}."));
                0
            }),
    };
    if with_password {
        if let Err(m) = password::check_strength(&form.password) {
            errors.add("password", capitalise(&m));
        }
    }
    match (role, hire_date) {
        (Some(role), Some(hire_date)) if errors.is_empty() => Ok((
            EmployeeInput {
                name,
                username,
                role,
                branch_id,
                email,
                phone,
                hire_date,
                commission_rate_bp,
                approval_limit_minor,
            },
            form.password.clone(),
        )),
        _ => Err(errors),
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            f.to_uppercase().collect::<String>()
                + c.as_str()
                + if s.ends_with('.') { "" } else { "." }
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn good() -> EmployeeForm {
        EmployeeForm {
            name: "Ana Cruz".into(),
            username: "Ana.Cruz".into(),
            role: "sales_agent".into(),
            branch_id: "1".into(),
            email: "ana@example.com".into(),
            phone: "".into(),
            hire_date: "2026-01-05".into(),
            password: "a-good-password".into(),
            commission_rate: "5".into(),
            approval_limit: "".into(),
        }
    }

    #[test]
    fn accepts_a_complete_form() {
        let (input, pw) = validate(&good(), today(), true).unwrap();
        assert_eq!(input.username, "ana.cruz");
        assert_eq!(input.role, Role::SalesAgent);
        assert_eq!(pw, "a-good-password");
    }

    #[test]
    fn refuses_bad_fields() {
        type Case = (&'static str, Box<dyn Fn(&mut EmployeeForm)>);
        let cases: Vec<Case> = vec![
            ("name", Box::new(|f| f.name = "".into())),
            ("username", Box::new(|f| f.username = "a b".into())),
            ("username", Box::new(|f| f.username = "ab".into())),
            ("role", Box::new(|f| f.role = "owner".into())),
            ("branch_id", Box::new(|f| f.branch_id = "".into())),
            ("branch_id", Box::new(|f| f.branch_id = "abc".into())),
            ("email", Box::new(|f| f.email = "not-an-email".into())),
            ("hire_date", Box::new(|f| f.hire_date = "22/11/2026".into())),
            ("hire_date", Box::new(|f| f.hire_date = "2030-01-01".into())),
            ("password", Box::new(|f| f.password = "short".into())),
            (
                "commission_rate",
                Box::new(|f| f.commission_rate = "-1".into()),
            ),
            (
                "commission_rate",
                Box::new(|f| f.commission_rate = "abc".into()),
            ),
        ];
        for (field, change) in cases {
            let mut f = good();
            change(&mut f);
            let errors = validate(&f, today(), true).unwrap_err();
            assert!(errors.get(field).is_some(), "{field} should be refused");
        }
    }

    #[test]
    fn managers_need_no_branch() {
        let mut f = good();
        f.role = "manager".into();
        f.branch_id = "".into();
        assert!(validate(&f, today(), true).is_ok());
    }
}
