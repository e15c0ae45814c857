//! The floor: bills, takeaway and delivery, seating by hand, calls and reopened bills.

use super::*;
use tillpoint::platform::schema::employees;

#[actix_web::test]
async fn the_waiter_bills_and_closes_exactly_once() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 4, "192.0.2.55:5000").await;
    order(&g, &cafe, 4, &[("Latte", "2"), ("Fries", "1")])
        .await
        .expect(303);
    let sid = open_session(&app, cafe.tables[3].0);
    let waiter = app.signed_in("waiter").await;
    waiter
        .get(&format!("/floor/sessions/{sid}"))
        .await
        .expect(200)
        .expect_text("480.00")
        .expect_text("504.00");
    for bad in ["", "bitcoin", "CASH"] {
        waiter
            .post(
                &format!("/floor/sessions/{sid}/close"),
                &[("payment_method", bad)],
            )
            .await
            .expect(422);
    }
    assert_eq!(count!(&app, cafe_sales::table), 0);
    waiter
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "upi")],
        )
        .await
        .expect(303);
    let (kind, number, subtotal, tax, total, method, items): (
        String,
        Option<i64>,
        i64,
        i64,
        i64,
        String,
        String,
    ) = cafe_sales::table
        .select((
            cafe_sales::kind,
            cafe_sales::table_number,
            cafe_sales::subtotal_minor,
            cafe_sales::tax_minor,
            cafe_sales::total_minor,
            cafe_sales::payment_method,
            cafe_sales::items_json,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (kind.as_str(), number, subtotal, tax, total, method.as_str()),
        ("dine_in", Some(4), 48000, 2400, 50400, "upi")
    );
    let items: serde_json::Value = serde_json::from_str(&items).unwrap();
    assert_eq!(items[0]["category"], "Coffee");
    assert_eq!(items[0]["qty"], 2);
    assert_eq!(items[0]["price"], "180.00");
    // Closing again: a clear refusal, still one record; the table is free for the next guests.
    waiter
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(409)
        .expect_text("already closed");
    assert_eq!(count!(&app, cafe_sales::table), 1);
    let status: String = cafe_tables::table
        .find(cafe.tables[3].0)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "available");
    let g2 = guest(&app, &cafe, 4, "192.0.2.56:5000").await;
    order(&g2, &cafe, 4, &[("Fries", "1")]).await.expect(303);
    assert_ne!(open_session(&app, cafe.tables[3].0), sid);
}

#[actix_web::test]
async fn takeaway_and_delivery_live_outside_the_tables() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let waiter = app.signed_in("waiter").await;
    waiter
        .post(
            "/floor/takeaway",
            &[
                ("kind", "delivery"),
                ("customer_name", "Ben"),
                ("customer_phone", ""),
            ],
        )
        .await
        .expect(422)
        .expect_text("delivery address");
    waiter
        .post(
            "/floor/takeaway",
            &[("kind", "boat"), ("customer_name", "Ben")],
        )
        .await
        .expect(422);
    let r = waiter
        .post(
            "/floor/takeaway",
            &[
                ("kind", "takeaway"),
                ("customer_name", "Ana"),
                ("customer_phone", "0917 123 4567"),
            ],
        )
        .await;
    r.expect(303);
    let sid: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    for (id, qty, status) in [
        ("0", "1", 422),
        (&cafe.item("Latte").to_string()[..], "0", 422),
        (&cafe.item("Brownie").to_string()[..], "1", 409),
    ] {
        waiter
            .post(
                &format!("/floor/sessions/{sid}/lines"),
                &[("menu_item_id", id), ("quantity", qty)],
            )
            .await
            .expect(status);
    }
    waiter
        .post(
            &format!("/floor/sessions/{sid}/lines"),
            &[
                ("menu_item_id", &cafe.item("Latte").to_string()),
                ("quantity", "3"),
                ("notes", "oat milk"),
            ],
        )
        .await
        .expect(303);
    waiter.get("/floor").await.expect_text("Takeaway · Ana");
    let kitchen = app.signed_in("kitchen").await;
    kitchen
        .get("/kitchen")
        .await
        .expect(200)
        .expect_text("Takeaway · Ana")
        .expect_text("oat <mark class=\"allergy\">milk</mark>");
    // Remove a line, then close.
    waiter
        .post(
            &format!("/floor/sessions/{sid}/lines"),
            &[
                ("menu_item_id", &cafe.item("Fries").to_string()),
                ("quantity", "1"),
            ],
        )
        .await
        .expect(303);
    let fries_line: i64 = cafe_session_lines::table
        .filter(cafe_session_lines::name.eq("Fries"))
        .select(cafe_session_lines::id)
        .first(&mut *app.conn())
        .unwrap();
    waiter
        .post(
            &format!("/floor/sessions/{sid}/lines/{fries_line}/remove"),
            &[],
        )
        .await
        .expect(303);
    waiter
        .post(
            &format!("/floor/sessions/{sid}/lines/{fries_line}/remove"),
            &[],
        )
        .await
        .expect(404);
    waiter
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(303);
    let (kind, name, total): (String, String, i64) = cafe_sales::table
        .select((
            cafe_sales::kind,
            cafe_sales::customer_name,
            cafe_sales::total_minor,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (kind.as_str(), name.as_str(), total),
        ("takeaway", "Ana", 56700)
    );
    // Staff of another branch cannot touch it.
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebuwaiter",
        Role::Waiter,
        Some(app.seed.cebu_branch),
        &hash,
    );
    let other = app.signed_in("cebuwaiter").await;
    other
        .get(&format!("/floor/sessions/{sid}"))
        .await
        .expect(403);
}

