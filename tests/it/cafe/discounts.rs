//! Promo codes: made by a manager, tried by guests (rate-limited, nothing listed), applied to a
//! bill with the discount shown, counted once when the bill closes and never past the maximum.

use super::*;
use tillpoint::platform::schema::discount_codes;

async fn make_code(manager: &Client, fields: &[(&str, &str)]) -> Resp {
    manager.post("/discounts", fields).await
}

fn uses(app: &TestApp, code: &str) -> i64 {
    discount_codes::table
        .filter(discount_codes::code.eq(code))
        .select(discount_codes::uses)
        .first(&mut *app.conn())
        .unwrap()
}

fn today(app: &TestApp) -> String {
    app.state.clock.today().to_string()
}

#[actix_web::test]
async fn a_guest_applies_a_code_the_bill_shows_it_and_closing_counts_one_use() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let manager = app.signed_in("manager").await;
    let day = today(&app);
    make_code(
        &manager,
        &[
            ("code", "WELCOME10"),
            ("kind", "percent"),
            ("value", "10"),
            ("min_order", "300"),
            ("max_uses", "1"),
            ("valid_from", &day),
            ("valid_to", &day),
        ],
    )
    .await
    .expect(303);
    // The same code in other letters is the same code.
    make_code(
        &manager,
        &[("code", "welcome10"), ("kind", "fixed"), ("value", "5")],
    )
    .await
    .expect(409);
    for bad in [
        [("code", "TWO WORDS"), ("kind", "percent"), ("value", "10")],
        [("code", "BIG"), ("kind", "percent"), ("value", "150")],
        [("code", "NEG"), ("kind", "fixed"), ("value", "-1")],
        [("code", "HUH"), ("kind", "bogus"), ("value", "1")],
    ] {
        make_code(&manager, &bad).await.expect(422);
    }

    let g = guest(&app, &cafe, 1, "10.9.0.1:4000").await;
    order(&g, &cafe, 1, &[("Fries", "1")]).await.expect(303);
    // 120.00 is under the minimum.
    let r = g
        .post(
            &format!("/t/{}/discount", cafe.token(1)),
            &[("code", "Welcome10")],
        )
        .await;
    r.expect(422).expect_text("Minimum order amount is ₱300.00");
    order(&g, &cafe, 1, &[("Burger", "1")]).await.expect(303);
    g.post(
        &format!("/t/{}/discount", cafe.token(1)),
        &[("code", "Welcome10")],
    )
    .await
    .expect(303);
    // 120 + 320 = 440.00; 10 % = 44.00 off.
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect(200)
        .expect_text("Discount (WELCOME10)")
        .expect_text("-44.00");
    let session = open_session(&app, cafe.tables[0].0);
    let waiter = app.signed_in("waiter").await;
    waiter
        .get(&format!("/floor/sessions/{session}/bill"))
        .await
        .expect(200)
        .expect_text("Discount WELCOME10");
    waiter
        .post(
            &format!("/floor/sessions/{session}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(303);
    let (discount, code): (i64, Option<String>) = cafe_sales::table
        .filter(cafe_sales::session_id.eq(session))
        .select((cafe_sales::discount_minor, cafe_sales::discount_code))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((discount, code.as_deref()), (4_400, Some("WELCOME10")));
    assert_eq!(uses(&app, "WELCOME10"), 1);

    // Used up now: the next table is told so.
    let g2 = guest(&app, &cafe, 2, "10.9.0.2:4000").await;
    order(&g2, &cafe, 2, &[("Burger", "1")]).await.expect(303);
    g2.post(
        &format!("/t/{}/discount", cafe.token(2)),
        &[("code", "WELCOME10")],
    )
    .await
    .expect(422)
    .expect_text("This code has been used up");
    // Unknown and malformed codes say the same, and reveal nothing.
    g2.post(
        &format!("/t/{}/discount", cafe.token(2)),
        &[("code", "NOPE")],
    )
    .await
    .expect(422)
    .expect_text("This code is not valid");
    g2.post(
        &format!("/t/{}/discount", cafe.token(2)),
        &[("code", "<x>")],
    )
    .await
    .expect(422);
}

#[actix_web::test]
async fn validate_answers_the_reason_and_tries_are_limited() {
    let app = TestApp::new().await;
    let _cafe = setup(&app);
    let manager = app.signed_in("manager").await;
    let yesterday = app.state.clock.today().pred_opt().unwrap().to_string();
    make_code(
        &manager,
        &[("code", "FIFTY"), ("kind", "fixed"), ("value", "50")],
    )
    .await
    .expect(303);
    make_code(
        &manager,
        &[
            ("code", "OLD"),
            ("kind", "percent"),
            ("value", "5"),
            ("valid_to", &yesterday),
        ],
    )
    .await
    .expect(303);
    let guest = app.client();
    let ask = |code: &str, subtotal: &str| {
        let body = serde_json::json!({"code": code, "subtotal": subtotal});
        let g = &guest;
        async move { g.post_json("/discounts/validate", &body).await }
    };
    let ok = ask("fifty", "30.00").await;
    ok.expect(200);
    assert_eq!(ok.json()["valid"], true);
    assert_eq!(
        ok.json()["discount"],
        "30.00",
        "a fixed amount is capped at the subtotal"
    );
    let old = ask("OLD", "500").await;
    assert_eq!(old.json()["reason"], "This code has expired.");
    assert_eq!(ask("NOPE", "500").await.json()["valid"], false);
    ask("FIFTY", "-5").await.expect(400);
    ask("FIFTY", "lots").await.expect(400);
    // A stopped code answers as not valid; stopping it again is refused; restarting works.
    let fifty: i64 = discount_codes::table
        .filter(discount_codes::code.eq("FIFTY"))
        .select(discount_codes::id)
        .first(&mut *app.conn())
        .unwrap();
    let audits = app.audit_count();
    manager
        .post(&format!("/discounts/{fifty}/archive"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_count(), audits + 1);
    manager
        .post(&format!("/discounts/{fifty}/archive"), &[])
        .await
        .expect(409);
    let stopped = guest
        .post_json(
            "/discounts/validate",
            &serde_json::json!({"code": "FIFTY", "subtotal": "100"}),
        )
        .await;
    stopped.expect(200);
    assert_eq!(stopped.json()["valid"], false);
    manager
        .post(&format!("/discounts/{fifty}/restore"), &[])
        .await
        .expect(303);
    // A guess-a-code flood from one address stops.
    let mut last = 200;
    for i in 0..60 {
        last = ask(&format!("GUESS{i}"), "100").await.status;
        if last == 429 {
            break;
        }
    }
    assert_eq!(last, 429);
    // Codes are never listed to guests or other staff.
    app.client().get("/discounts").await.expect(303);
    app.signed_in("waiter")
        .await
        .get("/discounts")
        .await
        .expect(403);
}

#[actix_web::test]
async fn the_last_use_goes_to_one_of_two_bills_closing_at_once() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let manager = app.signed_in("manager").await;
    make_code(
        &manager,
        &[
            ("code", "LASTONE"),
            ("kind", "percent"),
            ("value", "20"),
            ("max_uses", "1"),
        ],
    )
    .await
    .expect(303);
    let mut sessions = Vec::new();
    for table in [1usize, 2] {
        let g = guest(&app, &cafe, table, &format!("10.8.0.{table}:4000")).await;
        order(&g, &cafe, table, &[("Latte", "2")]).await.expect(303);
        g.post(
            &format!("/t/{}/discount", cafe.token(table)),
            &[("code", "lastone")],
        )
        .await
        .expect(303);
        sessions.push(open_session(&app, cafe.tables[table - 1].0));
    }
    let bills: Vec<(Option<&str>, i64)> = sessions.iter().map(|&s| (None, s)).collect();
    let results = close_at_once(&app, &bills);
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(uses(&app, "LASTONE"), 1);
    assert_eq!(count!(&app, cafe_sales::table), 1);
    // The other bill stays open and says why; removing the code lets it close.
    let waiter = app.signed_in("waiter").await;
    let open: Vec<i64> = cafe_sessions::table
        .filter(cafe_sessions::closed_at.is_null())
        .select(cafe_sessions::id)
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(open.len(), 1);
    waiter
        .get(&format!("/floor/sessions/{}", open[0]))
        .await
        .expect(200)
        .expect_text("does not apply now");
    waiter
        .post(
            &format!("/floor/sessions/{}/discount", open[0]),
            &[("code", "")],
        )
        .await
        .expect(303);
    waiter
        .post(
            &format!("/floor/sessions/{}/close", open[0]),
            &[("payment_method", "card")],
        )
        .await
        .expect(303);
    assert_eq!(count!(&app, cafe_sales::table), 2);
}

#[actix_web::test]
async fn a_code_on_a_bill_shared_evenly_is_used_once_and_shared_to_the_cent() {
    use tillpoint::platform::schema::cafe_bill_shares as s;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let manager = app.signed_in("manager").await;
    make_code(
        &manager,
        &[("code", "THIRD"), ("kind", "percent"), ("value", "7")],
    )
    .await
    .expect(303);
    let g = guest(&app, &cafe, 2, "10.9.0.7:4000").await;
    order(&g, &cafe, 2, &[("Latte", "1"), ("Fries", "1")])
        .await
        .expect(303);
    let sid = open_session(&app, cafe.tables[1].0);
    let w = app.signed_in("waiter").await;
    w.post(
        &format!("/floor/sessions/{sid}/discount"),
        &[("code", "third")],
    )
    .await
    .expect(303);
    w.post(
        &format!("/floor/sessions/{sid}/split"),
        &[("how", "even"), ("parts", "3")],
    )
    .await
    .expect(303);
    assert_eq!(
        uses(&app, "THIRD"),
        1,
        "the code is used when the bill is shared"
    );
    // Taking the code off a shared bill is refused: its shares are priced.
    w.post(&format!("/floor/sessions/{sid}/discount"), &[("code", "")])
        .await
        .expect(409);
    let shares: Vec<(i64, i64, i64, i64, i64)> = s::table
        .filter(s::bill_id.eq(sid))
        .order(s::number.asc())
        .select((
            s::session_id,
            s::subtotal_minor,
            s::discount_minor,
            s::tax_minor,
            s::total_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    // The bill as the floor prices it, code and all, at the rate the shares were taxed at.
    let rate: i64 = s::table
        .find(sid)
        .select(s::tax_rate_bp)
        .first(&mut *app.conn())
        .unwrap();
    let lines = sales::lines(&mut app.conn(), sid).unwrap();
    let (whole, code) = sales::priced(
        &mut app.conn(),
        sid,
        &lines,
        rate,
        app.state.clock.today(),
        "PHP ",
    )
    .unwrap();
    assert!(code.is_some_and(|c| c.refused.is_none()) && whole.discount.is_positive());
    let sum = |f: fn(&(i64, i64, i64, i64, i64)) -> i64| shares.iter().map(f).sum::<i64>();
    assert_eq!(
        [sum(|x| x.1), sum(|x| x.2), sum(|x| x.3), sum(|x| x.4)],
        [
            whole.subtotal.0,
            whole.discount.0,
            whole.tax.0,
            whole.total.0
        ],
        "the shares add up to the bill, column by column"
    );
    for x in &shares {
        assert_eq!(x.1 - x.2 + x.3, x.4);
    }
    for x in &shares {
        w.post(
            &format!("/floor/sessions/{}/close", x.0),
            &[("payment_method", "upi")],
        )
        .await
        .expect(303);
    }
    assert_eq!(uses(&app, "THIRD"), 1, "closing the shares uses it no more");
    let sold: Vec<(Option<String>, i64, i64)> = cafe_sales::table
        .select((
            cafe_sales::discount_code,
            cafe_sales::discount_minor,
            cafe_sales::total_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(sold.len(), 3);
    assert!(sold.iter().all(|x| x.0.as_deref() == Some("THIRD")));
    assert_eq!(
        sold.iter().map(|x| x.2).sum::<i64>(),
        shares.iter().map(|x| x.4).sum::<i64>()
    );
}
