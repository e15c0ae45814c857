use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::db::write_tx;
use tillpoint::platform::schema::{
    commissions, customers, employees, official_receipts, order_items, orders, payments,
    product_serials, products,
};
use tillpoint::retail::pos::cart::{self, CheckoutRequest};
use tillpoint::retail::pos::checkout::checkout;

use crate::helpers::*;

struct Shop {
    app: TestApp,
    cable: i64,
    phone: i64,
}

const CABLE: &str = "4806512345671";
const PHONE: &str = "4806512345695";

async fn shop() -> Shop {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    app.receive(app.seed.main_branch, phone, 2, &["IMEI-1", "IMEI-2"]);
    Shop { app, cable, phone }
}

fn key(n: u32) -> String {
    format!("test-key-{n:08}")
}

/// (orders, payments, receipts, order items, audit rows)
fn written(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    let mut c = app.conn();
    (
        orders::table.count().get_result(&mut *c).unwrap(),
        payments::table.count().get_result(&mut *c).unwrap(),
        official_receipts::table
            .count()
            .get_result(&mut *c)
            .unwrap(),
        order_items::table.count().get_result(&mut *c).unwrap(),
        app.audit_count(),
    )
}

#[actix_web::test]
async fn scanning_answers_the_product_and_branch_stock() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let r = agent
        .get_with(
            &format!("/pos/scan?barcode={CABLE}"),
            &[("accept", "application/json")],
        )
        .await;
    r.expect(200);
    let j = r.json();
    assert_eq!(j["id"], s.cable);
    assert_eq!(j["barcode"], CABLE);
    assert_eq!(j["name"], "USB-C Cable");
    assert_eq!(j["price"], "299.00");
    assert_eq!(j["stock"], 10);
    assert_eq!(j["serial_tracked"], false);
    let r = agent.get(&format!("/pos/scan?barcode={PHONE}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["serials_in_stock"], json!(["IMEI-1", "IMEI-2"]));
    let r = agent.get("/pos/scan?barcode=0000000000000").await;
    r.expect(404);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("0000000000000"));
    agent.get("/pos/scan?barcode=").await.expect(400);
    diesel::update(products::table.find(s.cable))
        .set(products::is_active.eq(false))
        .execute(&mut *s.app.conn())
        .unwrap();
    agent
        .get(&format!("/pos/scan?barcode={CABLE}"))
        .await
        .expect(404);
    // Another branch's stock is its own.
    let cebu_agent = {
        let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
        insert_employee(
            &mut s.app.conn(),
            "cebuagent",
            tillpoint::platform::auth::Role::SalesAgent,
            Some(s.app.seed.cebu_branch),
            &hash,
        );
        s.app.signed_in("cebuagent").await
    };
    assert_eq!(
        cebu_agent
            .get(&format!("/pos/scan?barcode={PHONE}"))
            .await
            .json()["stock"],
        0
    );
}

#[actix_web::test]
async fn search_finds_by_name_prefix_barcode_or_sku_twenty_at_a_time() {
    let s = shop().await;
    {
        let mut c = s.app.conn();
        for i in 0..30 {
            insert_product(
                &mut c,
                &format!("Screen Protector {i:02}"),
                &format!("SP{i:04}"),
                19_900,
                false,
            );
        }
    }
    let agent = s.app.signed_in("agent").await;
    let hits = agent.get("/pos/search?q=screen").await.json();
    assert_eq!(hits.as_array().unwrap().len(), 20);
    assert_eq!(hits[0]["name"], "Screen Protector 00");
    let page2 = agent.get("/pos/search?q=screen&page=2").await.json();
    assert_eq!(page2.as_array().unwrap().len(), 10);
    let hits = agent.get("/pos/search?q=IPH").await.json();
    assert_eq!(hits[0]["name"], "iPhone 15");
    assert_eq!(hits[0]["stock"], 2);
    assert_eq!(
        agent.get(&format!("/pos/search?q={CABLE}")).await.json()[0]["name"],
        "USB-C Cable"
    );
    // Words anywhere in the name, by prefix, any case; every word must match.
    assert_eq!(
        agent
            .get("/pos/search?q=protector")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        20,
        "a word anywhere in the name"
    );
    let hits = agent.get("/pos/search?q=PROT%2007").await.json();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["name"], "Screen Protector 07");
    let hits = agent.get("/pos/search?q=cable%20usb").await.json();
    assert_eq!(hits[0]["name"], "USB-C Cable");
    let hits = agent.get("/pos/search?q=c%20cab").await.json();
    assert_eq!(hits[0]["name"], "USB-C Cable", "hyphenated words split");
    // Barcodes by prefix too; punctuation is not query syntax.
    let hits = agent.get("/pos/search?q=48065123456").await.json();
    assert!(hits.as_array().unwrap().len() >= 2);
    let hits = agent.get("/pos/search?q=%22*)%20OR%20(NEAR%20screen").await;
    hits.expect(200);
    assert!(agent
        .get("/pos/search?q=%22*%22")
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    // SKUs whatever the case: exactly, or by a word of it (the index follows the update).
    diesel::update(products::table.find(s.cable))
        .set(products::sku.eq(Some("CBL-USBC-1M")))
        .execute(&mut *s.app.conn())
        .unwrap();
    let hits = agent.get("/pos/search?q=cbl-usbc-1m").await.json();
    assert_eq!(hits[0]["name"], "USB-C Cable");
    let hits = agent.get("/pos/search?q=usbc").await.json();
    assert_eq!(hits[0]["name"], "USB-C Cable");
    agent.get("/pos/search?q=").await.expect(400);
    // Letters and digits the full-text parsers split or drop answer a list, never an error.
    for q in [
        "a%C2%BDb",
        "x%C2%B2",
        "%E2%91%A0",
        "%EF%BD%81%EF%BD%82",
        "%C2%BD",
        "'%3A*%26!",
    ] {
        let r = agent.get(&format!("/pos/search?q={q}")).await;
        assert!(r.status == 200 || r.status == 400, "{q} → {}", r.status);
        if r.status == 200 {
            assert!(r.json().is_array(), "{q}");
        }
    }
}

