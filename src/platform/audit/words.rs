//! The trail in the shop's words. Rows are stored with raw record types, field names and ids
//! (stable, exportable, what a script would filter on); the page shows them as a manager says
//! them: "Table", "Minimum stock", "Branch: Main Branch → Cebu Branch". Each area lends its own
//! words (`AuditWords`) and `app` gathers them into one `Vocabulary`, so the platform names no
//! area.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde_json::Value;

use crate::platform::audit::query::AuditRow;
use crate::platform::db::AnyConnection;

/// A field that holds the id of another record, shown by that record's name.
pub struct Reference {
    /// The field as stored in `changes`.
    pub field: &'static str,
    /// The records whose field it is; empty means every record.
    pub records: &'static [&'static str],
    /// The table the id points into, and a SQL expression naming one of its rows (valid on
    /// SQLite and PostgreSQL).
    pub table: &'static str,
    pub label_sql: &'static str,
}

/// One area's words.
pub struct AuditWords {
    /// record type → what the shop calls it.
    pub records: &'static [(&'static str, &'static str)],
    /// field → label.
    pub fields: &'static [(&'static str, &'static str)],
    pub references: &'static [Reference],
}

/// The platform's own words: settings, and fields every area uses.
pub const PLATFORM_WORDS: AuditWords = AuditWords {
    records: &[("setting", "Setting")],
    fields: &[
        ("name", "Name"),
        ("phone", "Phone"),
        ("email", "E-mail"),
        ("address", "Address"),
        ("status", "Status"),
        ("is_active", "Active"),
        ("reason", "Reason"),
        ("description", "Description"),
        ("kind", "Kind"),
        ("lines", "Items"),
        ("total", "Total"),
        ("amount", "Amount"),
    ],
    references: &[],
};

#[derive(Default)]
pub struct Vocabulary {
    records: HashMap<&'static str, &'static str>,
    fields: HashMap<&'static str, &'static str>,
    references: Vec<&'static Reference>,
}

impl Vocabulary {
    pub fn new(words: &[&'static AuditWords]) -> Vocabulary {
        let mut v = Vocabulary::default();
        for w in words {
            v.records.extend(w.records.iter().copied());
            v.fields.extend(w.fields.iter().copied());
            v.references.extend(w.references.iter());
        }
        v
    }

    /// What the shop calls a record type; an unknown one is made readable, not hidden.
    pub fn record(&self, record_type: &str) -> String {
        self.records
            .get(record_type)
            .map_or_else(|| humanise(record_type), |s| s.to_string())
    }

    pub fn field(&self, field: &str) -> String {
        self.fields
            .get(field)
            .map_or_else(|| humanise(field), |s| s.to_string())
    }

    fn reference(&self, record_type: &str, field: &str) -> Option<&'static Reference> {
        self.references
            .iter()
            .find(|r| {
                r.field == field && (r.records.is_empty() || r.records.contains(&record_type))
            })
            .copied()
    }

    /// Looks up, in one query per table, the names of the records a page of rows mentions.
    pub fn names(&self, conn: &mut AnyConnection, rows: &[AuditRow]) -> QueryResult<Names> {
        let mut wanted: HashMap<&'static str, (&'static Reference, HashSet<i64>)> = HashMap::new();
        for row in rows {
            for e in row.entries() {
                let Some(r) = self.reference(&row.record_type, &e.field) else {
                    continue;
                };
                let ids = &mut wanted.entry(r.table).or_insert((r, HashSet::new())).1;
                ids.extend(e.values().filter_map(Value::as_i64));
            }
        }
        let mut names = Names::default();
        for (table, (r, ids)) in wanted {
            if ids.is_empty() {
                continue;
            }
            // Ids are integers and the table and expression are constants of the code, so the
            // text is safe to build; a bound list would differ between the two backends.
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let found: Vec<Named> = diesel::sql_query(format!(
                "SELECT id, {} AS label FROM {table} WHERE id IN ({list})",
                r.label_sql
            ))
            .load(conn)?;
            for n in found {
                names.0.insert((table, n.id), n.label);
            }
        }
        Ok(names)
    }

    /// The changes of a row as lines a manager reads.
    pub fn lines(&self, row: &AuditRow, names: &Names) -> Vec<String> {
        row.entries()
            .into_iter()
            .map(|e| {
                let reference = self.reference(&row.record_type, &e.field);
                let label = match reference {
                    // "branch_id" reads "Branch".
                    Some(_) => self.field(e.field.trim_end_matches("_id")),
                    None => self.field(&e.field),
                };
                let show = |v: &Value| show_value(&e.field, v, reference, names);
                match &e.change {
                    Change::Diff { old, new } => {
                        format!("{label}: {} → {}", show(old), show(new))
                    }
                    Change::Note(v) => format!("{label}: {}", show(v)),
                }
            })
            .collect()
    }
}

/// Names found for related records, by (table, id).
#[derive(Default)]
pub struct Names(HashMap<(&'static str, i64), String>);

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    label: String,
}

/// One field of a row's changes.
pub struct Entry {
    pub field: String,
    pub change: Change,
}

pub enum Change {
    Diff { old: Value, new: Value },
    Note(Value),
}

impl Entry {
    fn values(&self) -> impl Iterator<Item = &Value> {
        let (a, b) = match &self.change {
            Change::Diff { old, new } => (old, Some(new)),
            Change::Note(v) => (v, None),
        };
        std::iter::once(a).chain(b)
    }
}

/// Splits the stored JSON into entries: `{"old", "new"}` objects are changes, the rest notes.
pub fn entries(changes: &str) -> Vec<Entry> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(changes) else {
        return vec![];
    };
    map.into_iter()
        .map(|(field, v)| {
            let change = match v {
                Value::Object(mut o) if o.contains_key("old") || o.contains_key("new") => {
                    Change::Diff {
                        old: o.remove("old").unwrap_or(Value::Null),
                        new: o.remove("new").unwrap_or(Value::Null),
                    }
                }
                other => Change::Note(other),
            };
            Entry { field, change }
        })
        .collect()
}

