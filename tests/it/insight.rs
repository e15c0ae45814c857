//! The dashboard: revenue windows by business day across retail and cafe (a sale at 23:30
//! Manila is yesterday's, one at 00:30 today's though both are the same UTC date), a void
//! leaves the day, an archived sale stays in the books, stock health by each product's
//! minimum, who is signed in; the summaries counted again from the orders agree with the
//! ones the checkout kept.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use tillpoint::insight::dashboard::rules::Windows;
use tillpoint::platform::clock::BusinessClock;
use tillpoint::platform::schema::{branch_stock, orders};

use crate::helpers::*;

/// "PHP 1,234.00" in the card whose label is `label` (the first match on the page).
fn card(page: &str, label: &str) -> String {
    let at = page
        .find(&format!("<span class=\"stat-label\">{label}</span><strong"))
        .unwrap_or_else(|| panic!("no card {label}"));
    let rest = &page[at..];
    let open = rest.find("<strong").unwrap();
    let start = open + rest[open..].find('>').unwrap() + 1;
    let end = rest.find("</strong>").unwrap();
    rest[start..end].to_string()
}

#[actix_web::test]
async fn the_dashboard_counts_business_days_voids_and_both_trades() {
    let app = TestApp::new().await;
    let (cable, _phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 20, &[]);
    let agent = app.signed_in("agent").await;
    let manager = app.signed_in("manager").await;
    let a = sell_cables(&agent, "dash-0000000001", 1).await; // 299.00
    let b = sell_cables(&agent, "dash-0000000002", 2).await; // 598.00
    let c = sell_cables(&agent, "dash-0000000003", 3).await; // 897.00
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let today = clock.today();
    let yesterday = today - Duration::days(1);
    // A at 23:30 yesterday, B at 00:30 today (Manila): one UTC date, two business days.
    let late = clock.local_to_utc(yesterday.and_hms_opt(23, 30, 0).unwrap());
    let early = clock.local_to_utc(today.and_hms_opt(0, 30, 0).unwrap());
    assert_eq!(late.date(), early.date());
    for (id, at) in [(a, late), (b, early)] {
        diesel::update(orders::table.find(id))
            .set(orders::created_at.eq(at))
            .execute(&mut *app.conn())
            .unwrap();
    }
    // Counted again from the orders (as at a start under a new time zone): A moves to
    // yesterday, B and C stay today.
    {
        let mut conn = app.conn();
        diesel::sql_query("DELETE FROM business_settings WHERE key = 'retail.stats_time_zone'")
            .execute(&mut *conn)
            .unwrap();
        assert!(tillpoint::retail::sales::daily::keep_summaries(&mut conn, &clock).unwrap() >= 2);
        let day: Option<NaiveDate> = orders::table
            .find(a)
            .select(orders::business_day)
            .first(&mut *conn)
            .unwrap();
        assert_eq!(day, Some(yesterday));
    }
    // The manager voids C (off today), archives B (still a sale), and the cafe closes a bill.
    manager
        .post(&format!("/sales/{c}/void"), &[("reason", "Wrong item")])
        .await
        .expect(303);
    manager
        .post(&format!("/sales/{b}/archive"), &[])
        .await
        .expect(303);
    let items = crate::cafe::setup(&app);
    crate::cafe::stats::bill_at(
        &app,
        &[(items.item("Latte"), 2)],
        BusinessClock::now_utc(),
        today,
    ); // 378.00 (Latte 180.00 × 2 + 5 %)

    let page = manager.get("/dashboard").await;
    page.expect(200);
    let body = &page.body;
    // Today: B 598.00 + the cafe's 378.00; yesterday: A 299.00.
    assert_eq!(card(body, "Today"), "PHP 976.00");
    assert!(
        body.contains("+226.4 % against all of yesterday (PHP 299.00)"),
        "{body}"
    );
    let w = Windows::of(today);
    let expect = |from: NaiveDate| {
        if from <= yesterday {
            "PHP 1,275.00"
        } else {
            "PHP 976.00"
        }
    };
    assert_eq!(card(body, "This week (from Monday)"), expect(w.week));
    assert_eq!(card(body, "This month"), expect(w.month));
    assert_eq!(card(body, "This year"), expect(w.year));
    // Stock: the cable (20 − 6 + 3 back = 17 over a minimum of 3) is healthy; a product at 0
    // is out; the phone, never received, has no stock row.
    diesel::update(
        branch_stock::table
            .filter(branch_stock::product_id.eq(cable))
            .filter(branch_stock::branch_id.eq(app.seed.main_branch)),
    )
    .set(branch_stock::quantity.eq(2))
    .execute(&mut *app.conn())
    .unwrap();
    let page = manager.get("/dashboard").await;
    assert_eq!(card(&page.body, "Low (at or under minimum)"), "1");
    assert_eq!(card(&page.body, "Healthy"), "0");
    assert_eq!(card(&page.body, "Out of stock"), "0");
    assert!(page
        .body
        .contains("Received in the last 24 hours: <strong>20</strong>"));
    // A product taken off sale leaves the counts (the per-branch count is kept by triggers),
    // and comes back with it.
    for (active, healthy, low) in [(false, "0", "0"), (true, "0", "1")] {
        diesel::update(tillpoint::platform::schema::products::table.find(cable))
            .set(tillpoint::platform::schema::products::is_active.eq(active))
            .execute(&mut *app.conn())
            .unwrap();
        let page = manager.get("/dashboard").await;
        assert_eq!(card(&page.body, "Healthy"), healthy);
        assert_eq!(card(&page.body, "Low (at or under minimum)"), low);
    }
    // A new product's stock row counts as healthy once above its minimum.
    let other = {
        let mut c = app.conn();
        insert_product(&mut c, "Screen Guard", "4806512345688", 19_900, false)
    };
    app.receive(app.seed.main_branch, other, 9, &[]);
    let page = manager.get("/dashboard").await;
    assert_eq!(card(&page.body, "Healthy"), "1");
    // Both are signed in now.
    assert!(page.body.contains("Signed in now: 2"), "{}", page.body);
    assert!(page
        .body
        .contains("<td data-label=\"Role\">Sales agent</td>"));
    // One branch: Cebu sold nothing.
    let cebu = manager
        .get(&format!("/dashboard?branch_id={}", app.seed.cebu_branch))
        .await;
    cebu.expect(200);
    assert_eq!(card(&cebu.body, "Today"), "PHP 0.00");
    assert!(cebu.body.contains("No sales yesterday"));
    // Bad filters and other roles.
    manager.get("/dashboard?branch_id=abc").await.expect(400);
    for role in ["agent", "credit", "kitchen", "waiter"] {
        app.signed_in(role)
            .await
            .get("/dashboard")
            .await
            .expect(403);
    }
}