#[actix_web::test]
async fn a_cash_sale_writes_everything_priced_by_the_server() {
    let s = shop().await;
    diesel::update(employees::table.find(s.app.id("agent")))
        .set(employees::commission_rate_bp.eq(500i64))
        .execute(&mut *s.app.conn())
        .unwrap();
    let agent = s.app.signed_in("agent").await;
    let body = json!({
        "idempotency_key": key(1),
        "lines": [
            {"barcode": CABLE, "quantity": 2, "price": "0.01", "unit_price": 1},
            {"barcode": PHONE, "quantity": 1, "serials": ["IMEI-2"]}
        ],
        "cash_received": "60000",
        "total": "1.00",
        "customer": {"name": "Ana Reyes", "phone": "+63 917 123 4567", "email": "ana@example.com", "address": "12 Mabini St, Quezon City"}
    });
    let r = agent.post_json("/pos/checkout/cash", &body).await;
    r.expect(201);
    let j = r.json();
    // 2 × 299.00 + 54,990.00 = 55,588.00; VAT inside at 12 %: 5,955.857… → 5,955.86
    assert_eq!(j["total"], "55588.00");
    assert_eq!(j["vat"], "5955.86");
    assert_eq!(j["change"], "4412.00");
    assert_eq!(j["receipt_number"], "MNL-000001");
    let order_id = j["order_id"].as_i64().unwrap();
    assert_eq!(j["receipt_url"], format!("/sales/{order_id}/receipt"));
    let mut c = s.app.conn();
    assert_eq!(stock_of(&mut c, s.app.seed.main_branch, s.cable), 8);
    assert_eq!(stock_of(&mut c, s.app.seed.main_branch, s.phone), 1);
    let items: Vec<(i64, i64, i64, i64)> = order_items::table
        .order(order_items::id.asc())
        .select((
            order_items::quantity,
            order_items::unit_price_minor,
            order_items::cost_price_minor,
            order_items::line_total_minor,
        ))
        .load(&mut *c)
        .unwrap();
    assert_eq!(
        items,
        [
            (2, 29_900, 23_920, 59_800),
            (1, 5_499_000, 4_399_200, 5_499_000)
        ]
    );
    let sold: (String, Option<i64>) = product_serials::table
        .filter(product_serials::serial.eq("IMEI-2"))
        .select((product_serials::status, product_serials::order_item_id))
        .first(&mut *c)
        .unwrap();
    assert_eq!(sold.0, "sold");
    assert!(sold.1.is_some());
    let pay: (i64, Option<i64>, Option<i64>) = payments::table
        .select((
            payments::amount_minor,
            payments::cash_received_minor,
            payments::change_minor,
        ))
        .first(&mut *c)
        .unwrap();
    assert_eq!(pay, (5_558_800, Some(6_000_000), Some(441_200)));
    let commission: i64 = commissions::table
        .select(commissions::amount_minor)
        .first(&mut *c)
        .unwrap();
    assert_eq!(commission, 277_940); // 5 % of 55,588.00
    let totals: (i64, i64) = employees::table
        .find(s.app.id("agent"))
        .select((
            employees::total_sales_minor,
            employees::total_commission_minor,
        ))
        .first(&mut *c)
        .unwrap();
    assert_eq!(totals, (5_558_800, 277_940));
    let customer: String = customers::table
        .select(customers::name)
        .first(&mut *c)
        .unwrap();
    assert_eq!(customer, "Ana Reyes");
    drop(c);
    let row = s
        .app
        .audit_rows()
        .into_iter()
        .find(|r| r.1 == "order")
        .unwrap();
    assert!(row.4.contains("MNL-000001") && row.4.contains("2 × USB-C Cable"));

    // The same customer, typed differently, is found again rather than duplicated.
    let again = json!({"idempotency_key": key(2), "lines": [{"barcode": CABLE}], "cash_received": "299", "customer": {"name": "A. Reyes", "phone": "0917-123-4567", "email": ""}});
    let r = agent.post_json("/pos/checkout/cash", &again).await;
    r.expect(201);
    assert_eq!(r.json()["receipt_number"], "MNL-000002");
    assert_eq!(r.json()["change"], "0.00");
    let n: i64 = customers::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 1);
    let found = agent.get("/pos/customers?phone=09171234567").await;
    found.expect(200);
    assert_eq!(found.json()["name"], "Ana Reyes");
    assert_eq!(found.json()["address"], "12 Mabini St, Quezon City");
    agent
        .get("/pos/customers?phone=0999999999")
        .await
        .expect(404);
}

