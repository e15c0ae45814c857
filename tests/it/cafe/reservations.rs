//! Reservations: overlapping bookings of one table are refused (touching ones are not), on
//! create and on every edit; capacity, the past, opening hours and maintenance; one booking
//! when eight staff book one slot at once; the status buttons; one booking per one-time key.

use super::*;
use tillpoint::cafe::reservations::model::{self as reservations, Source};
use tillpoint::cafe::reservations::rules::ReservationInput;
use tillpoint::cafe::settings;
use tillpoint::platform::schema::reservations as booked;

const DAY: &str = "2030-06-15";

async fn book(client: &Client, table: i64, time: &str, party: &str, key: &str) -> Resp {
    client
        .post(
            "/reservations",
            &[
                ("table_id", &table.to_string()),
                ("customer_name", "Ana Cruz"),
                ("customer_phone", "0917 123 4567"),
                ("party_size", party),
                ("date", DAY),
                ("time", time),
                ("key", key),
            ],
        )
        .await
}

fn id_at(app: &TestApp, table: i64, hour: u32) -> i64 {
    let all: Vec<(i64, chrono::NaiveDateTime)> = booked::table
        .filter(booked::table_id.eq(table))
        .select((booked::id, booked::starts_at))
        .load(&mut *app.conn())
        .unwrap();
    all.into_iter()
        .find(|(_, at)| {
            app.state.clock.to_local(*at).format("%H").to_string() == format!("{hour:02}")
        })
        .map(|(id, _)| id)
        .expect("the booking")
}

#[actix_web::test]
async fn overlapping_bookings_clash_on_create_and_on_every_edit_touching_ones_do_not() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let (t1, t2) = (cafe.tables[0].0, cafe.tables[1].0);
    let waiter = app.signed_in("waiter").await;
    book(&waiter, t1, "18:00", "2", "book-key-0001")
        .await
        .expect(303);
    // 18:00–19:30 and 19:30–21:00 touch: both stand.
    book(&waiter, t1, "19:30", "2", "book-key-0002")
        .await
        .expect(303);
    book(&waiter, t1, "19:00", "2", "book-key-0003")
        .await
        .expect(409)
        .expect_text("Table 1 is already booked from 18:00 to 19:30");
    book(&waiter, t2, "19:00", "3", "book-key-0004")
        .await
        .expect(303);
    assert_eq!(count!(&app, booked::table), 3);

    let edit = |id: i64, table: i64, time: &str, notes: &str| {
        let fields = [
            ("table_id".to_string(), table.to_string()),
            ("customer_name".into(), "Ana Cruz".into()),
            ("customer_phone".into(), "0917 123 4567".into()),
            ("party_size".into(), "2".into()),
            ("date".into(), DAY.into()),
            ("time".into(), time.into()),
            ("notes".into(), notes.into()),
        ];
        let w = &waiter;
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            w.post(&format!("/reservations/{id}"), &f).await
        }
    };
    let late = id_at(&app, t1, 19);
    let other = id_at(&app, t2, 19);
    // Moving only the time into the 18:00 booking clashes.
    edit(late, t1, "18:30", "").await.expect(409);
    // Moving only the table onto table 1 at 19:00 clashes with both of its bookings.
    edit(other, t1, "19:00", "").await.expect(409);
    // Changing only the notes is fine.
    edit(late, t1, "19:30", "Window seat").await.expect(303);
    let notes: String = booked::table
        .find(late)
        .select(booked::notes)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(notes, "Window seat");
    // A cancelled booking frees its time.
    waiter
        .post(&format!("/reservations/{late}/cancel"), &[])
        .await
        .expect(303);
    edit(other, t1, "19:30", "").await.expect(303);
}

