//! The `imports` table and the one transaction that applies a file.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::cafe::menu::import as menu;
use crate::imports::Kind;
use crate::platform::audit::{self, words::AuditWords, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, lock_rows, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::import::{Counts, Plan, Problem, Step};
use crate::platform::schema::{branches, employees, imports};
use crate::platform::spreadsheet::Sheet;
use crate::retail::catalog::products::import as products;
use crate::retail::customers::import as customers;
use crate::retail::stock::import as stock;

pub const RECORD: &str = "import";

pub const AUDIT_WORDS: AuditWords = AuditWords {
    records: &[(RECORD, "Import")],
    fields: &[
        ("file", "File"),
        ("created", "Created"),
        ("updated", "Updated"),
        ("unchanged", "Unchanged"),
    ],
    references: &[],
};

/// How many problems and changes a preview lists (the counts are always whole).
const SHOWN: usize = 300;

/// One import as lists and pages show it.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: i64,
    pub kind: Kind,
    pub branch_id: Option<i64>,
    pub branch: Option<String>,
    pub file_name: String,
    pub digest: String,
    pub applied: bool,
    pub rows_total: i64,
    pub counts: Counts,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    pub applied_at: Option<NaiveDateTime>,
}

/// One row of a preview's change list.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    pub line: usize,
    pub label: String,
    pub action: &'static str,
    pub details: String,
}

/// What a preview page shows.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub counts: Counts,
    pub problems: Vec<Problem>,
    pub changes: Vec<ChangeLine>,
    /// Changes beyond those listed.
    pub more_changes: usize,
    pub new_categories: Vec<String>,
    pub notes: Vec<String>,
}

fn summarise<A>(plan: &Plan<A>) -> Summary {
    let listed: Vec<ChangeLine> = plan
        .steps
        .iter()
        .filter_map(|s| {
            let (action, details) = match &s.step {
                Step::Create(_) => ("Create", String::new()),
                Step::Update(_, _, what) => ("Update", what.join("; ")),
                Step::Unchanged => return None,
            };
            Some(ChangeLine {
                line: s.line,
                label: s.label.clone(),
                action,
                details,
            })
        })
        .collect();
    let mut problems = plan.problems.clone();
    problems.sort_by_key(|p| p.line);
    let more_problems = problems.len().saturating_sub(SHOWN);
    problems.truncate(SHOWN);
    let mut notes = plan.notes.clone();
    if more_problems > 0 {
        notes.push(format!(
            "{more_problems} more problem(s) are not listed; fix these and preview again."
        ));
    }
    Summary {
        counts: plan.counts(),
        problems,
        more_changes: listed.len().saturating_sub(SHOWN),
        changes: listed.into_iter().take(SHOWN).collect(),
        new_categories: plan.new_categories.clone(),
        notes,
    }
}

/// A plan of any kind.
enum AnyPlan {
    Products(Plan<products::ProductAction>),
    Stock(Plan<stock::Arrival>),
    Menu(Plan<menu::MenuAction>),
    Customers(Plan<customers::CustomerAction>),
}

impl AnyPlan {
    fn summary(&self) -> Summary {
        match self {
            AnyPlan::Products(p) => summarise(p),
            AnyPlan::Stock(p) => summarise(p),
            AnyPlan::Menu(p) => summarise(p),
            AnyPlan::Customers(p) => summarise(p),
        }
    }
}

/// A stock file already applied to this branch: when, as the page says it.
fn stock_applied_before(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
    branch_id: i64,
    digest: &str,
) -> QueryResult<Option<String>> {
    let when: Option<Option<NaiveDateTime>> = imports::table
        .filter(imports::kind.eq(Kind::Stock.as_str()))
        .filter(imports::branch_id.eq(branch_id))
        .filter(imports::digest.eq(digest))
        .filter(imports::status.eq("applied"))
        .select(imports::applied_at)
        .first(conn)
        .optional()?;
    Ok(when.map(|w| format!("on {}", clock.format_opt(w))))
}

