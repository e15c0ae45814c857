//! The arithmetic of a cash drawer, without a database: the notes and coins of the currency,
//! a count by denomination, the cash the drawer should hold and the difference at the close.

use crate::platform::money::{Money, MAX_INPUT_MINOR};

/// The most pieces of one denomination a count may say (a bag of coins, not a typo of 10⁹).
pub const MAX_PIECES: i64 = 100_000;

/// The notes and coins a drawer is counted in when the settings name none, by currency.
pub fn default_denominations(currency: &str) -> Vec<Money> {
    let pesos: &[i64] = match currency {
        // Philippine peso: 1000–20 notes, 20–1 coins and the 25 centavo coin.
        "PHP" => &[
            100_000, 50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 100, 25,
        ],
        // Indian rupee.
        "INR" => &[50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100],
        // Dollars, euros and most others: 100 down to the cent.
        _ => &[10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 25, 10, 5, 1],
    };
    pesos.iter().map(|&m| Money(m)).collect()
}

/// "1000, 500, 0.25" → the denominations, largest first; empty text gives the currency's.
pub fn parse_denominations(raw: &str, currency: &str) -> Result<Vec<Money>, String> {
    let said =
        "List the notes and coins as amounts separated by commas, e.g. 1000, 500, 100, 1, 0.25.";
    if raw.trim().is_empty() {
        return Ok(default_denominations(currency));
    }
    let mut out: Vec<Money> = Vec::new();
    for part in raw.split(',') {
        let m = Money::parse_input(part).map_err(|_| said.to_string())?;
        if !m.is_positive() || m.0 > 100_000_000 {
            return Err(said.into());
        }
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.len() > 20 {
        return Err("Name at most 20 notes and coins.".into());
    }
    out.sort_by(|a, b| b.cmp(a));
    Ok(out)
}

/// The denominations as the settings page shows them: "1000.00, 500.00, 0.25".
pub fn denominations_text(list: &[Money]) -> String {
    list.iter()
        .map(|m| m.plain())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A drawer count: pieces per denomination (when counted that way) and the total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Count {
    pub pieces: Vec<(Money, i64)>,
    pub total: Money,
}

impl Count {
    /// "100000x2 5000x3": what is stored beside the total, to print the count again.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(d, n)| format!("{}x{n}", d.0))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The stored text read back; unreadable parts are skipped (it is only ever written by
    /// `text`).
    pub fn pieces_of(text: &str) -> Vec<(Money, i64)> {
        text.split_whitespace()
            .filter_map(|p| {
                let (d, n) = p.split_once('x')?;
                Some((Money(d.parse().ok()?), n.parse().ok()?))
            })
            .collect()
    }
}

/// Why a count was refused, and which field says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountError {
    /// `amount`, or `count` for a denomination's box (the message names which).
    pub field: &'static str,
    pub message: String,
}

/// A count from the form: the boxes per denomination (`typed`, as typed, in the order of
/// `denominations`) or, when they are all empty, one amount. Pieces are whole numbers from 0
/// to `MAX_PIECES`; the amount follows the money rules.
pub fn count(denominations: &[Money], typed: &[&str], amount: &str) -> Result<Count, CountError> {
    let mut pieces = Vec::new();
    let mut total: i64 = 0;
    let mut any = false;
    for (d, raw) in denominations.iter().zip(typed) {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        any = true;
        let n = raw
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_PIECES).contains(n) && raw.chars().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| CountError {
                field: "count",
                message: format!(
                    "Count the {} pieces as a whole number from 0 to {MAX_PIECES}.",
                    d.grouped()
                ),
            })?;
        total = total
            .checked_add(d.0.checked_mul(n).unwrap_or(i64::MAX))
            .filter(|t| *t <= MAX_INPUT_MINOR)
            .ok_or_else(|| CountError {
                field: "amount",
                message: "That count is larger than any drawer holds.".into(),
            })?;
        pieces.push((*d, n));
    }
    if any {
        if !amount.trim().is_empty() {
            let typed = Money::parse_input(amount).ok();
            if typed != Some(Money(total)) {
                return Err(CountError {
                    field: "amount",
                    message: format!(
                        "The pieces add up to {}, not {}: count by denomination or type one amount.",
                        Money(total).grouped(),
                        amount.trim()
                    ),
                });
            }
        }
        return Ok(Count {
            pieces,
            total: Money(total),
        });
    }
    if amount.trim().is_empty() {
        return Err(CountError {
            field: "amount",
            message: "Count the cash: fill in the pieces per note and coin, or the total amount (0 for an empty drawer).".into(),
        });
    }
    let total = Money::parse_input(amount).map_err(|e| CountError {
        field: "amount",
        message: format!("The amount: {e}."),
    })?;
    Ok(Count {
        pieces: Vec::new(),
        total,
    })
}

/// What moved through the drawer during a shift, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CashFlow {
    pub opening_float: Money,
    /// Cash sales at the till (their totals; the change went straight back).
    pub cash_sales: Money,
    /// Instalment down payments taken at the till.
    pub down_payments: Money,
    /// Instalment payments taken in cash by this cashier.
    pub instalment_cash: Money,
    /// Cafe bills paid in cash.
    pub cafe_cash: Money,
    /// Cash given back for refunds.
    pub cash_refunds: Money,
    pub cash_in: Money,
    pub cash_out: Money,
}

