//! Registers and shifts: the float, sales and cash movements add up at the close to the
//! centavo; one open shift per register and per person; the close is final; bad input and
//! other people's drawers are refused.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::auth::{password, Role};
use tillpoint::platform::db::write_tx;
use tillpoint::platform::money::Money;
use tillpoint::platform::schema::{cash_movements, orders, registers, shifts};
use tillpoint::registers::shifts::{model, rules::Count};

use crate::helpers::*;

/// A sales agent of the main branch with no shift yet, signed in; the free "MNL Till 3".
async fn cashier(app: &TestApp, username: &str) -> (Client, i64) {
    let hash = password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        username,
        Role::SalesAgent,
        Some(app.seed.main_branch),
        &hash,
    );
    let till: i64 = registers::table
        .filter(registers::name.eq("MNL Till 3"))
        .select(registers::id)
        .first(&mut *app.conn())
        .unwrap();
    (app.signed_in(username).await, till)
}

fn shift_of(app: &TestApp, username: &str) -> model::Shift {
    model::open_of(&mut app.conn(), app.id(username))
        .unwrap()
        .expect("an open shift")
}

fn closed(app: &TestApp, id: i64) -> model::Shift {
    model::find(&mut app.conn(), id).unwrap()
}

async fn sell(c: &Client, key: &str, quantity: i64, cash: &str) -> serde_json::Value {
    let r = c
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": key, "lines": [{"barcode": TEST_CABLE, "quantity": quantity}], "cash_received": cash}),
        )
        .await;
    r.expect(201);
    r.json()
}

