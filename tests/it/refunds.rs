//! Refunds and returns: the money back never exceeds what was paid (also under two refunds of
//! the same line at once), VAT and commission go back in proportion, units go back to stock
//! or to defective stock, cash leaves the refunder's drawer, credit notes are numbered without
//! gaps, store credit is spent once, and bad input writes nothing.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::db::write_tx;
use tillpoint::platform::schema::{
    commissions, credit_note_tenders, credit_notes, customers, defective_stock, order_items,
    orders, product_serials, retail_daily_totals,
};
use tillpoint::retail::refunds::model::{self as refunds, Refunder};
use tillpoint::retail::refunds::rules::{RefundRequest, RefundTo, ReturnLine};

use crate::helpers::*;

fn items_of(app: &TestApp, order: i64) -> Vec<i64> {
    order_items::table
        .filter(order_items::order_id.eq(order))
        .order(order_items::id.asc())
        .select(order_items::id)
        .load(&mut *app.conn())
        .unwrap()
}

fn notes(app: &TestApp) -> i64 {
    credit_notes::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn refunded(app: &TestApp, order: i64) -> (i64, i64) {
    orders::table
        .find(order)
        .select((orders::refunded_minor, orders::refunded_vat_minor))
        .first(&mut *app.conn())
        .unwrap()
}

fn form<'a>(key: &'a str, item_field: &'a str, qty: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("key", key),
        (item_field, qty),
        ("reason", "Customer changed mind"),
        ("restock", "yes"),
        ("refund_to", "original"),
    ]
}

#[actix_web::test]
async fn a_sale_refunded_in_parts_gives_back_exactly_what_was_paid() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    diesel::update(
        tillpoint::platform::schema::employees::table
            .filter(tillpoint::platform::schema::employees::username.eq("agent")),
    )
    .set(tillpoint::platform::schema::employees::commission_rate_bp.eq(500i64))
    .execute(&mut *app.conn())
    .unwrap();
    let agent = app.signed_in("agent").await;
    let order = sell_cables(&agent, "refund-sale-0001", 3).await;
    let item = items_of(&app, order)[0];
    let field = format!("qty_{item}");
    let commission_before: i64 = commissions::table
        .filter(commissions::order_id.eq(order))
        .select(commissions::amount_minor)
        .first(&mut *app.conn())
        .unwrap();

    // The form shows the line with what is left to return.
    agent
        .get(&format!("/sales/{order}/refund"))
        .await
        .expect(200)
        .expect_text("USB-C Cable")
        .expect_text("Refund sale MNL-");

    // One of three cables: 299.00 back in cash, VAT 897.00 × 12/112 = 96.11 reversed in
    // proportion: round(96.11 × 299 / 897) = 32.04.
    let r = agent
        .post(
            &format!("/sales/{order}/refund"),
            &form("refund-key-0001", &field, "1"),
        )
        .await;
    r.expect(303);
    let note_url = r.location().to_string();
    assert!(note_url.starts_with("/credit-notes/"), "{note_url}");
    assert_eq!(refunded(&app, order), (29_900, 3_204));
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, cable), 8);
    let page = agent.get(&note_url).await.expect(200).clone();
    page.expect_text("CREDIT NOTE")
        .expect_text("MNL-CN-000001")
        .expect_text("299.00")
        .expect_text("32.04");
    // The same form sent again (a double click) is the same credit note.
    agent
        .post(
            &format!("/sales/{order}/refund"),
            &form("refund-key-0001", &field, "1"),
        )
        .await
        .expect(303);
    assert_eq!(notes(&app), 1);
    // The cash came out of the agent's shift.
    let shift = tillpoint::registers::shifts::model::open_of(&mut app.conn(), app.id("agent"))
        .unwrap()
        .unwrap();
    let f = tillpoint::registers::shifts::model::figures(&mut app.conn(), &shift).unwrap();
    assert_eq!(f.flow.cash_refunds.0, 29_900);
    assert_eq!(f.flow.cash_sales.0 - f.flow.cash_refunds.0, 59_800);
    assert_eq!((f.refunds_count, f.refunds_total.0), (1, 29_900));
    agent
        .get(&format!("/shifts/{}", shift.id))
        .await
        .expect(200)
        .expect_text("Cash refunds")
        .expect_text("-299.00");

    // A void is refused once part of the sale is refunded.
    let boss = app.signed_in("manager").await;
    let r = boss
        .post(&format!("/sales/{order}/void"), &[("reason", "Wrong sale")])
        .await;
    r.expect(409);
    assert!(r.body.contains("refund the rest"), "{}", r.body);

    // Three more than are left: refused, nothing written.
    let r = agent
        .post(
            &format!("/sales/{order}/refund"),
            &form("refund-key-0002", &field, "3"),
        )
        .await;
    r.expect(409);
    r.expect_text("Only 2 × USB-C Cable");
    assert_eq!(notes(&app), 1);
    assert_eq!(refunded(&app, order), (29_900, 3_204));

    // The other two: the whole sale is back, VAT and commission to the centavo.
    agent
        .post(
            &format!("/sales/{order}/refund"),
            &form("refund-key-0003", &field, "2"),
        )
        .await
        .expect(303);
    let (total, vat): (i64, i64) = orders::table
        .find(order)
        .select((orders::total_minor, orders::vat_minor))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(refunded(&app, order), (total, vat));
    assert_eq!((total, vat), (89_700, 9_611));
    let rows: Vec<i64> = commissions::table
        .filter(commissions::order_id.eq(order))
        .select(commissions::amount_minor)
        .load(&mut *app.conn())
        .unwrap();
    assert!(commission_before > 0);
    assert_eq!(rows.iter().sum::<i64>(), 0, "{rows:?}");
    // The day's figures are net of the refunds.
    let day_total: i64 = retail_daily_totals::table
        .filter(retail_daily_totals::branch_id.eq(app.seed.main_branch))
        .select(retail_daily_totals::total_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(day_total, 0);
    // Numbers follow on without gaps.
    let numbers: Vec<String> = credit_notes::table
        .order(credit_notes::id.asc())
        .select(credit_notes::cn_number)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(numbers, vec!["MNL-CN-000001", "MNL-CN-000002"]);
    // Nothing left to refund.
    let r = agent
        .post(
            &format!("/sales/{order}/refund"),
            &form("refund-key-0004", &field, "1"),
        )
        .await;
    r.expect(409);
    r.expect_text("already returned");
}

