//! The allergens a menu item can be marked with: a fixed list to tick, plus free text.

pub const ALL: &[(&str, &str)] = &[
    ("gluten", "Gluten"),
    ("dairy", "Dairy"),
    ("egg", "Egg"),
    ("nuts", "Tree nuts"),
    ("peanuts", "Peanuts"),
    ("soy", "Soy"),
    ("fish", "Fish"),
    ("shellfish", "Shellfish"),
    ("sesame", "Sesame"),
    ("mustard", "Mustard"),
    ("celery", "Celery"),
    ("sulphites", "Sulphites"),
];

/// Keeps the known codes, in the list's order, once each; `None` if any code is unknown.
pub fn normalise<'a>(codes: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let picked: Vec<&str> = codes.into_iter().map(str::trim).collect();
    if picked.iter().any(|c| !ALL.iter().any(|(k, _)| k == c)) {
        return None;
    }
    Some(
        ALL.iter()
            .filter(|(k, _)| picked.contains(k))
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Labels for a stored list, e.g. "Gluten, Dairy".
pub fn labels(stored: &str) -> Vec<&'static str> {
    stored
        .split(',')
        .filter_map(|c| ALL.iter().find(|(k, _)| *k == c).map(|(_, l)| *l))
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
