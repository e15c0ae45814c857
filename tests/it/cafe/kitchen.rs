//! The kitchen display: tickets, live events, allergy marks, recall.

use super::*;

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
    cebu.get("/kitchen").await.expect_absent("Burger");
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
    board.expect_absent("<b>peanut");
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
    board.expect_absent(&format!("data-ticket=\"{}\"", ids[0]));
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
