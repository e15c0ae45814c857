use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tillpoint::platform::schema::audit_log;

use crate::helpers::*;

#[actix_web::test]
async fn the_database_refuses_to_change_or_delete_audit_rows() {
    let app = TestApp::new().await;
    app.signed_in("manager").await;
    let mut conn = app.conn();
    let before = app.audit_count();
    assert!(before > 0);
    assert!(conn
        .batch_execute("UPDATE audit_log SET action = 'FORGED'")
        .is_err());
    assert!(conn.batch_execute("DELETE FROM audit_log").is_err());
    assert!(diesel::delete(audit_log::table)
        .execute(&mut *conn)
        .is_err());
    drop(conn);
    assert_eq!(app.audit_count(), before);
    assert!(app.audit_rows().iter().all(|r| r.0 != "FORGED"));
}

#[actix_web::test]
async fn the_trail_shows_who_did_what_with_filters() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    m.post("/branches", &[("name", "Iloilo Branch"), ("code", "ILO")])
        .await
        .expect(303);
    app.signed_in("agent").await;
    let page = m.get("/audit").await;
    page.expect(200)
        .expect_text("Iloilo Branch (ILO)")
        .expect_text("Manager Person")
        .expect_text("code: — → ILO")
        .expect_text("Asia/Manila");
    let page = m.get("/audit?action=CREATE&record_type=branch").await;
    page.expect_text("Iloilo Branch");
    page.expect_absent("action-login\">LOGIN<");
    let page = m
        .get(&format!(
            "/audit?employee_id={}&action=LOGIN",
            app.id("agent")
        ))
        .await;
    page.expect_text("Agent Person");
    page.expect_absent("Iloilo");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Manila)
        .date_naive();
    let yesterday = today.pred_opt().unwrap();
    m.get(&format!("/audit?from={today}&to={today}"))
        .await
        .expect_text("Iloilo");
    m.get(&format!("/audit?from={yesterday}&to={yesterday}"))
        .await
        .expect_text("No entries match");
    m.get("/audit?from=yesterday")
        .await
        .expect(400)
        .expect_text("date such as");
    m.get(&format!("/audit?from={today}&to={yesterday}"))
        .await
        .expect(400)
        .expect_text("after the To date");
    m.get("/audit?action=DROP").await.expect(400);
    m.get("/audit?record_type=Robert%27%29%3B")
        .await
        .expect(400);
    m.get("/audit?employee_id=x").await.expect(400);
    m.get("/audit?page=-1").await.expect(400);
}

#[actix_web::test]
async fn the_export_streams_the_filtered_rows() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    m.post(
        "/branches",
        &[("name", "=cmd|' /C calc'!A0"), ("code", "EVIL")],
    )
    .await
    .expect(303);
    let csv = m.get("/audit/export.csv?record_type=branch").await;
    csv.expect(200);
    assert!(csv.header("content-disposition").contains(&format!(
        "audit-trail-{}.csv",
        tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila).today()
    )));
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Timestamp,Employee,Action,Record Type,Record ID,Record,Changes,IP Address,What,Changes (readable)"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].contains(",Manager Person,CREATE,branch,"));
    assert!(
        lines[1].contains("'=cmd"),
        "a formula in a cell is neutralised: {}",
        lines[1]
    );
    // The stored values first, then the same row in the shop's words.
    assert!(lines[1].contains("code: — → EVIL"), "{}", lines[1]);
    assert!(lines[1].contains(",192.0.2.10,"), "{}", lines[1]);
    assert!(lines[1].contains("Created Branch: =cmd"), "{}", lines[1]);
    assert!(lines[1].contains("Branch code: — → EVIL"), "{}", lines[1]);
    m.get("/audit/export.csv?from=not-a-date").await.expect(400);
}

#[actix_web::test]
async fn a_large_export_is_complete() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    {
        let mut conn = app.conn();
        let now = chrono::Utc::now().naive_utc();
        tillpoint::platform::db::write_tx(&mut conn, |c| {
            for i in 0..2345 {
                tillpoint::platform::audit::record(
                    c,
                    &tillpoint::platform::audit::Actor::system(),
                    now,
                    "UPDATE",
                    tillpoint::platform::audit::Subject {
                        record_type: "bulk",
                        record_id: Some(i),
                        label: "row".into(),
                    },
                    &tillpoint::platform::audit::Changes::new(),
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    }
    let csv = m.get("/audit/export.csv?record_type=bulk").await;
    assert_eq!(
        csv.body.lines().count(),
        1 + 2345,
        "an export longer than one page is complete"
    );
}

#[actix_web::test]
async fn the_recorded_address_believes_only_trusted_proxies() {
    let app = TestApp::new().await;
    // An untrusted peer that claims another address in X-Forwarded-For: the peer is recorded.
    let c = app.client_from("203.0.113.50:1000");
    let token = c.token().await;
    c.post_raw(
        "/login",
        &[
            ("csrf_token", &token),
            ("username", "agent"),
            ("password", PASSWORD),
        ],
        &[("x-forwarded-for", "1.2.3.4")],
    )
    .await
    .expect(303);
    assert_eq!(app.audit_rows()[0].5.as_deref(), Some("203.0.113.50"));
    // The trusted proxy (10.0.0.1 in the test config) forwards the real client.
    let p = app.client_from("10.0.0.1:1000");
    let token = p.token().await;
    p.post_raw(
        "/login",
        &[
            ("csrf_token", &token),
            ("username", "credit"),
            ("password", PASSWORD),
        ],
        &[("x-forwarded-for", "6.6.6.6, 198.51.100.9")],
    )
    .await
    .expect(303);
    assert_eq!(app.audit_rows()[0].5.as_deref(), Some("198.51.100.9"));
}

#[actix_web::test]
async fn the_trail_speaks_the_shops_language_and_names_related_records() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let p = insert_product(
        &mut app.conn(),
        "USB-C Cable",
        "4006381333931",
        29_900,
        false,
    );
    m.post("/categories", &[("name", "Cables & Chargers")])
        .await
        .expect(303);
    let (old_name, cat_b) = {
        use tillpoint::platform::schema::{product_categories, products};
        let mut c = app.conn();
        let a: i64 = products::table
            .find(p)
            .select(products::category_id)
            .first(&mut *c)
            .unwrap();
        let old: String = product_categories::table
            .find(a)
            .select(product_categories::name)
            .first(&mut *c)
            .unwrap();
        let b: i64 = product_categories::table
            .filter(product_categories::name.eq("Cables & Chargers"))
            .select(product_categories::id)
            .first(&mut *c)
            .unwrap();
        (old, b)
    };
    let edit = m.get(&format!("/products/{p}/edit")).await;
    edit.expect(200);
    m.post(
        &format!("/products/{p}"),
        &[
            ("name", "USB-C Cable"),
            ("barcode", "4006381333931"),
            ("sku", ""),
            ("category_id", &cat_b.to_string()),
            ("supplier_id", ""),
            ("price", "299.00"),
            ("cost", "239.20"),
            ("min_stock", "7"),
            ("description", ""),
        ],
    )
    .await
    .expect(303);
    let page = m.get("/audit?record_type=product").await;
    page.expect(200)
        .expect_text(&format!("Category: {old_name} → Cables &#38; Chargers"))
        .expect_text("Minimum stock:")
        .expect_text(">Changed<")
        .expect_text("Product #");
    assert!(
        !page.body.contains("category_id"),
        "no column names on the page"
    );
    // The filter lists record types by their names too.
    m.get("/audit")
        .await
        .expect_text(">Product</option>")
        .expect_text(">Signed in</option>");
}