#[actix_web::test]
async fn refusals_write_nothing_and_say_why() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let before = written(&s.app);
    let cases: Vec<(serde_json::Value, u16, &str)> = vec![
        (
            json!({"idempotency_key": key(1), "lines": [], "cash_received": "100"}),
            422,
            "cart is empty",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": "nope"}], "cash_received": "100"}),
            422,
            "No product has barcode nope",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": 0}], "cash_received": "1000"}),
            422,
            "at least 1",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": -3}], "cash_received": "1000"}),
            422,
            "at least 1",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": 1.5}], "cash_received": "1000"}),
            422,
            "whole number",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": 11}], "cash_received": "99999"}),
            409,
            "Only 10 × USB-C Cable left at Main Branch",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": PHONE}], "cash_received": "99999"}),
            422,
            "one serial number per unit",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": PHONE, "serials": ["FAKE-9"]}], "cash_received": "99999"}),
            409,
            "Serial FAKE-9",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "serials": ["X"]}], "cash_received": "999"}),
            422,
            "not serial-tracked",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": 2}], "cash_received": "500.00"}),
            422,
            "less than the total (598.00)",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE}], "cash_received": "-1"}),
            422,
            "negative",
        ),
        (
            json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE}]}),
            422,
            "Cash received is missing",
        ),
        (
            json!({"lines": [{"barcode": CABLE}], "cash_received": "999"}),
            422,
            "idempotency_key",
        ),
        (json!([1, 2, 3]), 422, "idempotency_key"),
        (json!("just text"), 400, "not valid JSON for this endpoint"),
    ];
    for (body, status, message) in cases {
        let r = agent.post_json("/pos/checkout/cash", &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let error = r.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(error.contains(message), "{body}: {error}");
    }
    let r = agent
        .post_body(
            "/pos/checkout/cash",
            "application/json",
            b"{not json".to_vec(),
            &[("x-csrf-token", &agent.token().await)],
        )
        .await;
    r.expect(400);
    assert!(r.json()["error"].is_string());
    // An archived product cannot be sold even if its barcode is still in the cart.
    diesel::update(products::table.find(s.cable))
        .set(products::is_active.eq(false))
        .execute(&mut *s.app.conn())
        .unwrap();
    let r = agent.post_json("/pos/checkout/cash", &json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE}], "cash_received": "999"})).await;
    r.expect(422);
    assert!(r.json()["error"].as_str().unwrap().contains("archived"));
    assert_eq!(written(&s.app), before);
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        2
    );
}

#[actix_web::test]
async fn a_repeated_request_returns_the_first_sale() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let body = json!({"idempotency_key": key(7), "lines": [{"barcode": CABLE, "quantity": 3}], "cash_received": "1000"});
    let first = agent.post_json("/pos/checkout/cash", &body).await;
    first.expect(201);
    let after_first = written(&s.app);
    let second = agent.post_json("/pos/checkout/cash", &body).await;
    second.expect(201);
    assert_eq!(first.json(), second.json());
    assert_eq!(written(&s.app), after_first);
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.cable),
        7
    );
}

