//! Real threads on a real database.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::auth::{password, Role};
use tillpoint::platform::db::write_tx;
use tillpoint::platform::schema::{employees, staff_sessions};
use tillpoint::staff::employees::model;
use tillpoint::staff::login::{attempt, Outcome};

use crate::helpers::*;

#[::core::prelude::v1::test]
fn sixteen_simultaneous_sign_ins_all_succeed() {
    let (db, _, _, _cleanup) = fresh_db();
    let seed = seed(&mut db.pool().get().unwrap());
    let dummy = password::hash("dummy-password", 4).unwrap();
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (db, barrier, dummy) = (db.clone(), barrier.clone(), dummy.clone());
            let username = STAFF[i % STAFF.len()].0;
            std::thread::spawn(move || {
                barrier.wait();
                attempt(
                    &db,
                    (&dummy, 60),
                    username,
                    PASSWORD,
                    &format!("10.9.0.{i}"),
                )
            })
        })
        .collect();
    for h in handles {
        assert!(matches!(
            h.join().unwrap().unwrap(),
            Outcome::SignedIn { .. }
        ));
    }
    let sessions: i64 = staff_sessions::table
        .count()
        .get_result(&mut *db.pool().get().unwrap())
        .unwrap();
    assert_eq!(sessions, 16);
    let on_duty: i64 = employees::table
        .filter(employees::is_logged_in.eq(true))
        .count()
        .get_result(&mut *db.pool().get().unwrap())
        .unwrap();
    assert_eq!(on_duty, 5);
    let _ = seed;
}

#[::core::prelude::v1::test]
fn two_managers_archiving_each_other_at_once_leave_one_manager() {
    for _ in 0..5 {
        let (db, _, _, _cleanup) = fresh_db();
        let seed = seed(&mut db.pool().get().unwrap());
        let hash = password::hash(PASSWORD, 4).unwrap();
        let first = seed.ids["manager"];
        let second = insert_employee(
            &mut db.pool().get().unwrap(),
            "manager2",
            Role::Manager,
            None,
            &hash,
        );
        let barrier = Arc::new(Barrier::new(2));
        let run = |actor: i64, target: i64| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                let actor = Actor {
                    employee_id: Some(actor),
                    ip: None,
                };
                write_tx(&mut conn, |c| model::set_active(c, &actor, target, false)).is_ok()
            })
        };
        let a = run(first, second);
        let b = run(second, first);
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        assert!(a ^ b, "exactly one archive succeeds (got {a}, {b})");
        let managers: i64 = employees::table
            .filter(employees::role.eq("manager"))
            .filter(employees::is_active.eq(true))
            .count()
            .get_result(&mut *db.pool().get().unwrap())
            .unwrap();
        assert_eq!(managers, 1);
    }
}

/// Two tabs of one till (or a retry while the first sync still runs) sending the same queued
/// sales at once: each sale is one order, and every copy is answered with it.
#[::core::prelude::v1::test]
fn eight_threads_syncing_the_same_queue_make_each_sale_once() {
    use tillpoint::platform::clock::BusinessClock;
    use tillpoint::platform::schema::{offline_sales, orders};
    use tillpoint::retail::pos::offline::{model as offline, rules};
    let (db, _, _, _cleanup) = fresh_db();
    let (branch, agent, block) = {
        let conn = &mut *db.pool().get().unwrap();
        let seed = seed(conn);
        let product = insert_product(conn, "USB-C Cable", TEST_CABLE, 29_900, false);
        let actor = Actor {
            employee_id: Some(seed.ids["manager"]),
            ip: None,
        };
        let receive = tillpoint::retail::stock::rules::Adjustment {
            branch_id: seed.main_branch,
            kind: tillpoint::retail::stock::rules::AdjustmentKind::Receive,
            quantity: 20,
            reason: "Delivery".into(),
            serials: vec![],
        };
        write_tx(conn, |c| {
            tillpoint::retail::stock::model::adjust(c, &actor, product, &receive)
        })
        .unwrap();
        let agent = seed.ids["agent"];
        let me = Actor {
            employee_id: Some(agent),
            ip: None,
        };
        let block = write_tx(conn, |c| {
            offline::reserve(c, &me, agent, "block-key-thread", &"a".repeat(32))
        })
        .unwrap()
        .block;
        (seed.main_branch, agent, block)
    };
    let sales: Vec<(rules::QueuedSale, String)> = (1..=5)
        .map(|n| {
            let v = serde_json::json!({
                "idempotency_key": format!("thread-sale-{n:04}"), "block": block,
                "secret": "a".repeat(32), "number": n,
                "made_at": chrono::Utc::now().to_rfc3339(),
                "lines": [{"barcode": TEST_CABLE, "quantity": 1, "price": "299.00"}],
                "cash_received": "500", "total": "299.00"
            });
            (rules::parse_sale(&v).unwrap(), v.to_string())
        })
        .collect();
    let sales = Arc::new(sales);
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (db, barrier, sales) = (db.clone(), barrier.clone(), sales.clone());
            std::thread::spawn(move || {
                let actor = Actor {
                    employee_id: Some(agent),
                    ip: None,
                };
                let clock = BusinessClock::new(chrono_tz::Asia::Manila);
                barrier.wait();
                let conn = &mut *db.pool().get().unwrap();
                write_tx(conn, |c| {
                    sales
                        .iter()
                        .map(|(s, raw)| offline::sync_one(c, &actor, branch, s, raw, &clock))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap()
            })
        })
        .collect();
    let mut by_sale: Vec<Vec<(String, Option<i64>)>> = vec![Vec::new(); 5];
    for h in handles {
        for (i, a) in h.join().unwrap().into_iter().enumerate() {
            by_sale[i].push((a.status.to_string(), a.order_id));
        }
    }
    for answers in by_sale {
        let accepted = answers.iter().filter(|(s, _)| s == "accepted").count();
        assert_eq!(accepted, 1, "{answers:?}");
        assert!(answers
            .iter()
            .all(|(s, _)| s == "accepted" || s == "already"));
        assert!(answers
            .iter()
            .all(|(_, o)| *o == answers[0].1 && o.is_some()));
    }
    let conn = &mut *db.pool().get().unwrap();
    let n: i64 = orders::table.count().get_result(conn).unwrap();
    assert_eq!(n, 5);
    let kept: i64 = offline_sales::table.count().get_result(conn).unwrap();
    assert_eq!(kept, 5);
}
