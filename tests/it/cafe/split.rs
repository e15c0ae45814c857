//! Splitting a table's bill: by items and by seats, each part paid and closed on its own into
//! its own sales record, every line exactly once; bad forms change nothing; two parts paid at
//! the same moment on real threads.

use diesel::prelude::*;
use tillpoint::platform::schema::{cafe_sales, cafe_session_lines, cafe_sessions, cafe_tables};

use super::*;

fn lines_of(app: &TestApp, session: i64) -> Vec<(i64, String)> {
    cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(session))
        .order(cafe_session_lines::id.asc())
        .select((cafe_session_lines::id, cafe_session_lines::name))
        .load(&mut *app.conn())
        .unwrap()
}

fn line_of(lines: &[(i64, String)], name: &str) -> String {
    lines.iter().find(|l| l.1 == name).unwrap().0.to_string()
}

/// A guest at table `t` orders a latte, two fries and a burger: the guest and the open bill.
async fn three_lines_at(app: &TestApp, cafe: &Cafe, t: usize) -> (Client, i64) {
    let g = guest(app, cafe, t, "10.0.0.5:4000").await;
    order(
        &g,
        cafe,
        t,
        &[("Latte", "1"), ("Fries", "2"), ("Burger", "1")],
    )
    .await
    .expect(303);
    let sid = open_session(app, cafe.tables[t - 1].0);
    (g, sid)
}

#[actix_web::test]
async fn a_waiter_splits_a_bill_by_items_and_each_part_is_paid_on_its_own() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let (g, sid) = three_lines_at(&app, &cafe, 1).await;
    let lines = lines_of(&app, sid);
    let (latte, fries, burger) = (
        line_of(&lines, "Latte"),
        line_of(&lines, "Fries"),
        line_of(&lines, "Burger"),
    );
    let w = app.signed_in("waiter").await;
    w.get(&format!("/floor/sessions/{sid}"))
        .await
        .expect_text("Split the bill");
    w.get(&format!("/floor/sessions/{sid}/split?parts=3"))
        .await
        .expect(200)
        .expect_text("Part 3")
        .expect_text("Split into 3 bills");

    let path = format!("/floor/sessions/{sid}/split");
    let before = (count!(&app, cafe_sessions::table), app.audit_count());
    let (latte_f, fries_f) = (format!("part_{latte}"), format!("part_{fries}"));
    for (fields, status) in [
        (vec![("parts", "1"), (&latte_f[..], "1")], 422),
        (vec![("parts", "x"), (&latte_f[..], "2")], 422),
        (vec![("parts", "99"), (&latte_f[..], "2")], 422),
        (vec![("parts", "2"), (&latte_f[..], "3")], 422),
        (vec![("parts", "2"), (&latte_f[..], "two")], 422),
        (vec![("parts", "2"), ("part_abc", "2")], 400),
        (vec![("parts", "2"), ("part_999999", "2")], 422),
        // Everything on part 1 leaves part 2 empty.
        (
            vec![("parts", "2"), (&latte_f[..], "1"), (&fries_f[..], "1")],
            422,
        ),
    ] {
        let r = w.post(&path, &fields).await;
        assert_eq!(
            r.status,
            status,
            "{fields:?}: {}",
            &r.body[..r.body.len().min(300)]
        );
    }
    assert_eq!(
        (count!(&app, cafe_sessions::table), app.audit_count()),
        before,
        "nothing changed"
    );

    let burger_f = format!("part_{burger}");
    let split = [
        ("parts", "2"),
        (&latte_f[..], "2"),
        (&fries_f[..], "1"),
        (&burger_f[..], "2"),
    ];
    w.post(&path, &split).await.expect(303);
    // The same form again finds its lines gone: refused, nothing doubled.
    w.post(&path, &split).await.expect(409);
    let part: i64 = cafe_sessions::table
        .filter(cafe_sessions::split_of.eq(sid))
        .select(cafe_sessions::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(lines_of(&app, sid).len(), 1);
    assert_eq!(lines_of(&app, part).len(), 2);
    w.get(&format!("/floor/sessions/{sid}"))
        .await
        .expect_text("part 2 (bill #");
    w.get(&format!("/floor/sessions/{part}"))
        .await
        .expect_text("Part 2 of");
    w.get("/floor").await.expect_text("Table 1 · part 2");
    // A part is not split again, nor moved; guests keep ordering onto the table's bill.
    w.post(&format!("/floor/sessions/{part}/split"), &[("parts", "2")])
        .await
        .expect(409);
    w.get(&format!("/floor/sessions/{part}/split"))
        .await
        .expect(409);
    w.post(
        &format!("/floor/sessions/{sid}/move"),
        &[("table_id", &cafe.tables[3].0.to_string())],
    )
    .await
    .expect(409);
    order(&g, &cafe, 1, &[("Fries", "1")]).await.expect(303);
    assert_eq!(lines_of(&app, sid).len(), 2);

    // Each part is paid on its own: two sales records, every line in exactly one.
    w.post(
        &format!("/floor/sessions/{part}/close"),
        &[("payment_method", "card")],
    )
    .await
    .expect(303);
    let status: String = cafe_tables::table
        .find(cafe_tables_id(&cafe))
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "occupied", "the table's bill is still open");
    w.post(
        &format!("/floor/sessions/{sid}/close"),
        &[("payment_method", "cash")],
    )
    .await
    .expect(303);
    let sales: Vec<(i64, String, i64)> = cafe_sales::table
        .order(cafe_sales::id.asc())
        .select((
            cafe_sales::session_id,
            cafe_sales::items_json,
            cafe_sales::subtotal_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(sales.len(), 2);
    assert_eq!(sales[0].0, part);
    assert!(
        sales[0].1.contains("Latte")
            && sales[0].1.contains("Burger")
            && !sales[0].1.contains("Fries")
    );
    assert!(sales[1].1.contains("Fries") && !sales[1].1.contains("Latte"));
    assert_eq!(sales[0].2 + sales[1].2, 18000 + 2 * 12000 + 32000 + 12000);
    let status: String = cafe_tables::table
        .find(cafe_tables_id(&cafe))
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "available", "free once every part is paid");
}

