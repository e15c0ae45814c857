//! The guest's page: ordering with plain forms, refusals, returning guests, feedback.

use super::*;

#[actix_web::test]
async fn a_guest_sees_the_whole_menu_and_orders_with_plain_forms() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = app.client_from("192.0.2.50:5000");
    let page = g.get(&format!("/t/{}", cafe.token(3))).await;
    page.expect(200)
        .expect_text("Table 3")
        .expect_text("Latte")
        .expect_text("Contains: Dairy")
        .expect_text("Sold out")
        .expect_text("🔥");
    assert_eq!(
        page.body.matches("<li id=\"item-").count(),
        4,
        "every item, sold out included"
    );
    assert!(page.bytes.len() < 100_000);
    // Out-of-stock items have no quantity field.
    assert!(!page
        .body
        .contains(&format!("name=\"qty_{}\"", cafe.item("Brownie"))));
    let r = g
        .post(
            &format!("/t/{}/order", cafe.token(3)),
            &[
                (&format!("qty_{}", cafe.item("Latte")), "2"),
                (&format!("note_{}", cafe.item("Latte")), "less ice"),
                (&format!("qty_{}", cafe.item("Fries")), "1"),
                (&format!("qty_{}", cafe.item("Burger")), ""),
                ("notes", "window seat"),
            ],
        )
        .await;
    r.expect(303);
    assert_eq!(r.location(), format!("/t/{}#status", cafe.token(3)));
    assert!(
        g.cookie("tp_visitor").is_some(),
        "the visitor is remembered"
    );
    let sid = open_session(&app, cafe.tables[2].0);
    let lines: Vec<(String, String, i64, i64, String)> = cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(sid))
        .order(cafe_session_lines::id.asc())
        .select((
            cafe_session_lines::name,
            cafe_session_lines::category,
            cafe_session_lines::quantity,
            cafe_session_lines::unit_price_minor,
            cafe_session_lines::notes,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        lines,
        vec![
            ("Latte".into(), "Coffee".into(), 2, 18000, "less ice".into()),
            ("Fries".into(), "Snacks".into(), 1, 12000, String::new()),
        ]
    );
    let (status, estimate, notes): (String, i64, String) = kitchen_tickets::table
        .filter(kitchen_tickets::session_id.eq(sid))
        .select((
            kitchen_tickets::status,
            kitchen_tickets::estimated_minutes,
            kitchen_tickets::notes,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (status.as_str(), estimate, notes.as_str()),
        ("pending", 6, "window seat")
    );
    let table_status: String = cafe_tables::table
        .find(cafe.tables[2].0)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(table_status, "occupied");
    assert_eq!(app.audit_rows()[0].1, "kitchen_ticket");
    // The status view and the running bill: 2 × 180 + 120 = 480, 5 % tax = 24, total 504.
    let page = g.get(&format!("/t/{}", cafe.token(3))).await;
    page.expect_text("Received")
        .expect_text("480.00")
        .expect_text("24.00")
        .expect_text("504.00");
    // A second order goes on the same bill, with its own ticket.
    order(&g, &cafe, 3, &[("Burger", "1")]).await.expect(303);
    assert_eq!(open_session(&app, cafe.tables[2].0), sid);
    assert_eq!(count!(&app, kitchen_tickets::table), 2);
    g.get(&format!("/t/{}/status", cafe.token(3)))
        .await
        .expect(200)
        .expect_text("840.00");
}

#[actix_web::test]
async fn refused_orders_explain_and_write_nothing() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.51:5000").await;
    let before = written(&app);
    let latte = format!("qty_{}", cafe.item("Latte"));
    type Case = (Vec<(String, String)>, u16, &'static str);
    let cases: Vec<Case> = vec![
        (vec![], 422, "Choose at least one item"),
        (
            vec![(latte.clone(), "0".into())],
            422,
            "Choose at least one item",
        ),
        (vec![(latte.clone(), "-1".into())], 422, "between 1 and 50"),
        (vec![(latte.clone(), "51".into())], 422, "between 1 and 50"),
        (vec![(latte.clone(), "two".into())], 422, "whole numbers"),
        (vec![(latte.clone(), "1e3".into())], 422, "whole numbers"),
        (
            vec![("qty_999999".into(), "1".into())],
            422,
            "not on the menu",
        ),
        (vec![("qty_abc".into(), "1".into())], 400, "does not exist"),
        (
            vec![(format!("qty_{}", cafe.item("Brownie")), "1".into())],
            409,
            "sold out",
        ),
        (
            vec![
                (latte.clone(), "1".into()),
                (format!("note_{}", cafe.item("Latte")), "x".repeat(201)),
            ],
            422,
            "at most 200",
        ),
    ];
    for (fields, status, text) in cases {
        let f: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = g.post(&format!("/t/{}/order", cafe.token(1)), &f).await;
        assert_eq!(
            r.status,
            status,
            "{fields:?}: {}",
            r.body.chars().take(400).collect::<String>()
        );
        r.expect_text(text);
        assert_eq!(written(&app), before, "{fields:?} wrote something");
    }
    // The guest's choices survive a refusal.
    let r = order(&g, &cafe, 1, &[("Latte", "3"), ("Brownie", "1")]).await;
    r.expect(409).expect_text("value=\"3\"");
    // An item of another branch is not on this menu.
    let other = {
        let mut c = app.conn();
        let input = item(&mut c, "Cebu Tea", "Drinks", 5000, true, true);
        menu::create(&mut c, &Actor::system(), app.seed.cebu_branch, &input).unwrap()
    };
    let before = written(&app);
    g.post(
        &format!("/t/{}/order", cafe.token(1)),
        &[(&format!("qty_{other}"), "1")],
    )
    .await
    .expect(422);
    assert_eq!(written(&app), before);
    // No CSRF token, a forged token, an unknown or malformed table code.
    g.post_raw(
        &format!("/t/{}/order", cafe.token(1)),
        &[(&latte, "1")],
        &[],
    )
    .await
    .expect(403);
    g.post_raw(
        &format!("/t/{}/order", cafe.token(1)),
        &[("csrf_token", "x"), (&latte, "1")],
        &[],
    )
    .await
    .expect(403);
    g.post(&format!("/t/{}/order", "0".repeat(32)), &[(&latte, "1")])
        .await
        .expect(404);
    g.get("/t/not-a-token")
        .await
        .expect(404)
        .expect_text("not valid");
    g.get(&format!("/t/{}", "f".repeat(32))).await.expect(404);
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn maintenance_printed_bills_and_busy_guests_are_refused() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let waiter = app.signed_in("waiter").await;
    waiter
        .get("/floor")
        .await
        .expect(200)
        .expect_text("Table 2");
    waiter
        .post(
            &format!("/floor/tables/{}/status", cafe.tables[1].0),
            &[("status", "maintenance")],
        )
        .await
        .expect(303);
    let g = guest(&app, &cafe, 2, "192.0.2.52:5000").await;
    g.get(&format!("/t/{}", cafe.token(2)))
        .await
        .expect_text("not taking orders right now");
    let before = written(&app);
    order(&g, &cafe, 2, &[("Latte", "1")])
        .await
        .expect(409)
        .expect_text("not taking orders");
    assert_eq!(written(&app), before);

    // Bill printed: the guest is told to ask the staff; the waiter may still add.
    let g = guest(&app, &cafe, 1, "192.0.2.53:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    waiter
        .get(&format!("/floor/sessions/{sid}/bill"))
        .await
        .expect(200)
        .expect_text("BILL");
    waiter
        .post(&format!("/floor/sessions/{sid}/printed"), &[])
        .await
        .expect(303);
    let before = written(&app);
    order(&g, &cafe, 1, &[("Fries", "1")])
        .await
        .expect(409)
        .expect_text("ask the staff");
    assert_eq!(written(&app), before);
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("bill has been printed");
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
    // A table in maintenance cannot be chosen while a bill is open there.
    waiter
        .post(
            &format!("/floor/tables/{}/status", cafe.tables[0].0),
            &[("status", "maintenance")],
        )
        .await
        .expect(409);

    // More than 20 orders in 10 minutes from one visitor.
    let g = guest(&app, &cafe, 3, "192.0.2.54:5000").await;
    for _ in 0..20 {
        order(&g, &cafe, 3, &[("Latte", "1")]).await.expect(303);
    }
    let before = written(&app);
    order(&g, &cafe, 3, &[("Latte", "1")])
        .await
        .expect(429)
        .expect_text("20 orders");
    assert_eq!(written(&app), before);
}

#[actix_web::test]
async fn returning_guests_are_recognised_by_their_own_cookie_only() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let ana = guest(&app, &cafe, 1, "192.0.2.60:5000").await;
    ana.post(&format!("/t/{}/name", cafe.token(1)), &[("name", "")])
        .await
        .expect(422);
    ana.post(
        &format!("/t/{}/name", cafe.token(1)),
        &[("name", &"A".repeat(41))],
    )
    .await
    .expect(422);
    ana.post(
        &format!("/t/{}/name", cafe.token(1)),
        &[("name", "Ana <b>")],
    )
    .await
    .expect(303);
    order(&ana, &cafe, 1, &[("Burger", "2"), ("Latte", "1")])
        .await
        .expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    let waiter = app.signed_in("waiter").await;
    waiter
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(303);
    // Ana comes back another day, at another table.
    let page = ana.get(&format!("/t/{}", cafe.token(2))).await;
    page.expect_text("Welcome back, Ana &#60;b&#62;!")
        .expect_text("Order the same again")
        .expect_text("Your favourites");
    page.expect_absent("Ana <b>");
    ana.post(&format!("/t/{}/reorder", cafe.token(2)), &[])
        .await
        .expect(303);
    let sid2 = open_session(&app, cafe.tables[1].0);
    let lines: Vec<(String, i64)> = cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(sid2))
        .order(cafe_session_lines::id.asc())
        .select((cafe_session_lines::name, cafe_session_lines::quantity))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        lines,
        vec![("Burger".to_string(), 2), ("Latte".to_string(), 1)]
    );
    let visits: i64 = tillpoint::platform::schema::cafe_visitors::table
        .select(tillpoint::platform::schema::cafe_visitors::visit_count)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(visits, 2);
    // Someone else claiming Ana's address through a header from an untrusted peer: a stranger.
    let forger = app.client_from("198.51.100.9:4000");
    let page = forger
        .get_with(
            &format!("/t/{}", cafe.token(3)),
            &[("x-forwarded-for", "192.0.2.60")],
        )
        .await;
    page.expect(200);
    assert!(
        !page.body.contains("Ana"),
        "a forged header reads nobody's history"
    );
    forger
        .post(&format!("/t/{}/reorder", cafe.token(3)), &[])
        .await
        .expect(409)
        .expect_text("no earlier order");
    // A forged cookie is ignored too.
    let faker = app.client_from("198.51.100.10:4000");
    let page = faker
        .get_with(
            &format!("/t/{}", cafe.token(3)),
            &[("cookie", "tp_visitor=00000000000000000000000000000000")],
        )
        .await;
    page.expect_absent("Ana");
    // Another phone on the same café Wi-Fi (same address, no cookie) is somebody else: the
    // seed greeted it as Ana and let it order, rename and give feedback as her.
    let same_wifi = app.client_from("192.0.2.60:6000");
    let page = same_wifi.get(&format!("/t/{}", cafe.token(3))).await;
    page.expect(200);
    page.expect_absent("Ana");
    page.expect_absent("Order the same again");
    same_wifi
        .post(&format!("/t/{}/reorder", cafe.token(3)), &[])
        .await
        .expect(409);
    same_wifi
        .post(
            &format!("/t/{}/name", cafe.token(3)),
            &[("name", "Mallory")],
        )
        .await
        .expect(303);
    // Renaming created a new visitor; Ana keeps her name.
    ana.get(&format!("/t/{}", cafe.token(2)))
        .await
        .expect_text("Ana &#60;b&#62;");
}

