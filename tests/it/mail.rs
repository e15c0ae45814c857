//! E-mail: the receipt waits in the outbox in the checkout's transaction (the sale never waits
//! for SMTP), is sent once to a real SMTP server on loopback when it comes back, retries with
//! backoff, fails after the last attempt and can be sent again; claims never hand one message
//! to two workers.

use std::sync::{Arc, Barrier};

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;
use tillpoint::mail::outbox::{self, Message};
use tillpoint::mail::transport::{MailConfig, Smtp, Tls, Transport};
use tillpoint::mail::worker::{run_once, Mailer, Step};
use tillpoint::platform::clock::BusinessClock;
use tillpoint::platform::db::write_tx;
use tillpoint::platform::schema::mail_outbox;

use crate::helpers::*;

const CABLE: &str = "4806512345671";

fn mailer_to(port: u16) -> Mailer {
    Mailer {
        transport: Transport::from_config(&MailConfig {
            smtp: Some(Smtp {
                host: "127.0.0.1".into(),
                port,
                tls: Tls::None,
                user: None,
                password: None,
            }),
            from: "Test Shop <receipts@example.com>".into(),
            dir: std::env::temp_dir(),
            reminder_days: 5,
        })
        .unwrap(),
        from: "Test Shop <receipts@example.com>".into(),
    }
}

fn outbox_rows(app: &TestApp) -> Vec<(String, String, i64, String)> {
    mail_outbox::table
        .order(mail_outbox::id.asc())
        .select((
            mail_outbox::dedupe_key,
            mail_outbox::status,
            mail_outbox::attempts,
            mail_outbox::last_error,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

/// Makes every waiting message due now (instead of waiting for its backoff).
fn due_now(app: &TestApp) {
    diesel::update(mail_outbox::table)
        .set(mail_outbox::next_attempt_at.eq(BusinessClock::now_utc() - Duration::seconds(1)))
        .execute(&mut *app.conn())
        .unwrap();
}

#[actix_web::test]
async fn a_receipt_waits_for_smtp_and_is_sent_exactly_once() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let sale = json!({"idempotency_key": "mail-000000000001", "lines": [{"barcode": CABLE, "quantity": 2}],
        "cash_received": "1000", "customer": {"name": "Ana Reyes", "phone": "09171234567", "email": "ana@example.com"}});
    // SMTP is down: the sale is answered all the same, its receipt waits in the outbox.
    let port = SmtpSink::free_port();
    let r = agent.post_json("/pos/checkout/cash", &sale).await;
    r.expect(201);
    let order = r.json()["order_id"].as_i64().unwrap();
    let or_number = r.json()["receipt_number"].as_str().unwrap().to_string();
    // The same request again (a retry) queues nothing more; a walk-in gets no e-mail.
    agent
        .post_json("/pos/checkout/cash", &sale)
        .await
        .expect(201);
    agent
        .post_json("/pos/checkout/cash", &json!({"idempotency_key": "mail-000000000002",
            "lines": [{"barcode": CABLE, "quantity": 1}], "cash_received": "500", "customer": null}))
        .await
        .expect(201);
    let rows = outbox_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, format!("sale:{order}"));
    assert_eq!(rows[0].1, "queued");

    let mailer = mailer_to(port);
    match run_once(&app.db, &mailer).await.unwrap() {
        Step::NotSent(_, e) => assert!(!e.is_empty()),
        other => panic!("expected a failed attempt, got {other:?}"),
    }
    let rows = outbox_rows(&app);
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("queued", 1));
    assert!(!rows[0].3.is_empty(), "the error is kept for the page");
    // Not due again before its backoff.
    assert_eq!(run_once(&app.db, &mailer).await.unwrap(), Step::Idle);

    // The server comes back: sent, once.
    let sink = SmtpSink::start(port);
    due_now(&app);
    assert!(matches!(
        run_once(&app.db, &mailer).await.unwrap(),
        Step::Sent(_)
    ));
    assert_eq!(run_once(&app.db, &mailer).await.unwrap(), Step::Idle);
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let raw = &got[0];
    assert!(raw.contains("ana@example.com"));
    assert!(raw.contains(&or_number), "{raw}");
    assert!(raw.contains("text/plain") && raw.contains("text/html"));
    assert!(raw.contains("598.00"), "the total is in the message");
    let rows = outbox_rows(&app);
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("sent", 2));

    // The outbox page shows it to managers only.
    let manager = app.signed_in("manager").await;
    manager
        .get("/mail?status=sent")
        .await
        .expect(200)
        .expect_text("ana@example.com")
        .expect_text("Sent");
    manager.get("/mail?status=lost").await.expect(400);
    agent.get("/mail").await.expect(403);
}

