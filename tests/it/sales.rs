use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::schema::{commissions, employees, orders, product_serials};

use crate::helpers::*;

const CABLE: &str = "4806512345671";
const PHONE: &str = "4806512345695";

struct Shop {
    app: TestApp,
    cable: i64,
    phone: i64,
}

async fn shop() -> Shop {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 10, &[]);
    app.receive(app.seed.main_branch, phone, 2, &["IMEI-1", "IMEI-2"]);
    app.receive(app.seed.cebu_branch, cable, 5, &[]);
    diesel::update(employees::table.find(app.id("agent")))
        .set(employees::commission_rate_bp.eq(500i64))
        .execute(&mut *app.conn())
        .unwrap();
    Shop { app, cable, phone }
}

async fn sell(
    c: &Client,
    key: &str,
    lines: serde_json::Value,
    cash: &str,
    customer: serde_json::Value,
) -> i64 {
    let r = c.post_json("/pos/checkout/cash", &json!({"idempotency_key": key, "lines": lines, "cash_received": cash, "customer": customer})).await;
    r.expect(201);
    r.json()["order_id"].as_i64().unwrap()
}

async fn cebu_agent(app: &TestApp) -> Client {
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "cebuagent",
        tillpoint::platform::auth::Role::SalesAgent,
        Some(app.seed.cebu_branch),
        &hash,
    );
    app.open_shift("cebuagent");
    app.signed_in("cebuagent").await
}

#[actix_web::test]
async fn the_sales_list_filters_totals_and_keeps_branches_apart() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let customer = json!({"name": "Ana Reyes", "phone": "09171234567", "email": ""});
    let first = sell(
        &agent,
        "key-main-0001",
        json!([{"barcode": CABLE, "quantity": 2}]),
        "1000",
        customer,
    )
    .await;
    sell(
        &agent,
        "key-main-0002",
        json!([{"barcode": PHONE, "serials": ["IMEI-1"]}]),
        "55000",
        serde_json::Value::Null,
    )
    .await;
    let cebu = cebu_agent(&s.app).await;
    let other = sell(
        &cebu,
        "key-cebu-0001",
        json!([{"barcode": CABLE}]),
        "299",
        serde_json::Value::Null,
    )
    .await;

    let m = s.app.signed_in("manager").await;
    let bare = m.get("/sales").await;
    bare.expect(303);
    assert!(bare.location().starts_with("/sales?from="));
    let page = m.get(bare.location()).await;
    page.expect(200)
        .expect_text("MNL-000001")
        .expect_text("MNL-000002")
        .expect_text("CEB-000001");
    page.expect_text("<strong>3</strong> sale(s)")
        .expect_text("55,887.00"); // 598 + 54,990 + 299
    m.get("/sales?from=&to=&customer=ana")
        .await
        .expect_text("MNL-000001")
        .expect_text("<strong>1</strong> sale(s)");
    m.get(&format!(
        "/sales?from=&to=&branch_id={}",
        s.app.seed.cebu_branch
    ))
    .await
    .expect_text("<strong>1</strong> sale(s)");
    let tomorrow = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Manila)
        .date_naive()
        .succ_opt()
        .unwrap();
    m.get(&format!("/sales?from={tomorrow}&to={tomorrow}"))
        .await
        .expect_text("No sales match");
    m.get("/sales?from=2026-13-01").await.expect(400);
    m.get("/sales?status=lost").await.expect(400);
    m.get("/sales?payment_method=bitcoin").await.expect(400);

    // A sales agent sees their own branch only, whatever the query says.
    let own = agent
        .get(&format!(
            "/sales?from=&to=&branch_id={}",
            s.app.seed.cebu_branch
        ))
        .await;
    own.expect(200).expect_text("<strong>2</strong> sale(s)");
    own.expect_absent("CEB-000001");
    agent.get(&format!("/sales/{other}")).await.expect(404);
    agent
        .get(&format!("/sales/{other}/receipt"))
        .await
        .expect(404);
    agent
        .get(&format!("/sales/{first}"))
        .await
        .expect(200)
        .expect_text("USB-C Cable")
        .expect_text("Ana Reyes");
    m.get(&format!("/sales/{other}")).await.expect(200);
}

