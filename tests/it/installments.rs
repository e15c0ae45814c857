//! Instalment sales: the checkout computes the plan on the server, a credit officer within
//! their limit (or a manager) approves or rejects it, payments pay the oldest instalments
//! first and can never pass the balance.

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::schema::{
    employees, installment_dues, installment_payments, installment_plans, orders, product_serials,
};

use crate::helpers::*;

const PHONE: &str = "4806512345695";
const CABLE: &str = "4806512345671";

struct Shop {
    app: TestApp,
    phone: i64,
}

async fn shop() -> Shop {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    app.receive(
        app.seed.main_branch,
        phone,
        4,
        &["IMEI-1", "IMEI-2", "IMEI-3", "IMEI-4"],
    );
    Shop { app, phone }
}

/// One iPhone on instalments; the key's last digit picks the unit (IMEI-1 … IMEI-4).
fn sale(key: &str, term: serde_json::Value, down: &str) -> serde_json::Value {
    let serial = format!("IMEI-{}", &key[key.len() - 1..]);
    json!({
        "idempotency_key": key,
        "lines": [{"barcode": PHONE, "quantity": 1, "serials": [serial], "price": "1.00"}],
        "term_months": term,
        "down_payment": down,
        "monthly_due": "1.00",
        "customer": {"name": "Ana Reyes", "phone": "+63 917 123 4567", "email": "", "address": ""}
    })
}

fn set_limit(app: &TestApp, who: &str, minor: i64) {
    diesel::update(employees::table.find(app.id(who)))
        .set(employees::approval_limit_minor.eq(minor))
        .execute(&mut *app.conn())
        .unwrap();
}

fn plan_state(app: &TestApp, id: i64) -> (String, i64, i64, Option<chrono::NaiveDate>) {
    installment_plans::table
        .find(id)
        .select((
            installment_plans::status,
            installment_plans::paid_minor,
            installment_plans::balance_minor,
            installment_plans::next_due_date,
        ))
        .first(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn an_instalment_sale_is_priced_and_planned_by_the_server() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let r = agent
        .post_json(
            "/pos/checkout/installment",
            &sale("inst-key-0001", json!(6), "4990.00"),
        )
        .await;
    r.expect(201);
    let j = r.json();
    assert_eq!(j["total"], "54990.00");
    assert_eq!(j["receipt_number"], "MNL-000001");
    let plan_id = j["plan_id"].as_i64().unwrap();
    // financed 50,000.00; 3 % flat = 1,500.00; 51,500.00 over 6: 8,583.33 × 5 + 8,583.35
    let (financed, interest, balance, status): (i64, i64, i64, String) = installment_plans::table
        .find(plan_id)
        .select((
            installment_plans::financed_minor,
            installment_plans::interest_minor,
            installment_plans::balance_minor,
            installment_plans::status,
        ))
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(
        (financed, interest, balance),
        (5_000_000, 150_000, 5_150_000)
    );
    assert_eq!(status, "pending");
    let amounts: Vec<i64> = installment_dues::table
        .filter(installment_dues::plan_id.eq(plan_id))
        .order(installment_dues::seq.asc())
        .select(installment_dues::amount_minor)
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(
        amounts,
        vec![858_333, 858_333, 858_333, 858_333, 858_333, 858_335]
    );
    assert_eq!(amounts.iter().sum::<i64>(), balance);
    // Stock and the serial left with the sale, as for cash.
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        3
    );
    // The same key again answers the same sale and plan.
    let again = agent
        .post_json(
            "/pos/checkout/installment",
            &sale("inst-key-0001", json!(6), "4990.00"),
        )
        .await;
    again.expect(201);
    assert_eq!(again.json()["plan_id"], j["plan_id"]);
    let orders_written: i64 = orders::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(orders_written, 1);
    // The sale's receipt shows the down payment and what is on instalments.
    let order = j["order_id"].as_i64().unwrap();
    agent
        .get(&format!("/sales/{order}/receipt"))
        .await
        .expect(200)
        .expect_text("Down payment")
        .expect_text("50,000.00");
    // The agent follows it; the plan page shows the schedule.
    agent
        .get(&format!("/installments/{plan_id}"))
        .await
        .expect(200)
        .expect_text("Pending approval")
        .expect_text("8,583.35");
}

