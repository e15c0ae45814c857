//! Group commit for SQLite: the writes that wait for SQLite's one writer are committed
//! together, each in its own savepoint of one transaction.
//!
//! A SQLite commit costs the same whether it carries one sale or ten: the write-ahead log is
//! synced once, and the pages sales share (the day's totals, the tails of the orders, receipts
//! and audit tables and of their indexes) are written once. Writes that arrive while another
//! is committing queue here; whoever next takes the writer's turn runs every queued write,
//! each in a savepoint (a write that fails is undone alone and answered with its own error),
//! commits once, and only then answers each submitter: nothing is answered before it is on
//! disk, and a failed commit answers every write of the batch with an error (none was saved).
//! One till alone never waits for company: with nothing queued a batch is one write.
//! PostgreSQL commits concurrently by itself and does not use this.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;

use crate::platform::db::{AnyConnection, DbPool, SQLITE_WRITER};
use crate::platform::error::AppError;

/// At most this many writes share one commit, so that one batch stays short.
const MOST_PER_COMMIT: usize = 64;

/// The writes waiting for the writer's turn, oldest first.
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Vec<Box<dyn QueuedWrite>>>,
    /// Transactions committed and the writes they carried (`/metrics`).
    commits: AtomicU64,
    writes: AtomicU64,
}

/// One submitted write, its type erased so that writes of any result type share a batch.
trait QueuedWrite: Send {
    /// Runs the write in its own savepoint.
    fn run(&mut self, conn: &mut AnyConnection);
    /// Answers the submitter once the batch's commit is known (`Err`: nothing was saved).
    fn answer(self: Box<Self>, committed: Result<(), &AppError>);
}

struct Pending<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, AppError>>,
    reply: SyncSender<Result<T, AppError>>,
}

impl<T, F> QueuedWrite for Pending<T, F>
where
    T: Send,
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send,
{
    fn run(&mut self, conn: &mut AnyConnection) {
        if let Some(work) = self.work.take() {
            // A savepoint: an `Err` rolls back this write only.
            self.outcome = Some(conn.transaction(work));
        }
    }

    fn answer(self: Box<Self>, committed: Result<(), &AppError>) {
        let outcome = match (self.outcome, committed) {
            // Its own refusal stands whatever became of the others.
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(done)), Ok(())) => Ok(done),
            (_, Err(e)) => Err(not_saved(e)),
            (None, Ok(())) => Err(AppError::Internal("a queued write was never run".into())),
        };
        // The submitter may have stopped waiting (its request was cancelled): nothing to do.
        let _ = self.reply.send(outcome);
    }
}

fn not_saved(e: &AppError) -> AppError {
    AppError::Unavailable(format!(
        "The database could not save this just now ({e}); nothing was saved. Try again."
    ))
}

impl GroupCommit {
    /// Queues `work` and waits (on a blocking thread) until it is committed or refused.
    pub fn write<T, F>(&self, pool: &DbPool, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
    {
        let (reply, answer) = sync_channel(1);
        self.lock_queue().push(Box::new(Pending {
            work: Some(work),
            outcome: None,
            reply,
        }));
        loop {
            let turn = SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Whoever had the turn before may have committed this write already.
            if let Some(done) = answered(&answer) {
                return done;
            }
            self.commit_queued(pool);
            drop(turn);
            if let Some(done) = answered(&answer) {
                return done;
            }
            // More than one batch was queued ahead of this write: take the next turn too.
        }
    }

    /// (transactions committed, writes they carried) so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.commits.load(Relaxed), self.writes.load(Relaxed))
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn QueuedWrite>>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// With the writer's turn held: one transaction for the oldest queued writes.
    fn commit_queued(&self, pool: &DbPool) {
        let batch: Vec<Box<dyn QueuedWrite>> = {
            let mut queue = self.lock_queue();
            let n = queue.len().min(MOST_PER_COMMIT);
            queue.drain(..n).collect()
        };
        if batch.is_empty() {
            return;
        }
        let mut conn = match crate::platform::db::checkout(pool) {
            Ok(conn) => conn,
            Err(e) => return batch.into_iter().for_each(|w| w.answer(Err(&e))),
        };
        let AnyConnection::Sqlite(sqlite) = &mut *conn else {
            let e = AppError::Internal("group commit is for SQLite".into());
            return batch.into_iter().for_each(|w| w.answer(Err(&e)));
        };
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
            let e = AppError::from(e);
            return batch.into_iter().for_each(|w| w.answer(Err(&e)));
        }
        let mut batch = batch;
        let mut panic = None;
        for write in batch.iter_mut() {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| write.run(&mut conn))) {
                panic = Some(payload);
                break;
            }
        }
        let AnyConnection::Sqlite(sqlite) = &mut *conn else {
            unreachable!("the connection was SQLite a moment ago")
        };
        let committed = match panic {
            None => AnsiTransactionManager::commit_transaction(sqlite).map_err(AppError::from),
            Some(_) => Err(AppError::Internal("a write failed unexpectedly".into())),
        };
        if committed.is_ok() {
            self.commits.fetch_add(1, Relaxed);
            self.writes.fetch_add(batch.len() as u64, Relaxed);
        }
        // A failed COMMIT is rolled back by diesel. After a panic the transaction is still
        // open: the pool drops a connection returned in a transaction, or while a thread
        // panics, and closing it rolls the transaction back.
        for write in batch {
            write.answer(committed.as_ref().map(|_| ()));
        }
        if let Some(payload) = panic {
            std::panic::resume_unwind(payload);
        }
    }
}

fn answered<T>(answer: &Receiver<Result<T, AppError>>) -> Option<Result<T, AppError>> {
    answer.try_recv().ok()
}
