//! The role matrix: every registered route × every role → the expected outcome. A route added
//! to the app without a row here fails `the_matrix_covers_every_route`.

use tillpoint::app::route_specs;
use tillpoint::platform::auth::{Access, Reply, Role};

use crate::helpers::*;

/// Who may use a route: "public", "staff" (any signed-in role) or a list of roles.
enum Who {
    Public,
    Staff,
    Only(&'static [&'static str]),
}

const M: Who = Who::Only(&["manager"]);
const SELLERS: Who = Who::Only(&["manager", "sales_agent"]);
const FLOOR: Who = Who::Only(&["manager", "waiter"]);
const KITCHEN: Who = Who::Only(&["manager", "kitchen"]);
const CREDIT: Who = Who::Only(&["manager", "credit_officer"]);
const INSTALMENTS: Who = Who::Only(&["manager", "sales_agent", "credit_officer"]);
const CASHIERS: Who = Who::Only(&["manager", "sales_agent", "waiter"]);

fn matrix() -> Vec<(&'static str, &'static str, Who)> {
    vec![
        ("GET", "/healthz", Who::Public),
        ("GET", "/static/{path:.*}", Who::Public),
        ("GET", "/sw.js", Who::Public),
        ("GET", "/audit", M),
        ("GET", "/audit/export.csv", M),
        ("GET", "/", Who::Public),
        ("GET", "/login", Who::Public),
        ("POST", "/login", Who::Public),
        ("POST", "/logout", Who::Staff),
        ("GET", "/profile", Who::Staff),
        ("POST", "/profile", Who::Staff),
        ("POST", "/profile/password", Who::Staff),
        ("POST", "/profile/picture", Who::Staff),
        ("POST", "/profile/picture/remove", Who::Staff),
        ("GET", "/branches", M),
        ("POST", "/branches", M),
        ("GET", "/branches/new", M),
        ("POST", "/branches/{id:\\d+}", M),
        ("GET", "/branches/{id:\\d+}/edit", M),
        ("POST", "/branches/{id:\\d+}/archive", M),
        ("POST", "/branches/{id:\\d+}/restore", M),
        ("GET", "/employees", M),
        ("POST", "/employees", M),
        ("GET", "/employees/new", M),
        ("GET", "/employees/export.csv", M),
        ("GET", "/employees/{id:\\d+}", M),
        ("POST", "/employees/{id:\\d+}", M),
        ("GET", "/employees/{id:\\d+}/edit", M),
        ("POST", "/employees/{id:\\d+}/password", M),
        ("POST", "/employees/{id:\\d+}/archive", M),
        ("POST", "/employees/{id:\\d+}/restore", M),
        ("GET", "/employees/{id:\\d+}/picture", Who::Staff),
        ("GET", "/categories", M),
        ("POST", "/categories", M),
        ("POST", "/categories/{id:\\d+}", M),
        ("POST", "/categories/{id:\\d+}/archive", M),
        ("POST", "/categories/{id:\\d+}/restore", M),
        ("GET", "/suppliers", M),
        ("POST", "/suppliers", M),
        ("GET", "/suppliers/new", M),
        ("POST", "/suppliers/{id:\\d+}", M),
        ("GET", "/suppliers/{id:\\d+}/edit", M),
        ("POST", "/suppliers/{id:\\d+}/archive", M),
        ("POST", "/suppliers/{id:\\d+}/restore", M),
        ("GET", "/products", SELLERS),
        ("POST", "/products", M),
        ("GET", "/products/new", M),
        ("POST", "/products/{id:\\d+}", M),
        ("GET", "/products/{id:\\d+}/edit", M),
        ("POST", "/products/{id:\\d+}/archive", M),
        ("POST", "/products/{id:\\d+}/restore", M),
        ("POST", "/products/{id:\\d+}/image", M),
        ("GET", "/products/{id:\\d+}/image", Who::Staff),
        ("GET", "/inventory", SELLERS),
        ("GET", "/imports", M),
        ("POST", "/imports/preview", M),
        ("GET", "/imports/{id:\\d+}", M),
        ("POST", "/imports/{id:\\d+}/apply", M),
        ("GET", "/imports/templates/{kind}", M),
        ("GET", "/products/export.csv", M),
        ("GET", "/products/labels", SELLERS),
        ("GET", "/products/prices", M),
        ("POST", "/products/prices", M),
        ("GET", "/menu/export.csv", M),
        ("GET", "/customers/export.csv", M),
        ("GET", "/inventory/export.csv", SELLERS),
        ("GET", "/products/{id:\\d+}/stock", M),
        ("POST", "/products/{id:\\d+}/stock", M),
        ("GET", "/pos", SELLERS),
        ("GET", "/pos/scan", SELLERS),
        ("GET", "/pos/search", SELLERS),
        ("GET", "/pos/customers", SELLERS),
        ("POST", "/pos/checkout", SELLERS),
        ("POST", "/pos/checkout/cash", SELLERS),
        ("POST", "/pos/checkout/installment", SELLERS),
        ("GET", "/pos/catalogue", SELLERS),
        ("POST", "/pos/offline/block", SELLERS),
        ("POST", "/pos/sync", SELLERS),
        ("GET", "/pos/exceptions", M),
        ("POST", "/pos/exceptions/{id:\\d+}/accept", M),
        ("POST", "/pos/exceptions/{id:\\d+}/refund", M),
        ("GET", "/registers", M),
        ("POST", "/registers", M),
        ("GET", "/registers/{id:\\d+}", M),
        ("POST", "/registers/{id:\\d+}", M),
        ("POST", "/registers/{id:\\d+}/archive", M),
        ("POST", "/registers/{id:\\d+}/restore", M),
        ("GET", "/shifts", CASHIERS),
        ("POST", "/shifts/open", CASHIERS),
        ("GET", "/shifts/day", M),
        ("GET", "/shifts/export.csv", CASHIERS),
        ("GET", "/shifts/{id:\\d+}", CASHIERS),
        ("POST", "/shifts/{id:\\d+}/cash", CASHIERS),
        ("POST", "/shifts/{id:\\d+}/close", CASHIERS),
        ("GET", "/shifts/{id:\\d+}/z-report", CASHIERS),
        ("GET", "/warranty", SELLERS),
        ("POST", "/warranty", SELLERS),
        ("GET", "/warranty/new", SELLERS),
        ("GET", "/warranty/export.csv", SELLERS),
        ("GET", "/warranty/{id:\\d+}", SELLERS),
        ("POST", "/warranty/{id:\\d+}/advance", M),
        ("GET", "/defective", M),
        ("POST", "/defective/{id:\\d+}/resolve", M),
        ("GET", "/installments", INSTALMENTS),
        ("GET", "/installments/export.csv", INSTALMENTS),
        ("GET", "/installments/calculator", INSTALMENTS),
        ("GET", "/installments/{id:\\d+}", INSTALMENTS),
        ("POST", "/installments/{id:\\d+}/approve", CREDIT),
        ("POST", "/installments/{id:\\d+}/reject", CREDIT),
        ("POST", "/installments/{id:\\d+}/payments", CREDIT),
        (
            "GET",
            "/installments/payments/{id:\\d+}/receipt",
            INSTALMENTS,
        ),
        ("GET", "/sales/{id:\\d+}/receipt", SELLERS),
        ("POST", "/sales/{id:\\d+}/receipt/printed", SELLERS),
        ("GET", "/sales", SELLERS),
        ("GET", "/sales/export.csv", SELLERS),
        ("GET", "/sales/{id:\\d+}", SELLERS),
        ("POST", "/sales/{id:\\d+}/void", M),
        ("GET", "/refunds", SELLERS),
        ("GET", "/sales/{id:\\d+}/refund", SELLERS),
        ("POST", "/sales/{id:\\d+}/refund", SELLERS),
        ("GET", "/credit-notes/{id:\\d+}", SELLERS),
        ("GET", "/transfers", M),
        ("POST", "/transfers", M),
        ("GET", "/transfers/{id:\\d+}", M),
        ("POST", "/transfers/{id:\\d+}/send", M),
        ("POST", "/transfers/{id:\\d+}/receive", M),
        ("POST", "/transfers/{id:\\d+}/cancel", M),
        ("GET", "/purchases", M),
        ("POST", "/purchases", M),
        ("GET", "/purchases/export.csv", M),
        ("GET", "/purchases/{id:\\d+}", M),
        ("POST", "/purchases/{id:\\d+}/receive", M),
        ("POST", "/purchases/{id:\\d+}/cancel", M),
        ("POST", "/sales/{id:\\d+}/archive", M),
        ("POST", "/sales/{id:\\d+}/restore", M),
        ("GET", "/metrics", M),
        ("GET", "/settings/monitoring", M),
        ("POST", "/settings/monitoring/token", M),
        ("POST", "/settings/monitoring/revoke", M),
        ("GET", "/settings/retail", M),
        ("POST", "/settings/retail", M),
        ("GET", "/t/{token}", Who::Public),
        ("POST", "/t/{token}/order", Who::Public),
        ("POST", "/t/{token}/reorder", Who::Public),
        ("POST", "/t/{token}/name", Who::Public),
        ("POST", "/t/{token}/call", Who::Public),
        ("POST", "/t/{token}/feedback", Who::Public),
        ("GET", "/t/{token}/status", Who::Public),
        ("GET", "/t/{token}/events", Who::Public),
        ("GET", "/menu/{id:\\d+}/image", Who::Public),
        ("GET", "/kitchen/expo", KITCHEN),
        ("GET", "/kitchen/stations", M),
        ("POST", "/kitchen/stations", M),
        ("POST", "/kitchen/stations/{id:\\d+}", M),
        ("POST", "/kitchen/stations/{id:\\d+}/archive", M),
        ("POST", "/kitchen/stations/{id:\\d+}/restore", M),
        ("GET", "/kitchen", KITCHEN),
        ("GET", "/kitchen/tickets", KITCHEN),
        ("GET", "/kitchen/events", KITCHEN),
        ("POST", "/kitchen/tickets/complete", KITCHEN),
        ("POST", "/kitchen/tickets/{id:\\d+}/start", KITCHEN),
        ("POST", "/kitchen/tickets/{id:\\d+}/done", KITCHEN),
        ("POST", "/kitchen/tickets/{id:\\d+}/recall", KITCHEN),
        ("POST", "/kitchen/tickets/{id:\\d+}/priority", KITCHEN),
        ("POST", "/t/{token}/discount", Who::Public),
        ("POST", "/discounts/validate", Who::Public),
        ("GET", "/discounts", M),
        ("POST", "/discounts", M),
        ("GET", "/discounts/{id:\\d+}/edit", M),
        ("POST", "/discounts/{id:\\d+}", M),
        ("POST", "/discounts/{id:\\d+}/archive", M),
        ("POST", "/discounts/{id:\\d+}/restore", M),
        ("POST", "/floor/sessions/{id:\\d+}/discount", FLOOR),
        (
            "POST",
            "/duty",
            Who::Only(&["manager", "kitchen", "waiter"]),
        ),
        ("GET", "/feedback", M),
        ("GET", "/cafe/stats", M),
        ("GET", "/dashboard", M),
        ("GET", "/reports", M),
        ("GET", "/reports/{part}.csv", M),
        ("GET", "/mail", M),
        ("POST", "/mail/{id:\\d+}/retry", M),
        ("GET", "/cafe/stats/{report}.csv", M),
        ("GET", "/reserve", Who::Public),
        ("POST", "/reserve", Who::Public),
        ("GET", "/reservations", FLOOR),
        ("POST", "/reservations", FLOOR),
        ("GET", "/reservations/new", FLOOR),
        ("GET", "/reservations/{id:\\d+}/edit", FLOOR),
        ("POST", "/reservations/{id:\\d+}", FLOOR),
        ("POST", "/reservations/{id:\\d+}/{action}", FLOOR),
        ("GET", "/floor", FLOOR),
        ("GET", "/cafe/bills", FLOOR),
        ("GET", "/cafe/bills/{id:\\d+}", FLOOR),
        ("POST", "/cafe/bills/{id:\\d+}/refund", FLOOR),
        ("GET", "/cafe/credit-notes/{id:\\d+}", FLOOR),
        ("POST", "/floor/takeaway", FLOOR),
        ("POST", "/floor/tables/{id:\\d+}/open", FLOOR),
        ("POST", "/floor/tables/{id:\\d+}/status", FLOOR),
        ("GET", "/floor/sessions/{id:\\d+}", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/lines", FLOOR),
        (
            "POST",
            "/floor/sessions/{id:\\d+}/lines/{line:\\d+}/remove",
            FLOOR,
        ),
        ("GET", "/floor/sessions/{id:\\d+}/bill", FLOOR),
        ("GET", "/floor/events", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/printed", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/close", FLOOR),
        ("GET", "/floor/sessions/{id:\\d+}/split", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/split", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/fire", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/move", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/merge", FLOOR),
        ("POST", "/floor/sessions/{id:\\d+}/reopen", M),
        ("POST", "/floor/sessions/{id:\\d+}/acknowledge", FLOOR),
        ("GET", "/menu", KITCHEN),
        ("POST", "/menu", M),
        ("GET", "/menu/new", M),
        ("POST", "/menu/{id:\\d+}", M),
        ("GET", "/menu/{id:\\d+}/edit", M),
        ("POST", "/menu/{id:\\d+}/stock", KITCHEN),
        ("POST", "/menu/{id:\\d+}/trending", M),
        ("POST", "/menu/{id:\\d+}/archive", M),
        ("POST", "/menu/{id:\\d+}/restore", M),
        ("POST", "/menu/{id:\\d+}/image", M),
        ("GET", "/menu/modifier-groups", KITCHEN),
        ("POST", "/menu/modifier-groups", M),
        ("POST", "/menu/modifier-groups/{id:\\d+}", M),
        ("POST", "/menu/modifier-groups/{id:\\d+}/archive", M),
        ("POST", "/menu/modifier-groups/{id:\\d+}/restore", M),
        ("POST", "/menu/modifier-groups/{id:\\d+}/options", M),
        ("POST", "/menu/modifier-options/{id:\\d+}", M),
        ("POST", "/menu/modifier-options/{id:\\d+}/stock", KITCHEN),
        ("POST", "/menu/modifier-options/{id:\\d+}/archive", M),
        ("POST", "/menu/modifier-options/{id:\\d+}/restore", M),
        ("POST", "/menu/{id:\\d+}/modifier-groups", M),
        ("GET", "/menu/categories", M),
        ("POST", "/menu/categories", M),
        ("POST", "/menu/categories/{id:\\d+}", M),
        ("POST", "/menu/categories/{id:\\d+}/archive", M),
        ("POST", "/menu/categories/{id:\\d+}/restore", M),
        ("GET", "/tables", M),
        ("POST", "/tables", M),
        ("GET", "/tables/new", M),
        ("GET", "/tables/qr-sheet", M),
        ("POST", "/tables/{id:\\d+}", M),
        ("GET", "/tables/{id:\\d+}/edit", M),
        ("POST", "/tables/{id:\\d+}/token", M),
        ("POST", "/tables/{id:\\d+}/archive", M),
        ("POST", "/tables/{id:\\d+}/restore", M),
        ("GET", "/tables/{id:\\d+}/qr.png", M),
        ("GET", "/tables/{id:\\d+}/qr.svg", M),
        ("GET", "/settings/cafe", M),
        ("POST", "/settings/cafe", M),
        ("POST", "/settings/cafe/payment-qr", M),
        ("GET", "/cafe/payment-qr", FLOOR),
    ]
}

fn allows(who: &Who, role: Role) -> bool {
    match who {
        Who::Public | Who::Staff => true,
        Who::Only(roles) => roles.contains(&role.as_str()),
    }
}

#[::core::prelude::v1::test]
fn the_matrix_covers_every_route() {
    // The JSON API has its own matrix (`api::roles`), called with tokens.
    let specs: Vec<_> = route_specs()
        .into_iter()
        .filter(|s| s.reply != Reply::Api)
        .collect();
    let matrix = matrix();
    for spec in &specs {
        let row = matrix
            .iter()
            .find(|(m, p, _)| *m == spec.method.as_str() && *p == spec.path)
            .unwrap_or_else(|| {
                panic!(
                    "{} {} has no row in the role matrix",
                    spec.method, spec.path
                )
            });
        let agrees = match (&row.2, spec.access) {
            (Who::Public, Access::Public) | (Who::Staff, Access::Staff) => true,
            // Managers by session (and a scraper by the monitoring token, `tests::monitoring`).
            (Who::Only(roles), Access::Monitoring) => *roles == ["manager"],
            (Who::Only(roles), Access::Roles(allowed)) => {
                roles.len() == allowed.len() && allowed.iter().all(|r| roles.contains(&r.as_str()))
            }
            _ => false,
        };
        assert!(
            agrees,
            "{} {}: the route table and the matrix disagree",
            spec.method, spec.path
        );
    }
    assert_eq!(
        specs.len(),
        matrix.len(),
        "the matrix lists routes the app does not have"
    );
}

fn replies_json(method: &str, path: &str) -> bool {
    route_specs()
        .iter()
        .any(|s| s.method.as_str() == method && s.path == path && s.reply == Reply::Json)
}

async fn call(c: &Client, method: &str, url: &str) -> Resp {
    if method == "GET" {
        c.get(url).await
    } else {
        c.post(url, &[]).await
    }
}

fn concrete(path: &str) -> String {
    // Ids that do not exist: a permitted role gets 404/422, never a change.
    path.replace("{id:\\d+}", "999999")
        .replace("{line:\\d+}", "999999")
        .replace("{token}", "00000000000000000000000000000000")
        .replace("{path:.*}", "css/app.css")
}

#[actix_web::test]
async fn every_route_answers_each_role_as_the_matrix_says() {
    let app = TestApp::new().await;
    let anonymous = app.client();
    let mut clients = Vec::new();
    for (username, role) in STAFF {
        clients.push((role, app.signed_in(username).await));
    }
    for (method, path, who) in matrix() {
        if path == "/logout" {
            continue; // checked below, it ends the session
        }
        let url = concrete(path);
        let r = call(&anonymous, method, &url).await;
        match who {
            Who::Public => assert!(
                r.status < 500 && r.status != 403,
                "anonymous {method} {path} → {}",
                r.status
            ),
            _ if replies_json(method, path) => {
                // JSON routes (the till's API) answer 401 instead of redirecting.
                assert_eq!(r.status, 401, "anonymous {method} {path}");
                assert!(
                    r.json()["error"].is_string(),
                    "{method} {path} answers JSON"
                );
            }
            _ => {
                assert_eq!(r.status, 303, "anonymous {method} {path}");
                assert!(
                    r.location().starts_with("/login"),
                    "anonymous {method} {path} → {}",
                    r.location()
                );
            }
        }
        for (role, c) in &clients {
            if allows(&who, *role) && path.ends_with("/events") {
                continue; // a live stream never ends; the cafe tests read it
            }
            let r = call(c, method, &url).await;
            if allows(&who, *role) {
                assert!(
                    r.status != 403 && r.status < 500,
                    "{role:?} {method} {path} → {}: {}",
                    r.status,
                    r.body.chars().take(300).collect::<String>()
                );
                assert!(
                    !r.location().starts_with("/login"),
                    "{role:?} {method} {path} was sent to sign in"
                );
            } else {
                assert_eq!(r.status, 403, "{role:?} {method} {path} should be refused");
                r.expect_text("Your role does not have access to this page.");
            }
        }
    }
    for (role, c) in &clients {
        let r = c.post("/logout", &[]).await;
        assert_eq!(r.status, 303, "{role:?} sign out");
        assert!(
            !app.employee_flags(app.id(STAFF.iter().find(|s| s.1 == *role).unwrap().0))
                .0
        );
    }
}

#[actix_web::test]
async fn navigation_shows_each_role_only_what_it_may_use() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await.get("/profile").await;
    for link in ["/employees", "/branches", "/audit", "/profile"] {
        m.expect_text(&format!("href=\"{link}\""));
    }
    for (username, role) in STAFF {
        if role == Role::Manager {
            continue;
        }
        let page = app.signed_in(username).await.get("/profile").await;
        for link in [
            "href=\"/employees\"",
            "href=\"/branches\"",
            "href=\"/audit\"",
        ] {
            page.expect_absent(link);
        }
    }
}

