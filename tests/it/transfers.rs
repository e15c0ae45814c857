//! Stock transfers and purchase receiving: stock is conserved across branches (also when many
//! transfers run at once), serials travel with their units, shortages are recorded, a step
//! happens once, deliveries add stock and move the cost to the moving average.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::db::write_tx;
use tillpoint::platform::schema::{
    branch_stock, product_serials, products, purchase_orders, stock_transfer_lines,
    stock_transfers, suppliers,
};
use tillpoint::retail::transfers::model as transfers;
use tillpoint::retail::transfers::rules::TypedLine;

use crate::helpers::*;

fn total_stock(app: &TestApp, product: i64) -> i64 {
    branch_stock::table
        .filter(branch_stock::product_id.eq(product))
        .select(branch_stock::quantity)
        .load::<i64>(&mut *app.conn())
        .unwrap()
        .iter()
        .sum()
}

fn serial_at(app: &TestApp, serial: &str) -> (i64, String) {
    product_serials::table
        .filter(product_serials::serial.eq(serial))
        .select((product_serials::branch_id, product_serials::status))
        .first(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_transfer_moves_stock_and_serials_and_records_what_did_not_arrive() {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    let (main, cebu) = (app.seed.main_branch, app.seed.cebu_branch);
    app.receive(main, cable, 10, &[]);
    app.receive(main, phone, 2, &["IMEI-A", "IMEI-B"]);
    let boss = app.signed_in("manager").await;
    let (m, c) = (main.to_string(), cebu.to_string());

    // Bad drafts: nothing saved.
    for (fields, error) in [
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", m.as_str()),
                ("to_branch_id", m.as_str()),
                ("barcode_0", TEST_CABLE),
                ("qty_0", "2"),
            ],
            "to_branch_id",
        ),
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", m.as_str()),
                ("to_branch_id", c.as_str()),
            ],
            "lines",
        ),
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", m.as_str()),
                ("to_branch_id", c.as_str()),
                ("barcode_0", "000"),
                ("qty_0", "2"),
            ],
            "lines",
        ),
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", m.as_str()),
                ("to_branch_id", c.as_str()),
                ("barcode_0", TEST_CABLE),
                ("qty_0", "-2"),
            ],
            "lines",
        ),
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", m.as_str()),
                ("to_branch_id", c.as_str()),
                ("barcode_0", TEST_PHONE),
                ("qty_0", "2"),
                ("serials_0", "IMEI-A"),
            ],
            "lines",
        ),
        (
            vec![
                ("from_branch_id", m.as_str()),
                ("to_branch_id", c.as_str()),
                ("barcode_0", TEST_CABLE),
                ("qty_0", "2"),
            ],
            "key",
        ),
        (
            vec![
                ("key", "tr-key-00001"),
                ("from_branch_id", "x"),
                ("to_branch_id", c.as_str()),
                ("barcode_0", TEST_CABLE),
                ("qty_0", "2"),
            ],
            "from_branch_id",
        ),
    ] {
        let r = boss.post("/transfers", &fields).await;
        r.expect(422);
        assert!(
            r.body.contains(&format!("id=\"{error}-error\"")),
            "{fields:?}: {}",
            r.body
        );
    }
    let none: i64 = stock_transfers::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(none, 0);

    // 6 cables and both phones, sent Manila → Cebu.
    let good = [
        ("key", "tr-key-00002"),
        ("from_branch_id", m.as_str()),
        ("to_branch_id", c.as_str()),
        ("barcode_0", TEST_CABLE),
        ("qty_0", "6"),
        ("barcode_1", TEST_PHONE),
        ("qty_1", "2"),
        ("serials_1", "IMEI-A IMEI-B"),
        ("note", "Stock for the Cebu launch"),
    ];
    let r = boss.post("/transfers", &good).await;
    r.expect(303);
    let page = r.location().to_string();
    // A double click is the same draft.
    boss.post("/transfers", &good).await.expect(303);
    let id: i64 = stock_transfers::table
        .select(stock_transfers::id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(page, format!("/transfers/{id}"));
    boss.get(&page).await.expect(200).expect_text("Draft");
    assert_eq!(
        stock_of(&mut app.conn(), main, cable),
        10,
        "a draft moves nothing"
    );

    boss.post(&format!("{page}/send"), &[]).await.expect(303);
    assert_eq!(stock_of(&mut app.conn(), main, cable), 4);
    assert_eq!(stock_of(&mut app.conn(), main, phone), 0);
    assert_eq!(serial_at(&app, "IMEI-A").1, "in_transit");
    // Sent twice: refused, nothing more leaves.
    let r = boss.post(&format!("{page}/send"), &[]).await;
    r.expect(409);
    assert_eq!(stock_of(&mut app.conn(), main, cable), 4);
    // A phone in transit is sold nowhere.
    let agent = app.signed_in("agent").await;
    agent
        .post_json(
            "/pos/checkout/cash",
            &serde_json::json!({"idempotency_key": "transit-sale-1", "lines": [{"barcode": TEST_PHONE, "serials": ["IMEI-A"]}], "cash_received": "60000"}),
        )
        .await
        .expect(409);

    // 5 cables and IMEI-A arrive: one cable and IMEI-B are short.
    let lines: Vec<i64> = stock_transfer_lines::table
        .filter(stock_transfer_lines::transfer_id.eq(id))
        .order(stock_transfer_lines::id.asc())
        .select(stock_transfer_lines::id)
        .load(&mut *app.conn())
        .unwrap();
    let (cable_line, phone_line) = (lines[0].to_string(), lines[1].to_string());
    let got_cable = format!("got_{cable_line}");
    let counted_cable = format!("counted_{cable_line}");
    let got_phone = format!("got_serial_{phone_line}");
    let counted_phone = format!("counted_{phone_line}");
    let r = boss
        .post(
            &format!("{page}/receive"),
            &[
                (counted_cable.as_str(), "1"),
                (got_cable.as_str(), "9"),
                (counted_phone.as_str(), "1"),
            ],
        )
        .await;
    r.expect(422);
    assert_eq!(
        stock_of(&mut app.conn(), cebu, cable),
        0,
        "nothing received on a refusal"
    );
    for fields in [
        vec![(counted_cable.as_str(), "1"), (got_cable.as_str(), "-1")],
        vec![(counted_cable.as_str(), "1"), (got_cable.as_str(), "five")],
        vec![("counted_x", "1")],
        vec![("counted_999999", "1")],
        vec![
            (counted_phone.as_str(), "1"),
            (got_phone.as_str(), "IMEI-Z"),
        ],
    ] {
        let r = boss.post(&format!("{page}/receive"), &fields).await;
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
    }
    assert_eq!(stock_of(&mut app.conn(), cebu, cable), 0);
    boss.post(
        &format!("{page}/receive"),
        &[
            (counted_cable.as_str(), "1"),
            (got_cable.as_str(), "5"),
            (counted_phone.as_str(), "1"),
            (got_phone.as_str(), "IMEI-A"),
        ],
    )
    .await
    .expect(303);
    assert_eq!(stock_of(&mut app.conn(), cebu, cable), 5);
    assert_eq!(stock_of(&mut app.conn(), cebu, phone), 1);
    assert_eq!(serial_at(&app, "IMEI-A"), (cebu, "in_stock".to_string()));
    assert_eq!(serial_at(&app, "IMEI-B"), (cebu, "damaged".to_string()));
    boss.get(&page)
        .await
        .expect(200)
        .expect_text("Received")
        .expect_text("1 short");
    // Received twice: refused.
    boss.post(&format!("{page}/receive"), &[]).await.expect(409);
    // Sales agents do not move stock between branches.
    agent.get("/transfers").await.expect(403);
    agent.post(&format!("{page}/send"), &[]).await.expect(403);
}

