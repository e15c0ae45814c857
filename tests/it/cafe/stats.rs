//! The cafe's stats: business-time-zone days, the snapshot's categories, the SQL views that
//! say the same as the page, the summaries rebuilt under another time zone, bad filters, roles.

use super::*;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::sql_types::{BigInt, Nullable, Text};
use tillpoint::cafe::stats::model as stats;
use tillpoint::platform::clock::BusinessClock;

/// A staff order of `lines` on a new takeaway bill, closed at `closed` (UTC) on business day
/// `day`, through the same functions the floor uses.
pub(crate) fn bill_at(
    app: &TestApp,
    lines: &[(i64, i64)],
    closed: NaiveDateTime,
    day: NaiveDate,
) -> i64 {
    use tillpoint::cafe::floor::model::{open_takeaway, TakeawayInput};
    use tillpoint::cafe::ordering::Placer;
    let branch = app.seed.main_branch;
    let mut conn = app.conn();
    write_tx(&mut conn, |c| {
        let actor = Actor::system();
        let session = open_takeaway(
            c,
            &actor,
            branch,
            &TakeawayInput {
                kind: "takeaway",
                name: "Walk-in".into(),
                phone: String::new(),
                address: String::new(),
            },
            closed - Duration::minutes(20),
        )?;
        let head = tillpoint::cafe::tab::session(c, session)?;
        ordering::add_lines(
            c,
            &head,
            &Placer::Staff(actor.clone()),
            &OrderRequest {
                lines: lines
                    .iter()
                    .map(|(id, q)| OrderLine {
                        menu_item_id: *id,
                        quantity: *q,
                        notes: String::new(),
                        options: Vec::new(),
                        hold: false,
                        seat: None,
                    })
                    .collect(),
                notes: String::new(),
                key: None,
            },
            closed - Duration::minutes(20),
        )?;
        sales::close(
            c,
            &actor,
            session,
            &sales::BillPayment::whole(PaymentMethod::Cash),
            500,
            closed,
            day,
            "₱",
        )
        .map(|s| s.sale_id)
    })
    .unwrap()
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct DailyView {
    #[diesel(sql_type = Text)]
    sale_date: String,
    #[diesel(sql_type = BigInt)]
    order_count: i64,
    #[diesel(sql_type = BigInt)]
    total_revenue_minor: i64,
}

#[derive(QueryableByName, Debug, PartialEq)]
struct PopularView {
    #[diesel(sql_type = Text)]
    item_name: String,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = BigInt)]
    total_qty_sold: i64,
    #[diesel(sql_type = BigInt)]
    total_revenue_minor: i64,
}

#[derive(QueryableByName, Debug, PartialEq)]
struct TableView {
    #[diesel(sql_type = BigInt)]
    number: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    session_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    minutes_occupied: Option<i64>,
}

