use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::platform::state::AppState;

/// How long a database answer stands for `/healthz`: a probe every few seconds always asks
/// the database, while a flood of probes asks it once a second instead of queueing a
/// connection per probe in front of the tills' work.
const ANSWER_STANDS_MS: u64 = 1000;

/// `{"status":"ok","database":"sqlite"|"postgres"}`, or 503 when the database does not answer
/// (noticed within a second).
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    use std::sync::atomic::Ordering::Relaxed;
    let backend = state.db.backend().name();
    // +1: an answer in the server's first millisecond is still an answer (0 means never).
    let now_ms = state.started.elapsed().as_millis() as u64 + 1;
    let last = state.db_answered_at.load(Relaxed);
    let alive = if last != 0 && now_ms.saturating_sub(last) < ANSWER_STANDS_MS {
        true
    } else {
        let pool = state.db.pool().clone();
        let alive = web::block(move || {
            let mut conn = pool.get_timeout(std::time::Duration::from_secs(2)).ok()?;
            diesel::connection::SimpleConnection::batch_execute(&mut *conn, "SELECT 1").ok()
        })
        .await
        .ok()
        .flatten()
        .is_some();
        state
            .db_answered_at
            .store(if alive { now_ms } else { 0 }, Relaxed);
        alive
    };
    if alive {
        HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({"status": "ok", "database": backend}))
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({"status": "unavailable", "database": backend}))
    }
}
