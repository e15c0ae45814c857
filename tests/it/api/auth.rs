//! Tokens: sign-in, who am I, duty, sign-out, expiry, revocation, throttling.

use super::*;

#[actix_web::test]
async fn a_program_signs_in_uses_its_token_and_signs_out() {
    let app = TestApp::new().await;
    let anon = Api::anonymous(&app);
    // Missing fields and wrong passwords: the cafe system's statuses and words.
    let r = anon
        .post("/api/auth/login/", json!({"username": "manager"}))
        .await;
    r.expect(400);
    assert_eq!(detail(&r), "Username and password are required.");
    let r = anon
        .post(
            "/api/auth/login/",
            json!({"username": "manager", "password": "nope"}),
        )
        .await;
    r.expect(401);
    assert_eq!(detail(&r), "Invalid credentials.");
    assert_eq!(r.header("www-authenticate"), "Token");
    // Not a string: 400, not 500.
    anon.post("/api/auth/login/", json!({"username": 5, "password": []}))
        .await
        .expect(400);

    let before = app.audit_count();
    let m = Api::signed_in(&app, "manager").await;
    let token = m.token.clone().unwrap();
    assert_eq!(token.len(), 40);
    assert_eq!(app.audit_count(), before + 1, "the sign-in is audited");
    // Only the hash is stored.
    let stored: Vec<String> = api_tokens::table
        .select(api_tokens::token_hash)
        .load(&mut *app.conn())
        .unwrap();
    assert!(!stored.contains(&token));
    let me = m.get("/api/auth/me/").await;
    me.expect(200);
    let me = me.json();
    assert_eq!(me["username"], "manager");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["is_superuser"], true);
    // A token does not make its employee "signed in" at a till.
    let (logged_in,): (bool,) = tillpoint::platform::schema::employees::table
        .find(app.id("manager"))
        .select((tillpoint::platform::schema::employees::is_logged_in,))
        .first(&mut *app.conn())
        .unwrap();
    assert!(!logged_in);

    // Without a token, with a wrong one, with another scheme.
    let r = anon.get("/api/auth/me/").await;
    r.expect(401);
    assert_eq!(detail(&r), "Authentication credentials were not provided.");
    let bad = Api {
        c: app.client(),
        token: Some("0".repeat(40)),
    };
    let r = bad.get("/api/auth/me/").await;
    r.expect(401);
    assert_eq!(detail(&r), "Invalid token.");
    // A bad token is refused even where nobody would do (the script learns at once).
    bad.get("/api/menu/").await.expect(401);

    // Sign out: the token stops working.
    m.post("/api/auth/logout/", json!({})).await.expect(200);
    let r = m.get("/api/auth/me/").await;
    r.expect(401);
    assert_eq!(detail(&r), "Invalid token.");
}

#[actix_web::test]
async fn tokens_expire_and_archiving_revokes_them() {
    let app = TestApp::new().await;
    let w = Api::signed_in(&app, "waiter").await;
    let k = Api::signed_in(&app, "kitchen").await;
    w.get("/api/auth/me/").await.expect(200);
    // Expired.
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    diesel::update(api_tokens::table.filter(api_tokens::employee_id.eq(app.id("waiter"))))
        .set(api_tokens::expires_at.eq(past))
        .execute(&mut *app.conn())
        .unwrap();
    w.get("/api/auth/me/").await.expect(401);
    // Archived: every token of the employee is revoked at once.
    k.get("/api/auth/me/").await.expect(200);
    let m = app.signed_in("manager").await;
    m.post(&format!("/employees/{}/archive", app.id("kitchen")), &[])
        .await
        .expect(303);
    k.get("/api/auth/me/").await.expect(401);
    let reason: Option<String> = api_tokens::table
        .filter(api_tokens::employee_id.eq(app.id("kitchen")))
        .select(api_tokens::revoke_reason)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(reason.as_deref(), Some("archived"));
}

