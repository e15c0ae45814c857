use diesel::prelude::*;
use tillpoint::platform::schema::employees;

use crate::helpers::*;

fn count(app: &TestApp) -> i64 {
    employees::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

fn new_employee(branch: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Ana Cruz".into()),
        ("username", "ana.cruz".into()),
        ("role", "sales_agent".into()),
        ("branch_id", branch.into()),
        ("email", "ana@example.com".into()),
        ("phone", "+63 912 345 6789".into()),
        ("hire_date", "2026-02-01".into()),
        ("password", "first-password".into()),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[actix_web::test]
async fn a_manager_creates_an_employee_who_can_then_sign_in() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let fields = new_employee(&app.seed.main_branch.to_string());
    let r = m.post("/employees", &refs(&fields)).await;
    r.expect(303);
    let page = m.get(r.location()).await;
    page.expect(200)
        .expect_text("Ana Cruz")
        .expect_text("ana.cruz")
        .expect_text("Main Branch");
    let row = &app.audit_rows()[0];
    assert_eq!((row.0.as_str(), row.1.as_str()), ("CREATE", "employee"));
    assert!(row
        .4
        .contains("\"role\":{\"new\":\"sales_agent\",\"old\":null}"));
    assert!(
        !row.4.contains("first-password"),
        "passwords never reach the audit trail"
    );
    let c = app.client();
    c.login("Ana.Cruz", "first-password").await.expect(303);
    c.get("/profile").await.expect_text("Ana Cruz");
}

#[actix_web::test]
async fn bad_employee_input_is_refused_with_a_message_and_nothing_written() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let main = app.seed.main_branch.to_string();
    let before = (count(&app), app.audit_count());
    let long = "x".repeat(101);
    let cases: Vec<(&str, &str, u16, &str)> = vec![
        ("name", "", 422, "Name is required."),
        ("name", &long, 422, "at most 100 characters"),
        ("username", "", 422, "Username is required."),
        ("username", "a b", 422, "only letters, digits"),
        ("username", "ab", 422, "3–40 characters"),
        ("username", "AGENT", 409, "already taken"),
        ("role", "owner", 422, "Choose a role."),
        ("branch_id", "", 422, "works at a branch"),
        ("branch_id", "999999", 422, "does not exist"),
        ("branch_id", "-3", 422, "Choose a branch"),
        ("email", "not-an-email", 422, "e-mail address"),
        ("phone", "12", 422, "phone number"),
        ("hire_date", "31/12/2025", 422, "date such as"),
        ("hire_date", "1900-01-01", 422, "after 1950"),
        ("password", "short", 422, "at least 8 characters"),
    ];
    for (field, value, status, message) in cases {
        let mut fields = new_employee(&main);
        for f in fields.iter_mut() {
            if f.0 == field {
                f.1 = value.to_string();
            }
        }
        let r = m.post("/employees", &refs(&fields)).await;
        assert_eq!(
            r.status,
            status,
            "{field}={value:?}: {}",
            r.body.chars().take(200).collect::<String>()
        );
        r.expect_field_error(field, message);
        assert!(
            !r.body.contains("first-password"),
            "the password is never echoed back"
        );
    }
    assert_eq!((count(&app), app.audit_count()), before);
}

#[actix_web::test]
async fn an_archived_branch_cannot_receive_new_staff() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    m.post(&format!("/branches/{}/archive", app.seed.cebu_branch), &[])
        .await
        .expect(303);
    let fields = new_employee(&app.seed.cebu_branch.to_string());
    m.post("/employees", &refs(&fields))
        .await
        .expect(422)
        .expect_text("is archived");
}

#[actix_web::test]
async fn editing_records_each_changed_field() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let id = app.id("agent");
    m.get(&format!("/employees/{id}/edit"))
        .await
        .expect(200)
        .expect_text("value=\"agent\"");
    let cebu = app.seed.cebu_branch.to_string();
    let today = chrono::Utc::now().naive_utc().date().to_string();
    m.post(
        &format!("/employees/{id}"),
        &[
            ("name", "Agent Person"),
            ("username", "agent"),
            ("role", "waiter"),
            ("branch_id", &cebu),
            ("email", ""),
            ("phone", ""),
            ("hire_date", &today),
        ],
    )
    .await
    .expect(303);
    let row = &app.audit_rows()[0];
    assert_eq!(row.0, "UPDATE");
    assert_eq!(
        row.4,
        r#"{"branch":{"new":"Cebu Branch","old":"Main Branch"},"role":{"new":"waiter","old":"sales_agent"}}"#
    );
    // A duplicate username on edit goes next to the field.
    m.post(
        &format!("/employees/{id}"),
        &[
            ("name", "Agent Person"),
            ("username", "credit"),
            ("role", "waiter"),
            ("branch_id", &cebu),
            ("hire_date", &today),
        ],
    )
    .await
    .expect(409)
    .expect_text("already taken");
}

