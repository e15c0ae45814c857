//! SQLite's write-ahead log, kept short off the request path.
//!
//! Left to itself SQLite checkpoints inside the commit that crosses 1,000 WAL pages: that
//! request copies the pages into the database and syncs it while it still holds the write
//! lock, and under steady sales the checkpoint rarely finishes (a reader is always active),
//! so the WAL grew to 150 MB in a 15-second benchmark and every later commit paid for it.
//! Here the pool's connections never checkpoint (`wal_autocheckpoint = 0`); one background
//! thread with its own connection runs a PASSIVE checkpoint every 100 ms (it never blocks a
//! writer), and when the WAL is past `RESTART_AFTER_PAGES` a RESTART one, which holds new
//! writers back for the moment it takes to copy the last frames (PASSIVE copied the rest) and
//! to wait for the readers of the old log, so the next commit starts the log again from its
//! beginning; `journal_size_limit` then gives the file's space back. Durability is unchanged:
//! a commit is durable when its WAL frames are synced, whatever the checkpoint does later.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;

/// A WAL this long (4 KiB pages: 16 MiB) is restarted: under steady sales a PASSIVE checkpoint
/// never catches the writers up, so only a RESTART lets the log start again from its beginning.
pub const RESTART_AFTER_PAGES: i32 = 4_096;
/// The WAL file is truncated to this after a restart (bytes).
pub const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;
const EVERY: Duration = Duration::from_millis(100);
/// How long a RESTART may hold new writers back waiting for the old log's readers (a long
/// export, say) before it gives up until the next round: a sale waits at most this long.
const WAIT_MS: u64 = 50;

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointResult {
    /// 1 when the checkpoint could not run to completion (a writer or reader was in the way).
    #[diesel(sql_type = Integer)]
    pub busy: i32,
    /// Pages in the WAL.
    #[diesel(sql_type = Integer)]
    pub log: i32,
    /// Pages of it already copied into the database.
    #[diesel(sql_type = Integer)]
    pub checkpointed: i32,
}

/// One checkpoint of `mode` (`PASSIVE`, `RESTART`, `TRUNCATE`) on `conn`.
pub fn checkpoint(conn: &mut SqliteConnection, mode: &str) -> QueryResult<CheckpointResult> {
    diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result(conn)
}

/// The background checkpointer of one database; it stops when the last `Db` holding it goes.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts the checkpointer of the SQLite database at `path`.
pub fn start(path: &Path) -> Result<Checkpointer, String> {
    let url = path.to_string_lossy().into_owned();
    let mut conn = SqliteConnection::establish(&url)
        .map_err(|e| format!("cannot open {url} for checkpoints: {e}"))?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {WAIT_MS}; PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"
    ))
    .map_err(|e| format!("cannot set up checkpoints: {e}"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let file: PathBuf = path.to_path_buf();
    std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || run(conn, &flag, &file))
        .map_err(|e| format!("cannot start the checkpointer: {e}"))?;
    Ok(Checkpointer { stop })
}

fn run(mut conn: SqliteConnection, stop: &AtomicBool, file: &Path) {
    let mut failing = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(EVERY);
        if stop.load(Ordering::Relaxed) || !file.exists() {
            break;
        }
        let done = checkpoint(&mut conn, "PASSIVE").and_then(|r| {
            if r.log >= RESTART_AFTER_PAGES {
                checkpoint(&mut conn, "RESTART")
            } else {
                Ok(r)
            }
        });
        match done {
            Ok(_) => failing = false,
            Err(e) if !failing => {
                // Said once, not every 100 ms; the next round tries again.
                tracing::warn!("WAL checkpoint failed: {e}");
                failing = true;
            }
            Err(_) => {}
        }
    }
}