#[actix_web::test]
async fn instalment_checkouts_refuse_what_cannot_be_planned() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let cases = [
        (
            sale("inst-bad-0001", json!(4), "0"),
            "Choose a term of 3, 6, 12 months.",
        ),
        (
            sale("inst-bad-0002", json!("six"), "0"),
            "whole number of months",
        ),
        (
            sale("inst-bad-0003", json!(6), "60000.00"),
            "cannot be more than the total",
        ),
        (
            sale("inst-bad-0004", json!(6), "54990.00"),
            "take it as a cash sale",
        ),
        (sale("inst-bad-0005", json!(6), "-5"), "negative"),
    ];
    for (body, message) in cases {
        agent
            .post_json("/pos/checkout/installment", &body)
            .await
            .expect(422)
            .expect_text(message);
    }
    let mut no_customer = sale("inst-bad-0006", json!(6), "0");
    no_customer["customer"] = serde_json::Value::Null;
    agent
        .post_json("/pos/checkout/installment", &no_customer)
        .await
        .expect(422)
        .expect_text("customer's name and phone");
    let written: i64 = installment_plans::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(written, 0);
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        4
    );
}

async fn pending_plan(s: &Shop, key: &str) -> i64 {
    pending_plan_with(s, key, "0").await
}

async fn pending_plan_with(s: &Shop, key: &str, down: &str) -> i64 {
    let agent = s.app.signed_in("agent").await;
    let r = agent
        .post_json("/pos/checkout/installment", &sale(key, json!(3), down))
        .await;
    r.expect(201);
    r.json()["plan_id"].as_i64().unwrap()
}

#[actix_web::test]
async fn approval_needs_a_limit_that_covers_it_and_never_the_seller() {
    let s = shop().await;
    let plan = pending_plan(&s, "inst-appr-001").await;
    let credit = s.app.signed_in("credit").await;
    // 54,990.00 financed; a limit of 20,000.00 does not cover it.
    set_limit(&s.app, "credit", 2_000_000);
    credit
        .post(&format!("/installments/{plan}/approve"), &[("note", "")])
        .await
        .expect(403)
        .expect_text("Your approval limit is 20,000.00; this plan finances 54,990.00.");
    assert_eq!(plan_state(&s.app, plan).0, "pending");
    // A manager who sold it cannot approve their own sale.
    let manager_sale = {
        let m = s.app.signed_in("manager").await;
        let r = m
            .post_json(
                "/pos/checkout/installment",
                &json!({
                    "idempotency_key": "inst-appr-002",
                    "lines": [{"barcode": CABLE, "quantity": 1}],
                    "term_months": 3, "down_payment": "0",
                    "customer": {"name": "Ben Cruz", "phone": "09171111111", "email": "", "address": ""}
                }),
            )
            .await;
        r.expect(201);
        let id = r.json()["plan_id"].as_i64().unwrap();
        m.post(&format!("/installments/{id}/approve"), &[("note", "")])
            .await
            .expect(403)
            .expect_text("You sold this plan");
        id
    };
    // Within the limit: approved, audited; a second decision is refused.
    set_limit(&s.app, "credit", 6_000_000);
    credit
        .post(
            &format!("/installments/{plan}/approve"),
            &[("note", "Payslips seen")],
        )
        .await
        .expect(303);
    assert_eq!(plan_state(&s.app, plan).0, "active");
    credit
        .post(
            &format!("/installments/{plan}/reject"),
            &[("note", "Changed my mind")],
        )
        .await
        .expect(409)
        .expect_text("no longer pending approval");
    // Sales agents cannot decide, and see only the plans they sold.
    let agent = s.app.signed_in("agent").await;
    agent
        .post(
            &format!("/installments/{manager_sale}/approve"),
            &[("note", "")],
        )
        .await
        .expect(403);
    agent
        .get(&format!("/installments/{manager_sale}"))
        .await
        .expect(403);
    agent
        .get(&format!("/installments/{plan}"))
        .await
        .expect(200);
}

#[actix_web::test]
async fn rejection_cancels_the_sale_and_returns_the_stock() {
    let s = shop().await;
    let plan = pending_plan_with(&s, "inst-rej-0001", "5000").await;
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        3
    );
    let credit = s.app.signed_in("credit").await;
    credit
        .post(&format!("/installments/{plan}/reject"), &[("note", "")])
        .await
        .expect(422)
        .expect_text("Say why");
    credit
        .post(
            &format!("/installments/{plan}/reject"),
            &[("note", "No proof of income")],
        )
        .await
        .expect(303);
    assert_eq!(plan_state(&s.app, plan).0, "rejected");
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        4
    );
    let serial: String = product_serials::table
        .filter(product_serials::serial.eq("IMEI-1"))
        .select(product_serials::status)
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(serial, "in_stock");
    let status: String = orders::table
        .select(orders::status)
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(status, "cancelled");
    credit
        .get(&format!("/installments/{plan}"))
        .await
        .expect(200)
        .expect_text("Down payment to refund")
        .expect_text("5,000.00");
}

