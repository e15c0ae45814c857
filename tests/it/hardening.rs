//! The hostile probe's findings, each as a class: floods, races, tampered input, durability
//! and guest privacy. Through the real app on both databases.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use futures_util::future::join_all;
use tillpoint::platform::auth::password;
use tillpoint::platform::schema::audit_log;
use tillpoint::staff::login::{attempt, Outcome};

use crate::helpers::*;

fn failed_sign_in_rows(app: &TestApp) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq("LOGIN_FAILED"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn random_usernames_from_one_address_are_throttled_and_audited_once_plus_summary() {
    let app = TestApp::new().await;
    let c = app.client_from("203.0.113.7:1000");
    for i in 0..30 {
        c.login(&format!("nobody{i}"), "wrong-password")
            .await
            .expect(401);
    }
    // The 31st, with yet another username, waits: the address is what counts.
    let r = c.login("nobody-else", "wrong-password").await;
    r.expect(429)
        .expect_text("Too many failed sign-in attempts");
    assert!(r.header("retry-after").parse::<i64>().unwrap() > 0);
    // Even a real account with the right password from that address waits.
    c.login("agent", PASSWORD).await.expect(429);
    // Another address is not affected.
    app.client_from("203.0.113.8:1000")
        .login("agent", PASSWORD)
        .await
        .expect(303);
    // The first failure and one summary, not thirty rows.
    assert_eq!(failed_sign_in_rows(&app), 2);
    let (_, _, _, _, changes, _, _) = app
        .audit_rows()
        .into_iter()
        .find(|r| r.0 == "LOGIN_FAILED")
        .unwrap();
    assert!(changes.contains("30 failed sign-ins"), "{changes}");
}

#[actix_web::test]
async fn sixty_simultaneous_wrong_passwords_verify_at_most_the_limit() {
    let app = TestApp::new().await;
    let clients: Vec<Client> = (0..60)
        .map(|_| app.client_from("203.0.113.9:1000"))
        .collect();
    for c in &clients {
        c.token().await;
    }
    let answers = join_all(clients.iter().map(|c| c.login("agent", "wrong-password"))).await;
    let refused = answers.iter().filter(|r| r.status == 401).count();
    let throttled = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused + throttled, 60, "only 401 and 429");
    assert!(refused <= 10, "{refused} passwords were checked");
    assert!(throttled >= 50);
}

#[::core::prelude::v1::test]
fn sixty_threads_guessing_one_account_check_at_most_ten_passwords() {
    let (db, _, _, _cleanup) = fresh_db();
    seed(&mut db.pool().get().unwrap());
    let dummy = password::hash("dummy-password", 4).unwrap();
    let barrier = Arc::new(Barrier::new(60));
    let handles: Vec<_> = (0..60)
        .map(|_| {
            let (db, barrier, dummy) = (db.clone(), barrier.clone(), dummy.clone());
            std::thread::spawn(move || {
                barrier.wait();
                attempt(&db, (&dummy, 60), "agent", "wrong-password", "10.9.9.9")
            })
        })
        .collect();
    let mut checked = 0;
    for h in handles {
        match h.join().unwrap() {
            Ok(Outcome::Refused) => checked += 1,
            Ok(Outcome::SignedIn { .. }) => panic!("a wrong password signed in"),
            Err(e) => assert!(e.to_string().contains("Too many"), "{e}"),
        }
    }
    assert_eq!(checked, 10, "exactly the limit is checked, no more");
}

#[actix_web::test]
async fn guesses_of_the_current_password_are_throttled() {
    let app = TestApp::new().await;
    let c = app.signed_in("waiter").await;
    let change = |current: &'static str| {
        let c = &c;
        async move {
            c.post(
                "/profile/password",
                &[
                    ("current_password", current),
                    ("new_password", "another-pass-9"),
                    ("confirm_password", "another-pass-9"),
                ],
            )
            .await
        }
    };
    for _ in 0..10 {
        change("not-my-password").await.expect(422);
    }
    let r = change("not-my-password").await;
    r.expect(429)
        .expect_text("Too many wrong current passwords");
    assert!(r.header("retry-after").parse::<i64>().unwrap() > 0);
    // The right one also waits until the window ends.
    change(PASSWORD).await.expect(429);
}

