//! Every form shows a refusal beside the field it is about — whether the rule was checked on
//! what was typed or by the database (a duplicate) — through the error's type, not its words.

use crate::helpers::*;

#[actix_web::test]
async fn every_form_marks_the_refused_field() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;

    // A code another branch uses: found by the unique index, shown beside the code.
    m.post("/branches", &[("name", "Dupe"), ("code", "mnl")])
        .await
        .expect(409)
        .expect_field_error("code", "already uses the code MNL");

    // A supplier whose contract ends before it starts.
    let supplier = [
        ("name", "Gadget Hub Inc."),
        ("contact_person", "Carlo Tan"),
        ("phone", "+63 2 8555 0101"),
        ("email", "sales@gadgethub.example"),
        ("contract_start", "2024-03-01"),
        ("contract_expiry", "2020-01-01"),
        ("status", "Active"),
    ];
    m.post("/suppliers", &supplier)
        .await
        .expect(422)
        .expect_field_error("contract_expiry", "cannot expire before it starts");
    let mut bad_status = supplier;
    bad_status[5] = ("contract_expiry", "2030-01-01");
    bad_status[6] = ("status", "Maybe");
    m.post("/suppliers", &bad_status)
        .await
        .expect(422)
        .expect_field_error("status", "Choose a status");

    // A category name that exists already, in another case.
    m.post("/categories", &[("name", "Cables")])
        .await
        .expect(303);
    m.post("/categories", &[("name", "cables")])
        .await
        .expect_field_error("name", "already");

    // The profile's e-mail and password.
    m.post("/profile", &[("email", "nope"), ("phone", "")])
        .await
        .expect(422)
        .expect_field_error("email", "e-mail");
    m.post(
        "/profile/password",
        &[
            ("current_password", "not my password"),
            ("new_password", "a much longer passphrase 42"),
            ("confirm_password", "a much longer passphrase 42"),
        ],
    )
    .await
    .expect_field_error("current_password", "not right");

    // Stock: writing off more than is on hand is a refusal about the quantity.
    let p = insert_product(
        &mut app.conn(),
        "Forms Test Cable",
        "4806512340001",
        29_900,
        false,
    );
    let main = app.seed.main_branch.to_string();
    m.post(
        &format!("/products/{p}/stock"),
        &[
            ("branch_id", &main),
            ("kind", "damage"),
            ("quantity", "5"),
            ("reason", "Dropped"),
        ],
    )
    .await
    .expect(409)
    .expect_field_error("quantity", "");
}
