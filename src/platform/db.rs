//! Connections for both backends behind one type, the pool, migrations and `write_tx`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::platform::error::AppError;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Sqlite(diesel::SqliteConnection),
    Pg(diesel::PgConnection),
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Where the data lives, decided from `DATABASE_URL` once, before anything connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbTarget {
    /// A `postgres://` URL, a `sqlite://` URL or a plain file path. Anything else that looks
    /// like a URL is refused: a mistyped server URL must never become a new empty SQLite file.
    pub fn parse(url: &str) -> Result<DbTarget, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(url.to_string()));
        }
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if rest.is_empty() || rest.contains(":memory:") {
                return Err("DATABASE_URL: a SQLite URL needs a file path (sqlite://./data/tillpoint.sqlite3)".into());
            }
            return Ok(DbTarget::Sqlite(PathBuf::from(rest)));
        }
        if let Some(scheme_end) = url.find(':') {
            let scheme = &url[..scheme_end];
            let looks_like_scheme = !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c));
            if looks_like_scheme {
                return Err(format!(
                    "DATABASE_URL \"{scheme}:…\" is not supported: use postgres://user@host:port/db for PostgreSQL or a file path for SQLite"
                ));
            }
        }
        Ok(DbTarget::Sqlite(PathBuf::from(url)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbTarget::Sqlite(_) => Backend::Sqlite,
            DbTarget::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DbTarget::Sqlite(p) => Some(p),
            DbTarget::Postgres(_) => None,
        }
    }
}

pub struct ConnectionManager {
    target: DbTarget,
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match &self.target {
            DbTarget::Sqlite(path) => {
                let path = path.to_string_lossy();
                diesel::SqliteConnection::establish(&path)
                    .map(AnyConnection::Sqlite)
                    .map_err(diesel::r2d2::Error::ConnectionError)
            }
            DbTarget::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Pg)
                .map_err(diesel::r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        // A connection dropped while a panic unwinds may still be inside a transaction.
        std::thread::panicking() || R2D2Connection::is_broken(conn)
    }
}

/// How SQLite makes a commit durable. `Full` (the default) syncs the write-ahead log on every
/// commit, so an answered sale survives a power cut; `Normal` only survives a killed process
/// (a power cut may lose the last commits) and is an explicit, documented choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    #[default]
    Full,
    Normal,
}

impl SqliteSync {
    pub fn parse(raw: &str) -> Result<SqliteSync, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "full" | "" => Ok(SqliteSync::Full),
            "normal" => Ok(SqliteSync::Normal),
            other => Err(format!(
                "TILLPOINT_SQLITE_SYNCHRONOUS \"{other}\" must be full or normal"
            )),
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
        }
    }
}

#[derive(Debug)]
struct ConnectionSetup {
    sync: SqliteSync,
}

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        match conn {
            // busy_timeout first, so that the following pragmas can wait for a lock.
            // No checkpoint inside a request's commit: `platform::checkpoint` runs them.
            // Reads come from the mapped file (shared with the OS page cache, one copy for
            // every connection); each connection's own cache of 4 MB holds what a batch of
            // sales writes before its commit, so eight connections stay within 32 MB.
            AnyConnection::Sqlite(c) => c.batch_execute(&format!(
                "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
                 PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {}; \
                 PRAGMA mmap_size = 268435456; PRAGMA cache_size = -4000;",
                self.sync.pragma(),
                crate::platform::checkpoint::JOURNAL_SIZE_LIMIT
            )),
            // An answered commit is on the server's disk (the server default, asserted here so
            // a role or database setting cannot quietly turn it off).
            AnyConnection::Pg(c) => c.batch_execute("SET synchronous_commit = on"),
        }
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

pub type DbPool = Pool<ConnectionManager>;

/// The pool plus what the application needs to know about the backend behind it.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    /// SQLite's background checkpointer, stopped when the last clone of this `Db` goes.
    _checkpointer: Option<std::sync::Arc<crate::platform::checkpoint::Checkpointer>>,
    /// SQLite's queue of writes waiting to share a commit.
    group: std::sync::Arc<crate::platform::group_commit::GroupCommit>,
    backend: Backend,
    target: DbTarget,
}

