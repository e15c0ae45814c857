//! Start-up: configuration, database, first-run data, the session key, the HTTP server and the
//! background sweeper; and the other CLI commands.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use actix_web::cookie::Key;
use actix_web::{web, HttpServer};

use crate::config::{Cli, Command, Config};
use crate::platform::auth::session;
use crate::platform::clock::BusinessClock;
use crate::platform::db::{run_migrations, write_tx, Db, DbTarget};
use crate::platform::state::AppState;
use crate::staff::bootstrap::{self, FirstManager};

pub fn run(cli: Cli) -> Result<(), String> {
    let mut config = cli.settings.validate()?;
    init_logging(&config.log);
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            let demo = demo || cli.demo;
            if demo {
                // The demo runs on http://127.0.0.1, where a Secure cookie would never be sent back.
                config.secure_cookies = false;
            }
            actix_web::rt::System::new().block_on(serve(config, demo))
        }
        Command::Migrate => {
            let db = open(&config)?;
            println!("Database is up to date ({}).", db.backend().name());
            Ok(())
        }
        Command::CreateManager { username, name } => {
            let db = open(&config)?;
            let mut conn = db.pool().get().map_err(|e| e.to_string())?;
            let created = bootstrap::create_manager(
                &mut conn,
                &username,
                &name,
                config.admin_password.as_deref(),
                config.bcrypt_cost,
            )?;
            println!("Manager \"{}\" created.", created.username);
            if let Some(pw) = created.generated_password {
                println!("Password (shown once, change it after signing in): {pw}");
            }
            Ok(())
        }
        Command::Demo => {
            let db = open(&config)?;
            let mut conn = db.pool().get().map_err(|e| e.to_string())?;
            let added = crate::demo::load(&mut conn, &config).map_err(|e| e.public_message())?;
            println!("Demo data: {added} record(s) added.");
            Ok(())
        }
        Command::Backup { file } => backup(&config, &file),
        Command::CopyDatabase { to } => copy_database(&config, &to),
        Command::Restore { file } => restore(&config, &file),
        Command::SendReminders => actix_web::rt::System::new().block_on(send_reminders(config)),
    }
}

/// `tillpoint send-reminders`: queues today's payment reminders and overdue notices (what the
/// server does every hour), then sends everything due in the outbox and exits.
async fn send_reminders(config: Config) -> Result<(), String> {
    let db = open(&config)?;
    let ctx = crate::mail::messages::MailContext::of(&config);
    let (reminders, notices) =
        crate::mail::worker::queue_reminders(&db, ctx, config.mail.reminder_days)
            .await
            .map_err(|e| e.public_message())?;
    println!("Queued {reminders} payment reminder(s) and {notices} overdue notice(s).");
    let mailer = crate::mail::worker::Mailer {
        transport: crate::mail::transport::Transport::from_config(&config.mail)?,
        from: config.mail.from.clone(),
    };
    let (mut sent, mut not_sent) = (0, 0);
    loop {
        match crate::mail::worker::run_once(&db, &mailer)
            .await
            .map_err(|e| e.public_message())?
        {
            crate::mail::worker::Step::Idle => break,
            crate::mail::worker::Step::Sent(_) => sent += 1,
            crate::mail::worker::Step::NotSent(id, e) => {
                not_sent += 1;
                eprintln!("message {id} not sent: {e}");
            }
        }
    }
    println!("Sent {sent} message(s); {not_sent} will be tried again later.");
    Ok(())
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Opens the database (creating the data directory) and applies pending migrations.
pub fn open(config: &Config) -> Result<Db, String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let db = Db::connect_with(&config.db, config.sqlite_sync)?;
    let mut conn = db
        .pool()
        .get()
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let applied = run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!("applied {applied} migration(s)");
    }
    let clock = crate::platform::clock::BusinessClock::new(config.tz);
    let days = crate::cafe::stats::model::keep_summaries(&mut conn, &clock)
        .and_then(|d| Ok(d + crate::retail::sales::daily::keep_summaries(&mut conn, &clock)?))
        .map_err(|e| format!("cannot count the daily summaries: {e}"))?;
    if days > 0 {
        tracing::info!(
            "counted the cafe's daily summaries of {days} day(s) in {}",
            config.tz
        );
    }
    Ok(db)
}

