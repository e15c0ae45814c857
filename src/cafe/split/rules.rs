//! Split rules, pure: which lines go to which part, the parts by seats, and an even share.

/// The most parts a bill splits into.
pub const MAX_PARTS: usize = 12;

/// Checks the parts a waiter chose: `picked` is (line, part) for lines of the bill (`lines`);
/// a line of the bill not named stays on part 1 (ordered after the page was shown). Returns
/// the lines of each part, part 1 first; every line is in exactly one part and no part is
/// empty.
pub fn assign(
    lines: &[i64],
    picked: &[(i64, usize)],
    parts: usize,
) -> Result<Vec<Vec<i64>>, String> {
    if !(2..=MAX_PARTS).contains(&parts) {
        return Err(format!("A bill splits into 2 to {MAX_PARTS} parts."));
    }
    let mut out: Vec<Vec<i64>> = vec![Vec::new(); parts];
    for (i, (line, part)) in picked.iter().enumerate() {
        if picked[..i].iter().any(|(l, _)| l == line) {
            return Err("A line was put in two parts.".into());
        }
        if !lines.contains(line) {
            return Err(
                "A line of the form is not on this bill any more: look at the bill again.".into(),
            );
        }
        if !(1..=parts).contains(part) {
            return Err(format!("Each line goes to a part from 1 to {parts}."));
        }
        out[part - 1].push(*line);
    }
    for line in lines {
        if !picked.iter().any(|(l, _)| l == line) {
            out[0].push(*line);
        }
    }
    if let Some(k) = out.iter().position(|p| p.is_empty()) {
        return Err(format!(
            "Part {} has nothing on it: give it a line, or split into fewer parts.",
            k + 1
        ));
    }
    Ok(out)
}

/// Parts by seat: one part per seat, lowest seat first; lines without a seat (shared) go to
/// the first part. Returns the number of parts and (line, part) for every line.
pub fn by_seats(lines: &[(i64, Option<i64>)]) -> (usize, Vec<(i64, usize)>) {
    let mut seats: Vec<i64> = lines.iter().filter_map(|(_, s)| *s).collect();
    seats.sort_unstable();
    seats.dedup();
    let part_of = |seat: Option<i64>| match seat {
        Some(s) => seats.iter().position(|x| *x == s).unwrap_or(0) + 1,
        None => 1,
    };
    let picked = lines.iter().map(|(l, s)| (*l, part_of(*s))).collect();
    (seats.len().max(1), picked)
}

/// `total` shared evenly by `n` guests, the remainder cents on the last one. Sums to `total`.
pub fn even_shares(total: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let each = total / n as i64;
    let mut v = vec![each; n];
    v[n - 1] = total - each * (n as i64 - 1);
    v
}

/// Why a bill cannot be split (by items, by seats or evenly), if it cannot: it is closed, it is
/// itself a part of a split bill, or it is already shared evenly among `shared_among`.
pub fn why_not_split(closed: bool, is_part: bool, shared_among: Option<i64>) -> Option<String> {
    if closed {
        Some("This bill is already closed.".into())
    } else if let Some(n) = shared_among {
        Some(format!(
            "This bill is already shared evenly among {n}: close the shares."
        ))
    } else if is_part {
        Some("This is already a part of a split bill: split the table's bill instead.".into())
    } else {
        None
    }
}

