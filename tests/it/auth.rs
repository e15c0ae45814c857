use chrono::Duration;
use diesel::prelude::*;

use tillpoint::platform::schema::{audit_log, rate_limits, staff_sessions};

use crate::helpers::*;

#[actix_web::test]
async fn every_role_signs_in_lands_home_and_is_tracked() {
    let app = TestApp::new().await;
    for (username, _) in STAFF {
        let c = app.client();
        let before = chrono::Utc::now().naive_utc() - Duration::seconds(1);
        let r = c.login(username, PASSWORD).await;
        r.expect(303);
        // Each role lands on its work page.
        let home = match username {
            "agent" => "/pos",
            "kitchen" => "/kitchen",
            "waiter" => "/floor",
            "credit" => "/installments",
            _ => "/dashboard",
        };
        assert_eq!(r.location(), home, "{username}");
        c.get("/profile")
            .await
            .expect(200)
            .expect_text("My profile");
        let (logged_in, last_login, _, _) = app.employee_flags(app.id(username));
        assert!(logged_in, "{username} should be on duty");
        assert!(last_login.unwrap() >= before);
        let row = &app.audit_rows()[0];
        assert_eq!(
            (row.0.as_str(), row.2, row.6),
            ("LOGIN", Some(app.id(username)), Some(app.id(username)))
        );
    }
}

#[actix_web::test]
async fn sign_out_is_a_post_and_records_the_time() {
    let app = TestApp::new().await;
    let c = app.signed_in("agent").await;
    // GET never changes state.
    assert_ne!(c.get("/logout").await.status, 303);
    assert!(app.employee_flags(app.id("agent")).0);
    let r = c.post("/logout", &[]).await;
    r.expect(303);
    assert_eq!(r.location(), "/login");
    let (logged_in, _, last_logout, _) = app.employee_flags(app.id("agent"));
    assert!(!logged_in);
    assert!(last_logout.is_some());
    assert_eq!(app.audit_rows()[0].0, "LOGOUT");
    let r = c.get("/profile").await;
    r.expect(303);
    assert!(r.location().starts_with("/login"));
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = TestApp::new().await;
    let a = app.client().login("agent", "wrong-password").await;
    // From another address: each address's first failure is audited.
    let b = app
        .client_from("192.0.2.11:40000")
        .login("nobody-here", "wrong-password")
        .await;
    a.expect(401)
        .expect_text("Username or password is incorrect.");
    b.expect(401)
        .expect_text("Username or password is incorrect.");
    assert_eq!(
        a.body.replace("agent", "X").len(),
        b.body.replace("nobody-here", "X").len()
    );
    let rows = app.audit_rows();
    assert_eq!(rows[0].0, "LOGIN_FAILED");
    assert_eq!(rows[1].0, "LOGIN_FAILED");
    assert!(!app.employee_flags(app.id("agent")).0);
    let sessions: i64 = staff_sessions::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(sessions, 0);
}

#[actix_web::test]
async fn empty_or_oversized_credentials_are_refused_with_a_message() {
    let app = TestApp::new().await;
    let c = app.client();
    c.login("", "")
        .await
        .expect(422)
        .expect_text("Enter your username and password.");
    c.login("agent", &"x".repeat(5000)).await.expect(422);
    c.post("/login", &[]).await.expect(422);
}

#[actix_web::test]
async fn archived_employee_cannot_sign_in() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    m.post(&format!("/employees/{}/archive", app.id("waiter")), &[])
        .await
        .expect(303);
    app.client()
        .login("waiter", PASSWORD)
        .await
        .expect(401)
        .expect_text("Username or password is incorrect.");
}