#[actix_web::test]
async fn receipt_numbers_stay_gap_free_when_a_checkout_fails() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let ok = |n| json!({"idempotency_key": key(n), "lines": [{"barcode": CABLE}], "cash_received": "299"});
    assert_eq!(
        agent.post_json("/pos/checkout/cash", &ok(1)).await.json()["receipt_number"],
        "MNL-000001"
    );
    let fails = json!({"idempotency_key": key(2), "lines": [{"barcode": CABLE}, {"barcode": PHONE, "serials": ["GONE"]}], "cash_received": "99999"});
    agent
        .post_json("/pos/checkout/cash", &fails)
        .await
        .expect(409);
    assert_eq!(
        agent.post_json("/pos/checkout/cash", &ok(3)).await.json()["receipt_number"],
        "MNL-000002"
    );
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.cable),
        8
    );
}

#[actix_web::test]
async fn the_receipt_prints_with_vat_and_a_qr_code_and_stays_in_its_branch() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let r = agent
        .post_json("/pos/checkout/cash", &json!({"idempotency_key": key(1), "lines": [{"barcode": PHONE, "serials": ["IMEI-1"]}], "cash_received": "55000"}))
        .await;
    let url = r.json()["receipt_url"].as_str().unwrap().to_string();
    let order_id = r.json()["order_id"].as_i64().unwrap();
    let page = agent.get(&url).await;
    page.expect(200)
        .expect_text("OR No. MNL-000001")
        .expect_text("iPhone 15")
        .expect_text("S/N IMEI-1")
        .expect_text("54,990.00")
        .expect_text("VATable sales")
        .expect_text("5,891.79") // 54,990 × 12 / 112 = 5,891.785… → 5,891.79
        .expect_text("Walk-in")
        .expect_text("<svg");
    page.expect_absent("REPRINT");
    agent
        .post(&format!("/sales/{order_id}/receipt/printed"), &[])
        .await
        .expect(204);
    agent.get(&url).await.expect_text("REPRINT");
    agent
        .post(&format!("/sales/{order_id}/receipt/printed"), &[])
        .await
        .expect(204);
    let prints: Vec<String> = s
        .app
        .audit_rows()
        .into_iter()
        .filter(|r| r.0 == "PRINT")
        .map(|r| r.4)
        .collect();
    assert_eq!(prints.len(), 2, "every printed copy is in the audit trail");
    assert!(
        prints[0].contains("reprint, copy 2") && prints[1].contains("original"),
        "{prints:?}"
    );
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut s.app.conn(),
        "cebuagent",
        tillpoint::platform::auth::Role::SalesAgent,
        Some(s.app.seed.cebu_branch),
        &hash,
    );
    s.app
        .signed_in("cebuagent")
        .await
        .get(&url)
        .await
        .expect(404);
    s.app.signed_in("manager").await.get(&url).await.expect(200);
    agent.get("/sales/999999/receipt").await.expect(404);
}

#[actix_web::test]
async fn the_terminal_page_is_the_agents_home() {
    let s = shop().await;
    let c = s.app.client();
    let r = c.login("agent", PASSWORD).await;
    assert_eq!(r.location(), "/pos");
    c.get("/pos")
        .await
        .expect(200)
        .expect_text("POS terminal · Main Branch")
        .expect_text("id=\"scan\"")
        .expect_text("/static/js/pos.js");
    // A manager without a branch sees why they cannot sell, and checkout refuses.
    let m = s.app.signed_in("manager").await;
    diesel::update(employees::table.find(s.app.id("manager")))
        .set(employees::branch_id.eq(None::<i64>))
        .execute(&mut *s.app.conn())
        .unwrap();
    m.get("/pos").await.expect_text("not assigned to a branch");
    m.post_json(
        "/pos/checkout/cash",
        &json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE}], "cash_received": "299"}),
    )
    .await
    .expect(403);
}

