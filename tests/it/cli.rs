use clap::Parser;
use diesel::prelude::*;
use tillpoint::platform::schema::{branches, employees};
use tillpoint::staff::bootstrap::{ensure_first_manager, FirstManager};

use crate::helpers::*;

pub(crate) fn run(
    dir: &std::path::Path,
    db: &tillpoint::platform::db::DbTarget,
    args: &[&str],
) -> Result<(), String> {
    let url = match db {
        tillpoint::platform::db::DbTarget::Sqlite(p) => p.to_string_lossy().to_string(),
        tillpoint::platform::db::DbTarget::Postgres(u) => u.clone(),
    };
    let mut all = vec![
        "tillpoint",
        "--data-dir",
        dir.to_str().unwrap(),
        "--database-url",
        &url,
        "--log",
        "error",
    ];
    all.extend_from_slice(args);
    tillpoint::server::run(tillpoint::Cli::try_parse_from(all).map_err(|e| e.to_string())?)
}

#[::core::prelude::v1::test]
fn demo_data_loads_once() {
    let (db, target, dir, _cleanup) = fresh_db();
    run(&dir, &target, &["demo"]).unwrap();
    run(&dir, &target, &["demo"]).unwrap();
    let mut conn = db.pool().get().unwrap();
    let b: i64 = branches::table.count().get_result(&mut *conn).unwrap();
    let e: Vec<String> = employees::table
        .order(employees::username.asc())
        .select(employees::username)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(b, 3);
    assert_eq!(e, ["agent", "credit", "kitchen", "manager", "waiter"]);
    use tillpoint::platform::schema::{official_receipts, orders, payments, products};
    let p: i64 = products::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(p, 40);
    let counts: (i64, i64, i64) = (
        orders::table.count().get_result(&mut *conn).unwrap(),
        payments::table.count().get_result(&mut *conn).unwrap(),
        official_receipts::table
            .count()
            .get_result(&mut *conn)
            .unwrap(),
    );
    // 200 cash sales and 3 instalment sales (pending, paying, overdue).
    assert_eq!(
        counts,
        (203, 203, 203),
        "every demo sale has its payment and receipt"
    );
    use tillpoint::platform::schema::installment_plans;
    let statuses: Vec<String> = installment_plans::table
        .order(installment_plans::id.asc())
        .select(installment_plans::status)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(statuses, ["active", "active", "pending"]);
    let top: Option<i64> = official_receipts::table
        .select(diesel::dsl::max(official_receipts::number))
        .first(&mut *conn)
        .unwrap();
    // Numbers follow one another: 203 sales and the demo's one instalment payment.
    assert_eq!(top, Some(204));
    let oldest: Option<chrono::NaiveDateTime> = orders::table
        .select(diesel::dsl::min(orders::created_at))
        .first(&mut *conn)
        .unwrap();
    assert!(
        oldest.unwrap() < chrono::Utc::now().naive_utc() - chrono::Duration::days(60),
        "sales spread over the last 90 days"
    );
}

#[::core::prelude::v1::test]
fn an_empty_database_gets_exactly_one_manager() {
    let (db, _target, _dir, _cleanup) = fresh_db();
    let mut conn = db.pool().get().unwrap();
    let FirstManager::Created {
        username,
        generated_password,
    } = ensure_first_manager(&mut conn, None, 4).unwrap()
    else {
        panic!("a manager should have been created");
    };
    assert_eq!(username, "admin");
    let pw = generated_password.unwrap();
    assert!(pw.len() >= 16);
    assert!(matches!(
        ensure_first_manager(&mut conn, None, 4).unwrap(),
        FirstManager::NotNeeded
    ));
    let (count, hash): (i64, String) = (
        employees::table.count().get_result(&mut *conn).unwrap(),
        employees::table
            .select(employees::password_hash)
            .first(&mut *conn)
            .unwrap(),
    );
    assert_eq!(count, 1);
    assert!(bcrypt::verify(&pw, &hash).unwrap());
    let b: i64 = branches::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(b, 0, "nothing else is created");
}

#[::core::prelude::v1::test]
fn create_manager_and_refusals() {
    let (db, target, dir, _cleanup) = fresh_db();
    run(
        &dir,
        &target,
        &["create-manager", "--username", "Boss", "--name", "The Boss"],
    )
    .unwrap();
    let role: String = employees::table
        .filter(employees::username.eq("boss"))
        .select(employees::role)
        .first(&mut *db.pool().get().unwrap())
        .unwrap();
    assert_eq!(role, "manager");
    assert!(run(
        &dir,
        &target,
        &["create-manager", "--username", "boss", "--name", "Again"]
    )
    .unwrap_err()
    .contains("already taken"));
    assert!(run(
        &dir,
        &target,
        &["create-manager", "--username", "x y", "--name", "Bad"]
    )
    .is_err());
}

#[::core::prelude::v1::test]
fn backup_makes_a_consistent_copy_of_sqlite() {
    if is_postgres() {
        let (_, target, dir, _cleanup) = fresh_db();
        let err = run(
            &dir,
            &target,
            &["backup", dir.join("b.sqlite3").to_str().unwrap()],
        )
        .unwrap_err();
        assert!(err.contains("pg_dump"));
        return;
    }
    let (_, target, dir, _cleanup) = fresh_db();
    run(&dir, &target, &["demo"]).unwrap();
    let file = dir.join("backup.sqlite3");
    run(&dir, &target, &["backup", file.to_str().unwrap()]).unwrap();
    let mut copy = diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
    let n: i64 = employees::table.count().get_result(&mut copy).unwrap();
    assert_eq!(n, 5);
    assert!(run(&dir, &target, &["backup", file.to_str().unwrap()])
        .unwrap_err()
        .contains("already exists"));
}

#[::core::prelude::v1::test]
fn a_database_url_that_is_not_a_database_is_an_error_not_a_new_file() {
    let dir = std::env::temp_dir().join(format!("tillpoint-badurl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cli = tillpoint::Cli::try_parse_from([
        "tillpoint",
        "--data-dir",
        dir.to_str().unwrap(),
        "--database-url",
        "mysql://root@localhost/pos",
        "migrate",
    ])
    .unwrap();
    let err = tillpoint::server::run(cli).unwrap_err();
    assert!(err.contains("not supported"), "{err}");
    let cli = tillpoint::Cli::try_parse_from([
        "tillpoint",
        "--data-dir",
        dir.to_str().unwrap(),
        "--database-url",
        "localhost:5432/pos",
        "migrate",
    ])
    .unwrap();
    assert!(tillpoint::server::run(cli).is_err());
    assert!(
        !std::path::Path::new("mysql:").exists()
            && !std::path::Path::new("localhost:5432").exists()
    );
    let cli =
        tillpoint::Cli::try_parse_from(["tillpoint", "--timezone", "Mars/Olympus", "migrate"])
            .unwrap();
    assert!(tillpoint::server::run(cli).unwrap_err().contains("IANA"));
}

#[::core::prelude::v1::test]
fn demo_flag_spellings_are_the_same() {
    let a = tillpoint::Cli::try_parse_from(["tillpoint", "--demo"]).unwrap();
    let b = tillpoint::Cli::try_parse_from(["tillpoint", "serve", "--demo"]).unwrap();
    assert!(a.demo);
    assert!(matches!(
        b.command,
        Some(tillpoint::Command::Serve { demo: true })
    ));
}
