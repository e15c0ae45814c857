//! The shop's data: moving from SQLite to PostgreSQL, daily backups and restores.

use diesel::prelude::*;
use serde_json::json;
use tillpoint::platform::db::{Db, DbTarget};
use tillpoint::platform::schema::{official_receipts, orders};

use crate::cli::run;
use crate::helpers::*;

/// (sales, their total in minor units, the last receipt number of the Main branch)
fn sales(db: &Db) -> (usize, i64, i64) {
    let mut c = db.pool().get().unwrap();
    let totals: Vec<i64> = orders::table
        .select(orders::total_minor)
        .load(&mut *c)
        .unwrap();
    let last: Option<i64> = official_receipts::table
        .filter(official_receipts::or_number.like("MNL-%"))
        .select(diesel::dsl::max(official_receipts::number))
        .first(&mut *c)
        .unwrap();
    (totals.len(), totals.iter().sum(), last.unwrap_or(0))
}

#[actix_web::test]
async fn a_sqlite_shop_moves_to_postgresql_and_keeps_selling() {
    if !is_postgres() {
        return; // needs a PostgreSQL server (TEST_DATABASE_URL)
    }
    let dir = temp_dir("copy");
    let sqlite = DbTarget::Sqlite(dir.join("shop.sqlite3"));
    run(&dir, &sqlite, &["demo"]).unwrap();
    let source = Db::connect(&sqlite).unwrap();
    let before = sales(&source);
    assert!(before.0 >= 200, "the demo has sales");
    let url = new_pg_database();
    // Refusals: a SQLite target, and (after the copy) a target that is not empty.
    assert!(
        run(&dir, &sqlite, &["copy-database", "--to", "/tmp/x.sqlite3"])
            .unwrap_err()
            .contains("PostgreSQL URL")
    );
    run(&dir, &sqlite, &["copy-database", "--to", &url]).unwrap();
    let again = run(&dir, &sqlite, &["copy-database", "--to", &url]).unwrap_err();
    assert!(again.contains("not empty"), "{again}");
    let target = DbTarget::Postgres(url);
    let copy = Db::connect(&target).unwrap();
    assert_eq!(
        sales(&copy),
        before,
        "every sale, every centavo, the same receipts"
    );
    // The application on the copy: sign in, scan, sell; receipts go on without a gap.
    let app = TestApp::on(target, dir).await;
    let till = app.client();
    till.login("agent", "tillpoint-demo").await.expect(303);
    let scan = till.get("/pos/scan?barcode=4801000000252").await;
    scan.expect(200);
    let r = till
        .post_json(
            "/pos/checkout/cash",
            &json!({
                "idempotency_key": "after-the-move-0001",
                "lines": [{"barcode": "4801000000252", "quantity": 1}],
                "cash_received": "1000.00"
            }),
        )
        .await;
    r.expect(201);
    assert_eq!(
        r.json()["receipt_number"],
        format!("MNL-{:06}", before.2 + 1)
    );
    till.get(r.json()["receipt_url"].as_str().unwrap())
        .await
        .expect(200);
    // New records get new ids after the copied ones.
    let m = app.client();
    m.login("manager", "tillpoint-demo").await.expect(303);
    m.post("/branches", &[("name", "Davao Branch"), ("code", "DVO")])
        .await
        .expect(303);
}