#[actix_web::test]
async fn a_returned_serial_goes_to_defective_stock_and_card_gets_its_money_first() {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, phone, 2, &["IMEI-1", "IMEI-2"]);
    app.receive(app.seed.main_branch, cable, 2, &[]);
    let agent = app.signed_in("agent").await;
    // 54,990.00 + 299.00 = 55,289.00: 50,000.00 by card, the rest in cash.
    let r = agent
        .post_json(
            "/pos/checkout",
            &json!({"idempotency_key": "split-refund-01",
                    "lines": [{"barcode": TEST_PHONE, "quantity": 1, "serials": ["IMEI-2"]},
                              {"barcode": TEST_CABLE, "quantity": 1}],
                    "tenders": [{"method": "card", "amount": "50000", "reference": "SLIP-77"},
                                {"method": "cash", "amount": "5300"}]}),
        )
        .await;
    r.expect(201);
    let order = r.json()["order_id"].as_i64().unwrap();
    let items = items_of(&app, order);
    let path = format!("/sales/{order}/refund");
    let phone_serial = format!("serial_{}", items[0]);

    // A serial that was not sold on this line: refused, nothing written.
    let r = agent
        .post(
            &path,
            &[
                ("key", "serial-key-0001"),
                (phone_serial.as_str(), "IMEI-1"),
                ("reason", "Screen flickers"),
                ("restock", "no"),
            ],
        )
        .await;
    r.expect(409);
    r.expect_text("IMEI-1");
    assert_eq!(notes(&app), 0);

    // The phone comes back faulty: defective stock, not the shelf; the card gets its 50,000.00
    // back first and the drawer gives the other 4,990.00.
    agent
        .post(
            &path,
            &[
                ("key", "serial-key-0002"),
                (phone_serial.as_str(), "IMEI-2"),
                ("reason", "Screen flickers"),
                ("restock", "no"),
            ],
        )
        .await
        .expect(303);
    let status: String = product_serials::table
        .filter(product_serials::serial.eq("IMEI-2"))
        .select(product_serials::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "damaged");
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, phone), 1);
    let held: Vec<(String, Option<i64>)> = defective_stock::table
        .select((
            defective_stock::faulty_serial,
            defective_stock::credit_note_id,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].0, "IMEI-2");
    assert!(held[0].1.is_some());
    let mut tenders: Vec<(String, i64, String)> = credit_note_tenders::table
        .select((
            credit_note_tenders::method,
            credit_note_tenders::amount_minor,
            credit_note_tenders::reference,
        ))
        .load(&mut *app.conn())
        .unwrap();
    tenders.sort();
    assert_eq!(
        tenders,
        vec![
            ("card".to_string(), 5_000_000, "SLIP-77".to_string()),
            ("cash".to_string(), 499_000, String::new()),
        ]
    );
    // The cable back to the shelf: the rest of the cash.
    let cable_field = format!("qty_{}", items[1]);
    agent
        .post(&path, &form("serial-key-0003", &cable_field, "1"))
        .await
        .expect(303);
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, cable), 2);
    assert_eq!(refunded(&app, order).0, 5_528_900);
}

