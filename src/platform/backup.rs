//! Backups of a SQLite shop that happen without anyone remembering, and restores that check
//! what they restore.
//!
//! - `snapshot`: a consistent copy while the server runs (`VACUUM INTO` a `.partial` file, then
//!   a rename, so a half-written file never looks like a backup).
//! - The daily schedule: `serve` takes one at a set time of the business day and keeps the
//!   newest N; at start-up it takes one at once when the newest is more than a day old (a shop
//!   that switches its machine off at night still gets its daily backup).
//! - `restore`: checks the file (integrity, and a schema this binary knows), refuses while a
//!   server uses the database, keeps the replaced database aside, and reports what it restored.
//!
//! PostgreSQL shops use `pg_dump` / `pg_restore` (README).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::platform::db::{migration_names, AnyConnection, Backend, Db};

pub const PREFIX: &str = "tillpoint-";
pub const SUFFIX: &str = ".sqlite3";

/// When and where `serve` takes its daily backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Business-local time of day; `None` switches the daily backup off.
    pub at: Option<NaiveTime>,
    pub dir: PathBuf,
    /// How many backups to keep (the newest).
    pub keep: usize,
}

/// `HH:MM`, or `off`.
pub fn parse_time(raw: &str) -> Result<Option<NaiveTime>, String> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    NaiveTime::parse_from_str(raw, "%H:%M")
        .map(Some)
        .map_err(|_| format!("TILLPOINT_BACKUP_AT \"{raw}\" must be a time such as 03:00, or off"))
}

/// The file name of a backup taken at this business-local moment; names sort by time.
pub fn file_name(local: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", local.format("%Y-%m-%d-%H%M%S"))
}

/// The next moment (UTC) at which the business-local clock shows `at`, after `now`.
pub fn next_run(now: DateTime<Utc>, tz: Tz, at: NaiveTime) -> DateTime<Utc> {
    let local_today = now.with_timezone(&tz).date_naive();
    for day in 0..3 {
        let date = local_today + Duration::days(day);
        if let Some(t) = tz.from_local_datetime(&date.and_time(at)).earliest() {
            let t = t.with_timezone(&Utc);
            if t > now {
                return t;
            }
        }
    }
    now + Duration::days(1)
}

/// The backups in a folder, oldest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Deletes all but the newest `keep` backups; returns what it deleted.
pub fn prune(dir: &Path, keep: usize) -> Vec<PathBuf> {
    let files = list(dir);
    let extra = files.len().saturating_sub(keep.max(1));
    let mut gone = Vec::new();
    for f in files.into_iter().take(extra) {
        if std::fs::remove_file(&f).is_ok() {
            gone.push(f);
        }
    }
    gone
}

/// A consistent copy of the open SQLite database into `file` (which must not exist).
pub fn snapshot(conn: &mut AnyConnection, file: &Path) -> Result<(), String> {
    let AnyConnection::Sqlite(c) = conn else {
        return Err("backups are taken of SQLite databases; for PostgreSQL use pg_dump".into());
    };
    if file.exists() {
        return Err(format!(
            "{} already exists; choose a new file name",
            file.display()
        ));
    }
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .ok_or("the backup file name must be valid UTF-8")?;
    c.batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .map_err(|e| format!("backup failed: {e}"))?;
    std::fs::rename(&partial, file).map_err(|e| format!("backup failed: {e}"))
}

/// Takes one backup into the schedule's folder and prunes old ones; returns the new file.
pub fn take(db: &Db, schedule: &Schedule, tz: Tz) -> Result<PathBuf, String> {
    std::fs::create_dir_all(&schedule.dir)
        .map_err(|e| format!("cannot create {}: {e}", schedule.dir.display()))?;
    let local = Utc::now().with_timezone(&tz).naive_local();
    let file = schedule.dir.join(file_name(local));
    let mut conn = db.pool().get().map_err(|e| e.to_string())?;
    snapshot(&mut conn, &file)?;
    prune(&schedule.dir, schedule.keep);
    Ok(file)
}

