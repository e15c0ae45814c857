//! The cafe through the real application: guests ordering from their table (plain forms, no
//! JavaScript), the kitchen, the floor, bills, QR codes, visitors, and the races.

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use diesel::prelude::*;

use tillpoint::cafe::menu::model as menu;
use tillpoint::cafe::menu::rules::MenuItemInput;
use tillpoint::cafe::ordering::{self, OrderLine, OrderRequest};
use tillpoint::cafe::sales::{self, PaymentMethod};
use tillpoint::cafe::tables::model as tables;
use tillpoint::cafe::tables::rules::{TableInput, TableStatus};
use tillpoint::cafe::visitors::GuestHint;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::auth::{password, Role};
use tillpoint::platform::db::write_tx;
use tillpoint::platform::money::Money;
use tillpoint::platform::schema::{
    cafe_feedback, cafe_sales, cafe_session_lines, cafe_sessions, cafe_tables, kitchen_tickets,
    menu_categories, menu_items,
};

use crate::helpers::*;

pub(crate) struct Cafe {
    /// (table id, token) of tables 1..=4
    pub tables: Vec<(i64, String)>,
    pub items: HashMap<&'static str, i64>,
}

impl Cafe {
    pub fn token(&self, n: usize) -> &str {
        &self.tables[n - 1].1
    }
    pub fn item(&self, name: &str) -> i64 {
        self.items[name]
    }
}

fn item(
    conn: &mut tillpoint::platform::db::AnyConnection,
    name: &str,
    category: &str,
    price: i64,
    veg: bool,
    in_stock: bool,
) -> MenuItemInput {
    let category_id: i64 = menu_categories::table
        .filter(menu_categories::name.eq(category))
        .select(menu_categories::id)
        .first(conn)
        .unwrap();
    MenuItemInput {
        name: name.into(),
        category_id,
        price: Money(price),
        description: format!("{name}, made here"),
        emoji: "☕".into(),
        is_veg: veg,
        calories: Some(120),
        allergens: "dairy".into(),
        allergens_other: String::new(),
        serving_size: String::new(),
        prep_minutes: 10,
        sort_order: 0,
        trending: name == "Latte",
        in_stock,
    }
}

pub(crate) fn setup(app: &TestApp) -> Cafe {
    let branch = app.seed.main_branch;
    let mut conn = app.conn();
    write_tx(&mut conn, |c| {
        let actor = Actor::system();
        let mut items = HashMap::new();
        for (name, cat, price, veg, stock) in [
            ("Latte", "Coffee", 18000, true, true),
            ("Fries", "Snacks", 12000, true, true),
            ("Burger", "Burgers", 32000, false, true),
            ("Brownie", "Desserts", 18000, true, false),
        ] {
            let input = item(c, name, cat, price, veg, stock);
            items.insert(name, menu::create(c, &actor, branch, &input).unwrap());
        }
        let mut tabs = Vec::new();
        for n in 1..=4 {
            let id = tables::create(
                c,
                &actor,
                branch,
                &TableInput {
                    number: n,
                    capacity: 4,
                    location: "Window".into(),
                    status: TableStatus::Available,
                },
            )
            .unwrap();
            let token: String = cafe_tables::table
                .find(id)
                .select(cafe_tables::token)
                .first(c)
                .unwrap();
            tabs.push((id, token));
        }
        Ok::<_, diesel::result::Error>(Cafe {
            tables: tabs,
            items,
        })
    })
    .unwrap()
}

macro_rules! count {
    ($app:expr, $table:expr) => {{
        let n: i64 = $table.count().get_result(&mut *$app.conn()).unwrap();
        n
    }};
}

fn written(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    (
        count!(app, cafe_sessions::table),
        count!(app, kitchen_tickets::table),
        count!(app, cafe_session_lines::table),
        count!(app, cafe_sales::table),
        app.audit_count(),
    )
}

pub(crate) async fn guest(app: &TestApp, cafe: &Cafe, table: usize, peer: &str) -> Client {
    let g = app.client_from(peer);
    g.get(&format!("/t/{}", cafe.token(table)))
        .await
        .expect(200);
    g
}

pub(crate) async fn order(g: &Client, cafe: &Cafe, table: usize, lines: &[(&str, &str)]) -> Resp {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|(name, qty)| (format!("qty_{}", cafe.item(name)), qty.to_string()))
        .collect();
    let fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    g.post(&format!("/t/{}/order", cafe.token(table)), &fields)
        .await
}

