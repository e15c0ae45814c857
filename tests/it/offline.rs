//! The till through an outage: blocks of provisional numbers, the catalogue delta, the sync
//! of queued sales (exactly once, in any order, only by the till that made them) and the
//! exceptions a manager settles.

use diesel::prelude::*;
use serde_json::{json, Value};
use tillpoint::platform::schema::{offline_sales, orders, products, shifts};

use crate::helpers::*;

struct Till {
    app: TestApp,
    agent: Client,
    cable: i64,
    phone: i64,
}

async fn till() -> Till {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    app.receive(app.seed.main_branch, phone, 2, &["IMEI-1", "IMEI-2"]);
    let agent = app.signed_in("agent").await;
    Till {
        app,
        agent,
        cable,
        phone,
    }
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// Reserves a block for the signed-in seller; its id.
async fn block(c: &Client, key: &str, secret: &str) -> i64 {
    let r = c
        .post_json(
            "/pos/offline/block",
            &json!({"idempotency_key": key, "secret": secret}),
        )
        .await;
    r.expect(201);
    r.json()["block"].as_i64().unwrap()
}

/// A queued sale of `quantity` cables at `price` each (VAT inclusive: the total is the sum).
fn cables(block: i64, number: i64, key: &str, quantity: i64, price: &str) -> Value {
    let unit: f64 = price.parse().unwrap();
    json!({
        "idempotency_key": key, "block": block, "secret": SECRET, "number": number,
        "made_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "lines": [{"barcode": TEST_CABLE, "name": "USB-C Cable", "quantity": quantity, "price": price}],
        "cash_received": "5000", "total": format!("{:.2}", unit * quantity as f64),
    })
}

async fn sync(c: &Client, sales: Vec<Value>) -> Vec<Value> {
    let r = c.post_json("/pos/sync", &json!({ "sales": sales })).await;
    r.expect(200);
    r.json()["results"].as_array().unwrap().clone()
}

fn statuses(answers: &[Value]) -> Vec<String> {
    answers
        .iter()
        .map(|a| a["status"].as_str().unwrap().to_string())
        .collect()
}

fn count_orders(app: &TestApp) -> i64 {
    orders::table.count().get_result(&mut *app.conn()).unwrap()
}

#[actix_web::test]
async fn the_catalogue_comes_whole_then_only_what_changed() {
    let t = till().await;
    let first = t.agent.get("/pos/catalogue").await;
    first.expect(200);
    let body = first.json();
    let rows = body["products"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], TEST_CABLE);
    assert_eq!(rows[0][3], 29_900);
    assert_eq!(body["more"], false);
    let cursor = body["next"].as_str().unwrap().to_string();

    // Nothing changed: nothing comes. A change the till does not show (the cost) neither.
    let again = t.agent.get(&format!("/pos/catalogue?after={cursor}")).await;
    assert_eq!(again.json()["products"], json!([]));
    {
        let mut c = t.app.conn();
        diesel::update(products::table.find(t.cable))
            .set(products::cost_minor.eq(1))
            .execute(&mut *c)
            .unwrap();
    }
    let still = t.agent.get(&format!("/pos/catalogue?after={cursor}")).await;
    assert_eq!(still.json()["products"], json!([]));

    // A price changed by anyone (here straight in SQL) and a product archived come next.
    {
        let mut c = t.app.conn();
        diesel::update(products::table.find(t.cable))
            .set(products::price_minor.eq(31_000))
            .execute(&mut *c)
            .unwrap();
    }
    t.app
        .signed_in("manager")
        .await
        .post(&format!("/products/{}/archive", t.phone), &[])
        .await;
    let delta = t.agent.get(&format!("/pos/catalogue?after={cursor}")).await;
    let rows = delta.json()["products"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0][0].as_i64(), rows[0][3].as_i64()),
        (Some(t.cable), Some(31_000))
    );
    assert_eq!(
        (rows[1][0].as_i64(), rows[1][5].as_bool()),
        (Some(t.phone), Some(false))
    );

    for bad in ["x", "1", "1:x", "-9:0"] {
        t.agent
            .get(&format!("/pos/catalogue?after={bad}"))
            .await
            .expect(400);
    }
    // Sellers only.
    t.app
        .signed_in("kitchen")
        .await
        .get("/pos/catalogue")
        .await
        .expect(403);
}

