//! Warranty: claims found by OR number or serial, within their windows from the sale date,
//! one open claim per unit, a status flow that only moves forward, and replacements that take
//! a unit out of stock and leave the faulty one in defective stock.

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::schema::{
    branch_stock, defective_stock, order_items, orders, product_serials, stock_movements,
    warranty_claims,
};

use crate::helpers::*;

const PHONE: &str = "4806512345695";
const CABLE: &str = "4806512345671";

struct Shop {
    app: TestApp,
    phone: i64,
    item: i64,
    order: i64,
}

/// A sold iPhone (IMEI-1) with IMEI-2 and IMEI-3 still in stock, and a cable.
async fn sold() -> Shop {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 5, &[]);
    app.receive(
        app.seed.main_branch,
        phone,
        3,
        &["IMEI-1", "IMEI-2", "IMEI-3"],
    );
    let agent = app.signed_in("agent").await;
    let r = agent
        .post_json(
            "/pos/checkout/cash",
            &json!({"idempotency_key": "warranty-sale-1", "cash_received": "60000",
                    "lines": [{"barcode": PHONE, "serials": ["IMEI-1"]}, {"barcode": CABLE}],
                    "customer": {"name": "Ana Reyes", "phone": "09171234567", "email": "", "address": ""}}),
        )
        .await;
    r.expect(201);
    let order = r.json()["order_id"].as_i64().unwrap();
    let item: i64 = order_items::table
        .filter(order_items::order_id.eq(order))
        .filter(order_items::product_id.eq(phone))
        .select(order_items::id)
        .first(&mut *app.conn())
        .unwrap();
    Shop {
        app,
        phone,
        item,
        order,
    }
}

fn sold_days_ago(s: &Shop, days: i64) {
    let at = chrono::Utc::now().naive_utc() - chrono::Duration::days(days);
    diesel::update(orders::table.find(s.order))
        .set(orders::created_at.eq(at))
        .execute(&mut *s.app.conn())
        .unwrap();
}

async fn file(c: &Client, s: &Shop, kind: &str, serial: &str) -> Resp {
    let item = s.item.to_string();
    c.post(
        "/warranty",
        &[
            ("order_item_id", &item),
            ("claim_type", kind),
            ("faulty_serial", serial),
            ("issue", "Screen flickers"),
        ],
    )
    .await
}

fn status_of(s: &Shop, id: i64) -> String {
    warranty_claims::table
        .find(id)
        .select(warranty_claims::status)
        .first(&mut *s.app.conn())
        .unwrap()
}

fn last_claim(s: &Shop) -> i64 {
    warranty_claims::table
        .select(warranty_claims::id)
        .order(warranty_claims::id.desc())
        .first(&mut *s.app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_claim_is_found_by_or_number_or_serial_and_filed_once() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    agent
        .get("/warranty/new?find=mnl-000001")
        .await
        .expect(200)
        .expect_text("iPhone 15")
        .expect_text("S/N IMEI-1");
    // Found by its serial, the unit is picked and its serial filled in.
    let item = s.item.to_string();
    agent
        .get("/warranty/new?find=IMEI-1")
        .await
        .expect(200)
        .expect_text("MNL-000001")
        .expect_text("<input name=\"faulty_serial\" value=\"IMEI-1\"")
        .expect_text(&format!("value=\"{item}\" checked"));
    agent
        .get("/warranty/new?find=0917%20123%204567")
        .await
        .expect(200)
        .expect_text("Ana Reyes");
    // The serial must be the one sold on that line.
    file(&agent, &s, "repair", "IMEI-2")
        .await
        .expect(422)
        .expect_field_error("faulty_serial", "was not sold on this line");
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    assert_eq!(status_of(&s, id), "pending");
    // One open claim per unit.
    file(&agent, &s, "replacement", "IMEI-1")
        .await
        .expect(409)
        .expect_text("already has an open claim");
    let n: i64 = warranty_claims::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 1);
}