/// `serve`'s daily backup (SQLite only): once at start-up when the newest backup is more than
/// a day old, then every day at the set time.
pub fn spawn_daily(db: Db, schedule: Schedule, tz: Tz) {
    let Some(at) = schedule.at else {
        tracing::info!("daily backups are off (TILLPOINT_BACKUP_AT=off)");
        return;
    };
    if db.backend() != Backend::Sqlite {
        tracing::info!("PostgreSQL: take backups with pg_dump (see the README)");
        return;
    }
    actix_web::rt::spawn(async move {
        let stale = list(&schedule.dir)
            .last()
            .and_then(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
            .is_none_or(|t| t.elapsed().map_or(true, |e| e.as_secs() > 24 * 3600));
        let mut first = stale;
        loop {
            if !first {
                let next = next_run(Utc::now(), tz, at);
                let wait = (next - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
            }
            first = false;
            let (db, schedule) = (db.clone(), schedule.clone());
            let taken = actix_web::web::block(move || take(&db, &schedule, tz)).await;
            match taken {
                Ok(Ok(file)) => tracing::info!("backup written to {}", file.display()),
                Ok(Err(e)) => tracing::error!("daily backup failed: {e}"),
                Err(e) => tracing::error!("daily backup failed: {e}"),
            }
            // Never twice in the same minute, whatever the clock does.
            tokio::time::sleep(std::time::Duration::from_secs(61)).await;
        }
    });
}

/// What a restore put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub retail_sales: i64,
    pub cafe_sales: i64,
    /// (branch code, last official-receipt number)
    pub last_receipts: Vec<(String, i64)>,
    /// Where the database that was replaced now is (none if there was none).
    pub kept_aside: Option<PathBuf>,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    text: String,
}

#[derive(QueryableByName)]
struct Num {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Receipt {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Checks a backup file before anything is replaced: a SQLite database that passes
/// `integrity_check`, made by this version of tillpoint or an older one.
pub fn check(file: &Path) -> Result<(), String> {
    let path = file.to_str().ok_or("the file name must be valid UTF-8")?;
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let mut c = diesel::SqliteConnection::establish(&format!("file:{path}?mode=ro"))
        .map_err(|e| format!("{} cannot be opened: {e}", file.display()))?;
    let integrity: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS text FROM pragma_integrity_check")
            .load(&mut c)
            .map_err(|_| format!("{} is not a SQLite database", file.display()))?;
    if integrity.len() != 1 || integrity[0].text != "ok" {
        return Err(format!(
            "{} is damaged: {}",
            file.display(),
            integrity
                .iter()
                .map(|l| l.text.as_str())
                .take(3)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let versions: Vec<Line> =
        diesel::sql_query("SELECT version AS text FROM __diesel_schema_migrations")
            .load(&mut c)
            .map_err(|_| format!("{} is not a tillpoint database", file.display()))?;
    // Diesel records a migration folder `2026-11-22-000001_platform` as `20261122000001`.
    let known: Vec<String> = migration_names(Backend::Sqlite)
        .iter()
        .map(|n| n.split('_').next().unwrap_or("").replace('-', ""))
        .collect();
    for v in &versions {
        if !known.contains(&v.text.replace('-', "")) {
            return Err(format!(
                "{} was made by a newer version of tillpoint (schema {}); update tillpoint first",
                file.display(),
                v.text
            ));
        }
    }
    if versions.is_empty() {
        return Err(format!("{} is not a tillpoint database", file.display()));
    }
    Ok(())
}

/// Replaces the database at `db_path` with the backup `file`. The caller holds the server
/// lock (no server is using the database). The replaced files are kept next to it.
pub fn restore(db_path: &Path, file: &Path) -> Result<Restored, String> {
    check(file)?;
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let mut kept_aside = None;
    if db_path.exists() {
        let aside = PathBuf::from(format!("{}.replaced-{stamp}", db_path.display()));
        // The write-ahead log and its index belong to the database they sit next to.
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db_path.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&from, &to)
                    .map_err(|e| format!("cannot move {} aside: {e}", from.display()))?;
            }
        }
        kept_aside = Some(aside);
    }
    let incoming = PathBuf::from(format!("{}.restoring", db_path.display()));
    std::fs::copy(file, &incoming).map_err(|e| format!("cannot copy the backup: {e}"))?;
    std::fs::rename(&incoming, db_path)
        .map_err(|e| format!("cannot put the backup in place: {e}"))?;
    let mut c = diesel::SqliteConnection::establish(&db_path.to_string_lossy())
        .map_err(|e| format!("the restored database cannot be opened: {e}"))?;
    let count = |c: &mut diesel::SqliteConnection, t: &str| -> Result<i64, String> {
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}"))
            .get_result::<Num>(c)
            .map(|n| n.n)
            .map_err(|e| e.to_string())
    };
    let retail_sales = count(&mut c, "orders")?;
    let cafe_sales = count(&mut c, "cafe_sales")?;
    let last_receipts = diesel::sql_query(
        "SELECT b.code AS code, CAST(MAX(r.number) AS BIGINT) AS n FROM official_receipts r \
         JOIN branches b ON b.id = r.branch_id GROUP BY b.code ORDER BY b.code",
    )
    .load::<Receipt>(&mut c)
    .map_err(|e| e.to_string())?
    .into_iter()
    .map(|r| (r.code, r.n))
    .collect();
    Ok(Restored {
        retail_sales,
        cafe_sales,
        last_receipts,
        kept_aside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_the_next_local_occurrence() {
        let tz: Tz = "Asia/Manila".parse().unwrap();
        let at = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        // 2026-11-29 10:00 UTC is 18:00 in Manila: next 03:00 Manila is 2026-11-29 19:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap();
        assert_eq!(
            next_run(now, tz, at),
            Utc.with_ymd_and_hms(2026, 11, 29, 19, 0, 0).unwrap()
        );
        // Just after it: the day after.
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 19, 0, 1).unwrap();
        assert_eq!(
            next_run(now, tz, at),
            Utc.with_ymd_and_hms(2026, 11, 30, 19, 0, 0).unwrap()
        );
    }

    #[test]
    fn times_and_names() {
        assert_eq!(
            parse_time("03:00").unwrap(),
            NaiveTime::from_hms_opt(3, 0, 0)
        );
        assert_eq!(parse_time("off").unwrap(), None);
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("3am").is_err());
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(3, 0, 5)
            .unwrap();
        assert_eq!(file_name(t), "tillpoint-2026-11-29-030005.sqlite3");
    }

    #[test]
    fn pruning_keeps_the_newest() {
        let dir = std::env::temp_dir().join(format!("tp-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for d in 1..=5 {
            std::fs::write(
                dir.join(format!("tillpoint-2026-11-0{d}-030000.sqlite3")),
                b"x",
            )
            .unwrap();
        }
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        assert_eq!(prune(&dir, 3).len(), 2);
        let left: Vec<String> = list(&dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            left,
            [
                "tillpoint-2026-11-03-030000.sqlite3",
                "tillpoint-2026-11-04-030000.sqlite3",
                "tillpoint-2026-11-05-030000.sqlite3"
            ]
        );
        assert!(dir.join("notes.txt").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
