//! Plans, their schedules and payments in the database.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::{scope, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, customers, employees, installment_dues, installment_payments, installment_plans,
    official_receipts, products,
};
use crate::platform::settings;
use crate::retail::installments::rules::{self, DueState, PaymentError, PlanFigures};
use crate::retail::pricing;
use crate::retail::sales::void;

pub const RECORD: &str = "installment_plan";
/// The terms offered at the till ("3,6,12").
pub const TERMS: &str = "retail.installment_terms";
/// The flat interest in basis points (300 = 3 %).
pub const RATE_BP: &str = "retail.installment_rate_bp";

/// Credit exposure (outstanding instalments over revenue) above this, in basis points, is
/// "high risk" on the reports page.
pub const HIGH_RISK_BP: &str = "retail.credit_high_risk_bp";
pub const DEFAULT_HIGH_RISK_BP: i64 = 3_000;

pub fn high_risk_bp(conn: &mut AnyConnection) -> QueryResult<i64> {
    Ok(settings::get(conn, HIGH_RISK_BP)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|r| (0..=100_000).contains(r))
        .unwrap_or(DEFAULT_HIGH_RISK_BP))
}

/// The instalment settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub offered: Vec<i64>,
    pub rate_bp: i64,
}

pub fn terms(conn: &mut AnyConnection) -> QueryResult<Terms> {
    let offered = rules::parse_terms(settings::get(conn, TERMS)?.as_deref());
    let rate_bp = settings::get(conn, RATE_BP)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|r| (0..=10_000).contains(r))
        .unwrap_or(rules::DEFAULT_RATE_BP);
    Ok(Terms { offered, rate_bp })
}

/// A plan to write with its sale.
pub struct NewPlan<'a> {
    pub order_id: i64,
    pub branch_id: i64,
    pub customer_id: i64,
    pub seller_id: i64,
    pub rate_bp: i64,
    pub figures: &'a PlanFigures,
    pub at: NaiveDateTime,
}

/// Writes the plan (Pending approval) and its schedule; answers the plan's id. Caller holds
/// the checkout's transaction.
pub fn create_plan(conn: &mut AnyConnection, p: &NewPlan<'_>) -> Result<i64, AppError> {
    let f = p.figures;
    let first_due: Option<NaiveDate> = f.schedule.first().map(|d| d.due_date);
    let plan_id: i64 = diesel::insert_into(installment_plans::table)
        .values((
            installment_plans::order_id.eq(p.order_id),
            installment_plans::branch_id.eq(p.branch_id),
            installment_plans::customer_id.eq(p.customer_id),
            installment_plans::seller_id.eq(p.seller_id),
            installment_plans::status.eq(PlanStatus::Pending.as_str()),
            installment_plans::term_months.eq(f.schedule.len() as i64),
            installment_plans::rate_bp.eq(p.rate_bp),
            installment_plans::total_minor.eq(f.total.0),
            installment_plans::down_payment_minor.eq(f.down_payment.0),
            installment_plans::financed_minor.eq(f.financed.0),
            installment_plans::interest_minor.eq(f.interest.0),
            installment_plans::balance_minor.eq(f.balance.0),
            installment_plans::paid_minor.eq(0i64),
            installment_plans::next_due_date.eq(first_due),
            installment_plans::decision_note.eq(""),
            installment_plans::created_at.eq(p.at),
            installment_plans::updated_at.eq(p.at),
        ))
        .returning(installment_plans::id)
        .get_result(conn)?;
    // One statement per instalment: batch inserts are not available on both backends at once.
    for d in &f.schedule {
        diesel::insert_into(installment_dues::table)
            .values((
                installment_dues::plan_id.eq(plan_id),
                installment_dues::seq.eq(d.seq),
                installment_dues::due_date.eq(d.due_date),
                installment_dues::amount_minor.eq(d.amount.0),
                installment_dues::paid_minor.eq(0i64),
            ))
            .execute(conn)?;
    }
    Ok(plan_id)
}

/// Where a plan stands. Stored as TEXT with a CHECK; "Overdue" is not stored: it is an active
/// plan whose next due date has passed in the business's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    Pending,
    Active,
    Completed,
    Rejected,
    Cancelled,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::Pending,
        PlanStatus::Active,
        PlanStatus::Completed,
        PlanStatus::Rejected,
        PlanStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Pending => "pending",
            PlanStatus::Active => "active",
            PlanStatus::Completed => "completed",
            PlanStatus::Rejected => "rejected",
            PlanStatus::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Pending => "Pending approval",
            PlanStatus::Active => "Active",
            PlanStatus::Completed => "Completed",
            PlanStatus::Rejected => "Rejected",
            PlanStatus::Cancelled => "Cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Who decides on a plan, as the database knows them.
