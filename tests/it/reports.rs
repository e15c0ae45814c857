//! The reports page: every figure of a range against hand-computed sums (a sale at 23:30
//! Manila on yesterday's business day, a void, retail and cafe mixed), top products read from
//! whole months and loose days alike and after the summaries are counted again, the branch and
//! range filters, bad filters, the role guard and the CSV downloads.

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use tillpoint::platform::clock::BusinessClock;
use tillpoint::platform::schema::{employees, orders};

use crate::helpers::*;

/// The text of the element with `id` (its first `>` to the next `<`).
fn by_id(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = start + rest[start..].find('<').unwrap();
    rest[start..end].trim().to_string()
}

/// The rows of a `<table id=…>` as the words of their cells.
fn table(page: &str, id: &str) -> Vec<Vec<String>> {
    let at = page
        .find(&format!("<table id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let body = &page[at..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let inner = &inner[..inner.find("</td>").unwrap_or(inner.len())];
                    // The words without tags.
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in inner.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.split_whitespace().collect::<Vec<_>>().join(" ")
                })
                .collect()
        })
        .collect()
}

#[actix_web::test]
async fn a_report_sums_retail_and_cafe_once_by_business_day() {
    let app = TestApp::new().await;
    let (cable, _phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 20, &[]);
    let agent_id = app.seed.ids["agent"];
    diesel::update(employees::table.find(agent_id))
        .set(employees::commission_rate_bp.eq(500))
        .execute(&mut *app.conn())
        .unwrap();
    let agent = app.signed_in("agent").await;
    let manager = app.signed_in("manager").await;
    let a = sell_cables(&agent, "report-000000001", 1).await; // 299.00
    let b = sell_cables(&agent, "report-000000002", 2).await; // 598.00
    let c = sell_cables(&agent, "report-000000003", 3).await; // 897.00, voided below
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let today = clock.today();
    let yesterday = today - Duration::days(1);
    // A at 23:30 yesterday (Manila) = 15:30 UTC: yesterday's business day.
    let late = clock.local_to_utc(yesterday.and_hms_opt(23, 30, 0).unwrap());
    diesel::update(orders::table.find(a))
        .set(orders::created_at.eq(late))
        .execute(&mut *app.conn())
        .unwrap();
    let recount = || {
        let mut conn = app.conn();
        diesel::sql_query("DELETE FROM business_settings WHERE key = 'retail.stats_time_zone'")
            .execute(&mut *conn)
            .unwrap();
        tillpoint::retail::sales::daily::keep_summaries(&mut conn, &clock).unwrap();
    };
    recount();
    manager
        .post(&format!("/sales/{c}/void"), &[("reason", "Wrong item")])
        .await
        .expect(303);
    let items = crate::cafe::setup(&app);
    crate::cafe::stats::bill_at(
        &app,
        &[(items.item("Latte"), 2)],
        BusinessClock::now_utc(),
        today,
    ); // 378.00: Latte 180.00 × 2 + 5 % tax

    // The VAT and cost of the two sales that stand, as the checkout wrote them.
    let (vat, cost): (i64, i64) = {
        let mut conn = app.conn();
        let vat: Vec<i64> = orders::table
            .filter(orders::id.eq_any([a, b]))
            .select(orders::vat_minor)
            .load(&mut *conn)
            .unwrap();
        (vat.iter().sum(), 3 * 29_900 * 8 / 10)
    };
    let money = |minor: i64| {
        let s = format!("{}.{:02}", minor / 100, minor % 100);
        let (int, frac) = s.split_once('.').unwrap();
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("PHP {grouped}.{frac}")
    };

    let page = manager.get("/reports").await;
    page.expect(200);
    let body = &page.body;
    // A 299.00 + B 598.00 + the cafe's 378.00; C was voided.
    assert_eq!(by_id(body, "gross"), "PHP 1,275.00");
    assert_eq!(by_id(body, "transactions"), "3");
    // VAT: the two receipts' VAT and the cafe's 18.00 tax.
    assert_eq!(by_id(body, "vat"), money(vat + 1_800));
    assert_eq!(by_id(body, "net"), money(127_500 - vat - 1_800));
    assert_eq!(by_id(body, "cost"), money(cost));
    assert_eq!(by_id(body, "profit"), money(127_500 - vat - 1_800 - cost));
    // 1,275.00 / 3 = 425.00.
    assert_eq!(by_id(body, "average"), "PHP 425.00");
    assert_eq!(by_id(body, "receivables"), "PHP 0.00");
    // Payment methods: retail cash 897.00 and the cafe's cash 378.00 are one "Cash".
    assert_eq!(
        table(body, "payments-table"),
        vec![vec!["Cash".to_string(), "PHP 1,275.00".to_string()]]
    );
    // The agent: two sales that stand, 5 % commission on 897.00 = 44.85.
    let sellers = table(body, "employees-table");
    let agent_row = sellers
        .iter()
        .find(|r| r[1] == "2")
        .unwrap_or_else(|| panic!("{sellers:?}"));
    assert_eq!(agent_row[2], "PHP 897.00");
    assert_eq!(agent_row[3], "PHP 44.85");
    // Top products: the cable (3 units, 897.00) over the Latte (2, 360.00) both ways.
    let units = table(body, "top-units");
    assert!(units[0][1].starts_with("USB-C Cable"), "{units:?}");
    assert_eq!(units[0][2], "3");
    assert!(units[1][1].starts_with("Latte"), "{units:?}");
    assert_eq!(units[1][2], "2");
    let revenue = table(body, "top-revenue");
    assert_eq!(revenue[0][3], "PHP 897.00");
    assert_eq!(revenue[1][3], "PHP 360.00");
    // Recent transactions: the bill and the three sales, the void among them.
    let recent = table(body, "recent-table");
    assert_eq!(recent.len(), 4, "{recent:?}");
    assert!(recent.iter().any(|r| r[6] == "Voided"));
    // Charts: drawn on the server, named.
    assert!(body.matches("<svg class=\"chart").count() >= 6);
    assert!(body.contains("aria-label=\"Top products by units\""));

    // Yesterday alone: only A.
    let page = manager
        .get(&format!("/reports?from={yesterday}&to={yesterday}"))
        .await;
    page.expect(200);
    assert_eq!(by_id(&page.body, "gross"), "PHP 299.00");
    assert_eq!(by_id(&page.body, "transactions"), "1");
    // Another branch: nothing.
    let page = manager
        .get(&format!("/reports?branch_id={}", app.seed.cebu_branch))
        .await;
    page.expect(200);
    assert_eq!(by_id(&page.body, "gross"), "PHP 0.00");

    // A range of whole months and loose days reads the same, before and after the summaries
    // are counted again from the orders.
    let wide = format!(
        "/reports?from={}&to={today}",
        NaiveDate::from_ymd_opt(today.year() - 1, 1, 15).unwrap()
    );
    for _ in 0..2 {
        let page = manager.get(&wide).await;
        page.expect(200);
        let units = table(&page.body, "top-units");
        assert_eq!(units[0][2], "3", "{units:?}");
        assert_eq!(by_id(&page.body, "gross"), "PHP 1,275.00");
        recount();
    }

    // CSV of each chart, with the filters.
    let csv = manager.get("/reports/products.csv").await;
    csv.expect(200);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body.contains("By units,1,USB-C Cable,Retail,3,897.00"),
        "{}",
        csv.body
    );
    let csv = manager
        .get(&format!(
            "/reports/revenue.csv?from={yesterday}&to={today}&by=day"
        ))
        .await;
    csv.expect(200);
    assert!(
        csv.body
            .contains(&format!("{yesterday},299.00,0.00,299.00")),
        "{}",
        csv.body
    );
    for part in ["payments", "branches", "employees"] {
        manager
            .get(&format!("/reports/{part}.csv"))
            .await
            .expect(200);
    }
    manager.get("/reports/passwords.csv").await.expect(404);
}

