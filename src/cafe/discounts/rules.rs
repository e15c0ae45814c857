//! The promo code rules without I/O: the form, whether a code applies, and what it takes off.
//! A percentage is of the subtotal, rounded half up to the minor unit; a fixed amount is
//! capped at the subtotal. Validity dates are inclusive, in the business time zone.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;
use crate::platform::percent::parse_percent_bp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Basis points of the subtotal (1000 = 10 %).
    Percent(i64),
    Fixed(Money),
}

/// A code as stored, for the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub id: i64,
    pub code: String,
    pub kind: Kind,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub min_order: Money,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub active: bool,
}

/// What the code takes off `subtotal`.
pub fn amount(kind: Kind, subtotal: Money) -> Money {
    match kind {
        Kind::Percent(bp) => subtotal.percent_bp(bp).unwrap_or(Money::ZERO).min(subtotal),
        Kind::Fixed(m) => Money(m.0.min(subtotal.0)),
    }
}

/// The discount of a code on a bill of `subtotal` today, or why it does not apply.
pub fn check(
    t: &Terms,
    today: NaiveDate,
    subtotal: Money,
    currency: &str,
) -> Result<Money, String> {
    if !t.active {
        return Err("This code is not valid.".into());
    }
    if t.valid_from.is_some_and(|d| today < d) {
        return Err(format!(
            "This code is valid from {}.",
            t.valid_from
                .map(|d| d.format("%d %b %Y").to_string())
                .unwrap_or_default()
        ));
    }
    if t.valid_to.is_some_and(|d| today > d) {
        return Err("This code has expired.".into());
    }
    if t.max_uses.is_some_and(|m| t.uses >= m) {
        return Err("This code has been used up.".into());
    }
    if subtotal < t.min_order {
        return Err(format!(
            "Minimum order amount is {currency}{}.",
            t.min_order.grouped()
        ));
    }
    Ok(amount(t.kind, subtotal))
}