#[actix_web::test]
async fn a_shift_adds_up_to_the_centavo_and_its_close_is_final() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 20, &[]);
    let (ana, till) = cashier(&app, "ana").await;

    // No shift, no sale.
    let r = ana
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": "before-shift-1", "lines": [{"barcode": TEST_CABLE, "quantity": 1}], "cash_received": "500"}),
        )
        .await;
    r.expect(409);
    assert!(r.body.contains("Open a shift first"), "{}", r.body);
    ana.get("/pos")
        .await
        .expect(200)
        .expect_text("Open a shift first");

    // Open on Till 3 with 1 × 1000 + 2 × 500 + 3 × 0.25 = 2,000.75, counted by denomination.
    let form = ana.get("/shifts").await.expect(200).clone();
    let key = hidden(&form.body, "key");
    let till_s = till.to_string();
    ana.post(
        "/shifts/open",
        &[
            ("key", key.as_str()),
            ("register_id", till_s.as_str()),
            ("d_100000", "1"),
            ("d_50000", "2"),
            ("d_25", "3"),
            ("next", "/pos"),
        ],
    )
    .await
    .expect(303);
    let shift = shift_of(&app, "ana");
    assert_eq!(
        (shift.opening_float_minor, shift.opening_count.as_str()),
        (200_075, "100000x1 50000x2 25x3")
    );
    // The same form sent again is the same shift.
    ana.post(
        "/shifts/open",
        &[
            ("key", key.as_str()),
            ("register_id", till_s.as_str()),
            ("amount", "2000.75"),
        ],
    )
    .await
    .expect(303);
    let count: i64 = shifts::table
        .filter(shifts::employee_id.eq(app.id("ana")))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(count, 1);

    // Two cash sales: 2 × 299.00 paid with 1,000.00, 1 × 299.00 paid exactly.
    let first = sell(&ana, "shift-sale-0001", 2, "1000.00").await;
    assert_eq!(
        (first["total"].as_str(), first["change"].as_str()),
        (Some("598.00"), Some("402.00"))
    );
    let second = sell(&ana, "shift-sale-0002", 1, "299.00").await;
    let in_shift: i64 = orders::table
        .filter(orders::shift_id.eq(shift.id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(in_shift, 2);

    // A bank drop of 1,500.00 and 100.00 more change in.
    let page = ana
        .get(&format!("/shifts/{}", shift.id))
        .await
        .expect(200)
        .clone();
    let move_key = hidden(&page.body, "key");
    let path = format!("/shifts/{}/cash", shift.id);
    ana.post(
        &path,
        &[
            ("key", move_key.as_str()),
            ("kind", "out"),
            ("move_amount", "1,500.00"),
            ("reason", "Bank drop"),
        ],
    )
    .await
    .expect(303);
    // A double click records it once.
    ana.post(
        &path,
        &[
            ("key", move_key.as_str()),
            ("kind", "out"),
            ("move_amount", "1,500.00"),
            ("reason", "Bank drop"),
        ],
    )
    .await
    .expect(303);
    ana.post(
        &path,
        &[
            ("key", "cash-in-key-0001"),
            ("kind", "in"),
            ("move_amount", "100"),
            ("reason", "Coins from the bank"),
        ],
    )
    .await
    .expect(303);
    let moves: i64 = cash_movements::table
        .filter(cash_movements::shift_id.eq(shift.id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(moves, 2);

    // Expected: 2,000.75 + 598.00 + 299.00 − 1,500.00 + 100.00 = 1,497.75.
    let x = ana
        .get(&format!("/shifts/{}", shift.id))
        .await
        .expect(200)
        .clone();
    x.expect_text("1,497.75").expect_text("X report");
    // Counted 1,497.25: short by 0.50, which needs a note.
    let close = format!("/shifts/{}/close", shift.id);
    let r = ana
        .post(&close, &[("key", "close-key-00001"), ("amount", "1497.25")])
        .await;
    r.expect(422);
    r.expect_field_error("note", "Short by 0.50");
    assert!(
        closed(&app, shift.id).is_open(),
        "a refused close leaves the shift open"
    );
    ana.post(
        &close,
        &[
            ("key", "close-key-00001"),
            ("amount", "1497.25"),
            ("note", "A 50-centavo coin fell behind the drawer"),
        ],
    )
    .await
    .expect(303);
    let done = closed(&app, shift.id);
    assert_eq!(
        (
            done.expected_cash_minor,
            done.counted_cash_minor,
            done.grand_total_after_minor
        ),
        (Some(149_775), Some(149_725), Some(89_700))
    );
    let z = ana
        .get(&format!("/shifts/{}/z-report", shift.id))
        .await
        .expect(200)
        .clone();
    z.expect_text("Z REPORT")
        .expect_text("Short by 0.50")
        .expect_text(first["receipt_number"].as_str().unwrap())
        .expect_text(second["receipt_number"].as_str().unwrap())
        .expect_text("Bank drop");
    ana.get(&format!("/shifts/{}/z-report?paper=a4", shift.id))
        .await
        .expect(200);
    ana.get(&format!("/shifts/{}/z-report?paper=letter", shift.id))
        .await
        .expect(400);

    // Closed is final: no sale, no cash movement, no second close.
    let r = ana
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": "after-close-01", "lines": [{"barcode": TEST_CABLE, "quantity": 1}], "cash_received": "500"}),
        )
        .await;
    r.expect(409);
    ana.post(
        &path,
        &[
            ("key", "cash-late-0001"),
            ("kind", "in"),
            ("move_amount", "5"),
            ("reason", "Late"),
        ],
    )
    .await
    .expect(409);
    // A retry of the bank drop answered before the close answers it again, and adds nothing.
    ana.post(
        &path,
        &[
            ("key", move_key.as_str()),
            ("kind", "out"),
            ("move_amount", "1,500.00"),
            ("reason", "Bank drop"),
        ],
    )
    .await
    .expect(303);
    let moves_after: i64 = cash_movements::table
        .filter(cash_movements::shift_id.eq(shift.id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(moves_after, 2);
    ana.post(&close, &[("key", "close-key-00002"), ("amount", "0")])
        .await
        .expect(409);
    // A retry of a sale answered before the close still answers the same sale.
    assert_eq!(
        sell(&ana, "shift-sale-0001", 2, "1000.00").await["order_id"],
        first["order_id"]
    );

    // The next shift on the register starts from this one's grand total.
    let next = open_shift(&mut app.conn(), app.id("ana"), till, 0);
    assert_eq!(closed(&app, next).grand_total_before_minor, 89_700);
}

/// The value of a hidden input of a page.
fn hidden(body: &str, name: &str) -> String {
    let at = body
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no hidden {name}"));
    let rest = &body[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[actix_web::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let (ana, till) = cashier(&app, "ana").await;
    let cebu: i64 = registers::table
        .filter(registers::name.eq("CEB Till 1"))
        .select(registers::id)
        .first(&mut *app.conn())
        .unwrap();
    let till = till.to_string();
    let cebu = cebu.to_string();
    let audit = app.audit_count();
    for (fields, status, says) in [
        (
            vec![("register_id", till.as_str()), ("amount", "100")],
            400,
            "out of date",
        ),
        (
            vec![
                ("key", "k-00000001"),
                ("register_id", "abc"),
                ("amount", "100"),
            ],
            422,
            "Choose a register",
        ),
        (
            vec![
                ("key", "k-00000002"),
                ("register_id", cebu.as_str()),
                ("amount", "100"),
            ],
            422,
            "of your branch",
        ),
        (
            vec![
                ("key", "k-00000003"),
                ("register_id", "999999"),
                ("amount", "100"),
            ],
            422,
            "from the list",
        ),
        (
            vec![
                ("key", "k-00000004"),
                ("register_id", till.as_str()),
                ("amount", "-5"),
            ],
            422,
            "negative",
        ),
        (
            vec![
                ("key", "k-00000005"),
                ("register_id", till.as_str()),
                ("amount", ""),
            ],
            422,
            "Count the cash",
        ),
        (
            vec![
                ("key", "k-00000006"),
                ("register_id", till.as_str()),
                ("d_100000", "1.5"),
            ],
            422,
            "1,000.00 pieces",
        ),
        (
            vec![
                ("key", "k-00000007"),
                ("register_id", till.as_str()),
                ("d_100000", "-1"),
            ],
            422,
            "whole number",
        ),
        (
            vec![
                ("key", "k-00000008"),
                ("register_id", till.as_str()),
                ("d_100000", "1"),
                ("amount", "5"),
            ],
            422,
            "add up to 1,000.00",
        ),
        (
            vec![
                ("key", "k-00000009"),
                ("register_id", till.as_str()),
                ("amount", "1e5"),
            ],
            422,
            "amount",
        ),
        (
            vec![
                ("key", "k-00000010"),
                ("register_id", till.as_str()),
                ("amount", "\u{200b}"),
            ],
            422,
            "amount",
        ),
    ] {
        let r = ana.post("/shifts/open", &fields).await;
        assert_eq!(r.status, status, "{fields:?}: {}", r.body);
        assert!(
            r.body.contains(says),
            "{fields:?} should say {says}: {}",
            r.body
        );
    }
    assert_eq!(app.audit_count(), audit, "nothing was written");
    assert!(model::open_of(&mut app.conn(), app.id("ana"))
        .unwrap()
        .is_none());

    // A register taken by someone else's shift; a second shift for the same person.
    let agent_till = shift_of(&app, "agent").register_id.to_string();
    let r = ana
        .post(
            "/shifts/open",
            &[
                ("key", "k-00000011"),
                ("register_id", agent_till.as_str()),
                ("amount", "0"),
            ],
        )
        .await;
    r.expect(409);
    assert!(r.body.contains("already has an open shift"), "{}", r.body);
    ana.post(
        "/shifts/open",
        &[
            ("key", "k-00000012"),
            ("register_id", till.as_str()),
            ("amount", "0"),
        ],
    )
    .await
    .expect(303);
    let r = ana
        .post(
            "/shifts/open",
            &[
                ("key", "k-00000013"),
                ("register_id", till.as_str()),
                ("amount", "0"),
            ],
        )
        .await;
    r.expect(409);

    // Cash movements: bad kinds, amounts and reasons; more out than the drawer holds.
    let shift = shift_of(&app, "ana");
    let path = format!("/shifts/{}/cash", shift.id);
    for (fields, status) in [
        (
            vec![
                ("key", "m-00000001"),
                ("kind", "sideways"),
                ("move_amount", "5"),
                ("reason", "x"),
            ],
            422,
        ),
        (
            vec![
                ("key", "m-00000002"),
                ("kind", "in"),
                ("move_amount", "0"),
                ("reason", "x"),
            ],
            422,
        ),
        (
            vec![
                ("key", "m-00000003"),
                ("kind", "in"),
                ("move_amount", "abc"),
                ("reason", "x"),
            ],
            422,
        ),
        (
            vec![
                ("key", "m-00000004"),
                ("kind", "in"),
                ("move_amount", "5"),
                ("reason", "  "),
            ],
            422,
        ),
        (
            vec![
                ("key", "m-00000005"),
                ("kind", "in"),
                ("move_amount", "5"),
                ("reason", &"r".repeat(201)),
            ],
            422,
        ),
        (
            vec![
                ("key", "m-00000006"),
                ("kind", "out"),
                ("move_amount", "0.01"),
                ("reason", "More than there is"),
            ],
            409,
        ),
        (
            vec![("kind", "in"), ("move_amount", "5"), ("reason", "No key")],
            400,
        ),
    ] {
        let r = ana.post(&path, &fields).await;
        assert_eq!(r.status, status, "{fields:?}: {}", r.body);
    }
    let moves: i64 = cash_movements::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(moves, 0);
    // Closing with nothing counted.
    let r = ana
        .post(
            &format!("/shifts/{}/close", shift.id),
            &[("key", "c-00000001")],
        )
        .await;
    r.expect(422);
    assert!(shift_of(&app, "ana").is_open());
}

#[actix_web::test]
async fn a_drawer_is_its_cashiers_and_the_managers() {
    let app = TestApp::new().await;
    let agent_shift = shift_of(&app, "agent");
    let (ana, _) = cashier(&app, "ana").await;
    // Another cashier's shift does not exist for Ana, whatever she tries.
    ana.get(&format!("/shifts/{}", agent_shift.id))
        .await
        .expect(404);
    ana.get(&format!("/shifts/{}/z-report", agent_shift.id))
        .await
        .expect(404);
    ana.post(
        &format!("/shifts/{}/cash", agent_shift.id),
        &[
            ("key", "m-00000001"),
            ("kind", "in"),
            ("move_amount", "5"),
            ("reason", "x"),
        ],
    )
    .await
    .expect(404);
    ana.post(
        &format!("/shifts/{}/close", agent_shift.id),
        &[("key", "c-00000001"), ("amount", "0")],
    )
    .await
    .expect(404);
    assert!(shift_of(&app, "agent").is_open());
    // Her list shows only her own; the manager's shows everyone's, and the CSV follows.
    let list = ana.get("/shifts").await.expect(200).clone();
    assert!(!list.body.contains(&format!("/shifts/{}\"", agent_shift.id)));
    let m = app.signed_in("manager").await;
    m.get("/shifts")
        .await
        .expect(200)
        .expect_text(&format!("/shifts/{}\"", agent_shift.id));
    m.get(&format!("/shifts/{}", agent_shift.id))
        .await
        .expect(200);
    let csv = m
        .get("/shifts/export.csv?status=open")
        .await
        .expect(200)
        .clone();
    assert!(
        csv.body
            .starts_with("\u{feff}Shift,Register,Branch,Cashier"),
        "{}",
        csv.body
    );
    assert_eq!(csv.body.lines().count(), 3, "two open shifts: {}", csv.body);
    let csv = ana.get("/shifts/export.csv").await.expect(200).clone();
    assert_eq!(csv.body.lines().count(), 1, "Ana has none: {}", csv.body);
    m.get("/shifts?status=sideways").await.expect(400);
    m.get("/shifts?from=yesterday").await.expect(400);
    // A manager closes the agent's shift (the agent went home).
    m.post(
        &format!("/shifts/{}/close", agent_shift.id),
        &[("key", "c-00000002"), ("amount", "0")],
    )
    .await
    .expect(303);
    assert!(!closed(&app, agent_shift.id).is_open());
    // Waiters have shifts too; the kitchen and credit officers do not.
    app.signed_in("waiter")
        .await
        .get("/shifts")
        .await
        .expect(200);
    app.signed_in("kitchen")
        .await
        .get("/shifts")
        .await
        .expect(403);
    app.signed_in("credit")
        .await
        .get("/shifts")
        .await
        .expect(403);
}

#[actix_web::test]
async fn managers_keep_the_registers() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let main = app.seed.main_branch.to_string();
    m.post(
        "/registers",
        &[
            ("branch_id", main.as_str()),
            ("name", "Front counter"),
            ("machine_id", "26112204518339"),
            ("serial_number", "SN-1"),
            ("permit_number", "FP-1"),
        ],
    )
    .await
    .expect(303);
    let r = m
        .post(
            "/registers",
            &[("branch_id", main.as_str()), ("name", "Front counter")],
        )
        .await;
    r.expect(409);
    r.expect_field_error("name", "already has a register");
    m.post("/registers", &[("branch_id", "999"), ("name", "Nowhere")])
        .await
        .expect(422);
    m.post("/registers", &[("branch_id", main.as_str()), ("name", "")])
        .await
        .expect(422);
    m.post(
        "/registers",
        &[("branch_id", main.as_str()), ("name", &"x".repeat(61))],
    )
    .await
    .expect(422);
    m.get("/registers")
        .await
        .expect(200)
        .expect_text("Front counter")
        .expect_text("26112204518339");
    // The agent's till has an open shift: it is not archived or moved.
    let busy = shift_of(&app, "agent").register_id;
    m.post(&format!("/registers/{busy}/archive"), &[])
        .await
        .expect(409);
    let cebu = app.seed.cebu_branch.to_string();
    let r = m
        .post(
            &format!("/registers/{busy}"),
            &[("branch_id", cebu.as_str()), ("name", "MNL Till 1")],
        )
        .await;
    r.expect(409);
    // A free one is archived, and no shift opens on it.
    let free: i64 = registers::table
        .filter(registers::name.eq("MNL Till 3"))
        .select(registers::id)
        .first(&mut *app.conn())
        .unwrap();
    m.post(&format!("/registers/{free}/archive"), &[])
        .await
        .expect(303);
    m.post(&format!("/registers/{free}/archive"), &[])
        .await
        .expect(409);
    let (ana, _) = cashier(&app, "ana").await;
    let free_s = free.to_string();
    ana.post(
        "/shifts/open",
        &[
            ("key", "k-00000001"),
            ("register_id", free_s.as_str()),
            ("amount", "0"),
        ],
    )
    .await
    .expect(422);
    m.post(&format!("/registers/{free}/restore"), &[])
        .await
        .expect(303);
    ana.post(
        "/shifts/open",
        &[
            ("key", "k-00000002"),
            ("register_id", free_s.as_str()),
            ("amount", "0"),
        ],
    )
    .await
    .expect(303);
    // Sales agents do not keep registers.
    ana.get("/registers").await.expect(403);
}

/// Two people opening the same register at the same moment: one shift. One person opening two
/// registers at once: one shift.
#[::core::prelude::v1::test]
fn one_open_shift_per_register_and_per_person_under_concurrent_opens() {
    for _ in 0..4 {
        let (db, _, _, _cleanup) = fresh_db();
        let seed = seed(&mut db.pool().get().unwrap());
        let hash = password::hash(PASSWORD, 4).unwrap();
        let mut conn = db.pool().get().unwrap();
        let ana = insert_employee(
            &mut conn,
            "ana",
            Role::SalesAgent,
            Some(seed.main_branch),
            &hash,
        );
        let ben = insert_employee(
            &mut conn,
            "ben",
            Role::SalesAgent,
            Some(seed.main_branch),
            &hash,
        );
        let a = register_at(&mut conn, seed.main_branch, "Race A");
        let b = register_at(&mut conn, seed.main_branch, "Race B");
        drop(conn);
        let attempts = [(ana, a, "ana-a"), (ben, a, "ben-a"), (ana, b, "ana-b")];
        let barrier = Arc::new(Barrier::new(attempts.len()));
        let handles: Vec<_> = attempts
            .into_iter()
            .map(|(who, register, key)| {
                let (db, barrier) = (db.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = db.pool().get().unwrap();
                    barrier.wait();
                    let actor = Actor {
                        employee_id: Some(who),
                        ip: None,
                    };
                    let now = chrono::Utc::now().naive_utc();
                    let float = Count {
                        pieces: Vec::new(),
                        total: Money(10_000),
                    };
                    write_tx(&mut conn, |c| {
                        model::open(
                            c,
                            &actor,
                            &model::NewShift {
                                register_id: register,
                                float: &float,
                                key: &format!("race-{key}"),
                            },
                            now,
                            now.date(),
                        )
                    })
                    .is_ok()
                })
            })
            .collect();
        let opened = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count();
        let mut conn = db.pool().get().unwrap();
        let open_on = |conn: &mut tillpoint::platform::db::AnyConnection, register: i64| -> i64 {
            shifts::table
                .filter(shifts::register_id.eq(register))
                .filter(shifts::closed_at.is_null())
                .count()
                .get_result(conn)
                .unwrap()
        };
        assert!(open_on(&mut conn, a) <= 1 && open_on(&mut conn, b) <= 1);
        for who in [ana, ben] {
            let n: i64 = shifts::table
                .filter(shifts::employee_id.eq(who))
                .filter(shifts::closed_at.is_null())
                .count()
                .get_result(&mut conn)
                .unwrap();
            assert!(n <= 1, "one open shift per person");
        }
        let total: i64 = shifts::table
            .filter(shifts::register_id.eq_any([a, b]))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(total as usize, opened);
        assert!(opened >= 1);
    }
}

/// Sales racing the close: every sale either made it into the shift before the close, and so
/// into its expected cash, or was refused; none lands in a closed shift.
#[::core::prelude::v1::test]
fn sales_racing_the_close_land_before_it_or_are_refused() {
    use tillpoint::retail::pos::cart::{Cart, CartLine, ProductRef, Tender};
    use tillpoint::retail::pos::checkout;
    for round in 0..3 {
        let (db, _, _, _cleanup) = fresh_db();
        let seed = seed(&mut db.pool().get().unwrap());
        let mut conn = db.pool().get().unwrap();
        let cable = insert_product(&mut conn, "USB-C Cable", TEST_CABLE, 29_900, false);
        let manager = seed.ids["manager"];
        let actor = Actor {
            employee_id: Some(manager),
            ip: None,
        };
        tillpoint::retail::stock::model::adjust(
            &mut conn,
            &actor,
            cable,
            &tillpoint::retail::stock::rules::Adjustment {
                branch_id: seed.main_branch,
                kind: tillpoint::retail::stock::rules::AdjustmentKind::Receive,
                quantity: 100,
                reason: "stock".into(),
                serials: vec![],
            },
        )
        .unwrap();
        let agent = seed.ids["agent"];
        let shift = model::open_of(&mut conn, agent).unwrap().unwrap();
        drop(conn);
        // Six tills and the closer: seven connections of SQLite's eight.
        let barrier = Arc::new(Barrier::new(7));
        let mut handles = Vec::new();
        for i in 0..6 {
            let (db, barrier) = (db.clone(), barrier.clone());
            handles.push(std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                let cart = Cart {
                    idempotency_key: format!("race-{round}-{i:04}"),
                    lines: vec![CartLine {
                        product: ProductRef::Id(cable),
                        quantity: 1,
                        serials: vec![],
                    }],
                    tender: Tender::Cash {
                        received: Money(50_000),
                    },
                    customer: None,
                };
                let seller = Actor {
                    employee_id: Some(agent),
                    ip: None,
                };
                let today = chrono::Utc::now().date_naive();
                write_tx(&mut conn, |c| checkout::checkout(c, &seller, &cart, today)).is_ok()
            }));
        }
        let closer = {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                std::thread::sleep(std::time::Duration::from_millis(3));
                let actor = Actor {
                    employee_id: Some(manager),
                    ip: None,
                };
                let counted = Count::default();
                write_tx(&mut conn, |c| {
                    model::close(
                        c,
                        &actor,
                        &model::Closing {
                            shift_id: shift.id,
                            counted: &counted,
                            note: "race",
                            threshold: Money::ZERO,
                        },
                        chrono::Utc::now().naive_utc(),
                    )
                })
                .unwrap()
            })
        };
        let sold = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count() as i64;
        let close = closer.join().unwrap();
        let mut conn = db.pool().get().unwrap();
        let in_shift: i64 = orders::table
            .filter(orders::shift_id.eq(shift.id))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(in_shift, sold, "every sale made is in the shift");
        assert_eq!(
            close.expected,
            Money(29_900 * sold),
            "and in its expected cash"
        );
        let stored = model::find(&mut conn, shift.id).unwrap();
        assert_eq!(stored.expected_cash_minor, Some(29_900 * sold));
    }
}

