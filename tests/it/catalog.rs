use diesel::prelude::*;
use tillpoint::platform::schema::{product_categories, products, suppliers};

use crate::helpers::*;

fn category_id(app: &TestApp, name: &str) -> i64 {
    product_categories::table
        .filter(product_categories::name.eq(name))
        .select(product_categories::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn product_count(app: &TestApp) -> i64 {
    products::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn phone_fields(category: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "iPhone 15 128GB".into()),
        ("barcode", "4006381333931".into()),
        ("sku", "IP15-128".into()),
        ("category_id", category.into()),
        ("supplier_id", "".into()),
        ("price", "54,990.00".into()),
        ("cost", "48000".into()),
        ("min_stock", "2".into()),
        ("serial_tracked", "on".into()),
        ("description", "Black".into()),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[actix_web::test]
async fn the_default_categories_exist_and_can_be_edited() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let page = m.get("/categories").await;
    for c in ["Laptop", "Android", "iPhone", "Printer", "Accessory"] {
        page.expect_text(&format!("value=\"{c}\""));
    }
    m.post("/categories", &[("name", "Tablet")])
        .await
        .expect(303);
    assert_eq!(app.audit_rows()[0].1, "product_category");
    m.post("/categories", &[("name", "Tablet")])
        .await
        .expect(409)
        .expect_text("already a category called Tablet");
    m.post("/categories", &[("name", "")]).await.expect(422);
    let tablet = category_id(&app, "Tablet");
    m.post(&format!("/categories/{tablet}"), &[("name", "Tablets")])
        .await
        .expect(303);
    assert_eq!(
        app.audit_rows()[0].4,
        r#"{"name":{"new":"Tablets","old":"Tablet"}}"#
    );
    m.post(&format!("/categories/{tablet}/archive"), &[])
        .await
        .expect(303);
    m.post(&format!("/categories/{tablet}/restore"), &[])
        .await
        .expect(303);
    // A category with active products stays.
    let fields = phone_fields(&category_id(&app, "iPhone").to_string());
    m.post("/products", &refs(&fields)).await.expect(303);
    m.post(
        &format!("/categories/{}/archive", category_id(&app, "iPhone")),
        &[],
    )
    .await
    .expect(409)
    .expect_text("active product(s)");
}

#[actix_web::test]
async fn suppliers_with_contracts() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let fields = [
        ("name", "Gadget Hub Inc."),
        ("contact_person", "Carlo Tan"),
        ("phone", "+63 2 8555 0101"),
        ("email", "sales@gadgethub.example"),
        ("contract_start", "2024-03-01"),
        ("contract_expiry", "2025-02-28"),
        ("status", "Active"),
    ];
    m.post("/suppliers", &fields).await.expect(303);
    // The contract has ended, so the list says Expired whatever was recorded.
    m.get("/suppliers")
        .await
        .expect_text("Gadget Hub Inc.")
        .expect_text("2024 – 2025")
        .expect_text(">Expired<");
    let id: i64 = suppliers::table
        .select(suppliers::id)
        .first(&mut *app.conn())
        .unwrap();
    let mut renewed = fields.to_vec();
    renewed[5] = ("contract_expiry", "2030-02-28");
    renewed[6] = ("status", "Renewed");
    m.post(&format!("/suppliers/{id}"), &renewed)
        .await
        .expect(303);
    m.get("/suppliers").await.expect_text(">Renewed<");
    let row = &app.audit_rows()[0];
    assert!(
        row.4
            .contains("\"status\":{\"new\":\"Renewed\",\"old\":\"Active\"}"),
        "{}",
        row.4
    );
    let before = app.audit_count();
    let mut bad = fields.to_vec();
    bad[5] = ("contract_expiry", "2020-01-01");
    m.post("/suppliers", &bad)
        .await
        .expect(422)
        .expect_text("cannot expire before it starts");
    bad[5] = ("contract_expiry", "soon");
    m.post("/suppliers", &bad)
        .await
        .expect(422)
        .expect_text("date such as");
    let mut bad = fields.to_vec();
    bad[6] = ("status", "Bribed");
    m.post("/suppliers", &bad)
        .await
        .expect(422)
        .expect_text("Choose a status");
    assert_eq!(app.audit_count(), before);
    m.post(&format!("/suppliers/{id}/archive"), &[])
        .await
        .expect(303);
    m.get("/suppliers?archived=1")
        .await
        .expect_text("Gadget Hub Inc.");
    m.post(&format!("/suppliers/{id}/restore"), &[])
        .await
        .expect(303);
}

#[actix_web::test]
async fn a_manager_adds_a_product_and_sales_agents_can_look_it_up() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let fields = phone_fields(&category_id(&app, "iPhone").to_string());
    let r = m.post("/products", &refs(&fields)).await;
    r.expect(303);
    m.get(r.location())
        .await
        .expect(200)
        .expect_text("value=\"54990.00\"")
        .expect_text("checked");
    let (price, cost, serial): (i64, i64, bool) = products::table
        .select((
            products::price_minor,
            products::cost_minor,
            products::serial_tracked,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((price, cost, serial), (5_499_000, 4_800_000, true));
    let row = &app.audit_rows()[0];
    assert_eq!((row.0.as_str(), row.1.as_str()), ("CREATE", "product"));
    assert!(row
        .4
        .contains("\"price\":{\"new\":\"54990.00\",\"old\":null}"));

    let agent = app.signed_in("agent").await;
    let list = agent.get("/products?q=IPHONE").await;
    list.expect(200)
        .expect_text("iPhone 15 128GB")
        .expect_text("54,990.00");
    assert!(
        !list.body.contains("48,000.00"),
        "sales agents do not see cost prices"
    );
    list.expect_absent("/products/new");
    agent
        .get("/products?q=4006381333931")
        .await
        .expect_text("iPhone 15 128GB");
    agent
        .get("/products?q=nothing-like-it")
        .await
        .expect_text("No products match");
    agent.post("/products", &refs(&fields)).await.expect(403);
}

#[actix_web::test]
async fn bad_product_input_is_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let iphone = category_id(&app, "iPhone").to_string();
    m.post("/products", &refs(&phone_fields(&iphone)))
        .await
        .expect(303);
    let before = (product_count(&app), app.audit_count());
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("name", "", 422, "Name is required"),
        ("barcode", "4006381333932", 422, "check digit is wrong"),
        ("barcode", "", 422, "Barcode is required"),
        ("barcode", "4006381333931", 409, "already has the barcode"),
        ("sku", "IP15-128", 409, "already has the SKU"),
        ("price", "-5", 422, "cannot be negative"),
        ("price", "12.345", 422, "at most two decimals"),
        ("price", "lots", 422, "amount such as"),
        ("cost", "", 422, "Cost price"),
        ("min_stock", "1.5", 422, "whole number"),
        ("category_id", "", 422, "Choose a category"),
        ("category_id", "999999", 422, "active category"),
        ("supplier_id", "999999", 422, "active supplier"),
        ("supplier_id", "x", 422, "supplier from the list"),
    ];
    for (field, value, status, message) in cases {
        let mut fields = phone_fields(&iphone);
        if field != "barcode" || value != "4006381333931" {
            fields.iter_mut().find(|f| f.0 == "barcode").unwrap().1 = "036000291452".into();
        }
        if field != "sku" {
            fields.iter_mut().find(|f| f.0 == "sku").unwrap().1 = "".into();
        }
        fields.iter_mut().find(|f| f.0 == field).unwrap().1 = value.into();
        let r = m.post("/products", &refs(&fields)).await;
        assert_eq!(
            r.status,
            status,
            "{field}={value:?}: {}",
            r.body.chars().take(200).collect::<String>()
        );
        r.expect_field_error(field, message);
    }
    assert_eq!((product_count(&app), app.audit_count()), before);
}