pub(crate) fn open_session(app: &TestApp, table_id: i64) -> i64 {
    cafe_sessions::table
        .filter(cafe_sessions::table_id.eq(table_id))
        .filter(cafe_sessions::closed_at.is_null())
        .select(cafe_sessions::id)
        .first(&mut *app.conn())
        .unwrap()
}

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
async fn the_kitchen_starts_finishes_and_prioritises_tickets() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "192.0.2.57:5000").await;
    order(&g, &cafe, 1, &[("Burger", "2")]).await.expect(303);
    order(&g, &cafe, 1, &[("Fries", "1")]).await.expect(303);
    let ids: Vec<i64> = kitchen_tickets::table
        .order(kitchen_tickets::id.asc())
        .select(kitchen_tickets::id)
        .load(&mut *app.conn())
        .unwrap();
    // The kitchen of another branch cannot touch these tickets or this menu.
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebucook",
        Role::Kitchen,
        Some(app.seed.cebu_branch),
        &hash,
    );
    let cebu = app.signed_in("cebucook").await;
    assert!(!cebu.get("/kitchen").await.body.contains("Burger"));
    cebu.post(&format!("/kitchen/tickets/{}/start", ids[0]), &[])
        .await
        .expect(403);
    cebu.post(
        &format!("/kitchen/tickets/{}/priority", ids[0]),
        &[("priority", "2")],
    )
    .await
    .expect(403);
    cebu.post(&format!("/menu/{}/stock", cafe.item("Fries")), &[])
        .await
        .expect(403);
    let k = app.signed_in("kitchen").await;
    let page = k.get("/kitchen").await;
    page.expect(200)
        .expect_text("2 ×</strong> Burger")
        .expect_text("2 new");
    // Oldest first within priority; an urgent ticket jumps the queue.
    k.post(
        &format!("/kitchen/tickets/{}/priority", ids[1]),
        &[("priority", "2")],
    )
    .await
    .expect(303);
    k.post(
        &format!("/kitchen/tickets/{}/priority", ids[1]),
        &[("priority", "9")],
    )
    .await
    .expect(422);
    let body = k.get("/kitchen/tickets").await.body;
    assert!(
        body.find(&format!("data-ticket=\"{}\"", ids[1]))
            < body.find(&format!("data-ticket=\"{}\"", ids[0]))
    );
    k.post(&format!("/kitchen/tickets/{}/start", ids[0]), &[])
        .await
        .expect(303);
    k.post(&format!("/kitchen/tickets/{}/start", ids[0]), &[])
        .await
        .expect(409);
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("Preparing");
    k.post(&format!("/kitchen/tickets/{}/done", ids[0]), &[])
        .await
        .expect(303);
    k.post(&format!("/kitchen/tickets/{}/done", ids[0]), &[])
        .await
        .expect(409)
        .expect_text("already ready");
    let done: Option<chrono::NaiveDateTime> = kitchen_tickets::table
        .find(ids[0])
        .select(kitchen_tickets::completed_at)
        .first(&mut *app.conn())
        .unwrap();
    assert!(done.is_some());
    k.post("/kitchen/tickets/complete", &[("ids", "abc")])
        .await
        .expect(400);
    k.post("/kitchen/tickets/complete", &[]).await.expect(422);
    k.post("/kitchen/tickets/complete", &[("ids", &ids[1].to_string())])
        .await
        .expect(303);
    let open: i64 = kitchen_tickets::table
        .filter(kitchen_tickets::status.ne("completed"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(open, 0);
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("<li class=\"done\">Ready</li>");
    // 86 from the kitchen: the guest sees it sold out and cannot order it.
    k.post(
        &format!("/menu/{}/stock", cafe.item("Fries")),
        &[("back", "/kitchen")],
    )
    .await
    .expect(303);
    let before = written(&app);
    order(&g, &cafe, 1, &[("Fries", "1")])
        .await
        .expect(409)
        .expect_text("sold out");
    assert_eq!(written(&app), before);
    k.post(&format!("/menu/{}/trending", cafe.item("Fries")), &[])
        .await
        .expect(403);
}

pub(crate) async fn next_chunk(body: &mut actix_web::body::BoxBody) -> String {
    next_chunk_within(body, 2).await
}

#[actix_web::test]
async fn the_kitchen_and_the_guest_hear_about_new_tickets_at_once() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let k = app.signed_in("kitchen").await;
    let resp = k.open("/kitchen/events").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "text/event-stream"
    );
    let mut kitchen_feed = resp.into_body();
    assert!(next_chunk(&mut kitchen_feed).await.contains("event: hello"));
    let g = guest(&app, &cafe, 2, "192.0.2.58:5000").await;
    order(&g, &cafe, 2, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[1].0);
    assert_eq!(
        next_chunk(&mut kitchen_feed).await,
        format!("event: ticket_new\ndata: {{\"session_id\":{sid}}}\n\n")
    );
    // The guest's own feed follows their ticket.
    let mut guest_feed = g
        .open(&format!("/t/{}/events", cafe.token(2)))
        .await
        .into_body();
    assert!(next_chunk(&mut guest_feed).await.contains("hello"));
    let ticket: i64 = kitchen_tickets::table
        .select(kitchen_tickets::id)
        .first(&mut *app.conn())
        .unwrap();
    k.post(&format!("/kitchen/tickets/{ticket}/start"), &[])
        .await
        .expect(303);
    assert!(next_chunk(&mut guest_feed)
        .await
        .starts_with("event: ticket\n"));
    assert!(next_chunk(&mut kitchen_feed)
        .await
        .starts_with("event: ticket\n"));
    // Another branch's kitchen hears nothing of it; a waiter may not listen at all.
    let waiter_feed = app.signed_in("waiter").await.open("/kitchen/events").await;
    assert_eq!(
        waiter_feed.status(),
        403,
        "a waiter may not listen to the kitchen"
    );
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
    assert!(!page.body.contains("Ana <b>"), "names are escaped");
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
    assert!(!page.body.contains("Ana"));
    // Another phone on the same café Wi-Fi (same address, no cookie) is somebody else: the
    // seed greeted it as Ana and let it order, rename and give feedback as her.
    let same_wifi = app.client_from("192.0.2.60:6000");
    let page = same_wifi.get(&format!("/t/{}", cafe.token(3))).await;
    page.expect(200);
    assert!(!page.body.contains("Ana"), "an address reveals nobody");
    assert!(!page.body.contains("Order the same again"));
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
    assert!(!closed.body.contains("Place order"));
    // One tap brings the menu back for another round.
    g.get(&format!("/t/{}?new=1", cafe.token(1)))
        .await
        .expect_text("Place order")
        .expect_text("How was your visit?");
    // Someone else at the table later does not get the form.
    let stranger = guest(&app, &cafe, 1, "192.0.2.62:5000").await;
    let page = stranger.get(&format!("/t/{}", cafe.token(1))).await;
    assert!(!page.body.contains("How was your visit?"));
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
    assert!(!after.body.contains("Place order"));
}