async fn split(c: &Client, key: &str, tenders: serde_json::Value) -> Resp {
    c.post_json(
        "/pos/checkout",
        &json!({"idempotency_key": key, "lines": [{"barcode": TEST_CABLE, "quantity": 1}], "tenders": tenders}),
    )
    .await
}

#[actix_web::test]
async fn a_split_tender_sale_pays_the_total_and_only_cash_gives_change() {
    use tillpoint::platform::schema::payments;
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let audit = app.audit_count();
    // Refusals first: nothing is sold.
    for (tenders, says) in [
        (json!(null), "tenders are missing"),
        (json!([]), "1 to 6 tenders"),
        (
            json!([{"method": "card", "amount": "300.00", "reference": "A1"}]),
            "only cash gives change",
        ),
        (
            json!([{"method": "card", "amount": "100.00", "reference": "A1"}, {"method": "cash", "amount": "100"}]),
            "less than the total",
        ),
        (
            json!([{"method": "card", "amount": "299.00"}]),
            "needs its reference",
        ),
        (
            json!([{"method": "cheque", "amount": "299.00"}]),
            "cash, card, ewallet or store_credit",
        ),
        (
            json!([{"method": "store_credit", "amount": "299.00"}]),
            "Store credit",
        ),
        (json!([{"method": "cash", "amount": "0"}]), "more than zero"),
        (json!([{"method": "cash", "amount": "-5"}]), "negative"),
        (
            json!([{"method": "card", "amount": "299", "reference": "A\u{0007}1"}]),
            "printable",
        ),
        (
            json!([{"method": "card", "amount": "299", "reference": "x".repeat(65)}]),
            "printable",
        ),
        (
            json!((0..7)
                .map(|_| json!({"method": "cash", "amount": "50"}))
                .collect::<Vec<_>>()),
            "1 to 6 tenders",
        ),
    ] {
        let r = split(&agent, "split-bad-0001", tenders.clone()).await;
        assert_eq!(r.status, 422, "{tenders}: {}", r.body);
        assert!(
            r.body.contains(says),
            "{tenders} should say {says}: {}",
            r.body
        );
    }
    assert_eq!(app.audit_count(), audit, "nothing was written");

    // 299.00 paid by card 200.00 (ref. AUTH-7781) and cash 200.00: change 101.00 from the cash.
    let tenders = json!([{"method": "card", "amount": "200.00", "reference": "AUTH-7781"}, {"method": "cash", "amount": "200"}]);
    let r = split(&agent, "split-sale-0001", tenders.clone()).await;
    r.expect(201);
    let sale = r.json();
    assert_eq!(
        (sale["total"].as_str(), sale["change"].as_str()),
        (Some("299.00"), Some("101.00"))
    );
    let order = sale["order_id"].as_i64().unwrap();
    /// method, amount, handed over, change, reference
    type Tender = (String, i64, Option<i64>, Option<i64>, String);
    let rows: Vec<Tender> = payments::table
        .filter(payments::order_id.eq(order))
        .order(payments::id.asc())
        .select((
            payments::method,
            payments::amount_minor,
            payments::cash_received_minor,
            payments::change_minor,
            payments::reference,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "cash".into(),
                9_900,
                Some(20_000),
                Some(10_100),
                String::new()
            ),
            ("card".into(), 20_000, None, None, "AUTH-7781".into()),
        ]
    );
    // The same key again is the same sale, change and all.
    let again = split(&agent, "split-sale-0001", tenders).await;
    again.expect(201);
    assert_eq!(
        (
            again.json()["order_id"].as_i64(),
            again.json()["change"].as_str()
        ),
        (Some(order), Some("101.00"))
    );
    // The receipt and the sale show the card with its reference.
    agent
        .get(&format!("/sales/{order}/receipt"))
        .await
        .expect(200)
        .expect_text("Card ref. AUTH-7781")
        .expect_text("101.00");
    // Only the cash part is in the drawer; the card is in the takings by method.
    let shift = shift_of(&app, "agent");
    let f = model::figures(&mut app.conn(), &shift).unwrap();
    assert_eq!(f.flow.cash_sales, Money(9_900));
    assert!(
        f.retail_by_method
            .contains(&("card".to_string(), 1, Money(20_000))),
        "{:?}",
        f.retail_by_method
    );
    // Card and e-wallet that pay exactly, no cash.
    let r = split(&agent, "split-sale-0002", json!([{"method": "ewallet", "amount": "99.00", "reference": "GCASH 1234"}, {"method": "card", "amount": "200.00", "reference": "AUTH-7782"}])).await;
    r.expect(201);
    assert_eq!(r.json()["change"], "0.00");
    // The old cash checkout is unchanged.
    sell(&agent, "split-cash-0003", 1, "300.00").await;
}