async fn active_plan(s: &Shop, key: &str) -> i64 {
    let plan = pending_plan(s, key).await;
    let m = s.app.signed_in("manager").await;
    m.post(&format!("/installments/{plan}/approve"), &[("note", "")])
        .await
        .expect(303);
    plan
}

#[actix_web::test]
async fn payments_pay_the_oldest_instalments_first_until_the_plan_is_completed() {
    let s = shop().await;
    let plan = active_plan(&s, "inst-pay-0001").await;
    // 54,990.00 + 3 % = 56,639.70 over 3: 18,879.90 each.
    let (_, _, balance, first_due) = plan_state(&s.app, plan);
    assert_eq!(balance, 5_663_970);
    let credit = s.app.signed_in("credit").await;
    let pay = |amount: &'static str, key: &'static str| {
        let credit = &credit;
        async move {
            credit
                .post(
                    &format!("/installments/{plan}/payments"),
                    &[("amount", amount), ("method", "cash"), ("payment_key", key)],
                )
                .await
        }
    };
    pay("0", "pay-key-00001")
        .await
        .expect(422)
        .expect_text("more than zero");
    pay("-1", "pay-key-00002").await.expect(422);
    pay("56639.71", "pay-key-00003")
        .await
        .expect(409)
        .expect_text("more than the remaining balance of 56,639.70");
    // A partial payment: the due date stays.
    pay("10000", "pay-key-00004").await.expect(303);
    assert_eq!(plan_state(&s.app, plan).3, first_due);
    // The same form sent twice records one payment.
    pay("10000", "pay-key-00004").await.expect(303);
    let n: i64 = installment_payments::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 1);
    // The rest of the first instalment and part of the second: the due date moves on.
    pay("10000", "pay-key-00005").await.expect(303);
    let (status, paid, _, next) = plan_state(&s.app, plan);
    assert_eq!((status.as_str(), paid), ("active", 2_000_000));
    assert!(next > first_due);
    let paid_dues: Vec<i64> = installment_dues::table
        .filter(installment_dues::plan_id.eq(plan))
        .order(installment_dues::seq.asc())
        .select(installment_dues::paid_minor)
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(paid_dues, vec![1_887_990, 112_010, 0]);
    // Every payment has its own official receipt number.
    let ors: Vec<String> = installment_payments::table
        .order(installment_payments::id.asc())
        .select(installment_payments::or_number)
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(ors, vec!["MNL-000002", "MNL-000003"]);
    let id: i64 = installment_payments::table
        .select(installment_payments::id)
        .order(installment_payments::id.asc())
        .first(&mut *s.app.conn())
        .unwrap();
    credit
        .get(&format!("/installments/payments/{id}/receipt"))
        .await
        .expect(200)
        .expect_text("MNL-000002")
        .expect_text("46,639.70");
    // The exact remainder completes the plan.
    pay("36639.70", "pay-key-00006").await.expect(303);
    let (status, paid, balance, next) = plan_state(&s.app, plan);
    assert_eq!((status.as_str(), paid, next), ("completed", balance, None));
    pay("1", "pay-key-00007")
        .await
        .expect(409)
        .expect_text("already paid off");
    // A pending plan takes no payments; agents record none.
    let pending = pending_plan(&s, "inst-pay-0002").await;
    credit
        .post(
            &format!("/installments/{pending}/payments"),
            &[
                ("amount", "1"),
                ("method", "cash"),
                ("payment_key", "pay-key-00008"),
            ],
        )
        .await
        .expect(409)
        .expect_text("waiting for approval");
    s.app
        .signed_in("agent")
        .await
        .post(
            &format!("/installments/{plan}/payments"),
            &[
                ("amount", "1"),
                ("method", "cash"),
                ("payment_key", "pay-key-00009"),
            ],
        )
        .await
        .expect(403);
}