#[actix_web::test]
async fn the_lifetime_is_a_setting() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let mut conn = app.conn();
    tillpoint::platform::settings::set(
        &mut conn,
        &tillpoint::platform::audit::Actor::system(),
        tillpoint::platform::auth::token::LIFETIME_DAYS,
        "2",
    )
    .unwrap();
    drop(conn);
    drop(m);
    let a = Api::signed_in(&app, "agent").await;
    let (created, expires): (chrono::NaiveDateTime, chrono::NaiveDateTime) = api_tokens::table
        .select((api_tokens::created_at, api_tokens::expires_at))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((expires - created).num_days(), 2);
    a.get("/api/auth/me/").await.expect(200);
}

#[actix_web::test]
async fn duty_flips_for_the_floor_and_kitchen_only() {
    let app = TestApp::new().await;
    let w = Api::signed_in(&app, "waiter").await;
    let r = w.post("/api/auth/toggle_duty/", json!({})).await;
    r.expect(200);
    assert_eq!(r.json()["is_on_duty"], true);
    let r = w.post("/api/auth/toggle_duty/", json!({})).await;
    assert_eq!(r.json()["is_on_duty"], false);
    let a = Api::signed_in(&app, "agent").await;
    let r = a.post("/api/auth/toggle_duty/", json!({})).await;
    r.expect(403);
    assert_eq!(
        detail(&r),
        "You do not have permission to perform this action."
    );
}

#[actix_web::test]
async fn sign_in_is_throttled_like_the_page() {
    let app = TestApp::new().await;
    let anon = Api::anonymous(&app);
    let mut last = 0;
    for _ in 0..12 {
        last = anon
            .post(
                "/api/auth/login/",
                json!({"username": "manager", "password": "wrong"}),
            )
            .await
            .status;
    }
    assert_eq!(last, 429);
    // The right password is refused too while the window is full.
    let r = anon
        .post(
            "/api/auth/login/",
            json!({"username": "manager", "password": PASSWORD}),
        )
        .await;
    r.expect(429);
    assert!(!r.header("retry-after").is_empty());
    assert!(detail(&r).contains("Too many failed sign-in attempts"));
}

#[actix_web::test]
async fn writes_need_json_or_a_token_and_the_document_is_served() {
    let app = TestApp::new().await;
    let anon = Api::anonymous(&app);
    // A form post (what another site's page could send) is refused before anything runs.
    let r = anon
        .c
        .post_raw(
            "/api/auth/login/",
            &[("username", "manager"), ("password", PASSWORD)],
            &[],
        )
        .await;
    r.expect(400);
    assert!(detail(&r).contains("JSON"));
    // Broken JSON, huge bodies: 400 / 413 with a detail.
    let r = anon
        .c
        .request(
            "POST",
            "/api/auth/login/",
            &[("content-type", "application/json")],
            Some(b"{\"username\":".to_vec()),
        )
        .await;
    r.expect(400);
    detail(&r);
    let huge = format!("{{\"username\": \"{}\"}}", "x".repeat(300 * 1024));
    let r = anon
        .c
        .request(
            "POST",
            "/api/auth/login/",
            &[("content-type", "application/json")],
            Some(huge.into_bytes()),
        )
        .await;
    r.expect(413);
    detail(&r);
    // Unknown API address and method: JSON too.
    let r = anon.get("/api/nothing-here/").await;
    r.expect(404);
    detail(&r);
    let r = anon.call("DELETE", "/api/auth/login/", None).await;
    r.expect(405);
    assert!(r.header("allow").contains("POST"));
    // The document, Swagger UI and ReDoc, all from the binary.
    let doc = anon.get("/api/schema/").await;
    doc.expect(200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/menu/"]["get"].is_object());
    for page in ["/api/docs/", "/api/redoc/"] {
        let r = anon.get(page).await;
        r.expect(200);
        assert!(
            !r.body.contains("http"),
            "{page} loads nothing from elsewhere"
        );
    }
    anon.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
        .await
        .expect(200);
    anon.get("/static/vendor/redoc/redoc.standalone.js")
        .await
        .expect(200);
}
