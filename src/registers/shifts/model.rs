//! Shifts: opened on a register with a float, bumped by every sale and cash movement (the
//! conditional UPDATE that finds the shift open is also the row lock that orders them against
//! the close), closed once with the count. The figures of the X and Z reports are sums over the
//! rows that carry the shift's id, read with indexes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::CacheStatement;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, cafe_credit_note_tenders, cafe_credit_notes, cafe_payments, cafe_sales,
    cash_movements, credit_note_tenders, credit_notes, employees, installment_payments,
    official_receipts, orders, payments, registers, shifts,
};
use crate::registers::shifts::rules::{self, CashFlow, Count, Movement};

pub const RECORD: &str = "shift";
pub const MOVEMENT_RECORD: &str = "cash_movement";

/// The one refusal of a sale without an open shift.
pub const OPEN_FIRST: &str = "Open a shift first: count your float on the Shifts page, then sell.";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shifts)]
pub struct Shift {
    pub id: i64,
    pub register_id: i64,
    pub branch_id: i64,
    pub employee_id: i64,
    pub idempotency_key: String,
    pub opening_float_minor: i64,
    pub opening_count: String,
    pub opened_at: NaiveDateTime,
    pub business_day: NaiveDate,
    pub activity_count: i64,
    pub grand_total_before_minor: i64,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<i64>,
    pub expected_cash_minor: Option<i64>,
    pub counted_cash_minor: Option<i64>,
    pub closing_count: String,
    pub difference_note: String,
    pub grand_total_after_minor: Option<i64>,
}

