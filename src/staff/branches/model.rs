use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{branches, employees};
use crate::staff::branches::rules::BranchInput;

pub const RECORD: &str = "branch";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = branches)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Branch {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub address: String,
    pub phone: String,
    pub is_active: bool,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Branch {
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.code)
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Branch, AppError> {
    branches::table
        .find(id)
        .select(Branch::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That branch"))
}

pub fn list(
    conn: &mut AnyConnection,
    archived: bool,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Branch>> {
    branches::table
        .filter(branches::is_active.eq(!archived))
        .order((branches::name.asc(), branches::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Branch::as_select())
        .load(conn)
}

/// Active branches for a select list.
pub fn options(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String)> = branches::table
        .filter(branches::is_active.eq(true))
        .order(branches::name.asc())
        .select((branches::id, branches::name, branches::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, code)| (id, format!("{name} ({code})")))
        .collect())
}

/// Every branch for filters over past records: archived ones too, marked, after the active.
pub fn filter_options(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String, bool)> = branches::table
        .order((branches::is_active.desc(), branches::name.asc()))
        .select((
            branches::id,
            branches::name,
            branches::code,
            branches::is_active,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, code, active)| {
            let mark = if active { "" } else { ", archived" };
            (id, format!("{name} ({code}{mark})"))
        })
        .collect())
}

fn duplicate_code(e: diesel::result::Error, code: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::field_conflict(
            "code",
            format!("Another branch already uses the code {code}."),
        )
    } else {
        e.into()
    }
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &BranchInput,
) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(branches::table)
        .values((
            branches::name.eq(&input.name),
            branches::code.eq(&input.code),
            branches::address.eq(&input.address),
            branches::phone.eq(&input.phone),
            branches::is_active.eq(true),
            branches::created_at.eq(now),
            branches::updated_at.eq(now),
        ))
        .returning(branches::id)
        .get_result(conn)
        .map_err(|e| duplicate_code(e, &input.code))?;
    let changes = Changes::new()
        .created("name", input.name.as_str())
        .created("code", input.code.as_str())
        .created("address", input.address.as_str())
        .created("phone", input.phone.as_str());
    let label = format!("{} ({})", input.name, input.code);
    let subject = Subject::of(RECORD, id, &label);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &BranchInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    let now = BusinessClock::now_utc();
    let changes = Changes::new()
        .diff("name", old.name.as_str(), input.name.as_str())
        .diff("code", old.code.as_str(), input.code.as_str())
        .diff("address", old.address.as_str(), input.address.as_str())
        .diff("phone", old.phone.as_str(), input.phone.as_str());
    if changes.is_empty() {
        return Ok(());
    }
    diesel::update(branches::table.find(id))
        .set((
            branches::name.eq(&input.name),
            branches::code.eq(&input.code),
            branches::address.eq(&input.address),
            branches::phone.eq(&input.phone),
            branches::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| duplicate_code(e, &input.code))?;
    let label = format!("{} ({})", input.name, input.code);
    let subject = Subject::of(RECORD, id, &label);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}

/// What keeps a branch from closing: open bills (unprinted or unpaid) and kitchen tickets not
/// done. Archiving waits until they are settled, and says which they are.
fn still_trading(conn: &mut AnyConnection, branch: &Branch) -> Result<(), AppError> {
    use crate::platform::schema::{cafe_sessions, cafe_tables, kitchen_tickets};
    let bills: Vec<(Option<i64>, String, Option<NaiveDateTime>)> = cafe_sessions::table
        .left_join(cafe_tables::table)
        .filter(cafe_sessions::branch_id.eq(branch.id))
        .filter(cafe_sessions::closed_at.is_null())
        .order(cafe_sessions::id.asc())
        .select((
            cafe_tables::number.nullable(),
            cafe_sessions::customer_name,
            cafe_sessions::bill_printed_at,
        ))
        .load(conn)?;
    let tickets: i64 = kitchen_tickets::table
        .filter(kitchen_tickets::branch_id.eq(branch.id))
        .filter(kitchen_tickets::status.ne("completed"))
        .count()
        .get_result(conn)?;
    if bills.is_empty() && tickets == 0 {
        return Ok(());
    }
    let mut reasons = Vec::new();
    if !bills.is_empty() {
        let named: Vec<String> = bills
            .iter()
            .take(8)
            .map(|(table, customer, printed)| {
                let place = match table {
                    Some(n) => format!("table {n}"),
                    None if customer.is_empty() => "a takeaway".to_string(),
                    None => format!("takeaway for {customer}"),
                };
                let state = if printed.is_some() {
                    "unpaid"
                } else {
                    "unprinted"
                };
                format!("{place} ({state})")
            })
            .collect();
        let more = if bills.len() > 8 { ", …" } else { "" };
        reasons.push(format!(
            "{} open bill(s): {}{more}",
            bills.len(),
            named.join(", ")
        ));
    }
    if tickets > 0 {
        reasons.push(format!("{tickets} kitchen ticket(s) not done"));
    }
    Err(AppError::Conflict(format!(
        "{} is still trading — {}. Settle them before archiving the branch.",
        branch.name,
        reasons.join("; ")
    )))
}

/// Archives or restores. A branch where active staff still work cannot be archived: they
/// would be left selling for a branch that no longer exists. Nor can one that is still trading.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let branch = find(conn, id)?;
    if !active {
        // Taken before counting: a bill opening at this branch holds a share lock on the row
        // until it commits, so it is either counted here or refused by `check_branch_trading`.
        crate::platform::db::lock_rows(
            conn,
            &format!("SELECT id FROM branches WHERE id = {id} FOR UPDATE"),
        )?;
        still_trading(conn, &branch)?;
        let staff: i64 = employees::table
            .filter(employees::branch_id.eq(id))
            .filter(employees::is_active.eq(true))
            .count()
            .get_result(conn)?;
        if staff > 0 {
            return Err(AppError::Conflict(format!(
                "{} still has {staff} active employee(s). Move them to another branch or archive them first.",
                branch.name
            )));
        }
    }
    let label = branch.label();
    let toggle = Toggle::new(Subject::of(RECORD, id, &label), &branch.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows =
            crate::flip_active!(c, now, branches, id, active, stamp archived_at, touch updated_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(branch.name)
}
