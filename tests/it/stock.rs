use diesel::prelude::*;
use tillpoint::platform::schema::{product_serials, stock_movements};

use crate::helpers::*;

fn adjustments(app: &TestApp) -> i64 {
    stock_movements::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn receive_count_and_damage_change_stock_with_history_and_audit() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let p = insert_product(
        &mut app.conn(),
        "USB-C Cable 1m",
        "4806512345671",
        29_900,
        false,
    );
    let main = app.seed.main_branch.to_string();
    let url = format!("/products/{p}/stock");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "10"),
            ("reason", "Delivery DR-1001"),
        ],
    )
    .await
    .expect(303);
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, p), 10);
    let row = &app.audit_rows()[0];
    assert_eq!((row.0.as_str(), row.1.as_str()), ("UPDATE", "branch_stock"));
    assert!(
        row.4.contains("\"quantity\":{\"new\":10,\"old\":0}"),
        "{}",
        row.4
    );
    assert!(row.4.contains("Delivery DR-1001"));
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "count"),
            ("quantity", "8"),
            ("reason", "Monthly count"),
        ],
    )
    .await
    .expect(303);
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "damage"),
            ("quantity", "3"),
            ("reason", "Water damage"),
        ],
    )
    .await
    .expect(303);
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, p), 5);
    let page = m.get(&url).await;
    page.expect_text("Monthly count")
        .expect_text("Water damage")
        .expect_text("-3")
        .expect_text("-2")
        .expect_text("+10");
    assert_eq!(adjustments(&app), 3);
}

#[actix_web::test]
async fn stock_never_goes_below_zero_and_bad_input_changes_nothing() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let p = insert_product(
        &mut app.conn(),
        "Phone Case",
        "4806512345688",
        49_900,
        false,
    );
    let main = app.seed.main_branch.to_string();
    let url = format!("/products/{p}/stock");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "2"),
            ("reason", "Delivery"),
        ],
    )
    .await
    .expect(303);
    let before = (adjustments(&app), app.audit_count());
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "damage"),
            ("quantity", "3"),
            ("reason", "Broken"),
        ],
    )
    .await
    .expect(409)
    .expect_text("id=\"quantity-error\">Only 2 × Phone Case in stock at Main Branch");
    for (kind, q, status, msg) in [
        ("receive", "-5", 422, "whole number"),
        ("receive", "0", 422, "at least 1"),
        ("receive", "1.5", 422, "whole number"),
        ("receive", "99999999999", 422, "whole number"),
        ("steal", "1", 422, "receive, count or damage"),
    ] {
        m.post(
            &url,
            &[
                ("branch_id", &main),
                ("kind", kind),
                ("quantity", q),
                ("reason", "x"),
            ],
        )
        .await
        .expect(status)
        .expect_text(msg);
    }
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "1"),
            ("reason", ""),
        ],
    )
    .await
    .expect(422)
    .expect_text("Reason is required");
    m.post(
        &url,
        &[
            ("branch_id", "999999"),
            ("kind", "receive"),
            ("quantity", "1"),
            ("reason", "x"),
        ],
    )
    .await
    .expect(422)
    .expect_text("<p class=\"field-error\" id=\"branch_id-error\">That branch does not exist.</p>");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "1"),
            ("reason", "x"),
            ("serials", "SN1"),
        ],
    )
    .await
    .expect(422)
    .expect_text("not serial-tracked");
    m.post(
        "/products/999999/stock",
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "1"),
            ("reason", "x"),
        ],
    )
    .await
    .expect(404);
    assert_eq!((adjustments(&app), app.audit_count()), before);
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, p), 2);
}

