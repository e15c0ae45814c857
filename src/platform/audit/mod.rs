//! The audit trail: one append-only row per change, written in the transaction of the change.

pub mod query;
pub mod routes;
pub mod words;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::platform::db::AnyConnection;
use crate::platform::schema::audit_log;

pub const CREATE: &str = "CREATE";
pub const UPDATE: &str = "UPDATE";
pub const ARCHIVE: &str = "ARCHIVE";
pub const RESTORE: &str = "RESTORE";
pub const DELETE: &str = "DELETE";
pub const LOGIN: &str = "LOGIN";
pub const LOGOUT: &str = "LOGOUT";
pub const LOGIN_FAILED: &str = "LOGIN_FAILED";
pub const PASSWORD_CHANGE: &str = "PASSWORD_CHANGE";
pub const PASSWORD_RESET: &str = "PASSWORD_RESET";
pub const VOID: &str = "VOID";
pub const PRINT: &str = "PRINT";
/// Part or all of a sale given back (a credit note).
pub const REFUND: &str = "REFUND";

/// Every action the trail knows, for the filter list.
pub const ACTIONS: &[&str] = &[
    CREATE,
    UPDATE,
    ARCHIVE,
    RESTORE,
    DELETE,
    VOID,
    REFUND,
    PRINT,
    LOGIN,
    LOGOUT,
    LOGIN_FAILED,
    PASSWORD_CHANGE,
    PASSWORD_RESET,
];

/// Who did it and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub employee_id: Option<i64>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor::default()
    }
}

/// Field-level changes: `{field: {"old": …, "new": …}}`, plus plain notes (`{"reason": "…"}`).
/// Passwords never go in here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes(BTreeMap<String, Value>);

impl Changes {
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Records the field only when the value changed.
    pub fn diff<T: Into<Value> + PartialEq>(mut self, field: &str, old: T, new: T) -> Changes {
        if old != new {
            self.0.insert(
                field.to_string(),
                json!({"old": old.into(), "new": new.into()}),
            );
        }
        self
    }

    /// A value on a new record.
    pub fn created<T: Into<Value>>(mut self, field: &str, new: T) -> Changes {
        self.0.insert(
            field.to_string(),
            json!({"old": Value::Null, "new": new.into()}),
        );
        self
    }

    pub fn note(mut self, key: &str, text: impl Into<String>) -> Changes {
        self.0.insert(key.to_string(), Value::String(text.into()));
        self
    }

    /// These changes and `other`'s (other's win on the same field).
    pub fn with(mut self, other: Changes) -> Changes {
        self.0.extend(other.0);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }
}

/// ARCHIVE or RESTORE with its `is_active` change: the audit of every archive toggle.
pub fn archive_toggle(active: bool) -> (&'static str, Changes) {
    let action = if active { RESTORE } else { ARCHIVE };
    (action, Changes::new().diff("is_active", !active, active))
}

/// The record an entry is about.
pub struct Subject<'a> {
    pub record_type: &'a str,
    pub record_id: Option<i64>,
    /// Borrowed from the record, or made for the entry ("Ticket 12").
    pub label: std::borrow::Cow<'a, str>,
}

impl<'a> Subject<'a> {
    /// A stored record: its type, id and a label people recognise.
    pub fn of(
        record_type: &'a str,
        record_id: i64,
        label: impl Into<std::borrow::Cow<'a, str>>,
    ) -> Subject<'a> {
        Subject {
            record_type,
            record_id: Some(record_id),
            label: label.into(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditRow<'a> {
    at: NaiveDateTime,
    employee_id: Option<i64>,
    action: &'a str,
    record_type: &'a str,
    record_id: Option<i64>,
    record_label: &'a str,
    changes: String,
    ip: Option<&'a str>,
}

/// Appends one row. Call it inside the write transaction of the change it describes.
pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    at: NaiveDateTime,
    action: &str,
    subject: Subject<'_>,
    changes: &Changes,
) -> QueryResult<()> {
    let label: String = subject.label.chars().take(200).collect();
    diesel::insert_into(audit_log::table)
        .values(NewAuditRow {
            at,
            employee_id: actor.employee_id,
            action,
            record_type: subject.record_type,
            record_id: subject.record_id,
            record_label: &label,
            changes: changes.to_json(),
            ip: actor.ip.as_deref(),
        })
        .execute(conn)?;
    Ok(())
}

/// Many rows of one actor at one time (an import's records), written a few hundred per
/// statement: one round trip per chunk instead of one per record.
pub struct Batch<'a> {
    actor: &'a Actor,
    at: NaiveDateTime,
    rows: Vec<(&'static str, &'a str, Option<i64>, String, String)>,
}

impl<'a> Batch<'a> {
    pub fn new(actor: &'a Actor, at: NaiveDateTime) -> Batch<'a> {
        Batch {
            actor,
            at,
            rows: Vec::new(),
        }
    }

    pub fn add(&mut self, action: &'static str, subject: Subject<'a>, changes: &Changes) {
        self.rows.push((
            action,
            subject.record_type,
            subject.record_id,
            subject.label.chars().take(200).collect(),
            changes.to_json(),
        ));
    }

    /// Writes every row, in the caller's transaction.
    pub fn write(self, conn: &mut AnyConnection) -> QueryResult<()> {
        for chunk in self.rows.chunks(500) {
            let values: Vec<NewAuditRow<'_>> = chunk
                .iter()
                .map(
                    |(action, record_type, record_id, label, changes)| NewAuditRow {
                        at: self.at,
                        employee_id: self.actor.employee_id,
                        action,
                        record_type,
                        record_id: *record_id,
                        record_label: label,
                        changes: changes.clone(),
                        ip: self.actor.ip.as_deref(),
                    },
                )
                .collect();
            crate::on_backend!(&mut *conn, |c| diesel::insert_into(audit_log::table)
                .values(&values)
                .execute(c))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_only_changed_fields() {
        let c = Changes::new()
            .diff("name", "Ana", "Ana")
            .diff("phone", "1", "2");
        assert_eq!(c.to_json(), r#"{"phone":{"new":"2","old":"1"}}"#);
        assert!(Changes::new().diff("x", 1, 1).is_empty());
    }
}
