//! The money rules of a sale, without I/O: line totals, VAT, change, commission, OR numbers.
//! Rounding: once per receipt for VAT and once per order for commission, half away from zero
//! ("half-up") to the minor unit.

use rust_decimal::Decimal;

use crate::platform::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VatSettings {
    /// 1200 = 12 %.
    pub rate_bp: i64,
    /// Shelf prices already contain VAT (the Philippine default).
    pub prices_include_vat: bool,
}

impl Default for VatSettings {
    fn default() -> Self {
        VatSettings {
            rate_bp: 1200,
            prices_include_vat: true,
        }
    }
}

/// What the receipt shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptTotals {
    /// Sales before VAT.
    pub vatable: Money,
    pub vat: Money,
    /// What the customer pays.
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("The amount is too large to compute.")]
    Overflow,
}

/// `unit × qty` with overflow refused.
pub fn line_total(unit: Money, qty: i64) -> Result<Money, PricingError> {
    unit.checked_mul(qty).ok_or(PricingError::Overflow)
}

/// VAT for the sum of the line totals, rounded once.
pub fn receipt_totals(lines_sum: Money, vat: VatSettings) -> Result<ReceiptTotals, PricingError> {
    let rate = Decimal::new(vat.rate_bp, 0);
    if vat.prices_include_vat {
        // VAT inside a VAT-inclusive total: total × rate / (100 % + rate).
        let v = Money::from_decimal_rounded(
            lines_sum.to_decimal() * rate / (Decimal::new(10_000, 0) + rate),
        )
        .ok_or(PricingError::Overflow)?;
        Ok(ReceiptTotals {
            vatable: Money(lines_sum.0 - v.0),
            vat: v,
            total: lines_sum,
        })
    } else {
        let v = lines_sum
            .percent_bp(vat.rate_bp)
            .ok_or(PricingError::Overflow)?;
        let total = lines_sum.checked_add(v).ok_or(PricingError::Overflow)?;
        Ok(ReceiptTotals {
            vatable: lines_sum,
            vat: v,
            total,
        })
    }
}

/// Commission on the order total at `rate_bp` (500 = 5 %).
pub fn commission(total: Money, rate_bp: i64) -> Money {
    total.percent_bp(rate_bp).unwrap_or(Money::ZERO)
}

/// `MNL-000124`.
pub fn or_number(branch_code: &str, number: i64) -> String {
    format!("{branch_code}-{number:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_inside_inclusive_prices() {
        let t = receipt_totals(Money(112_000), VatSettings::default()).unwrap();
        assert_eq!(
            (t.vatable, t.vat, t.total),
            (Money(100_000), Money(12_000), Money(112_000))
        );
        // 999.99 incl. 12 % → VAT 107.1417… → 107.14
        let t = receipt_totals(Money(99_999), VatSettings::default()).unwrap();
        assert_eq!(t.vat, Money(10_714));
        assert_eq!(t.vatable.0 + t.vat.0, 99_999);
    }

    #[test]
    fn vat_on_top_of_exclusive_prices() {
        let t = receipt_totals(
            Money(100_050),
            VatSettings {
                rate_bp: 1200,
                prices_include_vat: false,
            },
        )
        .unwrap();
        // 1000.50 × 12 % = 120.06
        assert_eq!((t.vat, t.total), (Money(12_006), Money(112_056)));
    }

    #[test]
    fn exactly_half_a_centavo_rounds_up() {
        // 0.42 incl. 12 %: 42 × 12 / 112 = 4.5 centavos → 5 (half-to-even would give 4).
        let t = receipt_totals(Money(42), VatSettings::default()).unwrap();
        assert_eq!((t.vat, t.vatable), (Money(5), Money(37)));
        // 0.10 plus 5 %: 0.5 centavo → 1 (half-to-even would give 0).
        let five = VatSettings {
            rate_bp: 500,
            prices_include_vat: false,
        };
        assert_eq!(receipt_totals(Money(10), five).unwrap().vat, Money(1));
    }

    #[test]
    fn vat_is_rounded_on_the_receipt_not_per_line() {
        // Two lines of 0.05 incl. 12 %: per line 0.536 → 1 centavo each, 2 in all; on the
        // receipt's 0.10 it is 1.07 → 1 centavo. The receipt's figure is the rule.
        let per_line: i64 = (0..2)
            .map(|_| {
                receipt_totals(Money(5), VatSettings::default())
                    .unwrap()
                    .vat
                    .0
            })
            .sum();
        let once = receipt_totals(Money(10), VatSettings::default())
            .unwrap()
            .vat;
        assert_eq!((per_line, once), (2, Money(1)));
    }

    #[test]
    fn small_amounts_round_half_up() {
        // 0.28 incl. 12 %: 28 × 12 / 112 = 3.0 centavos exactly
        assert_eq!(
            receipt_totals(Money(28), VatSettings::default())
                .unwrap()
                .vat,
            Money(3)
        );
        // 0.07 incl. 12 %: 0.75 centavos → rounds up to 0.01
        assert_eq!(
            receipt_totals(Money(7), VatSettings::default())
                .unwrap()
                .vat,
            Money(1)
        );
        assert_eq!(
            receipt_totals(Money(0), VatSettings::default())
                .unwrap()
                .vat,
            Money(0)
        );
    }

    #[test]
    fn commission_is_a_percentage() {
        assert_eq!(commission(Money(100_000), 500), Money(5_000));
        assert_eq!(commission(Money(101), 500), Money(5)); // 5.05 centavos → 5
        assert_eq!(commission(Money(110), 500), Money(6)); // 5.5 → 6
        assert_eq!(commission(Money(100_000), 0), Money(0));
    }

    #[test]
    fn overflow_is_refused() {
        assert!(line_total(Money(i64::MAX / 2), 3).is_err());
        assert_eq!(line_total(Money(150), 3).unwrap(), Money(450));
    }

    #[test]
    fn or_numbers_are_padded() {
        assert_eq!(or_number("MNL", 124), "MNL-000124");
        assert_eq!(or_number("CEB", 1_234_567), "CEB-1234567");
    }
}
