//! Kitchen stations: a manager's set-up, an order split per station, each board its own lines,
//! the expo ready only when every station is done, late thresholds per station, and a course
//! held by the waiter until fired.

use diesel::prelude::*;
use tillpoint::platform::schema::{kitchen_stations, kitchen_tickets, menu_categories};

use super::*;

fn category(app: &TestApp, name: &str) -> String {
    let id: i64 = menu_categories::table
        .filter(menu_categories::name.eq(name))
        .select(menu_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    id.to_string()
}

/// The bar prepares Coffee (the Latte), late after 8 minutes.
pub(crate) async fn bar(app: &TestApp) -> i64 {
    let m = app.signed_in("manager").await;
    let coffee = category(app, "Coffee");
    let branch = app.seed.main_branch.to_string();
    m.post(
        "/kitchen/stations",
        &[
            ("branch_id", &branch),
            ("code", "bar"),
            ("name", "Bar"),
            ("late_minutes", "8"),
            ("category_id", &coffee),
        ],
    )
    .await
    .expect(303);
    kitchen_stations::table
        .filter(kitchen_stations::code.eq("bar"))
        .select(kitchen_stations::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// (id, station, order's first ticket, held, status)
type Row = (i64, Option<i64>, Option<i64>, bool, String);

fn tickets(app: &TestApp) -> Vec<Row> {
    kitchen_tickets::table
        .order(kitchen_tickets::id.asc())
        .select((
            kitchen_tickets::id,
            kitchen_tickets::station_id,
            kitchen_tickets::order_ticket_id,
            kitchen_tickets::held,
            kitchen_tickets::status,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_manager_sets_up_stations_and_bad_input_changes_nothing() {
    let app = TestApp::new().await;
    setup(&app);
    let bar_id = bar(&app).await;
    let m = app.signed_in("manager").await;
    m.get("/kitchen/stations")
        .await
        .expect(200)
        .expect_text("Bar")
        .expect_text("Open its board");
    let (coffee, desserts) = (category(&app, "Coffee"), category(&app, "Desserts"));
    let branch = app.seed.main_branch.to_string();
    let before = app.audit_count();
    for (fields, status) in [
        (
            vec![
                ("code", "kitchen"),
                ("name", "K"),
                ("category_id", &desserts[..]),
            ],
            422,
        ),
        (vec![("code", "two words"), ("name", "K")], 422),
        (vec![("code", "sweets"), ("name", "")], 422),
        (
            vec![
                ("code", "sweets"),
                ("name", "Sweets"),
                ("late_minutes", "0"),
            ],
            422,
        ),
        (
            vec![("code", "sweets"), ("name", "Sweets"), ("category_id", "x")],
            400,
        ),
        (
            vec![
                ("code", "sweets"),
                ("name", "Sweets"),
                ("category_id", "999999"),
            ],
            422,
        ),
        // A category is prepared at one station: Coffee is the bar's.
        (
            vec![
                ("code", "sweets"),
                ("name", "Sweets"),
                ("category_id", &coffee[..]),
            ],
            409,
        ),
        // The code is the station's key at the branch: a second "bar" is a double submit.
        (vec![("code", "BAR"), ("name", "Bar again")], 409),
    ] {
        let mut f = fields.clone();
        f.push(("branch_id", &branch));
        let r = m.post("/kitchen/stations", &f).await;
        assert_eq!(
            r.status,
            status,
            "{fields:?}: {}",
            &r.body[..r.body.len().min(300)]
        );
    }
    m.post(
        &format!("/kitchen/stations/{bar_id}"),
        &[("code", "bar"), ("name", "Bar"), ("late_minutes", "999")],
    )
    .await
    .expect(422);
    m.post("/kitchen/stations/999999", &[("code", "x"), ("name", "X")])
        .await
        .expect(404);
    assert_eq!(app.audit_count(), before, "refused forms write nothing");
    let k = app.signed_in("kitchen").await;
    k.get("/kitchen/stations").await.expect(403);
    k.get("/kitchen?station=nope").await.expect(404);
    k.get("/kitchen?station=bar")
        .await
        .expect(200)
        .expect_text("Bar ·");
}

#[actix_web::test]
async fn an_order_goes_to_each_station_and_the_expo_waits_for_all_of_them() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let bar_id = bar(&app).await;
    let g = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    let key = "00112233445566778899aabbccddeeff";
    let (latte, burger) = (cafe.item("Latte"), cafe.item("Burger"));
    let form = [
        (format!("qty_{latte}"), "1".to_string()),
        (format!("qty_{burger}"), "1".to_string()),
        ("order_key".to_string(), key.to_string()),
    ];
    let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let path = format!("/t/{}/order", cafe.token(1));
    g.post(&path, &f).await.expect(303);
    g.post(&path, &f).await.expect(303);
    let t = tickets(&app);
    assert_eq!(
        t.len(),
        2,
        "one ticket per station, and the repeat is the same order: {t:?}"
    );
    // The Latte came first on the form: the bar's ticket is the order's first.
    let (bar_ticket, kitchen_ticket) = (t[0].0, t[1].0);
    assert_eq!((t[0].1, t[0].2), (Some(bar_id), None));
    assert_eq!((t[1].1, t[1].2), (None, Some(bar_ticket)));

    let k = app.signed_in("kitchen").await;
    let kitchen = k.get("/kitchen?station=kitchen").await;
    kitchen.expect(200).expect_text("Burger");
    // The overview shows both.
    k.get("/kitchen")
        .await
        .expect_text(&format!("data-ticket=\"{bar_ticket}\""))
        .expect_text(&format!("data-ticket=\"{kitchen_ticket}\""));
    assert!(!kitchen
        .body
        .contains(&format!("data-ticket=\"{bar_ticket}\"")));
    let bar_board = k.get("/kitchen?station=bar").await;
    bar_board.expect(200).expect_text("Latte");
    assert!(!bar_board
        .body
        .contains(&format!("data-ticket=\"{kitchen_ticket}\"")));
    k.get("/kitchen/tickets?station=bar")
        .await
        .expect(200)
        .expect_text("Latte");
    let expo = k.get("/kitchen/expo").await;
    expo.expect(200)
        .expect_text("Waiting")
        .expect_text("Bar: Received");

    // The bar finishes first: the order is still cooking; Done goes back to the bar's board.
    let r = k
        .post(
            &format!("/kitchen/tickets/{bar_ticket}/done?x=1&station=bar"),
            &[],
        )
        .await;
    r.expect(303);
    assert!(r.location().contains("station=bar"), "{}", r.location());
    k.get("/kitchen/expo?part=board")
        .await
        .expect(200)
        .expect_text("Cooking")
        .expect_text("Bar: Ready");
    k.post(&format!("/kitchen/tickets/{kitchen_ticket}/done"), &[])
        .await
        .expect(303);
    k.get("/kitchen/expo")
        .await
        .expect_text("Ready to serve")
        .expect_absent("Cooking</span>");
    // The guest's progress line follows the whole order.
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("Ready");

    // Late after the bar's own 8 minutes (the kitchen goes by its estimate).
    let g2 = guest(&app, &cafe, 2, "10.0.0.6:4000").await;
    order(&g2, &cafe, 2, &[("Latte", "1")]).await.expect(303);
    let ago = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(9);
    diesel::update(kitchen_tickets::table.filter(kitchen_tickets::status.eq("pending")))
        .set(kitchen_tickets::created_at.eq(ago))
        .execute(&mut *app.conn())
        .unwrap();
    k.get("/kitchen?station=bar").await.expect_text("LATE");

    // Archived, the bar's open tickets and its categories go back to the kitchen.
    let m = app.signed_in("manager").await;
    m.post(&format!("/kitchen/stations/{bar_id}/archive"), &[])
        .await
        .expect(303);
    k.get("/kitchen?station=kitchen")
        .await
        .expect_text("Table 2");
    k.get("/kitchen?station=bar").await.expect(404);
    // A return address that is not a code goes back to the overview.
    let t2 = tickets(&app).last().unwrap().0;
    let r = k
        .post(
            &format!("/kitchen/tickets/{t2}/start?station=//evil.example"),
            &[],
        )
        .await;
    r.expect(303);
    assert_eq!(
        r.location(),
        format!("/kitchen?branch={}", app.seed.main_branch)
    );
    order(&g2, &cafe, 2, &[("Latte", "1")]).await.expect(303);
    assert_eq!(tickets(&app).last().unwrap().1, None);
}

#[actix_web::test]
async fn a_held_course_waits_until_the_waiter_fires_it() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    // A guest cannot hold: the field is not theirs.
    let fries = cafe.item("Fries");
    g.post(
        &format!("/t/{}/order", cafe.token(1)),
        &[(&format!("qty_{fries}"), "1"), ("hold", "1")],
    )
    .await
    .expect(303);
    assert!(!tickets(&app)[0].3, "a guest's order is never held");
    let sid = open_session(&app, cafe.tables[0].0);
    let w = app.signed_in("waiter").await;
    let burger = cafe.item("Burger").to_string();
    w.post(
        &format!("/floor/sessions/{sid}/lines"),
        &[("menu_item_id", &burger), ("quantity", "1"), ("hold", "1")],
    )
    .await
    .expect(303);
    let held = tickets(&app)[1].clone();
    assert!(held.3, "held");
    let k = app.signed_in("kitchen").await;
    k.get("/kitchen")
        .await
        .expect_absent(&format!("data-ticket=\"{}\"", held.0));
    k.post(&format!("/kitchen/tickets/{}/start", held.0), &[])
        .await
        .expect(409);
    w.get(&format!("/floor/sessions/{sid}"))
        .await
        .expect_text("1 held")
        .expect_text("Fire held items");
    let before = app.audit_count();
    w.post(&format!("/floor/sessions/{sid}/fire"), &[])
        .await
        .expect(303);
    w.post(&format!("/floor/sessions/{sid}/fire"), &[])
        .await
        .expect(303);
    assert_eq!(
        app.audit_count(),
        before + 1,
        "the second fire finds nothing held"
    );
    assert!(!tickets(&app)[1].3);
    k.get("/kitchen")
        .await
        .expect_text(&format!("data-ticket=\"{}\"", held.0));
    w.post("/floor/sessions/999999/fire", &[]).await.expect(404);
}