#[actix_web::test]
async fn eight_clerks_paying_one_plan_at_once_never_pass_the_balance() {
    let s = shop().await;
    let plan = active_plan(&s, "inst-race-001").await;
    let (_, _, balance, _) = plan_state(&s.app, plan);
    // Eight payments of 10,000.00 against 56,639.70, sent at once: five fit, three are refused.
    let credit = s.app.signed_in("credit").await;
    let keys: Vec<String> = (0..8).map(|n| format!("race-key-{n:05}")).collect();
    let url = format!("/installments/{plan}/payments");
    let forms: Vec<[(&str, &str); 3]> = keys
        .iter()
        .map(|k| {
            [
                ("amount", "10000"),
                ("method", "bank_transfer"),
                ("payment_key", k.as_str()),
            ]
        })
        .collect();
    let answers = futures_util::future::join_all(forms.iter().map(|f| credit.post(&url, f))).await;
    let mut ok = 0;
    for r in &answers {
        match r.status {
            303 => ok += 1,
            409 => assert!(r.body.contains("remaining balance"), "{}", r.body),
            other => panic!("unexpected status {other}: {}", r.body),
        }
    }
    assert_eq!(ok, 5);
    let (_, paid, _, _) = plan_state(&s.app, plan);
    assert_eq!(paid, 5_000_000);
    assert!(paid <= balance);
    let sum_dues: Vec<i64> = installment_dues::table
        .filter(installment_dues::plan_id.eq(plan))
        .select(installment_dues::paid_minor)
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(sum_dues.iter().sum::<i64>(), paid);
}

#[actix_web::test]
async fn the_plans_list_filters_and_totals() {
    let s = shop().await;
    let active = active_plan(&s, "inst-list-001").await;
    let _pending = pending_plan(&s, "inst-list-002").await;
    let credit = s.app.signed_in("credit").await;
    credit
        .get("/installments?status=pending")
        .await
        .expect(200)
        .expect_text("1</strong> plan(s)")
        .expect_absent(&format!("/installments/{active}\""));
    // Overdue: back-date the plan's next due date to yesterday.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(2);
    diesel::update(installment_plans::table.find(active))
        .set(installment_plans::next_due_date.eq(yesterday))
        .execute(&mut *s.app.conn())
        .unwrap();
    credit
        .get("/installments?status=overdue")
        .await
        .expect(200)
        .expect_text(&format!("/installments/{active}\""))
        .expect_text("56,639.70");
    credit.get("/installments?status=late").await.expect(400);
    // The export follows the filters: the overdue plan's line, with the plan's columns.
    let csv = credit.get("/installments/export.csv?status=overdue").await;
    csv.expect(200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[0].trim_start_matches('\u{feff}').starts_with("Order #,Employee,Customer,Product Name,Branch,Category,Price,QTY,Total,Payment Method,Date,Status,Plan #,Plan status,Remaining balance,Next due date"));
    assert!(lines[1].contains(",iPhone 15,Main Branch,"), "{}", lines[1]);
    assert!(lines[1].contains(",Overdue,56639.70,"), "{}", lines[1]);
    let all = credit.get("/installments/export.csv").await;
    assert_eq!(all.body.lines().count(), 3);
    credit
        .get("/installments?customer=ana")
        .await
        .expect(200)
        .expect_text("2</strong> plan(s)");
    credit
        .get("/installments?customer=zed")
        .await
        .expect(200)
        .expect_text("0</strong> plan(s)");
}

#[actix_web::test]
async fn eight_threads_paying_one_plan_keep_the_books_straight() {
    use std::sync::{Arc, Barrier};
    use tillpoint::platform::audit::Actor;
    use tillpoint::platform::db::write_tx;
    use tillpoint::platform::money::Money;
    use tillpoint::retail::installments::model::{self, NewPayment, PaymentMethod};
    let s = shop().await;
    let plan = active_plan(&s, "inst-thrd-001").await;
    let clerk = s.app.id("credit");
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|n| {
            let (db, barrier) = (s.app.db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                let actor = Actor {
                    employee_id: Some(clerk),
                    ip: None,
                };
                let key = format!("thread-key-{n:04}");
                barrier.wait();
                write_tx(&mut conn, |c| {
                    model::record_payment(
                        c,
                        &actor,
                        &NewPayment {
                            plan_id: plan,
                            amount: Money(1_000_000),
                            method: PaymentMethod::Cash,
                            key: &key,
                        },
                    )
                })
                .is_ok()
            })
        })
        .collect();
    let ok = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|done| *done)
        .count();
    // 56,639.70 takes five payments of 10,000.00; the other three are refused.
    assert_eq!(ok, 5);
    let (status, paid, balance, _) = plan_state(&s.app, plan);
    assert_eq!((status.as_str(), paid), ("active", 5_000_000));
    assert!(paid <= balance);
    let dues: Vec<i64> = installment_dues::table
        .filter(installment_dues::plan_id.eq(plan))
        .select(installment_dues::paid_minor)
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(dues.iter().sum::<i64>(), paid);
    let payments: i64 = installment_payments::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(payments, 5);
}