#[actix_web::test]
async fn store_credit_is_given_once_and_spent_once() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let customer = json!({"name": "Maria Santos", "phone": "0917 555 0101"});
    let r = agent
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": "credit-sale-01", "lines": [{"barcode": TEST_CABLE, "quantity": 2}],
                    "cash_received": "598", "customer": customer}),
        )
        .await;
    r.expect(201);
    let order = r.json()["order_id"].as_i64().unwrap();
    // A walk-in sale has nobody to give store credit to.
    let walk_in = sell_cables(&agent, "credit-sale-02", 1).await;
    let walk_item = items_of(&app, walk_in)[0];
    let walk_field = format!("qty_{walk_item}");
    let mut walk = form("credit-key-0001", &walk_field, "1");
    walk[4] = ("refund_to", "store_credit");
    let r = agent.post(&format!("/sales/{walk_in}/refund"), &walk).await;
    r.expect(422);
    r.expect_field_error("refund_to", "needs a customer");
    assert_eq!(notes(&app), 0);

    // Found by the customer's phone, refunded as store credit.
    agent
        .get("/refunds?q=09175550101")
        .await
        .expect(200)
        .expect_text("Maria Santos");
    let item = items_of(&app, order)[0];
    let field = format!("qty_{item}");
    let mut f = form("credit-key-0002", &field, "1");
    f[4] = ("refund_to", "store_credit");
    agent
        .post(&format!("/sales/{order}/refund"), &f)
        .await
        .expect(303);
    let (id, balance): (i64, i64) = customers::table
        .select((customers::id, customers::store_credit_minor))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(balance, 29_900);
    // The till sees it when it looks the customer up.
    let r = agent.get("/pos/customers?phone=0917-555-0101").await;
    r.expect(200);
    assert_eq!(r.json()["store_credit"], "299.00", "{}", r.body);
    // No cash left the drawer.
    let cash: i64 = credit_note_tenders::table
        .filter(credit_note_tenders::method.eq("cash"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(cash, 0);

    // Spent at the till: more than the balance is refused; the balance pays once.
    let spend = |key: &str, credit: &str, cash: &str| {
        json!({"idempotency_key": key, "lines": [{"barcode": TEST_CABLE, "quantity": 2}],
               "customer": customer,
               "tenders": [{"method": "store_credit", "amount": credit}, {"method": "cash", "amount": cash}]})
    };
    let r = agent
        .post_json(
            "/pos/checkout",
            &spend("credit-spend-01", "300.00", "298.00"),
        )
        .await;
    r.expect(409);
    assert!(r.body.contains("only 299.00 of store credit"), "{}", r.body);
    let r = agent
        .post_json(
            "/pos/checkout",
            &spend("credit-spend-02", "299.00", "299.00"),
        )
        .await;
    r.expect(201);
    let balance: i64 = customers::table
        .find(id)
        .select(customers::store_credit_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(balance, 0);
    // Store credit without a customer: refused.
    let r = agent
        .post_json(
            "/pos/checkout",
            &json!({"idempotency_key": "credit-spend-03", "lines": [{"barcode": TEST_CABLE, "quantity": 1}],
                    "tenders": [{"method": "store_credit", "amount": "299"}]}),
        )
        .await;
    r.expect(422);
}

#[actix_web::test]
async fn bad_refund_forms_write_nothing_and_other_people_are_refused() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let order = sell_cables(&agent, "bad-refund-0001", 2).await;
    let item = items_of(&app, order)[0];
    let field = format!("qty_{item}");
    let path = format!("/sales/{order}/refund");
    let before = app.audit_count();
    for (name, fields, error_field) in [
        (
            "no reason",
            vec![
                ("key", "bad-key-00001"),
                (field.as_str(), "1"),
                ("reason", " "),
            ],
            "reason",
        ),
        (
            "negative",
            vec![
                ("key", "bad-key-00002"),
                (field.as_str(), "-1"),
                ("reason", "Broken"),
            ],
            "lines",
        ),
        (
            "nothing",
            vec![
                ("key", "bad-key-00003"),
                (field.as_str(), "0"),
                ("reason", "Broken"),
            ],
            "lines",
        ),
        (
            "text",
            vec![
                ("key", "bad-key-00004"),
                (field.as_str(), "two"),
                ("reason", "Broken"),
            ],
            "lines",
        ),
        (
            "no key",
            vec![(field.as_str(), "1"), ("reason", "Broken")],
            "key",
        ),
        (
            "another sale's line",
            vec![
                ("key", "bad-key-00005"),
                ("qty_999999", "1"),
                ("reason", "Broken"),
            ],
            "lines",
        ),
        (
            "tampered name",
            vec![
                ("key", "bad-key-00006"),
                ("qty_x", "1"),
                ("reason", "Broken"),
            ],
            "lines",
        ),
        (
            "invisible reason",
            vec![
                ("key", "bad-key-00007"),
                (field.as_str(), "1"),
                ("reason", "\u{200b}\u{200b}\u{200b}"),
            ],
            "reason",
        ),
        (
            "bad restock",
            vec![
                ("key", "bad-key-00008"),
                (field.as_str(), "1"),
                ("reason", "Broken"),
                ("restock", "maybe"),
            ],
            "restock",
        ),
        (
            "bad refund_to",
            vec![
                ("key", "bad-key-00009"),
                (field.as_str(), "1"),
                ("reason", "Broken"),
                ("refund_to", "bitcoin"),
            ],
            "refund_to",
        ),
    ] {
        let r = agent.post(&path, &fields).await;
        assert!(
            r.status == 422 || r.status == 409,
            "{name}: {} {}",
            r.status,
            r.body
        );
        assert!(
            r.body.contains(&format!("id=\"{error_field}-error\"")),
            "{name}: {}",
            r.body
        );
    }
    assert_eq!(notes(&app), 0);
    assert_eq!(app.audit_count(), before);
    assert_eq!(refunded(&app, order), (0, 0));

    // Kitchen and waiters do not refund; another branch's agent does not see the sale.
    for who in ["kitchen", "waiter"] {
        let c = app.signed_in(who).await;
        c.get(&path).await.expect(403);
        c.post(&path, &form("bad-key-00010", &field, "1"))
            .await
            .expect(403);
    }
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebu",
        tillpoint::platform::auth::Role::SalesAgent,
        Some(app.seed.cebu_branch),
        &hash,
    );
    let cebu = app.signed_in("cebu").await;
    cebu.get(&path).await.expect(404);
    cebu.post(&path, &form("bad-key-00011", &field, "1"))
        .await
        .expect(404);
    assert_eq!(notes(&app), 0);

    // An old sale needs a manager: the agent is refused, the manager refunds it.
    let long_ago = chrono::Utc::now().naive_utc() - chrono::Duration::days(45);
    diesel::update(orders::table.find(order))
        .set((
            orders::created_at.eq(long_ago),
            orders::business_day.eq(long_ago.date()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let r = agent
        .post(&path, &form("old-key-000001", &field, "1"))
        .await;
    r.expect(403);
    r.expect_text("refunds after 30 days need a manager");
    assert_eq!(notes(&app), 0);
    // (The manager's drawer holds a float to pay it from.)
    diesel::update(
        tillpoint::platform::schema::shifts::table
            .filter(tillpoint::platform::schema::shifts::employee_id.eq(app.id("manager"))),
    )
    .set(tillpoint::platform::schema::shifts::opening_float_minor.eq(100_000i64))
    .execute(&mut *app.conn())
    .unwrap();
    let boss = app.signed_in("manager").await;
    boss.post(&path, &form("old-key-000002", &field, "1"))
        .await
        .expect(303);
    assert_eq!(notes(&app), 1);
}

/// Two tills refunding two of the three units of one line at the same moment: one refund.
#[actix_web::test]
async fn two_refunds_of_the_same_line_at_once_never_return_more_than_was_sold() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    for round in 0..3 {
        let order = sell_cables(&agent, &format!("race-sale-000{round}"), 3).await;
        let item = items_of(&app, order)[0];
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [("agent", "a"), ("agent", "b")]
            .into_iter()
            .map(|(who, tag)| {
                let (db, barrier) = (app.db.clone(), barrier.clone());
                let me = app.id(who);
                let key = format!("race-{tag}-{round}-key");
                std::thread::spawn(move || {
                    let mut conn = db.pool().get().unwrap();
                    barrier.wait();
                    let actor = Actor {
                        employee_id: Some(me),
                        ip: None,
                    };
                    let req = RefundRequest {
                        lines: vec![ReturnLine {
                            item_id: item,
                            quantity: 2,
                            serials: Vec::new(),
                        }],
                        reason: "Race".into(),
                        restock: true,
                        refund_to: RefundTo::Original,
                        key,
                    };
                    write_tx(&mut conn, |c| {
                        refunds::refund(
                            c,
                            &Refunder {
                                actor: &actor,
                                is_manager: true,
                                today: chrono::Utc::now().date_naive(),
                                now: chrono::Utc::now().naive_utc(),
                            },
                            order,
                            &req,
                        )
                    })
                    .is_ok()
                })
            })
            .collect();
        let ok: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            ok.iter().filter(|o| **o).count(),
            1,
            "round {round}: {ok:?}"
        );
        let returned: i64 = order_items::table
            .find(item)
            .select(order_items::returned_quantity)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(returned, 2);
        assert_eq!(refunded(&app, order).0, 59_800);
    }
    // Stock: 10 − 9 sold + 6 back.
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, cable), 7);
}