#[actix_web::test]
async fn a_waiter_seats_guests_and_takes_their_order_by_hand() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let waiter = app.signed_in("waiter").await;
    let table = cafe.tables[1].0;
    let r = waiter
        .post(&format!("/floor/tables/{table}/open"), &[])
        .await;
    r.expect(303);
    let sid = open_session(&app, table);
    assert_eq!(r.location(), format!("/floor/sessions/{sid}"));
    let row = &app.audit_rows()[0];
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.6),
        ("CREATE", "cafe_session", Some(app.id("waiter")))
    );
    // Seating again finds the same bill.
    waiter
        .post(&format!("/floor/tables/{table}/open"), &[])
        .await
        .expect(303);
    assert_eq!(count!(app, cafe_sessions::table), 1);
    let fries = cafe.item("Fries").to_string();
    for (item, qty, note, status) in [
        ("", "1", "", 422),
        ("abc", "1", "", 422),
        (fries.as_str(), "-2", "", 422),
        (fries.as_str(), "999", "", 422),
        (fries.as_str(), "1", &"x".repeat(201)[..], 422),
    ] {
        let before = written(&app);
        waiter
            .post(
                &format!("/floor/sessions/{sid}/lines"),
                &[("menu_item_id", item), ("quantity", qty), ("notes", note)],
            )
            .await
            .expect(status);
        assert_eq!(written(&app), before);
    }
    waiter
        .post(
            &format!("/floor/sessions/{sid}/lines"),
            &[
                ("menu_item_id", &fries),
                ("quantity", "2"),
                ("notes", "extra salt"),
            ],
        )
        .await
        .expect(303);
    let placed_by: Option<i64> = kitchen_tickets::table
        .select(kitchen_tickets::placed_by_employee_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(placed_by, Some(app.id("waiter")));
    waiter
        .get(&format!("/floor/sessions/{sid}"))
        .await
        .expect(200)
        .expect_text("extra salt")
        .expect_text("252.00");
    // A table in maintenance cannot be seated; a missing table is not found.
    let other = cafe.tables[2].0;
    waiter
        .post(
            &format!("/floor/tables/{other}/status"),
            &[("status", "maintenance")],
        )
        .await
        .expect(303);
    waiter
        .post(&format!("/floor/tables/{other}/open"), &[])
        .await
        .expect(409);
    waiter
        .post(
            &format!("/floor/tables/{other}/status"),
            &[("status", "flying")],
        )
        .await
        .expect(422);
    waiter
        .post("/floor/tables/999999/open", &[])
        .await
        .expect(404);
    // The guest's name is audited too.
    let g = guest(&app, &cafe, 1, "192.0.2.80:1").await;
    g.post(&format!("/t/{}/name", cafe.token(1)), &[("name", "Rico")])
        .await
        .expect(303);
    let row = &app.audit_rows()[0];
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.5.as_deref()),
        ("UPDATE", "cafe_visitor", Some("192.0.2.80"))
    );
}