/// The cookie key: 64 random bytes created on first run, kept in the data directory (0600).
pub fn session_key(data_dir: &Path) -> Result<Key, String> {
    let path = data_dir.join("session.key");
    if let Ok(bytes) = std::fs::read(&path) {
        return Key::try_from(bytes.as_slice()).map_err(|_| {
            format!(
                "{} is damaged: delete it to sign everyone out and create a new one",
                path.display()
            )
        });
    }
    let key = Key::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(key.master())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

/// While `serve` runs on a SQLite database it holds an exclusive lock on `<database>.serving`
/// (released by the operating system however the process ends): a second server refuses to
/// start on the same file, and `restore` and `copy-database` refuse a database in use.
fn lock_database(config: &Config) -> Result<Option<std::fs::File>, String> {
    let Some(path) = config.db.sqlite_path() else {
        return Ok(None);
    };
    std::fs::create_dir_all(&config.data_dir).map_err(|e| e.to_string())?;
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".serving");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| {
            format!(
                "cannot open {}: {e}",
                std::path::Path::new(&lock_path).display()
            )
        })?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "a tillpoint server is using {} right now; stop it first",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock the database: {e}")),
    }
}

async fn serve(config: Config, demo: bool) -> Result<(), String> {
    let _serving = lock_database(&config)?;
    let db = open(&config)?;
    let key = session_key(&config.data_dir)?;
    {
        let mut conn = db.pool().get().map_err(|e| e.to_string())?;
        if demo {
            let added = crate::demo::load(&mut conn, &config).map_err(|e| e.public_message())?;
            if added > 0 {
                tracing::info!("demo data loaded ({added} records)");
            }
        }
        match bootstrap::ensure_first_manager(
            &mut conn,
            config.admin_password.as_deref(),
            config.bcrypt_cost,
        )
        .map_err(|e| e.public_message())?
        {
            FirstManager::NotNeeded => {}
            FirstManager::Created {
                username,
                generated_password,
            } => {
                println!("\nCreated the first manager account: username \"{username}\"");
                match generated_password {
                    Some(pw) => println!(
                        "Password (shown only this once, change it after signing in): {pw}\n"
                    ),
                    None => println!("Password: the one in TILLPOINT_ADMIN_PASSWORD\n"),
                }
            }
        }
    }
    let state = web::Data::new(AppState::new(config.clone(), db.clone())?);
    spawn_sweeper(db.clone());
    crate::platform::backup::spawn_daily(db.clone(), config.backup.clone(), config.tz);
    let mailer = crate::mail::worker::Mailer {
        transport: crate::mail::transport::Transport::from_config(&config.mail)?,
        from: config.mail.from.clone(),
    };
    crate::mail::worker::spawn(db.clone(), std::sync::Arc::new(mailer));
    crate::mail::worker::spawn_reminders(
        db.clone(),
        crate::mail::messages::MailContext::of(&config),
        config.mail.reminder_days,
    );
    match &config.mail.smtp {
        Some(s) => tracing::info!("e-mail goes to the SMTP server {}:{}", s.host, s.port),
        None => tracing::info!(
            "no SMTP server set: e-mail is written as .eml files to {}",
            config.mail.dir.display()
        ),
    }
    let server = HttpServer::new({
        let state = state.clone();
        move || crate::app::build_app(state.clone(), key.clone())
    })
    .workers(config.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    }))
    // Kitchen screens and guests keep live streams open; a stop should not wait 30 s for them
    // (they reconnect and catch up by themselves).
    .shutdown_timeout(5)
    .bind(config.addr)
    .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    print_banner(&config, demo, &db);
    server.run().await.map_err(|e| e.to_string())
}

fn print_banner(config: &Config, demo: bool, db: &Db) {
    let where_ = match &config.db {
        DbTarget::Sqlite(p) => format!("SQLite {}", p.display()),
        DbTarget::Postgres(_) => "PostgreSQL".to_string(),
    };
    println!(
        "tillpoint is running on http://{} ({where_}, {})",
        config.addr,
        db.backend().name()
    );
    if demo {
        println!(
            "Demo accounts: manager, agent, credit, kitchen, waiter — password \"{}\".\n\
             Demo data is for trying the product only: do not run a shop on these accounts.",
            config.demo_password
        );
    }
    if !config.secure_cookies {
        println!(
            "Session cookies are sent over plain HTTP (TILLPOINT_INSECURE_COOKIES or --demo)."
        );
    }
}