impl Shift {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn label(&self) -> String {
        format!("Shift #{}", self.id)
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Shift, AppError> {
    shifts::table
        .find(id)
        .select(Shift::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound("There is no such shift.".into()))
}

/// The open shift on a register, if any.
pub fn open_on_register(conn: &mut AnyConnection, register_id: i64) -> QueryResult<Option<i64>> {
    shifts::table
        .filter(shifts::register_id.eq(register_id))
        .filter(shifts::closed_at.is_null())
        .select(shifts::id)
        .first(conn)
        .optional()
}

/// The employee's open shift, if any.
pub fn open_of(conn: &mut AnyConnection, employee_id: i64) -> QueryResult<Option<Shift>> {
    shifts::table
        .filter(shifts::employee_id.eq(employee_id))
        .filter(shifts::closed_at.is_null())
        .select(Shift::as_select())
        .first(conn)
        .optional()
}

/// Takes a sale or a payment into the employee's open shift: one conditional UPDATE that both
/// finds the shift open and locks its row until the sale commits, so a close that starts now
/// waits for it, and one that committed first makes this find nothing. The shift's id.
pub fn take(conn: &mut AnyConnection, employee_id: i64) -> QueryResult<Option<i64>> {
    macro_rules! bump {
        () => {
            diesel::update(
                shifts::table
                    .filter(shifts::employee_id.eq(employee_id))
                    .filter(shifts::closed_at.is_null()),
            )
            .set(shifts::activity_count.eq(shifts::activity_count + 1i64))
            .returning(shifts::id)
        };
    }
    match conn {
        AnyConnection::Sqlite(c) => bump!().cached().get_result(c).optional(),
        AnyConnection::Pg(c) => bump!().cached().get_result(c).optional(),
    }
}

/// `take`, refusing with "Open a shift first" when the employee has none.
pub fn require(conn: &mut AnyConnection, employee_id: i64) -> Result<i64, AppError> {
    take(conn, employee_id)?.ok_or_else(|| AppError::Conflict(OPEN_FIRST.into()))
}

/// The same lock on one shift by id; a conflict once it is closed.
pub(crate) fn hold_open(conn: &mut AnyConnection, shift_id: i64) -> Result<(), AppError> {
    let n = diesel::update(
        shifts::table
            .find(shift_id)
            .filter(shifts::closed_at.is_null()),
    )
    .set(shifts::activity_count.eq(shifts::activity_count + 1i64))
    .execute(conn)?;
    if n == 0 {
        find(conn, shift_id)?;
        return Err(AppError::Conflict(
            "This shift is closed: nothing in it can change.".into(),
        ));
    }
    Ok(())
}

pub struct NewShift<'a> {
    pub register_id: i64,
    pub float: &'a Count,
    pub key: &'a str,
}

/// Opens a shift for the actor on a register of their branch. A repeated key answers the
/// shift it opened; a second open shift on the register or for the person is refused (the
/// partial unique indexes decide races).
pub fn open(
    conn: &mut AnyConnection,
    actor: &Actor,
    new: &NewShift<'_>,
    now: NaiveDateTime,
    today: NaiveDate,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    crate::platform::db::lock_key(conn, "shift", me, new.key)?;
    let earlier: Option<i64> = shifts::table
        .filter(shifts::employee_id.eq(me))
        .filter(shifts::idempotency_key.eq(new.key))
        .select(shifts::id)
        .first(conn)
        .optional()?;
    if let Some(id) = earlier {
        return Ok(id);
    }
    let my_branch: Option<i64> = employees::table
        .find(me)
        .select(employees::branch_id)
        .first(conn)?;
    let register = crate::registers::model::find(conn, new.register_id)
        .map_err(|_| AppError::field_invalid("register_id", "Choose a register from the list."))?;
    if !register.is_active || Some(register.branch_id) != my_branch {
        return Err(AppError::field_invalid(
            "register_id",
            "Choose a register of your branch from the list.",
        ));
    }
    if open_of(conn, me)?.is_some() {
        return Err(AppError::Conflict(
            "You already have a shift open: close it before opening another.".into(),
        ));
    }
    if open_on_register(conn, register.id)?.is_some() {
        return Err(register_busy(&register.name));
    }
    let before: i64 = shifts::table
        .filter(shifts::register_id.eq(register.id))
        .filter(shifts::closed_at.is_not_null())
        // One open shift per register at a time: the latest opened is the latest closed.
        .order(shifts::id.desc())
        .select(shifts::grand_total_after_minor)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten()
        .unwrap_or(0);
    let inserted = diesel::insert_into(shifts::table)
        .values((
            shifts::register_id.eq(register.id),
            shifts::branch_id.eq(register.branch_id),
            shifts::employee_id.eq(me),
            shifts::idempotency_key.eq(new.key),
            shifts::opening_float_minor.eq(new.float.total.0),
            shifts::opening_count.eq(new.float.text()),
            shifts::opened_at.eq(now),
            shifts::business_day.eq(today),
            shifts::activity_count.eq(0i64),
            shifts::grand_total_before_minor.eq(before),
            shifts::closing_count.eq(""),
            shifts::difference_note.eq(""),
        ))
        .returning(shifts::id)
        .get_result::<i64>(conn);
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(register_busy(&register.name)),
        Err(e) => return Err(e.into()),
    };
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, format!("Shift #{id}")),
        &Changes::new()
            .created("register_id", register.id)
            .created("opening_float", new.float.total.plain()),
    )?;
    Ok(id)
}

fn register_busy(name: &str) -> AppError {
    AppError::Conflict(format!(
        "{name} already has an open shift: choose another register or ask its cashier to close."
    ))
}

pub struct NewMovement<'a> {
    pub shift_id: i64,
    pub kind: Movement,
    pub amount: Money,
    pub reason: &'a str,
    pub key: &'a str,
}

