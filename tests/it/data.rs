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
    app.open_shift("agent");
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

/// A backup taken while the till keeps selling holds every sale answered before it began;
/// `restore` checks the file, keeps the replaced database aside and brings it all back.
#[actix_web::test]
async fn a_backup_taken_under_load_restores_every_sale_answered_before_it() {
    use std::time::Instant;
    use tillpoint::platform::backup::{self, Schedule};
    let dir = temp_dir("backup");
    let sqlite = DbTarget::Sqlite(dir.join("tillpoint.sqlite3"));
    run(&dir, &sqlite, &["demo"]).unwrap();
    let app = TestApp::on(sqlite.clone(), dir.clone()).await;
    let cable: i64 = tillpoint::platform::schema::products::table
        .filter(tillpoint::platform::schema::products::barcode.eq("4801000000252"))
        .select(tillpoint::platform::schema::products::id)
        .first(&mut *app.conn())
        .unwrap();
    app.receive(app.seed.main_branch, cable, 100, &[]);
    app.open_shift("agent");
    let till = app.client();
    till.login("agent", "tillpoint-demo").await.expect(303);
    let schedule = Schedule {
        at: None,
        dir: dir.join("backups"),
        keep: 3,
    };
    let selling = async {
        let mut answered = Vec::new();
        for i in 0..40 {
            let r = till
                .post_json(
                    "/pos/checkout/cash",
                    &json!({
                        "idempotency_key": format!("under-load-{i:04}"),
                        "lines": [{"barcode": "4801000000252", "quantity": 1}],
                        "cash_received": "500.00"
                    }),
                )
                .await;
            r.expect(201);
            answered.push((
                Instant::now(),
                r.json()["receipt_number"].as_str().unwrap().to_string(),
            ));
        }
        answered
    };
    let backing_up = async {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(30)).await;
        let began = Instant::now();
        let (db, s) = (app.db.clone(), schedule.clone());
        let file = actix_web::web::block(move || backup::take(&db, &s, chrono_tz::Asia::Manila))
            .await
            .unwrap()
            .unwrap();
        (began, file)
    };
    let (answered, (began, file)) = futures_util::future::join(selling, backing_up).await;
    let before: Vec<&String> = answered
        .iter()
        .filter(|(t, _)| *t < began)
        .map(|(_, r)| r)
        .collect();
    assert!(
        !before.is_empty(),
        "some sales were answered before the backup began"
    );

    // A damaged file and a database in use are refused, and nothing is replaced.
    let elsewhere = temp_dir("restore");
    let target = DbTarget::Sqlite(elsewhere.join("tillpoint.sqlite3"));
    run(&elsewhere, &target, &["migrate"]).unwrap();
    let junk = elsewhere.join("junk.sqlite3");
    std::fs::write(&junk, b"this is not a database").unwrap();
    let e = run(&elsewhere, &target, &["restore", junk.to_str().unwrap()]).unwrap_err();
    assert!(
        e.contains("not a SQLite database") || e.contains("damaged"),
        "{e}"
    );
    let serving = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(elsewhere.join("tillpoint.sqlite3.serving"))
        .unwrap();
    serving.lock().unwrap();
    let e = run(&elsewhere, &target, &["restore", file.to_str().unwrap()]).unwrap_err();
    assert!(e.contains("server is using"), "{e}");
    serving.unlock().unwrap();

    run(&elsewhere, &target, &["restore", file.to_str().unwrap()]).unwrap();
    let restored = Db::connect(&target).unwrap();
    let receipts: Vec<String> = official_receipts::table
        .select(official_receipts::or_number)
        .load(&mut *restored.pool().get().unwrap())
        .unwrap();
    for r in before {
        assert!(
            receipts.contains(r),
            "{r} was answered before the backup and is restored"
        );
    }
    let aside = std::fs::read_dir(&elsewhere)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains(".replaced-"));
    assert!(aside, "the replaced database is kept aside");
    // The restored shop serves: the till goes on from the last restored receipt.
    let app2 = TestApp::on(target, elsewhere).await;
    let till2 = app2.client();
    till2.login("agent", "tillpoint-demo").await.expect(303);
    till2
        .post_json(
            "/pos/checkout/cash",
            &json!({
                "idempotency_key": "after-restore-0001",
                "lines": [{"barcode": "4801000000252", "quantity": 1}],
                "cash_received": "500.00"
            }),
        )
        .await
        .expect(201);
}