struct Decider {
    name: String,
    role: String,
    branch_id: Option<i64>,
    limit: i64,
}

fn decider(conn: &mut AnyConnection, employee_id: i64) -> Result<Decider, AppError> {
    let (name, role, branch_id, limit) = employees::table
        .find(employee_id)
        .select((
            employees::name,
            employees::role,
            employees::branch_id,
            employees::approval_limit_minor,
        ))
        .first::<(String, String, Option<i64>, i64)>(conn)?;
    Ok(Decider {
        name,
        role,
        branch_id,
        limit,
    })
}

/// The plan's head as the decision and payments need it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = installment_plans)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PlanHead {
    pub id: i64,
    pub order_id: i64,
    pub branch_id: i64,
    pub customer_id: i64,
    pub seller_id: i64,
    pub status: String,
    pub term_months: i64,
    pub rate_bp: i64,
    pub total_minor: i64,
    pub down_payment_minor: i64,
    pub financed_minor: i64,
    pub interest_minor: i64,
    pub balance_minor: i64,
    pub paid_minor: i64,
    pub next_due_date: Option<NaiveDate>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: String,
    pub refund_due_minor: i64,
    pub created_at: NaiveDateTime,
}

impl PlanHead {
    pub fn status(&self) -> Option<PlanStatus> {
        PlanStatus::parse(&self.status)
    }
    pub fn remaining(&self) -> Money {
        Money(self.balance_minor - self.paid_minor)
    }
    pub fn label(&self) -> String {
        format!("Plan #{}", self.id)
    }
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<PlanHead, AppError> {
    installment_plans::table
        .find(id)
        .select(PlanHead::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That instalment plan"))
}

/// Approves (`approve`) or rejects a plan that is pending, with the decider's note. A
/// manager may decide any plan; a credit officer one of their branch whose financed amount
/// their approval limit covers; nobody their own sale. Rejecting cancels the sale in the same
/// transaction (stock and serials back, commission reversed) and marks the down payment for
/// refund. Caller holds the transaction.
pub fn decide(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan_id: i64,
    approve: bool,
    note: &str,
) -> Result<PlanHead, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let plan = find(conn, plan_id)?;
    let who = decider(conn, me)?;
    let manager = who.role == Role::Manager.as_str();
    if !manager && who.branch_id != Some(plan.branch_id) {
        return Err(AppError::Forbidden(scope::ANOTHER_BRANCH.into()));
    }
    if plan.seller_id == me {
        return Err(AppError::Forbidden(
            "You sold this plan: another credit officer or a manager decides on it.".into(),
        ));
    }
    if approve && !manager && who.limit < plan.financed_minor {
        return Err(AppError::Forbidden(over_limit(conn, &who, &plan)?));
    }
    let (to, now) = (
        if approve {
            PlanStatus::Active
        } else {
            PlanStatus::Rejected
        },
        BusinessClock::now_utc(),
    );
    let changed = diesel::update(
        installment_plans::table
            .find(plan_id)
            .filter(installment_plans::status.eq(PlanStatus::Pending.as_str())),
    )
    .set((
        installment_plans::status.eq(to.as_str()),
        installment_plans::decided_by.eq(me),
        installment_plans::decided_at.eq(now),
        installment_plans::decision_note.eq(note),
        installment_plans::refund_due_minor.eq(if approve { 0 } else { plan.down_payment_minor }),
        installment_plans::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        let now_status = plan.status().map_or("decided", |s| s.label());
        return Err(AppError::Conflict(format!(
            "This plan is no longer pending approval (it is {now_status})."
        )));
    }
    if !approve {
        let reason = format!("Instalment plan rejected: {note}");
        void::cancel_sale(conn, actor, plan.order_id, &reason, "installment")?;
    }
    let changes = Changes::new()
        .diff("status", plan.status.as_str(), to.as_str())
        .note("note", note);
    let label = plan.label();
    let subject = Subject::of(RECORD, plan_id, &label);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    find(conn, plan_id)
}

/// "Your approval limit is 20,000.00; this plan finances 35,000.00. Ana Cruz (50,000.00) or a
/// manager can approve it."
fn over_limit(
    conn: &mut AnyConnection,
    who: &Decider,
    plan: &PlanHead,
) -> Result<String, AppError> {
    let covering: Vec<(String, i64)> = employees::table
        .filter(employees::role.eq(Role::CreditOfficer.as_str()))
        .filter(employees::is_active.eq(true))
        .filter(employees::branch_id.eq(plan.branch_id))
        .filter(employees::approval_limit_minor.ge(plan.financed_minor))
        .order(employees::approval_limit_minor.asc())
        .select((employees::name, employees::approval_limit_minor))
        .limit(3)
        .load(conn)?;
    let others: Vec<String> = covering
        .iter()
        .filter(|(name, _)| *name != who.name)
        .map(|(name, limit)| format!("{name} ({})", Money(*limit).grouped()))
        .collect();
    let who_can = if others.is_empty() {
        "A manager can approve it.".to_string()
    } else {
        format!("{} or a manager can approve it.", others.join(", "))
    };
    Ok(format!(
        "Your approval limit is {}; this plan finances {}. {who_can}",
        Money(who.limit).grouped(),
        Money(plan.financed_minor).grouped()
    ))
}

/// How an instalment is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    Cash,
    BankTransfer,
    EWallet,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] = [
        PaymentMethod::Cash,
        PaymentMethod::BankTransfer,
        PaymentMethod::EWallet,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::EWallet => "e_wallet",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::EWallet => "E-wallet",
        }
    }
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A payment to record.
pub struct NewPayment<'a> {
    pub plan_id: i64,
    pub amount: Money,
    pub method: PaymentMethod,
    /// The form's one-time key: a double click or a retry records one payment.
    pub key: &'a str,
}

