//! Bounded expensive work (password hashing, picture decoding). Each kind has a gate with a few
//! permits; a request waits briefly for one and is otherwise told to come back (429 with
//! `Retry-After`), so a flood of one kind of request queues on its own gate and the rest of
//! the shop — the till, the guest menu, the health check — keeps its cores and connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::platform::error::AppError;

pub struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
    busy: &'static str,
    /// Requests turned away because too many were waiting (`/metrics`).
    refused: std::sync::atomic::AtomicU64,
}

impl Gate {
    pub fn new(permits: usize, max_waiting: usize, wait: Duration, busy: &'static str) -> Gate {
        Gate {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
            wait,
            busy,
            refused: Default::default(),
        }
    }

    /// Requests turned away so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// One permit per core but one, at least one: the other core keeps serving the shop.
    pub fn cores_but_one() -> usize {
        std::thread::available_parallelism()
            .map(|n| n.get().saturating_sub(1))
            .unwrap_or(1)
            .max(1)
    }

    /// Waits briefly for a permit; `RetryLater` (429, `Retry-After: 2`) when none comes.
    pub async fn enter(&self) -> Result<Pass, AppError> {
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let permit = if queued >= self.max_waiting {
            None
        } else {
            tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
                .await
                .ok()
                .and_then(Result::ok)
        };
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        if permit.is_none() {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
        permit
            .map(|permit| Pass { permit })
            .ok_or_else(|| AppError::RetryLater(self.busy.to_string(), 2))
    }

    /// Runs `f` on the blocking pool once a permit is free.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.enter().await?.run(f).await
    }
}

/// A permit of a gate, held until the work it was taken for is done.
pub struct Pass {
    permit: tokio::sync::OwnedSemaphorePermit,
}

impl Pass {
    pub async fn run<T, F>(self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.permit;
        actix_web::web::block(move || {
            let _held = permit;
            f()
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn refuses_beyond_the_queue() {
        let gate = Arc::new(Gate::new(1, 1, Duration::from_millis(50), "busy"));
        let g = gate.clone();
        let slow = actix_web::rt::spawn(async move {
            g.run(|| std::thread::sleep(Duration::from_millis(300)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        // The permit is taken and the wait is short: told to come back.
        match gate.run(|| 1).await {
            Err(AppError::RetryLater(m, secs)) => assert_eq!((m.as_str(), secs), ("busy", 2)),
            other => panic!("expected RetryLater, got {other:?}"),
        }
        assert!(slow.await.unwrap().is_ok());
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }
}