/// A code as typed by a guest or a waiter: trimmed, compared without case.
pub fn normalise(raw: &str) -> Option<String> {
    let code = raw.trim();
    (!code.is_empty()
        && code.len() <= 30
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| code.to_lowercase())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub description: String,
    /// `percent` or `fixed`.
    pub kind: String,
    pub value: String,
    pub valid_from: String,
    pub valid_to: String,
    pub min_order: String,
    pub max_uses: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeInput {
    pub code: String,
    pub description: String,
    pub kind: Kind,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub min_order: Money,
    pub max_uses: Option<i64>,
}

pub fn validate(f: &CodeForm) -> Result<CodeInput, FormErrors> {
    let mut errors = FormErrors::default();
    let code = f.code.trim().to_string();
    if normalise(&code).is_none() {
        errors.add(
            "code",
            "A code is 1 to 30 letters, digits, dashes or underscores, such as WELCOME10.",
        );
    }
    let description = forms::text(
        &f.description,
        "description",
        "Description",
        200,
        false,
        &mut errors,
    );
    let kind = match f.kind.trim() {
        "percent" => match parse_percent_bp(f.value.trim().trim_end_matches('%'), 100) {
            Ok(bp) if bp > 0 => Some(Kind::Percent(bp)),
            _ => {
                errors.add("value", "Enter a percentage above 0 and at most 100.");
                None
            }
        },
        "fixed" => match Money::parse_input(&f.value) {
            Ok(m) if m.0 > 0 => Some(Kind::Fixed(m)),
            Ok(_) => {
                errors.add("value", "The amount must be above zero.");
                None
            }
            Err(e) => {
                errors.add("value", format!("The amount: {e}."));
                None
            }
        },
        _ => {
            errors.add("kind", "Choose a percentage or a fixed amount.");
            None
        }
    };
    let date = |raw: &str, field: &'static str, errors: &mut FormErrors| match raw.trim() {
        "" => None,
        _ => forms::date(raw, field, "The date", errors),
    };
    let valid_from = date(&f.valid_from, "valid_from", &mut errors);
    let valid_to = date(&f.valid_to, "valid_to", &mut errors);
    if let (Some(a), Some(b)) = (valid_from, valid_to) {
        if b < a {
            errors.add("valid_to", "The last day comes before the first.");
        }
    }
    let min_order = match f.min_order.trim() {
        "" => Money::ZERO,
        raw => Money::parse_input(raw).unwrap_or_else(|e| {
            errors.add("min_order", format!("The minimum order: {e}."));
            Money::ZERO
        }),
    };
    let max_uses = match f.max_uses.trim() {
        "" => None,
        raw => Some(forms::whole_number(
            raw,
            "max_uses",
            "Maximum uses",
            (1, 1_000_000),
            None,
            &mut errors,
        )),
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(CodeInput {
            code,
            description,
            kind,
            valid_from,
            valid_to,
            min_order,
            max_uses,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn terms() -> Terms {
        Terms {
            id: 1,
            code: "WELCOME10".into(),
            kind: Kind::Percent(1000),
            valid_from: Some(day(1)),
            valid_to: Some(day(31)),
            min_order: Money(30_000),
            max_uses: Some(2),
            uses: 1,
            active: true,
        }
    }

    #[test]
    fn boundaries_are_inclusive() {
        let t = terms();
        assert_eq!(check(&t, day(1), Money(30_000), "₹"), Ok(Money(3_000)));
        assert_eq!(check(&t, day(31), Money(30_000), "₹"), Ok(Money(3_000)));
        assert!(check(&t, day(1).pred_opt().unwrap(), Money(30_000), "₹")
            .unwrap_err()
            .contains("valid from"));
        assert_eq!(
            check(
                &t,
                NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                Money(30_000),
                "₹"
            ),
            Err("This code has expired.".into())
        );
        assert_eq!(
            check(&t, day(5), Money(29_999), "₹"),
            Err("Minimum order amount is ₹300.00.".into())
        );
        let used = Terms {
            uses: 2,
            ..t.clone()
        };
        assert_eq!(
            check(&used, day(5), Money(50_000), "₹"),
            Err("This code has been used up.".into())
        );
        let off = Terms { active: false, ..t };
        assert!(check(&off, day(5), Money(50_000), "₹").is_err());
    }

    #[test]
    fn percentages_round_half_up_and_fixed_amounts_are_capped() {
        // 10 % of 100.05 = 10.005 → 10.01
        assert_eq!(amount(Kind::Percent(1000), Money(10_005)), Money(1_001));
        assert_eq!(
            amount(Kind::Fixed(Money(50_000)), Money(12_000)),
            Money(12_000)
        );
        assert_eq!(amount(Kind::Percent(10_000), Money(12_000)), Money(12_000));
    }

    #[test]
    fn codes_and_forms() {
        assert_eq!(normalise(" Welcome10 "), Some("welcome10".into()));
        assert_eq!(normalise("a b"), None);
        assert_eq!(normalise(""), None);
        let good = CodeForm {
            code: "SUMMER".into(),
            kind: "percent".into(),
            value: "15".into(),
            ..Default::default()
        };
        assert_eq!(validate(&good).unwrap().kind, Kind::Percent(1500));
        for bad in [
            CodeForm {
                value: "101".into(),
                ..good.clone()
            },
            CodeForm {
                value: "0".into(),
                ..good.clone()
            },
            CodeForm {
                kind: "fixed".into(),
                value: "-5".into(),
                ..good.clone()
            },
            CodeForm {
                code: "no spaces".into(),
                ..good.clone()
            },
            CodeForm {
                valid_from: "2026-12-10".into(),
                valid_to: "2026-12-01".into(),
                ..good.clone()
            },
            CodeForm {
                max_uses: "0".into(),
                ..good.clone()
            },
            CodeForm {
                kind: "free".into(),
                ..good.clone()
            },
        ] {
            assert!(validate(&bad).is_err(), "{bad:?}");
        }
    }
}
