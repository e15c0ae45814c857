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

/// Queues a message inside the business transaction without letting it undo the sale or
/// payment: the message is written in a savepoint, and if building or writing it fails the
/// savepoint alone rolls back, the failure is logged, and the sale goes on.
pub fn queue_or_log<F>(conn: &mut AnyConnection, what: &str, queue: F)
where
    F: FnOnce(&mut AnyConnection) -> Result<bool, AppError>,
{
    use diesel::Connection;
    if let Err(e) = conn.transaction::<bool, AppError, _>(queue) {
        tracing::error!("{what}: the e-mail could not be queued: {e}");
    }
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

/// The other messages share one layout: a greeting, a sentence, a few labelled figures and a
/// closing line.
pub struct Notice {
    pub business: String,
    pub greeting: String,
    pub intro: String,
    pub rows: Vec<(String, String)>,
    pub outro: String,
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    n: &'a Notice,
}

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    n: &'a Notice,
}

fn notice(
    kind: &'static str,
    dedupe_key: String,
    (to_address, to_name): (String, String),
    subject: String,
    n: &Notice,
) -> Result<Message, AppError> {
    Ok(Message {
        kind,
        dedupe_key,
        to_address,
        to_name,
        subject,
        text: NoticeText { n }.render()?,
        html: NoticeHtml { n }.render()?,
    })
}

/// The customer of a plan, when they gave a usable address.
fn plan_customer(conn: &mut AnyConnection, plan_id: i64) -> QueryResult<Option<(String, String)>> {
    let c: Option<(String, String)> = installment_plans::table
        .inner_join(customers::table)
        .filter(installment_plans::id.eq(plan_id))
        .select((customers::email, customers::name))
        .first(conn)
        .optional()?;
    Ok(c.filter(|(e, _)| crate::platform::forms::is_email(e)))
}

/// The receipt of an instalment payment (in the payment's transaction).
/// Records an instalment payment and, in the same transaction, queues its receipt for the
/// customer (the till's page and the JSON API take payments alike).
pub fn record_payment_with_receipt(
    conn: &mut AnyConnection,
    actor: &crate::platform::audit::Actor,
    payment: &crate::retail::installments::model::NewPayment<'_>,
    ctx: &MailContext,
) -> Result<crate::retail::installments::model::Recorded, AppError> {
    let done = crate::retail::installments::model::record_payment(conn, actor, payment)?;
    queue_or_log(conn, "the receipt of a payment", |c| {
        queue_payment(
            c,
            ctx,
            done.payment_id,
            crate::platform::clock::BusinessClock::now_utc(),
        )
    });
    Ok(done)
}

pub fn queue_payment(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    payment_id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let r = crate::retail::installments::model::payment_receipt(conn, payment_id)?;
    let Some(to) = plan_customer(conn, r.plan_id)? else {
        return Ok(false);
    };
    let n = Notice {
        business: ctx.business.clone(),
        greeting: format!("Hello {},", to.1),
        intro: "we received your instalment payment. Thank you.".into(),
        rows: vec![
            ("Official receipt".into(), r.or_number.clone()),
            ("Date".into(), ctx.clock.format(r.paid_at)),
            ("Amount paid".into(), ctx.money(&Money(r.amount_minor))),
            ("For the purchase".into(), r.sale_or_number.clone()),
            (
                "Still to pay".into(),
                ctx.money(&Money(r.remaining_after_minor)),
            ),
        ],
        outro: if r.remaining_after_minor <= 0 {
            "Your plan is paid off.".into()
        } else {
            "We will remind you before the next due date.".into()
        },
    };
    let m = notice(
        "payment",
        format!("payment:{payment_id}"),
        to,
        format!("Payment received – {}", r.or_number),
        &n,
    )?;
    Ok(outbox::enqueue(conn, &m, now)?)
}

