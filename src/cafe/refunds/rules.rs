//! A cafe refund's arithmetic, pure. A bill's lines are priced before its discount and tax;
//! what goes back is a cumulative share of the bill's total by the value returned so far (the
//! register's one rounding, `registers::tenders::share`), so returning a bill line by line
//! gives back exactly what returning it at once does, and returning all of it gives back
//! exactly the total — tax and discount included.

use crate::platform::forms::FormErrors;
use crate::platform::money::Money;
use crate::registers::tenders::{share, validate_reason};

/// A line of the closed bill (`cafe_sales.items_json`), with what was returned of it before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldLine {
    pub menu_item_id: i64,
    pub name: String,
    pub category: String,
    pub quantity: i64,
    pub unit: Money,
    pub returned: i64,
    /// The options the line was sold with ("Regular · Oat"), empty for none.
    pub modifiers: String,
}

impl SoldLine {
    pub fn left(&self) -> i64 {
        self.quantity - self.returned
    }
}

/// The bill's figures the refund shares out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillFigures {
    pub tax: i64,
    pub total: i64,
    /// The value already returned (before discount and tax).
    pub value_returned: i64,
}

/// One line going back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub index: usize,
    pub quantity: i64,
    /// Its value before discount and tax.
    pub value: i64,
    /// The money it gives back.
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkedOut {
    pub lines: Vec<Taken>,
    pub value: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// Why a refund cannot be worked out: the form's fault (422) or units already gone (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Invalid(String),
    TooMany(String),
}

/// The refund of `ask` (line index, quantity) from a bill of `lines`.
pub fn work_out(
    lines: &[SoldLine],
    bill: BillFigures,
    ask: &[(usize, i64)],
) -> Result<WorkedOut, Refusal> {
    let whole: i64 = lines.iter().map(|l| l.unit.0 * l.quantity).sum();
    let mut before = bill.value_returned;
    let mut out = Vec::with_capacity(ask.len());
    for &(index, quantity) in ask {
        let Some(line) = lines.get(index) else {
            return Err(Refusal::Invalid(format!(
                "Line {} is not on this bill.",
                index + 1
            )));
        };
        if quantity <= 0 {
            return Err(Refusal::Invalid("Return at least one unit.".into()));
        }
        if quantity > line.left() {
            return Err(Refusal::TooMany(if line.left() == 0 {
                format!("Every {} on this bill was already refunded.", line.name)
            } else {
                format!(
                    "Only {} × {} of this bill are left to refund.",
                    line.left(),
                    line.name
                )
            }));
        }
        let value = line.unit.0 * quantity;
        let after = before + value;
        out.push(Taken {
            index,
            quantity,
            value,
            amount: share(bill.total, before, after, whole),
        });
        before = after;
    }
    let value: i64 = out.iter().map(|t| t.value).sum();
    let total: i64 = out.iter().map(|t| t.amount).sum();
    if total <= 0 {
        return Err(Refusal::Invalid(
            "Nothing to refund: the lines chosen were free.".into(),
        ));
    }
    let tax = share(bill.tax, bill.value_returned, before, whole);
    Ok(WorkedOut {
        lines: out,
        value,
        // What the bill's discount took off these lines: value + tax − money back.
        discount: value + tax - total,
        tax,
        total,
    })
}

/// What the refund form asked for, checked for shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafeRefundRequest {
    pub lines: Vec<(usize, i64)>,
    pub reason: String,
    pub key: String,
}

impl CafeRefundRequest {
    /// The same key sent again with other lines is refused, not taken for the first refund.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (i, q) in &self.lines {
            h.update(format!("{i}|{q}\n"));
        }
        h.update(self.reason.as_bytes());
        hex::encode(h.finalize())
    }
}

/// A bill has at most this many lines to refund at once.
pub const MAX_LINES: usize = 200;

/// The form's `qty_{line}` fields (line numbers from 1), the reason and the one-time key.
pub fn parse_request(
    typed: &[(&str, &str)],
    reason: &str,
    key: &str,
) -> Result<CafeRefundRequest, FormErrors> {
    let mut errors = FormErrors::default();
    let mut lines: Vec<(usize, i64)> = Vec::new();
    if typed.len() > MAX_LINES {
        errors.add(
            "lines",
            format!("A refund takes at most {MAX_LINES} lines."),
        );
    }
    for (line, qty) in typed.iter().take(MAX_LINES) {
        let Some(index) = line
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
        else {
            errors.add("lines", "The form was changed: reload the page.");
            continue;
        };
        let q = qty.trim();
        if q.is_empty() {
            continue;
        }
        match q.parse::<i64>() {
            Ok(0) => {}
            Ok(n) if (1..=10_000).contains(&n) => {
                if lines.iter().any(|(i, _)| *i == index - 1) {
                    errors.add("lines", format!("Line {index} is listed twice."));
                } else {
                    lines.push((index - 1, n));
                }
            }
            _ => errors.add(
                "lines",
                format!("The quantity of line {index} must be a whole number from 0 to 10000."),
            ),
        }
    }
    if lines.is_empty() && errors.get("lines").is_none() {
        errors.add("lines", "Choose at least one item to refund.");
    }
    let reason = validate_reason(reason).unwrap_or_else(|e| {
        errors.add("reason", e);
        String::new()
    });
    let key = key.trim();
    if key.is_empty()
        || key.len() > 64
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.add("key", "The form was changed: reload the page.");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    lines.sort_unstable();
    Ok(CafeRefundRequest {
        lines,
        reason,
        key: key.to_string(),
    })
}