#[::core::prelude::v1::test]
fn sixteen_tills_racing_for_the_last_five_units() {
    let (db, _, _, _cleanup) = fresh_db();
    let seed = seed(&mut db.pool().get().unwrap());
    let product = insert_product(
        &mut db.pool().get().unwrap(),
        "Last Units",
        "4806512345732",
        10_000,
        false,
    );
    receive(&db, &seed, product, 5);
    let barrier = Arc::new(Barrier::new(16));
    let agent = seed.ids["agent"];
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let req: CheckoutRequest = serde_json::from_value(json!({
                    "idempotency_key": format!("race-key-{i:04}"),
                    "lines": [{"barcode": "4806512345732", "quantity": 1}],
                    "cash_received": "100.00"
                }))
                .unwrap();
                let cart = cart::parse(&req).unwrap();
                barrier.wait();
                let mut conn = db.pool().get().unwrap();
                let actor = Actor {
                    employee_id: Some(agent),
                    ip: None,
                };
                write_tx(&mut conn, |c| {
                    checkout(c, &actor, &cart, chrono::Utc::now().date_naive())
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(
        ok.len(),
        5,
        "exactly five sales: {:?}",
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            e.to_string().contains("out of stock") || e.to_string().contains("left at"),
            "{e}"
        );
    }
    let mut c = db.pool().get().unwrap();
    assert_eq!(stock_of(&mut c, seed.main_branch, product), 0);
    let counts: (i64, i64, i64) = (
        orders::table.count().get_result(&mut *c).unwrap(),
        payments::table.count().get_result(&mut *c).unwrap(),
        official_receipts::table
            .count()
            .get_result(&mut *c)
            .unwrap(),
    );
    assert_eq!(
        counts,
        (5, 5, 5),
        "no order without its payment and receipt"
    );
    let mut numbers: Vec<i64> = official_receipts::table
        .select(official_receipts::number)
        .load(&mut *c)
        .unwrap();
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4, 5], "receipt numbers are contiguous");
}

/// Sales that reach the database together share one commit on SQLite (group commit), each in
/// its own savepoint: a refused sale in a batch undoes only itself, a repeated key in the same
/// batch finds the first one's order, and every answered sale is there afterwards.
#[::core::prelude::v1::test]
fn sales_committed_together_keep_their_own_outcomes() {
    let (db, _, _, _cleanup) = fresh_db();
    let seed = seed(&mut db.pool().get().unwrap());
    let product = insert_product(
        &mut db.pool().get().unwrap(),
        "Batch Units",
        "4806512345749",
        10_000,
        false,
    );
    receive(&db, &seed, product, 6);
    // 24 tills at once: four send one key (a double click and retries), twenty send their own;
    // six units, so five of the twenty and the shared key's one sale get them.
    let tills = 24;
    let barrier = Arc::new(Barrier::new(tills));
    let agent = seed.ids["agent"];
    let handles: Vec<_> = (0..tills)
        .map(|i| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let key = if i < 4 {
                    "batch-shared-key".to_string()
                } else {
                    format!("batch-key-{i:04}")
                };
                let req: CheckoutRequest = serde_json::from_value(json!({
                    "idempotency_key": key,
                    "lines": [{"barcode": "4806512345749", "quantity": 1}],
                    "cash_received": "100.00"
                }))
                .unwrap();
                let cart = cart::parse(&req).unwrap();
                let actor = Actor {
                    employee_id: Some(agent),
                    ip: None,
                };
                barrier.wait();
                actix_web::rt::System::new()
                    .block_on(db.write(move |c| {
                        checkout(c, &actor, &cart, chrono::Utc::now().date_naive())
                    }))
                    .map(|done| (i, done.order_id))
                    .map_err(|e| e.to_string())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let shared: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|(i, _)| *i < 4)
        .map(|(_, order)| *order)
        .collect();
    let refused: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for e in &refused {
        assert!(e.contains("out of stock") || e.contains("left at"), "{e}");
    }
    let mut answered: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|(_, order)| *order)
        .collect();
    answered.sort();
    answered.dedup();
    assert_eq!(answered.len(), 6, "six sales for six units: {results:?}");
    if !shared.is_empty() {
        assert!(
            shared.iter().all(|o| *o == shared[0]),
            "one key, one order: {shared:?}"
        );
    }
    let mut c = db.pool().get().unwrap();
    assert_eq!(stock_of(&mut c, seed.main_branch, product), 0);
    let mut stored: Vec<i64> = orders::table.select(orders::id).load(&mut *c).unwrap();
    stored.sort();
    assert_eq!(
        stored, answered,
        "every answered sale is stored, and only those"
    );
    let counts: (i64, i64) = (
        payments::table.count().get_result(&mut *c).unwrap(),
        official_receipts::table
            .count()
            .get_result(&mut *c)
            .unwrap(),
    );
    assert_eq!(counts, (6, 6), "no order without its payment and receipt");
}