/// What a recorded payment answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub payment_id: i64,
    pub or_number: String,
    pub remaining: Money,
    pub completed: bool,
}

/// Records a payment on an active plan: the plan's paid total goes up by a conditional
/// UPDATE that can never pass the balance (racing payments: the second is refused with what
/// is left), the oldest unpaid instalments are paid first, the next due date moves to the
/// first instalment not fully paid, and at zero balance the plan is Completed. The payment gets
/// its own official receipt number from the branch's counter. Caller holds the transaction.
pub fn record_payment(
    conn: &mut AnyConnection,
    actor: &Actor,
    p: &NewPayment<'_>,
) -> Result<Recorded, AppError> {
    let me = actor.employee_id.ok_or(AppError::Unauthorized)?;
    crate::retail::pos::checkout::lock_key(conn, me, p.key)?;
    if let Some(done) = earlier_payment(conn, me, p)? {
        return Ok(done);
    }
    let plan = find(conn, p.plan_id)?;
    match plan.status() {
        Some(PlanStatus::Active) => {}
        Some(PlanStatus::Completed) => {
            return Err(AppError::Conflict("This plan is already paid off.".into()))
        }
        Some(PlanStatus::Pending) => {
            return Err(AppError::Conflict(
                "This plan is waiting for approval: it takes payments once approved.".into(),
            ))
        }
        _ => {
            return Err(AppError::Conflict(
                "This plan was rejected or cancelled: it takes no payments.".into(),
            ))
        }
    }
    if !p.amount.is_positive() {
        return Err(AppError::field_invalid(
            "amount",
            PaymentError::NotPositive.to_string(),
        ));
    }
    let now = BusinessClock::now_utc();
    // The plan row first: its lock orders racing payments, and its condition keeps the total
    // paid within the balance whatever the other one did.
    let paid: Option<(i64, i64)> = diesel::update(
        installment_plans::table
            .find(p.plan_id)
            .filter(installment_plans::status.eq(PlanStatus::Active.as_str()))
            .filter(
                (installment_plans::paid_minor + p.amount.0).le(installment_plans::balance_minor),
            ),
    )
    .set((
        installment_plans::paid_minor.eq(installment_plans::paid_minor + p.amount.0),
        installment_plans::updated_at.eq(now),
    ))
    .returning((
        installment_plans::paid_minor,
        installment_plans::balance_minor,
    ))
    .get_result(conn)
    .optional()?;
    let Some((paid, balance)) = paid else {
        let left = find(conn, p.plan_id)?.remaining();
        return Err(AppError::field_conflict(
            "amount",
            PaymentError::Overpayment { remaining: left }.to_string(),
        ));
    };
    let dues = dues_of(conn, p.plan_id)?;
    let states: Vec<DueState> = dues.iter().map(Due::state).collect();
    let spread = rules::allocate(&states, p.amount)
        .map_err(|e| AppError::field_conflict("amount", e.to_string()))?;
    for (due_id, add) in &spread {
        diesel::update(
            installment_dues::table
                .find(due_id)
                .filter((installment_dues::paid_minor + add.0).le(installment_dues::amount_minor)),
        )
        .set(installment_dues::paid_minor.eq(installment_dues::paid_minor + add.0))
        .execute(conn)?;
    }
    let after: Vec<DueState> = dues_of(conn, p.plan_id)?.iter().map(Due::state).collect();
    let completed = paid == balance;
    diesel::update(installment_plans::table.find(p.plan_id))
        .set((
            installment_plans::next_due_date.eq(rules::next_due(&after)),
            installment_plans::status.eq(if completed {
                PlanStatus::Completed.as_str()
            } else {
                PlanStatus::Active.as_str()
            }),
        ))
        .execute(conn)?;
    let code: String = branches::table
        .find(plan.branch_id)
        .select(branches::code)
        .first(conn)?;
    let number = crate::retail::pos::checkout::next_receipt_number(conn, plan.branch_id)?;
    let or_number = pricing::or_number(&code, number);
    // Taken at a till with an open shift: the money is in that drawer and on its Z report.
    let shift_id = crate::registers::shifts::model::take(conn, me)?;
    let payment_id: i64 = diesel::insert_into(installment_payments::table)
        .values((
            installment_payments::plan_id.eq(p.plan_id),
            installment_payments::amount_minor.eq(p.amount.0),
            installment_payments::method.eq(p.method.as_str()),
            installment_payments::branch_id.eq(plan.branch_id),
            installment_payments::number.eq(number),
            installment_payments::or_number.eq(&or_number),
            installment_payments::employee_id.eq(me),
            installment_payments::idempotency_key.eq(p.key),
            installment_payments::paid_at.eq(now),
            installment_payments::shift_id.eq(shift_id),
        ))
        .returning(installment_payments::id)
        .get_result(conn)?;
    let remaining = Money(balance - paid);
    let mut changes = Changes::new()
        .created("payment", p.amount.plain())
        .created("method", p.method.as_str())
        .created("or_number", or_number.as_str())
        .created("remaining", remaining.plain());
    if completed {
        changes = changes.diff(
            "status",
            PlanStatus::Active.as_str(),
            PlanStatus::Completed.as_str(),
        );
    }
    let label = plan.label();
    let subject = Subject::of(RECORD, p.plan_id, &label);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(Recorded {
        payment_id,
        or_number,
        remaining,
        completed,
    })
}

