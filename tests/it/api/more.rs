//! Reservations, sales, feedback, stats, settings, promo codes and the guest's own endpoints.

use super::*;
use tillpoint::platform::schema::{cafe_sales, discount_codes, reservations};

const DAY: &str = "2030-06-15";

fn booking(table_number: i64, time: &str) -> Value {
    json!({"table_number": table_number, "customer_name": "Ana Cruz",
           "customer_phone": "0917 123 4567", "party_size": 2,
           "reserved_date": DAY, "reserved_time": time})
}

#[actix_web::test]
async fn bookings_clash_by_time_held_and_move_through_their_steps() {
    let app = TestApp::new().await;
    setup(&app);
    Api::anonymous(&app)
        .get("/api/reservations/")
        .await
        .expect(401);
    Api::signed_in(&app, "kitchen")
        .await
        .get("/api/reservations/")
        .await
        .expect(403);
    let w = Api::signed_in(&app, "waiter").await;
    let r = w.post("/api/reservations/", booking(1, "18:00")).await;
    r.expect(201);
    let b = r.json();
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["reserved_time"], "18:00:00");
    assert_eq!(b["table_number"], 1);
    let id = b["id"].as_i64().unwrap();
    // 18:15 on the same table clashes (the old system only refused the same minute).
    let r = w.post("/api/reservations/", booking(1, "18:15")).await;
    r.expect(409);
    assert!(
        r.json()["time"][0]
            .as_str()
            .unwrap()
            .contains("already booked"),
        "{}",
        r.body
    );
    // Bad input, nothing written.
    for (field, value) in [
        ("party_size", json!(0)),
        ("party_size", json!(999)),
        ("reserved_date", json!("2030-02-30")),
        ("reserved_time", json!("25:00")),
        ("customer_name", json!("")),
        ("table_number", json!(77)),
    ] {
        let mut b = booking(2, "12:00");
        b[field] = value.clone();
        let r = w.post("/api/reservations/", b).await;
        assert_eq!(r.status, 400, "{field}={value}: {}", r.body);
    }
    let n: i64 = reservations::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(n, 1);
    // A one-time key books once.
    let mut keyed = booking(2, "12:00");
    keyed["key"] = json!("booking-7");
    let a = w.post("/api/reservations/", keyed.clone()).await.json()["id"].clone();
    let b2 = w.post("/api/reservations/", keyed).await.json()["id"].clone();
    assert_eq!(a, b2);
    // A PATCH of the time alone is checked against the other bookings too.
    let r = w
        .call(
            "PATCH",
            &format!("/api/reservations/{}/", a.as_i64().unwrap()),
            Some(json!({"table_number": 1, "reserved_time": "18:30"})),
        )
        .await;
    r.expect(409);
    // Filters and search.
    let list = w
        .get(&format!("/api/reservations/?reserved_date={DAY}"))
        .await
        .json();
    assert_eq!(list["count"], 2);
    assert_eq!(
        w.get("/api/reservations/?table__number=1").await.json()["count"],
        1
    );
    assert_eq!(
        w.get("/api/reservations/?search=ana").await.json()["count"],
        2
    );
    w.get("/api/reservations/?status=lost").await.expect(400);
    // Steps: seat opens the table's bill; cancel from seated is refused.
    let r = w
        .post(&format!("/api/reservations/{id}/seat/"), json!({}))
        .await;
    r.expect(200);
    assert_eq!(r.json()["status"], "seated");
    w.get("/api/sessions/1/").await.expect(200);
    w.post(&format!("/api/reservations/{id}/cancel/"), json!({}))
        .await
        .expect(409);
    w.post(&format!("/api/reservations/{id}/teleport/"), json!({}))
        .await
        .expect(404);
    w.post("/api/reservations/999999/confirm/", json!({}))
        .await
        .expect(404);
}

