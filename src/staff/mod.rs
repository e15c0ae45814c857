//! Staff: branches, employees, signing in and out, profiles, first-run and demo data.

pub mod bootstrap;
pub mod branches;
pub mod employees;
pub mod login;
pub mod profile;

use crate::platform::audit::words::{AuditWords, Reference};

/// How the audit trail names staff records and fields.
pub const AUDIT_WORDS: AuditWords = AuditWords {
    records: &[("employee", "Employee"), ("branch", "Branch")],
    fields: &[
        ("username", "Username"),
        ("role", "Role"),
        ("branch", "Branch"),
        ("code", "Branch code"),
        ("hire_date", "Hired on"),
        ("commission_rate_bp", "Commission rate"),
        ("picture", "Picture"),
        ("sessions_ended", "Sessions ended"),
        ("summary", "Summary"),
    ],
    references: &[
        Reference {
            field: "branch_id",
            records: &[],
            table: "branches",
            label_sql: "name",
        },
        Reference {
            field: "employee_id",
            records: &[],
            table: "employees",
            label_sql: "name",
        },
    ],
};