#[actix_web::test]
async fn a_picture_claiming_huge_dimensions_is_refused_before_decoding_on_every_upload_route() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let bomb = png_claiming(9000, 9000);
    assert!(bomb.len() < 1000);
    let before = app.audit_count();
    manager
        .upload("/profile/picture", "picture", "bomb.png", &bomb)
        .await
        .expect(422)
        .expect_text("9000×9000");
    let product = insert_product(&mut app.conn(), "Bomb Phone", "4801000000009", 1000, false);
    manager
        .upload(
            &format!("/products/{product}/image"),
            "image",
            "bomb.png",
            &bomb,
        )
        .await
        .expect(422);
    assert_eq!(app.audit_count(), before, "nothing was saved");
    // An ordinary picture still goes through.
    manager
        .upload("/profile/picture", "picture", "ok.png", &png(64, 64))
        .await
        .expect(303);
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// Every pooled connection commits durably: SQLite `synchronous = FULL` (2), PostgreSQL
/// `synchronous_commit = on`.
#[actix_web::test]
async fn every_pooled_connection_commits_durably() {
    let app = TestApp::new().await;
    let held: Vec<_> = (0..4).map(|_| app.conn()).collect();
    for mut c in held {
        let value =
            match &mut *c {
                tillpoint::platform::db::AnyConnection::Sqlite(s) => {
                    diesel::sql_query(
                        "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous",
                    )
                    .get_result::<Setting>(s)
                    .unwrap()
                    .value
                }
                tillpoint::platform::db::AnyConnection::Pg(p) => diesel::sql_query(
                    "SELECT setting AS value FROM pg_settings WHERE name = 'synchronous_commit'",
                )
                .get_result::<Setting>(p)
                .unwrap()
                .value,
            };
        let expected = if is_postgres() { "on" } else { "2" };
        assert_eq!(value, expected);
    }
}

/// The one-time key the page's order form carries.
fn order_key(page: &str) -> String {
    let marker = "name=\"order_key\" value=\"";
    let start = page.find(marker).expect("the form carries a one-time key") + marker.len();
    page[start..start + 32].to_string()
}

fn tickets(app: &TestApp) -> i64 {
    tillpoint::platform::schema::kitchen_tickets::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_guest_order_sent_twice_or_racing_itself_is_placed_once() {
    use crate::cafe::{guest, setup};
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.70:5000").await;
    let page = g.get(&format!("/t/{}", cafe.token(1))).await;
    let key = order_key(&page.body);
    let qty = format!("qty_{}", cafe.item("Latte"));
    let fields = [(qty.as_str(), "2"), ("order_key", key.as_str())];
    let path = format!("/t/{}/order", cafe.token(1));
    g.post(&path, &fields).await.expect(303);
    let audit = app.audit_count();
    // A retry (lost answer, double tap after the page moved on): the first order, again.
    g.post(&path, &fields).await.expect(303);
    assert_eq!(tickets(&app), 1);
    assert_eq!(app.audit_count(), audit, "a repeat writes nothing");
    // Two tabs sending a new key at the same moment: one ticket.
    let key2 = order_key(&g.get(&format!("/t/{}", cafe.token(1))).await.body);
    let fields2 = [(qty.as_str(), "1"), ("order_key", key2.as_str())];
    let answers = join_all((0..4).map(|_| g.post(&path, &fields2))).await;
    assert!(
        answers.iter().all(|r| r.status == 303),
        "every copy is answered"
    );
    assert_eq!(tickets(&app), 2);
    // A key that is not one of ours is refused.
    g.post(&path, &[(qty.as_str(), "1"), ("order_key", "not-a-key")])
        .await
        .expect(400);
    assert_eq!(tickets(&app), 2);
}

#[::core::prelude::v1::test]
fn one_order_key_racing_on_threads_makes_one_ticket() {
    use tillpoint::cafe::ordering::{place_guest_order, OrderLine, OrderRequest};
    use tillpoint::cafe::visitors::GuestHint;
    let rt = actix_web::rt::System::new();
    let (app, cafe) = rt.block_on(async {
        let app = TestApp::new().await;
        let cafe = crate::cafe::setup(&app);
        (app, cafe)
    });
    let token = cafe.token(2).to_string();
    let item = cafe.item("Burger");
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (db, barrier, token) = (app.db.clone(), barrier.clone(), token.clone());
            std::thread::spawn(move || {
                let hint = GuestHint {
                    key: None,
                    ip: Some(format!("10.1.1.{i}")),
                };
                let req = OrderRequest {
                    lines: vec![OrderLine {
                        menu_item_id: item,
                        quantity: 1,
                        notes: String::new(),
                        options: Vec::new(),
                        hold: false,
                        seat: None,
                    }],
                    notes: String::new(),
                    key: Some("0123456789abcdef0123456789abcdef".into()),
                };
                barrier.wait();
                let mut conn = db.pool().get().unwrap();
                tillpoint::platform::db::write_tx(&mut conn, |c| {
                    place_guest_order(c, &token, &hint, &req, chrono::Utc::now().naive_utc())
                        .map(|p| p.0.ticket_id)
                })
            })
        })
        .collect();
    let ids: Vec<i64> = handles
        .into_iter()
        .map(|h| h.join().unwrap().expect("every copy gets the first ticket"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    assert_eq!(tickets(&app), 1);
}

#[actix_web::test]
async fn the_waiters_order_form_is_placed_once() {
    use crate::cafe::{guest, open_session, order, setup};
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.71:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[0].0);
    let waiter = app.signed_in("waiter").await;
    let page = waiter.get(&format!("/floor/sessions/{sid}")).await;
    let key = order_key(&page.body);
    let item = cafe.item("Burger").to_string();
    let fields = [
        ("menu_item_id", item.as_str()),
        ("quantity", "1"),
        ("order_key", key.as_str()),
    ];
    for _ in 0..3 {
        waiter
            .post(&format!("/floor/sessions/{sid}/lines"), &fields)
            .await
            .expect(303);
    }
    assert_eq!(tickets(&app), 2, "the guest's and one from the waiter");
}

