//! Two instances of the application on one database, as behind a proxy. On PostgreSQL, an
//! order taken by one instance reaches the kitchen, floor and guest streams of the other.

use diesel::prelude::*;
use tillpoint::platform::schema::kitchen_tickets;

use crate::cafe::{guest, next_chunk, open_session, order, setup};
use crate::helpers::next_chunk_within;
use crate::helpers::*;

#[actix_web::test]
async fn an_order_through_one_instance_reaches_the_other_instances_live_streams() {
    let a = TestApp::new().await;
    let cafe = setup(&a);
    // On SQLite there is one instance per database: the same streams, heard in-process.
    let b = if is_postgres() {
        a.second_instance().await
    } else {
        a.clone()
    };
    let kitchen = b.signed_in("kitchen").await;
    let waiter = b.signed_in("waiter").await;
    let mut kitchen_feed = kitchen.open("/kitchen/events").await.into_body();
    let mut floor_feed = waiter.open("/floor/events").await.into_body();
    assert!(next_chunk(&mut kitchen_feed).await.contains("hello"));
    assert!(next_chunk(&mut floor_feed).await.contains("hello"));
    // The guest already has a bill open at table 3 (through instance A), and follows it on B.
    let g = guest(&a, &cafe, 3, "192.0.2.120:5000").await;
    order(&g, &cafe, 3, &[("Latte", "1")]).await.expect(303);
    let sid = open_session(&a, cafe.tables[2].0);
    let expected = format!("event: ticket_new\ndata: {{\"session_id\":{sid}}}\n\n");
    assert_eq!(next_chunk(&mut kitchen_feed).await, expected);
    assert_eq!(next_chunk(&mut floor_feed).await, expected);
    let guest_on_b = b.client_from("192.0.2.120:5001");
    let mut guest_feed = guest_on_b
        .open(&format!("/t/{}/events", cafe.token(3)))
        .await
        .into_body();
    assert!(next_chunk(&mut guest_feed).await.contains("hello"));
    // Instance A's kitchen starts the ticket: B's guest and kitchen hear it.
    let ticket: i64 = kitchen_tickets::table
        .select(kitchen_tickets::id)
        .first(&mut *a.conn())
        .unwrap();
    a.signed_in("kitchen")
        .await
        .post(&format!("/kitchen/tickets/{ticket}/start"), &[])
        .await
        .expect(303);
    assert!(next_chunk(&mut guest_feed)
        .await
        .starts_with("event: ticket\n"));
    assert!(next_chunk(&mut kitchen_feed)
        .await
        .starts_with("event: ticket\n"));
    assert!(next_chunk(&mut floor_feed)
        .await
        .starts_with("event: ticket\n"));
    // A call for staff through A reaches B's floor.
    g.post(&format!("/t/{}/call", cafe.token(3)), &[])
        .await
        .expect(303);
    assert!(next_chunk(&mut floor_feed)
        .await
        .starts_with("event: session\n"));
}

/// The listening connection dies (a database restart, a proxy timeout): the instance
/// reconnects, tells its browsers to resync, and hears the other instance again.
#[actix_web::test]
async fn a_dropped_listening_connection_reconnects_and_resyncs() {
    use diesel::connection::SimpleConnection;
    if !is_postgres() {
        return; // SQLite has no listening connection: events stay in the process.
    }
    let a = TestApp::new().await;
    let cafe = setup(&a);
    let b = a.second_instance().await;
    let kitchen = b.signed_in("kitchen").await;
    let mut feed = kitchen.open("/kitchen/events").await.into_body();
    assert!(next_chunk(&mut feed).await.contains("hello"));
    match &mut *a.conn() {
        tillpoint::platform::db::AnyConnection::Pg(c) => c
            .batch_execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = 'tillpoint-listen' AND datname = current_database()",
            )
            .unwrap(),
        _ => unreachable!(),
    }
    let mut resynced = false;
    for _ in 0..4 {
        let chunk = next_chunk_within(&mut feed, 3).await;
        if chunk.starts_with("event: resync") {
            resynced = true;
            break;
        }
    }
    assert!(resynced, "browsers are told to fetch what they missed");
    let g = guest(&a, &cafe, 4, "192.0.2.121:5000").await;
    order(&g, &cafe, 4, &[("Latte", "1")]).await.expect(303);
    let chunk = next_chunk_within(&mut feed, 3).await;
    assert!(chunk.starts_with("event: ticket_new"), "{chunk}");
}