#[actix_web::test]
async fn json_clients_get_json_refusals() {
    let app = TestApp::new().await;
    let anonymous = app.client();
    let r = anonymous
        .get_with("/employees", &[("accept", "application/json")])
        .await;
    r.expect(401);
    assert!(r.json()["error"].is_string());
    let agent = app.signed_in("agent").await;
    let r = agent
        .get_with("/employees", &[("accept", "application/json")])
        .await;
    r.expect(403);
    assert_eq!(
        r.json()["error"],
        "Your role does not have access to this page."
    );
}

/// The running router, probed: every address of the matrix answers exactly the methods the
/// matrix lists for it (the rest are 405 with `Allow`), so the matrix describes the router the
/// server really runs — and the guard refuses whatever the route table does not list.
#[actix_web::test]
async fn the_running_router_answers_exactly_the_matrix() {
    let app = TestApp::new().await;
    let m = app.signed_in("manager").await;
    let matrix = matrix();
    let mut patterns: Vec<&str> = matrix.iter().map(|r| r.1).collect();
    patterns.dedup();
    for path in patterns {
        if path == "/logout" || path.ends_with("/events") {
            continue;
        }
        let listed: Vec<&str> = matrix.iter().filter(|r| r.1 == path).map(|r| r.0).collect();
        let url = concrete(path);
        for method in ["PUT", "DELETE", "PATCH"] {
            let r = m.send_method(method, &url).await;
            assert_eq!(r.status, 405, "{method} {path}");
            let allow = r.header("allow").to_string();
            for l in &listed {
                assert!(allow.contains(l), "{path}: Allow {allow} lacks {l}");
            }
        }
        for method in ["GET", "POST"] {
            let r = if method == "GET" {
                m.get(&url).await
            } else {
                m.send_method("POST", &url).await
            };
            if listed.contains(&method) {
                assert_ne!(r.status, 405, "{method} {path} is routed");
                assert!(
                    !r.body.contains("There is nothing at this address"),
                    "{method} {path} reaches a handler"
                );
            } else {
                assert_eq!(r.status, 405, "{method} {path} is not routed");
            }
        }
    }
}

