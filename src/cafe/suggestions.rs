//! What a returning guest sees: their top picks (from their own orders only) and what is
//! trending. The seed's rules (§4.7): top picks by total quantity, ties to the most recent;
//! three of each, trending items not already among the picks.

use std::collections::HashMap;

use chrono::NaiveDateTime;

/// One past order line of this visitor: item, quantity, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastLine {
    pub menu_item_id: i64,
    pub quantity: i64,
    pub at: NaiveDateTime,
}

/// The `n` items this visitor ordered most, most recent first among equals.
pub fn top_picks(history: &[PastLine], n: usize) -> Vec<i64> {
    let mut totals: HashMap<i64, (i64, NaiveDateTime)> = HashMap::new();
    for l in history {
        let e = totals.entry(l.menu_item_id).or_insert((0, l.at));
        e.0 += l.quantity;
        e.1 = e.1.max(l.at);
    }
    let mut ranked: Vec<(i64, (i64, NaiveDateTime))> = totals.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(b.1 .1.cmp(&a.1 .1))
            .then(a.0.cmp(&b.0))
    });
    ranked.into_iter().take(n).map(|(id, _)| id).collect()
}

/// Trending items (already in menu order) that are not among the picks.
pub fn trending_besides(trending: &[i64], picks: &[i64], n: usize) -> Vec<i64> {
    trending
        .iter()
        .filter(|id| !picks.contains(id))
        .take(n)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn most_ordered_first_ties_to_the_most_recent() {
        let h = [
            PastLine {
                menu_item_id: 1,
                quantity: 2,
                at: at(9),
            },
            PastLine {
                menu_item_id: 2,
                quantity: 1,
                at: at(10),
            },
            PastLine {
                menu_item_id: 3,
                quantity: 3,
                at: at(8),
            },
            PastLine {
                menu_item_id: 2,
                quantity: 1,
                at: at(12),
            },
            PastLine {
                menu_item_id: 4,
                quantity: 1,
                at: at(13),
            },
        ];
        // 3 → 3, then 1 and 2 with 2 each (2 more recent), then 4.
        assert_eq!(top_picks(&h, 3), vec![3, 2, 1]);
        assert_eq!(top_picks(&[], 3), Vec::<i64>::new());
    }

    #[test]
    fn trending_skips_picks() {
        assert_eq!(trending_besides(&[5, 3, 7, 9], &[3], 3), vec![5, 7, 9]);
        assert_eq!(trending_besides(&[5], &[5], 3), Vec::<i64>::new());
    }
}
