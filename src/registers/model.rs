//! Registers: the tills of a branch, with what a tax office wants printed on their receipts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{branches, registers};

pub const RECORD: &str = "register";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = registers)]
pub struct Register {
    pub id: i64,
    pub branch_id: i64,
    pub name: String,
    pub machine_id: String,
    pub serial_number: String,
    pub permit_number: String,
    pub is_active: bool,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A register as the form gives it, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterInput {
    pub branch_id: i64,
    pub name: String,
    pub machine_id: String,
    pub serial_number: String,
    pub permit_number: String,
}

impl RegisterInput {
    fn changes(&self, before: Option<&Register>) -> Changes {
        let mut c = Changes::new();
        match before {
            None => {
                c = c
                    .created("name", self.name.as_str())
                    .created("branch_id", self.branch_id);
                for (k, v) in [
                    ("machine_id", &self.machine_id),
                    ("serial_number", &self.serial_number),
                    ("permit_number", &self.permit_number),
                ] {
                    if !v.is_empty() {
                        c = c.created(k, v.as_str());
                    }
                }
            }
            Some(b) => {
                c = c
                    .diff("name", b.name.clone(), self.name.clone())
                    .diff("branch_id", b.branch_id, self.branch_id)
                    .diff("machine_id", b.machine_id.clone(), self.machine_id.clone())
                    .diff(
                        "serial_number",
                        b.serial_number.clone(),
                        self.serial_number.clone(),
                    )
                    .diff(
                        "permit_number",
                        b.permit_number.clone(),
                        self.permit_number.clone(),
                    );
            }
        }
        c
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Register, AppError> {
    registers::table
        .find(id)
        .select(Register::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound("There is no such register.".into()))
}

/// Every register with its branch's name, branch by branch; archived ones last.
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<(Register, String)>> {
    registers::table
        .inner_join(branches::table.on(branches::id.eq(registers::branch_id)))
        .order((
            registers::is_active.desc(),
            branches::name.asc(),
            registers::name.asc(),
        ))
        .select((Register::as_select(), branches::name))
        .load(conn)
}

/// The active registers of a branch, for opening a shift.
pub fn of_branch(conn: &mut AnyConnection, branch_id: i64) -> QueryResult<Vec<Register>> {
    registers::table
        .filter(registers::branch_id.eq(branch_id))
        .filter(registers::is_active.eq(true))
        .order(registers::name.asc())
        .select(Register::as_select())
        .load(conn)
}

fn name_taken(
    conn: &mut AnyConnection,
    input: &RegisterInput,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut q = registers::table
        .filter(registers::branch_id.eq(input.branch_id))
        .filter(registers::name.eq(&input.name))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(registers::id.ne(id));
    }
    Ok(q.count().get_result::<i64>(conn)? > 0)
}

fn taken_error() -> AppError {
    AppError::field_conflict("name", "This branch already has a register of that name.")
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &RegisterInput,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    if name_taken(conn, input, None)? {
        return Err(taken_error());
    }
    let id: i64 = diesel::insert_into(registers::table)
        .values((
            registers::branch_id.eq(input.branch_id),
            registers::name.eq(&input.name),
            registers::machine_id.eq(&input.machine_id),
            registers::serial_number.eq(&input.serial_number),
            registers::permit_number.eq(&input.permit_number),
            registers::is_active.eq(true),
            registers::created_at.eq(now),
            registers::updated_at.eq(now),
        ))
        .returning(registers::id)
        .get_result(conn)
        // Two managers adding the same name at once: the unique index says so, as the check does.
        .map_err(|e| {
            if is_unique_violation(&e) {
                taken_error()
            } else {
                e.into()
            }
        })?;
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, &input.name),
        &input.changes(None),
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &RegisterInput,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let before = find(conn, id)?;
    if name_taken(conn, input, Some(id))? {
        return Err(taken_error());
    }
    // A till that is in use stays in its branch: its open shift's sales belong there.
    if before.branch_id != input.branch_id
        && crate::registers::shifts::model::open_on_register(conn, id)?.is_some()
    {
        return Err(AppError::Conflict(
            "This register has an open shift: close it before moving the register to another branch."
                .into(),
        ));
    }
    diesel::update(registers::table.find(id))
        .set((
            registers::branch_id.eq(input.branch_id),
            registers::name.eq(&input.name),
            registers::machine_id.eq(&input.machine_id),
            registers::serial_number.eq(&input.serial_number),
            registers::permit_number.eq(&input.permit_number),
            registers::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                taken_error()
            } else {
                e.into()
            }
        })?;
    let changes = input.changes(Some(&before));
    if !changes.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(RECORD, id, &input.name),
            &changes,
        )?;
    }
    Ok(())
}

/// Archives or restores a register: one conditional UPDATE through the shared mechanism; a
/// register with an open shift is not archived.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<Register, AppError> {
    let r = find(conn, id)?;
    if !active && crate::registers::shifts::model::open_on_register(conn, id)?.is_some() {
        return Err(AppError::Conflict(
            "This register has an open shift: close it first.".into(),
        ));
    }
    crate::platform::archive::set_active(
        conn,
        actor,
        crate::platform::archive::Toggle::new(Subject::of(RECORD, id, &r.name), &r.name, active),
        |c, now| {
            let n = diesel::update(
                registers::table
                    .find(id)
                    .filter(registers::is_active.eq(!active)),
            )
            .set((
                registers::is_active.eq(active),
                registers::archived_at.eq((!active).then_some(now)),
                registers::updated_at.eq(now),
            ))
            .execute(c)?;
            Ok((n == 1).then(Changes::new))
        },
    )?;
    Ok(r)
}

/// The register a sale was rung up on (through its shift), for the receipt's tax lines.
pub fn of_order(conn: &mut AnyConnection, order_id: i64) -> QueryResult<Option<Register>> {
    use crate::platform::schema::{orders, shifts};
    orders::table
        .inner_join(shifts::table.on(shifts::id.nullable().eq(orders::shift_id)))
        .inner_join(registers::table.on(registers::id.eq(shifts::register_id)))
        .filter(orders::id.eq(order_id))
        .select(Register::as_select())
        .first(conn)
        .optional()
}

/// The register a shift was on (a credit note prints its till's numbers).
pub fn of_shift(conn: &mut AnyConnection, shift_id: i64) -> QueryResult<Option<Register>> {
    use crate::platform::schema::shifts;
    shifts::table
        .inner_join(registers::table.on(registers::id.eq(shifts::register_id)))
        .filter(shifts::id.eq(shift_id))
        .select(Register::as_select())
        .first(conn)
        .optional()
}

/// The next credit-note number of a branch: one gap-free sequence for the branch's retail and
/// cafe credit notes, taken inside the refund's transaction (a failed refund rolls it back).
pub fn next_credit_note_number(conn: &mut AnyConnection, branch_id: i64) -> QueryResult<i64> {
    use crate::platform::schema::credit_note_counters as t;
    crate::on_backend!(conn, |c| diesel::insert_into(t::table)
        .values((t::branch_id.eq(branch_id), t::last_number.eq(1i64)))
        .on_conflict(t::branch_id)
        .do_update()
        .set(t::last_number.eq(t::last_number + 1i64))
        .returning(t::last_number)
        .get_result(c))
}
