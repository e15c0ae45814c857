//! The price maths of a bulk change, without I/O. One rounding, stated on the page: the new
//! price is computed exactly (`rust_decimal`) and rounded once, half away from zero, to the
//! centavo, to the whole peso, or to the nearest price ending in .99.

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::platform::forms::FormErrors;
use crate::platform::money::Money;
use crate::platform::percent::{parse_percent_bp, percent_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Basis points, signed: −1000 is 10 % off, 500 is 5 % up.
    Percent(i64),
    /// Every product to this price (and off discount).
    Fixed(Money),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Centavo,
    Whole,
    NinetyNine,
}

impl Rounding {
    pub fn parse(raw: &str) -> Option<Rounding> {
        match raw.trim() {
            "" | "centavo" => Some(Rounding::Centavo),
            "whole" => Some(Rounding::Whole),
            "99" => Some(Rounding::NinetyNine),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Centavo => "centavo",
            Rounding::Whole => "whole",
            Rounding::NinetyNine => "99",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Rounding::Centavo => "rounded half up to the centavo",
            Rounding::Whole => "rounded half up to the whole peso",
            Rounding::NinetyNine => {
                "rounded half up to the whole peso, then one centavo less (…99)"
            }
        }
    }
}

impl Change {
    pub fn describe(self, rounding: Rounding) -> String {
        match self {
            Change::Percent(bp) if bp < 0 => {
                format!("{} % off, {}", percent_text(-bp), rounding.explain())
            }
            Change::Percent(bp) => format!("{} % up, {}", percent_text(bp), rounding.explain()),
            Change::Fixed(m) => format!("every price set to {} (discounts end)", m.plain()),
        }
    }
}

/// The form as typed (beside the list's filters).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    /// `percent` or `fixed`.
    pub mode: String,
    pub value: String,
    pub rounding: String,
}

pub const MAX_UP_PERCENT: i64 = 500;
pub const MAX_DOWN_PERCENT: i64 = 90;

pub fn validate(form: &ChangeForm) -> Result<(Change, Rounding), FormErrors> {
    let mut errors = FormErrors::default();
    let raw = form.value.trim();
    let change = match form.mode.trim() {
        "percent" => {
            let (sign, digits) = match raw.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, raw.strip_prefix('+').unwrap_or(raw)),
            };
            let max = if sign < 0 {
                MAX_DOWN_PERCENT
            } else {
                MAX_UP_PERCENT
            };
            match parse_percent_bp(digits.trim_end_matches('%').trim(), max) {
                Ok(0) => {
                    errors.add("value", "A change of 0 % changes nothing.");
                    None
                }
                Ok(bp) => Some(Change::Percent(sign * bp)),
                Err(_) => {
                    errors.add(
                        "value",
                        format!(
                            "Enter a percentage from -{MAX_DOWN_PERCENT} to {MAX_UP_PERCENT}, such as 5 or -10."
                        ),
                    );
                    None
                }
            }
        }
        "fixed" => match Money::parse_input(raw) {
            Ok(m) if m.0 > 0 => Some(Change::Fixed(m)),
            Ok(_) => {
                errors.add("value", "A price must be above zero.");
                None
            }
            Err(e) => {
                errors.add("value", format!("New price: {e}."));
                None
            }
        },
        _ => {
            errors.add("mode", "Choose a percentage or a fixed price.");
            None
        }
    };
    let rounding = Rounding::parse(&form.rounding);
    if rounding.is_none() {
        errors.add("rounding", "Choose a rounding from the list.");
    }
    match (change, rounding) {
        (Some(c), Some(r)) if errors.is_empty() => Ok((c, r)),
        _ => Err(errors),
    }
}

fn round(amount: Decimal, rounding: Rounding) -> Option<Money> {
    let cents = Money::from_decimal_rounded(amount)?;
    let out = match rounding {
        Rounding::Centavo => cents,
        Rounding::Whole | Rounding::NinetyNine => {
            let whole =
                Money::from_decimal_rounded(amount.round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ))?;
            if rounding == Rounding::NinetyNine && whole.0 >= 100 {
                Money(whole.0 - 1)
            } else {
                whole
            }
        }
    };
    Some(out)
}

