//! The shop through the API: catalogue, scan, stock, cash checkout with a key, sales with their
//! receipts, instalment payments and warranty claims — the same rules as the till.

use super::*;
use tillpoint::platform::schema::{installment_payments, order_items, orders};

const PHONE: &str = "4806512345695";

fn shop(app: &TestApp) -> (i64, i64) {
    let (cable, phone) = cable_and_phone(app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    app.receive(app.seed.main_branch, phone, 2, &["IMEI-1", "IMEI-2"]);
    (cable, phone)
}

fn count_orders(app: &TestApp) -> i64 {
    orders::table.count().get_result(&mut *app.conn()).unwrap()
}

#[actix_web::test]
async fn a_program_looks_up_sells_and_reads_back_the_receipt() {
    let app = TestApp::new().await;
    let (cable, _) = shop(&app);
    Api::anonymous(&app).get("/api/products/").await.expect(401);
    Api::signed_in(&app, "waiter")
        .await
        .get("/api/products/")
        .await
        .expect(403);
    let a = Api::signed_in(&app, "agent").await;
    let list = a.get("/api/products/").await.json();
    assert_eq!(list["count"], 2);
    assert_eq!(
        a.get("/api/products/?search=cable").await.json()["count"],
        1
    );
    let p = a.get(&format!("/api/products/{cable}/")).await.json();
    assert_eq!(p["price"], "299.00");
    let scan = a.get(&format!("/api/products/barcode/{PHONE}/")).await;
    scan.expect(200);
    let scan = scan.json();
    assert_eq!(scan["stock"], 2);
    assert_eq!(scan["serials_in_stock"], json!(["IMEI-1", "IMEI-2"]));
    a.get("/api/products/barcode/0000/").await.expect(404);
    let stock = a.get("/api/stock/?search=iphone").await.json();
    assert_eq!(stock["results"][0]["quantity"], 2);
    a.get("/api/stock/?status=plenty").await.expect(400);
    // Bad carts write nothing.
    let before = count_orders(&app);
    for bad in [
        json!({"idempotency_key": "api-sale-0001", "lines": [], "cash_received": "500"}),
        json!({"idempotency_key": "api-sale-0001", "lines": [{"barcode": TEST_CABLE, "quantity": -1}], "cash_received": "500"}),
        json!({"idempotency_key": "api-sale-0001", "lines": [{"barcode": TEST_CABLE, "quantity": 1}], "cash_received": "1"}),
        json!({"lines": [{"barcode": TEST_CABLE, "quantity": 1}], "cash_received": "500"}),
        json!({"idempotency_key": "api-sale-0001", "lines": "cable", "cash_received": "500"}),
    ] {
        let r = a.post("/api/checkout/cash/", bad.clone()).await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
        detail(&r);
    }
    let r = a
        .post(
            "/api/checkout/cash/",
            json!({"idempotency_key": "api-sale-0002",
              "lines": [{"barcode": PHONE, "quantity": 1, "serials": ["IMEI-9"]}],
              "cash_received": "100000"}),
        )
        .await;
    assert!(
        (400..500).contains(&r.status),
        "a serial not in stock: {}",
        r.body
    );
    assert_eq!(count_orders(&app), before);
    // One sale per key, however often it is sent.
    let cart = json!({"idempotency_key": "api-sale-0003",
                      "lines": [{"barcode": TEST_CABLE, "quantity": 2}], "cash_received": "1000"});
    let r = a.post("/api/checkout/cash/", cart.clone()).await;
    r.expect(201);
    let sold = r.json();
    assert_eq!(sold["total"], "598.00");
    assert_eq!(sold["change"], "402.00");
    a.post("/api/checkout/cash/", cart).await.expect(201);
    assert_eq!(count_orders(&app), before + 1);
    let id = sold["order_id"].as_i64().unwrap();
    // The sale as the API and the receipt page show it.
    let o = a.get(&format!("/api/orders/{id}/")).await;
    o.expect(200);
    let o = o.json();
    assert_eq!(o["total"], "598.00");
    assert_eq!(o["lines"][0]["quantity"], 2);
    assert_eq!(o["receipt"]["receipt_number"], sold["receipt_number"]);
    let page = app.signed_in("agent").await;
    page.get(&format!("/sales/{id}/receipt"))
        .await
        .expect(200)
        .expect_text(sold["receipt_number"].as_str().unwrap())
        .expect_text("598.00");
    let list = a.get("/api/orders/").await.json();
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["receipt_number"], sold["receipt_number"]);
    a.get("/api/orders/?payment_method=gold").await.expect(400);
    a.get("/api/orders/999999/").await.expect(404);
    let _ = cable;
}