#[actix_web::test]
async fn anonymous_guest_writes_are_rate_limited() {
    use crate::cafe::{guest, order, setup};
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.72:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let before = app.audit_count();
    let call = format!("/t/{}/call", cafe.token(1));
    // A waiting call is one flag and one audit row, however often it is pressed …
    for _ in 0..5 {
        g.post(&call, &[]).await.expect(303);
    }
    assert_eq!(app.audit_count(), before + 1);
    // … and a flood is refused with a wait, from any phone at that table.
    let mut refused = None;
    for i in 0..30 {
        let other = app.client_from(&format!("192.0.2.{}:5000", 100 + i));
        let r = other.post(&call, &[]).await;
        if r.status == 429 {
            refused = Some(r);
            break;
        }
        r.expect(303);
    }
    let r = refused.expect("the table's calls are limited");
    assert!(r.header("retry-after").parse::<i64>().unwrap() > 0);
    r.expect_text("We have already let the staff know.");
    assert_eq!(app.audit_count(), before + 1);
    // Names: limited per visitor.
    let name = format!("/t/{}/name", cafe.token(1));
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(
            g.post(&name, &[("name", &format!("Guest {i}"))])
                .await
                .status,
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 429));
}

#[actix_web::test]
async fn tampered_return_paths_go_to_a_safe_default_after_the_change_is_saved() {
    use crate::cafe::setup;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    let latte = cafe.item("Latte");
    for back in [
        "/menu\r\nSet-Cookie: x=1",
        "//evil.example/menu",
        "/menu\u{0}",
        "https://x/",
    ] {
        let r = m
            .post(&format!("/menu/{latte}/stock"), &[("back", back)])
            .await;
        r.expect(303);
        assert_eq!(r.location(), "/menu", "{back:?}");
    }
    // The sign-in page never puts a tampered `next` into its form.
    let anonymous = app.client();
    let page = anonymous.get("/login?next=%2Fmenu%0D%0AX%3A%20y").await;
    page.expect(200);
    assert!(
        page.body.contains("name=\"next\" value=\"\""),
        "tampered next dropped"
    );
    let r = anonymous
        .post(
            "/login",
            &[
                ("username", "manager"),
                ("password", PASSWORD),
                ("next", "/menu\r\nX: y"),
            ],
        )
        .await;
    r.expect(303);
    assert_eq!(r.location(), "/dashboard");
}

#[actix_web::test]
async fn flash_messages_never_outgrow_the_cookie() {
    use crate::cafe::setup;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    let coffee = menu_category(&app, "Coffee");
    let long = "L".repeat(120);
    let r = m
        .post(
            "/menu",
            &[
                ("name", long.as_str()),
                ("category_id", coffee.as_str()),
                ("price", "100"),
            ],
        )
        .await;
    r.expect(303);
    let id: i64 = r.location().split('/').nth(2).unwrap().parse().unwrap();
    // Twenty one-click toggles of a long-named item, without reading a page in between.
    for _ in 0..20 {
        m.post(&format!("/menu/{id}/stock"), &[]).await.expect(303);
        m.post(&format!("/menu/{id}/trending"), &[])
            .await
            .expect(303);
    }
    let cookie = m.cookie("tillpoint_session").unwrap();
    assert!(
        cookie.len() < 3000,
        "session cookie is {} bytes",
        cookie.len()
    );
    let page = m.get("/menu").await;
    page.expect(200);
    let _ = cafe;
}