#[actix_web::test]
async fn bad_report_filters_are_refused_with_their_reason() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    for (query, says) in [
        ("from=yesterday", "From must be a date"),
        ("from=2026-02-01&to=2026-01-01", "starts after it ends"),
        ("from=2020-01-01&to=2026-01-01", "at most 1096 days"),
        ("by=year", "Group by day, week or month"),
        ("page=0", "does not exist"),
        ("page=999", "go back 250 pages"),
        ("branch_id=abc", "branch filter"),
        ("to=2026-13-01", "To must be a date"),
    ] {
        let r = manager.get(&format!("/reports?{query}")).await;
        r.expect(400);
        assert!(r.body.contains(says), "{query}: {}", r.body);
        if !query.starts_with("page") {
            manager
                .get(&format!("/reports/revenue.csv?{query}"))
                .await
                .expect(400);
        }
    }
    // Not for sales agents, waiters or kitchen staff.
    for who in ["agent", "credit", "waiter", "kitchen"] {
        let c = app.signed_in(who).await;
        c.get("/reports").await.expect(403);
        c.get("/reports/products.csv").await.expect(403);
    }
}

/// Top products are the same whether a range is summed from its own days or read as the
/// sales so far less the days outside it (the page picks whichever reads fewer rows).
#[actix_web::test]
async fn top_products_agree_inside_and_outside_the_range() {
    let app = TestApp::new().await;
    let (cable, _phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 20, &[]);
    // A charger sold only yesterday: ranked from its total so far, never adjusted.
    let charger = insert_product(&mut app.conn(), "Wall Charger", "CHG-0001", 20_000, false);
    app.receive(app.seed.main_branch, charger, 20, &[]);
    let agent = app.signed_in("agent").await;
    let manager = app.signed_in("manager").await;
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let today = clock.today();
    let day = |n: i64| today - Duration::days(n);
    // 4 cables three days ago, 1 yesterday, 2 today.
    for (key, quantity, ago) in [
        ("spread-00000001", 4, 3),
        ("spread-00000002", 1, 1),
        ("spread-00000003", 2, 0),
    ] {
        let id = sell_cables(&agent, key, quantity).await;
        let at = clock.local_to_utc(day(ago).and_hms_opt(12, 0, 0).unwrap());
        diesel::update(orders::table.find(id))
            .set(orders::created_at.eq(at))
            .execute(&mut *app.conn())
            .unwrap();
    }
    let r = agent
        .post_json(
            "/pos/checkout/cash",
            &serde_json::json!({"idempotency_key": "spread-charger-01", "lines": [{"barcode": "CHG-0001", "quantity": 3}], "cash_received": "1000", "customer": null}),
        )
        .await;
    r.expect(201);
    let at = clock.local_to_utc(day(1).and_hms_opt(15, 0, 0).unwrap());
    diesel::update(orders::table.find(r.json()["order_id"].as_i64().unwrap()))
        .set(orders::created_at.eq(at))
        .execute(&mut *app.conn())
        .unwrap();
    {
        let mut conn = app.conn();
        diesel::sql_query("DELETE FROM business_settings WHERE key = 'retail.stats_time_zone'")
            .execute(&mut *conn)
            .unwrap();
        tillpoint::retail::sales::daily::keep_summaries(&mut conn, &clock).unwrap();
    }
    // (range, the best seller's units, the charger's units when it sold in the range)
    for (from, to, units, charger) in [
        (day(2), day(0), "3", Some("3")),  // so far less three days ago
        (day(3), day(1), "5", Some("3")),  // so far less today
        (day(3), day(3), "4", None),       // its own day
        (day(1), day(1), "3", Some("3")),  // the charger beats the one cable
        (day(30), day(0), "7", Some("3")), // everything
    ] {
        // The whole business (the branches' totals summed) and the one branch that sold.
        let main = app.seed.main_branch;
        for scope in [String::new(), format!("&branch_id={main}")] {
            let page = manager
                .get(&format!("/reports?from={from}&to={to}{scope}"))
                .await;
            page.expect(200);
            let top = table(&page.body, "top-units");
            assert_eq!(top[0][2], units, "{from}..{to}{scope}: {top:?}");
            let charger_units = top
                .iter()
                .find(|row| row.iter().any(|cell| cell.contains("Wall Charger")))
                .map(|row| row[2].as_str());
            assert_eq!(charger_units, charger, "{from}..{to}{scope}: {top:?}");
            let top = table(&page.body, "top-revenue");
            assert_eq!(top[0][2], units, "{from}..{to}{scope}: {top:?}");
        }
    }
    // Nothing sold two days ago.
    let page = manager
        .get(&format!("/reports?from={}&to={}", day(2), day(2)))
        .await;
    assert!(page.body.contains("Nothing sold in this range."));
}