/// Every minute: end sessions whose idle time ran out (so nobody stays "on duty") and forget
/// rate-limit counters whose window ended long ago.
fn spawn_sweeper(db: Db) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let result = db
                .run(|c| {
                    let now = BusinessClock::now_utc();
                    let ended = write_tx(c, |c| session::sweep_expired(c, now))?;
                    crate::platform::rate_limit::prune(c, now)?;
                    Ok(ended)
                })
                .await;
            match result {
                Ok(n) if n > 0 => tracing::info!("ended {n} expired session(s)"),
                Ok(_) => {}
                Err(e) => tracing::warn!("session sweep failed: {e}"),
            }
        }
    });
}

/// `tillpoint backup FILE`: an online, consistent copy of the SQLite database.
/// `copy-database --to postgres://…`: every row of the configured SQLite database into an
/// empty PostgreSQL database (see `platform::db_copy`).
fn copy_database(config: &Config, to: &str) -> Result<(), String> {
    if config.db.sqlite_path().is_none() {
        return Err("copy-database copies the configured SQLite database; DATABASE_URL already points at PostgreSQL".into());
    }
    let url = match DbTarget::parse(to)? {
        DbTarget::Postgres(url) => url,
        DbTarget::Sqlite(_) => {
            return Err(
                "--to must be a PostgreSQL URL such as postgres://user@host:5432/tillpoint".into(),
            )
        }
    };
    let _idle = lock_database(config)?;
    let db = open(config)?;
    let mut source = db.pool().get().map_err(|e| e.to_string())?;
    let crate::platform::db::AnyConnection::Sqlite(src) = &mut *source else {
        return Err("the source must be SQLite".into());
    };
    let mut target = crate::platform::db::AnyConnection::Pg(
        <diesel::PgConnection as diesel::Connection>::establish(&url)
            .map_err(|e| format!("cannot reach the PostgreSQL database: {e}"))?,
    );
    let copied = crate::platform::db_copy::copy_sqlite_to_postgres(src, &mut target)?;
    let mut rows = 0;
    for t in &copied {
        rows += t.rows;
        let money = t
            .money
            .iter()
            .map(|(c, sum)| format!("{c} Σ {}", crate::platform::money::Money(*sum).plain()))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "  {:<28} {:>9} rows{}",
            t.name,
            t.rows,
            if money.is_empty() {
                String::new()
            } else {
                format!("  ({money})")
            }
        );
    }
    println!(
        "Copied {rows} rows in {} tables to PostgreSQL; row counts and money sums match. Start tillpoint with DATABASE_URL={to}",
        copied.len()
    );
    Ok(())
}

fn backup(config: &Config, file: &Path) -> Result<(), String> {
    if let DbTarget::Postgres(_) = config.db {
        return Err("backup copies SQLite databases only. For PostgreSQL use pg_dump, e.g.\n  pg_dump --format=custom --file=tillpoint.dump \"$DATABASE_URL\"".into());
    }
    let db = open(config)?;
    let mut conn = db.pool().get().map_err(|e| e.to_string())?;
    crate::platform::backup::snapshot(&mut conn, file)?;
    println!("Backup written to {}", file.display());
    Ok(())
}

/// `restore FILE`: checks the backup, refuses while a server uses the database, keeps the
/// replaced database aside, brings the restored one up to this version, says what it holds.
fn restore(config: &Config, file: &Path) -> Result<(), String> {
    let Some(db_path) = config.db.sqlite_path() else {
        return Err("restore replaces a SQLite database. For PostgreSQL use pg_restore, e.g.\n  pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" tillpoint.dump".into());
    };
    let _idle = lock_database(config)?;
    let restored = crate::platform::backup::restore(db_path, file)?;
    open(config)?;
    println!("Restored {} into {}", file.display(), db_path.display());
    println!(
        "  {} retail sale(s), {} cafe sale(s)",
        restored.retail_sales, restored.cafe_sales
    );
    for (code, n) in &restored.last_receipts {
        println!(
            "  last official receipt at {code}: {}",
            crate::retail::pricing::or_number(code, *n)
        );
    }
    match &restored.kept_aside {
        Some(p) => println!("The database it replaced is kept as {}", p.display()),
        None => println!("There was no database to replace."),
    }
    Ok(())
}