#[actix_web::test]
async fn days_follow_the_business_time_zone_and_the_views_agree_with_the_page() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let branch = app.seed.main_branch;
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let day = clock.today() - Duration::days(3);
    let next = day + Duration::days(1);
    // 23:30 and 00:30 in Manila: the same UTC day (15:30 and 16:30), two business days.
    let late = clock.local_to_utc(day.and_hms_opt(23, 30, 0).unwrap());
    let early = clock.local_to_utc(next.and_hms_opt(0, 30, 0).unwrap());
    assert_eq!(late.date(), early.date(), "both on one UTC day");
    bill_at(&app, &[(cafe.item("Latte"), 2)], late, day);
    bill_at(
        &app,
        &[(cafe.item("Latte"), 1), (cafe.item("Fries"), 1)],
        early,
        next,
    );
    // 09:00 the same business day is 01:00 UTC of the next UTC day.
    let morning = clock.local_to_utc(next.and_hms_opt(9, 0, 0).unwrap());
    assert_ne!(morning.date(), early.date());
    bill_at(&app, &[(cafe.item("Fries"), 1)], morning, next);
    // The menu item moves to another category afterwards: the stats keep what was sold.
    let snacks: i64 = menu_items::table
        .find(cafe.item("Fries"))
        .select(menu_items::category_id)
        .first(&mut *app.conn())
        .unwrap();
    diesel::update(menu_items::table.find(cafe.item("Latte")))
        .set(menu_items::category_id.eq(snacks))
        .execute(&mut *app.conn())
        .unwrap();

    let manager = app.signed_in("manager").await;
    let q = format!("branch={branch}&from={day}&to={next}&day={day}");
    let page = manager.get(&format!("/cafe/stats?{q}")).await;
    page.expect(200)
        .expect_text("Top 10 items")
        .expect_text("<svg class=\"chart")
        .expect_text("Latte")
        .expect_text("Coffee");
    let daily = manager.get(&format!("/cafe/stats/daily.csv?{q}")).await;
    daily.expect(200);
    assert!(daily.header("content-type").starts_with("text/csv"));
    let daily = csv_rows(&daily.body);
    assert_eq!(daily.len(), 30);
    let of = |d: NaiveDate| {
        daily
            .iter()
            .find(|r| r[0] == d.to_string())
            .unwrap()
            .clone()
    };
    // 2 × 180.00 + 5 % = 378.00; 180.00 + 120.00 + 5 % = 315.00, and 120.00 + 5 % = 126.00.
    assert_eq!(of(day)[1..3], ["1".to_string(), "378.00".to_string()]);
    assert_eq!(of(next)[1..3], ["2".to_string(), "441.00".to_string()]);
    let hours = csv_rows(
        &manager
            .get(&format!("/cafe/stats/hours.csv?{q}"))
            .await
            .body
            .clone(),
    );
    assert_eq!(hours.len(), 24);
    assert_eq!(hours[23], ["23:00", "1", "378.00"]);
    assert!(hours[..23].iter().all(|h| h[1] == "0"));
    let next_hours = csv_rows(
        &manager
            .get(&format!("/cafe/stats/hours.csv?branch={branch}&day={next}"))
            .await
            .body
            .clone(),
    );
    assert_eq!(next_hours[0], ["00:00", "1", "315.00"]);
    assert_eq!(next_hours[9], ["09:00", "1", "126.00"]);
    let top = csv_rows(
        &manager
            .get(&format!("/cafe/stats/top-items.csv?{q}"))
            .await
            .body
            .clone(),
    );
    assert_eq!(
        top,
        [
            vec!["1", "Latte", "Coffee", "3", "540.00"],
            vec!["2", "Fries", "Snacks", "2", "240.00"],
        ]
    );
    let categories = csv_rows(
        &manager
            .get(&format!("/cafe/stats/categories.csv?{q}"))
            .await
            .body
            .clone(),
    );
    assert_eq!(
        categories,
        [vec!["Coffee", "3", "540.00"], vec!["Snacks", "2", "240.00"]]
    );

    // The views say the same, for people with their own tools.
    let mut conn = app.conn();
    let days: Vec<DailyView> = diesel::sql_query(format!(
        "SELECT CAST(sale_date AS TEXT) AS sale_date, order_count, total_revenue_minor \
         FROM v_daily_revenue WHERE branch_id = {branch} ORDER BY sale_date"
    ))
    .load(&mut *conn)
    .unwrap();
    assert_eq!(
        days,
        [
            DailyView {
                sale_date: day.to_string(),
                order_count: 1,
                total_revenue_minor: 37800
            },
            DailyView {
                sale_date: next.to_string(),
                order_count: 2,
                total_revenue_minor: 44100
            },
        ]
    );
    let popular: Vec<PopularView> = diesel::sql_query(format!(
        "SELECT item_name, category, total_qty_sold, total_revenue_minor FROM v_popular_items \
         WHERE branch_id = {branch} ORDER BY total_qty_sold DESC"
    ))
    .load(&mut *conn)
    .unwrap();
    assert_eq!(
        popular,
        [
            PopularView {
                item_name: "Latte".into(),
                category: "Coffee".into(),
                total_qty_sold: 3,
                total_revenue_minor: 54000
            },
            PopularView {
                item_name: "Fries".into(),
                category: "Snacks".into(),
                total_qty_sold: 2,
                total_revenue_minor: 24000
            },
        ]
    );
    drop(conn);

    // A guest at table 2 opens a bill: the view and the page both count one busy table.
    let g = guest(&app, &cafe, 2, "192.0.2.70:5000").await;
    order(&g, &cafe, 2, &[("Latte", "1")]).await.expect(303);
    let tables: Vec<TableView> = diesel::sql_query(format!(
        "SELECT number, session_id, minutes_occupied FROM v_table_status \
         WHERE branch_id = {branch} ORDER BY number"
    ))
    .load(&mut *app.conn())
    .unwrap();
    assert_eq!(tables.len(), 4);
    let busy: Vec<&TableView> = tables.iter().filter(|t| t.session_id.is_some()).collect();
    assert_eq!(busy.len(), 1);
    assert_eq!(busy[0].number, 2);
    assert!(matches!(busy[0].minutes_occupied, Some(0..=1)));
    manager
        .get(&format!("/cafe/stats?branch={branch}"))
        .await
        .expect(200)
        .expect_text("Tables with an open bill</span><strong>1</strong>");

    // Counted again from the sales (a first start, or another time zone): the same days in
    // Manila; in UTC both bills fall on one day.
    {
        let mut conn = app.conn();
        diesel::sql_query("DELETE FROM business_settings WHERE key = 'cafe.stats_time_zone'")
            .execute(&mut *conn)
            .unwrap();
        assert!(stats::keep_summaries(&mut conn, &clock).unwrap() >= 2);
        assert_eq!(stats::keep_summaries(&mut conn, &clock).unwrap(), 0, "once");
        let again = stats::daily(&mut conn, branch, day, next).unwrap();
        assert_eq!(again.iter().map(|d| d.1.orders).collect::<Vec<_>>(), [1, 2]);
        let utc = BusinessClock::new(chrono_tz::UTC);
        stats::keep_summaries(&mut conn, &utc).unwrap();
        let utc_day = late.date();
        let in_utc = stats::daily(&mut conn, branch, utc_day, utc_day).unwrap();
        assert_eq!(in_utc[0].1.orders, 2);
        assert_eq!(in_utc[0].1.revenue, Money(37800 + 31500));
        let top = stats::top_items(&mut conn, branch, utc_day, utc_day, 10).unwrap();
        assert_eq!((top[0].name.as_str(), top[0].quantity), ("Latte", 3));
    }
}