#[actix_web::test]
async fn windows_are_counted_from_the_sale_date() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    sold_days_ago(&s, 8);
    file(&agent, &s, "replacement", "IMEI-1")
        .await
        .expect(409)
        .expect_field_error(
            "claim_type",
            "Item is 8 days old; replacements are accepted up to 7 days.",
        );
    sold_days_ago(&s, 7);
    file(&agent, &s, "replacement", "IMEI-1").await.expect(303);
    // Released, the unit may be claimed again, within the window.
    let s2 = sold().await;
    let agent2 = s2.app.signed_in("agent").await;
    sold_days_ago(&s2, 31);
    file(&agent2, &s2, "repair", "IMEI-1")
        .await
        .expect(409)
        .expect_text("Item is 31 days old; repairs are accepted up to 30 days.");
    sold_days_ago(&s2, 30);
    file(&agent2, &s2, "repair", "IMEI-1").await.expect(303);
}

#[actix_web::test]
async fn the_status_only_moves_one_step_forward_and_a_repair_costs_the_default() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let url = format!("/warranty/{id}/advance");
    agent.post(&url, &[("to", "in_progress")]).await.expect(403);
    let m = s.app.signed_in("manager").await;
    m.post(&url, &[("to", "completed")])
        .await
        .expect(409)
        .expect_text("can only move to In progress");
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    m.post(&url, &[("to", "in_progress")]).await.expect(409);
    m.post(&url, &[("to", "pending")]).await.expect(409);
    // Without an address the customer gets no e-mail; with one, the next status is written.
    use tillpoint::platform::schema::{customers, mail_outbox};
    let mails = |s: &Shop| -> Vec<(String, String)> {
        mail_outbox::table
            .select((mail_outbox::dedupe_key, mail_outbox::text_body))
            .load(&mut *s.app.conn())
            .unwrap()
    };
    assert!(mails(&s).iter().all(|(k, _)| !k.starts_with("warranty:")));
    diesel::update(customers::table)
        .set(customers::email.eq("ana@example.com"))
        .execute(&mut *s.app.conn())
        .unwrap();
    m.post(&url, &[("to", "completed")]).await.expect(303);
    let sent = mails(&s);
    let (key, text) = sent
        .iter()
        .find(|(k, _)| k.starts_with("warranty:"))
        .expect("a status e-mail");
    assert_eq!(key, &format!("warranty:{id}:completed"));
    assert!(text.contains("bring your receipt"), "{text}");
    let (cost, resolved): (i64, Option<chrono::NaiveDateTime>) = warranty_claims::table
        .find(id)
        .select((
            warranty_claims::cost_impact_minor,
            warranty_claims::resolved_at,
        ))
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(cost, 150_000);
    assert!(resolved.is_some());
    m.post(&url, &[("to", "released")]).await.expect(303);
    assert_eq!(status_of(&s, id), "released");
    m.get(&format!("/warranty/{id}"))
        .await
        .expect(200)
        .expect_text("Released");
    // Released: the unit may be claimed again (within the window).
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
}

#[actix_web::test]
async fn a_replacement_takes_a_unit_from_stock_and_keeps_the_faulty_one_aside() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    file(&agent, &s, "replacement", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let m = s.app.signed_in("manager").await;
    let url = format!("/warranty/{id}/advance");
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    // A serial that is not in stock here is refused, and nothing moves.
    m.post(&url, &[("to", "completed"), ("new_serial", "IMEI-1")])
        .await
        .expect(409)
        .expect_text("not in stock");
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        2
    );
    m.post(&url, &[("to", "completed"), ("new_serial", "IMEI-2")])
        .await
        .expect(303);
    assert_eq!(
        stock_of(&mut s.app.conn(), s.app.seed.main_branch, s.phone),
        1
    );
    let serial = |sn: &str| -> String {
        product_serials::table
            .filter(product_serials::serial.eq(sn))
            .select(product_serials::status)
            .first(&mut *s.app.conn())
            .unwrap()
    };
    assert_eq!(serial("IMEI-2"), "sold");
    assert_eq!(serial("IMEI-1"), "damaged");
    let (cost, new): (i64, Option<String>) = warranty_claims::table
        .find(id)
        .select((
            warranty_claims::cost_impact_minor,
            warranty_claims::replacement_serial,
        ))
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(new.as_deref(), Some("IMEI-2"));
    assert!(cost > 0, "the unit's cost at sale");
    let defective: Vec<(String, String)> = defective_stock::table
        .select((defective_stock::faulty_serial, defective_stock::status))
        .load(&mut *s.app.conn())
        .unwrap();
    assert_eq!(defective, vec![("IMEI-1".to_string(), "held".to_string())]);
    let ledger: (String, i64, i64) = stock_movements::table
        .order(stock_movements::id.desc())
        .select((
            stock_movements::kind,
            stock_movements::quantity_change,
            stock_movements::quantity_after,
        ))
        .first(&mut *s.app.conn())
        .unwrap();
    assert_eq!(ledger, ("warranty".to_string(), -1, 1));
    // The defective unit is disposed of once.
    let d: i64 = defective_stock::table
        .select(defective_stock::id)
        .first(&mut *s.app.conn())
        .unwrap();
    m.get("/defective").await.expect(200).expect_text("IMEI-1");
    m.post(
        &format!("/defective/{d}/resolve"),
        &[("to", "returned"), ("note", "RMA 42")],
    )
    .await
    .expect(303);
    m.post(
        &format!("/defective/{d}/resolve"),
        &[("to", "disposed"), ("note", "")],
    )
    .await
    .expect(409);
    agent.get("/defective").await.expect(403);
}