/// Cash paid into or taken out of the drawer, with its reason; once per key.
pub fn move_cash(
    conn: &mut AnyConnection,
    actor: &Actor,
    m: &NewMovement<'_>,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let earlier = |conn: &mut AnyConnection| -> QueryResult<Option<i64>> {
        cash_movements::table
            .filter(cash_movements::shift_id.eq(m.shift_id))
            .filter(cash_movements::idempotency_key.eq(m.key))
            .select(cash_movements::id)
            .first(conn)
            .optional()
    };
    // The row lock first (a second copy of the request waits here for the first), then the
    // key; a retry of a movement answered before the close still answers that movement.
    if let Err(refused) = hold_open(conn, m.shift_id) {
        return match earlier(conn)? {
            Some(id) => Ok(id),
            None => Err(refused),
        };
    }
    if let Some(id) = earlier(conn)? {
        return Ok(id);
    }
    if !m.amount.is_positive() {
        return Err(AppError::field_invalid(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    if m.kind == Movement::Out {
        // The drawer cannot give out more than it holds.
        let shift = find(conn, m.shift_id)?;
        let held = figures(conn, &shift)?.flow.expected();
        if m.amount > held {
            return Err(AppError::field_conflict(
                "amount",
                format!(
                    "The drawer should hold only {}: you cannot take out more.",
                    held.grouped()
                ),
            ));
        }
    }
    let id: i64 = diesel::insert_into(cash_movements::table)
        .values((
            cash_movements::shift_id.eq(m.shift_id),
            cash_movements::kind.eq(m.kind.as_str()),
            cash_movements::amount_minor.eq(m.amount.0),
            cash_movements::reason.eq(m.reason),
            cash_movements::employee_id.eq(me),
            cash_movements::idempotency_key.eq(m.key),
            cash_movements::created_at.eq(now),
        ))
        .returning(cash_movements::id)
        .get_result(conn)?;
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(
            MOVEMENT_RECORD,
            id,
            format!("{} of shift #{}", m.kind.label(), m.shift_id),
        ),
        &Changes::new()
            .created("kind", m.kind.as_str())
            .created("amount", m.amount.plain())
            .created("reason", m.reason),
    )?;
    Ok(id)
}

/// Takings by payment method: (method, count, amount).
pub type ByMethod = Vec<(String, i64, Money)>;

/// What a shift's X or Z report says.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub flow: CashFlow,
    /// Retail sales kept (not voided by the report's time): count, total, VAT, VATable.
    pub sales_count: i64,
    pub sales_total: Money,
    pub vat: Money,
    pub vatable: Money,
    /// Sales voided during the shift: count and total.
    pub voids_count: i64,
    pub voids_total: Money,
    /// Credit notes made in the shift (refunds of any day's sales), their VAT, and how the
    /// money went back.
    pub refunds_count: i64,
    pub refunds_total: Money,
    pub refunds_vat: Money,
    pub refunds_by_method: ByMethod,
    /// Retail payments by method (cash, the instalment down payments).
    pub retail_by_method: ByMethod,
    /// Instalment payments taken in the shift, by method.
    pub instalments_by_method: ByMethod,
    /// Cafe bills closed in the shift, by method; their discounts and tax.
    pub cafe_by_method: ByMethod,
    pub cafe_total: Money,
    pub cafe_discounts: Money,
    pub cafe_tax: Money,
    /// First and last official receipt of the shift.
    pub first_receipt: Option<String>,
    pub last_receipt: Option<String>,
    pub movements: Vec<MovementRow>,
}