#[actix_web::test]
async fn bookings_that_cannot_be_kept_are_refused_with_a_reason() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let t1 = cafe.tables[0].0;
    let waiter = app.signed_in("waiter").await;
    book(&waiter, t1, "19:00", "5", "refuse-key-01")
        .await
        .expect(422)
        .expect_text("Table 1 seats 4");
    waiter
        .post(
            "/reservations",
            &[
                ("table_id", &t1.to_string()),
                ("customer_name", "Ana"),
                ("customer_phone", "0917 123 4567"),
                ("party_size", "2"),
                ("date", "2020-01-01"),
                ("time", "12:00"),
                ("key", "refuse-key-02"),
            ],
        )
        .await
        .expect(422)
        .expect_text("That time has passed");
    book(&waiter, t1, "06:00", "2", "refuse-key-03")
        .await
        .expect(422)
        .expect_text("open 07:00 to 22:00");
    // Starts in time but would run past closing.
    book(&waiter, t1, "21:00", "2", "refuse-key-04")
        .await
        .expect(422);
    for (field, value) in [
        ("party_size", "0"),
        ("party_size", "many"),
        ("customer_phone", "call me"),
        ("time", "25:61"),
        ("date", "2030-02-30"),
        ("table_id", "abc"),
        ("customer_name", "\u{200b}\u{200b}"),
    ] {
        let mut fields = [
            ("table_id", t1.to_string()),
            ("customer_name", "Ana".to_string()),
            ("customer_phone", "0917 123 4567".to_string()),
            ("party_size", "2".to_string()),
            ("date", DAY.to_string()),
            ("time", "19:00".to_string()),
            ("key", format!("refuse-{field}")),
        ];
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value.to_string();
            }
        }
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        waiter.post("/reservations", &f).await.expect(422);
    }
    // A table of another branch, a tampered key.
    let cebu_table = {
        let mut c = app.conn();
        write_tx(&mut c, |c| {
            tables::create(
                c,
                &Actor::system(),
                app.seed.cebu_branch,
                &TableInput {
                    number: 9,
                    capacity: 4,
                    location: String::new(),
                    status: TableStatus::Available,
                },
            )
        })
        .unwrap()
    };
    book(&waiter, cebu_table, "19:00", "2", "refuse-key-05")
        .await
        .expect(422);
    book(&waiter, t1, "19:00", "2", "<bad>").await.expect(400);
    // A table in maintenance.
    {
        let mut c = app.conn();
        write_tx(&mut c, |c| {
            tables::set_status(c, &Actor::system(), t1, TableStatus::Maintenance)
        })
        .unwrap();
    }
    book(&waiter, t1, "19:00", "2", "refuse-key-06")
        .await
        .expect(409)
        .expect_text("in maintenance");
    assert_eq!(count!(&app, booked::table), 0);
}

#[actix_web::test]
async fn eight_staff_booking_one_slot_at_once_make_one_booking() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let t1 = cafe.tables[0].0;
    let branch = app.seed.main_branch;
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let db = app.db.clone();
            let barrier = barrier.clone();
            let state = app.state.clone();
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                let cafe = settings::load(&mut conn, &state.config).unwrap();
                let input = ReservationInput {
                    table_id: t1,
                    customer_name: format!("Guest {i}"),
                    customer_phone: "0917 123 4567".into(),
                    party_size: 2,
                    date: chrono::NaiveDate::parse_from_str(DAY, "%Y-%m-%d").unwrap(),
                    time: chrono::NaiveTime::from_hms_opt(19, i % 2, 0).unwrap(),
                    minutes: 90,
                    notes: String::new(),
                };
                barrier.wait();
                write_tx(&mut conn, |c| {
                    reservations::create(
                        c,
                        &Actor::system(),
                        branch,
                        &input,
                        Source::Staff,
                        Some(&format!("race-key-{i:04}")),
                        &state.clock,
                        &cafe,
                    )
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(count!(&app, booked::table), 1);
}

#[actix_web::test]
async fn a_booking_is_confirmed_seated_and_completed_once_each() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let t2 = cafe.tables[1].0;
    let waiter = app.signed_in("waiter").await;
    // A double click: one key, one booking.
    book(&waiter, t2, "12:00", "4", "seat-key-0001")
        .await
        .expect(303);
    book(&waiter, t2, "12:00", "4", "seat-key-0001")
        .await
        .expect(303);
    assert_eq!(count!(&app, booked::table), 1);
    let id = id_at(&app, t2, 12);
    // Staff bookings start confirmed; confirming again is refused.
    waiter
        .post(&format!("/reservations/{id}/confirm"), &[])
        .await
        .expect(409);
    let audits = app.audit_count();
    waiter
        .post(&format!("/reservations/{id}/seat"), &[])
        .await
        .expect(303);
    let (status, session): (String, Option<i64>) = booked::table
        .find(id)
        .select((booked::status, booked::session_id))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "seated");
    let open: Option<chrono::NaiveDateTime> = cafe_sessions::table
        .find(session.expect("a bill opened"))
        .select(cafe_sessions::closed_at)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(open, None);
    let table_status: String = cafe_tables::table
        .find(t2)
        .select(cafe_tables::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(table_status, "occupied");
    assert!(
        app.audit_count() >= audits + 2,
        "the bill and the seating are audited"
    );
    waiter
        .post(&format!("/reservations/{id}/seat"), &[])
        .await
        .expect(409);
    waiter
        .post(&format!("/reservations/{id}/cancel"), &[])
        .await
        .expect(409);
    waiter
        .post(&format!("/reservations/{id}/complete"), &[])
        .await
        .expect(303);
    waiter
        .post(&format!("/reservations/{id}/teleport"), &[])
        .await
        .expect(404);
    waiter
        .post("/reservations/99999/confirm", &[])
        .await
        .expect(404);
    // The day view groups by time and finds free tables for a party.
    let day = waiter
        .get(&format!("/reservations?date={DAY}&party=4&time=12:30"))
        .await;
    day.expect(200)
        .expect_text("<h2>12:00</h2>")
        .expect_text("Completed")
        .expect_text("Table 1 (4 seats)");
    waiter
        .get("/reservations?date=2030-02-30")
        .await
        .expect(400);
    waiter
        .get(&format!("/reservations?date={DAY}&party=99&time=12:00"))
        .await
        .expect(400);
    waiter
        .get(&format!("/reservations?date={DAY}&q=ana"))
        .await
        .expect(200)
        .expect_text("Ana Cruz");
    app.signed_in("kitchen")
        .await
        .get("/reservations")
        .await
        .expect(403);
}