#[actix_web::test]
async fn after_the_last_attempt_a_message_fails_and_can_be_sent_again() {
    let app = TestApp::new().await;
    {
        let mut conn = app.conn();
        let m = Message {
            kind: "receipt",
            dedupe_key: "test:1".into(),
            to_address: "ben@example.com".into(),
            to_name: "Ben".into(),
            subject: "Hello".into(),
            text: "Hello".into(),
            html: "<p>Hello</p>".into(),
        };
        assert!(outbox::enqueue(&mut conn, &m, BusinessClock::now_utc()).unwrap());
        assert!(!outbox::enqueue(&mut conn, &m, BusinessClock::now_utc()).unwrap());
    }
    let mailer = mailer_to(SmtpSink::free_port());
    for attempt in 1..=5 {
        due_now(&app);
        assert!(matches!(
            run_once(&app.db, &mailer).await.unwrap(),
            Step::NotSent(..)
        ));
        let rows = outbox_rows(&app);
        let expect = if attempt < 5 { "queued" } else { "failed" };
        assert_eq!((rows[0].1.as_str(), rows[0].2), (expect, attempt));
    }
    due_now(&app);
    assert_eq!(
        run_once(&app.db, &mailer).await.unwrap(),
        Step::Idle,
        "failed stays failed"
    );
    let manager = app.signed_in("manager").await;
    manager
        .get("/mail?status=failed")
        .await
        .expect(200)
        .expect_text("Send again");
    let id: i64 = mail_outbox::table
        .select(mail_outbox::id)
        .first(&mut *app.conn())
        .unwrap();
    manager
        .post(&format!("/mail/{id}/retry"), &[])
        .await
        .expect(303);
    // Only a failed message can be sent again.
    manager
        .post(&format!("/mail/{id}/retry"), &[])
        .await
        .expect(409);
    manager.post("/mail/999999/retry", &[]).await.expect(404);
    let sink = SmtpSink::start(0);
    let mailer = mailer_to(sink.port);
    assert!(matches!(
        run_once(&app.db, &mailer).await.unwrap(),
        Step::Sent(_)
    ));
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(outbox_rows(&app)[0].1, "sent");
}

#[actix_web::test]
async fn workers_on_several_threads_never_claim_one_message_twice() {
    let app = TestApp::new().await;
    {
        let mut conn = app.conn();
        for n in 0..40 {
            let m = Message {
                kind: "receipt",
                dedupe_key: format!("race:{n}"),
                to_address: "c@example.com".into(),
                to_name: String::new(),
                subject: format!("Message {n}"),
                text: "x".into(),
                html: "x".into(),
            };
            outbox::enqueue(&mut conn, &m, BusinessClock::now_utc()).unwrap();
        }
    }
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let db = app.db.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                let mut mine = Vec::new();
                while let Some(m) =
                    write_tx(&mut conn, |c| outbox::claim(c, BusinessClock::now_utc())).unwrap()
                {
                    mine.push(m.id);
                }
                mine
            })
        })
        .collect();
    let mut all: Vec<i64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(n, 40, "every message claimed");
    assert_eq!(all.len(), 40, "none claimed twice");
}

