//! Registers: the tills of each branch, the cashiers' shifts on them (opening float, cash in and
//! out, the count at the close) and the X and Z reports. Retail and the cafe put their cash
//! takings in the open shift; this area reads their tables but imports neither.

pub mod model;
pub mod routes;
pub mod settings;
pub mod shifts;
pub mod tenders;

use crate::platform::audit::words::{AuditWords, Reference};

/// How the audit trail names registers, shifts and cash movements.
pub const AUDIT_WORDS: AuditWords = AuditWords {
    records: &[
        ("register", "Register"),
        ("shift", "Shift"),
        ("cash_movement", "Cash in/out"),
    ],
    fields: &[
        ("machine_id", "Machine identification number"),
        ("serial_number", "Serial number"),
        ("permit_number", "Permit number"),
        ("opening_float", "Opening float"),
        ("expected_cash", "Expected cash"),
        ("counted_cash", "Counted cash"),
        ("difference", "Difference"),
        ("difference_note", "Note on the difference"),
        ("register_id", "Register"),
        ("shifts.denominations", "Notes and coins"),
        (
            "shifts.difference_note_over_minor",
            "A difference needs a note above",
        ),
        ("cafe.shifts_required", "Cafe bills need an open shift"),
        ("business.registered_name", "Registered business name"),
        ("business.tin", "TIN"),
        ("business.vat_status", "VAT registration"),
        ("business.address", "Business address"),
    ],
    references: &[Reference {
        field: "register_id",
        records: &[],
        table: "registers",
        label_sql: "name",
    }],
};