fn decode_qr(png: &[u8]) -> String {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32)[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[actix_web::test]
async fn qr_codes_lead_to_the_guest_page_at_the_public_address() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    let settings = [
        ("name", "Test Cafe"),
        ("tax_rate", "5"),
        ("public_base_url", "http://192.168.1.20:8080/"),
        ("footer", "Thanks"),
        ("upi_id", "cafe@bank"),
    ];
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "javascript:alert(1)"),
        ],
    )
    .await
    .expect(422);
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "-5"),
            ("public_base_url", "http://a"),
        ],
    )
    .await
    .expect(422);
    for bad in [
        [
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", "no-at-sign"),
        ],
        [
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", "a@b&am=1"),
        ],
        [
            ("name", ""),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("upi_id", ""),
        ],
        [
            ("name", "X"),
            ("tax_rate", "51"),
            ("public_base_url", "http://a"),
            ("upi_id", ""),
        ],
    ] {
        m.post("/settings/cafe", &bad).await.expect(422);
    }
    let too_long = "G".repeat(31);
    m.post(
        "/settings/cafe",
        &[
            ("name", "X"),
            ("tax_rate", "5"),
            ("public_base_url", "http://a"),
            ("gst_number", &too_long),
        ],
    )
    .await
    .expect(422);
    m.post("/settings/cafe", &settings).await.expect(303);
    let (id, token) = cafe.tables[0].clone();
    let png = m
        .get_with(&format!("/tables/{id}/qr.png"), &[("host", "evil.example")])
        .await;
    png.expect(200);
    assert_eq!(png.header("content-type"), "image/png");
    assert_eq!(
        decode_qr(&png.bytes),
        format!("http://192.168.1.20:8080/t/{token}")
    );
    let etag = png.header("etag").to_string();
    m.get_with(&format!("/tables/{id}/qr.png"), &[("if-none-match", &etag)])
        .await
        .expect(304);
    let svg = m.get(&format!("/tables/{id}/qr.svg")).await;
    svg.expect(200);
    assert!(svg.body.starts_with("<svg"));
    m.get("/tables")
        .await
        .expect_text(&format!("http://192.168.1.20:8080/t/{token}"));
    let sheet = m
        .get(&format!(
            "/tables/qr-sheet?ids={id}&ids={}",
            cafe.tables[1].0
        ))
        .await;
    sheet.expect(200);
    assert_eq!(sheet.body.matches("class=\"qr-card\"").count(), 2);
    m.get("/tables/qr-sheet").await.expect(200);
    m.get("/tables/qr-sheet?ids=abc").await.expect(400);
    // A new token: the old printed code stops working, the new one works.
    m.post(&format!("/tables/{id}/token"), &[])
        .await
        .expect(303);
    let new_token: String = cafe_tables::table
        .find(id)
        .select(cafe_tables::token)
        .first(&mut *app.conn())
        .unwrap();
    assert_ne!(new_token, token);
    app.client().get(&format!("/t/{token}")).await.expect(404);
    app.client()
        .get(&format!("/t/{new_token}"))
        .await
        .expect(200);
    let png = m.get(&format!("/tables/{id}/qr.png")).await;
    assert_eq!(
        decode_qr(&png.bytes),
        format!("http://192.168.1.20:8080/t/{new_token}")
    );
    assert_ne!(png.header("etag"), etag);
    // Table rules: unique numbers per branch, valid values.
    m.post("/tables", &[("number", "1"), ("capacity", "2")])
        .await
        .expect(409)
        .expect_field_error("number", "already has a table 1");
    for (n, c) in [("0", "2"), ("x", "2"), ("5", "0"), ("5", "1000")] {
        m.post("/tables", &[("number", n), ("capacity", c)])
            .await
            .expect(422);
    }
    m.post(
        "/tables",
        &[("number", "9"), ("capacity", "6"), ("location", "Terrace")],
    )
    .await
    .expect(303);
    m.post(&format!("/tables/{id}/archive"), &[])
        .await
        .expect(303);
    app.client()
        .get(&format!("/t/{new_token}"))
        .await
        .expect(404);
    m.get(&format!("/tables/{id}/qr.png")).await.expect(409);
}