#[actix_web::test]
async fn queued_sales_reach_the_books_once_in_any_order() {
    let t = till().await;
    let b = block(&t.agent, "block-key-0001", SECRET).await;
    // The same request again is the same block.
    assert_eq!(block(&t.agent, "block-key-0001", SECRET).await, b);
    let sales: Vec<Value> = (1..=3)
        .map(|n| cables(b, n, &format!("offline-sale-{n:04}"), 1, "299.00"))
        .collect();

    // The third arrives first, then everything (a sync cut half-way and sent again).
    let a = sync(&t.agent, vec![sales[2].clone()]).await;
    assert_eq!(statuses(&a), ["accepted"]);
    let a = sync(&t.agent, sales.clone()).await;
    assert_eq!(statuses(&a), ["accepted", "accepted", "already"]);
    // A replay answers the same orders.
    let again = sync(&t.agent, sales.clone()).await;
    assert_eq!(statuses(&again), ["already", "already", "already"]);
    assert_eq!(again[0]["order_id"], a[0]["order_id"]);
    assert!(again[0]["receipt_number"]
        .as_str()
        .unwrap()
        .starts_with("MNL-"));

    assert_eq!(count_orders(&t.app), 3);
    assert_eq!(
        stock_of(&mut t.app.conn(), t.app.seed.main_branch, t.cable),
        7
    );
    // Each order is the agent's, in the agent's shift, at the time the till made it.
    let agent_shift: i64 = shifts::table
        .filter(shifts::employee_id.eq(t.app.id("agent")))
        .filter(shifts::closed_at.is_null())
        .select(shifts::id)
        .first(&mut *t.app.conn())
        .unwrap();
    let rows: Vec<(i64, Option<i64>, i64, chrono::NaiveDateTime)> = orders::table
        .select((
            orders::employee_id,
            orders::shift_id,
            orders::total_minor,
            orders::created_at,
        ))
        .load(&mut *t.app.conn())
        .unwrap();
    for (employee, shift, total, at) in rows {
        assert_eq!(
            (employee, shift, total),
            (t.app.id("agent"), Some(agent_shift), 29_900)
        );
        let ago = chrono::Utc::now().naive_utc() - at;
        assert!(ago > chrono::Duration::minutes(4), "{ago:?}");
    }
    let kept: i64 = offline_sales::table
        .filter(offline_sales::status.eq("accepted"))
        .count()
        .get_result(&mut *t.app.conn())
        .unwrap();
    assert_eq!(kept, 3);
}