#[actix_web::test]
async fn payments_and_claims_follow_the_pages_rules() {
    let app = TestApp::new().await;
    shop(&app);
    let agent = app.signed_in("agent").await;
    let r = agent
        .post_json(
            "/pos/checkout/installment",
            &json!({"idempotency_key": "api-inst-0001",
                    "lines": [{"barcode": PHONE, "quantity": 1, "serials": ["IMEI-1"]}],
                    "term_months": 3, "down_payment": "0",
                    "customer": {"name": "Ana Reyes", "phone": "+63 917 123 4567", "email": "", "address": ""}}),
        )
        .await;
    r.expect(201);
    let plan = r.json()["plan_id"].as_i64().unwrap();
    let order = r.json()["order_id"].as_i64().unwrap();
    let c = Api::signed_in(&app, "credit").await;
    // Pending: no payment yet.
    let pay = json!({"amount": "1000.00", "method": "cash", "idempotency_key": "pay-1"});
    c.post(&format!("/api/installments/{plan}/payments/"), pay.clone())
        .await
        .expect(409);
    let m = app.signed_in("manager").await;
    m.post(&format!("/installments/{plan}/approve"), &[("note", "")])
        .await
        .expect(303);
    let a = Api::signed_in(&app, "agent").await;
    a.post(&format!("/api/installments/{plan}/payments/"), pay.clone())
        .await
        .expect(403);
    for bad in [
        json!({"amount": "-5", "method": "cash", "idempotency_key": "pay-x"}),
        json!({"amount": "5", "method": "gold", "idempotency_key": "pay-x"}),
        json!({"amount": "5", "method": "cash"}),
        json!({"amount": "99999999", "method": "cash", "idempotency_key": "pay-y"}),
    ] {
        let r = c
            .post(&format!("/api/installments/{plan}/payments/"), bad.clone())
            .await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
    }
    let r = c
        .post(&format!("/api/installments/{plan}/payments/"), pay.clone())
        .await;
    r.expect(201);
    assert!(!r.json()["receipt_number"].as_str().unwrap().is_empty());
    c.post(&format!("/api/installments/{plan}/payments/"), pay)
        .await
        .expect(201);
    let n: i64 = installment_payments::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 1, "one payment per key");
    let p = c.get(&format!("/api/installments/{plan}/")).await.json();
    assert_eq!(p["paid"], "1000.00");
    assert_eq!(p["dues"].as_array().unwrap().len(), 3);
    assert_eq!(p["payments"].as_array().unwrap().len(), 1);
    assert_eq!(a.get("/api/installments/").await.json()["count"], 1);
    c.get("/api/installments/?status=lost").await.expect(400);
    // A warranty claim on the phone.
    let item: i64 = order_items::table
        .filter(order_items::order_id.eq(order))
        .select(order_items::id)
        .first(&mut *app.conn())
        .unwrap();
    for bad in [
        json!({"claim_type": "repair", "issue": "x", "faulty_serial": "IMEI-1"}),
        json!({"order_item_id": item, "claim_type": "refund", "issue": "x", "faulty_serial": "IMEI-1"}),
        json!({"order_item_id": item, "claim_type": "repair", "issue": "", "faulty_serial": "IMEI-1"}),
        json!({"order_item_id": item, "claim_type": "repair", "issue": "Cracked", "faulty_serial": "IMEI-9"}),
    ] {
        let r = a.post("/api/warranty/", bad.clone()).await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
    }
    let r = a
        .post(
            "/api/warranty/",
            json!({"order_item_id": item, "claim_type": "repair",
               "issue": "Screen flickers", "faulty_serial": "IMEI-1"}),
        )
        .await;
    r.expect(201);
    let claim = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "pending");
    a.post(
        "/api/warranty/",
        json!({"order_item_id": item, "claim_type": "repair",
           "issue": "Again", "faulty_serial": "IMEI-1"}),
    )
    .await
    .expect(409);
    assert_eq!(a.get("/api/warranty/").await.json()["count"], 1);
    a.get(&format!("/api/warranty/{claim}/")).await.expect(200);
    a.get("/api/warranty/999999/").await.expect(404);
}