#[actix_web::test]
async fn feedback_once_per_visit_from_the_guests_who_ordered() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.61:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    g.post(
        &format!("/t/{}/feedback", cafe.token(1)),
        &[("overall", "5")],
    )
    .await
    .expect(409);
    let sid = open_session(&app, cafe.tables[0].0);
    app.signed_in("waiter")
        .await
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "card")],
        )
        .await
        .expect(303);
    // The guest whose visit just closed is thanked and asked, not offered the order bar.
    let closed = g.get(&format!("/t/{}", cafe.token(1))).await;
    closed
        .expect_text("How was your visit?")
        .expect_text("Thank you for visiting")
        .expect_text(&format!("/t/{}?new=1", cafe.token(1)));
    closed.expect_absent("Place order");
    // One tap brings the menu back for another round.
    g.get(&format!("/t/{}?new=1", cafe.token(1)))
        .await
        .expect_text("Place order")
        .expect_text("How was your visit?");
    // Someone else at the table later does not get the form.
    let stranger = guest(&app, &cafe, 1, "192.0.2.62:5000").await;
    let page = stranger.get(&format!("/t/{}", cafe.token(1))).await;
    page.expect_absent("How was your visit?");
    assert!(page.body.contains("Place order"));
    stranger
        .post(
            &format!("/t/{}/feedback", cafe.token(1)),
            &[("overall", "1")],
        )
        .await
        .expect(409);
    for bad in [
        &[("overall", "0")][..],
        &[("overall", "6")],
        &[("overall", "5"), ("food", "9")],
        &[("food", "5")],
    ] {
        g.post(&format!("/t/{}/feedback", cafe.token(1)), bad)
            .await
            .expect(422);
    }
    assert_eq!(count!(&app, cafe_feedback::table), 0);
    g.post(
        &format!("/t/{}/feedback", cafe.token(1)),
        &[
            ("overall", "5"),
            ("food", "4"),
            ("service", "5"),
            ("recommend", "yes"),
            ("comment", "Lovely latte"),
        ],
    )
    .await
    .expect(303);
    g.post(
        &format!("/t/{}/feedback", cafe.token(1)),
        &[("overall", "1")],
    )
    .await
    .expect(409)
    .expect_text("already given");
    let (overall, food, rec, comment): (i64, Option<i64>, Option<bool>, String) =
        cafe_feedback::table
            .select((
                cafe_feedback::overall_rating,
                cafe_feedback::food_rating,
                cafe_feedback::would_recommend,
                cafe_feedback::comment,
            ))
            .first(&mut *app.conn())
            .unwrap();
    assert_eq!(
        (overall, food, rec, comment.as_str()),
        (5, Some(4), Some(true), "Lovely latte")
    );
    let after = g.get(&format!("/t/{}", cafe.token(1))).await;
    after
        .expect_text("Thank you for your feedback")
        .expect_text("Order something new");
    after.expect_absent("Place order");
}

