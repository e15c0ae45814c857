//! Validation helpers shared by every form: field errors shown next to the field, and the
//! cleaning of the text people type.

use chrono::NaiveDate;

/// One option of a select list.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every field and its message, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    pub fn first(&self) -> &str {
        self.0.first().map(|(_, m)| m.as_str()).unwrap_or("")
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FormErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Characters that print nothing but change how text reads or compares: zero-width spaces and
/// joiners, bidirectional overrides and isolates, the soft hyphen, the byte-order mark, Hangul
/// fillers, invisible operators and tag characters. A name made of them looks empty; a bidi
/// override makes "Cola" display as something else on a receipt.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// What people typed, without invisible characters and surrounding whitespace. `Err` when
/// there was something but all of it was invisible (a name of zero-width spaces).
pub fn visible(raw: &str) -> Result<String, InvisibleOnly> {
    let kept: String = raw.chars().filter(|c| !is_invisible(*c)).collect();
    let value = kept.trim();
    if value.is_empty() && !raw.trim().is_empty() {
        return Err(InvisibleOnly);
    }
    Ok(value.to_string())
}

/// Text that consisted only of invisible characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvisibleOnly;

impl InvisibleOnly {
    pub fn message(label: &str) -> String {
        format!("{label} cannot be made only of invisible characters.")
    }
}

/// Trimmed text of at most `max` characters, without control or invisible characters. Empty
/// when optional.
pub fn text(
    raw: &str,
    field: &'static str,
    label: &str,
    max: usize,
    required: bool,
    errors: &mut FormErrors,
) -> String {
    let Ok(value) = visible(raw) else {
        errors.add(field, InvisibleOnly::message(label));
        return String::new();
    };
    let value = value.as_str();
    if value.is_empty() {
        if required {
            errors.add(field, format!("{label} is required."));
        }
        return String::new();
    }
    if value.chars().count() > max {
        errors.add(field, format!("{label} can be at most {max} characters."));
    } else if value.chars().any(|c| c.is_control()) {
        errors.add(field, format!("{label} cannot contain control characters."));
    }
    value.to_string()
}

pub fn optional_email(raw: &str, field: &'static str, errors: &mut FormErrors) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() {
        return None;
    }
    if !is_email(value) {
        errors.add(field, "Enter an e-mail address such as name@example.com.");
    }
    Some(value.to_ascii_lowercase())
}

pub fn is_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// Digits with the usual separators; stored as typed (trimmed).
pub fn optional_phone(raw: &str, field: &'static str, errors: &mut FormErrors) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() {
        return None;
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !allowed || !(5..=20).contains(&digits) || value.len() > 30 {
        errors.add(field, "Enter a phone number such as +63 912 345 6789.");
    }
    Some(value.to_string())
}

pub fn date(
    raw: &str,
    field: &'static str,
    label: &str,
    errors: &mut FormErrors,
) -> Option<NaiveDate> {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, format!("{label} is required."));
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, format!("{label} must be a date such as 2026-11-22."));
            None
        }
    }
}

/// An optional date filter in a query string; `Err` carries a readable message.
pub fn filter_date(raw: Option<&str>, label: &str) -> Result<Option<NaiveDate>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{label} must be a date such as 2026-11-22.")),
    }
}

/// A From/To range of days as typed in a report's query string: To defaults to `today`, From
/// to the `default_days` ending at To; a malformed or reversed range, or one longer than
/// `max_days`, is `Err` with the reason.
pub fn day_range(
    from: &str,
    to: &str,
    today: NaiveDate,
    default_days: i64,
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), String> {
    let to = filter_date(Some(to), "To")?.unwrap_or(today);
    let from =
        filter_date(Some(from), "From")?.unwrap_or(to - chrono::Duration::days(default_days - 1));
    if from > to {
        return Err(
            "The range starts after it ends: choose a From date before the To date.".into(),
        );
    }
    if (to - from).num_days() >= max_days {
        return Err(format!("Choose a range of at most {max_days} days."));
    }
    Ok((from, to))
}

/// A value that should have been an id from a list but is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnId;

/// An optional numeric id in a form or query (`""` means none).
pub fn optional_id(raw: &str) -> Result<Option<i64>, NotAnId> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .map(Some)
        .ok_or(NotAnId)
}

/// A whole number from `min` to `max`; empty gives `default` (or a "required" error when
/// there is none).
pub fn whole_number(
    raw: &str,
    field: &'static str,
    label: &str,
    (min, max): (i64, i64),
    default: Option<i64>,
    errors: &mut FormErrors,
) -> i64 {
    let value = raw.trim();
    if value.is_empty() {
        if let Some(d) = default {
            return d;
        }
        errors.add(field, format!("{label} is required."));
        return min;
    }
    match value
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
    {
        Some(n) => n,
        None => {
            errors.add(
                field,
                format!("{label} must be a whole number from {min} to {max}."),
            );
            min
        }
    }
}

