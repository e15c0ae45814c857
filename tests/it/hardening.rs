//! The hostile probe's findings, each as a class: floods, races, tampered input, durability
//! and guest privacy. Through the real app on both databases.

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use futures_util::future::join_all;
use tillpoint::platform::auth::password;
use tillpoint::platform::schema::audit_log;
use tillpoint::staff::login::{attempt, Outcome};

use crate::helpers::*;

fn failed_sign_in_rows(app: &TestApp) -> i64 {
    audit_log::table
        .filter(audit_log::action.eq("LOGIN_FAILED"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn random_usernames_from_one_address_are_throttled_and_audited_once_plus_summary() {
    let app = TestApp::new().await;
    let c = app.client_from("203.0.113.7:1000");
    for i in 0..30 {
        c.login(&format!("nobody{i}"), "wrong-password")
            .await
            .expect(401);
    }
    // The 31st, with yet another username, waits: the address is what counts.
    let r = c.login("nobody-else", "wrong-password").await;
    r.expect(429)
        .expect_text("Too many failed sign-in attempts");
    assert!(r.header("retry-after").parse::<i64>().unwrap() > 0);
    // Even a real account with the right password from that address waits.
    c.login("agent", PASSWORD).await.expect(429);
    // Another address is not affected.
    app.client_from("203.0.113.8:1000")
        .login("agent", PASSWORD)
        .await
        .expect(303);
    // The first failure and one summary, not thirty rows.
    assert_eq!(failed_sign_in_rows(&app), 2);
    let (_, _, _, _, changes, _, _) = app
        .audit_rows()
        .into_iter()
        .find(|r| r.0 == "LOGIN_FAILED")
        .unwrap();
    assert!(changes.contains("30 failed sign-ins"), "{changes}");
}

#[actix_web::test]
async fn sixty_simultaneous_wrong_passwords_verify_at_most_the_limit() {
    let app = TestApp::new().await;
    let clients: Vec<Client> = (0..60)
        .map(|_| app.client_from("203.0.113.9:1000"))
        .collect();
    for c in &clients {
        c.token().await;
    }
    let answers = join_all(clients.iter().map(|c| c.login("agent", "wrong-password"))).await;
    let refused = answers.iter().filter(|r| r.status == 401).count();
    let throttled = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(refused + throttled, 60, "only 401 and 429");
    assert!(refused <= 10, "{refused} passwords were checked");
    assert!(throttled >= 50);
}

#[::core::prelude::v1::test]
fn sixty_threads_guessing_one_account_check_at_most_ten_passwords() {
    let (db, _, _) = fresh_db();
    seed(&mut db.pool().get().unwrap());
    let dummy = password::hash("dummy-password", 4).unwrap();
    let barrier = Arc::new(Barrier::new(60));
    let handles: Vec<_> = (0..60)
        .map(|_| {
            let (db, barrier, dummy) = (db.clone(), barrier.clone(), dummy.clone());
            std::thread::spawn(move || {
                barrier.wait();
                attempt(&db, (&dummy, 60), "agent", "wrong-password", "10.9.9.9")
            })
        })
        .collect();
    let mut checked = 0;
    for h in handles {
        match h.join().unwrap() {
            Ok(Outcome::Refused) => checked += 1,
            Ok(Outcome::SignedIn { .. }) => panic!("a wrong password signed in"),
            Err(e) => assert!(e.to_string().contains("Too many"), "{e}"),
        }
    }
    assert_eq!(checked, 10, "exactly the limit is checked, no more");
}

#[actix_web::test]
async fn guesses_of_the_current_password_are_throttled() {
    let app = TestApp::new().await;
    let c = app.signed_in("waiter").await;
    let change = |current: &'static str| {
        let c = &c;
        async move {
            c.post(
                "/profile/password",
                &[
                    ("current_password", current),
                    ("new_password", "another-pass-9"),
                    ("confirm_password", "another-pass-9"),
                ],
            )
            .await
        }
    };
    for _ in 0..10 {
        change("not-my-password").await.expect(422);
    }
    change("not-my-password")
        .await
        .expect(429)
        .expect_text("Too many wrong current passwords");
    // The right one also waits until the window ends.
    change(PASSWORD).await.expect(429);
}

#[actix_web::test]
async fn a_picture_claiming_huge_dimensions_is_refused_before_decoding_on_every_upload_route() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let bomb = png_claiming(9000, 9000);
    assert!(bomb.len() < 1000);
    let before = app.audit_count();
    manager
        .upload("/profile/picture", "picture", "bomb.png", &bomb)
        .await
        .expect(422)
        .expect_text("9000×9000");
    let product = insert_product(&mut app.conn(), "Bomb Phone", "4801000000009", 1000, false);
    manager
        .upload(
            &format!("/products/{product}/image"),
            "image",
            "bomb.png",
            &bomb,
        )
        .await
        .expect(422);
    assert_eq!(app.audit_count(), before, "nothing was saved");
    // An ordinary picture still goes through.
    manager
        .upload("/profile/picture", "picture", "ok.png", &png(64, 64))
        .await
        .expect(303);
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// Every pooled connection commits durably: SQLite `synchronous = FULL` (2), PostgreSQL
/// `synchronous_commit = on`.
#[actix_web::test]
async fn every_pooled_connection_commits_durably() {
    let app = TestApp::new().await;
    let held: Vec<_> = (0..4).map(|_| app.conn()).collect();
    for mut c in held {
        let value =
            match &mut *c {
                tillpoint::platform::db::AnyConnection::Sqlite(s) => {
                    diesel::sql_query(
                        "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous",
                    )
                    .get_result::<Setting>(s)
                    .unwrap()
                    .value
                }
                tillpoint::platform::db::AnyConnection::Pg(p) => diesel::sql_query(
                    "SELECT setting AS value FROM pg_settings WHERE name = 'synchronous_commit'",
                )
                .get_result::<Setting>(p)
                .unwrap()
                .value,
            };
        let expected = if is_postgres() { "on" } else { "2" };
        assert_eq!(value, expected);
    }
}