/// A sale voided while the shift is open leaves the drawer (its cash went back) and counts as
/// a void; one voided after the close leaves the closed report as it was.
#[actix_web::test]
async fn voids_count_in_the_shift_they_happen_in() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let m = app.signed_in("manager").await;
    let first = sell(&agent, "void-sale-0001", 1, "299.00").await;
    let second = sell(&agent, "void-sale-0002", 2, "600.00").await;
    m.post(
        &format!("/sales/{}/void", first["order_id"]),
        &[("reason", "Customer changed mind")],
    )
    .await
    .expect(303);
    let shift = shift_of(&app, "agent");
    let f = model::figures(&mut app.conn(), &shift).unwrap();
    assert_eq!(
        (f.sales_count, f.sales_total, f.voids_count, f.voids_total),
        (1, Money(59_800), 1, Money(29_900))
    );
    assert_eq!(
        f.flow.cash_sales,
        Money(59_800),
        "the voided sale's cash went back"
    );
    m.post(
        &format!("/shifts/{}/close", shift.id),
        &[("key", "c-00000001"), ("amount", "598.00")],
    )
    .await
    .expect(303);
    // Voided after the close: the closed shift's report does not move.
    m.post(
        &format!("/sales/{}/void", second["order_id"]),
        &[("reason", "Returned next day")],
    )
    .await
    .expect(303);
    let closed_shift = closed(&app, shift.id);
    let f = model::figures(&mut app.conn(), &closed_shift).unwrap();
    assert_eq!(
        (f.sales_count, f.sales_total, f.voids_count),
        (1, Money(59_800), 1)
    );
    assert_eq!(closed_shift.expected_cash_minor, Some(59_800));
}

