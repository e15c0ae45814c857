//! Several tenders against one total, for a retail sale and a cafe bill alike (pure): card and
//! other non-cash tenders together at most the total (they give no change), all of them at
//! least the total; the change comes out of the cash, which is one row (handed over, kept,
//! change) however many cash tenders were typed.

use crate::platform::money::Money;

/// One tender as the cashier typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// `cash` gives change; every other method pays exactly its amount.
    pub method: &'a str,
    pub amount: Money,
    pub reference: &'a str,
}

/// One payment row to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub method: String,
    pub amount: Money,
    pub received: Option<Money>,
    pub change: Option<Money>,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub rows: Vec<Row>,
    /// The cash handed over, and the change given back from it.
    pub cash: Money,
    pub change: Money,
}

/// The payment rows of `parts` paying `total`, or why they do not. `others` names the
/// non-cash tenders in the refusal ("Card and UPI").
pub fn split(parts: &[Part<'_>], total: Money, others: &str) -> Result<Split, String> {
    let sum = |cash: bool| -> Money {
        Money(
            parts
                .iter()
                .filter(|p| (p.method == "cash") == cash)
                .map(|p| p.amount.0)
                .sum(),
        )
    };
    let (cash, other) = (sum(true), sum(false));
    if other > total {
        return Err(format!(
            "{others} tenders ({}) are more than the total ({}): only cash gives change.",
            other.grouped(),
            total.grouped()
        ));
    }
    let given = Money(cash.0 + other.0);
    if given < total {
        return Err(format!(
            "The tenders ({}) are less than the total ({}).",
            given.grouped(),
            total.grouped()
        ));
    }
    let change = Money(given.0 - total.0);
    let mut rows = Vec::new();
    if cash.is_positive() {
        rows.push(Row {
            method: "cash".into(),
            amount: Money(cash.0 - change.0),
            received: Some(cash),
            change: Some(change),
            reference: String::new(),
        });
    }
    for p in parts.iter().filter(|p| p.method != "cash") {
        rows.push(Row {
            method: p.method.into(),
            amount: p.amount,
            received: None,
            change: None,
            reference: p.reference.into(),
        });
    }
    Ok(Split { rows, cash, change })
}

/// A card slip's or a transfer's reference: at most 64 printable characters.
pub fn reference(raw: &str) -> Result<String, String> {
    let r = raw.trim();
    if r.chars().count() > 64
        || r.chars()
            .any(|c| c.is_control() || crate::platform::forms::is_invisible(c))
    {
        return Err("A reference is at most 64 printable characters.".into());
    }
    Ok(r.to_string())
}

// The arithmetic of money going back (retail's and the cafe's refunds; tested in
// `retail::refunds::rules`). One rounding: shares are cumulative, half away from zero.

/// Why the units come back: 3–200 characters of plain text.
pub fn validate_reason(raw: &str) -> Result<String, String> {
    let r = crate::platform::forms::visible(raw).unwrap_or_default();
    let n = r.chars().count();
    if n < 3 {
        return Err("Say why the units are returned (at least 3 characters).".into());
    }
    if n > 200 || r.chars().any(char::is_control) {
        return Err("The reason can be at most 200 characters of plain text.".into());
    }
    Ok(r)
}

/// `amount × part / whole`, rounded half away from zero (amounts and parts are never negative).
pub fn proportion(amount: i64, part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let n = i128::from(amount) * i128::from(part);
    let w = i128::from(whole);
    let q = (2 * n.abs() + w) / (2 * w);
    (if n < 0 { -q } else { q }) as i64
}

/// The share of `amount` that moves when `before` of `whole` becomes `after`.
pub fn share(amount: i64, before: i64, after: i64, whole: i64) -> i64 {
    proportion(amount, after, whole) - proportion(amount, before, whole)
}

/// One tender of the sale, with what was already refunded to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidTender {
    pub method: String,
    pub amount: i64,
    pub refunded: i64,
    pub reference: String,
}