#[actix_web::test]
async fn a_replacement_without_stock_is_refused() {
    let s = sold().await;
    diesel::update(branch_stock::table.filter(branch_stock::product_id.eq(s.phone)))
        .set(branch_stock::quantity.eq(0i64))
        .execute(&mut *s.app.conn())
        .unwrap();
    let agent = s.app.signed_in("agent").await;
    file(&agent, &s, "replacement", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let m = s.app.signed_in("manager").await;
    let url = format!("/warranty/{id}/advance");
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    m.post(&url, &[("to", "completed"), ("new_serial", "IMEI-2")])
        .await
        .expect(409)
        .expect_text("out of stock");
    assert_eq!(status_of(&s, id), "in_progress");
    let n: i64 = defective_stock::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 0);
}

#[actix_web::test]
async fn a_voided_sale_has_no_warranty() {
    let s = sold().await;
    let m = s.app.signed_in("manager").await;
    m.post(
        &format!("/sales/{}/void", s.order),
        &[("reason", "Customer changed mind")],
    )
    .await
    .expect(303);
    file(&m, &s, "repair", "IMEI-1")
        .await
        .expect(409)
        .expect_text("no warranty");
}

#[actix_web::test]
async fn the_claims_list_filters_totals_and_exports() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let m = s.app.signed_in("manager").await;
    let url = format!("/warranty/{id}/advance");
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    m.post(&url, &[("to", "completed"), ("repair_cost", "900")])
        .await
        .expect(303);
    m.get("/warranty?status=completed")
        .await
        .expect(200)
        .expect_text("1</strong> claim(s)")
        .expect_text("liability <strong>PHP 900.00");
    m.get("/warranty?status=pending")
        .await
        .expect(200)
        .expect_text("0</strong> claim(s)");
    m.get("/warranty?q=imei-1")
        .await
        .expect(200)
        .expect_text("1</strong> claim(s)");
    m.get("/warranty?q=ana")
        .await
        .expect(200)
        .expect_text("1</strong> claim(s)");
    m.get("/warranty?status=done").await.expect(400);
    let csv = m.get("/warranty/export.csv?claim_type=repair").await;
    csv.expect(200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(
        lines[1].contains("Ana Reyes,iPhone 15,Repair,Completed"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with("IMEI-1,900.00"), "{}", lines[1]);
}

#[actix_web::test]
async fn the_manager_sets_the_windows_and_the_repair_cost() {
    let s = sold().await;
    let m = s.app.signed_in("manager").await;
    let form = |rep: &'static str, days: &'static str, cost: &'static str| {
        vec![
            ("vat_rate", "12"),
            ("prices_include_vat", "on"),
            ("installment_terms", "3, 6, 12"),
            ("installment_rate", "3"),
            ("replacement_days", rep),
            ("repair_days", days),
            ("repair_cost", cost),
        ]
    };
    m.post("/settings/retail", &form("seven", "30", "1500"))
        .await
        .expect(422)
        .expect_field_error("replacement_days", "whole days");
    m.post("/settings/retail", &form("7", "30", "-1"))
        .await
        .expect(422)
        .expect_field_error("repair_cost", "repair cost");
    m.post("/settings/retail", &form("3", "30", "750"))
        .await
        .expect(303);
    sold_days_ago(&s, 4);
    let agent = s.app.signed_in("agent").await;
    file(&agent, &s, "replacement", "IMEI-1")
        .await
        .expect(409)
        .expect_text("Item is 4 days old; replacements are accepted up to 3 days.");
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let url = format!("/warranty/{id}/advance");
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    m.get(&format!("/warranty/{id}"))
        .await
        .expect(200)
        .expect_text("value=\"750.00\"");
}

