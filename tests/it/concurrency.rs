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