/// Process-wide SQLite settings, applied once before the first connection opens.
fn configure_sqlite_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SQLite's allocation statistics take one global mutex on every malloc, which every
        // request thread then queues on; we never read those statistics.
        // SAFETY: sqlite3_config is called before any connection exists (Once, at the first
        // Db::connect); called later it only returns SQLITE_MISUSE and changes nothing.
        unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            );
            // Every connection opened from now on runs `stable_query_plans` first.
            libsqlite3_sys::sqlite3_auto_extension(Some(stable_query_plans));
        }
    });
}

/// Turns on SQLite's query planner stability guarantee for a new connection. Without it a
/// statement whose plan could depend on a bound value (diesel binds every `LIMIT`, so every
/// `.first()` has one) is marked stale at each new binding and compiled again on its next
/// step: a cached statement then costs as much as a new one (twelve recompiles per sale, a
/// quarter of its CPU). With it, one plan per statement, whatever the values; we lose nothing,
/// as no index of ours relies on a value-dependent plan (no NOCASE index for LIKE prefixes,
/// no ANALYZE statistics).
unsafe extern "C" fn stable_query_plans(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite calls this with the connection it is opening; the option only sets a flag.
    unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        );
    }
    libsqlite3_sys::SQLITE_OK
}

impl Db {
    /// Opens the pool with durable commits (`synchronous = FULL` on SQLite).
    pub fn connect(target: &DbTarget) -> Result<Db, String> {
        Db::connect_with(target, SqliteSync::Full)
    }

    pub fn connect_with(target: &DbTarget, sync: SqliteSync) -> Result<Db, String> {
        let backend = target.backend();
        if backend == Backend::Sqlite {
            configure_sqlite_library();
        }
        if let DbTarget::Sqlite(path) = target {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                if !parent.is_dir() {
                    return Err(format!(
                        "the folder of the SQLite database {} does not exist",
                        path.display()
                    ));
                }
            }
        }
        let size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 12,
        };
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            // r2d2 would run a test query on every checkout; broken connections are detected
            // by has_broken instead, and queries fail loudly anyway.
            .test_on_check_out(false)
            .connection_customizer(Box::new(ConnectionSetup { sync }))
            .build(ConnectionManager {
                target: target.clone(),
            })
            .map_err(|e| format!("cannot open the database: {e}"))?;
        // The pool opened the file (and switched it to WAL) first.
        let checkpointer = match target {
            DbTarget::Sqlite(path) => Some(std::sync::Arc::new(
                crate::platform::checkpoint::start(path)?,
            )),
            DbTarget::Postgres(_) => None,
        };
        Ok(Db {
            pool,
            _checkpointer: checkpointer,
            group: Default::default(),
            backend,
            target: target.clone(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the data lives (for a dedicated connection, such as the live-event listener).
    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs blocking database work off the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = checkout(&pool)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
    }

    /// SQLite's group commits so far: (transactions, writes they carried).
    pub fn group_commits(&self) -> (u64, u64) {
        self.group.counts()
    }

    /// Runs a short read. On SQLite it runs right here on the worker thread: in WAL mode a
    /// read never waits for the writer and takes microseconds, while a hop to the blocking
    /// pool costs two thread switches. With no idle connection, or on PostgreSQL (a network
    /// round trip), it goes to the blocking pool like `run`. Never use it for writes.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return f(&mut conn);
            }
        }
        self.run(f).await
    }

    /// Runs `f` in one write transaction, answered once it is on disk. On SQLite, writes that
    /// wait for the writer share one commit, each in its own savepoint
    /// (`platform::group_commit`): an `Err` undoes `f`'s writes only.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            let (pool, group) = (self.pool.clone(), self.group.clone());
            return actix_web::web::block(move || group.write(&pool, f))
                .await
                .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?;
        }
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// Runs the same diesel expression on the concrete connection of either backend. Queries run
/// through `AnyConnection` are prepared again every time; on the concrete connection diesel
/// caches the prepared statement, which matters on the hottest paths (the till's scan, the
/// session lookup of every request).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::platform::db::AnyConnection::Sqlite($c) => $body,
            $crate::platform::db::AnyConnection::Pg($c) => $body,
        }
    };
}

