//! `/api/menu/`: the public menu, its filters and pages, and changes by role.

use super::*;

#[actix_web::test]
async fn anyone_reads_the_menu_with_the_cafe_systems_filters() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let anon = Api::anonymous(&app);
    let r = anon.get("/api/menu/").await;
    r.expect(200);
    let page = r.json();
    assert_eq!(page["count"], 4);
    assert!(page["next"].is_null() && page["previous"].is_null());
    let latte = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Latte")
        .unwrap()
        .clone();
    assert_eq!(latte["id"], cafe.item("Latte"));
    assert_eq!(latte["price"], 180);
    assert_eq!(latte["category"], "Coffee");
    assert_eq!(latte["is_available"], true);
    assert_eq!(latte["trending"], true);
    assert_eq!(latte["allergens"], "Dairy");
    let names = |r: &Resp| -> Vec<String> {
        r.json()["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&anon.get("/api/menu/?category=trending").await),
        ["Latte"]
    );
    assert_eq!(
        names(&anon.get("/api/menu/?category=coffee").await),
        ["Latte"]
    );
    assert_eq!(
        names(&anon.get("/api/menu/?is_veg=false").await),
        ["Burger"]
    );
    assert_eq!(
        names(&anon.get("/api/menu/?in_stock=False").await),
        ["Brownie"]
    );
    assert_eq!(
        names(&anon.get("/api/menu/?price__gte=180&ordering=-price").await),
        ["Burger", "Brownie", "Latte"]
    );
    assert_eq!(names(&anon.get("/api/menu/?search=FRI").await), ["Fries"]);
    assert_eq!(
        names(&anon.get("/api/menu/?ordering=name").await),
        ["Brownie", "Burger", "Fries", "Latte"]
    );
    // Filters that cannot be read are refused, not ignored (the old system returned all).
    for bad in [
        "is_veg=maybe",
        "ordering=secret",
        "price__gte=-5",
        "price__lte=abc",
        "branch=x",
    ] {
        let r = anon.get(&format!("/api/menu/?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json().is_object(), "{bad}");
    }
    // Pages past the end.
    let r = anon.get("/api/menu/?page=2").await;
    r.expect(404);
    assert_eq!(detail(&r), "Invalid page.");
    anon.get("/api/menu/?page=0").await.expect(404);
    // One item; an unknown one.
    let r = anon
        .get(&format!("/api/menu/{}/", cafe.item("Fries")))
        .await;
    r.expect(200);
    assert_eq!(r.json()["name"], "Fries");
    anon.get("/api/menu/999999/").await.expect(404);
}

#[actix_web::test]
async fn pages_of_twenty_link_to_each_other() {
    let app = TestApp::new().await;
    setup(&app);
    let m = Api::signed_in(&app, "manager").await;
    for n in 0..21 {
        m.post(
            "/api/menu/",
            json!({"name": format!("Tea {n:02}"), "price": 50, "category": "coffee"}),
        )
        .await
        .expect(201);
    }
    let anon = Api::anonymous(&app);
    let first = anon.get("/api/menu/?search=tea").await.json();
    assert_eq!(first["count"], 21);
    assert_eq!(first["results"].as_array().unwrap().len(), 20);
    let next = first["next"].as_str().unwrap();
    assert!(next.starts_with("http") && next.ends_with("/api/menu/?search=tea&page=2"));
    let path = &next[next.find("/api/").unwrap()..];
    let second = anon.get(path).await.json();
    assert_eq!(second["results"].as_array().unwrap().len(), 1);
    assert!(second["next"].is_null());
    assert!(second["previous"]
        .as_str()
        .unwrap()
        .ends_with("/api/menu/?search=tea"));
}

#[actix_web::test]
async fn managers_change_the_menu_kitchen_86s_it() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let m = Api::signed_in(&app, "manager").await;
    let k = Api::signed_in(&app, "kitchen").await;
    let w = Api::signed_in(&app, "waiter").await;
    let anon = Api::anonymous(&app);
    let body = json!({"name": "Flat white", "price": "190.50", "category": "Coffee",
                      "allergens": "dairy,nuts", "calories": 150});
    // Roles.
    let r = anon.post("/api/menu/", body.clone()).await;
    r.expect(401);
    w.post("/api/menu/", body.clone()).await.expect(403);
    k.post("/api/menu/", body.clone()).await.expect(403);
    // Bad input: field errors, nothing written.
    let before = menu_count(&app);
    for (field, value) in [
        ("price", json!(-1)),
        ("price", json!("abc")),
        ("price", json!(1.234)),
        ("name", json!("")),
        ("name", json!("\u{200b}")),
        ("calories", json!(-5)),
        ("allergens", json!("plutonium")),
        ("category", json!("Nope")),
        ("category_id", json!(999_999)),
    ] {
        let mut b = body.clone();
        b[field] = value.clone();
        let r = m.post("/api/menu/", b).await;
        assert_eq!(r.status, 400, "{field}={value}: {}", r.body);
        assert!(r.json().is_object());
    }
    let r = m.post("/api/menu/", json!({"price": 5})).await;
    r.expect(400);
    assert!(r.json()["name"].is_array(), "{}", r.body);
    assert_eq!(menu_count(&app), before);
    // Created, with the cents kept.
    let r = m.post("/api/menu/", body.clone()).await;
    r.expect(201);
    let made = r.json();
    assert_eq!(made["price"], 190.5);
    assert_eq!(made["allergen_codes"], "dairy,nuts");
    let id = made["id"].as_i64().unwrap();
    let (price,): (i64,) = menu_items::table
        .find(id)
        .select((menu_items::price_minor,))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(price, 19050);
    // PATCH changes what it names; PUT needs the whole item.
    let r = m
        .call(
            "PATCH",
            &format!("/api/menu/{id}/"),
            Some(json!({"price": 200})),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["price"], 200);
    assert_eq!(r.json()["name"], "Flat white");
    let r = m
        .call(
            "PUT",
            &format!("/api/menu/{id}/"),
            Some(json!({"name": "X"})),
        )
        .await;
    r.expect(400);
    assert!(r.json()["price"].is_array());
    w.call(
        "PATCH",
        &format!("/api/menu/{id}/"),
        Some(json!({"price": 1})),
    )
    .await
    .expect(403);
    // The kitchen 86s; a waiter may not; trending is the manager's.
    let brownie = cafe.item("Brownie");
    let r = k
        .call("POST", &format!("/api/menu/{brownie}/toggle_stock/"), None)
        .await;
    r.expect(200);
    assert_eq!(r.json()["in_stock"], true);
    w.call("POST", &format!("/api/menu/{brownie}/toggle_stock/"), None)
        .await
        .expect(403);
    k.call(
        "POST",
        &format!("/api/menu/{brownie}/toggle_trending/"),
        None,
    )
    .await
    .expect(403);
    let r = m
        .call(
            "POST",
            &format!("/api/menu/{brownie}/toggle_trending/"),
            None,
        )
        .await;
    assert_eq!(r.json()["trending"], true);
    // The HTML menu shows what the API changed.
    let page = app.signed_in("manager").await;
    page.get("/menu")
        .await
        .expect(200)
        .expect_text("Flat white");
    // DELETE archives: gone from the public menu, kept for the sales that name it.
    m.call("DELETE", &format!("/api/menu/{id}/"), None)
        .await
        .expect(204);
    anon.get(&format!("/api/menu/{id}/")).await.expect(404);
    m.call("DELETE", &format!("/api/menu/{id}/"), None)
        .await
        .expect(404);
    assert_eq!(menu_count(&app), before + 1);
}