/// One share of an evenly split bill, as its sales record keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareFigures {
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// A bill shared evenly by `n`: the totals are [`even_shares`] (the remainder cents on the
/// last share); the discount and the tax are apportioned by each share's part of the total,
/// rounding the running sums (the discount down, the tax up) so that every share's figures
/// add up (subtotal − discount + tax = total), none is negative, and each column of the shares
/// sums to the bill's exactly. `bill` is (subtotal, discount, tax, total) with
/// total = subtotal − discount + tax.
pub fn even_bill_shares(bill: (i64, i64, i64, i64), n: usize) -> Vec<ShareFigures> {
    let (subtotal, discount, tax, total) = bill;
    let totals = even_shares(total, n);
    // Running sums: share i's part is the difference of the running sums at i and i − 1.
    let share_of = |whole: i64, upto: i64, up: bool| -> i64 {
        if total == 0 {
            return 0;
        }
        let num = whole as i128 * upto as i128;
        let (q, r) = (num / total as i128, num % total as i128);
        (q + i128::from(up && r != 0)) as i64
    };
    let mut out = Vec::with_capacity(n);
    let (mut upto, mut tax_before, mut disc_before) = (0i64, 0i64, 0i64);
    for (i, t) in totals.iter().enumerate() {
        upto += t;
        let last = i + 1 == n;
        let tax_upto = if last { tax } else { share_of(tax, upto, true) };
        let disc_upto = if last {
            discount
        } else {
            share_of(discount, upto, false)
        };
        let (tx, d) = (tax_upto - tax_before, disc_upto - disc_before);
        (tax_before, disc_before) = (tax_upto, disc_upto);
        out.push(ShareFigures {
            subtotal: t - tx + d,
            discount: d,
            tax: tx,
            total: *t,
        });
    }
    debug_assert_eq!(out.iter().map(|s| s.subtotal).sum::<i64>(), subtotal);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_to_parts_exactly_once() {
        let lines = [1, 2, 3, 4];
        let p = assign(&lines, &[(1, 1), (2, 2), (3, 2)], 2).unwrap();
        assert_eq!(
            p,
            vec![vec![1, 4], vec![2, 3]],
            "an unnamed line stays on part 1"
        );
        assert!(assign(&lines, &[(1, 1)], 2)
            .unwrap_err()
            .contains("Part 2 has nothing"));
        assert!(assign(&lines, &[(1, 1), (1, 2)], 2).is_err());
        assert!(assign(&lines, &[(9, 2)], 2)
            .unwrap_err()
            .contains("not on this bill"));
        assert!(assign(&lines, &[(1, 3)], 2).is_err());
        assert!(assign(&lines, &[(1, 0)], 2).is_err());
        assert!(assign(&lines, &[(1, 2)], 1).is_err());
        assert!(assign(&lines, &[(1, 2)], MAX_PARTS + 1).is_err());
    }

    #[test]
    fn only_an_open_whole_bill_is_split() {
        assert_eq!(why_not_split(false, false, None), None);
        assert!(why_not_split(true, false, None).unwrap().contains("closed"));
        assert!(why_not_split(false, true, None)
            .unwrap()
            .contains("part of"));
        assert!(why_not_split(false, true, Some(3))
            .unwrap()
            .contains("shared evenly among 3"));
    }

    #[test]
    fn seats_make_the_parts_and_shared_lines_go_first() {
        let (n, p) = by_seats(&[(1, Some(3)), (2, None), (3, Some(1)), (4, Some(3))]);
        assert_eq!(n, 2);
        assert_eq!(p, vec![(1, 2), (2, 1), (3, 1), (4, 2)]);
        assert_eq!(by_seats(&[(1, None)]).0, 1);
    }

    /// A small deterministic generator: the same random bills every run.
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn random_bills_split_into_parts_that_sum_exactly_to_the_bill() {
        let mut seed = 0x5eed_u64;
        for _ in 0..2000 {
            let n_lines = 2 + (rng(&mut seed) % 20) as usize;
            let amounts: Vec<(i64, i64)> = (0..n_lines)
                .map(|i| (i as i64 + 1, (rng(&mut seed) % 100_000) as i64))
                .collect();
            let ids: Vec<i64> = amounts.iter().map(|a| a.0).collect();
            let parts = 2 + (rng(&mut seed) as usize % (n_lines - 1).min(MAX_PARTS - 1));
            // Every part gets one line first, the rest anywhere.
            let picked: Vec<(i64, usize)> = ids
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    (
                        *l,
                        if i < parts {
                            i + 1
                        } else {
                            1 + rng(&mut seed) as usize % parts
                        },
                    )
                })
                .collect();
            let split = assign(&ids, &picked, parts).unwrap();
            let mut all: Vec<i64> = split.iter().flatten().copied().collect();
            all.sort_unstable();
            assert_eq!(all, ids, "every line exactly once");
            let value = |ls: &[i64]| -> i64 {
                ls.iter()
                    .map(|l| amounts.iter().find(|a| a.0 == *l).unwrap().1)
                    .sum()
            };
            let whole: i64 = value(&ids);
            assert_eq!(split.iter().map(|p| value(p)).sum::<i64>(), whole);
            let total = (rng(&mut seed) % 10_000_000) as i64;
            let n = 1 + rng(&mut seed) as usize % MAX_PARTS;
            let shares = even_shares(total, n);
            assert_eq!(shares.iter().sum::<i64>(), total);
            assert!(shares[..n - 1].iter().all(|s| *s == shares[0]));
            assert!(shares[n - 1] >= shares[0] && shares[n - 1] - shares[0] < n as i64);
        }
        assert!(even_shares(100, 0).is_empty());
    }

    #[test]
    fn an_even_split_of_a_bill_adds_up_share_by_share_and_in_all() {
        // A bill of 100.00 less 10.00, 5 % tax (4.50) = 94.50 by 4: 23.62 ×3 and 23.64 last.
        let s = even_bill_shares((10_000, 1_000, 450, 9_450), 4);
        assert_eq!(
            s.iter().map(|x| x.total).collect::<Vec<_>>(),
            vec![2_362, 2_362, 2_362, 2_364]
        );
        let mut seed = 0xb111_u64;
        for _ in 0..5000 {
            let subtotal = (rng(&mut seed) % 5_000_000) as i64;
            let discount = match rng(&mut seed) % 3 {
                0 => 0,
                _ => (rng(&mut seed) as i64).rem_euclid(subtotal + 1),
            };
            let rate = [0, 500, 1_200, 1_800, 2_800][rng(&mut seed) as usize % 5];
            let tax = ((subtotal - discount) * rate + 5_000) / 10_000;
            let total = subtotal - discount + tax;
            let n = 2 + rng(&mut seed) as usize % (MAX_PARTS - 1);
            let shares = even_bill_shares((subtotal, discount, tax, total), n);
            assert_eq!(shares.len(), n);
            let sum = |f: fn(&ShareFigures) -> i64| shares.iter().map(f).sum::<i64>();
            assert_eq!(sum(|x| x.subtotal), subtotal);
            assert_eq!(sum(|x| x.discount), discount);
            assert_eq!(sum(|x| x.tax), tax);
            assert_eq!(sum(|x| x.total), total);
            let totals: Vec<i64> = shares.iter().map(|x| x.total).collect();
            assert_eq!(
                totals,
                even_shares(total, n),
                "the remainder on the last share"
            );
            for x in &shares {
                assert!(x.subtotal >= 0 && x.discount >= 0 && x.tax >= 0, "{x:?}");
                assert!(x.discount <= x.subtotal, "{x:?}");
                assert_eq!(x.subtotal - x.discount + x.tax, x.total, "{x:?}");
            }
        }
    }
}