/// A one-time key that makes a submitted create idempotent: 8–64 letters, digits, dashes or
/// underscores (a UUID, or the token a form was rendered with).
pub fn one_time_key(raw: &str) -> Result<String, String> {
    if !(8..=64).contains(&raw.len())
        || !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(
            "The request needs an idempotency_key (8–64 letters, digits or dashes, e.g. a UUID)."
                .into(),
        );
    }
    Ok(raw.to_string())
}

/// A url-encoded form read as its raw pairs, for forms whose fields repeat (checkbox lists)
/// or are named after records (`qty_12`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated id field (ticked checkboxes), at most `max` of them; `Err` if
    /// any is not an id.
    pub fn ids(&self, key: &str, max: usize) -> Result<Vec<i64>, NotAnId> {
        let mut out = Vec::new();
        for raw in self.all(key).take(max) {
            match optional_id(raw)? {
                Some(id) => out.push(id),
                None => return Err(NotAnId),
            }
        }
        Ok(out)
    }

    /// `(suffix, value)` of every field named `{prefix}{suffix}`.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|s| (s, v.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_defaults_and_refuses_with_reasons() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2026-12-02");
        assert_eq!(
            day_range("", "", today, 30, 366),
            Ok((d("2026-11-03"), today))
        );
        assert_eq!(
            day_range("2026-01-01", "2026-01-31", today, 30, 366),
            Ok((d("2026-01-01"), d("2026-01-31")))
        );
        assert!(day_range("2026-02-01", "2026-01-01", today, 30, 366)
            .unwrap_err()
            .contains("starts after it ends"));
        assert!(day_range("2020-01-01", "", today, 30, 366)
            .unwrap_err()
            .contains("at most 366 days"));
        assert!(day_range("yesterday", "", today, 30, 366)
            .unwrap_err()
            .contains("From must be a date"));
    }

    #[test]
    fn emails() {
        assert!(is_email("ana@example.com"));
        assert!(!is_email("ana@example"));
        assert!(!is_email("ana example.com"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("a@b@c.com"));
        assert!(!is_email("ana@.com"));
    }

    #[test]
    fn text_rules() {
        let mut e = FormErrors::default();
        assert_eq!(text("  Ana  ", "name", "Name", 10, true, &mut e), "Ana");
        assert!(e.is_empty());
        text("", "name", "Name", 10, true, &mut e);
        assert_eq!(e.get("name"), Some("Name is required."));
        let mut e = FormErrors::default();
        text(&"x".repeat(11), "name", "Name", 10, true, &mut e);
        assert!(e.get("name").is_some());
    }

    #[test]
    fn invisible_characters() {
        assert_eq!(visible(" A\u{200B}na\u{202E} ").unwrap(), "Ana");
        assert_eq!(visible("").unwrap(), "");
        assert!(visible("\u{200B}\u{FEFF} \u{2066}").is_err());
        let mut e = FormErrors::default();
        assert_eq!(
            text("Co\u{200D}la", "name", "Name", 10, true, &mut e),
            "Cola"
        );
        text("\u{200B}", "name", "Name", 10, false, &mut e);
        assert_eq!(
            e.get("name"),
            Some("Name cannot be made only of invisible characters.")
        );
    }

    #[test]
    fn phones() {
        let mut e = FormErrors::default();
        assert_eq!(
            optional_phone("+63 912 345 6789", "phone", &mut e).as_deref(),
            Some("+63 912 345 6789")
        );
        assert!(e.is_empty());
        optional_phone("call me", "phone", &mut e);
        assert!(!e.is_empty());
    }

    #[test]
    fn whole_numbers() {
        let mut e = FormErrors::default();
        assert_eq!(whole_number(" 7 ", "n", "N", (1, 9), None, &mut e), 7);
        assert_eq!(whole_number("", "n", "N", (1, 9), Some(4), &mut e), 4);
        assert!(e.is_empty());
        whole_number("10", "n", "N", (1, 9), None, &mut e);
        assert_eq!(e.get("n"), Some("N must be a whole number from 1 to 9."));
        let mut e = FormErrors::default();
        whole_number("", "n", "N", (1, 9), None, &mut e);
        assert_eq!(e.get("n"), Some("N is required."));
    }

    #[test]
    fn repeated_ids() {
        let p = Pairs(vec![
            ("ids".into(), "3".into()),
            ("x".into(), "y".into()),
            ("ids".into(), "5".into()),
        ]);
        assert_eq!(p.ids("ids", 10), Ok(vec![3, 5]));
        assert_eq!(p.ids("ids", 1), Ok(vec![3]));
        assert_eq!(p.ids("none", 10), Ok(vec![]));
        for bad in ["", "x", "-1", "0"] {
            let p = Pairs(vec![("ids".into(), bad.into())]);
            assert_eq!(p.ids("ids", 10), Err(NotAnId), "{bad:?}");
        }
    }

    #[test]
    fn ids() {
        assert_eq!(optional_id(""), Ok(None));
        assert_eq!(optional_id("7"), Ok(Some(7)));
        assert!(optional_id("-1").is_err());
        assert!(optional_id("x").is_err());
    }
}