#[actix_web::test]
async fn vat_settings_apply_to_new_sales_only() {
    let s = shop().await;
    let m = s.app.signed_in("manager").await;
    m.get("/settings/retail")
        .await
        .expect(200)
        .expect_text("value=\"12\"")
        .expect_text("checked");
    let before = s.app.audit_count();
    for (rate, msg) in [
        ("-1", "between 0 and 50"),
        ("75", "between 0 and 50"),
        ("12.345", "two decimals"),
        ("lots", "percentage"),
    ] {
        m.post(
            "/settings/retail",
            &[("vat_rate", rate), ("prices_include_vat", "on")],
        )
        .await
        .expect(422)
        .expect_text(msg);
    }
    assert_eq!(s.app.audit_count(), before);
    let agent = s.app.signed_in("agent").await;
    let r = agent.post_json("/pos/checkout/cash", &json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE}], "cash_received": "299"})).await;
    assert_eq!(r.json()["vat"], "32.04"); // 299 × 12 / 112
                                          // VAT on top of the shelf price at 10 %.
    m.post(
        "/settings/retail",
        &[
            ("vat_rate", "10"),
            ("installment_terms", "3, 6, 12"),
            ("installment_rate", "3"),
            ("replacement_days", "7"),
            ("repair_days", "30"),
            ("repair_cost", "1500"),
        ],
    )
    .await
    .expect(303);
    let row = &s.app.audit_rows()[0];
    assert_eq!(row.1, "setting");
    let r = agent.post_json("/pos/checkout/cash", &json!({"idempotency_key": key(2), "lines": [{"barcode": CABLE}], "cash_received": "328.90"})).await;
    r.expect(201);
    assert_eq!(
        (
            r.json()["total"].as_str().unwrap(),
            r.json()["vat"].as_str().unwrap()
        ),
        ("328.90", "29.90")
    );
    // The first receipt keeps its own rate.
    let first = agent.get("/sales/1/receipt").await;
    first.expect_text("VAT 12%").expect_text("32.04");
}