fn plan_of(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
    import: &ImportRow,
    sheet: &Sheet,
) -> Result<AnyPlan, AppError> {
    let branch = || {
        import
            .branch_id
            .ok_or_else(|| AppError::BadRequest("This import has no branch.".into()))
    };
    Ok(match import.kind {
        Kind::Products => AnyPlan::Products(products::plan(conn, sheet)?),
        Kind::Stock => {
            let before = stock_applied_before(conn, clock, branch()?, &import.digest)?;
            AnyPlan::Stock(stock::plan(conn, sheet, branch()?, before)?)
        }
        Kind::Menu => AnyPlan::Menu(menu::plan(conn, sheet, branch()?)?),
        Kind::Customers => AnyPlan::Customers(customers::plan(conn, sheet)?),
    })
}

/// The branch a stock or menu file goes to: active, and given when the kind needs one.
pub fn check_branch(
    conn: &mut AnyConnection,
    kind: Kind,
    branch_id: Option<i64>,
) -> Result<Option<i64>, AppError> {
    if !kind.needs_branch() {
        return Ok(None);
    }
    let id = branch_id.ok_or_else(|| {
        AppError::field_invalid("branch_id", "Choose the branch the file is for.")
    })?;
    let active: Option<bool> = branches::table
        .find(id)
        .select(branches::is_active)
        .first(conn)
        .optional()?;
    match active {
        Some(true) => Ok(Some(id)),
        Some(false) => Err(AppError::field_invalid(
            "branch_id",
            "That branch is archived.",
        )),
        None => Err(AppError::field_invalid(
            "branch_id",
            "Choose a branch from the list.",
        )),
    }
}

/// Keeps an uploaded file for its preview; previews nobody applied are dropped after a day.
pub fn save(
    conn: &mut AnyConnection,
    actor: &Actor,
    kind: Kind,
    branch_id: Option<i64>,
    file_name: &str,
    bytes: &[u8],
    rows: usize,
) -> Result<i64, AppError> {
    let employee = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let now = BusinessClock::now_utc();
    diesel::delete(
        imports::table
            .filter(imports::status.eq("previewed"))
            .filter(imports::uploaded_at.lt(now - Duration::days(1))),
    )
    .execute(conn)?;
    let digest = hex::encode(Sha256::digest(bytes));
    let id = diesel::insert_into(imports::table)
        .values((
            imports::kind.eq(kind.as_str()),
            imports::branch_id.eq(branch_id),
            imports::file_name.eq(file_name),
            imports::digest.eq(digest),
            imports::content.eq(bytes),
            imports::status.eq("previewed"),
            imports::rows_total.eq(rows as i64),
            imports::uploaded_by.eq(employee),
            imports::uploaded_at.eq(now),
        ))
        .returning(imports::id)
        .get_result(conn)?;
    Ok(id)
}

type Stored = (
    (i64, String, Option<i64>, String, String, String, i64),
    (i64, i64, i64, NaiveDateTime, Option<NaiveDateTime>),
    String,
    Option<String>,
);

fn row_of(s: Stored) -> ImportRow {
    let ((id, kind, branch_id, file_name, digest, status, rows_total), counts, by, branch) = s;
    let (created, updated, unchanged, uploaded_at, applied_at) = counts;
    ImportRow {
        id,
        kind: Kind::parse(&kind).unwrap_or(Kind::Products),
        branch_id,
        branch,
        file_name,
        digest,
        applied: status == "applied",
        rows_total,
        counts: Counts {
            created: created as usize,
            updated: updated as usize,
            unchanged: unchanged as usize,
            problems: 0,
        },
        uploaded_by: by,
        uploaded_at,
        applied_at,
    }
}