#[actix_web::test]
async fn a_manager_cannot_archive_themselves_or_the_last_manager() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let me = app.id("manager");
    m.post(&format!("/employees/{me}/archive"), &[])
        .await
        .expect(409)
        .expect_text("cannot archive yourself");
    let today = chrono::Utc::now().naive_utc().date().to_string();
    let demote = [
        ("name", "Manager Person"),
        ("username", "manager"),
        ("role", "waiter"),
        ("branch_id", ""),
        ("hire_date", today.as_str()),
    ];
    let main = app.seed.main_branch.to_string();
    let mut demote = demote.to_vec();
    demote[3] = ("branch_id", &main);
    m.post(&format!("/employees/{me}"), &demote)
        .await
        .expect(409)
        .expect_text("your own manager role");
    // A second manager; the first may archive them, but not the other way round once alone.
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    let boss2 = insert_employee(
        &mut app.conn(),
        "boss2",
        tillpoint::platform::auth::Role::Manager,
        None,
        &hash,
    );
    m.post(&format!("/employees/{boss2}/archive"), &[])
        .await
        .expect(303);
    assert!(!app.employee_flags(boss2).3);
    // Service rule, whoever calls it: the last active manager stays.
    let actor = tillpoint::platform::audit::Actor {
        employee_id: Some(boss2),
        ip: None,
    };
    let err = tillpoint::platform::db::write_tx(&mut app.conn(), |c| {
        tillpoint::staff::employees::model::set_active(c, &actor, me, false)
    })
    .unwrap_err();
    assert!(err.to_string().contains("last active manager"));
    assert!(app.employee_flags(me).3);
}

#[actix_web::test]
async fn archive_and_restore_are_audited_and_conditional() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let id = app.id("kitchen");
    m.post(&format!("/employees/{id}/archive"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_rows()[0].0, "ARCHIVE");
    m.post(&format!("/employees/{id}/archive"), &[])
        .await
        .expect(409);
    m.get("/employees?status=archived")
        .await
        .expect_text("Kitchen Person");
    m.get("/employees").await.expect_absent("Kitchen Person");
    m.post(&format!("/employees/{id}/restore"), &[])
        .await
        .expect(303);
    assert_eq!(app.audit_rows()[0].0, "RESTORE");
    app.client().login("kitchen", PASSWORD).await.expect(303);
}

#[actix_web::test]
async fn the_list_filters_and_the_export_follows_the_same_filters() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut app.conn(),
        "formula",
        tillpoint::platform::auth::Role::Waiter,
        Some(app.seed.cebu_branch),
        &hash,
    );
    diesel::update(employees::table.filter(employees::username.eq("formula")))
        .set((
            employees::name.eq("=HYPERLINK(\"http://x\")"),
            employees::phone.eq("+63 900 000 0000"),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let page = m.get("/employees?role=waiter").await;
    page.expect(200).expect_text("Waiter Person");
    page.expect_absent("Agent Person");
    let page = m.get("/employees?q=KITCH").await;
    page.expect_text("Kitchen Person");
    page.expect_absent("Waiter Person");
    m.get("/employees?q=100%25")
        .await
        .expect(200)
        .expect_text("No employees match");

    let csv = m
        .get(&format!(
            "/employees/export.csv?branch_id={}",
            app.seed.cebu_branch
        ))
        .await;
    csv.expect(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains(&format!(
        "employees-{}.csv",
        tillpoint::platform::clock::BusinessClock::new(chrono_tz::Asia::Manila).today()
    )));
    let text = csv.body.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("Employee Name,Branch,Role,Contact,Status,Joining Date"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(
        rows[0].starts_with("\"'=HYPERLINK"),
        "formulas are neutralised: {}",
        rows[0]
    );
    assert!(rows[0].contains("'+63 900 000 0000"));

    let all = m.get("/employees/export.csv").await;
    assert_eq!(
        all.body.trim_start_matches('\u{feff}').lines().count(),
        1 + 6
    );
    m.get("/employees?role=owner")
        .await
        .expect(400)
        .expect_text("no role");
    m.get("/employees/export.csv?status=deleted")
        .await
        .expect(400);
    m.get("/employees?branch_id=abc").await.expect(400);
}

#[actix_web::test]
async fn profile_pictures_are_private_to_managers_and_their_owner() {
    let app = TestApp::new().await;
    let agent = app.signed_in("agent").await;
    agent
        .upload("/profile/picture", "picture", "me.png", &png(40, 40))
        .await
        .expect(303);
    let mine = agent
        .get(&format!("/employees/{}/picture", app.id("agent")))
        .await;
    mine.expect(200);
    let waiter = app.signed_in("waiter").await;
    waiter
        .get(&format!("/employees/{}/picture", app.id("agent")))
        .await
        .expect(404);
    let m = app.signed_in("manager").await;
    m.get(&format!("/employees/{}/picture", app.id("agent")))
        .await
        .expect(200);
    m.get(&format!("/employees/{}", app.id("agent")))
        .await
        .expect_text(&format!("/employees/{}/picture", app.id("agent")));
}
