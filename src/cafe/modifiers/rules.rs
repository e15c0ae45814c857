//! Modifier rules, pure: which options a line may carry, what they add to its price, and what
//! a manager may type for a group or an option. The form only ever names option ids; every
//! name and price comes from the database, so a tampered price in a request changes nothing.

use crate::platform::error::AppError;
use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;

/// The most options of one group a line may carry, and the most groups on one item.
pub const MAX_CHOICES: i64 = 10;
pub const MAX_GROUPS_PER_ITEM: usize = 12;
/// The most option ids one line of a form may name (more is a tampered form).
pub const MAX_PICKED: usize = 60;
/// The most an option may add to an item's price, in minor units (100,000.00).
pub const MAX_DELTA_MINOR: i64 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    pub id: i64,
    pub name: String,
    pub min: i64,
    pub max: i64,
}

impl GroupRule {
    /// What the guest is told beside the group: "Choose 1", "Up to 1", "Choose 1 to 3".
    pub fn hint(&self) -> String {
        match (self.min, self.max) {
            (a, b) if a == b => format!("Choose {a}"),
            (0, b) => format!("Up to {b}"),
            (a, b) => format!("Choose {a} to {b}"),
        }
    }

    /// One choice at most: radio buttons rather than checkboxes.
    pub fn single(&self) -> bool {
        self.max == 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionRule {
    pub id: i64,
    pub name: String,
    pub delta_minor: i64,
    pub in_stock: bool,
}

impl OptionRule {
    pub fn delta(&self) -> Money {
        Money(self.delta_minor)
    }
}

/// The groups an item offers, in order, each with its orderable options (archived ones are
/// left out by the query; out-of-stock ones stay, to be shown as such).
pub type Offered = Vec<(GroupRule, Vec<OptionRule>)>;

/// One option on a line, as the line keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub option_id: i64,
    pub group: String,
    pub option: String,
    pub delta_minor: i64,
}

/// Checks a line's picked option ids against what the item offers and returns them in the
/// menu's order. Every id must be an option of one of the item's groups, each group's count
/// between its minimum and maximum, and every option in stock.
pub fn choose(item: &str, offered: &Offered, picked: &[i64]) -> Result<Vec<Chosen>, AppError> {
    if picked.len() > MAX_PICKED {
        return Err(AppError::BadRequest("Too many options in one line.".into()));
    }
    for (i, id) in picked.iter().enumerate() {
        if picked[..i].contains(id) {
            return Err(AppError::BadRequest(format!(
                "The same option was chosen twice for {item}."
            )));
        }
        if !offered
            .iter()
            .any(|(_, opts)| opts.iter().any(|o| o.id == *id))
        {
            return Err(AppError::Unprocessable(format!(
                "One of the options chosen for {item} is not offered any more. Please reload the menu."
            )));
        }
    }
    let mut out = Vec::new();
    for (g, opts) in offered {
        let mine: Vec<&OptionRule> = opts.iter().filter(|o| picked.contains(&o.id)).collect();
        let n = mine.len() as i64;
        if n < g.min {
            let any = opts.iter().any(|o| o.in_stock);
            return Err(AppError::Unprocessable(if !any {
                format!(
                    "Sorry, {item} cannot be ordered right now: no {} is available.",
                    g.name
                )
            } else if g.min == 1 {
                format!("Choose a {} for {item}.", g.name)
            } else {
                format!("Choose at least {} {} for {item}.", g.min, g.name)
            }));
        }
        if n > g.max {
            return Err(AppError::Unprocessable(if g.max == 1 {
                format!("Choose only one {} for {item}.", g.name)
            } else {
                format!("Choose at most {} {} for {item}.", g.max, g.name)
            }));
        }
        for o in mine {
            if !o.in_stock {
                return Err(AppError::Conflict(format!(
                    "Sorry, {} is out right now. Please choose another {} for {item}.",
                    o.name, g.name
                )));
            }
            out.push(Chosen {
                option_id: o.id,
                group: g.name.clone(),
                option: o.name.clone(),
                delta_minor: o.delta_minor,
            });
        }
    }
    Ok(out)
}

/// The item's price with its options: `None` past what a line can hold.
pub fn unit_price(base: Money, chosen: &[Chosen]) -> Option<Money> {
    chosen
        .iter()
        .try_fold(base, |sum, c| sum.checked_add(Money(c.delta_minor)))
}

/// The options as the kitchen, the bill and the receipt print them: "Large · Oat milk".
pub fn describe(chosen: &[Chosen]) -> String {
    chosen
        .iter()
        .map(|c| c.option.as_str())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInput {
    pub name: String,
    pub min: i64,
    pub max: i64,
}

/// A group as a manager types it: a name, and how many options a guest must and may choose.
pub fn group_input(name: &str, min: &str, max: &str) -> Result<GroupInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(name, "name", "The group's name", 60, true, &mut errors);
    let min = forms::whole_number(
        min,
        "min",
        "The fewest choices",
        (0, MAX_CHOICES),
        None,
        &mut errors,
    );
    let max = forms::whole_number(
        max,
        "max",
        "The most choices",
        (1, MAX_CHOICES),
        None,
        &mut errors,
    );
    if errors.is_empty() && min > max {
        errors.add(
            "min",
            "The fewest choices cannot be more than the most choices.",
        );
    }
    errors.into_result(GroupInput { name, min, max })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionInput {
    pub name: String,
    pub delta: Money,
    pub sort_order: i64,
}

/// An option as a manager types it: a name, what it adds to the price (empty for nothing), and
/// its place in the group.
pub fn option_input(name: &str, delta: &str, sort_order: &str) -> Result<OptionInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(name, "name", "The option's name", 60, true, &mut errors);
    let delta = match delta.trim() {
        "" => Money::ZERO,
        raw => match Money::parse_input(raw) {
            Ok(m) if (0..=MAX_DELTA_MINOR).contains(&m.0) => m,
            Ok(m) if m.0 < 0 => {
                errors.add("delta", "An option cannot take money off: use 0 or more.");
                Money::ZERO
            }
            _ => {
                errors.add(
                    "delta",
                    "Type what the option adds as an amount, like 30 or 30.00 (at most 100000).",
                );
                Money::ZERO
            }
        },
    };
    let sort_order = forms::whole_number(
        sort_order,
        "sort_order",
        "The order",
        (0, 999),
        Some(0),
        &mut errors,
    );
    errors.into_result(OptionInput {
        name,
        delta,
        sort_order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latte() -> Offered {
        let g = |id, name: &str, min, max| GroupRule {
            id,
            name: name.into(),
            min,
            max,
        };
        let o = |id, name: &str, delta, in_stock| OptionRule {
            id,
            name: name.into(),
            delta_minor: delta,
            in_stock,
        };
        vec![
            (
                g(1, "Size", 1, 1),
                vec![
                    o(10, "Small", 0, true),
                    o(11, "Regular", 2000, true),
                    o(12, "Large", 4000, true),
                ],
            ),
            (
                g(2, "Milk", 0, 1),
                vec![o(20, "Whole", 0, true), o(21, "Oat", 3000, true)],
            ),
            (
                g(3, "Extras", 0, 3),
                vec![
                    o(30, "Extra shot", 4000, true),
                    o(31, "Whipped cream", 1500, true),
                    o(32, "Caramel", 1000, false),
                ],
            ),
        ]
    }

    #[test]
    fn a_latte_with_oat_milk_and_an_extra_shot_is_priced_from_the_menu() {
        let c = choose("Latte", &latte(), &[30, 21, 11]).unwrap();
        assert_eq!(describe(&c), "Regular · Oat · Extra shot");
        assert_eq!(
            unit_price(Money(18000), &c),
            Some(Money(18000 + 2000 + 3000 + 4000))
        );
        assert_eq!(c[1].group, "Milk");
    }

    #[test]
    fn each_group_keeps_to_its_minimum_and_maximum() {
        let e = |p: &[i64]| choose("Latte", &latte(), p).unwrap_err().to_string();
        assert!(e(&[]).contains("Choose a Size for Latte"), "{}", e(&[]));
        assert!(e(&[10, 12]).contains("only one Size"));
        assert!(e(&[10, 20, 21]).contains("only one Milk"));
        let mut g = latte();
        g[2].0.max = 1;
        assert!(choose("Latte", &g, &[10, 30, 31])
            .unwrap_err()
            .to_string()
            .contains("only one Extras"));
        g[2].0 = GroupRule {
            id: 3,
            name: "Extras".into(),
            min: 2,
            max: 2,
        };
        let e2 = choose("Latte", &g, &[10, 30]).unwrap_err().to_string();
        assert!(e2.contains("at least 2 Extras"), "{e2}");
        assert!(choose("Latte", &g, &[10, 30, 31]).is_ok());
        // Nothing but the size is fine: milk and extras are optional.
        assert_eq!(choose("Latte", &latte(), &[10]).unwrap().len(), 1);
    }

    #[test]
    fn out_of_stock_foreign_and_repeated_options_are_refused() {
        let e = |p: &[i64]| choose("Latte", &latte(), p).unwrap_err();
        assert!(matches!(e(&[10, 32]), AppError::Conflict(m) if m.contains("Caramel is out")));
        assert!(matches!(e(&[10, 99]), AppError::Unprocessable(m) if m.contains("not offered")));
        assert!(matches!(e(&[10, 10]), AppError::BadRequest(_)));
        let many: Vec<i64> = (0..61).collect();
        assert!(matches!(e(&many), AppError::BadRequest(_)));
        // A required group with nothing in stock says the item cannot be had.
        let mut g = latte();
        for o in &mut g[0].1 {
            o.in_stock = false;
        }
        let m = choose("Latte", &g, &[]).unwrap_err().to_string();
        assert!(m.contains("cannot be ordered right now"), "{m}");
        // An item without groups takes no options at all.
        assert!(choose("Tea", &vec![], &[]).unwrap().is_empty());
        assert!(choose("Tea", &vec![], &[10]).is_err());
    }

    #[test]
    fn hints_and_limits() {
        let g = |min, max| GroupRule {
            id: 1,
            name: "X".into(),
            min,
            max,
        };
        assert_eq!(g(1, 1).hint(), "Choose 1");
        assert_eq!(g(0, 1).hint(), "Up to 1");
        assert_eq!(g(1, 3).hint(), "Choose 1 to 3");
        assert!(g(0, 1).single() && !g(0, 3).single());
        assert_eq!(
            unit_price(Money(i64::MAX), &choose("Latte", &latte(), &[11]).unwrap()),
            None
        );
    }

    #[test]
    fn what_a_manager_types_is_checked() {
        assert_eq!(
            group_input(" Size ", "1", "1").unwrap(),
            GroupInput {
                name: "Size".into(),
                min: 1,
                max: 1
            }
        );
        assert!(group_input("", "0", "1").is_err());
        assert!(group_input("\u{200b}", "0", "1").is_err());
        assert!(group_input("Size", "2", "1").is_err());
        assert!(group_input("Size", "-1", "1").is_err());
        assert!(group_input("Size", "0", "0").is_err());
        assert!(group_input("Size", "0", "11").is_err());
        assert!(group_input(&"s".repeat(61), "0", "1").is_err());
        let o = option_input("Oat milk", "30", "").unwrap();
        assert_eq!((o.delta, o.sort_order), (Money(3000), 0));
        assert_eq!(option_input("Whole", "", "2").unwrap().delta, Money::ZERO);
        for bad in ["-5", "abc", "100001", "1e3"] {
            assert!(option_input("X", bad, "").is_err(), "{bad}");
        }
        assert!(option_input("", "1", "").is_err());
        assert!(option_input("X", "1", "1000").is_err());
    }
}