#[actix_web::test]
async fn sales_feedback_and_stats_come_from_the_same_records_as_the_pages() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let w = Api::signed_in(&app, "waiter").await;
    for (t, qty, method) in [(1, 1, "cash"), (2, 3, "upi")] {
        w.post(
            &format!("/api/sessions/{t}/"),
            json!({"items": [{"id": cafe.item("Latte"), "qty": qty}]}),
        )
        .await
        .expect(201);
        w.post(
            &format!("/api/sessions/{t}/close/"),
            json!({"payment_method": method}),
        )
        .await
        .expect(200);
    }
    let sales = w.get("/api/sales/").await.json();
    assert_eq!(sales["count"], 2);
    let newest = &sales["results"][0];
    assert_eq!(newest["table_num"], 2);
    assert_eq!(newest["payment_method"], "upi");
    assert_eq!(newest["items_json"][0]["qty"], 3);
    assert_eq!(newest["items_json"][0]["price"], 180);
    assert_eq!(newest["subtotal"], 540);
    assert_eq!(
        w.get("/api/sales/?payment_method=cash").await.json()["count"],
        1
    );
    assert_eq!(w.get("/api/sales/?table_num=1").await.json()["count"], 1);
    assert_eq!(
        w.get("/api/sales/?ordering=total").await.json()["results"][0]["table_num"],
        1
    );
    let today = app.state.clock.today().to_string();
    assert_eq!(
        w.get(&format!(
            "/api/sales/?closed_at__date__gte={today}&closed_at__date__lte={today}"
        ))
        .await
        .json()["count"],
        2
    );
    assert_eq!(
        w.get("/api/sales/?closed_at__date__gte=2000-01-01&closed_at__date__lte=2000-01-02")
            .await
            .json()["count"],
        0
    );
    w.get("/api/sales/?closed_at__date__gte=someday")
        .await
        .expect(400);
    w.get("/api/sales/?payment_method=gold").await.expect(400);
    let sale_id = newest["id"].as_i64().unwrap();
    w.get(&format!("/api/sales/{sale_id}/")).await.expect(200);
    w.get("/api/sales/999999/").await.expect(404);
    // Feedback: one per bill, 1–5.
    let fb = json!({"session_record": sale_id, "overall_rating": 5, "food_rating": 4,
                    "comment": "Lovely", "would_recommend": true});
    for bad in [
        json!({"session_record": sale_id, "overall_rating": 6}),
        json!({"session_record": sale_id}),
        json!({"overall_rating": 5}),
        json!({"session_record": sale_id, "overall_rating": 5, "food_rating": 0}),
    ] {
        assert_eq!(
            w.post("/api/feedback/", bad.clone()).await.status,
            400,
            "{bad}"
        );
    }
    w.post(
        "/api/feedback/",
        json!({"session_record": 999999, "overall_rating": 5}),
    )
    .await
    .expect(404);
    w.post("/api/feedback/", fb.clone()).await.expect(201);
    w.post("/api/feedback/", fb).await.expect(409);
    w.get("/api/feedback/").await.expect(403);
    let m = Api::signed_in(&app, "manager").await;
    let list = m.get("/api/feedback/").await.json();
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["session_record"], sale_id);
    // Stats: today's figures and the summaries, as the stats page counts them.
    w.get("/api/stats/").await.expect(403);
    let s = m.get("/api/stats/").await.json();
    assert_eq!(s["orders"], 2);
    let totals: Vec<i64> = cafe_sales::table
        .select(cafe_sales::total_minor)
        .load(&mut *app.conn())
        .unwrap();
    let total: i64 = totals.iter().sum();
    assert_eq!(
        (s["revenue"].as_f64().unwrap() * 100.0).round() as i64,
        total
    );
    assert_eq!(s["feedback_avg"], 5.0);
    let top = m.get("/api/stats/top_items/").await.json();
    assert_eq!(top[0]["name"], "Latte");
    assert_eq!(top[0]["qty"], 4);
    assert_eq!(top[0]["revenue"], 720);
    let cats = m.get("/api/stats/category_breakdown/").await.json();
    assert_eq!(cats[0]["category"], "Coffee");
    let hours = m.get("/api/stats/hourly/").await.json();
    assert_eq!(
        hours
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["orders"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );
    m.get("/api/stats/top_items/?date_from=2020-01-01&date_to=2026-12-31")
        .await
        .expect(400);
    m.get("/api/stats/hourly/?date=nope").await.expect(400);
}

