//! Registers and shifts through the API: the same rules as the pages (counts, the note, one
//! open shift, the final close, whose drawer it is), in the contract's shapes.

use super::*;
use tillpoint::platform::auth::{password, Role};

#[actix_web::test]
async fn a_shift_opens_takes_cash_and_closes_through_the_api() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "ana",
        Role::SalesAgent,
        Some(app.seed.main_branch),
        &hash,
    );
    let ana = Api::signed_in(&app, "ana").await;

    // The registers of her branch; Till 3 is free.
    let r = ana.get("/api/registers/").await;
    r.expect(200);
    let regs = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(
        r.json()["count"],
        3,
        "the main branch's three tills: {}",
        r.body
    );
    let till = regs.iter().find(|t| t["name"] == "MNL Till 3").unwrap()["id"]
        .as_i64()
        .unwrap();

    // Bad counts and keys are field errors, and nothing opens.
    for (body, field) in [
        (
            json!({"register_id": till, "idempotency_key": "open-key-0001"}),
            "amount",
        ),
        (
            json!({"register_id": till, "amount": "-1", "idempotency_key": "open-key-0001"}),
            "detail",
        ),
        (
            json!({"register_id": till, "counts": [{"denomination": "3.00", "pieces": 1}], "idempotency_key": "open-key-0001"}),
            "counts",
        ),
        (
            json!({"register_id": till, "counts": [{"denomination": "1000.00", "pieces": -2}], "idempotency_key": "open-key-0001"}),
            "count",
        ),
        (
            json!({"register_id": till, "amount": "10"}),
            "idempotency_key",
        ),
        (
            json!({"amount": "10", "idempotency_key": "open-key-0001"}),
            "register_id",
        ),
    ] {
        let r = ana.post("/api/shifts/", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert!(!r.json()[field].is_null(), "{body} → {}", r.body);
    }
    let r = ana.post("/api/shifts/", json!("not an object")).await;
    assert_eq!(r.status, 400);

    // Open with 2 × 1000 and 4 × 0.25 = 2,001.00; the same key again is the same shift.
    let body = json!({"register_id": till, "counts": [{"denomination": "1000", "pieces": 2}, {"denomination": "0.25", "pieces": 4}], "idempotency_key": "open-key-0001"});
    let r = ana.post("/api/shifts/", body.clone()).await;
    r.expect(201);
    let shift = r.json();
    assert_eq!(
        (
            shift["status"].as_str(),
            shift["cash"]["opening_float"].as_str()
        ),
        (Some("open"), Some("2001.00"))
    );
    let id = shift["id"].as_i64().unwrap();
    let again = ana.post("/api/shifts/", body).await;
    again.expect(201);
    assert_eq!(again.json()["id"], id);
    // A second shift for her, or on a busy register, is a conflict.
    let r = ana
        .post(
            "/api/shifts/",
            json!({"register_id": till, "amount": "0", "idempotency_key": "open-key-0002"}),
        )
        .await;
    r.expect(409);

    // A cash sale through the API's checkout goes into the shift.
    let r = ana
        .post(
            "/api/checkout/cash/",
            json!({"idempotency_key": "api-shift-sale-1", "lines": [{"barcode": TEST_CABLE, "quantity": 1}], "cash_received": "500.00"}),
        )
        .await;
    r.expect(201);

    // Cash out: bad bodies, more than the drawer, then a real bank drop.
    let path = format!("/api/shifts/{id}/cash/");
    for body in [
        json!({"kind": "up", "amount": "5", "reason": "x", "idempotency_key": "cash-key-0001"}),
        json!({"kind": "out", "amount": "5", "reason": "", "idempotency_key": "cash-key-0001"}),
        json!({"kind": "out", "amount": "abc", "reason": "x", "idempotency_key": "cash-key-0001"}),
        json!({"kind": "out", "amount": "5", "reason": "x"}),
    ] {
        let r = ana.post(&path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
    }
    let r = ana.post(&path, json!({"kind": "out", "amount": "999999", "reason": "Too much", "idempotency_key": "cash-key-0002"})).await;
    r.expect(409);
    let r = ana.post(&path, json!({"kind": "out", "amount": "1000", "reason": "Bank drop", "idempotency_key": "cash-key-0003"})).await;
    r.expect(201);
    // 2,001.00 + 299.00 − 1,000.00
    assert_eq!(r.json()["cash"]["expected"], "1300.00");
    assert_eq!(r.json()["sales_count"], 1);
    assert_eq!(r.json()["movements"][0]["reason"], "Bank drop");

    // Close 2.00 over without a note: refused; with one: the Z report.
    let close = format!("/api/shifts/{id}/close/");
    let r = ana.post(&close, json!({"amount": "1302"})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.json()["note"][0]
            .as_str()
            .unwrap()
            .contains("Over by 2.00"),
        "{}",
        r.body
    );
    let r = ana
        .post(
            &close,
            json!({"amount": "1302", "note": "A customer left the change"}),
        )
        .await;
    r.expect(200);
    let z = r.json();
    assert_eq!(
        (
            z["status"].as_str(),
            z["counted_cash"].as_str(),
            z["difference"].as_str()
        ),
        (Some("closed"), Some("1302.00"), Some("2.00"))
    );
    assert_eq!(z["grand_total_after"], "299.00");
    ana.post(&close, json!({"amount": "0"})).await.expect(409);
    ana.post(
        &path,
        json!({"kind": "in", "amount": "1", "reason": "late", "idempotency_key": "cash-key-0004"}),
    )
    .await
    .expect(409);

    // The list and the detail; someone else's shift is not found.
    let r = ana.get("/api/shifts/?status=closed").await;
    r.expect(200);
    assert_eq!(r.json()["count"], 1);
    ana.get("/api/shifts/?status=maybe").await.expect(400);
    let agent_shift =
        tillpoint::registers::shifts::model::open_of(&mut app.conn(), app.id("agent"))
            .unwrap()
            .unwrap()
            .id;
    ana.get(&format!("/api/shifts/{agent_shift}/"))
        .await
        .expect(404);
    let m = Api::signed_in(&app, "manager").await;
    m.get(&format!("/api/shifts/{agent_shift}/"))
        .await
        .expect(200);
    m.get(&format!("/api/shifts/{id}/")).await.expect(200);
    let r = m.get("/api/shifts/").await;
    assert_eq!(
        r.json()["count"],
        3,
        "the agent's, the manager's and Ana's: {}",
        r.body
    );
}

#[actix_web::test]
async fn a_refund_through_the_api_is_a_credit_note_once_per_key() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = Api::signed_in(&app, "agent").await;
    let till = app.signed_in("agent").await;
    let order = sell_cables(&till, "api-refund-sale-1", 2).await;
    let item: i64 = {
        use tillpoint::platform::schema::order_items;
        order_items::table
            .filter(order_items::order_id.eq(order))
            .select(order_items::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let path = format!("/api/sales/{order}/refund/");
    // Bad bodies: field errors, nothing written.
    for (body, field) in [
        (
            json!({"lines": [{"item_id": item, "quantity": 1}], "reason": "Broken"}),
            "idempotency_key",
        ),
        (
            json!({"lines": [], "reason": "Broken", "idempotency_key": "api-refund-key-1"}),
            "lines",
        ),
        (
            json!({"lines": [{"item_id": item, "quantity": -1}], "reason": "Broken", "idempotency_key": "api-refund-key-1"}),
            "lines",
        ),
        (
            json!({"lines": [{"item_id": item, "quantity": 1}], "reason": "", "idempotency_key": "api-refund-key-1"}),
            "reason",
        ),
        (
            json!({"lines": [{"item_id": item, "quantity": 1}], "reason": "Broken", "refund_to": "gold", "idempotency_key": "api-refund-key-1"}),
            "refund_to",
        ),
    ] {
        let r = agent.post(&path, body).await;
        r.expect(400);
        assert!(r.json()[field].is_array(), "{field}: {}", r.body);
    }
    let r = agent
        .post(&path, json!({"lines": [{"item_id": item, "quantity": 3}], "reason": "Broken", "idempotency_key": "api-refund-key-1"}))
        .await;
    r.expect(409);
    let good = json!({"lines": [{"item_id": item, "quantity": 1}], "reason": "Broken", "idempotency_key": "api-refund-key-2"});
    let r = agent.post(&path, good.clone()).await;
    r.expect(201);
    let note = r.json();
    assert_eq!(note["number"], "MNL-CN-000001");
    assert_eq!(note["total"], "299.00");
    assert_eq!(note["tenders"][0]["method"], "cash");
    // The same key again: the same credit note.
    let again = agent.post(&path, good.clone()).await;
    again.expect(201);
    assert_eq!(again.json()["id"], note["id"]);
    let r = agent
        .get(&format!(
            "/api/credit-notes/{}/",
            note["id"].as_i64().unwrap()
        ))
        .await;
    r.expect(200);
    assert_eq!(r.json()["or_number"], note["or_number"]);
    // The shift's report has it.
    let shifts = agent.get("/api/shifts/").await.json();
    let id = shifts["results"][0]["id"].as_i64().unwrap();
    let r = agent.get(&format!("/api/shifts/{id}/")).await;
    assert_eq!(r.json()["cash"]["cash_refunds"], "299.00", "{}", r.body);
    assert_eq!(r.json()["refunds_count"], 1);
}
