//! Tables, bills by table number and the kitchen through the API, against the HTML pages.

use super::*;
use tillpoint::platform::schema::{cafe_sales, kitchen_tickets};

fn count_sales(app: &TestApp) -> i64 {
    cafe_sales::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn count_tickets(app: &TestApp) -> i64 {
    kitchen_tickets::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn tables_are_read_by_staff_and_kept_by_managers() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let anon = Api::anonymous(&app);
    anon.get("/api/tables/").await.expect(401);
    let agent = Api::signed_in(&app, "agent").await;
    agent.get("/api/tables/").await.expect(403);
    let w = Api::signed_in(&app, "waiter").await;
    let r = w.get("/api/tables/").await;
    r.expect(200);
    let page = r.json();
    assert_eq!(page["count"], 4);
    let first = &page["results"][0];
    assert_eq!(first["number"], 1);
    assert!(first["qr_code_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/t/{}", cafe.token(1))));
    assert!(first["active_session_table_num"].is_null());
    assert_eq!(
        w.get("/api/tables/?ordering=-number").await.json()["results"][0]["number"],
        4
    );
    w.get("/api/tables/?ordering=token").await.expect(400);
    // Writes are the manager's.
    w.post("/api/tables/", json!({"number": 9}))
        .await
        .expect(403);
    let m = Api::signed_in(&app, "manager").await;
    let r = m
        .post(
            "/api/tables/",
            json!({"number": 9, "capacity": 2, "location": "Bar"}),
        )
        .await;
    r.expect(201);
    let id = r.json()["id"].as_i64().unwrap();
    // A taken number: the field says so; bad values too.
    let r = m.post("/api/tables/", json!({"number": 9})).await;
    assert!(r.status == 409 || r.status == 400, "{}", r.status);
    assert!(r.json()["number"].is_array(), "{}", r.body);
    for bad in [
        json!({"number": 0}),
        json!({"number": "x"}),
        json!({"number": 3, "status": "flying"}),
        json!({}),
    ] {
        let r = m.post("/api/tables/", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    let r = m
        .call(
            "PATCH",
            &format!("/api/tables/{id}/"),
            Some(json!({"capacity": 6})),
        )
        .await;
    r.expect(200);
    assert_eq!(
        (r.json()["capacity"].clone(), r.json()["number"].clone()),
        (json!(6), json!(9))
    );
    // The QR code: the real ordering address and a PNG that decodes to it.
    let r = m.get(&format!("/api/tables/{id}/qr_code/")).await;
    r.expect(200);
    let qr = r.json();
    assert_eq!(qr["table_number"], 9);
    let uri = qr["qr_data_uri"].as_str().unwrap();
    assert!(uri.starts_with("data:image/png;base64,iVBORw0KGgo"));
    assert!(qr["qr_url"].as_str().unwrap().contains("/t/"));
    w.get(&format!("/api/tables/{id}/qr_code/"))
        .await
        .expect(403);
    // DELETE archives.
    m.call("DELETE", &format!("/api/tables/{id}/"), None)
        .await
        .expect(204);
    m.get(&format!("/api/tables/{id}/")).await.expect(404);
    m.get("/api/tables/999999/").await.expect(404);
}

#[actix_web::test]
async fn a_table_orders_is_billed_and_closes_like_on_the_floor() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let w = Api::signed_in(&app, "waiter").await;
    // No bill yet.
    let r = w.get("/api/sessions/2/").await;
    r.expect(404);
    assert_eq!(detail(&r), "No active session for table 2.");
    let latte = cafe.item("Latte");
    let fries = cafe.item("Fries");
    let body = json!({"customer_name": "Ana", "special_instructions": "window",
                      "items": [{"id": latte, "qty": 2, "notes": "oat"}, {"id": fries}]});
    let before = count_tickets(&app);
    // Bad input: nothing written.
    for bad in [
        json!({"items": [{"id": latte, "qty": 0}]}),
        json!({"items": [{"id": latte, "qty": -1}]}),
        json!({"items": [{"id": latte, "qty": 51}]}),
        json!({"items": [{"id": "x"}]}),
        json!({"items": "latte"}),
        json!({"items": [{"id": 999999}]}),
        json!({"items": [{"id": cafe.item("Brownie")}]}),
        json!({"session_type": "spaceship", "items": [{"id": latte}]}),
        json!({"discount_code": "NOPE", "items": [{"id": latte}]}),
    ] {
        let r = w.post("/api/sessions/2/", bad.clone()).await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
        assert!(r.json().is_object(), "{bad}: {}", r.body);
    }
    assert_eq!(count_tickets(&app), before, "nothing ordered");
    w.get("/api/sessions/2/").await.expect(404);
    w.post("/api/sessions/99/", body.clone()).await.expect(404);
    // The first order opens the bill (201), the next adds (200); a retry with the same key
    // is the same order.
    let r =
        w.c.request(
            "POST",
            "/api/sessions/2/",
            &[
                (
                    "authorization",
                    &format!("Token {}", w.token.as_ref().unwrap()),
                ),
                ("content-type", "application/json"),
                ("idempotency-key", "order-1"),
            ],
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await;
    r.expect(201);
    let s = r.json();
    assert_eq!(s["table_num"], 2);
    assert_eq!(s["customer_name"], "Ana");
    assert_eq!(s["items"].as_array().unwrap().len(), 2);
    assert_eq!(s["items"][0]["id"], latte);
    assert_eq!(s["items"][0]["qty"], 2);
    assert_eq!(s["subtotal"], 480);
    let mut again = body.clone();
    again["order_key"] = json!("order-1");
    let r = w.post("/api/sessions/2/", again).await;
    r.expect(200);
    assert_eq!(
        r.json()["items"].as_array().unwrap().len(),
        2,
        "one order, not two"
    );
    assert_eq!(count_tickets(&app), before + 1);
    let r = w
        .post(
            "/api/sessions/2/",
            json!({"items": [{"id": fries, "qty": 1}]}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["subtotal"], 600);
    // The list, the table's session, the bill.
    let list = w.get("/api/sessions/").await.json();
    assert_eq!(list["count"], 1);
    let table2 = w.get("/api/tables/").await.json()["results"][1].clone();
    assert_eq!(table2["active_session_table_num"], 2);
    let id2 = table2["id"].as_i64().unwrap();
    w.get(&format!("/api/tables/{id2}/session/"))
        .await
        .expect(200);
    let bill = w.get("/api/sessions/2/generate_bill/").await;
    bill.expect(200);
    let bill = bill.json();
    assert_eq!(bill["subtotal"], 600);
    let total = bill["total"].as_f64().unwrap();
    // The printed bill says the same total.
    let session_id = list["results"][0]["id"].as_i64().unwrap();
    let page = app.signed_in("waiter").await;
    let printed = page
        .get(&format!("/floor/sessions/{session_id}/bill"))
        .await;
    printed.expect(200);
    let shown = tillpoint::platform::money::Money((total * 100.0).round() as i64).grouped();
    printed.expect_text(&shown);
    // Printed: guests can no longer order; marking twice is fine.
    w.post("/api/sessions/2/mark_bill_printed/", json!({}))
        .await
        .expect(200);
    w.post("/api/sessions/2/mark_bill_printed/", json!({}))
        .await
        .expect(200);
    assert_eq!(w.get("/api/sessions/2/").await.json()["bill_printed"], true);
    // Close: a bad method is refused; then one sale, and a second close finds nothing.
    let r = w
        .post("/api/sessions/2/close/", json!({"payment_method": "gold"}))
        .await;
    r.expect(400);
    assert_eq!(count_sales(&app), 0);
    let r = w
        .post("/api/sessions/2/close/", json!({"payment_method": "card"}))
        .await;
    r.expect(200);
    assert_eq!(detail(&r), "Table 2 session closed.");
    assert_eq!(r.json()["total"].as_f64().unwrap(), total);
    let (sale_total, method): (i64, String) = cafe_sales::table
        .select((cafe_sales::total_minor, cafe_sales::payment_method))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(sale_total as f64 / 100.0, total);
    assert_eq!(method, "card");
    w.post("/api/sessions/2/close/", json!({}))
        .await
        .expect(404);
    assert_eq!(count_sales(&app), 1);
    // Kitchen and agents have no business with bills.
    let k = Api::signed_in(&app, "kitchen").await;
    k.get("/api/sessions/").await.expect(403);
}

#[actix_web::test]
async fn the_kitchen_moves_tickets_as_on_its_display() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let w = Api::signed_in(&app, "waiter").await;
    for t in 1..=3 {
        w.post(
            &format!("/api/sessions/{t}/"),
            json!({"items": [{"id": cafe.item("Latte")}], "special_instructions": format!("t{t}")}),
        )
        .await
        .expect(201);
    }
    w.get("/api/kitchen/").await.expect(403);
    let k = Api::signed_in(&app, "kitchen").await;
    let list = k.get("/api/kitchen/").await;
    list.expect(200);
    let list = list.json();
    assert_eq!(list["count"], 3);
    let first = &list["results"][0];
    assert_eq!(first["status"], "pending");
    assert_eq!(first["table_num"], 1);
    assert_eq!(first["special_instructions"], "t1");
    assert_eq!(first["items"][0]["name"], "Latte");
    let ids: Vec<i64> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(k.get("/api/kitchen/?table_num=2").await.json()["count"], 1);
    k.get("/api/kitchen/?status=cooking").await.expect(400);
    k.get("/api/kitchen/?created_at__date=yesterday")
        .await
        .expect(400);
    let today = app.state.clock.today().to_string();
    assert_eq!(
        k.get(&format!("/api/kitchen/?created_at__date={today}"))
            .await
            .json()["count"],
        3
    );
    // One ticket: start, finish, recall.
    let path = format!("/api/kitchen/{}/status/", ids[0]);
    let r = k
        .call("PATCH", &path, Some(json!({"status": "preparing"})))
        .await;
    r.expect(200);
    assert_eq!(r.json()["status"], "preparing");
    let r = k
        .call("PATCH", &path, Some(json!({"status": "pending"})))
        .await;
    r.expect(409);
    let r = k
        .call("PATCH", &path, Some(json!({"status": "done"})))
        .await;
    r.expect(400);
    assert!(detail(&r).starts_with("Invalid status."));
    let r = k
        .call("PATCH", &path, Some(json!({"status": "completed"})))
        .await;
    assert_eq!(r.json()["status"], "completed");
    assert!(r.json()["completed_at"].is_string());
    let r = k
        .call("PATCH", &path, Some(json!({"status": "preparing"})))
        .await;
    assert_eq!(r.json()["status"], "preparing", "recalled");
    // Bulk: unknown ids count nothing; bad bodies are refused.
    let r = k
        .post(
            "/api/kitchen/bulk_update/",
            json!({"ids": [ids[1], ids[2], 999999], "status": "completed"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["updated"], 2);
    for bad in [
        json!({"ids": [], "status": "completed"}),
        json!({"status": "completed"}),
        json!({"ids": "1,2", "status": "completed"}),
        json!({"ids": [1], "status": "cooking"}),
    ] {
        assert_eq!(
            k.post("/api/kitchen/bulk_update/", bad.clone())
                .await
                .status,
            400,
            "{bad}"
        );
    }
    // The kitchen display shows what the API did.
    let page = app.signed_in("kitchen").await;
    page.get("/kitchen/tickets").await.expect(200);
    // Tickets are made by orders only.
    let r = k.post("/api/kitchen/", json!({})).await;
    r.expect(405);
    detail(&r);
    k.get("/api/kitchen/999999/").await.expect(404);
}

#[actix_web::test]
async fn a_bill_paid_in_parts_and_a_line_refunded_through_the_api() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    app.open_shift("waiter");
    let w = Api::signed_in(&app, "waiter").await;
    let latte = cafe.item("Latte");
    let fries = cafe.item("Fries");
    w.post(
        "/api/sessions/2/",
        json!({"items": [{"id": latte, "qty": 2}, {"id": fries}]}),
    )
    .await
    .expect(201);
    // 480.00 + 5 % = 504.00. Tenders that do not pay it, or pay it wrongly, close nothing.
    for bad in [
        json!({"tenders": []}),
        json!({"tenders": [{"method": "card", "amount": 600}]}),
        json!({"tenders": [{"method": "card", "amount": 100}, {"method": "cash", "amount": 100}]}),
        json!({"tenders": [{"method": "gold", "amount": 504}]}),
        json!({"tenders": [{"method": "cash", "amount": -504}]}),
        json!({"tenders": [{"method": "cash", "amount": 0}]}),
        json!({"tenders": "cash"}),
        json!({"payment_method": "card", "cash_received": 600}),
    ] {
        let r = w.post("/api/sessions/2/close/", bad.clone()).await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
    }
    assert_eq!(count_sales(&app), 0);
    let r = w
        .post(
            "/api/sessions/2/close/",
            json!({"tenders": [{"method": "card", "amount": "250.00", "reference": "S-1"},
                               {"method": "cash", "amount": 300}]}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["change"], 46);
    assert_eq!(r.json()["paid_by"], "Cash 254.00 + Card 250.00");
    let sale = r.json()["sale_id"].as_i64().unwrap();

    // One latte back: 189.00, to the card.
    let path = format!("/api/cafe/sales/{sale}/refund/");
    for bad in [
        json!({}),
        json!({"lines": [{"line": 1, "quantity": 1}], "reason": "Cold"}),
        json!({"lines": [{"line": 0, "quantity": 1}], "reason": "Cold", "idempotency_key": "k-1"}),
        json!({"lines": [{"line": 1, "quantity": -1}], "reason": "Cold", "idempotency_key": "k-1"}),
        json!({"lines": [{"line": "one", "quantity": 1}], "reason": "Cold", "idempotency_key": "k-1"}),
        json!({"lines": [{"line": 1, "quantity": 1}], "reason": "", "idempotency_key": "k-1"}),
    ] {
        let r = w.post(&path, bad.clone()).await;
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
    }
    let body = json!({"lines": [{"line": 1, "quantity": 1}], "reason": "Cold coffee",
                      "idempotency_key": "api-cafe-1"});
    let r = w.post(&path, body.clone()).await;
    r.expect(201);
    let note = r.json();
    assert_eq!(note["total"], "189.00");
    assert_eq!(note["tax"], "9.00");
    assert_eq!(note["tenders"][0]["method"], "Card");
    assert_eq!(note["tenders"][0]["reference"], "S-1");
    let again = w.post(&path, body).await;
    again.expect(201);
    assert_eq!(
        again.json()["id"],
        note["id"],
        "the same key is the same refund"
    );
    w.get(&format!("/api/cafe/credit-notes/{}/", note["id"]))
        .await
        .expect(200);
    w.get("/api/cafe/credit-notes/999999/").await.expect(404);
    w.post(
        "/api/cafe/sales/999999/refund/",
        json!({"lines": [{"line": 1, "quantity": 1}], "reason": "Cold", "idempotency_key": "k-2"}),
    )
    .await
    .expect(404);
    let k = Api::signed_in(&app, "kitchen").await;
    k.post(&path, json!({})).await.expect(403);
}
