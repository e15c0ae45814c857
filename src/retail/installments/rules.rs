//! The instalment maths, pure so the calculator, the checkout and the tests agree to the
//! centavo: what is financed, the flat interest, the schedule (which sums exactly to the
//! balance) and how a payment is spread over it.

use chrono::{Months, NaiveDate};

use crate::platform::money::Money;

/// The terms offered when the setting is missing or unreadable.
pub const DEFAULT_TERMS: [i64; 3] = [3, 6, 12];
/// The flat interest when the setting is missing: 3 % of the financed amount, once (as the
/// seed's calculator).
pub const DEFAULT_RATE_BP: i64 = 300;
/// The longest term anyone may set.
pub const MAX_TERM: i64 = 60;

/// An instalment plan worked out from the priced cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFigures {
    pub total: Money,
    pub down_payment: Money,
    /// total − down payment
    pub financed: Money,
    /// financed × rate, rounded once, half-up
    pub interest: Money,
    /// financed + interest: what the customer pays over the term
    pub balance: Money,
    /// The usual monthly amount (the last one takes the rounding remainder).
    pub monthly: Money,
    pub schedule: Vec<Due>,
}

/// One instalment of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// 1 for the first month.
    pub seq: i64,
    pub due_date: NaiveDate,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    DownPaymentAboveTotal { total: Money },
    Term { offered: Vec<i64> },
    TooLarge,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::DownPaymentAboveTotal { total } => write!(
                f,
                "The down payment cannot be more than the total ({}).",
                total.grouped()
            ),
            PlanError::Term { offered } => {
                let list: Vec<String> = offered.iter().map(|t| t.to_string()).collect();
                write!(f, "Choose a term of {} months.", list.join(", "))
            }
            PlanError::TooLarge => write!(f, "The amount is too large."),
        }
    }
}

