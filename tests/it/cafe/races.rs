//! Cafe races with real threads: many guests at once, two waiters closing one bill.

use super::*;

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
                options: Vec::new(),
                hold: false,
                seat: None,
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
        let results = close_at_once(
            &app,
            &[
                (Some("waiter"), placed.session_id),
                (Some("manager"), placed.session_id),
            ],
        );
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
async fn two_waiters_closing_one_bill_over_http_make_one_sale() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let waiter = app.signed_in("waiter").await;
    let manager = app.signed_in("manager").await;
    for round in 0..3 {
        let g = guest(&app, &cafe, 2, &format!("10.31.0.{round}:5000")).await;
        order(&g, &cafe, 2, &[("Latte", "1")]).await.expect(303);
        let session = open_session(&app, cafe.tables[1].0);
        let url = format!("/floor/sessions/{session}/close");
        // The whole route runs twice at once: extractors, guard, CSRF, the write.
        let (a, b) = futures_util::future::join(
            waiter.post(&url, &[("payment_method", "cash")]),
            manager.post(&url, &[("payment_method", "card")]),
        )
        .await;
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "round {round}");
        assert_eq!(count!(&app, cafe_sales::table), round + 1);
    }
}

/// A waiter moves table 1's bill to table 2, and merges table 3's bill into it, while guests at
/// tables 1 and 3 keep ordering: no order is lost or counted twice, and no table ends with
/// two open bills.
#[actix_web::test]
async fn moving_and_merging_while_guests_order_loses_no_line() {
    use tillpoint::cafe::floor::moves;
    for round in 0..3 {
        let app = TestApp::new().await;
        let cafe = setup(&app);
        let fries = cafe.item("Fries");
        guest_order(&app.db, cafe.token(1), "10.30.0.1".into(), &[(fries, 1)]).unwrap();
        guest_order(&app.db, cafe.token(3), "10.30.0.3".into(), &[(fries, 1)]).unwrap();
        let (one, two, three) = (cafe.tables[0].0, cafe.tables[1].0, cafe.tables[2].0);
        let (bill, other) = (open_session(&app, one), open_session(&app, three));
        let waiter: tillpoint::platform::auth::CurrentUser = {
            use tillpoint::platform::schema::employees;
            let (id, branch): (i64, Option<i64>) = employees::table
                .filter(employees::username.eq("waiter"))
                .select((employees::id, employees::branch_id))
                .first(&mut *app.conn())
                .unwrap();
            tillpoint::platform::auth::CurrentUser {
                id,
                username: "waiter".into(),
                name: "Waiter".into(),
                role: Role::Waiter,
                branch_id: branch,
                picture_id: None,
                session_id: 0,
                api_token: None,
            }
        };
        let barrier = Arc::new(Barrier::new(5));
        let mut handles = Vec::new();
        for i in 0..4 {
            let (db, barrier) = (app.db.clone(), barrier.clone());
            let token = cafe.tables[if i % 2 == 0 { 0 } else { 2 }].1.clone();
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                guest_order(&db, &token, format!("10.31.{round}.{i}"), &[(fries, 2)]).map(|_| ())
            }));
        }
        let (db, b) = (app.db.clone(), barrier.clone());
        let mover = std::thread::spawn(move || {
            let actor = Actor {
                employee_id: Some(waiter.id),
                ip: None,
            };
            b.wait();
            let mut conn = db.pool().get().unwrap();
            let now = chrono::Utc::now().naive_utc();
            write_tx(&mut conn, |c| {
                moves::move_to(c, &actor, &waiter, bill, two, now)
            })?;
            write_tx(&mut conn, |c| {
                moves::merge(c, &actor, &waiter, bill, other, now)
            })
        });
        for h in handles {
            h.join().unwrap().expect("every guest order succeeds");
        }
        mover
            .join()
            .unwrap()
            .expect("the move and the merge succeed");
        // Every line of every order is on exactly one bill: 2 first orders of 1, 4 of 2.
        let quantities: Vec<i64> = cafe_session_lines::table
            .select(cafe_session_lines::quantity)
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(quantities.iter().sum::<i64>(), 2 + 4 * 2);
        for t in [one, two, three] {
            let open: i64 = cafe_sessions::table
                .filter(cafe_sessions::table_id.eq(t))
                .filter(cafe_sessions::closed_at.is_null())
                .count()
                .get_result(&mut *app.conn())
                .unwrap();
            assert!(open <= 1, "table {t} has {open} open bills");
        }
        assert_eq!(open_session(&app, two), bill);
    }
}
