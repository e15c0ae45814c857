//! Moving a table's bill to another table, and merging two tables' bills.

use diesel::prelude::*;
use tillpoint::platform::schema::{
    cafe_session_lines, cafe_sessions, cafe_tables, kitchen_tickets,
};

use super::*;

fn status_of(app: &TestApp, table: i64) -> String {
    cafe_tables::table
        .find(table)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn lines_of(app: &TestApp, session: i64) -> i64 {
    cafe_session_lines::table
        .filter(cafe_session_lines::session_id.eq(session))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_waiter_moves_a_bill_to_a_free_table_and_its_guests_follow() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let g = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    order(&g, &cafe, 1, &[("Fries", "2")]).await.expect(303);
    let (one, two, three) = (cafe.tables[0].0, cafe.tables[1].0, cafe.tables[2].0);
    let sid = open_session(&app, one);
    let waiter = app.signed_in("waiter").await;
    waiter
        .get(&format!("/floor/sessions/{sid}"))
        .await
        .expect(200)
        .expect_text("Move the bill");

    // Bad choices change nothing.
    let before = app.audit_count();
    for (to, status) in [
        ("", 422),
        ("abc", 422),
        ("999999", 404),
        (&one.to_string()[..], 409),
    ] {
        waiter
            .post(&format!("/floor/sessions/{sid}/move"), &[("table_id", to)])
            .await
            .expect(status);
    }
    assert_eq!(app.audit_count(), before, "refused moves write nothing");
    // A table with its own bill is merged, not moved onto.
    let g3 = guest(&app, &cafe, 3, "10.0.0.6:4000").await;
    order(&g3, &cafe, 3, &[("Fries", "1")]).await.expect(303);
    waiter
        .post(
            &format!("/floor/sessions/{sid}/move"),
            &[("table_id", &three.to_string())],
        )
        .await
        .expect(409)
        .expect_text("merge the two bills");
    assert_eq!(open_session(&app, one), sid);

    waiter
        .post(
            &format!("/floor/sessions/{sid}/move"),
            &[("table_id", &two.to_string())],
        )
        .await
        .expect(303);
    assert_eq!(open_session(&app, two), sid);
    assert_eq!(status_of(&app, one), "available");
    assert_eq!(status_of(&app, two), "occupied");
    let row = &app.audit_rows()[0];
    assert_eq!((row.0.as_str(), row.1.as_str()), ("UPDATE", "cafe_session"));
    assert!(row.4.contains("\"table\""), "{}", row.4);

    // The guests now order from table 2's code into the same bill; table 1 starts afresh.
    let g2 = guest(&app, &cafe, 2, "10.0.0.5:4000").await;
    order(&g2, &cafe, 2, &[("Fries", "1")]).await.expect(303);
    assert_eq!(lines_of(&app, sid), 2);

    // The kitchen cannot move bills; another branch's staff cannot touch this one.
    app.signed_in("kitchen")
        .await
        .post(
            &format!("/floor/sessions/{sid}/move"),
            &[("table_id", &one.to_string())],
        )
        .await
        .expect(403);
}

#[actix_web::test]
async fn two_tables_bills_merge_into_one_and_each_line_is_there_once() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let (one, two) = (cafe.tables[0].0, cafe.tables[1].0);
    let g1 = guest(&app, &cafe, 1, "10.0.0.5:4000").await;
    order(&g1, &cafe, 1, &[("Fries", "2")]).await.expect(303);
    let g2 = guest(&app, &cafe, 2, "10.0.0.6:4000").await;
    order(&g2, &cafe, 2, &[("Fries", "1")]).await.expect(303);
    order(&g2, &cafe, 2, &[("Fries", "3")]).await.expect(303);
    let (a, b) = (open_session(&app, one), open_session(&app, two));
    let waiter = app.signed_in("waiter").await;
    waiter
        .get(&format!("/floor/sessions/{a}"))
        .await
        .expect(200)
        .expect_text("Merge into this bill");

    for (from, status) in [
        ("", 422),
        ("x", 422),
        (&a.to_string()[..], 409),
        ("999999", 404),
    ] {
        waiter
            .post(
                &format!("/floor/sessions/{a}/merge"),
                &[("session_id", from)],
            )
            .await
            .expect(status);
    }
    assert_eq!(lines_of(&app, a), 1);

    waiter
        .post(
            &format!("/floor/sessions/{a}/merge"),
            &[("session_id", &b.to_string())],
        )
        .await
        .expect(303);
    assert_eq!(lines_of(&app, a), 3);
    assert_eq!(lines_of(&app, b), 0);
    let tickets: i64 = kitchen_tickets::table
        .filter(kitchen_tickets::session_id.eq(a))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(tickets, 3);
    let (closed, merged): (Option<chrono::NaiveDateTime>, Option<i64>) = cafe_sessions::table
        .find(b)
        .select((cafe_sessions::closed_at, cafe_sessions::merged_into))
        .first(&mut *app.conn())
        .unwrap();
    assert!(closed.is_some());
    assert_eq!(merged, Some(a));
    assert_eq!(status_of(&app, two), "available");
    waiter
        .get(&format!("/floor/sessions/{b}"))
        .await
        .expect(200)
        .expect_text(&format!(
            "merged into <a href=\"/floor/sessions/{a}\">bill #{a}</a>"
        ));
    // Merging it again finds it closed.
    waiter
        .post(
            &format!("/floor/sessions/{a}/merge"),
            &[("session_id", &b.to_string())],
        )
        .await
        .expect(409);

    // The merged bill closes as one sale of every line.
    let bill = waiter.get(&format!("/floor/sessions/{a}/bill")).await;
    bill.expect(200);
    assert_eq!(
        count!(
            app,
            cafe_sessions::table.filter(cafe_sessions::closed_at.is_null())
        ),
        1
    );
}