fn cafe_tables_id(cafe: &Cafe) -> i64 {
    cafe.tables[0].0
}

#[actix_web::test]
async fn a_bill_splits_by_seats_and_two_parts_paid_at_once_both_land() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let w = app.signed_in("waiter").await;
    let g = guest(&app, &cafe, 2, "10.0.0.5:4000").await;
    order(&g, &cafe, 2, &[("Fries", "1")]).await.expect(303);
    let sid = open_session(&app, cafe.tables[1].0);
    for (item, seat) in [("Latte", "1"), ("Burger", "2"), ("Latte", "2")] {
        let id = cafe.item(item).to_string();
        w.post(
            &format!("/floor/sessions/{sid}/lines"),
            &[("menu_item_id", &id), ("quantity", "1"), ("seat", seat)],
        )
        .await
        .expect(303);
    }
    let id = cafe.item("Latte").to_string();
    w.post(
        &format!("/floor/sessions/{sid}/lines"),
        &[("menu_item_id", &id), ("quantity", "1"), ("seat", "100")],
    )
    .await
    .expect(422);
    let page = w
        .get(&format!("/floor/sessions/{sid}/split?by=seats"))
        .await;
    page.expect(200).expect_text("Split into 2 bills");
    // The page put seat 2's lines on part 2; the shared fries and seat 1 on part 1.
    let lines = lines_of(&app, sid);
    let mut fields: Vec<(String, String)> = vec![("parts".into(), "2".into())];
    for (line, _) in &lines {
        let marker = format!("name=\"part_{line}\"");
        let at = page.body.find(&marker).unwrap();
        let chosen = &page.body[at..];
        let sel = chosen.find(" selected>Part ").unwrap();
        let part = &chosen[sel + " selected>Part ".len()..sel + " selected>Part ".len() + 1];
        fields.push((format!("part_{line}"), part.to_string()));
    }
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    w.post(&format!("/floor/sessions/{sid}/split"), &f)
        .await
        .expect(303);
    let part: i64 = cafe_sessions::table
        .filter(cafe_sessions::split_of.eq(sid))
        .select(cafe_sessions::id)
        .first(&mut *app.conn())
        .unwrap();
    let moved: Vec<String> = lines_of(&app, part).into_iter().map(|l| l.1).collect();
    assert_eq!(moved, vec!["Burger".to_string(), "Latte".to_string()]);

    // Both parts paid at the same moment by two people: two sales, the table free after.
    for r in close_at_once(&app, &[(Some("waiter"), sid), (Some("manager"), part)]) {
        r.unwrap();
    }
    assert_eq!(count!(&app, cafe_sales::table), 2);
    let status: String = cafe_tables::table
        .find(cafe.tables[1].0)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "available");
}