/// The payment this employee already recorded with this key, if any (a double click); a
/// conflict when that key paid something else.
fn earlier_payment(
    conn: &mut AnyConnection,
    employee_id: i64,
    p: &NewPayment<'_>,
) -> Result<Option<Recorded>, AppError> {
    let found: Option<(i64, i64, i64, String)> = installment_payments::table
        .filter(installment_payments::employee_id.eq(employee_id))
        .filter(installment_payments::idempotency_key.eq(p.key))
        .select((
            installment_payments::id,
            installment_payments::plan_id,
            installment_payments::amount_minor,
            installment_payments::or_number,
        ))
        .first(conn)
        .optional()?;
    let Some((id, plan_id, amount, or_number)) = found else {
        return Ok(None);
    };
    if plan_id != p.plan_id || amount != p.amount.0 {
        return Err(AppError::Conflict(format!(
            "This form was already used for payment {or_number}. Open the plan again to record another."
        )));
    }
    let plan = find(conn, plan_id)?;
    Ok(Some(Recorded {
        payment_id: id,
        or_number,
        remaining: plan.remaining(),
        completed: plan.status() == Some(PlanStatus::Completed),
    }))
}

/// One instalment of a plan's schedule.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = installment_dues)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Due {
    pub id: i64,
    pub seq: i64,
    pub due_date: NaiveDate,
    pub amount_minor: i64,
    pub paid_minor: i64,
}

impl Due {
    pub fn state(&self) -> DueState {
        DueState {
            id: self.id,
            due_date: self.due_date,
            amount: Money(self.amount_minor),
            paid: Money(self.paid_minor),
        }
    }
}

pub fn dues_of(conn: &mut AnyConnection, plan_id: i64) -> QueryResult<Vec<Due>> {
    installment_dues::table
        .filter(installment_dues::plan_id.eq(plan_id))
        .order(installment_dues::seq.asc())
        .select(Due::as_select())
        .load(conn)
}

/// A payment as the plan page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct PaymentRow {
    pub id: i64,
    pub amount_minor: i64,
    pub method: String,
    pub or_number: String,
    pub employee: String,
    pub paid_at: NaiveDateTime,
}