#[actix_web::test]
async fn archived_products_leave_the_list_and_come_back() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let fields = phone_fields(&category_id(&app, "iPhone").to_string());
    m.post("/products", &refs(&fields)).await.expect(303);
    let id: i64 = products::table
        .select(products::id)
        .first(&mut *app.conn())
        .unwrap();
    m.post(&format!("/products/{id}/archive"), &[])
        .await
        .expect(303);
    assert!(!m
        .get("/products")
        .await
        .body
        .contains("iPhone 15 128GB</a>"));
    m.get("/products?archived=1")
        .await
        .expect_text("iPhone 15 128GB");
    m.post(&format!("/products/{id}/archive"), &[])
        .await
        .expect(409);
    m.post(&format!("/products/{id}/restore"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_rows()[0].0, "RESTORE");
}

#[actix_web::test]
async fn product_images_are_re_encoded_and_served() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let fields = phone_fields(&category_id(&app, "iPhone").to_string());
    m.post("/products", &refs(&fields)).await.expect(303);
    let id: i64 = products::table
        .select(products::id)
        .first(&mut *app.conn())
        .unwrap();
    m.upload(
        &format!("/products/{id}/image"),
        "image",
        "phone.png",
        &png(900, 900),
    )
    .await
    .expect(303);
    let img = app
        .signed_in("waiter")
        .await
        .get(&format!("/products/{id}/image"))
        .await;
    img.expect(200);
    let decoded = image::load_from_memory(&img.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (512, 512));
    m.upload(
        &format!("/products/{id}/image"),
        "image",
        "x.txt",
        b"not an image",
    )
    .await
    .expect(422);
}

#[actix_web::test]
async fn catalogue_changes_to_missing_or_invalid_records_are_refused() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let before = app.audit_count();
    let laptop = category_id(&app, "Laptop");
    m.post(&format!("/categories/{laptop}"), &[("name", "")])
        .await
        .expect(422)
        .expect_text("Category name is required");
    m.post(
        &format!("/categories/{laptop}"),
        &[("name", &"x".repeat(61))],
    )
    .await
    .expect(422);
    m.post(&format!("/categories/{laptop}"), &[("name", "Android")])
        .await
        .expect(409)
        .expect_text("already a category called Android");
    m.post("/categories/999999", &[("name", "Ghost")])
        .await
        .expect(404);
    m.post("/categories/999999/archive", &[]).await.expect(404);
    m.post(
        "/suppliers/999999",
        &[
            ("name", "X"),
            ("contract_start", "2026-01-01"),
            ("contract_expiry", "2027-01-01"),
            ("status", "Active"),
        ],
    )
    .await
    .expect(404);
    m.post("/suppliers/999999/archive", &[]).await.expect(404);
    m.post("/products/999999/archive", &[]).await.expect(404);
    m.upload("/products/999999/image", "image", "a.png", &png(10, 10))
        .await
        .expect(404);
    m.post("/settings/retail", &[("vat_rate", "")])
        .await
        .expect(422);
    assert_eq!(app.audit_count(), before);
}