#[actix_web::test]
async fn more_than_ten_failures_are_throttled_per_ip_and_username() {
    let app = TestApp::new().await;
    let c = app.client();
    for _ in 0..10 {
        c.login("agent", "wrong-password").await.expect(401);
    }
    let r = c.login("agent", "wrong-password").await;
    r.expect(429).expect_text("try again in 15 minutes");
    let wait: i64 = r.header("retry-after").parse().unwrap();
    assert!((880..=900).contains(&wait), "{wait}");
    // Even the right password waits: that is the point.
    c.login("agent", PASSWORD).await.expect(429);
    // Another username from the same address, and the same username from elsewhere, are not blocked.
    app.client().login("credit", PASSWORD).await.expect(303);
    app.client_from("198.51.100.20:5000")
        .login("agent", PASSWORD)
        .await
        .expect(303);
    // The window is 15 minutes from the first failure: back-date it (nothing is deleted).
    let age = |minutes: i64| {
        diesel::update(rate_limits::table)
            .set(
                rate_limits::window_start
                    .eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(minutes)),
            )
            .execute(&mut *app.conn())
            .unwrap();
    };
    age(14);
    c.login("agent", PASSWORD).await.expect(429);
    age(16);
    c.login("agent", PASSWORD).await.expect(303);
}

#[actix_web::test]
async fn the_session_cookie_changes_at_sign_in() {
    let app = TestApp::new().await;
    let c = app.client();
    c.get("/login").await.expect(200);
    let before = c
        .cookie("tillpoint_session")
        .expect("a session cookie before sign-in");
    c.login("agent", PASSWORD).await.expect(303);
    let after = c.cookie("tillpoint_session").unwrap();
    assert_ne!(before, after);
    // The very cookie from before the sign-in, sent again (an attacker who planted it), is not
    // signed in.
    let fixed = app.client();
    fixed.set_cookie("tillpoint_session", &before);
    assert!(fixed.get("/profile").await.location().starts_with("/login"));
    // The old cookie (e.g. planted by an attacker) does not carry the sign-in.
    let planted = app.client();
    planted.get("/login").await;
    assert!(planted
        .get("/profile")
        .await
        .location()
        .starts_with("/login"));
}

#[actix_web::test]
async fn an_expired_session_counts_as_signed_out() {
    let app = TestApp::new().await;
    let c = app.signed_in("kitchen").await;
    let past = chrono::Utc::now().naive_utc() - Duration::minutes(5);
    diesel::update(staff_sessions::table)
        .set(staff_sessions::expires_at.eq(past))
        .execute(&mut *app.conn())
        .unwrap();
    let r = c.get("/profile").await;
    r.expect(303);
    assert!(r.location().starts_with("/login"));
    let (logged_in, _, last_logout, _) = app.employee_flags(app.id("kitchen"));
    assert!(
        !logged_in,
        "an expired session must not leave the employee on duty"
    );
    assert_eq!(
        last_logout.unwrap().and_utc().timestamp(),
        past.and_utc().timestamp()
    );
    let row = &app.audit_rows()[0];
    assert_eq!(row.0, "LOGOUT");
    assert!(row.4.contains("session expired"));
    let page = c.get("/login").await;
    page.expect_text("period of inactivity");
}