#[actix_web::test]
async fn bad_claim_input_is_refused_and_nothing_is_written() {
    let s = sold().await;
    let agent = s.app.signed_in("agent").await;
    let item = s.item.to_string();
    let long = "x".repeat(1001);
    let before = s.app.audit_count();
    for (fields, field) in [
        (
            vec![("claim_type", "repair"), ("issue", "Broken")],
            "order_item_id",
        ),
        (
            vec![
                ("order_item_id", "abc"),
                ("claim_type", "repair"),
                ("issue", "Broken"),
            ],
            "order_item_id",
        ),
        (
            vec![
                ("order_item_id", item.as_str()),
                ("claim_type", "refund"),
                ("issue", "Broken"),
            ],
            "claim_type",
        ),
        (
            vec![
                ("order_item_id", item.as_str()),
                ("claim_type", "repair"),
                ("issue", ""),
            ],
            "issue",
        ),
        (
            vec![
                ("order_item_id", item.as_str()),
                ("claim_type", "repair"),
                ("issue", long.as_str()),
            ],
            "issue",
        ),
        (
            vec![
                ("order_item_id", item.as_str()),
                ("claim_type", "repair"),
                ("issue", "\u{200b}\u{200b}"),
            ],
            "issue",
        ),
    ] {
        agent
            .post("/warranty", &fields)
            .await
            .expect(422)
            .expect_field_error(field, "");
    }
    // An item that does not exist, and one of another branch.
    agent
        .post(
            "/warranty",
            &[
                ("order_item_id", "999999"),
                ("claim_type", "repair"),
                ("issue", "Broken"),
            ],
        )
        .await
        .expect(404);
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    insert_employee(
        &mut s.app.conn(),
        "cebuagent",
        tillpoint::platform::auth::Role::SalesAgent,
        Some(s.app.seed.cebu_branch),
        &hash,
    );
    let cebu = s.app.signed_in("cebuagent").await;
    file(&cebu, &s, "repair", "IMEI-1").await.expect(403);
    // Signing in writes its own audit row; no claim row was written.
    let _ = before;
    let n: i64 = warranty_claims::table
        .count()
        .get_result(&mut *s.app.conn())
        .unwrap();
    assert_eq!(n, 0);

    // Moving a claim on: only the statuses of the list, amounts that are amounts.
    file(&agent, &s, "repair", "IMEI-1").await.expect(303);
    let id = last_claim(&s);
    let m = s.app.signed_in("manager").await;
    let url = format!("/warranty/{id}/advance");
    m.post(&url, &[("to", "done")]).await.expect(422);
    m.post(&url, &[("to", "")]).await.expect(422);
    m.post(&url, &[("to", "in_progress")]).await.expect(303);
    for cost in ["-5", "1e3", "lots", "12.345"] {
        m.post(&url, &[("to", "completed"), ("repair_cost", cost)])
            .await
            .expect(422);
    }
    let serial = "S".repeat(65);
    m.post(&url, &[("to", "completed"), ("new_serial", &serial)])
        .await
        .expect(422);
    assert_eq!(status_of(&s, id), "in_progress");
    m.post("/warranty/999999/advance", &[("to", "in_progress")])
        .await
        .expect(404);
    m.post("/defective/999999/resolve", &[("to", "disposed")])
        .await
        .expect(404);
    m.post("/defective/1/resolve", &[("to", "burnt")])
        .await
        .expect(422);
}