#[actix_web::test]
async fn the_manager_sets_the_terms_and_the_interest() {
    let s = shop().await;
    let m = s.app.signed_in("manager").await;
    m.get("/settings/retail")
        .await
        .expect(200)
        .expect_text("value=\"3, 6, 12\"");
    let before = s.app.audit_count();
    for (terms, rate, field, message) in [
        (
            "0, 6",
            "3",
            "installment_terms",
            "whole months from 1 to 60",
        ),
        ("6 months", "3", "installment_terms", "whole months"),
        ("", "3", "installment_terms", "whole months"),
        ("6, 12", "-1", "installment_rate", "between 0 and 100"),
    ] {
        m.post(
            "/settings/retail",
            &[
                ("vat_rate", "12"),
                ("prices_include_vat", "on"),
                ("installment_terms", terms),
                ("installment_rate", rate),
                ("replacement_days", "7"),
                ("repair_days", "30"),
                ("repair_cost", "1500"),
            ],
        )
        .await
        .expect(422)
        .expect_field_error(field, message);
    }
    assert_eq!(s.app.audit_count(), before);
    m.post(
        "/settings/retail",
        &[
            ("vat_rate", "12"),
            ("prices_include_vat", "on"),
            ("installment_terms", "12, 6"),
            ("installment_rate", "2.5"),
            ("replacement_days", "7"),
            ("repair_days", "30"),
            ("repair_cost", "1500"),
        ],
    )
    .await
    .expect(303);
    let agent = s.app.signed_in("agent").await;
    agent
        .post_json(
            "/pos/checkout/installment",
            &sale("inst-set-0001", json!(3), "0"),
        )
        .await
        .expect(422)
        .expect_text("Choose a term of 6, 12 months.");
    let r = agent
        .post_json(
            "/pos/checkout/installment",
            &sale("inst-set-0002", json!(6), "4990"),
        )
        .await;
    r.expect(201);
    // 50,000.00 financed at 2.5 % = 1,250.00.
    let interest: i64 = installment_plans::table
        .select(installment_plans::interest_minor)
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(interest, 125_000);
}

#[actix_web::test]
async fn the_calculator_uses_the_checkout_maths() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    // 1,000.00 with 100.00 down over 3: 900.00 + 27.00 = 927.00, 309.00 a month.
    agent
        .get("/installments/calculator?price=1000&down_payment=100&term=3")
        .await
        .expect(200)
        .expect_text("927.00")
        .expect_text("309.00");
    // A product found by name, priced as at the till; the same figures as its checkout.
    let found = agent.get("/installments/calculator?q=iphone").await;
    found.expect(200).expect_text("iPhone 15");
    let id = s.phone;
    agent
        .get(&format!(
            "/installments/calculator?product_id={id}&down_payment=4990&term=6"
        ))
        .await
        .expect(200)
        .expect_text("51,500.00")
        .expect_text("8,583.33")
        .expect_text("8,583.35");
    agent
        .get("/installments/calculator?price=1000&down_payment=2000&term=3")
        .await
        .expect(200)
        .expect_text("cannot be more than the total");
    agent
        .get("/installments/calculator?price=1000&term=5")
        .await
        .expect(200)
        .expect_text("Choose a term of 3, 6, 12 months.");
    agent
        .get("/installments/calculator?product_id=abc")
        .await
        .expect(400);
}

#[actix_web::test]
async fn overdue_follows_the_business_date_not_utc() {
    let s = shop().await;
    let plan = active_plan(&s, "inst-tz-00001").await;
    // Manila is UTC+8: from 16:00 UTC its date is a day ahead of UTC's. A due date equal to
    // the business date is due today, not overdue; the day before it is overdue.
    let clock = tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila);
    let today = clock.today();
    let set_due = |d: chrono::NaiveDate| {
        diesel::update(installment_plans::table.find(plan))
            .set(installment_plans::next_due_date.eq(d))
            .execute(&mut *s.app.conn())
            .unwrap();
        diesel::update(installment_dues::table.filter(installment_dues::plan_id.eq(plan)))
            .filter(installment_dues::seq.eq(1i64))
            .set(installment_dues::due_date.eq(d))
            .execute(&mut *s.app.conn())
            .unwrap();
    };
    let credit = s.app.signed_in("credit").await;
    set_due(today);
    credit
        .get("/installments?status=overdue")
        .await
        .expect(200)
        .expect_text("0</strong> plan(s)");
    credit
        .get(&format!("/installments/{plan}"))
        .await
        .expect(200)
        .expect_absent("day(s) overdue");
    set_due(today - chrono::Duration::days(1));
    credit
        .get("/installments?status=overdue")
        .await
        .expect(200)
        .expect_text("1</strong> plan(s)");
    credit
        .get(&format!("/installments/{plan}"))
        .await
        .expect(200)
        .expect_text("1 day(s) overdue");
}