#[actix_web::test]
async fn serial_tracked_stock_arrives_and_leaves_by_serial() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let p = insert_product(
        &mut app.conn(),
        "iPhone 15",
        "4806512345695",
        5_499_000,
        true,
    );
    let main = app.seed.main_branch.to_string();
    let url = format!("/products/{p}/stock");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "2"),
            ("reason", "Delivery"),
            ("serials", "IMEI-001\nIMEI-002"),
        ],
    )
    .await
    .expect(303);
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, p), 2);
    let before = (adjustments(&app), app.audit_count());
    // The same serial cannot arrive twice, even at another branch; nothing is written.
    let cebu = app.seed.cebu_branch.to_string();
    m.post(
        &url,
        &[
            ("branch_id", &cebu),
            ("kind", "receive"),
            ("quantity", "2"),
            ("reason", "Delivery"),
            ("serials", "IMEI-003\nIMEI-001"),
        ],
    )
    .await
    .expect(409)
    .expect_text("IMEI-001 is already recorded");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "receive"),
            ("quantity", "2"),
            ("reason", "Delivery"),
            ("serials", "IMEI-009"),
        ],
    )
    .await
    .expect(422)
    .expect_text("exactly 2 serial");
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "count"),
            ("quantity", "5"),
            ("reason", "Count"),
        ],
    )
    .await
    .expect(422);
    m.post(
        &url,
        &[
            ("branch_id", &cebu),
            ("kind", "damage"),
            ("quantity", "1"),
            ("reason", "Cracked"),
            ("serials", "IMEI-002"),
        ],
    )
    .await
    .expect(409);
    assert_eq!((adjustments(&app), app.audit_count()), before);
    assert_eq!(stock_of(&mut app.conn(), app.seed.cebu_branch, p), 0);
    m.post(
        &url,
        &[
            ("branch_id", &main),
            ("kind", "damage"),
            ("quantity", "1"),
            ("reason", "Cracked"),
            ("serials", "IMEI-002"),
        ],
    )
    .await
    .expect(303);
    let statuses: Vec<(String, String)> = product_serials::table
        .order(product_serials::serial.asc())
        .select((product_serials::serial, product_serials::status))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        statuses,
        [
            ("IMEI-001".to_string(), "in_stock".to_string()),
            ("IMEI-002".to_string(), "damaged".to_string())
        ]
    );
    assert_eq!(stock_of(&mut app.conn(), app.seed.main_branch, p), 1);
}

#[actix_web::test]
async fn the_stock_page_filters_and_sales_agents_see_only_their_branch() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let mut conn = app.conn();
    let a = insert_product(&mut conn, "Alpha Charger", "4806512345701", 99_900, false);
    let b = insert_product(&mut conn, "Beta Earbuds", "4806512345718", 199_900, false);
    let c = insert_product(&mut conn, "Gamma Stand", "4806512345725", 59_900, false);
    drop(conn);
    let main = app.seed.main_branch.to_string();
    let cebu = app.seed.cebu_branch.to_string();
    for (p, branch, q) in [
        (a, &main, "10"),
        (b, &main, "2"),
        (c, &main, "1"),
        (a, &cebu, "7"),
    ] {
        m.post(
            &format!("/products/{p}/stock"),
            &[
                ("branch_id", branch),
                ("kind", "receive"),
                ("quantity", q),
                ("reason", "Delivery"),
            ],
        )
        .await
        .expect(303);
    }
    m.post(
        &format!("/products/{c}/stock"),
        &[
            ("branch_id", &main),
            ("kind", "damage"),
            ("quantity", "1"),
            ("reason", "Lost"),
        ],
    )
    .await
    .expect(303);
    m.get("/inventory").await; // shows (and so clears) the last flash message
    let low = m.get("/inventory?status=low").await;
    low.expect_text("Beta Earbuds");
    assert!(!low.body.contains("Alpha Charger") && !low.body.contains("Gamma Stand"));
    m.get("/inventory?status=out")
        .await
        .expect_text("Gamma Stand");
    // The branch filter tells rows apart (the branch names are always in the picker).
    m.get(&format!("/inventory?branch_id={cebu}"))
        .await
        .expect_text("data-label=\"Branch\">Cebu Branch<")
        .expect_absent("data-label=\"Branch\">Main Branch<");
    m.get("/inventory?barcode=480651234570")
        .await
        .expect_text("Alpha Charger")
        .expect_absent("Beta Earbuds");
    m.get("/inventory?status=plenty").await.expect(400);

    let agent = app.signed_in("agent").await; // works at Main Branch
    let page = agent.get(&format!("/inventory?branch_id={cebu}")).await;
    page.expect(200)
        .expect_text("data-label=\"Branch\">Main Branch<")
        .expect_absent("data-label=\"Branch\">Cebu Branch<");
    let csv = agent
        .get(&format!("/inventory/export.csv?branch_id={cebu}"))
        .await;
    csv.expect_absent("Cebu Branch");
    // A tampered branch filter gets the one answer, from staff and managers alike.
    for who in [&agent, &m] {
        for path in [
            "/inventory?branch_id=main",
            "/inventory/export.csv?branch_id=-1",
            "/sales?from=&branch_id=1%3B",
            "/sales/export.csv?branch_id=x",
        ] {
            who.get(path)
                .await
                .expect(400)
                .expect_text("The branch filter must be a branch from the list.");
        }
    }

    let csv = m.get("/inventory/export.csv").await;
    csv.expect(200);
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Branch,Supplier,Product Name,Category,Quantity,Price,Barcode,Status"
    );
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        text.contains("Main Branch,,Beta Earbuds,Laptop,2,1999.00,4806512345718,Low Stock"),
        "{text}"
    );
    assert!(text.contains("Main Branch,,Gamma Stand,Laptop,0,599.00,4806512345725,Out of Stock"));
    assert!(text.contains("Cebu Branch,,Alpha Charger,Laptop,7,999.00,4806512345701,In Stock"));
}