#[actix_web::test]
async fn a_background_fetch_leaves_the_order_message_to_the_page() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 4, "192.0.2.142:5000").await;
    order(&g, &cafe, 4, &[("Latte", "1")]).await.expect(303);
    // The live status block is fetched by script while the browser follows the redirect.
    g.get_with(
        &format!("/t/{}/status", cafe.token(4)),
        &[("Sec-Fetch-Mode", "cors")],
    )
    .await
    .expect(200);
    g.get(&format!("/t/{}", cafe.token(4)))
        .await
        .expect_text("Your order went to the kitchen");
}

#[actix_web::test]
async fn the_manager_reads_feedback_with_filters_and_averages() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let waiter = app.signed_in("waiter").await;
    for (table, overall, recommend, comment) in [
        (1usize, "5", "yes", "Lovely <b>latte</b>"),
        (2, "2", "no", "Slow"),
    ] {
        let g = guest(&app, &cafe, table, &format!("192.0.2.7{table}:5000")).await;
        order(&g, &cafe, table, &[("Latte", "1")]).await.expect(303);
        let sid = open_session(&app, cafe.tables[table - 1].0);
        waiter
            .post(
                &format!("/floor/sessions/{sid}/close"),
                &[("payment_method", "cash")],
            )
            .await
            .expect(303);
        g.post(
            &format!("/t/{}/feedback", cafe.token(table)),
            &[
                ("overall", overall),
                ("food", "4"),
                ("recommend", recommend),
                ("comment", comment),
            ],
        )
        .await
        .expect(303);
    }
    let manager = app.signed_in("manager").await;
    let all = manager.get("/feedback").await;
    all.expect(200)
        .expect_text("Lovely &#60;b&#62;latte&#60;/b&#62;")
        .expect_text("Slow")
        .expect_text("3.5 ★")
        .expect_text("4.0 ★")
        .expect_text("50 %")
        .expect_text("/floor/sessions/");
    let low = manager.get("/feedback?rating=2").await;
    low.expect(200).expect_text("Slow").expect_absent("Lovely");
    manager
        .get("/feedback?recommend=yes&table=1")
        .await
        .expect(200)
        .expect_text("Lovely")
        .expect_absent("Slow");
    for bad in ["rating=9", "recommend=maybe", "table=x", "from=2026-13-01"] {
        manager.get(&format!("/feedback?{bad}")).await.expect(400);
    }
    app.signed_in("waiter")
        .await
        .get("/feedback")
        .await
        .expect(403);
}

