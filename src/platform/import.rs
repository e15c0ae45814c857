//! What an import will do, row by row, before it does it: the plan a preview shows and an
//! apply carries out. Each kind of import (products, stock, menu, customers) makes a
//! `Plan` of its own actions from a `spreadsheet::Sheet`; the rules that check a row are the
//! same functions the record's form uses.

use crate::platform::category_list::Named;
use crate::platform::forms::FormErrors;
use crate::platform::spreadsheet::{Columns, Sheet};

/// A row that cannot be imported: where, and why, in words for the person who fixes the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step<A> {
    Create(A),
    /// The stored record's id, the action, and what changes ("Price 10.00 → 12.00").
    Update(i64, A, Vec<String>),
    Unchanged,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Planned<A> {
    pub line: usize,
    /// How the row is named on the preview ("USB-C cable (4800000000017)").
    pub label: String,
    pub step: Step<A>,
}

#[derive(Debug, Clone)]
pub struct Plan<A> {
    pub steps: Vec<Planned<A>>,
    pub problems: Vec<Problem>,
    /// Categories the file names that do not exist yet: created on apply when the person agrees.
    pub new_categories: Vec<String>,
    /// Things worth knowing that are not errors (ignored columns, an already applied file).
    pub notes: Vec<String>,
}

impl<A> Plan<A> {
    pub fn new(sheet: &Sheet, columns: &Columns) -> Plan<A> {
        let mut notes = Vec::new();
        if !columns.ignored.is_empty() {
            notes.push(format!(
                "These columns are not imported and were left alone: {}.",
                columns.ignored.join(", ")
            ));
        }
        if sheet.rows.is_empty() {
            notes.push("The file has a header row but no data rows.".into());
        }
        Plan {
            steps: Vec::with_capacity(sheet.rows.len()),
            problems: Vec::new(),
            new_categories: Vec::new(),
            notes,
        }
    }

    pub fn problem(&mut self, line: usize, column: &str, reason: impl Into<String>) {
        self.problems.push(Problem {
            line,
            column: column.to_string(),
            reason: reason.into(),
        });
    }

    /// Every error of a record's form, each under the column its field came from.
    pub fn form_problems(
        &mut self,
        line: usize,
        errors: &FormErrors,
        column_of: impl Fn(&str) -> &'static str,
    ) {
        for (field, message) in errors.iter() {
            self.problem(line, column_of(field), message);
        }
    }

    /// A category the file names that is not in the list yet; offered once, as first spelled.
    pub fn new_category(&mut self, name: &str) {
        if !self
            .new_categories
            .iter()
            .any(|c| c.to_lowercase() == name.to_lowercase())
        {
            self.new_categories.push(name.to_string());
        }
    }

    /// The id a row's category has now; 0 for one the import will create (offered once).
    pub fn category_id(&mut self, named: &Named) -> i64 {
        match named {
            Named::Existing(id) => *id,
            Named::New(name) => {
                self.new_category(name);
                0
            }
        }
    }

    pub fn push(&mut self, line: usize, label: impl Into<String>, step: Step<A>) {
        self.steps.push(Planned {
            line,
            label: label.into(),
            step,
        });
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for s in &self.steps {
            match s.step {
                Step::Create(_) => c.created += 1,
                Step::Update(..) => c.updated += 1,
                Step::Unchanged => c.unchanged += 1,
            }
        }
        // Rows, not messages: one row may break several rules.
        let mut lines: Vec<usize> = self.problems.iter().map(|p| p.line).collect();
        lines.sort_unstable();
        lines.dedup();
        c.problems = lines.len();
        c
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows with at least one problem.
    pub problems: usize,
}

/// "Price: 10.00 → 12.00", or nothing when the two are the same.
pub fn change(out: &mut Vec<String>, what: &str, old: impl ToString, new: impl ToString) {
    let (old, new) = (old.to_string(), new.to_string());
    if old != new {
        let shown = |s: &str| {
            if s.is_empty() {
                "(blank)".to_string()
            } else {
                s.chars().take(60).collect()
            }
        };
        out.push(format!("{what}: {} → {}", shown(&old), shown(&new)));
    }
}

/// Finds the first line a value appeared on, to say "also on line 4" for a duplicate.
#[derive(Debug, Default)]
pub struct SeenOnce(std::collections::HashMap<String, usize>);

impl SeenOnce {
    /// `Some(first line)` when `key` was already seen.
    pub fn twice(&mut self, key: &str, line: usize) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        match self.0.get(key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key.to_string(), line);
                None
            }
        }
    }
}
