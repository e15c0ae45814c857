//! The allergens a menu item can be marked with: a fixed list to tick, plus free text.

/// One allergen a menu item can be ticked with: its stored code and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allergen {
    pub code: &'static str,
    pub label: &'static str,
}

pub const ALL: &[Allergen] = &[
    Allergen {
        code: "gluten",
        label: "Gluten",
    },
    Allergen {
        code: "dairy",
        label: "Dairy",
    },
    Allergen {
        code: "egg",
        label: "Egg",
    },
    Allergen {
        code: "nuts",
        label: "Tree nuts",
    },
    Allergen {
        code: "peanuts",
        label: "Peanuts",
    },
    Allergen {
        code: "soy",
        label: "Soy",
    },
    Allergen {
        code: "fish",
        label: "Fish",
    },
    Allergen {
        code: "shellfish",
        label: "Shellfish",
    },
    Allergen {
        code: "sesame",
        label: "Sesame",
    },
    Allergen {
        code: "mustard",
        label: "Mustard",
    },
    Allergen {
        code: "celery",
        label: "Celery",
    },
    Allergen {
        code: "sulphites",
        label: "Sulphites",
    },
];

/// Keeps the known codes, in the list's order, once each; `None` if any code is unknown.
pub fn normalise<'a>(codes: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let picked: Vec<&str> = codes.into_iter().map(str::trim).collect();
    if picked.iter().any(|c| !ALL.iter().any(|a| a.code == *c)) {
        return None;
    }
    Some(
        ALL.iter()
            .filter(|a| picked.contains(&a.code))
            .map(|a| a.code)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Words in a note that a cook must not miss: the allergens, their everyday names, and the
/// words people use to say it (lower case; a word matches when it starts with one of these).
const ALERT_WORDS: &[&str] = &[
    "allerg",
    "gluten",
    "wheat",
    "dairy",
    "milk",
    "lactose",
    "cheese",
    "cream",
    "butter",
    "egg",
    "nut",
    "peanut",
    "almond",
    "cashew",
    "walnut",
    "soy",
    "fish",
    "shellfish",
    "shrimp",
    "prawn",
    "crab",
    "sesame",
    "mustard",
    "celery",
    "sulphite",
    "sulfite",
    "vegan",
    "celiac",
    "coeliac",
];

/// A note split into runs of text, each marked when it is an allergy word ("No *nuts*, *allergic*").
pub fn highlight(note: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut push = |text: &str, hot: bool| match out.last_mut() {
        Some((t, h)) if *h == hot => t.push_str(text),
        _ => out.push((text.to_string(), hot)),
    };
    let mut word = String::new();
    let flush = |word: &mut String, push: &mut dyn FnMut(&str, bool)| {
        if !word.is_empty() {
            let lc = word.to_lowercase();
            let hot = ALERT_WORDS.iter().any(|a| lc.starts_with(a));
            push(word, hot);
            word.clear();
        }
    };
    for c in note.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut push);
            push(&c.to_string(), false);
        }
    }
    flush(&mut word, &mut push);
    out
}

/// Labels for a stored list, e.g. "Gluten, Dairy".
pub fn labels(stored: &str) -> Vec<&'static str> {
    stored
        .split(',')
        .filter_map(|c| ALL.iter().find(|a| a.code == c).map(|a| a.label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_known_codes_in_order() {
        assert_eq!(
            normalise(["dairy", "gluten", "dairy"]),
            Some("gluten,dairy".into())
        );
        assert_eq!(normalise([]), Some(String::new()));
        assert_eq!(normalise(["gluten", "plutonium"]), None);
        assert_eq!(labels("gluten,sesame"), vec!["Gluten", "Sesame"]);
        assert!(labels("").is_empty());
    }
}

#[cfg(test)]
mod highlight_tests {
    use super::highlight;

    #[test]
    fn marks_allergy_words() {
        assert_eq!(
            highlight("No nuts please, ALLERGIC!"),
            vec![
                ("No ".to_string(), false),
                ("nuts".to_string(), true),
                (" please, ".to_string(), false),
                ("ALLERGIC".to_string(), true),
                ("!".to_string(), false),
            ]
        );
        assert_eq!(
            highlight("extra spicy"),
            vec![("extra spicy".to_string(), false)]
        );
        assert!(highlight("").is_empty());
        // "eggplant" starts with "egg": a false alarm is cheaper than a missed allergy.
        assert!(highlight("eggplant")[0].1);
    }
}