/// Many transfers back and forth at once: every unit is in one branch or the other.
#[actix_web::test]
async fn concurrent_transfers_conserve_stock() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    let (main, cebu) = (app.seed.main_branch, app.seed.cebu_branch);
    app.receive(main, cable, 20, &[]);
    app.receive(cebu, cable, 20, &[]);
    let me = app.id("manager");
    let threads = 6;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|n| {
            let (db, barrier) = (app.db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                let actor = Actor {
                    employee_id: Some(me),
                    ip: None,
                };
                let (from, to) = if n % 2 == 0 {
                    (main, cebu)
                } else {
                    (cebu, main)
                };
                let lines = [TypedLine {
                    barcode: TEST_CABLE.into(),
                    quantity: 7,
                    serials: Vec::new(),
                    cost: None,
                }];
                let now = chrono::Utc::now().naive_utc();
                let id = write_tx(&mut conn, |c| {
                    transfers::create(
                        c,
                        &actor,
                        &transfers::NewTransfer {
                            from,
                            to,
                            note: "",
                            key: &format!("race-transfer-{n}"),
                            lines: &lines,
                        },
                        now,
                    )
                })
                .unwrap();
                barrier.wait();
                let first = write_tx(&mut conn, |c| transfers::send(c, &actor, id, now)).is_ok();
                // Sent again (a double click): refused once it went; a send refused for want
                // of stock may go now that others brought some back.
                let again = write_tx(&mut conn, |c| transfers::send(c, &actor, id, now)).is_ok();
                assert!(!(first && again), "sent twice");
                let sent = first || again;
                if sent {
                    write_tx(&mut conn, |c| transfers::receive(c, &actor, id, &[], now)).unwrap();
                }
                sent
            })
        })
        .collect();
    let sent: usize = handles
        .into_iter()
        .map(|h| usize::from(h.join().unwrap()))
        .sum();
    assert!(sent >= 2, "{sent} sent");
    assert_eq!(total_stock(&app, cable), 40, "no unit made or lost");
    assert!(stock_of(&mut app.conn(), main, cable) >= 0);
}

