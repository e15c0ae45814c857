//! Staff duty: kitchen and floor staff say when they are working; the floor and the kitchen
//! show who is on duty at the branch. Signing out ends it.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::redirect::{return_path, see_other};
use crate::platform::schema::employees;

/// The duty box of the floor and kitchen pages.
#[derive(Debug, Clone, Default)]
pub struct Duty {
    pub me_on: bool,
    /// (name, role label) of everyone on duty at the branch.
    pub roster: Vec<(String, &'static str)>,
}

pub fn view(conn: &mut AnyConnection, me: i64, branch_id: i64) -> QueryResult<Duty> {
    let me_on: bool = employees::table
        .find(me)
        .select(employees::on_duty)
        .first(conn)
        .optional()?
        .unwrap_or(false);
    let rows: Vec<(String, String)> = employees::table
        .filter(employees::branch_id.eq(branch_id))
        .filter(employees::on_duty.eq(true))
        .filter(employees::is_active.eq(true))
        .order(employees::name.asc())
        .select((employees::name, employees::role))
        .load(conn)?;
    Ok(Duty {
        me_on,
        roster: rows
            .into_iter()
            .map(|(name, role)| {
                let label =
                    crate::platform::auth::Role::parse(&role).map_or("Staff", |r| r.label());
                (name, label)
            })
            .collect(),
    })
}

/// Sets one person's duty; answers whether anything changed.
pub fn set(conn: &mut AnyConnection, actor: &Actor, id: i64, on: bool) -> Result<bool, AppError> {
    let n = diesel::update(employees::table.find(id).filter(employees::on_duty.eq(!on)))
        .set(employees::on_duty.eq(on))
        .execute(conn)?;
    if n > 0 {
        let name: String = employees::table
            .find(id)
            .select(employees::name)
            .first(conn)?;
        let changes = Changes::new().diff("on_duty", !on, on);
        audit::record(
            conn,
            actor,
            BusinessClock::now_utc(),
            audit::UPDATE,
            Subject::of("employee", id, name),
            &changes,
        )?;
    }
    Ok(n > 0)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DutyForm {
    /// "1" to start, anything else to stop.
    pub on: String,
    pub back: String,
}

/// `POST /duty`: on or off duty, back to the page it was pressed on.
pub async fn toggle(staff: Staff, form: web::Form<DutyForm>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let on = form.on == "1";
    let id = user.id;
    state.db.write(move |c| set(c, &actor, id, on)).await?;
    flash::success(
        &session,
        if on {
            "You are on duty."
        } else {
            "You are off duty."
        },
    );
    Ok(see_other(return_path(
        &form.back,
        &["/floor", "/kitchen"],
        "/",
    )))
}