macro_rules! import_rows {
    () => {
        imports::table
            .inner_join(employees::table.on(employees::id.eq(imports::uploaded_by)))
            .left_join(branches::table.on(branches::id.nullable().eq(imports::branch_id)))
            .select((
                (
                    imports::id,
                    imports::kind,
                    imports::branch_id,
                    imports::file_name,
                    imports::digest,
                    imports::status,
                    imports::rows_total,
                ),
                (
                    imports::created_count,
                    imports::updated_count,
                    imports::unchanged_count,
                    imports::uploaded_at,
                    imports::applied_at,
                ),
                employees::name,
                branches::name.nullable(),
            ))
    };
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<ImportRow, AppError> {
    import_rows!()
        .filter(imports::id.eq(id))
        .first::<Stored>(conn)
        .optional()?
        .map(row_of)
        .ok_or_else(|| AppError::not_found("That import"))
}

/// The newest imports, for the page.
pub fn recent(conn: &mut AnyConnection, limit: i64) -> QueryResult<Vec<ImportRow>> {
    Ok(import_rows!()
        .order(imports::id.desc())
        .limit(limit)
        .load::<Stored>(conn)?
        .into_iter()
        .map(row_of)
        .collect())
}

/// The stored file, to read it again (empty once applied: the records hold it now).
pub fn content(conn: &mut AnyConnection, id: i64) -> Result<Vec<u8>, AppError> {
    imports::table
        .find(id)
        .select(imports::content)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That import"))
}

/// What the file would do now. Only reads.
pub fn preview(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
    import: &ImportRow,
    sheet: &Sheet,
) -> Result<Summary, AppError> {
    Ok(plan_of(conn, clock, import, sheet)?.summary())
}

/// What `apply` did.
pub enum Applied {
    Done(Counts),
    /// Applied before (by this request's twin, or a double click): nothing more was done.
    Already,
    /// The same stock file was applied to the branch before: it adds nothing.
    StockAlreadyReceived(String),
}

/// Applies an import in the caller's transaction: planned again against what is stored now,
/// refused whole if any row has a problem now, else carried out with one audit row per record
/// changed and one for the import.
pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    clock: &BusinessClock,
    id: i64,
    sheet: &Sheet,
    create_categories: bool,
) -> Result<Applied, AppError> {
    // Imports run one at a time across instances (SQLite's write lock already serialises).
    lock_rows(conn, "SELECT pg_advisory_xact_lock(727014)")?;
    let import = find(conn, id)?;
    if import.applied {
        return Ok(Applied::Already);
    }
    let plan = plan_of(conn, clock, &import, sheet)?;
    let summary = plan.summary();
    if summary.counts.problems > 0 {
        return Err(AppError::Conflict(format!(
            "{} row(s) cannot be imported now (the catalogue changed since the preview?). \
             Nothing was written; see the preview again.",
            summary.counts.problems
        )));
    }
    if let (AnyPlan::Stock(_), Some(note)) = (
        &plan,
        stock_applied_before(conn, clock, import.branch_id.unwrap_or(0), &import.digest)?,
    ) {
        return Ok(Applied::StockAlreadyReceived(note));
    }
    if !summary.new_categories.is_empty() && !create_categories {
        return Err(AppError::Unprocessable(format!(
            "The file names new categories ({}). Tick \"Create the new categories\" to add them, \
             or correct the file.",
            summary.new_categories.join(", ")
        )));
    }
    let document = format!("Import #{id}: {}", import.file_name);
    match plan {
        AnyPlan::Products(p) => products::apply(conn, actor, p)?,
        AnyPlan::Stock(p) => stock::apply(
            conn,
            actor,
            import.branch_id.unwrap_or(0),
            &format!("Import #{id}"),
            p,
        )?,
        AnyPlan::Menu(p) => menu::apply(conn, actor, import.branch_id.unwrap_or(0), p)?,
        AnyPlan::Customers(p) => customers::apply(conn, actor, p)?,
    }
    let now = BusinessClock::now_utc();
    let c = summary.counts;
    let marked = diesel::update(
        imports::table
            .find(id)
            .filter(imports::status.eq("previewed")),
    )
    .set((
        imports::status.eq("applied"),
        imports::created_count.eq(c.created as i64),
        imports::updated_count.eq(c.updated as i64),
        imports::unchanged_count.eq(c.unchanged as i64),
        imports::applied_by.eq(actor.employee_id),
        imports::applied_at.eq(now),
        // The records hold the data now; a customer list is not kept twice.
        imports::content.eq(Vec::<u8>::new()),
    ))
    .execute(conn)
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict("This stock file was just applied to the branch.".into())
        } else {
            e.into()
        }
    })?;
    if marked == 0 {
        return Ok(Applied::Already);
    }
    let changes = Changes::new()
        .note("kind", import.kind.label())
        .note("file", import.file_name.as_str())
        .note("created", c.created.to_string())
        .note("updated", c.updated.to_string())
        .note("unchanged", c.unchanged.to_string());
    let subject = Subject::of(RECORD, id, &document);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(Applied::Done(c))
}
