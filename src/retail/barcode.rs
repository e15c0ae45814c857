//! Barcodes as scanners send them. Numeric EAN-13, UPC-A and EAN-8 codes carry a check digit
//! that we verify, so a mistyped code is caught when the product is created, not at the till.

pub fn validate(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.is_empty() {
        return Err("Barcode is required.".into());
    }
    if code.len() > 64 {
        return Err("A barcode can be at most 64 characters.".into());
    }
    if looks_shortened(code) {
        return Err(format!(
            "{code} is a number a spreadsheet shortened, not a barcode: format the column as text and type the full code."
        ));
    }
    if !code.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            "A barcode may contain only letters, digits and symbols, without spaces.".into(),
        );
    }
    if code.chars().all(|c| c.is_ascii_digit())
        && matches!(code.len(), 8 | 12 | 13)
        && !check_digit_ok(code)
    {
        let kind = match code.len() {
            8 => "EAN-8",
            12 => "UPC-A",
            _ => "EAN-13",
        };
        return Err(format!(
            "{code} is not a valid {kind} barcode: its check digit is wrong."
        ));
    }
    Ok(code.to_string())
}

/// `4.80651E+12`: what Excel makes of a long number in a column it formats as "General".
fn looks_shortened(code: &str) -> bool {
    let Some((mantissa, exponent)) = code.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.trim_start_matches(['+', '-']);
    let mut digits = mantissa.splitn(2, '.');
    let whole = digits.next().unwrap_or("");
    let fraction = digits.next().unwrap_or("0");
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// GS1 check digit: weights 3 and 1 alternate from the right, next to the check digit.
pub fn check_digit_ok(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    let Some((&check, body)) = digits.split_last() else {
        return false;
    };
    check == gs1_check_digit(body)
}

pub fn gs1_check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

/// A valid EAN-13 from 12 digits, for demo and generated catalogues.
pub fn ean13(body12: u64) -> String {
    let body = format!("{:012}", body12 % 1_000_000_000_000);
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("{body}{}", gs1_check_digit(&digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_numbers_a_spreadsheet_shortened() {
        for shortened in ["4.80651E+12", "4.8e12", "4E+12", "1.2E-3"] {
            assert!(
                validate(shortened).unwrap_err().contains("shortened"),
                "{shortened}"
            );
        }
        for fine in ["E-1234", "ABC-E12", "4006381333931", "SKU.E1"] {
            assert!(validate(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn checks_gs1_codes() {
        assert!(validate("4006381333931").is_ok()); // EAN-13
        assert!(validate("036000291452").is_ok()); // UPC-A
        assert!(validate("96385074").is_ok()); // EAN-8
        assert!(validate("4006381333932").unwrap_err().contains("EAN-13"));
        assert!(validate("036000291453").unwrap_err().contains("UPC-A"));
    }

    #[test]
    fn other_symbologies_are_text() {
        assert_eq!(validate(" ABC-123 ").unwrap(), "ABC-123");
        assert!(validate("12345").is_ok());
        assert!(validate("has space").is_err());
        assert!(validate("").is_err());
        assert!(validate(&"9".repeat(65)).is_err());
    }

    #[test]
    fn generates_valid_ean13() {
        for n in [0, 1, 480_000_000_001, 999_999_999_999] {
            let code = ean13(n);
            assert_eq!(code.len(), 13);
            assert!(check_digit_ok(&code), "{code}");
        }
    }
}