#[actix_web::test]
async fn a_manager_voids_a_sale_and_everything_goes_back() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let id = sell(
        &agent,
        "key-void-0001",
        json!([{"barcode": CABLE, "quantity": 3}, {"barcode": PHONE, "serials": ["IMEI-2"]}]),
        "60000",
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.cable),
        7
    );
    let m = s.app.signed_in("manager").await;
    let before = s.app.audit_count();
    m.post(&format!("/sales/{id}/void"), &[("reason", "")])
        .await
        .expect(422)
        .expect_text("Say why");
    assert_eq!(s.app.audit_count(), before);
    m.post(
        &format!("/sales/{id}/void"),
        &[("reason", "Customer returned it unopened")],
    )
    .await
    .expect(303);
    let mut c = s.app.conn();
    assert_eq!(stock_of(&mut c, s.app.seed.main_branch, s.cable), 10);
    assert_eq!(stock_of(&mut c, s.app.seed.main_branch, s.phone), 2);
    let serial: (String, Option<i64>) = product_serials::table
        .filter(product_serials::serial.eq("IMEI-2"))
        .select((product_serials::status, product_serials::order_item_id))
        .first(&mut *c)
        .unwrap();
    assert_eq!(serial, ("in_stock".to_string(), None));
    let status: String = orders::table
        .find(id)
        .select(orders::status)
        .first(&mut *c)
        .unwrap();
    assert_eq!(status, "cancelled");
    let net: Vec<i64> = commissions::table
        .filter(commissions::order_id.eq(id))
        .select(commissions::amount_minor)
        .load(&mut *c)
        .unwrap();
    assert_eq!(net.iter().sum::<i64>(), 0, "commission reversed: {net:?}");
    let totals: (i64, i64) = employees::table
        .find(s.app.id("agent"))
        .select((
            employees::total_sales_minor,
            employees::total_commission_minor,
        ))
        .first(&mut *c)
        .unwrap();
    assert_eq!(totals, (0, 0));
    drop(c);
    let row = &s.app.audit_rows()[0];
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2),
        ("VOID", "order", Some(id))
    );
    assert!(row.4.contains("Customer returned it unopened"));
    m.post(&format!("/sales/{id}/void"), &[("reason", "Again please")])
        .await
        .expect(409)
        .expect_text("cannot be voided again");
    let detail = m.get(&format!("/sales/{id}")).await;
    detail
        .expect_text("Voided")
        .expect_text("Customer returned it unopened")
        .expect_text("action-void\">Voided<");
    m.get(&format!("/sales/{id}/receipt"))
        .await
        .expect_text("VOIDED");
    // The serial can be sold again.
    sell(
        &agent,
        "key-void-0002",
        json!([{"barcode": PHONE, "serials": ["IMEI-2"]}]),
        "55000",
        serde_json::Value::Null,
    )
    .await;
    m.post("/sales/999999/void", &[("reason", "Nothing here")])
        .await
        .expect(404);
}

#[actix_web::test]
async fn archived_sales_leave_the_list_and_return() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let id = sell(
        &agent,
        "key-arch-0001",
        json!([{"barcode": CABLE}]),
        "299",
        serde_json::Value::Null,
    )
    .await;
    let m = s.app.signed_in("manager").await;
    m.post(&format!("/sales/{id}/archive"), &[])
        .await
        .expect(303);
    m.get("/sales?from=&to=").await.expect_absent("MNL-000001");
    m.get("/sales?from=&to=&archived=1")
        .await
        .expect_text("MNL-000001");
    m.post(&format!("/sales/{id}/archive"), &[])
        .await
        .expect(409);
    m.post(&format!("/sales/{id}/restore"), &[])
        .await
        .expect(303);
    m.get("/sales?from=&to=").await.expect_text("MNL-000001");
    assert_eq!(s.app.audit_rows()[0].0, "RESTORE");
}

