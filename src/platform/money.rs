//! Money as integer minor units. Rates are applied with `rust_decimal` and rounded once,
//! half away from zero ("half-up") to the minor unit, at the point each rule documents.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// An amount in minor units (centavos for PHP). Every currency we serve has two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Money(pub i64);

/// The largest amount accepted from a form: 10 billion, far above any till total, far below i64.
pub const MAX_INPUT_MINOR: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("enter an amount such as 1250.00")]
    Malformed,
    #[error("the amount cannot be negative")]
    Negative,
    #[error("use at most two decimals")]
    TooPrecise,
    #[error("the amount is too large")]
    TooLarge,
}

/// A decimal as people type it: digits, optionally one `.` followed by digits, nothing else
/// (no sign, exponent, spaces or `.5`). With `grouping`, commas are allowed only as thousands
/// separators (`1,250.50`, never `1,2,3`); they are removed from the result.
pub fn plain_decimal(raw: &str, grouping: bool) -> Option<String> {
    let (int, frac) = match raw.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (raw, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let groups: Vec<&str> = if grouping {
        int.split(',').collect()
    } else {
        vec![int]
    };
    let first_ok = !groups[0].is_empty()
        && groups[0].bytes().all(|b| b.is_ascii_digit())
        && (groups.len() == 1 || groups[0].len() <= 3);
    let rest_ok = groups[1..]
        .iter()
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok {
        return None;
    }
    let mut out: String = groups.concat();
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// More than nothing (a discount worth showing, an amount still due).
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        self.0.checked_mul(qty).map(Money)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds a decimal amount (in major units) half-up to the minor unit.
    pub fn from_decimal_rounded(d: Decimal) -> Option<Money> {
        (d * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .map(Money)
    }

    /// The share of `self` at `rate_bp` basis points (1200 = 12 %), rounded once, half-up.
    pub fn percent_bp(self, rate_bp: i64) -> Option<Money> {
        Money::from_decimal_rounded(self.to_decimal() * Decimal::new(rate_bp, 4))
    }

    /// Parses what a person types: `1250`, `1,250.5`, `1250.50`. Never negative, at most two decimals.
    pub fn parse_input(s: &str) -> Result<Money, MoneyError> {
        let typed = s.trim();
        if typed.starts_with('-') && typed.len() > 1 {
            return Err(MoneyError::Negative);
        }
        let cleaned = plain_decimal(typed, true).ok_or(MoneyError::Malformed)?;
        if cleaned.len() > 20 {
            return Err(MoneyError::Malformed);
        }
        let d = Decimal::from_str(&cleaned).map_err(|_| MoneyError::Malformed)?;
        if d.scale() > 2 && d.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let minor = (d * Decimal::ONE_HUNDRED)
            .to_i64()
            .ok_or(MoneyError::TooLarge)?;
        if minor > MAX_INPUT_MINOR {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money(minor))
    }

    /// `1234.50` — the plain decimal string used in JSON and CSV.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `1,234.50` — for people.
    pub fn grouped(self) -> String {
        let plain = self.plain();
        let (sign, rest) = plain
            .strip_prefix('-')
            .map(|r| ("-", r))
            .unwrap_or(("", plain.as_str()));
        let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut out = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{sign}{out}.{frac}")
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(Money::parse_input("1250"), Ok(Money(125_000)));
        assert_eq!(Money::parse_input(" 1,250.5 "), Ok(Money(125_050)));
        assert_eq!(Money::parse_input("0.10"), Ok(Money(10)));
        assert_eq!(Money::parse_input("2.500"), Ok(Money(250)));
        assert_eq!(Money::parse_input("-1"), Err(MoneyError::Negative));
        assert_eq!(Money::parse_input("1.005"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse_input("abc"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("1e5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("1e1"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("-0"), Err(MoneyError::Negative));
        assert_eq!(Money::parse_input("1,2,3"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("12,50"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("1,250,000"), Ok(Money(125_000_000)));
        assert_eq!(Money::parse_input(".5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("5."), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("+5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input("1 000"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse_input(""), Err(MoneyError::Malformed));
        assert_eq!(
            Money::parse_input("99999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn formats() {
        assert_eq!(Money(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money(5).plain(), "0.05");
        assert_eq!(Money(-150).plain(), "-1.50");
        assert_eq!(Money(100).grouped(), "1.00");
    }

    #[test]
    fn rounds_half_up_once() {
        // 12 % VAT inside 1,000.00 → 107.142857… → 107.14
        let total = Money(100_000);
        let vat = Money::from_decimal_rounded(
            total.to_decimal() * Decimal::new(12, 0) / Decimal::new(112, 0),
        );
        assert_eq!(vat, Some(Money(10_714)));
        assert_eq!(Money(50).percent_bp(1000), Some(Money(5)));
        assert_eq!(Money(5).percent_bp(1000), Some(Money(1))); // 0.005 → 0.01
    }
}