/// Payment reminders for instalments falling due within `days` (one per instalment, however
/// often this runs) and overdue notices for unpaid instalments past their day (one each).
/// Answers (reminders, notices) queued now.
pub fn queue_reminders(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    today: NaiveDate,
    days: i64,
    now: NaiveDateTime,
) -> Result<(usize, usize), AppError> {
    let horizon = today + chrono::Duration::days(days);
    let due: Vec<(i64, i64, NaiveDate, i64, i64, String, String)> = installment_dues::table
        .inner_join(installment_plans::table.inner_join(customers::table))
        .filter(installment_plans::status.eq("active"))
        .filter(installment_dues::due_date.le(horizon))
        .filter(installment_dues::paid_minor.lt(installment_dues::amount_minor))
        .filter(customers::email.ne(""))
        .order(installment_dues::due_date.asc())
        .select((
            installment_dues::id,
            installment_dues::plan_id,
            installment_dues::due_date,
            installment_dues::amount_minor,
            installment_dues::paid_minor,
            customers::email,
            customers::name,
        ))
        .limit(5_000)
        .load(conn)?;
    let (mut reminders, mut notices) = (0, 0);
    for (due_id, plan_id, date, amount, paid, email, name) in due {
        if !crate::platform::forms::is_email(&email) {
            continue;
        }
        let owed = ctx.money(&Money(amount - paid));
        let day = date.format("%A %-d %B %Y").to_string();
        let overdue = date < today;
        let n = Notice {
            business: ctx.business.clone(),
            greeting: format!("Hello {name},"),
            intro: if overdue {
                format!("your instalment due on {day} is not paid yet.")
            } else {
                format!("a friendly reminder: your next instalment is due on {day}.")
            },
            rows: vec![
                ("Amount due".into(), owed.clone()),
                ("Due date".into(), day.clone()),
                ("Plan".into(), format!("#{plan_id}")),
            ],
            outro: "Pay at any of our branches, by bank transfer or by e-wallet. If you have already paid, thank you and please ignore this message.".into(),
        };
        let (kind, key, subject) = if overdue {
            (
                "overdue",
                format!("overdue:{due_id}"),
                format!("Overdue instalment – {owed}"),
            )
        } else {
            (
                "reminder",
                format!("reminder:{due_id}"),
                format!("Payment reminder – {owed} due {day}"),
            )
        };
        let m = notice(kind, key, (email, name), subject, &n)?;
        if outbox::enqueue(conn, &m, now)? {
            if overdue {
                notices += 1;
            } else {
                reminders += 1;
            }
        }
    }
    Ok((reminders, notices))
}

/// A warranty claim's new status, to the customer of the sale (one message per status).
pub fn queue_warranty(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    claim_id: i64,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    use crate::platform::schema::{products, warranty_claims};
    use crate::retail::warranty::rules::{ClaimStatus, ClaimType};
    let row: Option<(String, String, String, String, String, String)> = warranty_claims::table
        .inner_join(products::table.on(products::id.eq(warranty_claims::product_id)))
        .inner_join(orders::table.on(orders::id.eq(warranty_claims::order_id)))
        .inner_join(customers::table.on(customers::id.nullable().eq(orders::customer_id)))
        .filter(warranty_claims::id.eq(claim_id))
        .select((
            warranty_claims::status,
            warranty_claims::claim_type,
            warranty_claims::faulty_serial,
            products::name,
            customers::email,
            customers::name,
        ))
        .first(conn)
        .optional()?;
    let Some((status, kind, serial, product, email, name)) = row else {
        return Ok(false);
    };
    if !crate::platform::forms::is_email(&email) {
        return Ok(false);
    }
    let label = ClaimStatus::parse(&status).map_or("Updated", ClaimStatus::label);
    let n = Notice {
        business: ctx.business.clone(),
        greeting: format!("Hello {name},"),
        intro: format!(
            "your warranty claim #{claim_id} is now: {}.",
            label.to_lowercase()
        ),
        rows: vec![
            ("Claim".into(), format!("#{claim_id}")),
            ("Item".into(), product),
            ("Serial".into(), serial),
            (
                "Type".into(),
                ClaimType::parse(&kind).map_or("—", ClaimType::label).into(),
            ),
            ("Status".into(), label.into()),
        ],
        outro: if status == ClaimStatus::Completed.as_str() {
            "It is ready: bring your receipt to the branch to collect it.".into()
        } else {
            "We will write again when the status changes.".into()
        },
    };
    let m = notice(
        "warranty",
        format!("warranty:{claim_id}:{status}"),
        (email, name),
        format!("Warranty claim #{claim_id}: {label}"),
        &n,
    )?;
    Ok(outbox::enqueue(conn, &m, now)?)
}