/// The plan for a sale of `total` with `down_payment` over `term_months` (one of `offered`),
/// at a flat `rate_bp`, sold on `sale_date` (the business's date). Due dates fall on the same
/// day of each following month, or the month's last day when it is shorter (31 Jan → 28 or
/// 29 Feb → 31 Mar): each is counted from the sale date, never from the previous due date.
pub fn plan(
    total: Money,
    down_payment: Money,
    term_months: i64,
    offered: &[i64],
    rate_bp: i64,
    sale_date: NaiveDate,
) -> Result<PlanFigures, PlanError> {
    if !offered.contains(&term_months) || !(1..=MAX_TERM).contains(&term_months) {
        return Err(PlanError::Term {
            offered: offered.to_vec(),
        });
    }
    if down_payment.0 < 0 || down_payment.0 > total.0 {
        return Err(PlanError::DownPaymentAboveTotal { total });
    }
    let financed = Money(total.0 - down_payment.0);
    let interest = financed.percent_bp(rate_bp).ok_or(PlanError::TooLarge)?;
    let balance = financed.checked_add(interest).ok_or(PlanError::TooLarge)?;
    let monthly = Money(balance.0 / term_months);
    let last = Money(balance.0 - monthly.0 * (term_months - 1));
    let schedule = (1..=term_months)
        .map(|seq| {
            let due_date = sale_date
                .checked_add_months(Months::new(seq as u32))
                .ok_or(PlanError::TooLarge)?;
            let amount = if seq == term_months { last } else { monthly };
            Ok(Due {
                seq,
                due_date,
                amount,
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    Ok(PlanFigures {
        total,
        down_payment,
        financed,
        interest,
        balance,
        monthly,
        schedule,
    })
}

/// An instalment as stored: its amount and what is paid of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueState {
    pub id: i64,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub paid: Money,
}

impl DueState {
    pub fn open(&self) -> Money {
        Money(self.amount.0 - self.paid.0)
    }
}

/// How a payment of `amount` is spread: the oldest unpaid instalments first. Answers the
/// amount each instalment receives (in schedule order), or the refusal when it is not more
/// than zero or more than what is still owed.
pub fn allocate(dues: &[DueState], amount: Money) -> Result<Vec<(i64, Money)>, PaymentError> {
    let remaining: i64 = dues.iter().map(|d| d.open().0).sum();
    if amount.0 <= 0 {
        return Err(PaymentError::NotPositive);
    }
    if amount.0 > remaining {
        return Err(PaymentError::Overpayment {
            remaining: Money(remaining),
        });
    }
    let mut left = amount.0;
    let mut out = Vec::new();
    for d in dues {
        if left == 0 {
            break;
        }
        let take = d.open().0.min(left);
        if take > 0 {
            out.push((d.id, Money(take)));
            left -= take;
        }
    }
    Ok(out)
}

/// The first instalment not fully paid after the payments, if any: the plan's next due date.
pub fn next_due(dues: &[DueState]) -> Option<NaiveDate> {
    dues.iter().find(|d| d.open().0 > 0).map(|d| d.due_date)
}

/// Days the plan is overdue on `today` (business date): since its oldest unpaid due date, or
/// zero when that date has not passed.
pub fn days_overdue(next_due: Option<NaiveDate>, today: NaiveDate) -> i64 {
    next_due.map_or(0, |d| (today - d).num_days().max(0))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentError {
    NotPositive,
    Overpayment { remaining: Money },
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentError::NotPositive => write!(f, "Enter an amount more than zero."),
            PaymentError::Overpayment { remaining } => write!(
                f,
                "That is more than the remaining balance of {}.",
                remaining.grouped()
            ),
        }
    }
}

/// Reads the terms setting ("3,6,12"): whole months from 1 to 60, in order, without repeats;
/// the defaults when it is missing or unreadable.
pub fn parse_terms(raw: Option<&str>) -> Vec<i64> {
    let parsed: Option<Vec<i64>> = raw.and_then(|r| {
        r.split(',')
            .map(|t| {
                t.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|t| (1..=MAX_TERM).contains(t))
            })
            .collect()
    });
    match parsed {
        Some(mut terms) if !terms.is_empty() => {
            terms.sort_unstable();
            terms.dedup();
            terms
        }
        _ => DEFAULT_TERMS.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sums(p: &PlanFigures) -> i64 {
        p.schedule.iter().map(|d| d.amount.0).sum()
    }

    #[test]
    fn the_schedule_sums_exactly_to_the_balance() {
        // 25,000.00 with 5,000.00 down, 3 %: financed 20,000.00, interest 600.00.
        let p = plan(
            Money(2_500_000),
            Money(500_000),
            6,
            &[3, 6, 12],
            300,
            d(2026, 1, 15),
        )
        .unwrap();
        assert_eq!(p.financed, Money(2_000_000));
        assert_eq!(p.interest, Money(60_000));
        assert_eq!(p.balance, Money(2_060_000));
        assert_eq!(p.monthly, Money(343_333));
        assert_eq!(p.schedule.len(), 6);
        assert_eq!(p.schedule[5].amount, Money(343_335));
        assert_eq!(sums(&p), p.balance.0);
        for term in [3, 6, 12] {
            for total in [1, 99, 100_001, 123_456_789] {
                let p = plan(
                    Money(total),
                    Money(0),
                    term,
                    &[3, 6, 12],
                    300,
                    d(2026, 3, 1),
                )
                .unwrap();
                assert_eq!(sums(&p), p.balance.0, "{total} over {term}");
                assert_eq!(p.schedule.len() as i64, term);
            }
        }
    }

    #[test]
    fn interest_is_rounded_once_half_up() {
        // 0.50 financed at 3 % is 0.015 → 0.02.
        let p = plan(Money(50), Money(0), 3, &[3], 300, d(2026, 1, 1)).unwrap();
        assert_eq!(p.interest, Money(2));
        // 0.49 at 3 % is 0.0147 → 0.01.
        let p = plan(Money(49), Money(0), 3, &[3], 300, d(2026, 1, 1)).unwrap();
        assert_eq!(p.interest, Money(1));
    }

    #[test]
    fn due_dates_keep_the_day_or_take_the_month_end() {
        let p = plan(Money(300_000), Money(0), 3, &[3], 300, d(2026, 1, 31)).unwrap();
        let dates: Vec<NaiveDate> = p.schedule.iter().map(|s| s.due_date).collect();
        assert_eq!(dates, vec![d(2026, 2, 28), d(2026, 3, 31), d(2026, 4, 30)]);
        let leap = plan(Money(300_000), Money(0), 3, &[3], 300, d(2028, 1, 31)).unwrap();
        assert_eq!(leap.schedule[0].due_date, d(2028, 2, 29));
        assert_eq!(leap.schedule[1].due_date, d(2028, 3, 31));
        let year = plan(Money(1_200_000), Money(0), 12, &[12], 300, d(2026, 11, 30)).unwrap();
        assert_eq!(year.schedule[2].due_date, d(2027, 2, 28));
        assert_eq!(year.schedule[11].due_date, d(2027, 11, 30));
    }

    #[test]
    fn a_down_payment_of_the_whole_total_finances_nothing() {
        let p = plan(Money(99_900), Money(99_900), 3, &[3], 300, d(2026, 1, 1)).unwrap();
        assert_eq!(
            (p.financed, p.interest, p.balance),
            (Money::ZERO, Money::ZERO, Money::ZERO)
        );
        assert!(p.schedule.iter().all(|s| s.amount == Money::ZERO));
        assert_eq!(
            plan(Money(99_900), Money(99_901), 3, &[3], 300, d(2026, 1, 1)),
            Err(PlanError::DownPaymentAboveTotal {
                total: Money(99_900)
            })
        );
    }

    #[test]
    fn only_offered_terms() {
        let e = plan(Money(100), Money(0), 4, &[3, 6, 12], 300, d(2026, 1, 1)).unwrap_err();
        assert_eq!(e.to_string(), "Choose a term of 3, 6, 12 months.");
        assert_eq!(parse_terms(Some("12, 3,6,3")), vec![3, 6, 12]);
        assert_eq!(parse_terms(Some("0,6")), DEFAULT_TERMS.to_vec());
        assert_eq!(parse_terms(Some("")), DEFAULT_TERMS.to_vec());
        assert_eq!(parse_terms(None), DEFAULT_TERMS.to_vec());
        assert_eq!(parse_terms(Some("24")), vec![24]);
    }

    fn due(id: i64, amount: i64, paid: i64) -> DueState {
        DueState {
            id,
            due_date: d(2026, id as u32, 1),
            amount: Money(amount),
            paid: Money(paid),
        }
    }

    #[test]
    fn payments_go_to_the_oldest_unpaid_instalment_first() {
        let dues = [
            due(1, 1000, 1000),
            due(2, 1000, 400),
            due(3, 1000, 0),
            due(4, 1002, 0),
        ];
        assert_eq!(
            allocate(&dues, Money(1200)).unwrap(),
            vec![(2, Money(600)), (3, Money(600))]
        );
        assert_eq!(allocate(&dues, Money(300)).unwrap(), vec![(2, Money(300))]);
        assert_eq!(
            allocate(&dues, Money(2603)),
            Err(PaymentError::Overpayment {
                remaining: Money(2602)
            })
        );
        assert_eq!(
            PaymentError::Overpayment {
                remaining: Money(300_200)
            }
            .to_string(),
            "That is more than the remaining balance of 3,002.00."
        );
        assert_eq!(allocate(&dues, Money(0)), Err(PaymentError::NotPositive));
        assert_eq!(allocate(&dues, Money(-5)), Err(PaymentError::NotPositive));
        assert_eq!(allocate(&dues, Money(2602)).unwrap().len(), 3);
        // The next due date moves only when an instalment is fully paid.
        assert_eq!(next_due(&dues), Some(d(2026, 2, 1)));
        let later = [due(1, 1000, 1000), due(2, 1000, 1000), due(3, 1000, 10)];
        assert_eq!(next_due(&later), Some(d(2026, 3, 1)));
        assert_eq!(next_due(&[due(1, 5, 5)]), None);
    }

    #[test]
    fn overdue_days_count_from_the_oldest_unpaid_due_date() {
        assert_eq!(days_overdue(Some(d(2026, 3, 1)), d(2026, 3, 1)), 0);
        assert_eq!(days_overdue(Some(d(2026, 3, 1)), d(2026, 3, 2)), 1);
        assert_eq!(days_overdue(Some(d(2026, 3, 1)), d(2026, 2, 20)), 0);
        assert_eq!(days_overdue(None, d(2026, 3, 2)), 0);
    }
}