impl CashFlow {
    /// Two drawers' flows together (a day's report over its shifts).
    pub fn plus(self, o: CashFlow) -> CashFlow {
        let m = |a: Money, b: Money| Money(a.0 + b.0);
        CashFlow {
            opening_float: m(self.opening_float, o.opening_float),
            cash_sales: m(self.cash_sales, o.cash_sales),
            down_payments: m(self.down_payments, o.down_payments),
            instalment_cash: m(self.instalment_cash, o.instalment_cash),
            cafe_cash: m(self.cafe_cash, o.cafe_cash),
            cash_refunds: m(self.cash_refunds, o.cash_refunds),
            cash_in: m(self.cash_in, o.cash_in),
            cash_out: m(self.cash_out, o.cash_out),
        }
    }

    /// Float + every cash taking − cash refunds + cash in − cash out.
    pub fn expected(&self) -> Money {
        Money(
            self.opening_float.0
                + self.cash_sales.0
                + self.down_payments.0
                + self.instalment_cash.0
                + self.cafe_cash.0
                - self.cash_refunds.0
                + self.cash_in.0
                - self.cash_out.0,
        )
    }
}

/// Counted − expected: positive is over, negative is short.
pub fn difference(expected: Money, counted: Money) -> Money {
    Money(counted.0 - expected.0)
}

/// "Over by 5.00", "Short by 12.50", "Exact".
pub fn difference_label(diff: Money) -> String {
    match diff.0 {
        0 => "Exact".into(),
        d if d > 0 => format!("Over by {}", Money(d).grouped()),
        d => format!("Short by {}", Money(-d).grouped()),
    }
}

/// A difference beyond the threshold needs the cashier's explanation.
pub fn needs_note(diff: Money, threshold: Money) -> bool {
    diff.0.abs() > threshold.0
}

/// Cash in or out of the drawer during a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    In,
    Out,
}

impl Movement {
    pub fn parse(s: &str) -> Option<Movement> {
        match s {
            "in" => Some(Movement::In),
            "out" => Some(Movement::Out),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Movement::In => "in",
            Movement::Out => "out",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Movement::In => "Cash in",
            Movement::Out => "Cash out",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn php() -> Vec<Money> {
        default_denominations("PHP")
    }

    #[test]
    fn a_count_by_denomination_adds_up_to_the_centavo() {
        let d = php();
        // 2 × 1000, 3 × 50, 7 × 0.25
        let mut typed = vec![""; d.len()];
        typed[0] = "2";
        typed[4] = "3";
        typed[9] = "7";
        let c = count(&d, &typed, "").unwrap();
        assert_eq!(c.total, Money(200_000 + 15_000 + 175));
        assert_eq!(c.text(), "100000x2 5000x3 25x7");
        assert_eq!(Count::pieces_of(&c.text()), c.pieces);
        // The same count with the matching total typed too is accepted; a different total is not.
        assert!(count(&d, &typed, "2151.75").is_ok());
        assert_eq!(count(&d, &typed, "2150").unwrap_err().field, "amount");
    }

    #[test]
    fn one_amount_counts_when_no_piece_is_given() {
        let d = php();
        let typed = vec![""; d.len()];
        assert_eq!(count(&d, &typed, "1,500.50").unwrap().total, Money(150_050));
        assert_eq!(count(&d, &typed, "0").unwrap().total, Money::ZERO);
        assert!(count(&d, &typed, "").is_err());
        assert!(count(&d, &typed, "-5").is_err());
        assert!(count(&d, &typed, "abc").is_err());
        assert!(count(&d, &typed, "1.234").is_err());
    }

    #[test]
    fn bad_pieces_name_their_box() {
        let d = php();
        for bad in ["-1", "1.5", "x", "100001", "+3"] {
            let mut typed = vec![""; d.len()];
            typed[1] = bad;
            let e = count(&d, &typed, "").unwrap_err();
            assert_eq!(e.field, "count", "{bad}");
            assert!(e.message.contains("500.00"), "{}", e.message);
        }
    }

    #[test]
    fn denominations_parse_sorted_and_deduplicated() {
        assert_eq!(
            parse_denominations("0.25, 1000, 500,1000", "PHP").unwrap(),
            vec![Money(100_000), Money(50_000), Money(25)]
        );
        assert_eq!(parse_denominations(" ", "PHP").unwrap(), php());
        assert!(parse_denominations("100, -5", "PHP").is_err());
        assert!(parse_denominations("100, 0", "PHP").is_err());
        assert!(parse_denominations("100,,5", "PHP").is_err());
        assert_eq!(
            denominations_text(&[Money(100_000), Money(25)]),
            "1000.00, 0.25"
        );
    }

    #[test]
    fn expected_cash_is_float_plus_takings_less_refunds_and_drops() {
        let flow = CashFlow {
            opening_float: Money(200_000),
            cash_sales: Money(1_234_550),
            down_payments: Money(300_000),
            instalment_cash: Money(150_000),
            cafe_cash: Money(42_025),
            cash_refunds: Money(99_900),
            cash_in: Money(50_000),
            cash_out: Money(1_000_000),
        };
        assert_eq!(
            flow.expected(),
            Money(200_000 + 1_234_550 + 300_000 + 150_000 + 42_025 - 99_900 + 50_000 - 1_000_000)
        );
        assert_eq!(difference(Money(1000), Money(950)), Money(-50));
        assert_eq!(difference_label(Money(-50)), "Short by 0.50");
        assert_eq!(difference_label(Money(500)), "Over by 5.00");
        assert_eq!(difference_label(Money::ZERO), "Exact");
        assert!(needs_note(Money(-1), Money::ZERO));
        assert!(!needs_note(Money(-5000), Money(5000)));
        assert!(needs_note(Money(5001), Money(5000)));
    }
}
