//! The arithmetic of a refund, pure: what was paid for each line of a sale, what a partial
//! return of a line gives back, the VAT and commission it reverses, and which tenders the
//! money goes back to.
//!
//! One rounding everywhere: a share of an amount is worked out **cumulatively** —
//! `round(amount × after / whole) − round(amount × before / whole)`, half away from zero — so
//! returning a line unit by unit gives back exactly what returning it at once does, and
//! returning everything gives back exactly what was paid, VAT and commission included.

use crate::platform::forms::FormErrors;
// Shared with the cafe's refunds (the register's arithmetic of money going back).
use crate::platform::money::Money;
pub use crate::registers::tenders::{
    credit_note_number, proportion, share, to_original_tenders, validate_reason, PaidTender,
};

/// One line of the sale to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    pub item_id: i64,
    pub quantity: i64,
    pub serials: Vec<String>,
}

/// What the cashier asked for, checked for shape (`routes` and the API build it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    pub restock: bool,
    pub refund_to: RefundTo,
    pub key: String,
}

impl RefundRequest {
    /// The same key sent again with other lines is refused, not taken for the first refund.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for l in &self.lines {
            h.update(format!(
                "{}|{}|{}\n",
                l.item_id,
                l.quantity,
                l.serials.join(",")
            ));
        }
        h.update(format!(
            "{}|{}|{}",
            self.reason,
            self.restock,
            self.refund_to.as_str()
        ));
        hex::encode(h.finalize())
    }
}

/// The most lines one refund takes, and serials per line.
const MAX_LINES: usize = 200;
const MAX_SERIALS: usize = 1_000;

/// A serial number as typed or ticked: visible, at most 64 characters.
fn serial(raw: &str) -> Result<String, String> {
    let s = crate::platform::forms::visible(raw).unwrap_or_default();
    if s.is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
        return Err("A serial number is 1–64 visible characters.".into());
    }
    Ok(s)
}

/// One line as the form or the JSON body gave it.
pub struct TypedLine<'a> {
    pub item_id: i64,
    pub quantity: Option<&'a str>,
    pub serials: Vec<&'a str>,
}

/// The refund form (or JSON body) checked for shape: lines with a quantity of 0 or nothing
/// are left out; a line with serials returns one unit per serial.
pub fn parse_request(
    lines: &[TypedLine<'_>],
    reason: &str,
    restock: &str,
    refund_to: &str,
    key: &str,
) -> Result<RefundRequest, FormErrors> {
    let mut errors = FormErrors::default();
    let mut out: Vec<ReturnLine> = Vec::new();
    if lines.len() > MAX_LINES {
        errors.add(
            "lines",
            format!("A refund takes at most {MAX_LINES} lines."),
        );
    }
    for l in lines.iter().take(MAX_LINES) {
        if out.iter().any(|o| o.item_id == l.item_id) {
            errors.add("lines", format!("Line #{} is listed twice.", l.item_id));
            continue;
        }
        let mut serials = Vec::new();
        for raw in l.serials.iter().take(MAX_SERIALS + 1) {
            match serial(raw) {
                Ok(s) if !serials.contains(&s) => serials.push(s),
                Ok(s) => errors.add("lines", format!("Serial {s} is listed twice.")),
                Err(e) => errors.add("lines", e),
            }
        }
        if serials.len() > MAX_SERIALS {
            errors.add("lines", format!("At most {MAX_SERIALS} serials per line."));
        }
        let quantity = match l.quantity.map(str::trim).filter(|q| !q.is_empty()) {
            None => serials.len() as i64,
            Some(q) => match q.parse::<i64>() {
                Ok(n) if (0..=100_000).contains(&n) => n,
                _ => {
                    errors.add(
                        "lines",
                        format!(
                            "The quantity of line #{} must be a whole number from 0 to 100000.",
                            l.item_id
                        ),
                    );
                    continue;
                }
            },
        };
        if quantity == 0 && serials.is_empty() {
            continue;
        }
        out.push(ReturnLine {
            item_id: l.item_id,
            quantity,
            serials,
        });
    }
    if out.is_empty() && errors.get("lines").is_none() {
        errors.add("lines", "Choose at least one unit to return.");
    }
    let reason = validate_reason(reason).unwrap_or_else(|e| {
        errors.add("reason", e);
        String::new()
    });
    let restock = match restock {
        "" | "yes" | "true" => true,
        "no" | "false" => false,
        _ => {
            errors.add(
                "restock",
                "Say whether the units go back to stock (yes or no).",
            );
            true
        }
    };
    let refund_to = RefundTo::parse(if refund_to.is_empty() {
        "original"
    } else {
        refund_to
    })
    .unwrap_or_else(|| {
        errors.add(
            "refund_to",
            "Refund to the sale's tenders or as store credit.",
        );
        RefundTo::Original
    });
    let key = crate::platform::forms::one_time_key(key.trim()).unwrap_or_else(|e| {
        errors.add("key", e);
        String::new()
    });
    errors.into_result(RefundRequest {
        lines: out,
        reason,
        restock,
        refund_to,
        key,
    })
}

/// What the customer paid for each line: the sale's total (VAT included, whether prices
/// include VAT or it was added on top) spread over the lines by their totals, cumulatively, so
/// the lines add up to the total to the centavo.
pub fn paid_per_line(line_totals: &[i64], total: i64) -> Vec<i64> {
    let sum: i64 = line_totals.iter().sum();
    let mut before = 0;
    line_totals
        .iter()
        .map(|t| {
            let after = before + t;
            let paid = share(total, before, after, sum);
            before = after;
            paid
        })
        .collect()
}

/// The line of a sale as the refund sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldLine {
    pub quantity: i64,
    pub returned: i64,
    pub paid: i64,
}