/// The day's Z report adds up every shift of the branch's day.
#[actix_web::test]
async fn the_days_report_adds_up_every_shift_of_the_branch() {
    let app = TestApp::new().await;
    let (cable, _) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    let agent = app.signed_in("agent").await;
    let boss = app.signed_in("manager").await;
    // 2 cables by the agent (Till 1), 1 by the manager (Till 2): 897.00 in cash over two drawers.
    sell(&agent, "day-sale-0001", 2, "598").await;
    sell(&boss, "day-sale-0002", 1, "299").await;
    let main = app.seed.main_branch.to_string();
    let r = boss.get(&format!("/shifts/day?branch={main}")).await;
    r.expect(200)
        .expect_text("Z REPORT OF THE DAY")
        .expect_text("MNL Till 1")
        .expect_text("MNL Till 2")
        .expect_text("897.00")
        .expect_text("2 SHIFT(S) STILL OPEN");
    boss.get(&format!("/shifts/day?branch={main}&paper=a4"))
        .await
        .expect(200);
    // Another day has no shift; bad filters are refused; cashiers do not read the day.
    boss.get(&format!("/shifts/day?branch={main}&day=2020-01-01"))
        .await
        .expect(200)
        .expect_text("No shift on this day.");
    boss.get(&format!("/shifts/day?branch={main}&day=yesterday"))
        .await
        .expect(400);
    boss.get("/shifts/day?branch=x").await.expect(400);
    boss.get("/shifts/day?branch=999999").await.expect(404);
    boss.get(&format!("/shifts/day?branch={main}&paper=a3"))
        .await
        .expect(400);
    agent.get("/shifts/day").await.expect(403);
}