#[actix_web::test]
async fn staff_of_another_branch_cannot_touch_a_booking() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let t3 = cafe.tables[2].0;
    let waiter = app.signed_in("waiter").await;
    book(&waiter, t3, "13:00", "2", "branch-key-01")
        .await
        .expect(303);
    let id = id_at(&app, t3, 13);
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebu_waiter",
        Role::Waiter,
        Some(app.seed.cebu_branch),
        &hash,
    );
    let other = app.signed_in("cebu_waiter").await;
    other
        .post(&format!("/reservations/{id}/cancel"), &[])
        .await
        .expect(403);
    other
        .get(&format!("/reservations/{id}/edit"))
        .await
        .expect(403);
    let status: String = booked::table
        .find(id)
        .select(booked::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "confirmed");
}

async fn ask(client: &Client, name: &str, party: &str, time: &str, key: &str) -> Resp {
    client
        .post(
            "/reserve",
            &[
                ("customer_name", name),
                ("customer_phone", "0918 555 0101"),
                ("party_size", party),
                ("date", DAY),
                ("time", time),
                ("key", key),
            ],
        )
        .await
}

#[actix_web::test]
async fn a_guest_requests_a_booking_without_seeing_anyone_elses() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let guest = app.client();
    guest
        .get("/reserve")
        .await
        .expect(200)
        .expect_text("Book a table at");
    ask(&guest, "Rosa", "2", "19:00", "guest-key-001")
        .await
        .expect(200)
        .expect_text("Thank you, Rosa");
    // The same request again (a retry): still one.
    ask(&guest, "Rosa", "2", "19:00", "guest-key-001")
        .await
        .expect(200);
    let rows: Vec<(String, String)> = booked::table
        .select((booked::status, booked::source))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(rows, vec![("pending".to_string(), "guest".to_string())]);
    // Staff fill the other tables; the next guest is told no table is free, and nobody's name.
    let waiter = app.signed_in("waiter").await;
    for (n, (table, _)) in cafe.tables.iter().enumerate().skip(1) {
        book(&waiter, *table, "19:00", "2", &format!("fill-key-{n:04}"))
            .await
            .expect(303);
    }
    let full = ask(&guest, "Sam", "2", "19:15", "guest-key-002").await;
    full.expect(409).expect_text("No table for 2 is free");
    assert!(!full.body.contains("Rosa") && !full.body.contains("Ana Cruz"));
    // The request page lists no bookings.
    guest
        .get("/reserve")
        .await
        .expect_absent("Rosa")
        .expect_absent("0918 555 0101");
    ask(&guest, "Big party", "60", "12:00", "guest-key-003")
        .await
        .expect(422);
    // A flood from one place runs into the branch's limit (refusals count too).
    let mut last = 0;
    for i in 0..70 {
        last = ask(&guest, "Flood", "2", "06:00", &format!("flood-key-{i:04}"))
            .await
            .status;
        if last == 429 {
            break;
        }
    }
    assert_eq!(last, 429);
    assert_eq!(count!(&app, booked::table), 4);
}

#[actix_web::test]
async fn a_party_is_not_seated_at_a_table_whose_last_guests_have_not_paid() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let t1 = cafe.tables[0].0;
    let g = guest(&app, &cafe, 1, "192.0.2.80:5000").await;
    order(&g, &cafe, 1, &[("Latte", "1")]).await.expect(303);
    let waiter = app.signed_in("waiter").await;
    book(&waiter, t1, "12:00", "2", "busy-key-0001")
        .await
        .expect(303);
    let id = id_at(&app, t1, 12);
    waiter
        .post(&format!("/reservations/{id}/seat"), &[])
        .await
        .expect(409);
    let status: String = booked::table
        .find(id)
        .select(booked::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "confirmed");
}
