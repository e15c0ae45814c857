//! Modifiers: a manager's groups and options, a guest's and a waiter's choices, the price the
//! server works out, and where the choices show (kitchen, bill, sales record, stats, API).

use diesel::prelude::*;
use tillpoint::platform::schema::{
    cafe_line_modifiers, cafe_sales, cafe_session_lines, modifier_groups, modifier_options,
};

use super::*;

pub(crate) struct Mods {
    pub size: (i64, [i64; 3]),
    pub milk: (i64, [i64; 2]),
    pub extras: (i64, [i64; 2]),
}

fn group_id(app: &TestApp, name: &str) -> i64 {
    modifier_groups::table
        .filter(modifier_groups::name.eq(name))
        .select(modifier_groups::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn option_id(app: &TestApp, group: i64, name: &str) -> i64 {
    modifier_options::table
        .filter(modifier_options::group_id.eq(group))
        .filter(modifier_options::name.eq(name))
        .select(modifier_options::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// Size (exactly 1: Small, Regular +20, Large +40), Milk (at most 1: Whole, Oat +30) and
/// Extras (0–3: Extra shot +40, Whipped cream +15), made through the manager's pages and
/// offered on the Latte.
pub(crate) async fn latte_options(app: &TestApp, cafe: &Cafe) -> Mods {
    let m = app.signed_in("manager").await;
    type Group = (
        &'static str,
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    let groups: [Group; 3] = [
        (
            "Size",
            "1",
            "1",
            &[("Small", ""), ("Regular", "20"), ("Large", "40.00")],
        ),
        ("Milk", "0", "1", &[("Whole", "0"), ("Oat", "30")]),
        (
            "Extras",
            "0",
            "3",
            &[("Extra shot", "40"), ("Whipped cream", "15")],
        ),
    ];
    let mut ids = Vec::new();
    for (name, min, max, options) in groups {
        m.post(
            "/menu/modifier-groups",
            &[("name", name), ("min", min), ("max", max)],
        )
        .await
        .expect(303);
        let g = group_id(app, name);
        for (i, (o, delta)) in options.iter().enumerate() {
            m.post(
                &format!("/menu/modifier-groups/{g}/options"),
                &[
                    ("name", o),
                    ("delta", delta),
                    ("sort_order", &i.to_string()),
                ],
            )
            .await
            .expect(303);
        }
        ids.push(g);
    }
    let gs: Vec<String> = ids.iter().map(|g| g.to_string()).collect();
    let latte = cafe.item("Latte");
    m.post(
        &format!("/menu/{latte}/modifier-groups"),
        &[
            ("group_id", &gs[0]),
            ("group_id", &gs[1]),
            ("group_id", &gs[2]),
        ],
    )
    .await
    .expect(303);
    let o = |g: i64, n: &str| option_id(app, g, n);
    Mods {
        size: (
            ids[0],
            [o(ids[0], "Small"), o(ids[0], "Regular"), o(ids[0], "Large")],
        ),
        milk: (ids[1], [o(ids[1], "Whole"), o(ids[1], "Oat")]),
        extras: (
            ids[2],
            [o(ids[2], "Extra shot"), o(ids[2], "Whipped cream")],
        ),
    }
}

async fn order_latte(g: &Client, cafe: &Cafe, picks: &[(String, String)]) -> Resp {
    let latte = cafe.item("Latte");
    let mut fields: Vec<(String, String)> = vec![(format!("qty_{latte}"), "2".into())];
    fields.extend(picks.iter().cloned());
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    g.post(&format!("/t/{}/order", cafe.token(1)), &f).await
}

fn pick(cafe: &Cafe, group: i64, option: i64) -> (String, String) {
    (
        format!("mod_{}_{group}", cafe.item("Latte")),
        option.to_string(),
    )
}

#[actix_web::test]
async fn a_manager_builds_groups_and_bad_input_changes_nothing() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let mods = latte_options(&app, &cafe).await;
    let m = app.signed_in("manager").await;
    m.get("/menu/modifier-groups")
        .await
        .expect(200)
        .expect_text("Size")
        .expect_text("Choose 1")
        .expect_text("Up to 3")
        .expect_text("+30.00")
        .expect_text("Offered on Latte");
    m.get(&format!("/menu/{}/edit", cafe.item("Latte")))
        .await
        .expect(200)
        .expect_text("Save modifiers");

    let before = app.audit_count();
    let g = mods.size.0;
    for (path, fields, status) in [
        (
            "/menu/modifier-groups".to_string(),
            vec![("name", ""), ("min", "0"), ("max", "1")],
            422,
        ),
        (
            "/menu/modifier-groups".into(),
            vec![("name", "\u{200b}"), ("min", "0"), ("max", "1")],
            422,
        ),
        (
            "/menu/modifier-groups".into(),
            vec![("name", "Big"), ("min", "2"), ("max", "1")],
            422,
        ),
        (
            "/menu/modifier-groups".into(),
            vec![("name", "Big"), ("min", "-1"), ("max", "1")],
            422,
        ),
        (
            "/menu/modifier-groups".into(),
            vec![("name", "Big"), ("min", "0"), ("max", "99")],
            422,
        ),
        // Names are the groups' keys: a second "size" is the double submit of the first.
        (
            "/menu/modifier-groups".into(),
            vec![("name", "size"), ("min", "1"), ("max", "1")],
            409,
        ),
        (
            format!("/menu/modifier-groups/{g}/options"),
            vec![("name", "Huge"), ("delta", "-5")],
            422,
        ),
        (
            format!("/menu/modifier-groups/{g}/options"),
            vec![("name", "Huge"), ("delta", "abc")],
            422,
        ),
        (
            format!("/menu/modifier-groups/{g}/options"),
            vec![("name", "Huge"), ("delta", "9999999")],
            422,
        ),
        (
            format!("/menu/modifier-groups/{g}/options"),
            vec![("name", ""), ("delta", "1")],
            422,
        ),
        (
            format!("/menu/modifier-groups/{g}/options"),
            vec![("name", "small"), ("delta", "1")],
            409,
        ),
        (
            "/menu/modifier-groups/999999/options".into(),
            vec![("name", "X"), ("delta", "1")],
            404,
        ),
        (
            format!("/menu/modifier-options/{}", mods.size.1[0]),
            vec![("name", "Small"), ("delta", "-1")],
            422,
        ),
        (
            format!("/menu/modifier-options/{}/stock", mods.milk.1[1]),
            vec![("in_stock", "maybe")],
            400,
        ),
        (
            format!("/menu/{}/modifier-groups", cafe.item("Latte")),
            vec![("group_id", "x")],
            400,
        ),
        (
            format!("/menu/{}/modifier-groups", cafe.item("Latte")),
            vec![("group_id", "999999")],
            422,
        ),
        (
            "/menu/999999/modifier-groups".into(),
            vec![("group_id", "1")],
            404,
        ),
    ] {
        let r = m.post(&path, &fields).await;
        assert_eq!(
            r.status,
            status,
            "{path} {fields:?}: {}",
            &r.body[..r.body.len().min(400)]
        );
    }
    assert_eq!(app.audit_count(), before, "refused forms write nothing");

    // The kitchen marks the oat milk out (and in again) but cannot change the groups.
    let k = app.signed_in("kitchen").await;
    let before = app.audit_count();
    k.get("/menu/modifier-groups")
        .await
        .expect(200)
        .expect_absent("Add group");
    k.post(
        "/menu/modifier-groups",
        &[("name", "X"), ("min", "0"), ("max", "1")],
    )
    .await
    .expect(403);
    let oat = mods.milk.1[1];
    for _ in 0..2 {
        k.post(
            &format!("/menu/modifier-options/{oat}/stock"),
            &[("in_stock", "0")],
        )
        .await
        .expect(303);
    }
    assert_eq!(
        app.audit_count(),
        before + 1,
        "marking out twice is one change"
    );
    let w = app.signed_in("waiter").await;
    w.get("/menu/modifier-groups").await.expect(403);

    // Archiving a group takes it off every item; restoring brings it back.
    m.post(
        &format!("/menu/modifier-groups/{}/archive", mods.extras.0),
        &[],
    )
    .await
    .expect(303);
    // The shared archive: a second click hears it was already done, and writes nothing.
    let before = app.audit_count();
    m.post(
        &format!("/menu/modifier-groups/{}/archive", mods.extras.0),
        &[],
    )
    .await
    .expect(409);
    assert_eq!(app.audit_count(), before);
    let g1 = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    let page = g1.get(&format!("/t/{}", cafe.token(1))).await;
    page.expect(200).expect_absent("Whipped cream");
    assert!(page.body.contains("Oat"), "the milk group still shows");
    m.post(
        &format!("/menu/modifier-groups/{}/restore", mods.extras.0),
        &[],
    )
    .await
    .expect(303);
    g1.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("Whipped cream");
}

#[actix_web::test]
async fn a_latte_with_oat_milk_and_an_extra_shot_is_priced_on_the_server_and_shown_everywhere() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let mods = latte_options(&app, &cafe).await;
    let g = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    let page = g.get(&format!("/t/{}", cafe.token(1))).await;
    page.expect(200)
        .expect_text("Choose 1")
        .expect_text("Oat")
        .expect_text("+30.00");

    // Refused choices write nothing.
    let before = written(&app);
    let (s, m, e) = (mods.size.0, mods.milk.0, mods.extras.0);
    let [small, regular, large] = mods.size.1;
    let [whole, oat] = mods.milk.1;
    let [shot, cream] = mods.extras.1;
    let latte = cafe.item("Latte");
    for (picks, status, says) in [
        (vec![], 422, "Choose a Size for Latte"),
        (
            vec![pick(&cafe, s, small), pick(&cafe, s, large)],
            422,
            "only one Size",
        ),
        (
            vec![
                pick(&cafe, s, small),
                pick(&cafe, m, whole),
                pick(&cafe, m, oat),
            ],
            422,
            "only one Milk",
        ),
        (
            vec![
                pick(&cafe, s, small),
                (format!("mod_{latte}"), "999999".into()),
            ],
            422,
            "not offered",
        ),
        (
            vec![
                pick(&cafe, s, small),
                (format!("mod_{latte}"), "abc".into()),
            ],
            400,
            "not ones the menu offers",
        ),
        (
            vec![
                pick(&cafe, s, small),
                pick(&cafe, e, shot),
                pick(&cafe, e, shot),
            ],
            400,
            "twice",
        ),
    ] {
        let r = order_latte(&g, &cafe, &picks).await;
        r.expect(status).expect_text(says);
    }
    // Options of another item are not this one's: the Fries offer none.
    let fries = cafe.item("Fries");
    g.post(
        &format!("/t/{}/order", cafe.token(1)),
        &[
            (&format!("qty_{fries}"), "1"),
            (&format!("mod_{fries}"), &shot.to_string()),
        ],
    )
    .await
    .expect(422);
    assert_eq!(written(&app), before, "nothing was ordered");

    // The order: 2 × Latte, Regular, Oat, Extra shot; a tampered price field is ignored.
    let r = order_latte(
        &g,
        &cafe,
        &[
            pick(&cafe, s, regular),
            pick(&cafe, m, oat),
            pick(&cafe, e, shot),
            (format!("price_{latte}"), "0".into()),
            (format!("delta_{oat}"), "0".into()),
            ("price".into(), "1".into()),
        ],
    )
    .await;
    r.expect(303);
    let (unit, text): (i64, String) = cafe_session_lines::table
        .select((
            cafe_session_lines::unit_price_minor,
            cafe_session_lines::modifiers,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(unit, 18000 + 2000 + 3000 + 4000);
    assert_eq!(text, "Regular · Oat · Extra shot");
    let kept: i64 = cafe_line_modifiers::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(kept, 3);
    g.get(&format!("/t/{}", cafe.token(1)))
        .await
        .expect_text("Regular · Oat · Extra shot")
        .expect_text("540.00");

    // The kitchen sees what to make; the waiter's bill and its print show it.
    let k = app.signed_in("kitchen").await;
    k.get("/kitchen")
        .await
        .expect(200)
        .expect_text("Regular · Oat · Extra shot");
    let sid = open_session(&app, cafe.tables[0].0);
    let w = app.signed_in("waiter").await;
    w.get(&format!("/floor/sessions/{sid}"))
        .await
        .expect_text("Regular · Oat · Extra shot")
        .expect_text(&format!("name=\"mod_{latte}_{s}\""));
    w.get(&format!("/floor/sessions/{sid}/bill"))
        .await
        .expect_text("Regular · Oat · Extra shot");

    // The waiter adds one Large with whipped cream, no milk choice (optional).
    let key = "0123456789abcdef0123456789abcdef";
    let line = [
        ("menu_item_id", latte.to_string()),
        ("quantity", "1".to_string()),
        ("order_key", key.to_string()),
        (&*format!("mod_{latte}_{s}"), large.to_string()),
        (&*format!("mod_{latte}_{m}"), String::new()),
        (&*format!("mod_{latte}_{e}"), cream.to_string()),
        // Another item's fields are not this line's.
        (&*format!("mod_{fries}_{e}"), shot.to_string()),
    ];
    let f: Vec<(&str, &str)> = line.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.post(&format!("/floor/sessions/{sid}/lines"), &f)
        .await
        .expect(303);
    w.post(&format!("/floor/sessions/{sid}/lines"), &f)
        .await
        .expect(303);
    let units: Vec<(i64, String)> = cafe_session_lines::table
        .order(cafe_session_lines::id.asc())
        .select((
            cafe_session_lines::unit_price_minor,
            cafe_session_lines::modifiers,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        units.len(),
        2,
        "the second submit of the same form is the first order"
    );
    assert_eq!(
        units[1],
        (18000 + 4000 + 1500, "Large · Whipped cream".into())
    );

    // Closed: the sales record keeps the options, the stats count them.
    w.post(
        &format!("/floor/sessions/{sid}/close"),
        &[("payment_method", "cash")],
    )
    .await
    .expect(303);
    let items: String = cafe_sales::table
        .select(cafe_sales::items_json)
        .first(&mut *app.conn())
        .unwrap();
    assert!(
        items.contains("\"modifiers\":\"Regular · Oat · Extra shot\""),
        "{items}"
    );
    let mgr = app.signed_in("manager").await;
    let stats = mgr.get("/cafe/stats").await;
    stats.expect(200).expect_text("Options chosen");
    let table = &stats.body[stats.body.find("id=\"top-options\"").unwrap()..];
    assert!(table.contains("Oat"), "{}", &table[..600.min(table.len())]);
    assert!(
        table.contains("<td class=\"right\">2</td>"),
        "two lattes with oat milk"
    );
}

#[actix_web::test]
async fn an_option_out_of_stock_is_refused_and_the_api_takes_options_too() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let mods = latte_options(&app, &cafe).await;
    let k = app.signed_in("kitchen").await;
    let oat = mods.milk.1[1];
    k.post(
        &format!("/menu/modifier-options/{oat}/stock"),
        &[("in_stock", "0")],
    )
    .await
    .expect(303);
    let g = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    let before = written(&app);
    order_latte(
        &g,
        &cafe,
        &[
            pick(&cafe, mods.size.0, mods.size.1[0]),
            pick(&cafe, mods.milk.0, oat),
        ],
    )
    .await
    .expect(409)
    .expect_text("Oat is out right now");
    assert_eq!(written(&app), before);
    // Every size out: the Latte cannot be had, and says why.
    for o in mods.size.1 {
        k.post(
            &format!("/menu/modifier-options/{o}/stock"),
            &[("in_stock", "0")],
        )
        .await
        .expect(303);
    }
    order_latte(&g, &cafe, &[])
        .await
        .expect(422)
        .expect_text("no Size is available");
    for o in mods.size.1 {
        k.post(
            &format!("/menu/modifier-options/{o}/stock"),
            &[("in_stock", "1")],
        )
        .await
        .expect(303);
    }

    // The JSON API: options by id, priced from the menu.
    let w = crate::api::Api::signed_in(&app, "waiter").await;
    let latte = cafe.item("Latte");
    let r = w
        .post(
            "/api/sessions/2/",
            serde_json::json!({"items": [{"id": latte, "qty": 1, "options": [mods.size.1[2], mods.extras.1[0]]}]}),
        )
        .await;
    r.expect(201);
    let s = r.json();
    assert_eq!(s["items"][0]["modifiers"], "Large · Extra shot");
    assert_eq!(s["items"][0]["price"], 260);
    let bad = w
        .post(
            "/api/sessions/2/",
            serde_json::json!({"items": [{"id": latte, "options": []}]}),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("Choose a Size"), "{}", bad.body);
}
