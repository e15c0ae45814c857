//! Business settings as key/value rows, changed by managers and audited like everything else.

use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::schema::business_settings;

pub fn get(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<String>> {
    business_settings::table
        .find(key)
        .select(business_settings::value)
        .first(conn)
        .optional()
}

/// Writes a setting with its audit row; a value that did not change writes nothing.
pub fn set(conn: &mut AnyConnection, actor: &Actor, key: &str, value: &str) -> QueryResult<bool> {
    let old = get(conn, key)?;
    if old.as_deref() == Some(value) {
        return Ok(false);
    }
    let now = BusinessClock::now_utc();
    let updated = diesel::update(business_settings::table.find(key))
        .set((
            business_settings::value.eq(value),
            business_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(business_settings::table)
            .values((
                business_settings::key.eq(key),
                business_settings::value.eq(value),
                business_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let changes = Changes::new().diff(key, old.unwrap_or_default(), value.to_string());
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject {
            record_type: "setting",
            record_id: None,
            label: key.into(),
        },
        &changes,
    )?;
    Ok(true)
}