impl Figures {
    /// The register's takings of the shift that count towards its grand total.
    pub fn gross(&self) -> Money {
        Money(self.sales_total.0 + self.cafe_total.0)
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct MovementRow {
    pub id: i64,
    pub kind: String,
    pub amount_minor: i64,
    pub reason: String,
    pub employee: String,
    pub created_at: NaiveDateTime,
}

fn total(expr: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("CAST(COALESCE(SUM({expr}), 0) AS BIGINT)"))
}

/// The report's figures: everything the shift's rows say, up to its close (a sale voided after
/// the close stays a sale of this shift's report; its cash left another drawer).
impl Figures {
    /// Another shift's figures added to these (shifts in id order: the first receipt stays the
    /// earliest, the last becomes the latest).
    pub fn absorb(&mut self, o: Figures) {
        fn merge(into: &mut ByMethod, from: ByMethod) {
            for (m, n, a) in from {
                match into.iter_mut().find(|r| r.0 == m) {
                    Some(r) => {
                        r.1 += n;
                        r.2 = Money(r.2 .0 + a.0);
                    }
                    None => into.push((m, n, a)),
                }
            }
            into.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let add = |a: Money, b: Money| Money(a.0 + b.0);
        self.flow = self.flow.plus(o.flow);
        self.sales_count += o.sales_count;
        self.sales_total = add(self.sales_total, o.sales_total);
        self.vat = add(self.vat, o.vat);
        self.vatable = add(self.vatable, o.vatable);
        self.voids_count += o.voids_count;
        self.voids_total = add(self.voids_total, o.voids_total);
        self.refunds_count += o.refunds_count;
        self.refunds_total = add(self.refunds_total, o.refunds_total);
        self.refunds_vat = add(self.refunds_vat, o.refunds_vat);
        merge(&mut self.refunds_by_method, o.refunds_by_method);
        merge(&mut self.retail_by_method, o.retail_by_method);
        merge(&mut self.instalments_by_method, o.instalments_by_method);
        merge(&mut self.cafe_by_method, o.cafe_by_method);
        self.cafe_total = add(self.cafe_total, o.cafe_total);
        self.cafe_discounts = add(self.cafe_discounts, o.cafe_discounts);
        self.cafe_tax = add(self.cafe_tax, o.cafe_tax);
        if self.first_receipt.is_none() {
            self.first_receipt = o.first_receipt;
        }
        if o.last_receipt.is_some() {
            self.last_receipt = o.last_receipt;
        }
        self.movements.extend(o.movements);
    }
}

/// The shifts of a branch's business day, oldest first.
pub fn of_day(conn: &mut AnyConnection, branch: i64, day: NaiveDate) -> QueryResult<Vec<Shift>> {
    shifts::table
        .filter(shifts::branch_id.eq(branch))
        .filter(shifts::business_day.eq(day))
        .order(shifts::id.asc())
        .select(Shift::as_select())
        .load(conn)
}

pub fn figures(conn: &mut AnyConnection, shift: &Shift) -> QueryResult<Figures> {
    // A sale counts in its shift's report unless it was voided while the shift was open (a
    // void after the close leaves the closed report as it was).
    // An open shift's cutoff is a far date that both databases compare as a time (SQLite
    // compares text, where chrono's own MAX, "+262142-…", sorts before every real time).
    let far = NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .unwrap_or_default();
    let cutoff = shift.closed_at.unwrap_or(far);
    let kept = orders::voided_at.is_null().or(orders::voided_at.gt(cutoff));
    // Every receipt's total is its VATable part plus its VAT (`pricing::receipt_totals`), so
    // the VATable sales need no join; and a shift's checkouts are serialised on its row, so its
    // first and last order carry its first and last receipt.
    let (sales_count, sales_total, vat): (i64, i64, i64) = orders::table
        .filter(orders::shift_id.eq(shift.id))
        .filter(kept)
        .select((
            sql::<BigInt>("COUNT(*)"),
            total("orders.total_minor"),
            total("orders.vat_minor"),
        ))
        .first(conn)?;
    // Voided sales keep their receipt numbers: the range is of every sale of the shift.
    let (first, last): (Option<i64>, Option<i64>) = orders::table
        .filter(orders::shift_id.eq(shift.id))
        .select((
            sql::<Nullable<BigInt>>("MIN(orders.id)"),
            sql::<Nullable<BigInt>>("MAX(orders.id)"),
        ))
        .first(conn)?;
    let vatable = sales_total - vat;
    let (voids_count, voids_total): (i64, i64) = orders::table
        .filter(orders::shift_id.eq(shift.id))
        .filter(orders::voided_at.le(cutoff))
        .select((sql::<BigInt>("COUNT(*)"), total("orders.total_minor")))
        .first(conn)?;
    let retail: Vec<(String, i64, i64)> = payments::table
        .inner_join(orders::table)
        .filter(orders::shift_id.eq(shift.id))
        .filter(kept)
        .group_by(payments::method)
        .select((
            payments::method,
            sql::<BigInt>("COUNT(*)"),
            total("payments.amount_minor"),
        ))
        .order(payments::method.asc())
        .load(conn)?;
    let instalments: Vec<(String, i64, i64)> = installment_payments::table
        .filter(installment_payments::shift_id.eq(shift.id))
        .group_by(installment_payments::method)
        .select((
            installment_payments::method,
            sql::<BigInt>("COUNT(*)"),
            total("installment_payments.amount_minor"),
        ))
        .order(installment_payments::method.asc())
        .load(conn)?;
    // A cafe bill paid in parts counts once per tender, like a retail sale's payments.
    let cafe: Vec<(String, i64, i64)> = cafe_payments::table
        .inner_join(cafe_sales::table)
        .filter(cafe_sales::shift_id.eq(shift.id))
        .group_by(cafe_payments::method)
        .select((
            cafe_payments::method,
            sql::<BigInt>("COUNT(*)"),
            total("cafe_payments.amount_minor"),
        ))
        .order(cafe_payments::method.asc())
        .load(conn)?;
    let (cafe_discounts, cafe_tax): (i64, i64) = cafe_sales::table
        .filter(cafe_sales::shift_id.eq(shift.id))
        .select((
            total("cafe_sales.discount_minor"),
            total("cafe_sales.tax_minor"),
        ))
        .first(conn)?;
    let (refunds_count, refunds_total, refunds_vat): (i64, i64, i64) = credit_notes::table
        .filter(credit_notes::shift_id.eq(shift.id))
        .select((
            sql::<BigInt>("COUNT(*)"),
            total("credit_notes.total_minor"),
            total("credit_notes.vat_minor"),
        ))
        .first(conn)?;
    let refunds: Vec<(String, i64, i64)> = credit_note_tenders::table
        .inner_join(credit_notes::table)
        .filter(credit_notes::shift_id.eq(shift.id))
        .group_by(credit_note_tenders::method)
        .select((
            credit_note_tenders::method,
            sql::<BigInt>("COUNT(*)"),
            total("credit_note_tenders.amount_minor"),
        ))
        .order(credit_note_tenders::method.asc())
        .load(conn)?;
    // The cafe's credit notes made in this shift count with retail's.
    let (cafe_refunds_count, cafe_refunds_total, cafe_refunds_tax): (i64, i64, i64) =
        cafe_credit_notes::table
            .filter(cafe_credit_notes::shift_id.eq(shift.id))
            .select((
                sql::<BigInt>("COUNT(*)"),
                total("cafe_credit_notes.total_minor"),
                total("cafe_credit_notes.tax_minor"),
            ))
            .first(conn)?;
    let cafe_refunds: Vec<(String, i64, i64)> = cafe_credit_note_tenders::table
        .inner_join(cafe_credit_notes::table)
        .filter(cafe_credit_notes::shift_id.eq(shift.id))
        .group_by(cafe_credit_note_tenders::method)
        .select((
            cafe_credit_note_tenders::method,
            sql::<BigInt>("COUNT(*)"),
            total("cafe_credit_note_tenders.amount_minor"),
        ))
        .order(cafe_credit_note_tenders::method.asc())
        .load(conn)?;
    let mut refunds = refunds;
    for (m, n, a) in cafe_refunds {
        match refunds.iter_mut().find(|r| r.0 == m) {
            Some(r) => {
                r.1 += n;
                r.2 += a;
            }
            None => refunds.push((m, n, a)),
        }
    }
    refunds.sort_by(|a, b| a.0.cmp(&b.0));
    let (refunds_count, refunds_total, refunds_vat) = (
        refunds_count + cafe_refunds_count,
        refunds_total + cafe_refunds_total,
        refunds_vat + cafe_refunds_tax,
    );
    let receipt = |conn: &mut AnyConnection, order: Option<i64>| -> QueryResult<Option<String>> {
        match order {
            Some(id) => official_receipts::table
                .filter(official_receipts::order_id.eq(id))
                .select(official_receipts::or_number)
                .first(conn)
                .optional(),
            None => Ok(None),
        }
    };
    let first_receipt = receipt(conn, first)?;
    let last_receipt = receipt(conn, last)?;
    let movements: Vec<MovementRow> = cash_movements::table
        .inner_join(employees::table.on(employees::id.eq(cash_movements::employee_id)))
        .filter(cash_movements::shift_id.eq(shift.id))
        .order(cash_movements::id.asc())
        .select((
            cash_movements::id,
            cash_movements::kind,
            cash_movements::amount_minor,
            cash_movements::reason,
            employees::name,
            cash_movements::created_at,
        ))
        .load(conn)?;
    let of = |rows: &[(String, i64, i64)], method: &str| -> Money {
        Money(
            rows.iter()
                .filter(|(m, _, _)| m == method)
                .map(|(_, _, a)| *a)
                .sum(),
        )
    };
    let moved = |kind: Movement| -> Money {
        Money(
            movements
                .iter()
                .filter(|m| m.kind == kind.as_str())
                .map(|m| m.amount_minor)
                .sum(),
        )
    };
    let flow = CashFlow {
        opening_float: Money(shift.opening_float_minor),
        cash_sales: of(&retail, "cash"),
        down_payments: of(&retail, "installment"),
        instalment_cash: of(&instalments, "cash"),
        cafe_cash: of(&cafe, "cash"),
        cash_refunds: of(&refunds, "cash"),
        cash_in: moved(Movement::In),
        cash_out: moved(Movement::Out),
    };
    let money = |rows: Vec<(String, i64, i64)>| -> ByMethod {
        rows.into_iter().map(|(m, n, a)| (m, n, Money(a))).collect()
    };
    let cafe_total = Money(cafe.iter().map(|(_, _, a)| *a).sum());
    Ok(Figures {
        flow,
        sales_count,
        sales_total: Money(sales_total),
        vat: Money(vat),
        vatable: Money(vatable),
        voids_count,
        voids_total: Money(voids_total),
        refunds_count,
        refunds_total: Money(refunds_total),
        refunds_vat: Money(refunds_vat),
        refunds_by_method: money(refunds),
        retail_by_method: money(retail),
        instalments_by_method: money(instalments),
        cafe_by_method: money(cafe),
        cafe_total,
        cafe_discounts: Money(cafe_discounts),
        cafe_tax: Money(cafe_tax),
        first_receipt,
        last_receipt,
        movements,
    })
}

pub struct Closing<'a> {
    pub shift_id: i64,
    pub counted: &'a Count,
    pub note: &'a str,
    /// A difference beyond this needs the note.
    pub threshold: Money,
}

/// What the close found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    pub expected: Money,
    pub counted: Money,
    pub difference: Money,
}