#[actix_web::test]
async fn bad_decisions_and_payments_are_refused_and_nothing_is_written() {
    let s = shop().await;
    let plan = pending_plan(&s, "inst-bad-dec1").await;
    let credit = s.app.signed_in("credit").await;
    set_limit(&s.app, "credit", 10_000_000);
    let long = "n".repeat(501);
    credit
        .post(&format!("/installments/{plan}/approve"), &[("note", &long)])
        .await
        .expect(422);
    credit
        .post(
            &format!("/installments/{plan}/reject"),
            &[("note", "\u{200b}\u{200b}\u{200b}")],
        )
        .await
        .expect(422);
    credit
        .post("/installments/999999/approve", &[("note", "")])
        .await
        .expect(404);
    assert_eq!(plan_state(&s.app, plan).0, "pending");
    credit
        .post(&format!("/installments/{plan}/approve"), &[("note", "")])
        .await
        .expect(303);
    let url = format!("/installments/{plan}/payments");
    for (amount, method, key, status) in [
        ("10", "bitcoin", "pay-bad-00001", 422),
        ("10", "", "pay-bad-00002", 422),
        ("1e3", "cash", "pay-bad-00003", 422),
        ("12.345", "cash", "pay-bad-00004", 422),
        ("", "cash", "pay-bad-00005", 422),
        ("99999999999999", "cash", "pay-bad-00006", 422),
        ("10", "cash", "", 400),
        ("10", "cash", "bad key!", 400),
    ] {
        let r = credit
            .post(
                &url,
                &[("amount", amount), ("method", method), ("payment_key", key)],
            )
            .await;
        assert!(
            r.status == status || (amount == "99999999999999" && r.status == 409),
            "{amount} {method} {key}: {}",
            r.status
        );
    }
    credit
        .post(
            "/installments/999999/payments",
            &[
                ("amount", "1"),
                ("method", "cash"),
                ("payment_key", "pay-bad-00009"),
            ],
        )
        .await
        .expect(404);
    let n: i64 = installment_payments::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(plan_state(&s.app, plan).1, 0);
}

/// The reports page counts what customers owe against the range's revenue: over the shop's
/// high-risk line (a setting, 30 % unless changed) it says "high risk".
#[actix_web::test]
async fn credit_exposure_on_the_reports_is_measured_against_the_setting() {
    let s = shop().await;
    let plan = pending_plan(&s, "exposure-000001").await;
    let (_, paid, balance, _) = plan_state(&s.app, plan);
    let m = s.app.signed_in("manager").await;
    let page = m.get("/reports").await;
    page.expect(200);
    let owed = balance - paid;
    assert!(owed > 0);
    assert!(
        page.body.contains(&format!(
            "id=\"receivables\">PHP {}",
            tillpoint::platform::money::Money(owed).grouped()
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("<strong>high risk</strong> (over 30 %)"));
    assert!(page.body.contains("<td>Instalment</td>"));
    // Raised to 1000 %: under the line.
    let form = |risk: &str| {
        vec![
            ("vat_rate", "12".to_string()),
            ("prices_include_vat", "on".to_string()),
            ("installment_terms", "3, 6, 12".to_string()),
            ("installment_rate", "3".to_string()),
            ("replacement_days", "7".to_string()),
            ("repair_days", "365".to_string()),
            ("repair_cost", "500".to_string()),
            ("high_risk", risk.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let m = &m;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            m.post("/settings/retail", &pairs).await
        }
    };
    post(form("1000")).await.expect(303);
    let page = m.get("/reports").await;
    assert!(
        page.body.contains("under the 1000 % risk line"),
        "{}",
        page.body
    );
    // A risk line that is not a percentage is refused and the setting stays.
    let r = post(form("lots")).await;
    r.expect(422);
    assert!(r.body.contains("Enter a percentage"));
    assert!(m
        .get("/reports")
        .await
        .body
        .contains("under the 1000 % risk line"));
}
