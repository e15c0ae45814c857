//! The lines of a transfer or a purchase order as typed on the form: a barcode, a quantity,
//! and serial numbers (a transfer) or a unit cost (a purchase order), pure and unit-tested.

use crate::platform::forms::{FormErrors, Pairs};
use crate::platform::money::Money;

/// Rows the forms offer.
pub const FORM_ROWS: usize = 8;

/// One typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedLine {
    pub barcode: String,
    pub quantity: i64,
    pub serials: Vec<String>,
    pub cost: Option<Money>,
}

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStatus {
    Draft,
    Sent,
    Received,
    Cancelled,
}

impl TransferStatus {
    pub fn parse(s: &str) -> Option<TransferStatus> {
        Some(match s {
            "draft" => TransferStatus::Draft,
            "sent" => TransferStatus::Sent,
            "received" => TransferStatus::Received,
            "cancelled" => TransferStatus::Cancelled,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Draft => "draft",
            TransferStatus::Sent => "sent",
            TransferStatus::Received => "received",
            TransferStatus::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TransferStatus::Draft => "Draft",
            TransferStatus::Sent => "In transit",
            TransferStatus::Received => "Received",
            TransferStatus::Cancelled => "Cancelled",
        }
    }
}

/// Serial numbers typed one per line or separated by spaces or commas.
pub fn serials_of(raw: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw.split(|c: char| c.is_whitespace() || c == ',') {
        let s = crate::platform::forms::visible(s).unwrap_or_default();
        if s.is_empty() {
            continue;
        }
        if s.chars().count() > 64 || s.chars().any(char::is_control) {
            return Err("A serial number is at most 64 visible characters.".into());
        }
        if out.contains(&s) {
            return Err(format!("Serial {s} is listed twice."));
        }
        out.push(s);
        if out.len() > 1_000 {
            return Err("At most 1,000 serials per line.".into());
        }
    }
    Ok(out)
}

/// The rows `barcode_N`, `qty_N` and `serials_N` (or `cost_N` when `with_cost`); empty rows
/// are skipped, at least one line is needed, a barcode appears once.
pub fn lines_of(p: &Pairs, with_cost: bool) -> Result<Vec<TypedLine>, FormErrors> {
    let mut errors = FormErrors::default();
    let mut out: Vec<TypedLine> = Vec::new();
    for n in 0..FORM_ROWS {
        let barcode =
            crate::platform::forms::visible(p.get(&format!("barcode_{n}"))).unwrap_or_default();
        let qty_raw = p.get(&format!("qty_{n}")).trim().to_string();
        if barcode.is_empty() && qty_raw.is_empty() {
            continue;
        }
        let row = n + 1;
        if barcode.is_empty() || barcode.chars().count() > 64 {
            errors.add(
                "lines",
                format!("Row {row}: scan or type the product's barcode."),
            );
            continue;
        }
        let quantity = match qty_raw.parse::<i64>() {
            Ok(q) if (1..=100_000).contains(&q) => q,
            _ => {
                errors.add(
                    "lines",
                    format!("Row {row}: the quantity is a whole number from 1 to 100000."),
                );
                continue;
            }
        };
        if out.iter().any(|l| l.barcode == barcode) {
            errors.add(
                "lines",
                format!("Row {row}: {barcode} is on another row already."),
            );
            continue;
        }
        let serials = if with_cost {
            Vec::new()
        } else {
            match serials_of(p.get(&format!("serials_{n}"))) {
                Ok(s) => s,
                Err(e) => {
                    errors.add("lines", format!("Row {row}: {e}"));
                    continue;
                }
            }
        };
        let cost = if with_cost {
            match Money::parse_input(p.get(&format!("cost_{n}"))) {
                Ok(c) => Some(c),
                _ => {
                    errors.add(
                        "lines",
                        format!("Row {row}: the unit cost is an amount like 450.00."),
                    );
                    continue;
                }
            }
        } else {
            None
        };
        out.push(TypedLine {
            barcode,
            quantity,
            serials,
            cost,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.add("lines", "Add at least one product.");
    }
    errors.into_result(out)
}

/// `lines_of`, its errors added to a form's other errors (an empty list when there were any).
pub fn lines_into(p: &Pairs, with_cost: bool, errors: &mut FormErrors) -> Vec<TypedLine> {
    lines_of(p, with_cost).unwrap_or_else(|e| {
        for (f, m) in e.iter() {
            errors.add(f, m.to_string());
        }
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn rows_are_read_and_checked() {
        let p = pairs(&[
            ("barcode_0", "4806512345671"),
            ("qty_0", "3"),
            ("barcode_1", "4806512345695"),
            ("qty_1", "2"),
            ("serials_1", "IMEI-1\nIMEI-2"),
        ]);
        let lines = lines_of(&p, false).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].serials, vec!["IMEI-1", "IMEI-2"]);
        assert!(lines_of(&pairs(&[]), false).is_err());
        assert!(lines_of(&pairs(&[("barcode_0", "1"), ("qty_0", "0")]), false).is_err());
        assert!(lines_of(&pairs(&[("barcode_0", "1"), ("qty_0", "x")]), false).is_err());
        assert!(lines_of(&pairs(&[("barcode_0", ""), ("qty_0", "2")]), false).is_err());
        assert!(lines_of(
            &pairs(&[
                ("barcode_0", "1"),
                ("qty_0", "1"),
                ("barcode_1", "1"),
                ("qty_1", "1")
            ]),
            false
        )
        .is_err());
        assert!(lines_of(
            &pairs(&[("barcode_0", "1"), ("qty_0", "1"), ("serials_0", "A A")]),
            false
        )
        .is_err());
        let costed = lines_of(
            &pairs(&[("barcode_0", "1"), ("qty_0", "4"), ("cost_0", "450.50")]),
            true,
        )
        .unwrap();
        assert_eq!(costed[0].cost, Some(Money(45_050)));
        assert!(lines_of(
            &pairs(&[("barcode_0", "1"), ("qty_0", "4"), ("cost_0", "-1")]),
            true
        )
        .is_err());
        assert!(lines_of(&pairs(&[("barcode_0", "1"), ("qty_0", "4")]), true).is_err());
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["draft", "sent", "received", "cancelled"] {
            assert_eq!(TransferStatus::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(TransferStatus::parse("lost"), None);
    }
}