/// The money going back by the sale's own tenders: card, e-wallet and UPI first (it goes back
/// where it came from, and the drawer keeps its cash), then cash; never more to a tender than
/// was paid by it less what it got back before. `None` when the tenders cannot cover it.
pub fn to_original_tenders(paid: &[PaidTender], refund: i64) -> Option<Vec<(String, i64, String)>> {
    let mut left = refund;
    let mut out = Vec::new();
    let order = paid
        .iter()
        .filter(|p| p.method != "cash")
        .chain(paid.iter().filter(|p| p.method == "cash"));
    for p in order {
        if left == 0 {
            break;
        }
        let room = (p.amount - p.refunded).max(0);
        let take = room.min(left);
        if take > 0 {
            // A tender appears once however many refunds it went into.
            match out
                .iter_mut()
                .find(|(m, _, _): &&mut (String, i64, String)| *m == p.method)
            {
                Some(row) => row.1 += take,
                None => out.push((p.method.clone(), take, p.reference.clone())),
            }
            left -= take;
        }
    }
    (left == 0).then_some(out)
}

/// The sale's (or bill's) tenders, each with what earlier refunds gave back to it: a method's
/// refunds are taken off its rows in order (two cash rows share the cash refunded).
pub fn paid_less_refunded(
    paid: impl IntoIterator<Item = (String, i64, String)>,
    mut back: Vec<(String, i64)>,
) -> Vec<PaidTender> {
    paid.into_iter()
        .map(|(method, amount, reference)| {
            let refunded = back.iter_mut().find(|(m, _)| *m == method).map_or(0, |s| {
                let take = s.1.min(amount);
                s.1 -= take;
                take
            });
            PaidTender {
                method,
                amount,
                refunded,
                reference,
            }
        })
        .collect()
}

/// "MNL-CN-000012": the branch's code and its credit-note number.
pub fn credit_note_number(branch_code: &str, number: i64) -> String {
    format!("{branch_code}-CN-{number:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part<'a>(method: &'a str, amount: i64, reference: &'a str) -> Part<'a> {
        Part {
            method,
            amount: Money(amount),
            reference,
        }
    }

    #[test]
    fn cash_over_its_part_gives_change_from_the_cash_only() {
        let s = split(
            &[part("card", 40_000, "SLIP-1"), part("cash", 70_000, "")],
            Money(99_800),
            "Card",
        )
        .unwrap();
        assert_eq!(s.change, Money(10_200));
        assert_eq!(s.cash, Money(70_000));
        assert_eq!(s.rows[0].method, "cash");
        assert_eq!(s.rows[0].amount, Money(59_800));
        assert_eq!(s.rows[1].amount, Money(40_000));
        let paid: i64 = s.rows.iter().map(|r| r.amount.0).sum();
        assert_eq!(paid, 99_800, "the rows pay exactly the total");
    }

    #[test]
    fn card_beyond_the_total_or_tenders_short_are_refused() {
        assert!(split(&[part("card", 101, "A")], Money(100), "Card")
            .unwrap_err()
            .contains("only cash gives change"));
        assert!(split(
            &[part("card", 40, "A"), part("cash", 50, "")],
            Money(100),
            "Card"
        )
        .unwrap_err()
        .contains("less than the total"));
    }

    #[test]
    fn a_free_bill_needs_no_row() {
        let s = split(&[part("cash", 0, "")], Money(0), "Card").unwrap();
        assert!(s.rows.is_empty());
    }

    #[test]
    fn earlier_refunds_come_off_each_method_in_order() {
        let paid = vec![
            ("card".to_string(), 400, "S-1".to_string()),
            ("cash".to_string(), 100, String::new()),
            ("cash".to_string(), 50, String::new()),
        ];
        let t = paid_less_refunded(paid, vec![("cash".into(), 120), ("card".into(), 10)]);
        let got: Vec<(i64, i64)> = t.iter().map(|p| (p.amount, p.refunded)).collect();
        assert_eq!(got, vec![(400, 10), (100, 100), (50, 20)]);
    }

    #[test]
    fn references_are_printable_and_short() {
        assert_eq!(reference("  AB-12 ").unwrap(), "AB-12");
        assert!(reference("a\u{200b}b").is_err());
        assert!(reference(&"x".repeat(65)).is_err());
    }
}