/// The guest page and the JSON menu keep the menu in memory between requests; a change made
/// behind the app's back (another instance on the same database, a script) shows at once,
/// because the database's own triggers move the counter the kept copy is checked against.
#[actix_web::test]
async fn the_kept_menu_follows_changes_made_by_anyone() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = app.client_from("192.0.2.60:5000");
    let page = format!("/t/{}", cafe.token(1));
    g.get(&page).await.expect(200).expect_text("Latte");
    let menu_json = || async { g.get("/api/menu/").await };
    menu_json().await.expect(200).expect_text("Latte");

    // Renamed and priced in SQL, as another instance would.
    diesel::update(menu_items::table.find(cafe.item("Latte")))
        .set((
            menu_items::name.eq("Flat White"),
            menu_items::name_lc.eq("flat white"),
            menu_items::price_minor.eq(23_456i64),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    g.get(&page)
        .await
        .expect(200)
        .expect_text("Flat White")
        .expect_text("234.56")
        .expect_absent("</span>Latte");
    menu_json()
        .await
        .expect_text("Flat White")
        .expect_absent("\"Latte\"");

    // A category renamed and a cafe setting changed: both are part of the kept page.
    diesel::update(menu_categories::table)
        .filter(menu_categories::name.eq("Coffee"))
        .set(menu_categories::name.eq("Coffee Bar"))
        .execute(&mut *app.conn())
        .unwrap();
    diesel::insert_into(tillpoint::platform::schema::business_settings::table)
        .values((
            tillpoint::platform::schema::business_settings::key.eq("cafe.name"),
            tillpoint::platform::schema::business_settings::value.eq("Kapihan sa Kanto"),
            tillpoint::platform::schema::business_settings::updated_at
                .eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    g.get(&page)
        .await
        .expect_text("Coffee Bar")
        .expect_text("Kapihan sa Kanto");

    // Archived behind the app's back: gone from the page and from the JSON.
    g.get(&page).await.expect_text("</span>Fries");
    menu_json().await.expect_text("\"Fries\"");
    diesel::update(menu_items::table.find(cafe.item("Fries")))
        .set(menu_items::is_active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    g.get(&page).await.expect_absent("</span>Fries");
    menu_json().await.expect_absent("\"Fries\"");
}