/// A statement diesel would compile again on every run, kept compiled instead. Diesel caches
/// a prepared statement only when its SQL cannot vary, so it never caches an `UPDATE`, an
/// upsert or a query with a raw SQL fragment: on a sale's hot path that is most statements,
/// each parsed and planned anew. Wrapped in `Cached`, such a statement is cached under its SQL
/// text (and bind types), which is always correct: the same text is the same statement. Only
/// for statements of a fixed shape (not an `IN` list or a batch insert whose SQL grows with
/// its input), as each distinct text stays in the connection's cache. Run it with `get_result`,
/// `load` or [`Cached::rows_changed`], never `execute` (see there).
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(pub Q);

/// `.cached()` on any diesel statement (see [`Cached`]).
pub trait CacheStatement: Sized {
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q> CacheStatement for Q {}

impl<Q> diesel::query_builder::QueryId for Cached<Q> {
    type QueryId = ();
    // Not keyed by type (the text may differ between calls): by the SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> diesel::query_builder::QueryFragment<DB> for Cached<Q>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q, Conn> RunQueryDsl<Conn> for Cached<Q> {}

impl<Q> Cached<Q> {
    /// Runs an `UPDATE` or upsert that returns an `i64` column (`.returning(…)`) and answers
    /// how many rows it changed. Diesel's `execute` borrows its statement, and a borrowed
    /// `Cached` is prepared again like any other; loading the returned rows keeps it cached.
    pub fn rows_changed<'q, Conn>(self, conn: &mut Conn) -> QueryResult<usize>
    where
        Self: diesel::query_dsl::LoadQuery<'q, Conn, i64>,
    {
        self.load::<i64>(conn).map(|rows| rows.len())
    }
}

/// Requests waiting for a connection of the pool right now (`/metrics`).
static POOL_WAITING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn pool_waiting() -> u64 {
    POOL_WAITING.load(std::sync::atomic::Ordering::Relaxed)
}

/// A connection from the pool, counted among the waiting while it is awaited.
pub(crate) fn checkout(
    pool: &DbPool,
) -> Result<diesel::r2d2::PooledConnection<ConnectionManager>, AppError> {
    use std::sync::atomic::Ordering::Relaxed;
    if let Some(conn) = pool.try_get() {
        return Ok(conn);
    }
    POOL_WAITING.fetch_add(1, Relaxed);
    let got = pool.get();
    POOL_WAITING.fetch_sub(1, Relaxed);
    got.map_err(|e| AppError::Unavailable(format!("database unavailable: {e}")))
}

/// SQLite's one writer: whoever holds it may begin a write transaction (see `write_tx`).
pub(crate) static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// One write transaction. On SQLite it starts with `BEGIN IMMEDIATE`: a deferred `BEGIN` that
/// reads first and writes later fails with "database is locked" under concurrency instead of
/// waiting for the lock. Nested `conn.transaction()` calls inside `f` become savepoints.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    // SQLite has one writer at a time. Left to BEGIN IMMEDIATE, the waiting writers poll the
    // lock with the busy handler's growing sleeps (up to 100 ms each) and an unlucky sale
    // waits a second while others slip past; queued on this lock instead, each is woken the
    // moment the previous commit ends. (The lock is the process's: one SQLite file is served
    // by one instance; several instances share PostgreSQL.)
    let _turn = match conn {
        AnyConnection::Sqlite(_) => Some(
            SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ),
        AnyConnection::Pg(_) => None,
    };
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        AnyConnection::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let result = f(conn);
    let end = match (&result, &mut *conn) {
        (Ok(_), AnyConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), AnyConnection::Pg(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), AnyConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), AnyConnection::Pg(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match result {
        Ok(v) => {
            end?;
            Ok(v)
        }
        Err(e) => {
            if let Err(rollback_error) = end {
                tracing::error!("rollback failed: {rollback_error}");
            }
            Err(e)
        }
    }
}

/// Applies pending migrations; on PostgreSQL under an advisory lock so that several instances
/// starting together do not race.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, String> {
    let err = |e: Box<dyn std::error::Error + Send + Sync>| format!("migration failed: {e}");
    match conn {
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len())
            .map_err(err),
        AnyConnection::Pg(c) => {
            c.batch_execute("SELECT pg_advisory_lock(727001)")
                .map_err(|e| e.to_string())?;
            let result = c
                .run_pending_migrations(PG_MIGRATIONS)
                .map(|v| v.len())
                .map_err(err);
            let _ = c.batch_execute("SELECT pg_advisory_unlock(727001)");
            result
        }
    }
}

