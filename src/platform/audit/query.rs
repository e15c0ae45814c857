//! Reading the audit trail: the filters of the page and of its CSV export.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::Value;

use crate::platform::audit::words::{self, Change, Entry};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{AnyConnection, MultiBackend};
use crate::platform::schema::{audit_log, employees};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub action: Option<String>,
    pub record_type: Option<String>,
    pub employee_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub employee_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<i64>,
    pub record_label: String,
    pub changes: String,
    pub ip: Option<String>,
    pub employee_name: Option<String>,
}

impl AuditRow {
    pub fn who(&self) -> &str {
        self.employee_name.as_deref().unwrap_or("System")
    }

    pub fn entries(&self) -> Vec<Entry> {
        words::entries(&self.changes)
    }

    /// `field: old → new` lines, or `key: note` for notes, with the stored names and values
    /// (the CSV keeps these beside the readable ones).
    pub fn change_lines(&self) -> Vec<String> {
        let raw = |v: &Value| match v {
            Value::Null => "—".to_string(),
            Value::String(s) if s.is_empty() => "—".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.entries()
            .into_iter()
            .map(|e| match &e.change {
                Change::Diff { old, new } => format!("{}: {} → {}", e.field, raw(old), raw(new)),
                Change::Note(v) => format!("{}: {}", e.field, raw(v)),
            })
            .collect()
    }
}

/// The columns of an `AuditRow`, in its field order.
macro_rules! audit_row_columns {
    () => {
        (
            audit_log::id,
            audit_log::at,
            audit_log::employee_id,
            audit_log::action,
            audit_log::record_type,
            audit_log::record_id,
            audit_log::record_label,
            audit_log::changes,
            audit_log::ip,
            employees::name.nullable(),
        )
    };
}

type Boxed<'a> = diesel::helper_types::IntoBoxed<
    'a,
    diesel::helper_types::LeftJoin<audit_log::table, employees::table>,
    MultiBackend,
>;

fn filtered(f: &AuditFilter, clock: &BusinessClock) -> Boxed<'static> {
    let mut q = audit_log::table
        .left_join(employees::table)
        .into_boxed::<MultiBackend>();
    let (from, to) = clock.day_range_utc(f.from, f.to);
    if let Some(from) = from {
        q = q.filter(audit_log::at.ge(from));
    }
    if let Some(to) = to {
        q = q.filter(audit_log::at.lt(to));
    }
    if let Some(a) = &f.action {
        q = q.filter(audit_log::action.eq(a.clone()));
    }
    if let Some(t) = &f.record_type {
        q = q.filter(audit_log::record_type.eq(t.clone()));
    }
    if let Some(e) = f.employee_id {
        q = q.filter(audit_log::employee_id.eq(e));
    }
    q
}

/// Newest first; `before` is the keyset cursor (rows with a smaller id).
pub fn page(
    conn: &mut AnyConnection,
    f: &AuditFilter,
    clock: &BusinessClock,
    before: Option<i64>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut q = filtered(f, clock);
    if let Some(b) = before {
        q = q.filter(audit_log::id.lt(b));
    }
    q.order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(audit_row_columns!())
        .load(conn)
}

#[derive(QueryableByName)]
struct RecordType {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// The distinct record types, by jumping through the index one value at a time (a loose
/// index scan) instead of reading every row: the trail grows without bound.
pub fn record_types(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    let rows: Vec<RecordType> = diesel::sql_query(
        "WITH RECURSIVE t(v) AS ( \
           SELECT MIN(record_type) FROM audit_log \
           UNION ALL \
           SELECT (SELECT MIN(record_type) FROM audit_log WHERE record_type > t.v) FROM t WHERE t.v IS NOT NULL \
         ) SELECT v FROM t WHERE v IS NOT NULL",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.v).collect())
}

pub fn employee_choices(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, String)>> {
    employees::table
        .order(employees::name.asc())
        .select((employees::id, employees::name))
        .limit(1000)
        .load(conn)
}

/// The history of one record, oldest first (the sale page's "History").
pub fn for_record(
    conn: &mut AnyConnection,
    record_type: &str,
    record_id: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .left_join(employees::table)
        .filter(audit_log::record_type.eq(record_type))
        .filter(audit_log::record_id.eq(record_id))
        .order(audit_log::id.asc())
        .select(audit_row_columns!())
        .load(conn)
}
