use diesel::prelude::*;
use tillpoint::platform::schema::branches;

use crate::helpers::*;

fn branch_count(app: &TestApp) -> i64 {
    branches::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_manager_creates_edits_archives_and_restores_a_branch() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let r = m
        .post(
            "/branches",
            &[
                ("name", "Davao Branch"),
                ("code", "dvo"),
                ("address", "5 Roxas Ave"),
                ("phone", "+63 82 123 4567"),
            ],
        )
        .await;
    r.expect(303);
    let page = m.get("/branches").await;
    page.expect(200)
        .expect_text("Davao Branch")
        .expect_text("Branch Davao Branch was created.");
    let id: i64 = branches::table
        .filter(branches::code.eq("DVO"))
        .select(branches::id)
        .first(&mut *app.conn())
        .unwrap();
    let row = &app.audit_rows()[0];
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2),
        ("CREATE", "branch", Some(id))
    );
    assert!(
        row.4.contains("\"code\":{\"new\":\"DVO\",\"old\":null}"),
        "{}",
        row.4
    );
    assert_eq!(row.6, Some(app.id("manager")));

    m.get(&format!("/branches/{id}/edit"))
        .await
        .expect(200)
        .expect_text("value=\"Davao Branch\"");
    m.post(
        &format!("/branches/{id}"),
        &[
            ("name", "Davao City Branch"),
            ("code", "DVO"),
            ("address", "5 Roxas Ave"),
            ("phone", "+63 82 123 4567"),
        ],
    )
    .await
    .expect(303);
    let row = &app.audit_rows()[0];
    assert_eq!(row.0, "UPDATE");
    assert_eq!(
        row.4,
        r#"{"name":{"new":"Davao City Branch","old":"Davao Branch"}}"#
    );

    m.post(&format!("/branches/{id}/archive"), &[])
        .await
        .expect(303);
    assert!(!m
        .get("/branches")
        .await
        .body
        .contains("<td data-label=\"Name\">Davao City Branch</td>"));
    m.get("/branches?archived=1")
        .await
        .expect_text("Davao City Branch");
    assert_eq!(app.audit_rows()[0].0, "ARCHIVE");
    m.post(&format!("/branches/{id}/archive"), &[])
        .await
        .expect(409)
        .expect_text("already archived");
    m.post(&format!("/branches/{id}/restore"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_rows()[0].0, "RESTORE");
    m.get("/branches").await.expect_text("Davao City Branch");
}

#[actix_web::test]
async fn bad_branch_input_is_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let before = (branch_count(&app), app.audit_count());
    let long = "x".repeat(101);
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("name", ""), ("code", "AB")], 422, "Name is required."),
        (
            vec![("name", &long), ("code", "AB")],
            422,
            "at most 100 characters",
        ),
        (vec![("name", "X"), ("code", "")], 422, "Code is required"),
        (
            vec![("name", "X"), ("code", "A")],
            422,
            "2–6 letters or digits",
        ),
        (
            vec![("name", "X"), ("code", "TOOLONG")],
            422,
            "2–6 letters or digits",
        ),
        (
            vec![("name", "X"), ("code", "A B")],
            422,
            "2–6 letters or digits",
        ),
        (
            vec![("name", "X"), ("code", "CB"), ("phone", "call me maybe")],
            422,
            "phone number",
        ),
        (
            vec![("name", "Dupe"), ("code", "mnl")],
            409,
            "already uses the code MNL",
        ),
        (
            vec![("name", "Bad\u{7}bell"), ("code", "BL")],
            422,
            "control characters",
        ),
    ];
    for (fields, status, message) in cases {
        let r = m.post("/branches", &fields).await;
        assert_eq!(r.status, status, "{fields:?}");
        r.expect_text(message);
    }
    // The form keeps what was typed, and the refused input says so to assistive technology.
    m.post("/branches", &[("name", "Keep me"), ("code", "!")])
        .await
        .expect_text("<input name=\"name\" value=\"Keep me\" required maxlength=\"100\" autofocus>")
        .expect_text("<input name=\"code\" value=\"!\" required maxlength=\"6\" class=\"upper\" aria-invalid=\"true\" aria-describedby=\"code-error\">")
        .expect_field_error("code", "2–6 letters or digits");
    assert_eq!((branch_count(&app), app.audit_count()), before);
    m.get("/branches/999999/edit").await.expect(404);
    m.post("/branches/999999", &[("name", "X"), ("code", "XY")])
        .await
        .expect(404);
    m.post("/branches/abc/archive", &[]).await.expect(404);
}

#[actix_web::test]
async fn a_branch_with_active_staff_cannot_be_archived() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let r = m
        .post(&format!("/branches/{}/archive", app.seed.main_branch), &[])
        .await;
    r.expect(409).expect_text("active employee(s)");
    // An empty branch can.
    m.post(&format!("/branches/{}/archive", app.seed.cebu_branch), &[])
        .await
        .expect(303);
}

#[actix_web::test]
async fn names_are_escaped_on_the_page() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    m.post(
        "/branches",
        &[("name", "<script>alert(1)</script>"), ("code", "XSS")],
    )
    .await
    .expect(303);
    let page = m.get("/branches").await;
    page.expect_absent("<script>alert(1)</script>");
    page.expect_text("&#60;script&#62;alert(1)&#60;/script&#62;");
}

#[actix_web::test]
async fn the_branch_list_paginates() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    for i in 0..30 {
        m.post(
            "/branches",
            &[
                ("name", &format!("Branch {i:02}")),
                ("code", &format!("B{i:02}")),
            ],
        )
        .await
        .expect(303);
    }
    let first = m.get("/branches").await;
    first.expect_text("?page=2");
    let second = m.get("/branches?page=2").await;
    second.expect(200).expect_text("Page 2");
    m.get("/branches?page=zero").await.expect(400);
}