#[actix_web::test]
async fn a_till_cannot_send_another_tills_sales() {
    let t = till().await;
    let mine = block(&t.agent, "block-key-0002", SECRET).await;
    let manager = t.app.signed_in("manager").await;
    let other_secret = "f".repeat(32);
    let theirs = block(&manager, "block-key-0003", &other_secret).await;

    // The manager's block with the agent's secret, the agent's block from another branch's
    // till (a Cebu seller), a number beyond the block, a number taken by another sale.
    let mut forged = cables(theirs, 1, "forged-sale-0001", 1, "299.00");
    forged["secret"] = json!(SECRET);
    let a = sync(&t.agent, vec![forged]).await;
    assert_eq!(statuses(&a), ["refused"]);
    assert!(a[0]["reason"].as_str().unwrap().contains("another till"));

    let cebu = insert_employee(
        &mut t.app.conn(),
        "cebu-agent",
        tillpoint::platform::auth::Role::SalesAgent,
        Some(t.app.seed.cebu_branch),
        &tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap(),
    );
    assert!(cebu > 0);
    let stranger = t.app.signed_in("cebu-agent").await;
    let a = sync(
        &stranger,
        vec![cables(mine, 1, "stranger-sale-01", 1, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["refused"]);

    let a = sync(
        &t.agent,
        vec![cables(mine, 501, "beyond-sale-0001", 1, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["refused"]);

    let a = sync(
        &t.agent,
        vec![cables(mine, 1, "first-sale-00001", 1, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["accepted"]);
    let a = sync(
        &t.agent,
        vec![cables(mine, 1, "second-sale-0001", 1, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["refused"]);
    assert!(a[0]["reason"].as_str().unwrap().contains("already used"));

    assert_eq!(count_orders(&t.app), 1);
    assert_eq!(
        offline_sales::table
            .count()
            .get_result::<i64>(&mut *t.app.conn())
            .unwrap(),
        1
    );
}

#[actix_web::test]
async fn refused_sales_wait_for_a_manager_who_accepts_or_gives_the_money_back() {
    let t = till().await;
    let b = block(&t.agent, "block-key-0004", SECRET).await;
    // 10 cables in stock: 8 sell, then 5 more cannot; then a sale at a price the catalogue
    // no longer has.
    let a = sync(
        &t.agent,
        vec![
            cables(b, 1, "stock-sale-00001", 8, "299.00"),
            cables(b, 2, "stock-sale-00002", 5, "299.00"),
            cables(b, 3, "price-sale-00003", 1, "250.00"),
        ],
    )
    .await;
    assert_eq!(statuses(&a), ["accepted", "exception", "exception"]);
    assert!(a[1]["reason"].as_str().unwrap().contains("Only 2"), "{a:?}");
    assert!(a[2]["reason"].as_str().unwrap().contains("250.00"), "{a:?}");
    assert_eq!(count_orders(&t.app), 1);
    // Sent again, an exception is answered as it was, never made twice.
    let again = sync(
        &t.agent,
        vec![cables(b, 2, "stock-sale-00002", 5, "299.00")],
    )
    .await;
    assert_eq!(statuses(&again), ["exception"]);

    // Sellers do not settle; managers see both.
    t.agent.get("/pos/exceptions").await.expect(403);
    let manager = t.app.signed_in("manager").await;
    let page = manager.get("/pos/exceptions").await;
    page.expect(200)
        .expect_text(&format!("P{b}-002"))
        .expect_text("2 waiting");
    let ids: Vec<(i64, i64)> = offline_sales::table
        .filter(offline_sales::status.eq("exception"))
        .order(offline_sales::number)
        .select((offline_sales::id, offline_sales::number))
        .load(&mut *t.app.conn())
        .unwrap();
    let (stock_id, price_id) = (ids[0].0, ids[1].0);

    // A note too long, or of invisible characters only, is refused and settles nothing.
    for note in ["x".repeat(201), "\u{200b}\u{200b}".to_string()] {
        let before = t.app.audit_count();
        manager
            .post(
                &format!("/pos/exceptions/{stock_id}/accept"),
                &[("note", note.as_str())],
            )
            .await
            .expect(422);
        assert_eq!(t.app.audit_count(), before);
    }
    assert_eq!(count_orders(&t.app), 1);
    // Accepted: an order of 5 cables with only 2 on the books; the stock stops at zero.
    manager
        .post(
            &format!("/pos/exceptions/{stock_id}/accept"),
            &[("note", "shelf counted")],
        )
        .await
        .expect(303);
    assert_eq!(count_orders(&t.app), 2);
    assert_eq!(
        stock_of(&mut t.app.conn(), t.app.seed.main_branch, t.cable),
        0
    );
    // Twice is once.
    manager
        .post(&format!("/pos/exceptions/{stock_id}/accept"), &[])
        .await
        .expect(409);
    assert_eq!(count_orders(&t.app), 2);

    // The money given back: no order.
    manager
        .post(
            &format!("/pos/exceptions/{price_id}/refund"),
            &[("note", "")],
        )
        .await
        .expect(303);
    assert_eq!(count_orders(&t.app), 2);
    let settled: Vec<(String, Option<i64>)> = offline_sales::table
        .order(offline_sales::number)
        .select((offline_sales::status, offline_sales::order_id))
        .load(&mut *t.app.conn())
        .unwrap();
    assert_eq!(settled[1].0, "accepted_by_manager");
    assert!(settled[1].1.is_some());
    assert_eq!(settled[2], ("refunded".to_string(), None));
    manager
        .get("/pos/exceptions")
        .await
        .expect(200)
        .expect_text("every offline sale is in the books");
    // A till that never heard the first answers hears what became of them.
    let late = sync(
        &t.agent,
        vec![
            cables(b, 2, "stock-sale-00002", 5, "299.00"),
            cables(b, 3, "price-sale-00003", 1, "250.00"),
        ],
    )
    .await;
    assert_eq!(statuses(&late), ["already", "exception"]);
    assert_eq!(late[0]["order_id"].as_i64(), settled[1].1);
    assert!(late[1]["reason"]
        .as_str()
        .unwrap()
        .contains("gave the money back"));
    assert_eq!(count_orders(&t.app), 2);
    // The acceptance is in the audit trail with what it let through.
    let trail = t.app.audit_rows();
    assert!(
        trail
            .iter()
            .any(|r| format!("{r:?}").contains("count the shelf")),
        "no note of the shortfall"
    );
    manager
        .post("/pos/exceptions/999999/accept", &[])
        .await
        .expect(404);
}

#[actix_web::test]
async fn a_sale_the_server_took_before_the_line_dropped_is_one_order() {
    let t = till().await;
    let b = block(&t.agent, "block-key-0005", SECRET).await;
    // The till's Pay reached the server, the answer did not come back: it queued the sale
    // with the same key.
    t.agent
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": "lost-answer-0001", "lines": [{"barcode": TEST_CABLE, "quantity": 2, "serials": []}], "cash_received": "5000", "customer": null}),
        )
        .await
        .expect(201);
    let a = sync(
        &t.agent,
        vec![cables(b, 1, "lost-answer-0001", 2, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["accepted"]);
    assert_eq!(count_orders(&t.app), 1);
    assert_eq!(
        stock_of(&mut t.app.conn(), t.app.seed.main_branch, t.cable),
        8
    );
}

#[actix_web::test]
async fn a_sale_whose_shift_closed_before_it_arrived_is_an_exception() {
    let t = till().await;
    let b = block(&t.agent, "block-key-0006", SECRET).await;
    {
        let mut c = t.app.conn();
        diesel::update(shifts::table.filter(shifts::employee_id.eq(t.app.id("agent"))))
            .set(shifts::closed_at.eq(Some(chrono::Utc::now().naive_utc())))
            .execute(&mut *c)
            .unwrap();
    }
    let a = sync(
        &t.agent,
        vec![cables(b, 1, "late-sale-000001", 1, "299.00")],
    )
    .await;
    assert_eq!(statuses(&a), ["exception"]);
    assert!(a[0]["reason"].as_str().unwrap().contains("closed"));
    assert_eq!(count_orders(&t.app), 0);
}

#[actix_web::test]
async fn bad_queues_and_blocks_are_refused_and_change_nothing() {
    let t = till().await;
    let b = block(&t.agent, "block-key-0007", SECRET).await;
    let before = count_orders(&t.app);
    for body in [
        json!({}),
        json!({"sales": []}),
        json!({"sales": "x"}),
        json!({ "sales": vec![json!({}); 101] }),
    ] {
        t.agent.post_json("/pos/sync", &body).await.expect(400);
    }
    // A malformed sale is refused on its own; the good one beside it is taken.
    let mut bad = cables(b, 2, "bad-sale-0000001", 1, "299.00");
    bad["lines"][0]["price"] = json!("-1");
    let mut future = cables(b, 3, "future-sale-0001", 1, "299.00");
    future["made_at"] = json!((chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339());
    let a = sync(
        &t.agent,
        vec![bad, cables(b, 1, "good-sale-000001", 1, "299.00"), future],
    )
    .await;
    assert_eq!(statuses(&a), ["refused", "accepted", "exception"]);
    assert!(a[2]["reason"].as_str().unwrap().contains("clock"));
    assert_eq!(count_orders(&t.app), before + 1);

    // Blocks: a secret that is not one, no key, and a seller without an open shift.
    for body in [
        json!({"idempotency_key": "block-key-0008", "secret": "short"}),
        json!({"idempotency_key": "block-key-0008", "secret": "zz".repeat(16)}),
        json!({"secret": SECRET}),
    ] {
        t.agent
            .post_json("/pos/offline/block", &body)
            .await
            .expect(422);
    }
    // The same key with another secret is not the same request.
    t.agent
        .post_json(
            "/pos/offline/block",
            &json!({"idempotency_key": "block-key-0007", "secret": "e".repeat(32)}),
        )
        .await
        .expect(409);
    let credit = t.app.signed_in("credit").await;
    credit
        .post_json(
            "/pos/offline/block",
            &json!({"idempotency_key": "block-key-0009", "secret": SECRET}),
        )
        .await
        .expect(403);
}

#[actix_web::test]
async fn the_offline_limits_are_shop_settings_the_till_receives() {
    let t = till().await;
    let m = t.app.signed_in("manager").await;
    let form = |minutes: &'static str, amount: &'static str| {
        vec![
            ("vat_rate", "12"),
            ("prices_include_vat", "on"),
            ("installment_terms", "3, 6, 12"),
            ("installment_rate", "3"),
            ("replacement_days", "7"),
            ("repair_days", "30"),
            ("repair_cost", "500"),
            ("offline_minutes", minutes),
            ("offline_amount", amount),
        ]
    };
    let before = t.app.audit_count();
    m.post("/settings/retail", &form("an hour", "1000"))
        .await
        .expect(422)
        .expect_field_error("offline_minutes", "whole minutes");
    m.post("/settings/retail", &form("60", "-5"))
        .await
        .expect(422)
        .expect_field_error("offline_amount", "amount");
    assert_eq!(t.app.audit_count(), before);
    m.post("/settings/retail", &form("60", "12,500.50"))
        .await
        .expect(303);
    m.get("/settings/retail")
        .await
        .expect(200)
        .expect_text("value=\"12500.50\"");
    let r = t
        .agent
        .post_json(
            "/pos/offline/block",
            &json!({"idempotency_key": "block-key-0010", "secret": SECRET}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        r.json()["limits"],
        json!({"minutes": 60, "amount_minor": 1_250_050})
    );
    assert_eq!(r.json()["size"], 500);
}
