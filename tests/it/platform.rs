use tillpoint::platform::db::{migration_names, Backend};

use crate::helpers::*;

#[actix_web::test]
async fn health_reports_the_backend() {
    let app = TestApp::new().await;
    let r = app.client().get("/healthz").await;
    r.expect(200);
    let expected = if is_postgres() { "postgres" } else { "sqlite" };
    assert_eq!(
        r.json(),
        serde_json::json!({"status": "ok", "database": expected})
    );
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    let c = app.client();
    for path in [
        "/login",
        "/healthz",
        "/static/css/app.css",
        "/nowhere",
        "/employees",
    ] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
    }
}

#[actix_web::test]
async fn pages_have_no_inline_script_and_the_session_cookie_is_locked_down() {
    let app = TestApp::with(|c| c.secure_cookies = true).await;
    let r = app.client().get("/login").await;
    r.expect_absent("<script>");
    let cookie = r
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(" | ");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
}

#[actix_web::test]
async fn static_files_are_cached_with_an_etag() {
    let app = TestApp::new().await;
    let c = app.client();
    let r = c.get("/static/css/app.css").await;
    r.expect(200);
    assert!(r.header("content-type").starts_with("text/css"));
    assert!(r.header("cache-control").contains("max-age"));
    let etag = r.header("etag").to_string();
    assert!(etag.starts_with('"'));
    c.get_with("/static/css/app.css", &[("if-none-match", &etag)])
        .await
        .expect(304);
    c.get("/static/../Cargo.toml").await.expect(404);
    c.get("/static/nope.js").await.expect(404);
}

#[actix_web::test]
async fn errors_are_pages_for_people_and_json_for_programs() {
    let app = TestApp::new().await;
    let c = app.client();
    let r = c.get("/no/such/page").await;
    r.expect(404).expect_text("Page not found");
    assert!(r.header("content-type").starts_with("text/html"));
    let r = c
        .get_with("/no/such/page", &[("accept", "application/json")])
        .await;
    r.expect(404);
    assert!(r.json()["error"].is_string());
    let m = app.signed_in("manager").await;
    m.get("/employees/999999")
        .await
        .expect(404)
        .expect_text("That employee was not found.");
    m.get("/employees/notanumber").await.expect(404);
}

#[::core::prelude::v1::test]
fn both_backends_have_the_same_migrations() {
    assert_eq!(
        migration_names(Backend::Sqlite),
        migration_names(Backend::Postgres)
    );
    let dir = |b: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{b}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
        v.sort();
        v
    };
    assert_eq!(dir("sqlite"), dir("postgres"));
}

#[actix_web::test]
async fn json_routes_answer_json_errors_even_without_an_accept_header() {
    let app = TestApp::new().await;
    let agent = app.signed_in("agent").await;
    // A scanner script sends no Accept header at all.
    let r = agent.get("/pos/scan?barcode=0000000000000").await;
    r.expect(404);
    assert!(r.header("content-type").starts_with("application/json"));
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("0000000000000"));
    // An HTML page's error stays a page for the same client.
    let r = agent.get("/sales/999999").await;
    r.expect(404);
    assert!(r.header("content-type").starts_with("text/html"));
}

/// Every full page (base layout, receipts, bills, QR sheets, the guest's page) declares the
/// icon, and no page head has markup inside its title (a script there is text, not a script).
#[test]
fn every_page_declares_its_icon_and_a_plain_title() {
    let mut pages = 0;
    let mut stack = vec![std::path::PathBuf::from("templates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(start) = text.find("{% block title %}") {
                let rest = &text[start..];
                let end = rest.find("{% endblock %}").unwrap_or(rest.len());
                assert!(
                    !rest[..end].contains('<'),
                    "{}: markup inside the title block",
                    path.display()
                );
            }
            // E-mail bodies are documents for mail programs, not pages of the site.
            let email = path.components().any(|c| c.as_os_str() == "mail");
            if text.contains("<html") && !email {
                pages += 1;
                assert!(
                    text.contains("rel=\"icon\""),
                    "{} does not declare its icon",
                    path.display()
                );
            }
        }
    }
    assert!(pages >= 5, "found the full pages ({pages})");
}

/// The platform sits under the areas and `app`: it names none of them (navigation reaches pages
/// as data, live updates and audit words are lent by the areas), so no import circle forms.
#[test]
fn the_platform_imports_nothing_from_above_it() {
    let above = ["crate::app", "crate::cafe", "crate::retail", "crate::staff"];
    let mut files = 0;
    let mut stack = vec![std::path::PathBuf::from("src/platform")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for name in above {
                    assert!(
                        !text.contains(name),
                        "{} names {name}: the platform must not import from above it",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(files > 20, "read the platform ({files} files)");
}

/// The pool's connections never checkpoint inside a commit; the background checkpointer copies
/// the log into the database file by itself (the file grows without anyone checkpointing).
#[::core::prelude::v1::test]
fn sqlite_checkpoints_run_in_the_background_not_in_commits() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let (db, target, _, _cleanup) = fresh_db();
    let tillpoint::platform::db::DbTarget::Sqlite(path) = target else {
        return; // PostgreSQL has no WAL file of ours to keep short.
    };
    let mut conn = db.pool().get().unwrap();
    #[derive(QueryableByName)]
    struct Auto {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        wal_autocheckpoint: i32,
    }
    let auto: Auto = diesel::sql_query("PRAGMA wal_autocheckpoint")
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(auto.wal_autocheckpoint, 0);
    let before = std::fs::metadata(&path).unwrap().len();
    tillpoint::platform::db::write_tx(&mut conn, |c| {
        c.batch_execute(
            "CREATE TABLE bulk (v BLOB); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO bulk SELECT randomblob(1000) FROM n;",
        )
    })
    .unwrap();
    let grown = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::metadata(&path).unwrap().len() >= before + 1_500_000
    });
    assert!(
        grown,
        "the checkpointer copied the log into the database file"
    );
}