/// Closes the shift: the row is marked closed first (waiting for any sale that holds it, and
/// making every later one find it closed), then the figures are read and stored with the
/// count. A difference over the threshold without a note rolls it all back.
pub fn close(
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Closing<'_>,
    now: NaiveDateTime,
) -> Result<Closed, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let n = diesel::update(
        shifts::table
            .find(c.shift_id)
            .filter(shifts::closed_at.is_null()),
    )
    .set((shifts::closed_at.eq(now), shifts::closed_by.eq(me)))
    .execute(conn)?;
    if n == 0 {
        find(conn, c.shift_id)?;
        return Err(AppError::Conflict("This shift is already closed.".into()));
    }
    let shift = find(conn, c.shift_id)?;
    let f = figures(conn, &shift)?;
    let expected = f.flow.expected();
    let difference = rules::difference(expected, c.counted.total);
    if rules::needs_note(difference, c.threshold) && c.note.is_empty() {
        return Err(AppError::field_invalid(
            "note",
            format!(
                "{} against the expected {}: say why in the note.",
                rules::difference_label(difference),
                expected.grouped()
            ),
        ));
    }
    let after = shift.grand_total_before_minor + f.gross().0;
    diesel::update(shifts::table.find(c.shift_id))
        .set((
            shifts::expected_cash_minor.eq(expected.0),
            shifts::counted_cash_minor.eq(c.counted.total.0),
            shifts::closing_count.eq(c.counted.text()),
            shifts::difference_note.eq(c.note),
            shifts::grand_total_after_minor.eq(after),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of(RECORD, shift.id, shift.label()),
        &Changes::new()
            .diff("status", "open", "closed")
            .created("expected_cash", expected.plain())
            .created("counted_cash", c.counted.total.plain())
            .created("difference", difference.plain())
            .created("difference_note", c.note),
    )?;
    Ok(Closed {
        expected,
        counted: c.counted.total,
        difference,
    })
}