#[actix_web::test]
async fn an_instalment_sale_mails_its_plan_and_schedule() {
    let app = TestApp::new().await;
    let (_, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, phone, 1, &["IMEI-9"]);
    let agent = app.signed_in("agent").await;
    agent
        .post_json(
            "/pos/checkout/installment",
            &json!({"idempotency_key": "mail-inst-000001",
                "lines": [{"barcode": "4806512345695", "quantity": 1, "serials": ["IMEI-9"]}],
                "term_months": 3, "down_payment": "4990.00",
                "customer": {"name": "Ana Reyes", "phone": "+63 917 123 4567", "email": "ana@example.com", "address": ""}}),
        )
        .await
        .expect(201);
    let (kind, subject, text): (String, String, String) = mail_outbox::table
        .select((
            mail_outbox::kind,
            mail_outbox::subject,
            mail_outbox::text_body,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(kind, "plan");
    assert!(subject.starts_with("Instalment plan confirmed"));
    assert!(text.contains("Down payment: PHP 4,990.00"), "{text}");
    assert!(
        text.contains("1. ") && text.contains("3. "),
        "three instalments: {text}"
    );
    assert!(text.contains("S/N IMEI-9"));
}

#[actix_web::test]
async fn reminders_and_notices_go_once_per_instalment_and_payments_are_receipted() {
    use tillpoint::mail::messages::{queue_reminders, MailContext};
    use tillpoint::platform::schema::{installment_dues, installment_plans};
    let app = TestApp::new().await;
    let (_, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, phone, 1, &["IMEI-7"]);
    let agent = app.signed_in("agent").await;
    let r = agent
        .post_json(
            "/pos/checkout/installment",
            &json!({"idempotency_key": "mail-inst-000002",
                "lines": [{"barcode": "4806512345695", "quantity": 1, "serials": ["IMEI-7"]}],
                "term_months": 3, "down_payment": "4990.00",
                "customer": {"name": "Ben Cruz", "phone": "+63 917 765 4321", "email": "ben@example.com", "address": ""}}),
        )
        .await;
    r.expect(201);
    let plan = r.json()["plan_id"].as_i64().unwrap();
    let manager = app.signed_in("manager").await;
    manager
        .post(&format!("/installments/{plan}/approve"), &[("note", "")])
        .await
        .expect(303);
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let today = clock.today();
    let dues: Vec<i64> = installment_dues::table
        .filter(installment_dues::plan_id.eq(plan))
        .order(installment_dues::seq.asc())
        .select(installment_dues::id)
        .load(&mut *app.conn())
        .unwrap();
    // The first instalment was due yesterday, the second falls due in three days, the third
    // in a month.
    for (id, day) in [
        (dues[0], today - Duration::days(1)),
        (dues[1], today + Duration::days(3)),
    ] {
        diesel::update(installment_dues::table.find(id))
            .set(installment_dues::due_date.eq(day))
            .execute(&mut *app.conn())
            .unwrap();
    }
    diesel::update(installment_plans::table.find(plan))
        .set(installment_plans::next_due_date.eq(today - Duration::days(1)))
        .execute(&mut *app.conn())
        .unwrap();
    let ctx = MailContext {
        business: "Test Shop".into(),
        currency: "PHP".into(),
        clock,
    };
    // Two "instances" run the scheduler at once, then again: one reminder and one notice.
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let db = app.db.clone();
            let (barrier, ctx) = (barrier.clone(), ctx.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                write_tx(&mut conn, |c| {
                    queue_reminders(c, &ctx, today, 5, BusinessClock::now_utc())
                })
                .unwrap()
            })
        })
        .collect();
    let total = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(total, (1, 1));
    let again = write_tx(&mut app.conn(), |c| {
        queue_reminders(c, &ctx, today, 5, BusinessClock::now_utc())
    })
    .unwrap();
    assert_eq!(again, (0, 0), "however often it runs");
    let kinds: Vec<(String, String)> = mail_outbox::table
        .filter(mail_outbox::kind.eq_any(["reminder", "overdue"]))
        .order(mail_outbox::kind.asc())
        .select((mail_outbox::kind, mail_outbox::subject))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(kinds.len(), 2);
    assert_eq!(kinds[0].0, "overdue");
    assert!(kinds[1].1.starts_with("Payment reminder"), "{kinds:?}");

    // A payment is receipted by e-mail.
    let credit = app.signed_in("credit").await;
    let key = "mail-pay-000000001";
    credit
        .post(
            &format!("/installments/{plan}/payments"),
            &[
                ("amount", "1000.00"),
                ("method", "cash"),
                ("payment_key", key),
            ],
        )
        .await
        .expect(303);
    let text: String = mail_outbox::table
        .filter(mail_outbox::kind.eq("payment"))
        .select(mail_outbox::text_body)
        .first(&mut *app.conn())
        .unwrap();
    assert!(text.contains("Amount paid: PHP 1,000.00"), "{text}");
}

#[actix_web::test]
async fn a_message_that_cannot_be_queued_never_undoes_the_sale() {
    let app = TestApp::new().await;
    let mut conn = app.conn();
    let m = |key: &str| Message {
        kind: "receipt",
        dedupe_key: key.into(),
        to_address: "d@example.com".into(),
        to_name: String::new(),
        subject: "x".into(),
        text: "x".into(),
        html: "x".into(),
    };
    write_tx(
        &mut conn,
        |c| -> Result<(), tillpoint::platform::error::AppError> {
            // The business write, then a message whose queuing writes and then fails.
            outbox::enqueue(c, &m("kept:1"), BusinessClock::now_utc())?;
            tillpoint::mail::messages::queue_or_log(c, "a test", |c| {
                outbox::enqueue(c, &m("dropped:1"), BusinessClock::now_utc())?;
                Err(tillpoint::platform::error::AppError::Internal(
                    "template".into(),
                ))
            });
            Ok(())
        },
    )
    .unwrap();
    let keys: Vec<String> = mail_outbox::table
        .select(mail_outbox::dedupe_key)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(keys, ["kept:1"]);
}