/// Names of the embedded migrations of one backend, for the check that both trees match.
pub fn migration_names(backend: Backend) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let source = match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => PG_MIGRATIONS,
    };
    MigrationSource::<diesel::sqlite::Sqlite>::migrations(&source)
        .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
        .unwrap_or_default()
}

/// `true` when the error is a unique-constraint violation (a duplicate username, code, …).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_database_urls() {
        assert_eq!(
            DbTarget::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DbTarget::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DbTarget::parse("./data/x.sqlite3").unwrap(),
            DbTarget::Sqlite("./data/x.sqlite3".into())
        );
        assert_eq!(
            DbTarget::parse("/tmp/x.db").unwrap(),
            DbTarget::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            DbTarget::parse("sqlite:///tmp/x.db").unwrap(),
            DbTarget::Sqlite("/tmp/x.db".into())
        );
        for bad in [
            "mysql://root@localhost/db",
            "postgress://u@h/db",
            "localhost:5432/db",
            "",
            "sqlite://:memory:",
        ] {
            assert!(DbTarget::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn both_migration_trees_have_the_same_names() {
        let sqlite = migration_names(Backend::Sqlite);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, migration_names(Backend::Postgres));
    }
}

/// Locks rows on PostgreSQL (`SELECT … FOR UPDATE`) so that a rule that counts rows (the last
/// active manager) holds under concurrent transactions. SQLite needs nothing: `BEGIN IMMEDIATE`
/// already serialises writers.
pub fn lock_rows(conn: &mut AnyConnection, select_for_update: &str) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(_) => Ok(()),
        AnyConnection::Pg(c) => c.batch_execute(select_for_update),
    }
}

/// Serialises copies of one submitted request on PostgreSQL (a transaction-scoped advisory lock
/// on `what`, the employee and the one-time key), so the second waits and then finds what the
/// first made; SQLite's `BEGIN IMMEDIATE` already does. A unique index on the key backs both.
pub fn lock_key(
    conn: &mut AnyConnection,
    what: &str,
    employee_id: i64,
    key: &str,
) -> QueryResult<()> {
    use sha2::{Digest, Sha256};
    if matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(());
    }
    let digest = Sha256::digest(format!("{what}:{employee_id}:{key}"));
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let lock = i64::from_be_bytes(first);
    lock_rows(conn, &format!("SELECT pg_advisory_xact_lock({lock})"))
}

/// After a bulk load, PostgreSQL's statistics still describe the table as it was, and its
/// planner may then scan instead of using an index until autovacuum catches up. SQLite plans
/// without statistics unless asked.
pub fn refresh_statistics(conn: &mut AnyConnection, table: &str) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(_) => Ok(()),
        AnyConnection::Pg(c) => c.batch_execute(&format!("ANALYZE {table}")),
    }
}

diesel::define_sql_function! {
    /// Lower-cases text on both backends (PostgreSQL's LIKE is case-sensitive).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern that finds `needle` anywhere, with `%`, `_` and `\` taken literally.
/// Use with `.escape('\\')`.
pub fn contains_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A date as an SQL literal of the connection's backend, for statements built as text
/// (`INSERT … SELECT`, unions): chrono formats it, so nothing typed by a person is in it.
pub fn date_literal(conn: &AnyConnection, day: chrono::NaiveDate) -> String {
    match conn {
        AnyConnection::Sqlite(_) => format!("'{}'", day.format("%Y-%m-%d")),
        AnyConnection::Pg(_) => format!("DATE '{}'", day.format("%Y-%m-%d")),
    }
}

/// A moment (UTC) as an SQL literal of the connection's backend; see `date_literal`.
pub fn moment_literal(conn: &AnyConnection, at: chrono::NaiveDateTime) -> String {
    match conn {
        AnyConnection::Sqlite(_) => format!("'{}'", at.format("%Y-%m-%d %H:%M:%S")),
        AnyConnection::Pg(_) => format!("TIMESTAMP '{}'", at.format("%Y-%m-%d %H:%M:%S")),
    }
}