/// A stored value as text: empty is "—", booleans are yes/no, basis points are a percentage,
/// ids of related records are their names.
fn show_value(field: &str, v: &Value, reference: Option<&Reference>, names: &Names) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => match s.parse::<i64>() {
            // Settings store their numbers as text.
            Ok(bp) if field.ends_with("_bp") => percent(bp),
            _ => s.clone(),
        },
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => match (reference, n.as_i64()) {
            (Some(r), Some(id)) => names
                .0
                .get(&(r.table, id))
                .cloned()
                .unwrap_or_else(|| format!("#{id} (no longer exists)")),
            (None, Some(bp)) if field.ends_with("_bp") => percent(bp),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Basis points as a percentage: 500 → "5 %", 1250 → "12.5 %".
fn percent(bp: i64) -> String {
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    let sign = if bp < 0 && whole == 0 { "-" } else { "" };
    match frac {
        0 => format!("{sign}{whole} %"),
        f if f % 10 == 0 => format!("{sign}{whole}.{} %", f / 10),
        f => format!("{sign}{whole}.{f:02} %"),
    }
}

/// `cafe_visitor` → "Cafe visitor", `retail.vat_rate_bp` → "Retail vat rate bp".
fn humanise(raw: &str) -> String {
    let spaced: String = raw
        .chars()
        .map(|c| if c == '_' || c == '.' { ' ' } else { c })
        .collect();
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What every action is called on the page.
pub fn action_label(action: &str) -> &str {
    match action {
        "CREATE" => "Created",
        "UPDATE" => "Changed",
        "ARCHIVE" => "Archived",
        "RESTORE" => "Restored",
        "DELETE" => "Deleted",
        "VOID" => "Voided",
        "REFUND" => "Refunded",
        "PRINT" => "Printed",
        "LOGIN" => "Signed in",
        "LOGOUT" => "Signed out",
        "LOGIN_FAILED" => "Sign-in refused",
        "PASSWORD_CHANGE" => "Password changed",
        "PASSWORD_RESET" => "Password reset",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: AuditWords = AuditWords {
        records: &[("cafe_table", "Table")],
        fields: &[("branch", "Branch"), ("min_stock", "Minimum stock")],
        references: &[Reference {
            field: "branch_id",
            records: &["cafe_table"],
            table: "branches",
            label_sql: "name",
        }],
    };

    fn row(record_type: &str, changes: &str) -> AuditRow {
        AuditRow {
            id: 1,
            at: chrono::NaiveDateTime::default(),
            employee_id: None,
            action: "UPDATE".into(),
            record_type: record_type.into(),
            record_id: Some(1),
            record_label: "x".into(),
            changes: changes.into(),
            ip: None,
            employee_name: None,
        }
    }

    #[test]
    fn fields_and_records_read_as_the_shop_says_them() {
        let v = Vocabulary::new(&[&PLATFORM_WORDS, &AREA]);
        assert_eq!(v.record("cafe_table"), "Table");
        assert_eq!(v.record("cafe_visitor"), "Cafe visitor");
        assert_eq!(v.field("min_stock"), "Minimum stock");
        assert_eq!(v.field("retail.vat_rate_bp"), "Retail vat rate bp");
        let mut names = Names::default();
        names.0.insert(("branches", 1), "Main".into());
        names.0.insert(("branches", 2), "Cebu".into());
        let r = row(
            "cafe_table",
            r#"{"branch_id":{"old":1,"new":2},"min_stock":{"old":2,"new":5},"is_active":{"old":true,"new":false},"commission_rate_bp":{"old":null,"new":1250},"reason":"moved","retail.vat_rate_bp":{"old":"1200","new":"1000"}}"#,
        );
        assert_eq!(
            v.lines(&r, &names),
            [
                "Branch: Main → Cebu",
                "Commission rate bp: — → 12.5 %",
                "Active: yes → no",
                "Minimum stock: 2 → 5",
                "Reason: moved",
                "Retail vat rate bp: 12 % → 10 %",
            ]
        );
        // The same field on a record without the reference stays a number; a vanished
        // record says so.
        let other = row("product", r#"{"branch_id":{"old":1,"new":2}}"#);
        assert_eq!(v.lines(&other, &names), ["Branch id: 1 → 2"]);
        let gone = row("cafe_table", r#"{"branch_id":{"old":1,"new":9}}"#);
        assert_eq!(
            v.lines(&gone, &names),
            ["Branch: Main → #9 (no longer exists)"]
        );
    }

    #[test]
    fn basis_points_read_as_percentages() {
        assert_eq!(percent(500), "5 %");
        assert_eq!(percent(1250), "12.5 %");
        assert_eq!(percent(1205), "12.05 %");
        assert_eq!(percent(0), "0 %");
        assert_eq!(percent(-50), "-0.5 %");
    }

    #[test]
    fn every_action_has_a_label() {
        for a in crate::platform::audit::ACTIONS {
            assert_ne!(action_label(a), *a, "{a}");
        }
    }
}