#[actix_web::test]
async fn a_session_in_use_slides_its_expiry_by_the_idle_setting() {
    let app = TestApp::with(|c| c.session_idle_minutes = 30).await;
    let c = app.signed_in("kitchen").await;
    let times = || -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
        staff_sessions::table
            .select((staff_sessions::last_seen_at, staff_sessions::expires_at))
            .first(&mut *app.conn())
            .unwrap()
    };
    let (seen, expires) = times();
    assert_eq!(expires - seen, Duration::minutes(30), "the idle setting");
    // Back-date: last seen 20 minutes ago, 10 minutes left. A request slides it to 30 again.
    let now = chrono::Utc::now().naive_utc();
    diesel::update(staff_sessions::table)
        .set((
            staff_sessions::last_seen_at.eq(now - Duration::minutes(20)),
            staff_sessions::expires_at.eq(now + Duration::minutes(10)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    c.get("/kitchen").await.expect(200);
    let (seen, expires) = times();
    assert!(seen >= now, "last seen moved to now");
    assert_eq!(expires - seen, Duration::minutes(30));
    // One minute past the idle time: signed out.
    diesel::update(staff_sessions::table)
        .set(staff_sessions::expires_at.eq(chrono::Utc::now().naive_utc() - Duration::minutes(1)))
        .execute(&mut *app.conn())
        .unwrap();
    assert!(c.get("/kitchen").await.location().starts_with("/login"));
}

#[actix_web::test]
async fn the_sweeper_ends_sessions_nobody_uses_any_more() {
    let app = TestApp::new().await;
    app.signed_in("waiter").await;
    let past = chrono::Utc::now().naive_utc() - Duration::minutes(1);
    diesel::update(staff_sessions::table)
        .set(staff_sessions::expires_at.eq(past))
        .execute(&mut *app.conn())
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let ended = tillpoint::platform::db::write_tx(&mut app.conn(), |c| {
        tillpoint::platform::auth::session::sweep_expired(c, now)
    })
    .unwrap();
    assert_eq!(ended, 1);
    assert!(!app.employee_flags(app.id("waiter")).0);
    let again = tillpoint::platform::db::write_tx(&mut app.conn(), |c| {
        tillpoint::platform::auth::session::sweep_expired(c, now)
    })
    .unwrap();
    assert_eq!(again, 0);
}

#[actix_web::test]
async fn an_archived_employees_open_session_is_refused_at_once() {
    let app = TestApp::new().await;
    let agent = app.signed_in("agent").await;
    agent.get("/profile").await.expect(200);
    let m = app.signed_in("manager").await;
    m.post(&format!("/employees/{}/archive", app.id("agent")), &[])
        .await
        .expect(303);
    let r = agent.get("/profile").await;
    r.expect(303);
    assert!(r.location().starts_with("/login"));
    assert!(!app.employee_flags(app.id("agent")).0);
}

#[actix_web::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::new().await;
    let here = app.signed_in("credit").await;
    let elsewhere = app.signed_in("credit").await;
    here.post(
        "/profile/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "brand-new-pass"),
            ("confirm_password", "brand-new-pass"),
        ],
    )
    .await
    .expect(303);
    here.get("/profile").await.expect(200);
    assert!(elsewhere
        .get("/profile")
        .await
        .location()
        .starts_with("/login"));
    assert!(
        app.employee_flags(app.id("credit")).0,
        "the session that changed it stays on duty"
    );
    app.client().login("credit", PASSWORD).await.expect(401);
    app.client()
        .login("credit", "brand-new-pass")
        .await
        .expect(303);
    let row = app
        .audit_rows()
        .into_iter()
        .find(|r| r.0 == "PASSWORD_CHANGE")
        .unwrap();
    assert!(!row.4.contains("brand-new-pass"));
}

#[actix_web::test]
async fn a_managers_reset_ends_every_session_of_that_employee() {
    let app = TestApp::new().await;
    let waiter = app.signed_in("waiter").await;
    let m = app.signed_in("manager").await;
    m.post(
        &format!("/employees/{}/password", app.id("waiter")),
        &[("password", "reset-by-boss")],
    )
    .await
    .expect(303);
    assert!(waiter
        .get("/profile")
        .await
        .location()
        .starts_with("/login"));
    app.client()
        .login("waiter", "reset-by-boss")
        .await
        .expect(303);
    let rows = app.audit_rows();
    let reset = rows.iter().find(|r| r.0 == "PASSWORD_RESET").unwrap();
    assert!(!reset.4.contains("reset-by-boss"));
}

#[actix_web::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::new().await;
    let c = app.client();
    let r = c.get("/employees?status=all").await;
    assert_eq!(r.location(), "/login?next=/employees%3Fstatus%3Dall");
    let r = c
        .post(
            "/login",
            &[
                ("username", "manager"),
                ("password", PASSWORD),
                ("next", "/employees?status=all"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/employees?status=all");
    let c = app.client();
    let r = c
        .post(
            "/login",
            &[
                ("username", "manager"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/dashboard");
}

#[actix_web::test]
async fn signed_in_staff_visiting_login_go_home() {
    let app = TestApp::new().await;
    let c = app.signed_in("agent").await;
    assert_eq!(c.get("/login").await.location(), "/pos");
    assert_eq!(c.get("/").await.location(), "/pos");
    assert_eq!(app.client().get("/").await.location(), "/login");
}

#[actix_web::test]
async fn login_audit_records_the_client_address() {
    let app = TestApp::new().await;
    let c = app.client_from("203.0.113.5:1234");
    c.login("agent", PASSWORD).await.expect(303);
    let ip: Option<String> = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::ip)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(ip.as_deref(), Some("203.0.113.5"));
}