#[actix_web::test]
async fn today_is_compared_with_the_same_weekday_last_week() {
    let app = TestApp::new().await;
    let cafe = setup(&app);
    let branch = app.seed.main_branch;
    let clock = BusinessClock::new(chrono_tz::Asia::Manila);
    let now = BusinessClock::now_utc();
    let today = clock.today();
    let week_ago = today - Duration::days(7);
    // Last week: one bill before this time of day, one after (it counts for the whole day only).
    let (start, _) = clock.day_range_utc(Some(week_ago), Some(week_ago));
    let start = start.unwrap();
    let so_far = stats::a_week_before(now);
    let before = start + (so_far - start) / 2;
    bill_at(&app, &[(cafe.item("Latte"), 1)], before, week_ago);
    let after = so_far + Duration::seconds(1);
    if clock.to_local(after).date_naive() == week_ago {
        bill_at(&app, &[(cafe.item("Burger"), 1)], after, week_ago);
    }
    // Today: two lattes, 378.00.
    bill_at(&app, &[(cafe.item("Latte"), 2)], now, today);
    let manager = app.signed_in("manager").await;
    let page = manager.get(&format!("/cafe/stats?branch={branch}")).await;
    page.expect(200)
        .expect_text("<strong class=\"amount\">₱378.00</strong>")
        .expect_text("+100 % against last week by this time (₱189.00)")
        .expect_text("Orders</span><strong>1</strong>");
}

#[actix_web::test]
async fn bad_filters_and_other_roles_are_refused() {
    let app = TestApp::new().await;
    setup(&app);
    let manager = app.signed_in("manager").await;
    for bad in [
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-11-20&to=2026-11-10",
        "from=2024-01-01&to=2026-01-01",
        "day=2026-02-30",
        "branch=abc",
        "day=%E2%80%8B",
    ] {
        manager.get(&format!("/cafe/stats?{bad}")).await.expect(400);
        manager
            .get(&format!("/cafe/stats/daily.csv?{bad}"))
            .await
            .expect(400);
    }
    manager.get("/cafe/stats/everything.csv").await.expect(404);
    for role in ["waiter", "kitchen", "agent", "credit"] {
        let c = app.signed_in(role).await;
        c.get("/cafe/stats").await.expect(403);
        c.get("/cafe/stats/top-items.csv").await.expect(403);
    }
    app.client().get("/cafe/stats").await.expect(303);
}