#[actix_web::test]
async fn settings_are_the_managers_and_go_through_the_pages_rules() {
    let app = TestApp::new().await;
    setup(&app);
    Api::anonymous(&app).get("/api/settings/").await.expect(401);
    Api::anonymous(&app)
        .post("/api/settings/", json!({"tax_rate": "0"}))
        .await
        .expect(401);
    Api::signed_in(&app, "waiter")
        .await
        .get("/api/settings/")
        .await
        .expect(403);
    let m = Api::signed_in(&app, "manager").await;
    let s = m.get("/api/settings/").await.json();
    assert_eq!(s["total_tables"], 4);
    let before = app.audit_count();
    for bad in [
        json!({"tax_rate": "-1"}),
        json!({"tax_rate": "99"}),
        json!({"cafe_name": ""}),
        json!({"opening_time": "9am"}),
        json!({"public_base_url": "javascript:alert(1)"}),
    ] {
        let r = m.post("/api/settings/", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    assert_eq!(app.audit_count(), before);
    let r = m
        .post(
            "/api/settings/",
            json!({"tax_rate": "12", "cafe_name": "Bean & Brew"}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["tax_rate"], 12.0);
    assert_eq!(r.json()["cafe_name"], "Bean & Brew");
    let page = app.signed_in("manager").await;
    page.get("/settings/cafe")
        .await
        .expect(200)
        .expect_text("Bean &#38; Brew");
}

#[actix_web::test]
async fn promo_codes_are_kept_by_managers_and_checked_by_anyone() {
    let app = TestApp::new().await;
    setup(&app);
    let anon = Api::anonymous(&app);
    anon.get("/api/discounts/").await.expect(401);
    let m = Api::signed_in(&app, "manager").await;
    let code = json!({"code": "WELCOME10", "discount_type": "percentage", "value": "10",
                      "min_order_amount": 200, "max_uses": 5});
    for (field, value) in [
        ("discount_type", json!("half")),
        ("value", json!("0")),
        ("value", json!("101")),
        ("code", json!("no spaces")),
        ("valid_until", json!("2000-13-01")),
    ] {
        let mut b = code.clone();
        b[field] = value.clone();
        let r = m.post("/api/discounts/", b).await;
        assert_eq!(r.status, 400, "{field}={value}: {}", r.body);
    }
    let r = m.post("/api/discounts/", code.clone()).await;
    r.expect(201);
    let made = r.json();
    assert_eq!(made["value"], "10.00");
    assert_eq!(made["discount_type"], "percentage");
    assert_eq!(made["is_valid_now"], true);
    let id = made["id"].as_i64().unwrap();
    assert!(m.post("/api/discounts/", code).await.status == 409);
    // Anyone checks a code.
    let r = anon
        .post(
            "/api/discounts/validate/",
            json!({"code": "welcome10", "subtotal": 300}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["discount_amount"], 30);
    let r = anon
        .post(
            "/api/discounts/validate/",
            json!({"code": "WELCOME10", "subtotal": 100}),
        )
        .await;
    r.expect(400);
    assert_eq!(r.json()["valid"], false);
    assert!(detail(&r).starts_with("Minimum order amount is"));
    let r = anon
        .post(
            "/api/discounts/validate/",
            json!({"code": "NOPE", "subtotal": 100}),
        )
        .await;
    r.expect(400);
    assert_eq!(detail(&r), "Discount code is invalid or has expired.");
    anon.post(
        "/api/discounts/validate/",
        json!({"code": "X", "subtotal": -1}),
    )
    .await
    .expect(400);
    // A bill with the code: the discount is on the bill and the use is counted at the close.
    let cafe_item: i64 = {
        use tillpoint::platform::schema::menu_items;
        menu_items::table
            .filter(menu_items::name.eq("Burger"))
            .select(menu_items::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let w = Api::signed_in(&app, "waiter").await;
    let r = w
        .post(
            "/api/sessions/3/",
            json!({"items": [{"id": cafe_item}], "discount_code": "welcome10"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.json()["discount_amount"], 32);
    assert_eq!(r.json()["discount_code"], "WELCOME10");
    w.post("/api/sessions/3/close/", json!({}))
        .await
        .expect(200);
    let uses: i64 = discount_codes::table
        .find(id)
        .select(discount_codes::uses)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(uses, 1);
    assert_eq!(
        m.get(&format!("/api/discounts/{id}/")).await.json()["used_count"],
        1
    );
    // Stopped: archived, not erased.
    m.call("DELETE", &format!("/api/discounts/{id}/"), None)
        .await
        .expect(204);
    assert_eq!(
        m.get(&format!("/api/discounts/{id}/")).await.json()["is_active"],
        false
    );
}

#[actix_web::test]
async fn a_guest_is_their_cookie_never_their_address() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let guest = Api::anonymous(&app);
    // Unknown browser: nothing is created by reading.
    let me = guest.get("/api/customer/me/").await;
    me.expect(200);
    assert_eq!(me.json()["known"], false);
    assert!(guest
        .get("/api/customer/orders/")
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    guest
        .post("/api/customer/update_name/", json!({"name": " "}))
        .await
        .expect(400);
    let r = guest
        .post("/api/customer/update_name/", json!({"name": "Ana"}))
        .await;
    r.expect(200);
    assert!(!r.header("set-cookie").is_empty());
    let me = guest.get("/api/customer/me/").await.json();
    assert_eq!(
        (me["known"].clone(), me["preferred_name"].clone()),
        (json!(true), json!("Ana"))
    );
    // Another browser at the same address is someone else.
    let other = Api::anonymous(&app);
    assert_eq!(other.get("/api/customer/me/").await.json()["known"], false);
    // A header claiming another address changes nothing.
    let r = other
        .c
        .get_with("/api/customer/me/", &[("x-forwarded-for", "10.0.0.9")])
        .await;
    assert_eq!(r.json()["known"], false);
    // Suggestions: trending for anyone.
    let s = guest.get("/api/customer/suggestions/").await.json();
    assert_eq!(s["trending"][0]["id"], cafe.item("Latte"));
    guest
        .get("/api/customer/suggestions/?branch=x")
        .await
        .expect(400);
}