#[actix_web::test]
async fn the_export_has_the_seed_columns_and_follows_the_filters() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    sell(
        &agent,
        "key-csv-00001",
        json!([{"barcode": CABLE, "quantity": 2}, {"barcode": PHONE, "serials": ["IMEI-1"]}]),
        "60000",
        json!({"name": "=HYPERLINK(1)", "phone": "09170000000", "email": ""}),
    )
    .await;
    let cebu = cebu_agent(&s.app).await;
    sell(
        &cebu,
        "key-csv-00002",
        json!([{"barcode": CABLE}]),
        "299",
        serde_json::Value::Null,
    )
    .await;
    let m = s.app.signed_in("manager").await;
    let csv = m.get("/sales/export.csv").await;
    csv.expect(200);
    assert!(csv.header("content-disposition").contains(&format!(
        "sales-{}.csv",
        tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila).today()
    )));
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Date,Order ID,Customer,Product,Qty,Unit Price,Total,Branch,Sold By,OR Number,Payment Method,Status");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].contains(",'=HYPERLINK(1),USB-C Cable,2,299.00,598.00,Main Branch,Agent Person,MNL-000001,cash,completed"), "{}", lines[1]);
    assert!(lines[3].contains(",Walk In,USB-C Cable,1,299.00,299.00,Cebu Branch,Cebuagent Person,CEB-000001,cash,completed"), "{}", lines[3]);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Manila)
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        lines[1].starts_with(&today),
        "dates are in the business time zone: {}",
        lines[1]
    );
    let cebu_only = m
        .get(&format!(
            "/sales/export.csv?branch_id={}",
            s.app.seed.cebu_branch
        ))
        .await;
    assert_eq!(cebu_only.body.lines().count(), 2);
    let own = agent
        .get(&format!(
            "/sales/export.csv?branch_id={}",
            s.app.seed.cebu_branch
        ))
        .await;
    assert_eq!(
        own.body.lines().count(),
        3,
        "an agent's export is their own branch"
    );
    m.get("/sales/export.csv?from=yesterday").await.expect(400);
}