#[actix_web::test]
async fn a_managers_commission_rate_drives_the_agents_earnings() {
    let s = shop().await;
    let m = s.app.signed_in("manager").await;
    let id = s.app.id("agent");
    let main = s.app.seed.main_branch.to_string();
    let today = chrono::Utc::now().naive_utc().date().to_string();
    let fields = |rate: &'static str| {
        vec![
            ("name", "Agent Person".to_string()),
            ("username", "agent".into()),
            ("role", "sales_agent".into()),
            ("branch_id", main.clone()),
            ("hire_date", today.clone()),
            ("commission_rate", rate.to_string()),
        ]
    };
    let refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, x)| (*k, x.clone())).collect::<Vec<_>>()
    };
    let bad = refs(&fields("150"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    m.post(&format!("/employees/{id}"), &bad)
        .await
        .expect(422)
        .expect_text("between 0 and 100");
    let good = refs(&fields("2.5"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    m.post(&format!("/employees/{id}"), &good).await.expect(303);
    let agent = s.app.signed_in("agent").await;
    agent.post_json("/pos/checkout/cash", &json!({"idempotency_key": key(1), "lines": [{"barcode": CABLE, "quantity": 2}], "cash_received": "598"})).await.expect(201);
    let earned: i64 = commissions::table
        .select(commissions::amount_minor)
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(earned, 1_495); // 2.5 % of 598.00 = 14.95
    m.get(&format!("/employees/{id}"))
        .await
        .expect_text("2.5 %")
        .expect_text("598.00")
        .expect_text("14.95");
}

#[actix_web::test]
async fn the_tills_lookups_refuse_malformed_queries() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    for url in [
        "/pos/customers?phone=".to_string(),
        "/pos/customers?phone=abc".to_string(),
        format!("/pos/customers?phone={}", "9".repeat(50)),
        format!("/pos/search?q={}", "a".repeat(101)),
        "/pos/search?q=usb&page=0".to_string(),
        "/pos/search?q=usb&page=-1".to_string(),
        format!("/pos/scan?barcode={}", "1".repeat(65)),
    ] {
        let r = agent.get(&url).await;
        assert_eq!(r.status, 400, "{url}: {}", r.body);
        assert!(r.json()["error"].is_string(), "{url}");
    }
    // Receipts of sales that do not exist, or of another branch, are not found; nothing is counted.
    let before = s.app.audit_count();
    agent
        .post("/sales/999999/receipt/printed", &[])
        .await
        .expect(404);
    assert_eq!(s.app.audit_count(), before);
}

#[actix_web::test]
async fn one_idempotency_key_racing_itself_makes_one_sale_and_another_cart_is_refused() {
    let s = shop().await;
    let app = s.app.clone();
    let agent = app.id("agent");
    let make = |qty: i64| {
        let req: CheckoutRequest = serde_json::from_value(json!({
            "idempotency_key": "same-key-racing-0001",
            "lines": [{"barcode": CABLE, "quantity": qty}],
            "cash_received": "1000.00"
        }))
        .unwrap();
        cart::parse(&req).unwrap()
    };
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (db, barrier, cart) = (app.db.clone(), barrier.clone(), make(2));
            std::thread::spawn(move || {
                barrier.wait();
                let mut conn = db.pool().get().unwrap();
                let actor = Actor {
                    employee_id: Some(agent),
                    ip: None,
                };
                write_tx(&mut conn, |c| {
                    checkout(c, &actor, &cart, chrono::Utc::now().date_naive())
                })
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| {
            h.join()
                .unwrap()
                .expect("every copy is answered with the sale")
        })
        .collect();
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "one sale: {results:?}"
    );
    assert_eq!(written(&app).0, 1);
    let mut c = app.conn();
    assert_eq!(stock_of(&mut c, app.seed.main_branch, s.cable), 8);
    drop(c);
    // The same key with another cart is a different sale reusing a key: 409, nothing written.
    let till = app.signed_in("agent").await;
    let before = written(&app);
    let r = till
        .post_json(
            "/pos/checkout/cash",
            &json!({
                "idempotency_key": "same-key-racing-0001",
                "lines": [{"barcode": CABLE, "quantity": 3}],
                "cash_received": "1000.00"
            }),
        )
        .await;
    r.expect(409);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("already used for another sale"));
    assert_eq!(written(&app), before);
    // The same request again is the first sale again.
    let r = till
        .post_json(
            "/pos/checkout/cash",
            &json!({
                "idempotency_key": "same-key-racing-0001",
                "lines": [{"barcode": CABLE, "quantity": 2}],
                "cash_received": "1000.00"
            }),
        )
        .await;
    r.expect(201);
    assert_eq!(r.json()["receipt_number"], "MNL-000001");
    assert_eq!(written(&app), before);
}

/// A failure after the receipt number was taken (forced here by a trigger on the receipts
/// table) rolls the number back with the sale: the next sale gets the same number, no gap.
#[actix_web::test]
async fn a_failure_after_the_receipt_number_is_taken_returns_the_number() {
    use diesel::connection::SimpleConnection;
    let s = shop().await;
    let app = s.app.clone();
    let (install, remove) = if is_postgres() {
        (
            "CREATE FUNCTION forced_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER forced BEFORE INSERT ON official_receipts FOR EACH ROW EXECUTE FUNCTION forced_failure();",
            "DROP TRIGGER forced ON official_receipts; DROP FUNCTION forced_failure();",
        )
    } else {
        (
            "CREATE TRIGGER forced BEFORE INSERT ON official_receipts BEGIN SELECT RAISE(ABORT, 'forced'); END;",
            "DROP TRIGGER forced;",
        )
    };
    let batch = |sql: &str| match &mut *app.conn() {
        tillpoint::platform::db::AnyConnection::Sqlite(c) => c.batch_execute(sql).unwrap(),
        tillpoint::platform::db::AnyConnection::Pg(c) => c.batch_execute(sql).unwrap(),
    };
    batch(install);
    let till = app.signed_in("agent").await;
    let sale = |key: &str| {
        json!({
            "idempotency_key": key,
            "lines": [{"barcode": CABLE, "quantity": 1}],
            "cash_received": "500.00"
        })
    };
    let before = written(&app);
    let r = till
        .post_json("/pos/checkout/cash", &sale("forced-fail-0001"))
        .await;
    r.expect(500);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("Nothing was saved"));
    assert_eq!(written(&app), before, "no order, payment or receipt");
    let mut c = app.conn();
    assert_eq!(stock_of(&mut c, app.seed.main_branch, s.cable), 10);
    let counter: Option<i64> = tillpoint::platform::schema::receipt_counters::table
        .select(tillpoint::platform::schema::receipt_counters::last_number)
        .first(&mut *c)
        .optional()
        .unwrap();
    assert_eq!(counter, None, "the number went back");
    drop(c);
    batch(remove);
    let r = till
        .post_json("/pos/checkout/cash", &sale("forced-fail-0002"))
        .await;
    r.expect(201);
    assert_eq!(r.json()["receipt_number"], "MNL-000001");
}