/// The bill's lines as the sales record keeps them: `[{id, name, category, qty, price,
/// modifiers?}]`.
pub fn sold_lines(items_json: &str) -> Vec<SoldLine> {
    #[derive(serde::Deserialize)]
    struct Snap {
        #[serde(default)]
        id: i64,
        #[serde(default)]
        name: String,
        #[serde(default)]
        category: String,
        #[serde(default)]
        qty: i64,
        #[serde(default)]
        price: String,
        #[serde(default)]
        modifiers: String,
    }
    serde_json::from_str::<Vec<Snap>>(items_json)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SoldLine {
            menu_item_id: s.id,
            name: s.name,
            category: s.category,
            quantity: s.qty.max(0),
            unit: Money::parse_input(&s.price).unwrap_or(Money::ZERO),
            returned: 0,
            modifiers: s.modifiers,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit: i64, returned: i64) -> SoldLine {
        SoldLine {
            menu_item_id: 1,
            name: "Latte".into(),
            category: "Coffee".into(),
            quantity,
            unit: Money(unit),
            returned,
            modifiers: String::new(),
        }
    }

    /// Two lattes at 150.00 and a cake at 220.00: subtotal 520.00, 10 % off (52.00), 5 % tax on
    /// 468.00 (23.40): total 491.40.
    fn bill(value_returned: i64) -> BillFigures {
        BillFigures {
            tax: 2_340,
            total: 49_140,
            value_returned,
        }
    }

    #[test]
    fn one_latte_gives_back_its_share_of_discount_and_tax() {
        let lines = [line(2, 15_000, 0), line(1, 22_000, 0)];
        let w = work_out(&lines, bill(0), &[(0, 1)]).unwrap();
        // 491.40 × 150 / 520 = 141.75; tax 23.40 × 150 / 520 = 6.75; discount 15.00.
        assert_eq!(w.total, 14_175);
        assert_eq!(w.tax, 675);
        assert_eq!(w.discount, 1_500);
        assert_eq!(w.value, 15_000);
    }

    #[test]
    fn returning_everything_piece_by_piece_gives_back_exactly_the_total() {
        let mut lines = vec![line(2, 15_000, 0), line(1, 22_000, 0)];
        let mut value_returned = 0;
        let (mut total, mut tax, mut discount) = (0, 0, 0);
        for ask in [(0, 1), (1, 1), (0, 1)] {
            let w = work_out(&lines, bill(value_returned), &[ask]).unwrap();
            total += w.total;
            tax += w.tax;
            discount += w.discount;
            value_returned += w.value;
            lines[ask.0].returned += ask.1;
        }
        assert_eq!((total, tax, discount), (49_140, 2_340, 5_200));
        let all = work_out(
            &[line(2, 15_000, 0), line(1, 22_000, 0)],
            bill(0),
            &[(0, 2), (1, 1)],
        )
        .unwrap();
        assert_eq!(all.total, 49_140);
    }

    #[test]
    fn never_more_than_is_left_and_never_a_free_line() {
        let lines = [line(2, 15_000, 2), line(1, 0, 0)];
        assert!(matches!(
            work_out(&lines, bill(30_000), &[(0, 1)]),
            Err(Refusal::TooMany(_))
        ));
        assert!(matches!(
            work_out(&lines, bill(30_000), &[(1, 1)]),
            Err(Refusal::Invalid(_))
        ));
        assert!(matches!(
            work_out(&lines, bill(0), &[(5, 1)]),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn the_form_is_checked_for_shape() {
        let ok =
            parse_request(&[("2", "1"), ("1", " "), ("3", "0")], "Cold coffee", "k-1").unwrap();
        assert_eq!(ok.lines, vec![(1, 1)]);
        for bad in [
            parse_request(&[("1", "-1")], "Cold coffee", "k"),
            parse_request(&[("x", "1")], "Cold coffee", "k"),
            parse_request(&[("1", "1")], "no", "k"),
            parse_request(&[("1", "1")], "Cold coffee", ""),
            parse_request(&[("1", "0")], "Cold coffee", "k"),
        ] {
            assert!(bad.is_err());
        }
    }

    #[test]
    fn the_snapshot_reads_back_its_lines() {
        let l =
            sold_lines(r#"[{"id":4,"name":"Latte","category":"Coffee","qty":2,"price":"150.00"}]"#);
        assert_eq!(l[0].unit, Money(15_000));
        assert_eq!(l[0].quantity, 2);
        assert!(sold_lines("not json").is_empty());
    }
}