impl PaymentRow {
    pub fn method_label(&self) -> &'static str {
        PaymentMethod::parse(&self.method).map_or("Other", PaymentMethod::label)
    }
}

pub fn payments_of(conn: &mut AnyConnection, plan_id: i64) -> QueryResult<Vec<PaymentRow>> {
    installment_payments::table
        .inner_join(employees::table.on(employees::id.eq(installment_payments::employee_id)))
        .filter(installment_payments::plan_id.eq(plan_id))
        .order(installment_payments::id.desc())
        .select((
            installment_payments::id,
            installment_payments::amount_minor,
            installment_payments::method,
            installment_payments::or_number,
            employees::name,
            installment_payments::paid_at,
        ))
        .load(conn)
}

/// The names a plan's page shows.
pub struct PlanNames {
    pub customer: String,
    pub phone: String,
    pub seller: String,
    pub or_number: String,
    pub decider: Option<String>,
}

pub fn names_of(conn: &mut AnyConnection, plan: &PlanHead) -> QueryResult<PlanNames> {
    let (customer, phone): (String, String) = customers::table
        .find(plan.customer_id)
        .select((customers::name, customers::phone))
        .first(conn)?;
    let seller: String = employees::table
        .find(plan.seller_id)
        .select(employees::name)
        .first(conn)?;
    let or_number: String = official_receipts::table
        .filter(official_receipts::order_id.eq(plan.order_id))
        .select(official_receipts::or_number)
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let decider: Option<String> = match plan.decided_by {
        Some(id) => employees::table
            .find(id)
            .select(employees::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    Ok(PlanNames {
        customer,
        phone,
        seller,
        or_number,
        decider,
    })
}

/// What a payment's printed receipt shows.
pub struct PaymentReceipt {
    pub id: i64,
    pub plan_id: i64,
    pub or_number: String,
    pub amount_minor: i64,
    pub method: String,
    pub paid_at: NaiveDateTime,
    pub cashier: String,
    pub customer: String,
    pub branch: String,
    pub branch_address: String,
    pub sale_or_number: String,
    /// What the plan still owed once this payment was made.
    pub remaining_after_minor: i64,
}

pub fn payment_receipt(conn: &mut AnyConnection, id: i64) -> Result<PaymentReceipt, AppError> {
    type Row = (
        i64,
        i64,
        String,
        i64,
        String,
        NaiveDateTime,
        String,
        String,
        String,
        i64,
    );
    let found: Option<Row> = installment_payments::table
        .inner_join(installment_plans::table)
        .inner_join(employees::table.on(employees::id.eq(installment_payments::employee_id)))
        .inner_join(branches::table.on(branches::id.eq(installment_payments::branch_id)))
        .filter(installment_payments::id.eq(id))
        .select((
            installment_payments::id,
            installment_payments::plan_id,
            installment_payments::or_number,
            installment_payments::amount_minor,
            installment_payments::method,
            installment_payments::paid_at,
            employees::name,
            branches::name,
            branches::address,
            installment_plans::balance_minor,
        ))
        .first(conn)
        .optional()?;
    let (
        id,
        plan_id,
        or_number,
        amount_minor,
        method,
        paid_at,
        cashier,
        branch,
        branch_address,
        balance,
    ) = found.ok_or_else(|| AppError::not_found("That payment"))?;
    let paid_so_far: Vec<i64> = installment_payments::table
        .filter(installment_payments::plan_id.eq(plan_id))
        .filter(installment_payments::id.le(id))
        .select(installment_payments::amount_minor)
        .load(conn)?;
    let plan = find(conn, plan_id)?;
    let names = names_of(conn, &plan)?;
    Ok(PaymentReceipt {
        id,
        plan_id,
        or_number,
        amount_minor,
        method,
        paid_at,
        cashier,
        customer: names.customer,
        branch,
        branch_address,
        sale_or_number: names.or_number,
        remaining_after_minor: balance - paid_so_far.iter().sum::<i64>(),
    })
}

/// A product's name and what one unit costs at the till (its price with VAT as the checkout
/// adds it), for the calculator.
pub fn priced_for_plan(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<(String, Money), AppError> {
    let (name, price): (String, i64) = products::table
        .find(product_id)
        .filter(products::is_active.eq(true))
        .select((products::name, products::price_minor))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That product"))?;
    let vat = crate::retail::settings::vat(conn)?;
    let totals = pricing::receipt_totals(Money(price), vat)
        .map_err(|e| AppError::Unprocessable(e.to_string()))?;
    Ok((name, totals.total))
}