/// What returning `quantity` more units of `line` gives back (after `line.returned` were).
pub fn line_refund(line: &SoldLine, quantity: i64) -> Result<Money, String> {
    if quantity <= 0 {
        return Err("Return at least one unit.".into());
    }
    let left = line.quantity - line.returned;
    if quantity > left {
        return Err(if left == 0 {
            "Every unit of this line was already returned.".into()
        } else {
            format!("Only {left} unit(s) of this line are left to return.")
        });
    }
    Ok(Money(share(
        line.paid,
        line.returned,
        line.returned + quantity,
        line.quantity,
    )))
}

/// Where the money goes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RefundTo {
    /// The sale's own tenders (card and e-wallet first, then cash).
    Original,
    /// The customer's store credit, spent later at the till.
    StoreCredit,
}

impl RefundTo {
    pub fn parse(s: &str) -> Option<RefundTo> {
        match s {
            "original" => Some(RefundTo::Original),
            "store_credit" => Some(RefundTo::StoreCredit),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RefundTo::Original => "original",
            RefundTo::StoreCredit => "store_credit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundTo::Original => "Back to the sale's tenders",
            RefundTo::StoreCredit => "Store credit",
        }
    }
}

/// A tender's name on the credit note.
pub fn tender_label(method: &str) -> &'static str {
    match method {
        "cash" => "Cash",
        "card" => "Card",
        "ewallet" => "E-wallet",
        "upi" => "UPI",
        "store_credit" => "Store credit",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_add_up_to_the_total_with_vat_on_top() {
        // Three lines of 100.00, 12 % VAT added: 336.00 over 300.00 of lines.
        let paid = paid_per_line(&[10_000, 10_000, 10_000], 33_600);
        assert_eq!(paid, vec![11_200, 11_200, 11_200]);
        // An awkward split still adds up exactly.
        let paid = paid_per_line(&[1, 1, 1], 100);
        assert_eq!(paid.iter().sum::<i64>(), 100);
        assert_eq!(paid, vec![33, 34, 33]);
    }

    #[test]
    fn returning_unit_by_unit_gives_back_what_returning_at_once_does() {
        let line = |returned| SoldLine {
            quantity: 3,
            returned,
            paid: 10_000,
        };
        let one = line_refund(&line(0), 1).unwrap();
        let two = line_refund(&line(1), 1).unwrap();
        let three = line_refund(&line(2), 1).unwrap();
        assert_eq!(one.0 + two.0 + three.0, 10_000);
        assert_eq!(line_refund(&line(0), 3).unwrap(), Money(10_000));
        assert_eq!((one.0, two.0, three.0), (3_333, 3_334, 3_333));
    }

    #[test]
    fn never_more_than_is_left() {
        let line = SoldLine {
            quantity: 2,
            returned: 1,
            paid: 500,
        };
        assert!(line_refund(&line, 2).is_err());
        assert!(line_refund(&line, 0).is_err());
        assert!(line_refund(&line, -1).is_err());
        let all = SoldLine {
            returned: 2,
            ..line
        };
        assert_eq!(
            line_refund(&all, 1).unwrap_err(),
            "Every unit of this line was already returned."
        );
    }

    #[test]
    fn vat_is_reversed_in_proportion_and_wholly_at_the_end() {
        // A 1,120.00 sale with 120.00 VAT, refunded 373.33 then the rest.
        let first = share(12_000, 0, 37_333, 112_000);
        let rest = share(12_000, 37_333, 112_000, 112_000);
        assert_eq!(first, 4_000);
        assert_eq!(first + rest, 12_000);
    }

    #[test]
    fn cards_get_theirs_back_before_the_drawer_gives_cash() {
        let t = |m: &str, amount, refunded| PaidTender {
            method: m.into(),
            amount,
            refunded,
            reference: if m == "card" {
                "A1".into()
            } else {
                String::new()
            },
        };
        let paid = [t("cash", 5_000, 0), t("card", 3_000, 0)];
        assert_eq!(
            to_original_tenders(&paid, 4_000).unwrap(),
            vec![
                ("card".into(), 3_000, "A1".into()),
                ("cash".into(), 1_000, String::new())
            ]
        );
        let paid = [t("cash", 5_000, 0), t("card", 3_000, 3_000)];
        assert_eq!(
            to_original_tenders(&paid, 500).unwrap(),
            vec![("cash".into(), 500, String::new())]
        );
        assert_eq!(to_original_tenders(&paid, 5_001), None);
    }

    #[test]
    fn the_form_is_checked_for_shape() {
        let line = |id, q: Option<&'static str>, s: Vec<&'static str>| TypedLine {
            item_id: id,
            quantity: q,
            serials: s,
        };
        let ok = parse_request(
            &[
                line(1, Some("2"), vec![]),
                line(2, Some("0"), vec![]),
                line(3, None, vec!["SN1", "SN2"]),
            ],
            " Wrong size ",
            "no",
            "store_credit",
            "abcdefgh12",
        )
        .unwrap();
        assert_eq!(ok.lines.len(), 2);
        assert_eq!(ok.lines[1].quantity, 2);
        assert_eq!(ok.reason, "Wrong size");
        assert!(!ok.restock);
        assert_eq!(ok.refund_to, RefundTo::StoreCredit);
        let bad =
            parse_request(&[line(1, Some("-1"), vec![])], "x", "maybe", "cash", "k").unwrap_err();
        for f in ["lines", "reason", "restock", "refund_to", "key"] {
            assert!(bad.get(f).is_some(), "{f}");
        }
        let none = parse_request(
            &[line(1, Some("0"), vec![])],
            "Broken",
            "",
            "",
            "abcdefgh12",
        )
        .unwrap_err();
        assert_eq!(
            none.get("lines"),
            Some("Choose at least one unit to return.")
        );
        let twice = parse_request(
            &[line(1, None, vec!["A", "A"])],
            "Broken",
            "",
            "",
            "abcdefgh12",
        )
        .unwrap_err();
        assert!(twice.get("lines").is_some());
        let invisible = parse_request(
            &[line(1, None, vec!["\u{200b}"])],
            "Broken",
            "",
            "",
            "abcdefgh12",
        )
        .unwrap_err();
        assert!(invisible.get("lines").is_some());
    }

    #[test]
    fn a_proportion_rounds_half_away_from_zero() {
        assert_eq!(proportion(1, 1, 2), 1);
        assert_eq!(proportion(3, 1, 2), 2);
        assert_eq!(proportion(-3, 1, 2), -2);
        assert_eq!(proportion(10, 0, 0), 0);
    }

    #[test]
    fn credit_notes_are_numbered_like_receipts() {
        assert_eq!(credit_note_number("MNL", 12), "MNL-CN-000012");
        assert_eq!(RefundTo::parse("store_credit"), Some(RefundTo::StoreCredit));
        assert_eq!(RefundTo::parse("cash"), None);
    }
}
