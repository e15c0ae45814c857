//! Supplier rows, their queries and changes (each with its audit row).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::Choice;
use crate::platform::schema::suppliers;
use crate::retail::catalog::suppliers::rules::*;

pub const RECORD: &str = "supplier";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = suppliers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Supplier {
    pub id: i64,
    pub name: String,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub contract_start: NaiveDate,
    pub contract_expiry: NaiveDate,
    pub status: String,
    pub is_active: bool,
    pub archived_at: Option<NaiveDateTime>,
}

impl Supplier {
    /// "Expired" once the expiry date has passed, whatever status was recorded.
    pub fn contract_status(&self, today: NaiveDate) -> &str {
        contract_status(&self.status, self.contract_expiry, today)
    }

    pub fn contract_period(&self) -> String {
        contract_period(self.contract_start, self.contract_expiry)
    }
}

/// One page of active (or archived) suppliers, by name.
pub fn list(
    conn: &mut AnyConnection,
    archived: bool,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<Supplier>> {
    suppliers::table
        .filter(suppliers::is_active.eq(!archived))
        .order((suppliers::name.asc(), suppliers::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(Supplier::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Supplier, AppError> {
    suppliers::table
        .find(id)
        .select(Supplier::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That supplier"))
}

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    let rows: Vec<(i64, String)> = suppliers::table
        .filter(suppliers::is_active.eq(true))
        .order(suppliers::name.asc())
        .select((suppliers::id, suppliers::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

fn snapshot(i: &SupplierInput) -> Changes {
    Changes::new()
        .created("name", i.name.as_str())
        .created("contact_person", i.contact_person.as_str())
        .created("phone", i.phone.as_str())
        .created("email", i.email.as_str())
        .created("contract_start", i.contract_start.to_string())
        .created("contract_expiry", i.contract_expiry.to_string())
        .created("status", i.status.as_str())
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, i: &SupplierInput) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(suppliers::table)
        .values((
            suppliers::name.eq(&i.name),
            suppliers::contact_person.eq(&i.contact_person),
            suppliers::phone.eq(&i.phone),
            suppliers::email.eq(&i.email),
            suppliers::contract_start.eq(i.contract_start),
            suppliers::contract_expiry.eq(i.contract_expiry),
            suppliers::status.eq(&i.status),
            suppliers::is_active.eq(true),
            suppliers::created_at.eq(now),
            suppliers::updated_at.eq(now),
        ))
        .returning(suppliers::id)
        .get_result(conn)?;
    let subject = Subject::of(RECORD, id, &i.name);
    audit::record(conn, actor, now, audit::CREATE, subject, &snapshot(i))?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &SupplierInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    let changes = Changes::new()
        .diff("name", old.name.as_str(), i.name.as_str())
        .diff(
            "contact_person",
            old.contact_person.as_str(),
            i.contact_person.as_str(),
        )
        .diff("phone", old.phone.as_str(), i.phone.as_str())
        .diff("email", old.email.as_str(), i.email.as_str())
        .diff(
            "contract_start",
            old.contract_start.to_string(),
            i.contract_start.to_string(),
        )
        .diff(
            "contract_expiry",
            old.contract_expiry.to_string(),
            i.contract_expiry.to_string(),
        )
        .diff("status", old.status.as_str(), i.status.as_str());
    if changes.is_empty() {
        return Ok(());
    }
    let now = BusinessClock::now_utc();
    diesel::update(suppliers::table.find(id))
        .set((
            suppliers::name.eq(&i.name),
            suppliers::contact_person.eq(&i.contact_person),
            suppliers::phone.eq(&i.phone),
            suppliers::email.eq(&i.email),
            suppliers::contract_start.eq(i.contract_start),
            suppliers::contract_expiry.eq(i.contract_expiry),
            suppliers::status.eq(&i.status),
            suppliers::updated_at.eq(now),
        ))
        .execute(conn)?;
    let subject = Subject::of(RECORD, id, &i.name);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}

pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let s = find(conn, id)?;
    let toggle = Toggle::new(Subject::of(RECORD, id, &s.name), &s.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = crate::flip_active!(c, now, suppliers, id, active, stamp archived_at, touch updated_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(s.name)
}
