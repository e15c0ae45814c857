use tillpoint::app::route_specs;

use crate::helpers::*;

fn concrete(path: &str, id: i64) -> String {
    path.replace("{id:\\d+}", &id.to_string())
        .replace("{line:\\d+}", &id.to_string())
        .replace("{token}", "00000000000000000000000000000000")
}

#[actix_web::test]
async fn every_post_without_or_with_a_wrong_token_is_403_and_writes_nothing() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let target = app.id("agent");
    let posts: Vec<_> = route_specs()
        .into_iter()
        .filter(|s| s.method == actix_web::http::Method::POST)
        // The JSON API authenticates by header, not cookie (`api::csrf` tests it).
        .filter(|s| s.reply != tillpoint::platform::auth::Reply::Api)
        .collect();
    assert!(posts.len() >= 10);
    for spec in posts {
        let path = concrete(spec.path, target);
        let before = app.audit_count();
        let fields = [
            ("name", "Changed"),
            ("username", "manager"),
            ("password", PASSWORD),
            ("code", "ZZ"),
        ];
        let missing = m.post_raw(&path, &fields, &[]).await;
        assert_eq!(missing.status, 403, "POST {path} without a token");
        missing.expect_text("expired or was not sent by tillpoint");
        let mut with_wrong: Vec<(&str, &str)> = vec![(
            "csrf_token",
            "0000000000000000000000000000000000000000000000000000000000000000",
        )];
        with_wrong.extend_from_slice(&fields);
        assert_eq!(
            m.post_raw(&path, &with_wrong, &[]).await.status,
            403,
            "POST {path} with a wrong token"
        );
        let json = m
            .post_body(
                &path,
                "application/json",
                b"{}".to_vec(),
                &[("x-csrf-token", "wrong")],
            )
            .await;
        assert_eq!(json.status, 403, "POST {path} with a wrong header token");
        assert!(json.json()["error"].as_str().unwrap().contains("expired"));
        assert_eq!(app.audit_count(), before, "POST {path} wrote something");
    }
    // Still signed in: the refused logout did nothing.
    m.get("/profile").await.expect(200);
}

#[actix_web::test]
async fn cross_site_posts_are_refused_even_with_a_token() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let token = m.token().await;
    let r = m
        .post_raw(
            "/branches",
            &[("csrf_token", &token), ("name", "Evil"), ("code", "EVL")],
            &[("origin", "https://evil.example")],
        )
        .await;
    r.expect(403);
    let r = m
        .post_raw(
            "/branches",
            &[("csrf_token", &token), ("name", "Evil"), ("code", "EVL")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    r.expect(403);
    let r = m
        .post_raw(
            "/branches",
            &[("csrf_token", &token), ("name", "Fine"), ("code", "FIN")],
            &[
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080"),
            ],
        )
        .await;
    r.expect(303);
}

#[actix_web::test]
async fn the_token_changes_at_sign_in() {
    let app = TestApp::new().await;
    let c = app.client();
    let before = c.token().await;
    c.login("manager", PASSWORD).await.expect(303);
    c.get("/profile").await;
    let after = c.token().await;
    assert_ne!(before, after);
    let r = c
        .post_raw(
            "/branches",
            &[("csrf_token", &before), ("name", "Old"), ("code", "OLD")],
            &[],
        )
        .await;
    r.expect(403);
}

#[actix_web::test]
async fn oversized_forms_are_refused() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let big = "x".repeat(70 * 1024);
    let r = m
        .post("/branches", &[("name", &big), ("code", "BIG")])
        .await;
    r.expect(413);
    assert_eq!(app.audit_rows()[0].0, "LOGIN");
}