/// A line of the shifts list.
#[derive(Debug, Clone, Queryable)]
pub struct ShiftRow {
    pub id: i64,
    pub register: String,
    pub branch: String,
    pub employee: String,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub opening_float_minor: i64,
    pub expected_cash_minor: Option<i64>,
    pub counted_cash_minor: Option<i64>,
    pub business_day: NaiveDate,
}

/// The shifts list's filters; `employee_id` is forced to the person for everyone but managers.
#[derive(Debug, Clone, Default)]
pub struct ShiftFilter {
    pub branch_id: Option<i64>,
    pub register_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub open: Option<bool>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

type Boxed<'a> = shifts::BoxedQuery<'a, crate::platform::db::MultiBackend>;

fn filtered(f: &ShiftFilter) -> Boxed<'static> {
    let mut q = shifts::table.into_boxed();
    if let Some(b) = f.branch_id {
        q = q.filter(shifts::branch_id.eq(b));
    }
    if let Some(r) = f.register_id {
        q = q.filter(shifts::register_id.eq(r));
    }
    if let Some(e) = f.employee_id {
        q = q.filter(shifts::employee_id.eq(e));
    }
    match f.open {
        Some(true) => q = q.filter(shifts::closed_at.is_null()),
        Some(false) => q = q.filter(shifts::closed_at.is_not_null()),
        None => {}
    }
    if let Some(d) = f.from {
        q = q.filter(shifts::business_day.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(shifts::business_day.le(d));
    }
    q
}

pub fn count(conn: &mut AnyConnection, f: &ShiftFilter) -> QueryResult<i64> {
    filtered(f).count().get_result(conn)
}

/// A page of shifts, newest first.
pub fn page(
    conn: &mut AnyConnection,
    f: &ShiftFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ShiftRow>> {
    let ids: Vec<i64> = filtered(f)
        .order(shifts::id.desc())
        .offset(offset)
        .limit(limit)
        .select(shifts::id)
        .load(conn)?;
    page_of_ids(conn, ids)
}

/// The names a shift's report prints: register (with its tax fields), branch, cashier, closer.
pub struct Names {
    pub register: crate::registers::model::Register,
    pub branch: String,
    pub branch_address: String,
    pub cashier: String,
    pub closer: Option<String>,
}

pub fn names(conn: &mut AnyConnection, shift: &Shift) -> Result<Names, AppError> {
    let register = crate::registers::model::find(conn, shift.register_id)?;
    let (branch, branch_address): (String, String) = branches::table
        .find(shift.branch_id)
        .select((branches::name, branches::address))
        .first(conn)?;
    let name_of = |conn: &mut AnyConnection, id: i64| -> QueryResult<String> {
        employees::table
            .find(id)
            .select(employees::name)
            .first(conn)
    };
    let cashier = name_of(conn, shift.employee_id)?;
    let closer = match shift.closed_by {
        Some(id) => Some(name_of(conn, id)?),
        None => None,
    };
    Ok(Names {
        register,
        branch,
        branch_address,
        cashier,
        closer,
    })
}

/// A shift for the CSV export: its list line and, once closed, the difference.
pub fn export_page(
    conn: &mut AnyConnection,
    f: &ShiftFilter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ShiftRow>> {
    let mut q = filtered(f);
    if let Some(a) = after {
        q = q.filter(shifts::id.gt(a));
    }
    let ids: Vec<i64> = q
        .order(shifts::id.asc())
        .limit(limit)
        .select(shifts::id)
        .load(conn)?;
    let mut rows = page_of_ids(conn, ids)?;
    rows.reverse();
    Ok(rows)
}

fn page_of_ids(conn: &mut AnyConnection, ids: Vec<i64>) -> QueryResult<Vec<ShiftRow>> {
    shifts::table
        .inner_join(registers::table.on(registers::id.eq(shifts::register_id)))
        .inner_join(branches::table.on(branches::id.eq(shifts::branch_id)))
        .inner_join(employees::table.on(employees::id.eq(shifts::employee_id)))
        .filter(shifts::id.eq_any(ids))
        .order(shifts::id.desc())
        .select((
            shifts::id,
            registers::name,
            branches::name,
            employees::name,
            shifts::opened_at,
            shifts::closed_at,
            shifts::opening_float_minor,
            shifts::expected_cash_minor,
            shifts::counted_cash_minor,
            shifts::business_day,
        ))
        .load(conn)
}