/// A product's (price, regular price) after the change; `None` when it would leave no price
/// (a cut to zero) or overflow.
pub fn changed(
    price: Money,
    regular: Option<Money>,
    change: Change,
    rounding: Rounding,
) -> Option<(Money, Option<Money>)> {
    match change {
        Change::Fixed(m) => Some((m, None)),
        Change::Percent(bp) => {
            let factor = Decimal::ONE + Decimal::new(bp, 4);
            let scale = |m: Money| round(m.to_decimal() * factor, rounding);
            let new_price = scale(price).filter(|m| m.0 > 0)?;
            match regular.map(scale) {
                None => Some((new_price, None)),
                Some(None) => None,
                // Rounding may close the gap: then the discount ends at the new base price.
                Some(Some(r)) if r.0 <= new_price.0 => Some((r, None)),
                Some(Some(r)) => Some((new_price, Some(r))),
            }
        }
    }
}

/// A fingerprint of the prices a preview showed: the apply refuses if any has moved since.
pub fn fingerprint(rows: &[(i64, i64, Option<i64>)]) -> String {
    let mut h = Sha256::new();
    for (id, price, regular) in rows {
        h.update(format!("{id}:{price}:{};", regular.unwrap_or(-1)));
    }
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(mode: &str, value: &str, rounding: &str) -> ChangeForm {
        ChangeForm {
            mode: mode.into(),
            value: value.into(),
            rounding: rounding.into(),
        }
    }

    #[test]
    fn percentages_and_prices_are_checked() {
        assert_eq!(
            validate(&form("percent", "5", "")).unwrap(),
            (Change::Percent(500), Rounding::Centavo)
        );
        assert_eq!(
            validate(&form("percent", "-12.5%", "whole")).unwrap().0,
            Change::Percent(-1250)
        );
        for bad in ["0", "-95", "501", "abc", "", "5.555"] {
            assert!(validate(&form("percent", bad, "")).is_err(), "{bad}");
        }
        assert_eq!(
            validate(&form("fixed", "1,299.00", "99")).unwrap().0,
            Change::Fixed(Money(129_900))
        );
        assert!(validate(&form("fixed", "0", "")).is_err());
        assert!(validate(&form("fixed", "-1", "")).is_err());
        assert!(validate(&form("double", "1", "")).is_err());
        assert!(validate(&form("percent", "5", "pennies")).is_err());
    }

    #[test]
    fn one_rounding_each_way() {
        let up5 = Change::Percent(500);
        assert_eq!(
            changed(Money(19_999), None, up5, Rounding::Centavo),
            Some((Money(20_999), None))
        );
        // 10.05 × 1.05 = 10.5525 → 10.55
        assert_eq!(
            changed(Money(1_005), None, up5, Rounding::Centavo),
            Some((Money(1_055), None))
        );
        // 10.10 × 1.05 = 10.605 → half up → 10.61
        assert_eq!(
            changed(Money(1_010), None, up5, Rounding::Centavo),
            Some((Money(1_061), None))
        );
        assert_eq!(
            changed(Money(1_010), None, up5, Rounding::Whole),
            Some((Money(1_100), None))
        );
        assert_eq!(
            changed(
                Money(21_230),
                None,
                Change::Percent(1),
                Rounding::NinetyNine
            ),
            Some((Money(21_199), None))
        );
        // A discount keeps its place below the base price.
        assert_eq!(
            changed(
                Money(14_900),
                Some(Money(19_900)),
                Change::Percent(-1000),
                Rounding::Centavo
            ),
            Some((Money(13_410), Some(Money(17_910))))
        );
        // A fixed price ends the discount.
        assert_eq!(
            changed(
                Money(14_900),
                Some(Money(19_900)),
                Change::Fixed(Money(500)),
                Rounding::Centavo
            ),
            Some((Money(500), None))
        );
        // 90 % off 0.04 leaves nothing to sell at.
        assert_eq!(
            changed(Money(4), None, Change::Percent(-9000), Rounding::Centavo),
            None
        );
    }

    #[test]
    fn fingerprints_change_with_any_price() {
        let a = fingerprint(&[(1, 100, None), (2, 200, Some(300))]);
        assert_eq!(a, fingerprint(&[(1, 100, None), (2, 200, Some(300))]));
        assert_ne!(a, fingerprint(&[(1, 100, None), (2, 201, Some(300))]));
        assert_ne!(a, fingerprint(&[(1, 100, None), (2, 200, None)]));
    }
}