#[actix_web::test]
async fn an_export_longer_than_one_page_is_complete() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let id = sell(
        &agent,
        "key-long-0001",
        json!([{"barcode": CABLE}]),
        "299",
        serde_json::Value::Null,
    )
    .await;
    {
        use tillpoint::platform::schema::order_items;
        let mut c = s.app.conn();
        tillpoint::platform::db::write_tx(&mut c, |c| {
            for _ in 0..2_100 {
                diesel::insert_into(order_items::table)
                    .values((
                        order_items::order_id.eq(id),
                        order_items::product_id.eq(s.cable),
                        order_items::product_name.eq("USB-C Cable"),
                        order_items::quantity.eq(1i64),
                        order_items::unit_price_minor.eq(29_900i64),
                        order_items::cost_price_minor.eq(23_920i64),
                        order_items::line_total_minor.eq(29_900i64),
                    ))
                    .execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    }
    let m = s.app.signed_in("manager").await;
    let csv = m.get("/sales/export.csv").await;
    assert_eq!(
        csv.body.lines().count(),
        1 + 2_101,
        "every line, across several pages"
    );
}

#[actix_web::test]
async fn voids_and_archives_of_missing_sales_are_refused() {
    let s = shop().await;
    let m = s.app.signed_in("manager").await;
    let before = s.app.audit_count();
    m.post("/sales/999999/archive", &[]).await.expect(404);
    m.post("/sales/999999/restore", &[]).await.expect(404);
    m.post("/sales/999999/void", &[("reason", "No such sale")])
        .await
        .expect(404);
    let agent = s.app.signed_in("agent").await;
    let id = sell(
        &agent,
        "key-miss-0001",
        json!([{"barcode": CABLE}]),
        "299",
        serde_json::Value::Null,
    )
    .await;
    let before_restore = s.app.audit_count();
    m.post(&format!("/sales/{id}/restore"), &[])
        .await
        .expect(409)
        .expect_text("This sale is not archived.");
    m.post(
        &format!("/sales/{id}/void"),
        &[("reason", &"x".repeat(201))],
    )
    .await
    .expect(422);
    assert_eq!(s.app.audit_count(), before_restore);
    assert!(before < before_restore);
}

#[actix_web::test]
async fn the_stock_ledger_explains_every_unit_through_sales_and_voids() {
    use tillpoint::platform::schema::stock_movements;
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let first = sell(
        &agent,
        "key-ledger-0001",
        json!([{"barcode": CABLE, "quantity": 3}]),
        "1000",
        serde_json::Value::Null,
    )
    .await;
    sell(
        &agent,
        "key-ledger-0002",
        json!([{"barcode": CABLE, "quantity": 2}]),
        "1000",
        serde_json::Value::Null,
    )
    .await;
    let m = s.app.signed_in("manager").await;
    m.post(
        &format!("/sales/{first}/void"),
        &[("reason", "Rang up twice")],
    )
    .await
    .expect(303);
    // Main: received 10, sold 3 (MNL-000001), sold 2 (MNL-000002), void of the first +3.
    let rows: Vec<(String, i64, i64, String, Option<i64>)> = stock_movements::table
        .filter(stock_movements::product_id.eq(s.cable))
        .filter(stock_movements::branch_id.eq(s.app.seed.main_branch))
        .order(stock_movements::id.asc())
        .select((
            stock_movements::kind,
            stock_movements::quantity_change,
            stock_movements::quantity_after,
            stock_movements::document,
            stock_movements::order_id,
        ))
        .load(&mut *s.app.conn())
        .unwrap();
    let got: Vec<(&str, i64, i64, &str)> = rows
        .iter()
        .map(|r| (r.0.as_str(), r.1, r.2, r.3.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("receive", 10, 10, ""),
            ("sale", -3, 7, "MNL-000001"),
            ("sale", -2, 5, "MNL-000002"),
            ("void", 3, 8, "MNL-000001"),
        ]
    );
    assert_eq!(rows[1].4, Some(first));
    assert_eq!(rows[3].4, Some(first));
    // The running balance ends at the number on hand, and the changes add up to it.
    let on_hand = stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.cable);
    assert_eq!(on_hand, 8);
    assert_eq!(rows.last().unwrap().2, on_hand);
    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), on_hand);

    // The stock page shows the ledger in the shop's words, linked to the sale.
    let page = m.get(&format!("/products/{}/stock", s.cable)).await;
    page.expect(200)
        .expect_text("Sale voided")
        .expect_text(&format!("<a href=\"/sales/{first}\">MNL-000001</a>"))
        .expect_text("Rang up twice");
    page.expect_absent("before the history below began");
    // One branch's history only.
    let cebu = m
        .get(&format!(
            "/products/{}/stock?branch_id={}",
            s.cable, s.app.seed.cebu_branch
        ))
        .await;
    cebu.expect(200);
    cebu.expect_absent("MNL-000002");
    m.get(&format!("/products/{}/stock?branch_id=main", s.cable))
        .await
        .expect(400);
    // Stock loaded behind the ledger's back is shown as such, not silently absorbed.
    diesel::update(
        tillpoint::platform::schema::branch_stock::table
            .filter(tillpoint::platform::schema::branch_stock::product_id.eq(s.cable))
            .filter(
                tillpoint::platform::schema::branch_stock::branch_id.eq(s.app.seed.main_branch),
            ),
    )
    .set(tillpoint::platform::schema::branch_stock::quantity.eq(11i64))
    .execute(&mut *s.app.conn())
    .unwrap();
    m.get(&format!("/products/{}/stock", s.cable))
        .await
        .expect_text("3 unit(s) at Main Branch were there before");

    // The product list shows each branch's count.
    let list = m.get("/products?q=usb-c").await;
    list.expect(200);
    list.expect_text("Cebu Branch <strong>5</strong>")
        .expect_text("Main Branch <strong>11</strong>");
}