#[actix_web::test]
async fn a_call_is_answered_and_a_printed_bill_reopened_by_a_manager() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.130:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    g.post(&format!("/t/{}/call", cafe.token(1)), &[])
        .await
        .expect(303);
    let w = app.signed_in("waiter").await;
    w.get("/floor").await.expect_text("Called — coming");
    let before = app.audit_count();
    let r = w
        .post(
            &format!("/floor/sessions/{sid}/acknowledge"),
            &[("back", "/floor?branch=1")],
        )
        .await;
    r.expect(303);
    assert!(r.location().starts_with("/floor"));
    w.get("/floor").await.expect_absent("Called — coming");
    // Answering twice changes nothing more.
    w.post(&format!("/floor/sessions/{sid}/acknowledge"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_count(), before + 1);
    // Printing the bill locks guest orders; only a manager reopens it.
    w.post(&format!("/floor/sessions/{sid}/printed"), &[])
        .await
        .expect(303);
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(409);
    w.post(&format!("/floor/sessions/{sid}/reopen"), &[])
        .await
        .expect(403);
    let m = app.signed_in("manager").await;
    m.post(&format!("/floor/sessions/{sid}/reopen"), &[])
        .await
        .expect(303);
    m.post(&format!("/floor/sessions/{sid}/reopen"), &[])
        .await
        .expect(409)
        .expect_text("has not been printed");
    order(&g, &cafe, 1, &[("Burger", "1")]).await.expect(303);
    let (action, _, _, _, changes, _, _) = app
        .audit_rows()
        .into_iter()
        .find(|r| r.4.contains("reopened"))
        .expect("the reopening is audited");
    assert_eq!(action, "UPDATE");
    let _ = changes;
    w.post(
        &format!("/floor/sessions/{sid}/close"),
        &[("payment_method", "cash")],
    )
    .await
    .expect(303);
    m.post(&format!("/floor/sessions/{sid}/reopen"), &[])
        .await
        .expect(409)
        .expect_text("already closed");
}

#[actix_web::test]
async fn kitchen_and_floor_staff_go_on_and_off_duty_and_everyone_sees_who_is_on() {
    let app = TestApp::new().await;
    let _cafe = setup(&app);
    let cook = app.signed_in("kitchen").await;
    cook.get("/kitchen")
        .await
        .expect(200)
        .expect_text("You are off duty")
        .expect_text("nobody yet");
    let r = cook
        .post("/duty", &[("on", "1"), ("back", "/kitchen")])
        .await;
    r.expect(303);
    assert_eq!(r.location(), "/kitchen");
    let waiter = app.signed_in("waiter").await;
    waiter
        .get("/floor")
        .await
        .expect(200)
        .expect_text("Kitchen Person (Kitchen)");
    // A tampered return address goes home instead.
    let r = waiter
        .post("/duty", &[("on", "1"), ("back", "https://evil.example/")])
        .await;
    r.expect(303);
    assert_eq!(r.location(), "/");
    let on: Vec<String> = employees::table
        .filter(employees::on_duty.eq(true))
        .order(employees::username.asc())
        .select(employees::username)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(on, vec!["kitchen".to_string(), "waiter".to_string()]);
    // Signing out ends duty.
    cook.post("/logout", &[]).await.expect(303);
    let still: bool = employees::table
        .filter(employees::username.eq("kitchen"))
        .select(employees::on_duty)
        .first(&mut *app.conn())
        .unwrap();
    assert!(!still);
    app.signed_in("agent")
        .await
        .post("/duty", &[("on", "1")])
        .await
        .expect(403);
}