#[actix_web::test]
async fn vat_is_rounded_once_on_the_receipt() {
    let s = shop().await;
    let (a, b) = {
        let mut c = s.app.conn();
        (
            insert_product(&mut c, "Sticker A", "4806512345732", 5, false),
            insert_product(&mut c, "Sticker B", "4806512345749", 5, false),
        )
    };
    s.app.receive(s.app.seed.main_branch, a, 5, &[]);
    s.app.receive(s.app.seed.main_branch, b, 5, &[]);
    let agent = s.app.signed_in("agent").await;
    // 0.05 + 0.05 incl. 12 %: per line 0.536 centavo → 1 each (0.02); on the receipt's 0.10,
    // 1.07 → 0.01. And 0.42 (4.5 centavos exactly) → 0.05, half-up.
    let r = agent
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": key(71), "cash_received": "1",
                    "lines": [{"barcode": "4806512345732", "quantity": 1},
                              {"barcode": "4806512345749", "quantity": 1}]}),
        )
        .await;
    r.expect(201);
    assert_eq!(
        (r.json()["total"].clone(), r.json()["vat"].clone()),
        (json!("0.10"), json!("0.01"))
    );
    let half = insert_product(&mut s.app.conn(), "Sticker C", "4806512345756", 42, false);
    s.app.receive(s.app.seed.main_branch, half, 1, &[]);
    let r = agent
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": key(72), "cash_received": "1",
                    "lines": [{"barcode": "4806512345756", "quantity": 1}]}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.json()["vat"], json!("0.05"));
}

#[actix_web::test]
async fn copies_of_one_checkout_over_http_at_once_make_one_sale() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let body = json!({"idempotency_key": key(81), "cash_received": "1000",
                      "lines": [{"barcode": CABLE, "quantity": 1}]});
    let answers = futures_util::future::join_all(
        (0..6).map(|_| agent.post_json("/pos/checkout/cash", &body)),
    )
    .await;
    let orders: std::collections::HashSet<i64> = answers
        .iter()
        .map(|r| {
            assert!(r.status == 201 || r.status == 200, "{}", r.body);
            r.json()["order_id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(orders.len(), 1, "every copy answers the one sale");
    let (o, ..) = written(&s.app);
    assert_eq!(o, 1);
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.cable),
        9
    );
}

/// Carts holding the same two products in opposite orders: the stock rows are taken in
/// product order, so on PostgreSQL no sale is chosen as a deadlock victim and every one lands.
#[::core::prelude::v1::test]
fn carts_in_opposite_orders_all_sell() {
    let (db, _, _, _cleanup) = fresh_db();
    let seed = seed(&mut db.pool().get().unwrap());
    let codes = ["4806512345749", "4806512345756"];
    let products: Vec<i64> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            insert_product(
                &mut db.pool().get().unwrap(),
                &format!("Pair Item {i}"),
                code,
                10_000,
                false,
            )
        })
        .collect();
    for &product in &products {
        receive(&db, &seed, product, 1000);
    }
    let threads = 6;
    let rounds = 40;
    let barrier = Arc::new(Barrier::new(threads));
    // Two people selling (each shift row serialises its own sales, not the other's).
    let sellers = [seed.ids["agent"], seed.ids["manager"]];
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (0..rounds)
                    .map(|r| {
                        let (first, second) = if (t / 2 + r) % 2 == 0 {
                            (codes[0], codes[1])
                        } else {
                            (codes[1], codes[0])
                        };
                        let req: CheckoutRequest = serde_json::from_value(json!({
                            "idempotency_key": format!("pair-key-{t:02}-{r:02}"),
                            "lines": [
                                {"barcode": first, "quantity": 1},
                                {"barcode": second, "quantity": 1}
                            ],
                            "cash_received": "500.00"
                        }))
                        .unwrap();
                        let cart = cart::parse(&req).unwrap();
                        let mut conn = db.pool().get().unwrap();
                        let actor = Actor {
                            employee_id: Some(sellers[t % 2]),
                            ip: None,
                        };
                        write_tx(&mut conn, |c| {
                            checkout(c, &actor, &cart, chrono::Utc::now().date_naive())
                        })
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<Result<(), String>> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "every sale lands: {failed:?}");
    let mut c = db.pool().get().unwrap();
    for &product in &products {
        assert_eq!(
            stock_of(&mut c, seed.main_branch, product),
            1000 - (threads * rounds) as i64
        );
    }
    let count: i64 = orders::table.count().get_result(&mut *c).unwrap();
    assert_eq!(count, (threads * rounds) as i64);
}

/// A manager receives `quantity` units of `product` at the main branch.
fn receive(db: &tillpoint::platform::db::Db, seed: &Seed, product: i64, quantity: i64) {
    use tillpoint::retail::stock::rules::{Adjustment, AdjustmentKind};
    let actor = Actor {
        employee_id: Some(seed.ids["manager"]),
        ip: None,
    };
    let a = Adjustment {
        branch_id: seed.main_branch,
        kind: AdjustmentKind::Receive,
        quantity,
        reason: "Delivery".into(),
        serials: vec![],
    };
    write_tx(&mut db.pool().get().unwrap(), |c| {
        tillpoint::retail::stock::model::adjust(c, &actor, product, &a)
    })
    .unwrap();
}
