//! The messages customers receive, as text and HTML (askama templates under `templates/mail`),
//! queued in the transaction that causes them and only when the customer has an address.

use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::mail::outbox::{self, Message};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{customers, installment_dues, installment_plans, orders};
use crate::retail::sales::model::{self, ItemLine};

/// What every message says about the business.
#[derive(Debug, Clone)]
pub struct MailContext {
    pub business: String,
    pub currency: String,
    pub clock: BusinessClock,
}

impl MailContext {
    pub fn of(config: &crate::Config) -> MailContext {
        MailContext {
            business: config.business_name.clone(),
            currency: config.currency.clone(),
            clock: BusinessClock::new(config.tz),
        }
    }

    pub fn money(&self, m: &Money) -> String {
        format!("{} {}", self.currency, m.grouped())
    }
}

/// An instalment plan as the message shows it: the down payment and each (number, due day,
/// amount).
pub struct PlanSummary {
    pub down: String,
    pub dues: Vec<(i64, String, String)>,
}

/// A sale's receipt; for an instalment sale also the plan and its schedule.
#[derive(Template)]
#[template(path = "mail/sale.html")]
struct SaleHtml<'a> {
    s: &'a Sale,
}

#[derive(Template)]
#[template(path = "mail/sale.txt")]
struct SaleText<'a> {
    s: &'a Sale,
}

pub struct Sale {
    pub business: String,
    pub branch: String,
    pub or_number: String,
    pub when: String,
    pub customer: String,
    pub cashier: String,
    pub items: Vec<(ItemLine, String, String)>,
    pub total: String,
    pub vat: String,
    pub cash: Option<String>,
    pub change: Option<String>,
    /// Instalments: the down payment, the monthly amount and the schedule.
    pub plan: Option<PlanSummary>,
}

/// Queues the receipt of `order_id` to its customer when they gave an address (in the
/// checkout's transaction; the same sale never queues twice).
pub fn queue_sale(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    order_id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let email: Option<(String, String)> = orders::table
        .inner_join(customers::table)
        .filter(orders::id.eq(order_id))
        .select((customers::email, customers::name))
        .first(conn)
        .optional()?;
    let Some((email, name)) = email.filter(|(e, _)| crate::platform::forms::is_email(e)) else {
        return Ok(false);
    };
    let d = model::detail(conn, order_id)?;
    let Some(receipt) = d.receipt else {
        return Ok(false);
    };
    let cash: i64 = d
        .payments
        .iter()
        .filter_map(|p| p.cash_received_minor)
        .sum();
    let change: i64 = d.payments.iter().filter_map(|p| p.change_minor).sum();
    let instalment = d.head.payment_method == "installment";
    let plan = if instalment {
        let plan: Option<(i64, i64)> = installment_plans::table
            .filter(installment_plans::order_id.eq(order_id))
            .select((installment_plans::id, installment_plans::down_payment_minor))
            .first(conn)
            .optional()?;
        match plan {
            Some((plan_id, down)) => {
                let dues: Vec<(i64, NaiveDate, i64)> = installment_dues::table
                    .filter(installment_dues::plan_id.eq(plan_id))
                    .order(installment_dues::seq.asc())
                    .select((
                        installment_dues::seq,
                        installment_dues::due_date,
                        installment_dues::amount_minor,
                    ))
                    .load(conn)?;
                Some(PlanSummary {
                    down: ctx.money(&Money(down)),
                    dues: dues
                        .into_iter()
                        .map(|(seq, date, amount)| {
                            (
                                seq,
                                date.format("%d %b %Y").to_string(),
                                ctx.money(&Money(amount)),
                            )
                        })
                        .collect(),
                })
            }
            None => None,
        }
    } else {
        None
    };
    let sale = Sale {
        business: ctx.business.clone(),
        branch: d.head.branch_name.clone(),
        or_number: receipt.or_number.clone(),
        when: ctx.clock.format(d.head.created_at),
        customer: name.clone(),
        cashier: d.head.cashier.clone(),
        items: d
            .items
            .into_iter()
            .map(|i| {
                let unit = ctx.money(&i.unit);
                let total = ctx.money(&i.total);
                (i, unit, total)
            })
            .collect(),
        total: ctx.money(&Money(receipt.total_minor)),
        vat: ctx.money(&Money(receipt.vat_minor)),
        cash: (!instalment).then(|| ctx.money(&Money(cash))),
        change: (!instalment).then(|| ctx.money(&Money(change))),
        plan,
    };
    let subject = if instalment {
        format!("Instalment plan confirmed – {}", receipt.or_number)
    } else {
        format!("Receipt {} – {}", receipt.or_number, ctx.business)
    };
    let m = Message {
        kind: if instalment { "plan" } else { "receipt" },
        dedupe_key: format!("sale:{order_id}"),
        to_address: email,
        to_name: name,
        subject,
        text: SaleText { s: &sale }.render()?,
        html: SaleHtml { s: &sale }.render()?,
    };
    Ok(outbox::enqueue(conn, &m, now)?)
}
