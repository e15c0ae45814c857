//! The menu managers keep.

use super::*;

#[actix_web::test]
async fn managers_keep_the_menu() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = app.signed_in("manager").await;
    m.get("/menu")
        .await
        .expect(200)
        .expect_text("Latte")
        .expect_text("Sold out");
    m.get("/menu?stock=out")
        .await
        .expect(200)
        .expect_text("Brownie");
    m.get("/menu?stock=maybe").await.expect(400);
    let coffee: i64 = menu_categories::table
        .filter(menu_categories::name.eq("Coffee"))
        .select(menu_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    let coffee = coffee.to_string();
    let before = count!(&app, menu_items::table);
    for (field, value) in [
        ("price", "-1"),
        ("price", "abc"),
        ("name", ""),
        ("calories", "-5"),
        ("allergens", "plutonium"),
        ("category_id", "99999"),
    ] {
        let mut fields = vec![
            ("name", "Flat White"),
            ("category_id", coffee.as_str()),
            ("price", "190"),
            ("in_stock", "on"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let r = m.post("/menu", &fields).await;
        assert!(r.status == 422, "{field}={value} → {}", r.status);
        // Each refusal sits beside its own input, the service's (no such category) too.
        r.expect_field_error(field, "");
    }
    assert_eq!(count!(&app, menu_items::table), before);
    let r = m
        .post(
            "/menu",
            &[
                ("name", "Flat White"),
                ("category_id", &coffee),
                ("price", "190.50"),
                ("allergens", "dairy"),
                ("allergens", "nuts"),
                ("calories", "150"),
                ("is_veg", "on"),
                ("in_stock", "on"),
                ("sort_order", "1"),
            ],
        )
        .await;
    r.expect(303);
    let (price, allergens, veg, stock): (i64, String, bool, bool) = menu_items::table
        .filter(menu_items::name.eq("Flat White"))
        .select((
            menu_items::price_minor,
            menu_items::allergens,
            menu_items::is_veg,
            menu_items::in_stock,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (price, allergens.as_str(), veg, stock),
        (19050, "dairy,nuts", true, true)
    );
    // Editing refuses bad values and keeps the item as it was.
    let latte = cafe.item("Latte");
    for (field, value) in [
        ("price", "-3"),
        ("name", ""),
        ("prep_minutes", "1000"),
        ("sort_order", "x"),
    ] {
        let mut fields = vec![
            ("name", "Latte"),
            ("category_id", coffee.as_str()),
            ("price", "180"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        m.post(&format!("/menu/{latte}"), &fields).await.expect(422);
    }
    let price: i64 = menu_items::table
        .find(latte)
        .select(menu_items::price_minor)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(price, 18000);
    m.post(
        "/menu/999999",
        &[("name", "X"), ("category_id", &coffee), ("price", "1")],
    )
    .await
    .expect(404);
    // A toggle writes one audit row per real change.
    let before = app.audit_count();
    m.post(
        &format!("/menu/{latte}/trending"),
        &[("back", "https://evil.example/")],
    )
    .await
    .expect(303);
    assert_eq!(app.audit_count(), before + 1);
    assert_eq!(
        app.audit_rows()[0].4,
        r#"{"trending":{"new":false,"old":true}}"#
    );

    // Archive: guests no longer see it; the kitchen cannot archive.
    let id = cafe.item("Burger");
    app.signed_in("kitchen")
        .await
        .post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(403);
    m.post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(303);
    m.post(&format!("/menu/{id}/archive"), &[])
        .await
        .expect(409);
    let page = app
        .client_from("192.0.2.70:1")
        .get(&format!("/t/{}", cafe.token(1)))
        .await;
    page.expect_absent("Burger");
    assert!(page.body.contains("Flat White"));
    // Categories: a used category cannot be archived.
    m.post(&format!("/menu/categories/{coffee}/archive"), &[])
        .await
        .expect(409);
    m.post("/menu/categories", &[("name", "Coffee")])
        .await
        .expect(409);
    m.post("/menu/categories", &[("name", "Breakfast")])
        .await
        .expect(303);
    m.get("/menu/categories").await.expect_text("Breakfast");
}
