//! The background sender inside `serve`: claim one due message, send it, mark the result;
//! sleep a little when nothing is due. Any number of instances may run it on one database
//! (the claim is a conditional UPDATE with a lease). A message whose sender died mid-send is
//! claimed again once its lease runs out, so a message may, rarely, arrive twice; it is never
//! lost.

use std::sync::Arc;
use std::time::Duration;

use crate::mail::outbox;
use crate::mail::transport::Transport;
use crate::platform::clock::BusinessClock;
use crate::platform::db::Db;
use crate::platform::error::AppError;

pub struct Mailer {
    pub transport: Transport,
    pub from: String,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Idle,
    Sent(i64),
    /// Not sent this time (the error); retried later or, after the last attempt, failed.
    NotSent(i64, String),
}

/// Claims, sends and marks one message.
pub async fn run_once(db: &Db, mailer: &Mailer) -> Result<Step, AppError> {
    let claimed = db
        .write(|c| Ok(outbox::claim(c, BusinessClock::now_utc())?))
        .await?;
    let Some(m) = claimed else {
        return Ok(Step::Idle);
    };
    let (id, attempts) = (m.id, m.attempts);
    match mailer.transport.send(&mailer.from, &m).await {
        Ok(()) => {
            db.write(move |c| Ok(outbox::mark_sent(c, id, BusinessClock::now_utc())?))
                .await?;
            Ok(Step::Sent(id))
        }
        Err(e) => {
            let said = e.clone();
            db.write(move |c| {
                Ok(outbox::mark_failed(
                    c,
                    id,
                    attempts,
                    &said,
                    BusinessClock::now_utc(),
                )?)
            })
            .await?;
            Ok(Step::NotSent(id, e))
        }
    }
}

/// Sends for as long as the server runs.
pub fn spawn(db: Db, mailer: Arc<Mailer>) {
    actix_web::rt::spawn(async move {
        loop {
            match run_once(&db, &mailer).await {
                Ok(Step::Sent(_)) => continue,
                Ok(Step::Idle) => tokio::time::sleep(Duration::from_secs(2)).await,
                Ok(Step::NotSent(id, e)) => {
                    tracing::warn!("mail {id} not sent: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => {
                    tracing::warn!("mail worker: {e}");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    });
}

/// Queues due-date reminders and overdue notices now (idempotent: one per instalment however
/// often it runs). Answers (reminders, notices).
pub async fn queue_reminders(
    db: &Db,
    ctx: crate::mail::messages::MailContext,
    days: i64,
) -> Result<(usize, usize), AppError> {
    db.write(move |c| {
        let now = BusinessClock::now_utc();
        let today = ctx.clock.today();
        crate::mail::messages::queue_reminders(c, &ctx, today, days, now)
    })
    .await
}

/// The reminder scheduler inside `serve`: at start and then every hour (the business day
/// turns over in the business time zone; running more often than daily sends nothing twice).
pub fn spawn_reminders(db: Db, ctx: crate::mail::messages::MailContext, days: i64) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match queue_reminders(&db, ctx.clone(), days).await {
                Ok((0, 0)) => {}
                Ok((r, n)) => {
                    tracing::info!("queued {r} payment reminder(s), {n} overdue notice(s)")
                }
                Err(e) => tracing::warn!("payment reminders: {e}"),
            }
        }
    });
}
