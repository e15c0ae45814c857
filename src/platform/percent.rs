//! Rates typed as percentages ("12.5") and stored as basis points (1250).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::str::FromStr;

/// "12" or "12.5" percent → basis points; 0 to `max_percent`, at most two decimals.
pub fn parse_percent_bp(raw: &str, max_percent: i64) -> Result<i64, String> {
    let typed = raw.trim();
    if typed.starts_with('-') && typed.len() > 1 {
        return Err(format!(
            "The percentage must be between 0 and {max_percent}."
        ));
    }
    let d = crate::platform::money::plain_decimal(typed, false)
        .filter(|s| s.len() <= 12)
        .and_then(|s| Decimal::from_str(&s).ok())
        .ok_or_else(|| "Enter a percentage such as 12 or 12.5.".to_string())?;
    if d.is_sign_negative() || d > Decimal::new(max_percent, 0) {
        return Err(format!(
            "The percentage must be between 0 and {max_percent}."
        ));
    }
    if d.normalize().scale() > 2 {
        return Err("Use at most two decimals.".into());
    }
    (d * Decimal::ONE_HUNDRED)
        .to_i64()
        .ok_or_else(|| "Enter a percentage such as 12.".into())
}

pub fn percent_text(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}", bp / 100)
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(parse_percent_bp("12", 50), Ok(1200));
        assert_eq!(parse_percent_bp("12.5", 50), Ok(1250));
        assert_eq!(parse_percent_bp("0", 50), Ok(0));
        assert!(parse_percent_bp("-1", 50).is_err());
        assert!(parse_percent_bp("51", 50).is_err());
        assert!(parse_percent_bp("1.234", 50).is_err());
        assert!(parse_percent_bp("twelve", 50).is_err());
        for bad in ["1e1", "-0", "1,2", "+5", ".5", "5.", "1 2", "0x10"] {
            assert!(parse_percent_bp(bad, 50).is_err(), "{bad}");
        }
        assert_eq!(percent_text(1250), "12.5");
        assert_eq!(percent_text(1200), "12");
        assert_eq!(percent_text(525), "5.25");
    }
}