#[actix_web::test]
async fn the_bill_speaks_the_cafes_tax_words_and_offers_upi_only_where_set() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.90:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    let waiter = app.signed_in("waiter").await;
    // Out of the box: VAT and a TIN, no UPI.
    let bill = waiter.get(&format!("/floor/sessions/{sid}/bill")).await;
    bill.expect(200).expect_text("VAT 5 %");
    bill.expect_absent("upi://").expect_absent("GST");
    // An Indian cafe: GST, GSTIN and a UPI payment link.
    let manager = app.signed_in("manager").await;
    manager
        .post(
            "/settings/cafe",
            &[
                ("name", "Chai Point"),
                ("tax_rate", "5"),
                ("public_base_url", "http://192.168.1.20:8080"),
                ("tax_name", "GST"),
                ("tax_id_label", "GSTIN"),
                ("gst_number", "29ABCDE1234F1Z5"),
                ("upi_id", "chai@okbank"),
                ("payment_qr", "upi"),
                ("currency_symbol", "₹"),
                ("instagram_url", "https://instagram.com/chaipoint"),
            ],
        )
        .await
        .expect(303);
    let bill = waiter.get(&format!("/floor/sessions/{sid}/bill")).await;
    bill.expect(200)
        .expect_text("GST 5 %")
        .expect_text("GSTIN: 29ABCDE1234F1Z5")
        .expect_text("Pay by UPI: chai@okbank")
        .expect_text("<svg")
        .expect_text("TOTAL</dt><dd class=\"grand\">₹");
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("GST (5 %)")
        .expect_text("₹")
        .expect_text("https://instagram.com/chaipoint");
    manager
        .post(
            "/settings/cafe",
            &[
                ("name", "Chai Point"),
                ("tax_rate", "5"),
                ("public_base_url", "http://192.168.1.20:8080"),
                ("instagram_url", "javascript:alert(1)"),
            ],
        )
        .await
        .expect(422);
}

#[actix_web::test]
async fn a_philippine_cafe_prints_its_own_payment_qr_picture() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.91:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    let manager = app.signed_in("manager").await;
    let waiter = app.signed_in("waiter").await;
    let form = |qr: &'static str, upi: &'static str| {
        vec![
            ("name", "Kape Tayo"),
            ("tax_rate", "12"),
            ("public_base_url", "http://192.168.1.20:8080"),
            ("payment_qr", qr),
            ("upi_id", upi),
            ("payment_qr_label", "GCash"),
        ]
    };
    // No picture yet: it cannot be chosen; UPI without an id neither; an unknown scheme is refused.
    manager
        .post("/settings/cafe", &form("picture", ""))
        .await
        .expect(422)
        .expect_text("Upload your payment QR picture first");
    manager
        .post("/settings/cafe", &form("upi", ""))
        .await
        .expect(422)
        .expect_text("Enter the UPI id");
    manager
        .post("/settings/cafe", &form("bitcoin", ""))
        .await
        .expect(422);
    waiter.get("/cafe/payment-qr").await.expect(404);
    // Something that is not a picture is refused; a waiter cannot upload one.
    manager
        .upload(
            "/settings/cafe/payment-qr",
            "image",
            "qr.png",
            b"not a picture",
        )
        .await
        .expect(422);
    waiter
        .upload("/settings/cafe/payment-qr", "image", "qr.png", &png(64, 64))
        .await
        .expect(403);
    manager
        .upload(
            "/settings/cafe/payment-qr",
            "image",
            "qr.png",
            &png(300, 300),
        )
        .await
        .expect(303);
    // A second upload replaces the first: one stored picture.
    manager
        .upload(
            "/settings/cafe/payment-qr",
            "image",
            "qr.png",
            &png(200, 200),
        )
        .await
        .expect(303);
    let stored: i64 = tillpoint::platform::schema::stored_images::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 1);
    manager
        .post("/settings/cafe", &form("picture", ""))
        .await
        .expect(303);
    let bill = waiter.get(&format!("/floor/sessions/{sid}/bill")).await;
    bill.expect(200)
        .expect_text("Scan to pay with GCash: ₱")
        .expect_text("src=\"/cafe/payment-qr\"")
        .expect_absent("upi://");
    let qr = waiter.get("/cafe/payment-qr").await;
    qr.expect(200);
    assert!(qr.header("content-type").starts_with("image/"));
    // Guests and the kitchen do not fetch it.
    app.signed_in("kitchen")
        .await
        .get("/cafe/payment-qr")
        .await
        .expect(403);
    // None: the bill carries no payment QR.
    manager
        .post("/settings/cafe", &form("none", ""))
        .await
        .expect(303);
    waiter
        .get(&format!("/floor/sessions/{sid}/bill"))
        .await
        .expect(200)
        .expect_absent("/cafe/payment-qr")
        .expect_absent("upi://");
}