fn menu_category(app: &TestApp, name: &str) -> String {
    use tillpoint::platform::schema::menu_categories;
    menu_categories::table
        .filter(menu_categories::name.eq(name))
        .select(menu_categories::id)
        .first::<i64>(&mut *app.conn())
        .unwrap()
        .to_string()
}

#[actix_web::test]
async fn ids_amounts_and_names_are_strict() {
    use crate::cafe::setup;
    use tillpoint::platform::schema::menu_items;
    let app = TestApp::new().await;
    setup(&app);
    let m = app.signed_in("manager").await;
    let coffee = menu_category(&app, "Coffee");
    let count = |app: &TestApp| -> i64 {
        menu_items::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let before = (count(&app), app.audit_count());
    let base = [
        ("name", "Flat White"),
        ("category_id", coffee.as_str()),
        ("price", "190"),
    ];
    // A branch that does not parse is refused, not replaced by the default branch.
    let mut with_branch = base.to_vec();
    with_branch.push(("branch_id", "1; DROP"));
    m.post("/menu", &with_branch).await.expect(400);
    for price in ["1e1", "-0", "1,2,3", "12,50", ".5", "+5"] {
        let mut f = base.to_vec();
        f.retain(|(k, _)| *k != "price");
        f.push(("price", price));
        let r = m.post("/menu", &f).await;
        assert_eq!(r.status, 422, "price {price:?}");
    }
    for name in ["\u{200B}\u{200B}", "\u{202E}\u{2066}", "\u{FEFF}"] {
        let mut f = base.to_vec();
        f.retain(|(k, _)| *k != "name");
        f.push(("name", name));
        m.post("/menu", &f)
            .await
            .expect(422)
            .expect_text("cannot be made only of invisible characters");
    }
    assert_eq!(
        (count(&app), app.audit_count()),
        before,
        "nothing was written"
    );
    for rate in ["1e1", "-0", "1,5"] {
        let r = m
            .post("/settings/cafe", &[("name", "Cafe"), ("tax_rate", rate)])
            .await;
        assert!(
            r.status == 422 || r.status == 400,
            "tax {rate:?} → {}",
            r.status
        );
    }
    // Invisible characters are stripped from names that have visible ones.
    let mut f = base.to_vec();
    f.retain(|(k, _)| *k != "name");
    f.push(("name", "Mo\u{200B}cha\u{202E}"));
    m.post("/menu", &f).await.expect(303);
    let names: Vec<String> = menu_items::table
        .select(menu_items::name)
        .load(&mut *app.conn())
        .unwrap();
    assert!(names.contains(&"Mocha".to_string()), "{names:?}");
    // Categories are unique whatever the case.
    m.post("/menu/categories", &[("name", "coffee")])
        .await
        .expect(409);
    m.post("/categories", &[("name", "LAPTOP")])
        .await
        .expect(409);
}

#[actix_web::test]
async fn bulk_completion_says_what_happened_and_done_tickets_keep_their_priority() {
    use crate::cafe::{guest, order, setup};
    use tillpoint::platform::schema::kitchen_tickets;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.80:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    order(&g, &cafe, 1, &[("Burger", "1")]).await.expect(303);
    let ids: Vec<i64> = kitchen_tickets::table
        .order(kitchen_tickets::id.asc())
        .select(kitchen_tickets::id)
        .load(&mut *app.conn())
        .unwrap();
    let k = app.signed_in("kitchen").await;
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    k.post(&format!("/kitchen/tickets/{a}/done"), &[])
        .await
        .expect(303);
    let r = k
        .post(
            "/kitchen/tickets/complete",
            &[("ids", a.as_str()), ("ids", b.as_str()), ("ids", "999999")],
        )
        .await;
    r.expect(303);
    k.get(r.location())
        .await
        .expect_text("1 marked ready, 1 already done, 1 not found.");
    k.post("/kitchen/tickets/complete", &[("ids", "999999")])
        .await
        .expect(409)
        .expect_text("Nothing was marked ready: 0 marked ready, 1 not found.");
    k.post(
        &format!("/kitchen/tickets/{a}/priority"),
        &[("priority", "urgent")],
    )
    .await
    .expect(409)
    .expect_text("already done");
}

#[actix_web::test]
async fn an_archived_tables_status_cannot_change() {
    use crate::cafe::setup;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    let table = cafe.tables[3].0;
    m.post(&format!("/tables/{table}/archive"), &[])
        .await
        .expect(303);
    let w = app.signed_in("waiter").await;
    w.post(
        &format!("/floor/tables/{table}/status"),
        &[("status", "maintenance")],
    )
    .await
    .expect(409)
    .expect_text("archived");
}

#[actix_web::test]
async fn methods_heads_and_bodies() {
    let app = TestApp::new().await;
    let c = app.client();
    for path in ["/login", "/healthz", "/static/css/app.css"] {
        let r = c.send_method("HEAD", path).await;
        assert_eq!(r.status, 200, "HEAD {path}");
    }
    let r = c.send_method("PUT", "/login").await;
    r.expect(405);
    assert_eq!(r.header("allow"), "GET, HEAD, POST");
    c.send_method("DELETE", "/employees").await.expect(405);
    c.send_method("FROB", "/login").await.expect(405);
    c.send_method("PUT", "/no-such-page").await.expect(404);
    // Bodies over the limit: 413, whatever the kind.
    let agent = app.signed_in("agent").await;
    let big = serde_json::json!({ "idempotency_key": "x".repeat(300 * 1024), "lines": [] });
    agent
        .post_json("/pos/checkout/cash", &big)
        .await
        .expect(413);
    let long = "x".repeat(70 * 1024);
    agent
        .post("/profile", &[("email", &long)])
        .await
        .expect(413);
}

/// A handler routed without a row in the route table is refused by the guard itself: it
/// fails closed (in the real app `known_route` answers first, with the same refusal).
#[actix_web::test]
async fn a_route_missing_from_the_route_table_is_refused() {
    use actix_web::middleware::from_fn;
    use actix_web::{http::Method, test, web, App};
    use tillpoint::platform::auth::guard::{guard, RouteAccess};
    use tillpoint::platform::auth::{Access, Reply};
    let mut access = RouteAccess::default();
    access.insert(Method::GET, "/listed", Access::Public, Reply::Html);
    let svc = test::init_service(
        App::new()
            .app_data(web::Data::new(access))
            .route("/listed", web::get().to(|| async { "ok" }))
            .route("/sneaky", web::get().to(|| async { "secret" }))
            .wrap(from_fn(guard)),
    )
    .await;
    let get = |uri: &str| test::TestRequest::get().uri(uri).to_request();
    assert_eq!(test::call_service(&svc, get("/listed")).await.status(), 200);
    assert_eq!(test::call_service(&svc, get("/sneaky")).await.status(), 403);
    assert_eq!(
        test::call_service(&svc, get("/nowhere")).await.status(),
        404
    );
}

#[actix_web::test]
async fn a_trading_branch_cannot_be_archived_and_an_archived_one_is_read_only() {
    use crate::cafe::{guest, open_session, order, setup};
    use tillpoint::platform::schema::branches;
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let branch = app.seed.main_branch;
    let g = guest(&app, &cafe, 1, "192.0.2.90:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let m = app.signed_in("manager").await;
    let before = app.audit_count();
    m.post(&format!("/branches/{branch}/archive"), &[])
        .await
        .expect(409)
        .expect_text("is still trading")
        .expect_text("table 1 (unprinted)")
        .expect_text("1 kitchen ticket(s) not done");
    assert_eq!(app.audit_count(), before);
    // Settled: the bill closed and the ticket done (staff still block it, as before).
    let sid = open_session(&app, cafe.tables[0].0);
    let w = app.signed_in("waiter").await;
    w.post(
        &format!("/floor/sessions/{sid}/close"),
        &[("payment_method", "cash")],
    )
    .await
    .expect(303);
    // Archived (as when its staff have moved on): QR codes stop, the records stay visible.
    diesel::update(branches::table.find(branch))
        .set(branches::is_active.eq(false))
        .execute(&mut *app.conn())
        .unwrap();
    app.client_from("192.0.2.91:5000")
        .get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect(404);
    g.post(
        &format!("/t/{}/order", cafe.token(1)),
        &[(&format!("qty_{}", cafe.item("Latte")), "1")],
    )
    .await
    .expect(404);
    m.get(&format!("/floor?branch={branch}"))
        .await
        .expect(200)
        .expect_text("is archived: you can look back at its records");
    m.get(&format!("/kitchen?branch={branch}"))
        .await
        .expect(200)
        .expect_text("is archived");
    m.get(&format!("/sales?branch_id={branch}&from=&to="))
        .await
        .expect(200);
    let tickets_before = tickets(&app);
    m.post(
        "/floor/takeaway",
        &[
            ("kind", "takeaway"),
            ("customer_name", "Ana"),
            ("branch", &branch.to_string()),
        ],
    )
    .await
    .expect(409)
    .expect_text("takes no new orders");
    m.post(&format!("/floor/tables/{}/open", cafe.tables[1].0), &[])
        .await
        .expect(409);
    assert_eq!(tickets(&app), tickets_before);
}