#[actix_web::test]
async fn receiving_a_purchase_order_adds_stock_and_moves_the_cost_to_the_average() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    let main = app.seed.main_branch;
    // 10 held at the product's cost.
    let cost: i64 = products::table
        .find(cable)
        .select(products::cost_minor)
        .first(&mut *app.conn())
        .unwrap();
    app.receive(main, cable, 10, &[]);
    let now = chrono::Utc::now().naive_utc();
    let supplier: i64 = diesel::insert_into(suppliers::table)
        .values((
            suppliers::name.eq("Octagon Supply"),
            suppliers::contact_person.eq(""),
            suppliers::phone.eq(""),
            suppliers::email.eq(""),
            suppliers::contract_start.eq(now.date()),
            suppliers::contract_expiry.eq(now.date() + chrono::Duration::days(365)),
            suppliers::status.eq("Active"),
            suppliers::is_active.eq(true),
            suppliers::created_at.eq(now),
            suppliers::updated_at.eq(now),
        ))
        .returning(suppliers::id)
        .get_result(&mut *app.conn())
        .unwrap();
    let boss = app.signed_in("manager").await;
    let (s, m) = (supplier.to_string(), main.to_string());
    // Bad orders: nothing saved.
    for fields in [
        vec![
            ("key", "po-key-00001"),
            ("supplier_id", s.as_str()),
            ("branch_id", m.as_str()),
            ("barcode_0", TEST_CABLE),
            ("qty_0", "10"),
        ],
        vec![
            ("key", "po-key-00001"),
            ("supplier_id", s.as_str()),
            ("branch_id", m.as_str()),
            ("barcode_0", TEST_CABLE),
            ("qty_0", "10"),
            ("cost_0", "-5"),
        ],
        vec![
            ("key", "po-key-00001"),
            ("supplier_id", "999999"),
            ("branch_id", m.as_str()),
            ("barcode_0", TEST_CABLE),
            ("qty_0", "10"),
            ("cost_0", "5"),
        ],
        vec![
            ("key", "po-key-00001"),
            ("supplier_id", s.as_str()),
            ("branch_id", m.as_str()),
        ],
    ] {
        let r = boss.post("/purchases", &fields).await;
        r.expect(422);
    }
    let none: i64 = purchase_orders::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(none, 0);
    let new_cost = cost + 2_000;
    let new_cost_text = format!("{}.{:02}", new_cost / 100, new_cost % 100);
    let r = boss
        .post(
            "/purchases",
            &[
                ("key", "po-key-00002"),
                ("supplier_id", s.as_str()),
                ("branch_id", m.as_str()),
                ("barcode_0", TEST_CABLE),
                ("qty_0", "10"),
                ("cost_0", new_cost_text.as_str()),
                ("reference", "INV-2231"),
            ],
        )
        .await;
    r.expect(303);
    let page = r.location().to_string();
    let line: i64 = tillpoint::platform::schema::purchase_order_lines::table
        .select(tillpoint::platform::schema::purchase_order_lines::id)
        .first(&mut *app.conn())
        .unwrap();
    let got = format!("got_{line}");
    // Bad deliveries: refused, nothing received.
    for fields in [
        vec![("key", "po-del-00009"), (got.as_str(), "-1")],
        vec![("key", "po-del-00009"), (got.as_str(), "two")],
        vec![("key", "po-del-00009"), (got.as_str(), "0")],
        vec![(got.as_str(), "1")],
        vec![("key", "po-del-00009"), ("got_999999", "1")],
        vec![("key", "po-del-00009"), ("got_x", "1")],
    ] {
        let r = boss.post(&format!("{page}/receive"), &fields).await;
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
    }
    assert_eq!(stock_of(&mut app.conn(), main, cable), 10);
    // More than ordered: refused.
    boss.post(
        &format!("{page}/receive"),
        &[("key", "po-del-00001"), (got.as_str(), "11")],
    )
    .await
    .expect(409);
    let cost_now = |app: &TestApp| -> i64 {
        products::table
            .find(cable)
            .select(products::cost_minor)
            .first(&mut *app.conn())
            .unwrap()
    };
    // Half arrives; the form sent twice is one delivery.
    for _ in 0..2 {
        boss.post(
            &format!("{page}/receive"),
            &[("key", "po-del-00002"), (got.as_str(), "5")],
        )
        .await
        .expect(303);
    }
    assert_eq!(stock_of(&mut app.conn(), main, cable), 15);
    boss.get(&page)
        .await
        .expect(200)
        .expect_text("Partly received");
    // 10 at cost and 5 at cost + 20.00: cost + 6.666… → + 6.67.
    assert_eq!(cost_now(&app), cost + 667);
    // The rest: 15 at cost + 6.67 and 5 at cost + 20.00: cost + 10.0025 → + 10.00.
    boss.post(
        &format!("{page}/receive"),
        &[("key", "po-del-00003"), (got.as_str(), "5")],
    )
    .await
    .expect(303);
    assert_eq!(stock_of(&mut app.conn(), main, cable), 20);
    assert_eq!(cost_now(&app), cost + 1_000);
    // Nothing more is received on it.
    boss.post(
        &format!("{page}/receive"),
        &[("key", "po-del-00004"), (got.as_str(), "1")],
    )
    .await
    .expect(409);
    boss.get(&page).await.expect(200).expect_text("Received");
    boss.get("/purchases?status=received")
        .await
        .expect(200)
        .expect_text("Octagon Supply");
    let csv = boss.get("/purchases/export.csv").await.expect(200).clone();
    assert!(csv.body.contains("INV-2231"), "{}", csv.body);
    app.signed_in("agent")
        .await
        .get("/purchases")
        .await
        .expect(403);
}