#[actix_web::test]
async fn managers_keep_the_menu() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    m.get("/menu")
        .await
        .expect(200)
        .expect_text("Latte")
        .expect_text("Sold out");
    m.get("/menu?stock=out")
        .await
        .expect(200)
        .expect_text("Brownie");
    m.get("/menu?stock=maybe").await.expect(400);
    let coffee: i64 = menu_categories::table
        .filter(menu_categories::name.eq("Coffee"))
        .select(menu_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    let coffee = coffee.to_string();
    let before = count!(&app, menu_items::table);
    for (field, value) in [
        ("price", "-1"),
        ("price", "abc"),
        ("name", ""),
        ("calories", "-5"),
        ("allergens", "plutonium"),
        ("category_id", "99999"),
    ] {
        let mut fields = vec![
            ("name", "Flat White"),
            ("category_id", coffee.as_str()),
            ("price", "190"),
            ("in_stock", "on"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let r = m.post("/menu", &fields).await;
        assert!(r.status == 422, "{field}={value} → {}", r.status);
        // Each refusal sits beside its own input, the service's (no such category) too.
        r.expect_field_error(field, "");
    }
    assert_eq!(count!(&app, menu_items::table), before);
    let r = m
        .post(
            "/menu",
            &[
                ("name", "Flat White"),
                ("category_id", &coffee),
                ("price", "190.50"),
                ("allergens", "dairy"),
                ("allergens", "nuts"),
                ("calories", "150"),
                ("is_veg", "on"),
                ("in_stock", "on"),
                ("sort_order", "1"),
            ],
        )
        .await;
    r.expect(303);
    let (price, allergens, veg, stock): (i64, String, bool, bool) = menu_items::table
        .filter(menu_items::name.eq("Flat White"))
        .select((
            menu_items::price_minor,
            menu_items::allergens,
            menu_items::is_veg,
            menu_items::in_stock,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (price, allergens.as_str(), veg, stock),
        (19050, "dairy,nuts", true, true)
    );
    // Editing refuses bad values and keeps the item as it was.
    let latte = cafe.item("Latte");
    for (field, value) in [
        ("price", "-3"),
        ("name", ""),
        ("prep_minutes", "1000"),
        ("sort_order", "x"),
    ] {
        let mut fields = vec![
            ("name", "Latte"),
            ("category_id", coffee.as_str()),
            ("price", "180"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        m.post(&format!("/menu/{latte}"), &fields).await.expect(422);
    }
    let price: i64 = menu_items::table
        .find(latte)
        .select(menu_items::price_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(price, 18000);
    m.post(
        "/menu/999999",
        &[("name", "X"), ("category_id", &coffee), ("price", "1")],
    )
    .await
    .expect(404);
    // A toggle writes one audit row per real change.
    let before = app.audit_count();
    m.post(
        &format!("/menu/{latte}/trending"),
        &[("back", "https://evil.example/")],
    )
    .await
    .expect(303);
    assert_eq!(app.audit_count(), before + 1);
    assert_eq!(
        app.audit_rows()[0].4,
        r#"{"trending":{"new":false,"old":true}}"#
    );

    // Archive: guests no longer see it; the kitchen cannot archive.
    let id = cafe.item("Burger");
    app.signed_in("kitchen")
        .await
        .post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(403);
    m.post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(303);
    m.post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(409);
    let page = app
        .client_from("192.0.2.70:1")
        .get(&format!("/t/{}", cafe.token(1)))
        .await;
    assert!(!page.body.contains("Burger"));
    assert!(page.body.contains("Flat White"));
    // Categories: a used category cannot be archived.
    m.post(&format!("/menu/categories/{coffee}/archive"), &[])
        .await
        .expect(409);
    m.post("/menu/categories", &[("name", "Coffee")])
        .await
        .expect(409);
    m.post("/menu/categories", &[("name", "Breakfast")])
        .await
        .expect(303);
    m.get("/menu/categories").await.expect_text("Breakfast");
}

fn guest_order(
    db: &tillpoint::platform::db::Db,
    token: &str,
    ip: String,
    items: &[(i64, i64)],
) -> Result<ordering::Placed, tillpoint::platform::error::AppError> {
    let hint = GuestHint {
        key: None,
        ip: Some(ip),
    };
    let req = OrderRequest {
        lines: items
            .iter()
            .map(|(id, q)| OrderLine {
                menu_item_id: *id,
                quantity: *q,
                notes: String::new(),
            })
            .collect(),
        notes: String::new(),
        key: None,
    };
    let mut conn = db.pool().get().unwrap();
    write_tx(&mut conn, |c| {
        ordering::place_guest_order(c, token, &hint, &req, chrono::Utc::now().naive_utc())
            .map(|p| p.0)
    })
}

#[actix_web::test]
async fn eight_guests_ordering_on_four_tables_at_once_all_succeed() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let barrier = Arc::new(Barrier::new(8));
    let (latte, fries) = (cafe.item("Latte"), cafe.item("Fries"));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let db = app.db.clone();
            let token = cafe.tables[i % 4].1.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                guest_order(
                    &db,
                    &token,
                    format!("10.20.0.{i}"),
                    &[(latte, 1), (fries, 2)],
                )
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().expect("every order succeeds");
    }
    assert_eq!(count!(&app, kitchen_tickets::table), 8);
    assert_eq!(count!(&app, cafe_session_lines::table), 16);
    assert_eq!(
        count!(&app, cafe_sessions::table),
        4,
        "one session per table"
    );
}

#[actix_web::test]
async fn two_waiters_closing_one_bill_at_once_make_one_sale() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    for round in 0..3 {
        let placed = guest_order(
            &app.db,
            cafe.token(1),
            format!("10.30.0.{round}"),
            &[(cafe.item("Latte"), 1)],
        )
        .unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = ["waiter", "manager"]
            .iter()
            .map(|who| {
                let db = app.db.clone();
                let barrier = barrier.clone();
                let actor = Actor {
                    employee_id: Some(app.id(who)),
                    ip: None,
                };
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut conn = db.pool().get().unwrap();
                    write_tx(&mut conn, |c| {
                        sales::close(
                            c,
                            &actor,
                            placed.session_id,
                            PaymentMethod::Cash,
                            500,
                            chrono::Utc::now().naive_utc(),
                        )
                    })
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}"
        );
        assert!(results
            .iter()
            .any(|r| matches!(r, Err(tillpoint::platform::error::AppError::Conflict(_)))));
        assert_eq!(count!(&app, cafe_sales::table), round + 1);
    }
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
    assert!(!w.get("/floor").await.body.contains("Called — coming"));
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
async fn allergy_words_in_notes_stand_out_on_the_kitchen_board() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 2, "192.0.2.140:5000").await;
    let qty = format!("qty_{}", cafe.item("Latte"));
    let note = format!("note_{}", cafe.item("Latte"));
    g.post(
        &format!("/t/{}/order", cafe.token(2)),
        &[
            (qty.as_str(), "1"),
            (note.as_str(), "no milk, allergic to nuts"),
            ("notes", "<b>peanut</b> allergy"),
        ],
    )
    .await
    .expect(303);
    let k = app.signed_in("kitchen").await;
    let board = k.get("/kitchen/tickets").await;
    board
        .expect(200)
        .expect_text("<mark class=\"allergy\">milk</mark>")
        .expect_text("<mark class=\"allergy\">allergic</mark>")
        .expect_text("<mark class=\"allergy\">nuts</mark>")
        .expect_text("&#60;b&#62;<mark class=\"allergy\">peanut</mark>");
    assert!(!board.body.contains("<b>peanut"), "notes stay escaped");
    k.get("/kitchen?wall=1")
        .await
        .expect(200)
        .expect_text("Wall screen");
}

#[actix_web::test]
async fn a_ticket_finished_by_mistake_is_recalled_for_ten_minutes() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 3, "192.0.2.141:5000").await;
    order(&g, &cafe, 3, &[("Burger", "1")]).await.expect(303);
    order(&g, &cafe, 3, &[("Fries", "1")]).await.expect(303);
    let ids: Vec<i64> = kitchen_tickets::table
        .order(kitchen_tickets::id.asc())
        .select(kitchen_tickets::id)
        .load(&mut *app.conn())
        .unwrap();
    let k = app.signed_in("kitchen").await;
    // Nothing to recall while it is still cooking.
    k.post(&format!("/kitchen/tickets/{}/recall", ids[0]), &[])
        .await
        .expect(409)
        .expect_text("nothing to recall");
    k.post(&format!("/kitchen/tickets/{}/done", ids[0]), &[])
        .await
        .expect(303);
    let board = k.get("/kitchen/tickets").await;
    board
        .expect_text(&format!("/kitchen/tickets/{}/recall", ids[0]))
        .expect_text("Ready recently");
    assert!(!board.body.contains(&format!("data-ticket=\"{}\"", ids[0])));
    let before = app.audit_count();
    k.post(&format!("/kitchen/tickets/{}/recall", ids[0]), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_count(), before + 1);
    let (status, done): (String, Option<chrono::NaiveDateTime>) = kitchen_tickets::table
        .find(ids[0])
        .select((kitchen_tickets::status, kitchen_tickets::completed_at))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((status.as_str(), done), ("preparing", None));
    k.get("/kitchen/tickets")
        .await
        .expect_text(&format!("data-ticket=\"{}\"", ids[0]));
    g.get(&format!("/t/{}", cafe.token(3)))
        .await
        .expect_text("Preparing");
    // A second recall of the same ticket is refused, as is one from another branch.
    k.post(&format!("/kitchen/tickets/{}/recall", ids[0]), &[])
        .await
        .expect(409);
    // Finished more than ten minutes ago: it stays finished.
    k.post(&format!("/kitchen/tickets/{}/done", ids[1]), &[])
        .await
        .expect(303);
    diesel::update(kitchen_tickets::table.find(ids[1]))
        .set(
            kitchen_tickets::completed_at
                .eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(11)),
        )
        .execute(&mut *app.conn())
        .unwrap();
    assert!(!k
        .get("/kitchen/tickets")
        .await
        .body
        .contains(&format!("/kitchen/tickets/{}/recall", ids[1])));
    k.post(&format!("/kitchen/tickets/{}/recall", ids[1]), &[])
        .await
        .expect(409)
        .expect_text("more than 10 minutes ago");
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebucook2",
        Role::Kitchen,
        Some(app.seed.cebu_branch),
        &hash,
    );
    k.post(&format!("/kitchen/tickets/{}/done", ids[0]), &[])
        .await
        .expect(303);
    let cebu = app.signed_in("cebucook2").await;
    cebu.post(&format!("/kitchen/tickets/{}/recall", ids[0]), &[])
        .await
        .expect(403);
    // Once the bill is closed, its tickets stay finished.
    let sid = open_session(&app, cafe.tables[2].0);
    app.signed_in("waiter")
        .await
        .post(
            &format!("/floor/sessions/{sid}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(303);
    k.post(&format!("/kitchen/tickets/{}/recall", ids[0]), &[])
        .await
        .expect(409)
        .expect_text("already closed");
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