/// The list's count and sum for days and branch alone come from the daily summaries; the same
/// filter counted sale by sale (a payment-method filter every sale here matches) must agree
/// through sales, a void, a partial refund and an archived sale, and after the summaries are
/// counted again from the orders.
#[actix_web::test]
async fn the_sales_list_totals_agree_with_the_sales_through_voids_refunds_and_archives() {
    let s = shop().await;
    let agent = s.app.signed_in("agent").await;
    let none = serde_json::Value::Null;
    let kept = sell(
        &agent,
        "key-tally-0001",
        json!([{"barcode": CABLE, "quantity": 3}]),
        "1000",
        none.clone(),
    )
    .await;
    let voided = sell(
        &agent,
        "key-tally-0002",
        json!([{"barcode": CABLE}]),
        "299",
        none.clone(),
    )
    .await;
    let refunded = sell(
        &agent,
        "key-tally-0003",
        json!([{"barcode": CABLE, "quantity": 2}]),
        "598",
        none.clone(),
    )
    .await;
    let archived = sell(
        &agent,
        "key-tally-0004",
        json!([{"barcode": CABLE}]),
        "299",
        none.clone(),
    )
    .await;
    let cebu = cebu_agent(&s.app).await;
    sell(
        &cebu,
        "key-tally-0005",
        json!([{"barcode": CABLE}]),
        "299",
        none,
    )
    .await;

    let m = s.app.signed_in("manager").await;
    m.post(
        &format!("/sales/{voided}/void"),
        &[("reason", "Rang up twice by mistake")],
    )
    .await
    .expect(303);
    let item: i64 = tillpoint::platform::schema::order_items::table
        .filter(tillpoint::platform::schema::order_items::order_id.eq(refunded))
        .select(tillpoint::platform::schema::order_items::id)
        .first(&mut *s.app.conn())
        .unwrap();
    let field = format!("qty_{item}");
    agent
        .post(
            &format!("/sales/{refunded}/refund"),
            &[
                ("key", "tally-refund-0001"),
                (field.as_str(), "1"),
                ("reason", "Customer changed mind"),
                ("restock", "yes"),
                ("refund_to", "original"),
            ],
        )
        .await
        .expect(303);
    m.post(&format!("/sales/{archived}/archive"), &[])
        .await
        .expect(303);

    let main = s.app.seed.main_branch;
    // (query, sales, sum): completed sales count their whole total, refunds or not.
    let expected: [(String, &str, &str); 5] = [
        // 897 + 598 + 299 (Cebu): the void counts as a sale, not as money.
        (String::new(), "4", "1,794.00"),
        (format!("&branch_id={main}"), "3", "1,495.00"),
        ("&status=completed".to_string(), "3", "1,794.00"),
        ("&status=cancelled".to_string(), "1", "0.00"),
        ("&archived=1".to_string(), "1", "299.00"),
    ];
    for (q, sales, sum) in &expected {
        list_totals(&m, q, sales, sum).await;
    }
    // `kept` is in every list above: a day's figures, not a sale's, moved.
    m.get(&format!("/sales/{kept}")).await.expect(200);

    // Counted again from the orders (a new time zone, or a database from before the
    // summaries held the cancelled sales and refunds): the same figures.
    diesel::delete(
        tillpoint::platform::schema::business_settings::table.filter(
            tillpoint::platform::schema::business_settings::key.eq("retail.stats_time_zone"),
        ),
    )
    .execute(&mut *s.app.conn())
    .unwrap();
    let clock = tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila);
    assert!(
        tillpoint::retail::sales::daily::keep_summaries(&mut s.app.conn(), &clock).unwrap() > 0
    );
    for (q, sales, sum) in &expected {
        list_totals(&m, q, sales, sum).await;
    }
}

/// The list's count and sum for `q`, from the summaries and counted sale by sale.
async fn list_totals(m: &Client, q: &str, sales: &str, sum: &str) {
    for slow in ["", "&payment_method=cash"] {
        let page = m.get(&format!("/sales?from=&to={q}{slow}")).await;
        page.expect(200)
            .expect_text(&format!("<strong>{sales}</strong> sale(s)"))
            .expect_text(sum);
    }
}