/// Each role on a real record of its own branch and of the other: the own one answers, the
/// other is refused (403, or 404 where saying it exists would tell too much), and nothing
/// changes.
#[actix_web::test]
async fn roles_reach_their_own_branchs_records_and_not_the_others() {
    use diesel::prelude::*;
    use tillpoint::platform::schema::kitchen_tickets;
    let app = TestApp::new().await;
    let cafe = crate::cafe::setup(&app);
    let hash = tillpoint::platform::auth::password::hash(PASSWORD, 4).unwrap();
    for (username, role) in [
        ("cebuagent", Role::SalesAgent),
        ("cebuwaiter", Role::Waiter),
        ("cebucook", Role::Kitchen),
    ] {
        insert_employee(
            &mut app.conn(),
            username,
            role,
            Some(app.seed.cebu_branch),
            &hash,
        );
    }
    // A sale and a bill with a ticket, all at Main.
    let cable = insert_product(
        &mut app.conn(),
        "USB-C Cable",
        "4806512345671",
        29_900,
        false,
    );
    app.receive(app.seed.main_branch, cable, 5, &[]);
    let agent = app.signed_in("agent").await;
    let sale = agent
        .post_json(
            "/pos/checkout/cash",
            &serde_json::json!({"idempotency_key": "roles-own-branch-1", "cash_received": "1000",
                                "lines": [{"barcode": "4806512345671", "quantity": 1}]}),
        )
        .await;
    sale.expect(201);
    let order = sale.json()["order_id"].as_i64().unwrap();
    let g = crate::cafe::guest(&app, &cafe, 1, "192.0.2.150:5000").await;
    crate::cafe::order(&g, &cafe, 1, &[("Latte", "1")])
        .await
        .expect(303);
    let session = crate::cafe::open_session(&app, cafe.tables[0].0);
    let ticket: i64 = kitchen_tickets::table
        .select(kitchen_tickets::id)
        .first(&mut *app.conn())
        .unwrap();

    let cebu_agent = app.signed_in("cebuagent").await;
    for path in [format!("/sales/{order}"), format!("/sales/{order}/receipt")] {
        agent.get(&path).await.expect(200);
        cebu_agent.get(&path).await.expect(404);
    }
    let waiter = app.signed_in("waiter").await;
    let cebu_waiter = app.signed_in("cebuwaiter").await;
    for path in [
        format!("/floor/sessions/{session}"),
        format!("/floor/sessions/{session}/bill"),
    ] {
        waiter.get(&path).await.expect(200);
        cebu_waiter.get(&path).await.expect(403);
    }
    let cook = app.signed_in("kitchen").await;
    let cebu_cook = app.signed_in("cebucook").await;
    let before = app.audit_count();
    cebu_waiter
        .post(&format!("/floor/sessions/{session}/acknowledge"), &[])
        .await
        .expect(403);
    cebu_waiter
        .post(
            &format!("/floor/sessions/{session}/close"),
            &[("payment_method", "cash")],
        )
        .await
        .expect(403);
    cebu_cook
        .post(&format!("/kitchen/tickets/{ticket}/start"), &[])
        .await
        .expect(403);
    assert_eq!(app.audit_count(), before, "the refusals changed nothing");
    cook.post(&format!("/kitchen/tickets/{ticket}/start"), &[])
        .await
        .expect(303);
}