fn share_sessions(app: &TestApp, bill: i64) -> Vec<(i64, i64, i64, i64, i64)> {
    use tillpoint::platform::schema::cafe_bill_shares as s;
    s::table
        .filter(s::bill_id.eq(bill))
        .order(s::number.asc())
        .select((
            s::session_id,
            s::number,
            s::total_minor,
            s::subtotal_minor,
            s::tax_rate_bp,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_bill_shared_evenly_is_fixed_and_each_share_lands_as_its_own_sale() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let (g, sid) = three_lines_at(&app, &cafe, 3).await;
    let w = app.signed_in("waiter").await;
    w.get(&format!("/floor/sessions/{sid}/split?parts=7"))
        .await
        .expect(200)
        .expect_text("Share evenly among 7");
    let path = format!("/floor/sessions/{sid}/split");
    let before = (count!(&app, cafe_sessions::table), app.audit_count());
    for parts in ["1", "13", "-2", "x", "", "3\u{200b}"] {
        w.post(&path, &[("how", "even"), ("parts", parts)])
            .await
            .expect(422);
    }
    assert_eq!(
        (count!(&app, cafe_sessions::table), app.audit_count()),
        before,
        "bad forms change nothing"
    );

    let even = [("how", "even"), ("parts", "7")];
    w.post(&path, &even).await.expect(303);
    // A second click finds the bill shared already: refused, nothing doubled.
    w.post(&path, &even).await.expect(409);
    let shares = share_sessions(&app, sid);
    assert_eq!(shares.len(), 7);
    assert_eq!(shares[0].0, sid, "the table's bill is share 1");
    let rate = shares[0].4;
    let lines: Vec<sales::BillLine> = {
        let mut c = app.conn();
        sales::lines(&mut c, sid).unwrap()
    };
    let whole = sales::bill_of(&lines, rate, Money::ZERO).unwrap();
    let totals: Vec<i64> = shares.iter().map(|s| s.2).collect();
    assert_eq!(
        totals,
        tillpoint::cafe::split::rules::even_shares(whole.total.0, 7)
    );
    assert_eq!(
        shares.iter().map(|s| s.3).sum::<i64>(),
        whole.subtotal.0,
        "the shares' subtotals add up to the bill's"
    );

    // The bill is fixed: no orders, removals, codes, moves, second splits or reopening.
    let line = lines[0].id.to_string();
    let latte = cafe.item("Latte").to_string();
    order(&g, &cafe, 3, &[("Fries", "1")]).await.expect(409);
    for (url, fields) in [
        (
            format!("/floor/sessions/{sid}/lines"),
            vec![("menu_item_id", &latte[..]), ("quantity", "1")],
        ),
        (format!("/floor/sessions/{sid}/lines/{line}/remove"), vec![]),
        (
            format!("/floor/sessions/{sid}/discount"),
            vec![("code", "")],
        ),
        (
            format!("/floor/sessions/{sid}/move"),
            vec![("table_id", &cafe.tables[3].0.to_string()[..])],
        ),
        (path.clone(), vec![("how", "even"), ("parts", "2")]),
    ] {
        let r = w.post(&url, &fields).await;
        assert_eq!(r.status, 409, "{url}: {}", &r.body[..r.body.len().min(300)]);
    }
    let m = app.signed_in("manager").await;
    m.post(&format!("/floor/sessions/{sid}/reopen"), &[])
        .await
        .expect(409);
    w.get(&format!("/floor/sessions/{sid}/split"))
        .await
        .expect(409)
        .expect_text("already shared evenly");
    assert_eq!(
        sales::lines(&mut app.conn(), sid).unwrap().len(),
        lines.len()
    );
    w.get("/floor").await.expect_text("Table 3 · share 2 of 7");
    let second = shares[1].0;
    w.get(&format!("/floor/sessions/{second}"))
        .await
        .expect_text(&format!("Share 2 of 7 of bill #{sid}"))
        .expect_text("Latte");
    w.get(&format!("/floor/sessions/{second}/bill"))
        .await
        .expect_text(&format!("Share 2 of 7 of bill #{sid}"));

    // Five shares one by one, the last two (share 1 among them) at the same moment.
    for s in &shares[1..6] {
        w.post(
            &format!("/floor/sessions/{}/close", s.0),
            &[("payment_method", "card")],
        )
        .await
        .expect(303);
    }
    for r in close_at_once(
        &app,
        &[
            (Some("waiter"), shares[0].0),
            (Some("manager"), shares[6].0),
        ],
    ) {
        r.unwrap();
    }
    let sales: Vec<(i64, String, i64, i64, i64, i64)> = cafe_sales::table
        .order(cafe_sales::id.asc())
        .select((
            cafe_sales::session_id,
            cafe_sales::items_json,
            cafe_sales::subtotal_minor,
            cafe_sales::tax_minor,
            cafe_sales::discount_minor,
            cafe_sales::total_minor,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(sales.len(), 7, "one sales record per share");
    assert_eq!(sales.iter().map(|s| s.5).sum::<i64>(), whole.total.0);
    assert_eq!(sales.iter().map(|s| s.3).sum::<i64>(), whole.tax.0);
    for s in &sales {
        assert_eq!(s.2 - s.4 + s.3, s.5, "each share adds up");
        assert!(s.1.contains(" of 7 of bill #"), "{}", s.1);
    }
    // The bill's items count once in the day's figures, however many shares paid for them.
    let fries: i64 = {
        use tillpoint::platform::schema::cafe_daily_items as i;
        i::table
            .filter(i::menu_item_id.eq(cafe.item("Fries")))
            .select(i::quantity)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(fries, 2);
    let status: String = cafe_tables::table
        .find(cafe.tables[2].0)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "available", "free once every share is paid");
    w.post(
        &format!("/floor/sessions/{second}/close"),
        &[("payment_method", "card")],
    )
    .await
    .expect(409);

    // A share's sale is refunded as the one line it sold; the day's items are left alone.
    let sale: i64 = cafe_sales::table
        .filter(cafe_sales::session_id.eq(second))
        .select(cafe_sales::id)
        .first(&mut *app.conn())
        .unwrap();
    w.get(&format!("/cafe/bills/{sale}"))
        .await
        .expect(200)
        .expect_text(&format!("Share 2 of 7 of bill #{sid}"));
    w.post(
        &format!("/cafe/bills/{sale}/refund"),
        &[
            ("qty_1", "1"),
            ("reason", "Paid twice"),
            ("key", "share-ref-1"),
        ],
    )
    .await
    .expect(303);
    let refunded: i64 = cafe_sales::table
        .find(sale)
        .select(cafe_sales::refunded_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(refunded, shares[1].2, "the whole share went back");
}
