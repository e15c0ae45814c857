use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::platform::state::AppState;

/// `{"status":"ok","database":"sqlite"|"postgres"}`, or 503 when the database does not answer.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.db.backend().name();
    let pool = state.db.pool().clone();
    let alive = web::block(move || {
        let mut conn = pool.get_timeout(std::time::Duration::from_secs(2)).ok()?;
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, "SELECT 1").ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
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
