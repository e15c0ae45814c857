use diesel::prelude::*;
use tillpoint::platform::schema::{employees, stored_images};

use crate::helpers::*;

#[actix_web::test]
async fn staff_update_their_own_contact_details() {
    let app = TestApp::new().await;
    let c = app.signed_in("waiter").await;
    c.post(
        "/profile",
        &[("email", "Lina@Example.com"), ("phone", "+63 917 000 1111")],
    )
    .await
    .expect(303);
    c.get("/profile")
        .await
        .expect_text("lina@example.com")
        .expect_text("Your contact details were saved.");
    let row = &app.audit_rows()[0];
    assert_eq!(row.0, "UPDATE");
    assert_eq!(
        row.4,
        r#"{"email":{"new":"lina@example.com","old":""},"phone":{"new":"+63 917 000 1111","old":""}}"#
    );
    let before = app.audit_count();
    c.post("/profile", &[("email", "nope"), ("phone", "")])
        .await
        .expect(422)
        .expect_text("e-mail address")
        .expect_text("value=\"nope\"");
    c.post("/profile", &[("email", "a@b.co"), ("phone", "phone!")])
        .await
        .expect(422)
        .expect_text("phone number");
    assert_eq!(app.audit_count(), before);
}

#[actix_web::test]
async fn the_current_password_is_required_to_change_it() {
    let app = TestApp::new().await;
    let c = app.signed_in("agent").await;
    let before = app.audit_count();
    c.post(
        "/profile/password",
        &[
            ("current_password", "not-it-at-all"),
            ("new_password", "another-pass"),
            ("confirm_password", "another-pass"),
        ],
    )
    .await
    .expect(422)
    .expect_text("current password is not right");
    c.post(
        "/profile/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "short"),
            ("confirm_password", "short"),
        ],
    )
    .await
    .expect(422)
    .expect_text("at least 8 characters");
    c.post(
        "/profile/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "another-pass"),
            ("confirm_password", "different-pass"),
        ],
    )
    .await
    .expect(422)
    .expect_text("not the same");
    c.post(
        "/profile/password",
        &[
            ("current_password", ""),
            ("new_password", "another-pass"),
            ("confirm_password", "another-pass"),
        ],
    )
    .await
    .expect(422);
    assert_eq!(app.audit_count(), before);
    app.client().login("agent", PASSWORD).await.expect(303);
}

#[actix_web::test]
async fn pictures_are_resized_and_re_encoded() {
    let app = TestApp::new().await;
    let c = app.signed_in("kitchen").await;
    c.upload("/profile/picture", "picture", "big.png", &png(1600, 800))
        .await
        .expect(303);
    let picture_id: Option<i64> = employees::table
        .find(app.id("kitchen"))
        .select(employees::picture_id)
        .first(&mut *app.conn())
        .unwrap();
    let (w, h, ct): (i32, i32, String) = stored_images::table
        .find(picture_id.unwrap())
        .select((
            stored_images::width,
            stored_images::height,
            stored_images::content_type,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!((w, h, ct.as_str()), (512, 256, "image/jpeg"));
    let served = c
        .get(&format!("/employees/{}/picture", app.id("kitchen")))
        .await;
    served.expect(200);
    assert_eq!(served.header("content-type"), "image/jpeg");
    let decoded = image::load_from_memory(&served.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (512, 256));
    let etag = served.header("etag").to_string();
    c.get_with(
        &format!("/employees/{}/picture", app.id("kitchen")),
        &[("if-none-match", &etag)],
    )
    .await
    .expect(304);
    assert_eq!(app.audit_rows()[0].0, "UPDATE");

    // A new picture replaces the old one: the old bytes do not stay behind.
    c.upload("/profile/picture", "picture", "second.png", &png(64, 64))
        .await
        .expect(303);
    let stored: i64 = stored_images::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 1);
    c.post("/profile/picture/remove", &[]).await.expect(303);
    let stored: i64 = stored_images::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 0);
    c.get(&format!("/employees/{}/picture", app.id("kitchen")))
        .await
        .expect(404);
}

#[actix_web::test]
async fn anything_but_a_picture_is_refused() {
    let app = TestApp::new().await;
    let c = app.signed_in("agent").await;
    let before = app.audit_count();
    c.upload(
        "/profile/picture",
        "picture",
        "notes.txt",
        b"just some text, not an image",
    )
    .await
    .expect(422)
    .expect_text("Only PNG, JPEG or WebP");
    c.upload(
        "/profile/picture",
        "picture",
        "fake.png",
        b"\x89PNG\r\n\x1a\n broken",
    )
    .await
    .expect(422)
    .expect_text("could not be read");
    c.upload(
        "/profile/picture",
        "picture",
        "anim.gif",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    )
    .await
    .expect(422);
    c.upload("/profile/picture", "other_field", "a.png", &png(10, 10))
        .await
        .expect(422)
        .expect_text("Choose a picture");
    let mut huge = png(10, 10);
    huge.resize(6 * 1024 * 1024, 0);
    c.upload("/profile/picture", "picture", "huge.png", &huge)
        .await
        .expect(413)
        .expect_text("larger than 5 MB");
    assert_eq!(app.audit_count(), before);
    let stored: i64 = stored_images::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, 0);
}
