//! What the running server is doing, in Prometheus' text format (`GET /metrics`): requests and
//! their latency per route, the database pool, SQLite's WAL and group commits, live-stream
//! clients, rate-limit and busy refusals, memory.
//!
//! Counting costs a few relaxed atomic additions per request: the route's counters are made
//! once, from the route table, and a request finds its own by the index the router's match
//! left in its extensions (`RouteId`), without a lookup or a lock. Each instance counts its
//! own requests (a scraper asks every instance, as Prometheus does); what lives in the
//! database (pool, WAL) is read when `/metrics` is asked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::settings;
use crate::platform::state::AppState;

/// Upper bounds of the latency histogram's buckets, in microseconds (the last is +Inf).
const BOUNDS_US: [u64; 13] = [
    250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
    2_500_000,
];

/// The status classes counted apart; 429 (a limit refused the request) apart from other 4xx.
const CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "429", "5xx"];

/// Which route of the table answered a request (its index in the table), set by the guard.
#[derive(Debug, Clone, Copy)]
pub struct RouteId(pub usize);

#[derive(Default)]
struct RouteStats {
    /// Requests by status class (`CLASSES`).
    answered: [AtomicU64; 6],
    /// Requests by latency bucket (`BOUNDS_US`, then +Inf), not cumulative.
    buckets: [AtomicU64; 14],
    micros: AtomicU64,
}

impl RouteStats {
    fn record(&self, status: u16, micros: u64) {
        let class = match status {
            429 => 4,
            100..=199 => 0,
            200..=299 => 1,
            300..=399 => 2,
            400..=499 => 3,
            _ => 5,
        };
        self.answered[class].fetch_add(1, Relaxed);
        let bucket = BOUNDS_US
            .iter()
            .position(|&b| micros <= b)
            .unwrap_or(BOUNDS_US.len());
        self.buckets[bucket].fetch_add(1, Relaxed);
        self.micros.fetch_add(micros, Relaxed);
    }

    fn count(&self) -> u64 {
        self.answered.iter().map(|a| a.load(Relaxed)).sum()
    }
}

/// The counters of one server process.
#[derive(Default)]
pub struct Metrics {
    /// One entry per route of the table, then one for requests no route answered.
    routes: OnceLock<Vec<((Method, &'static str), RouteStats)>>,
}

impl Metrics {
    /// Makes the routes' counters, in the route table's order (the first call wins: every
    /// worker builds the app from the same table).
    pub fn set_routes(&self, routes: Vec<(Method, &'static str)>) {
        let _ = self.routes.set(
            routes
                .into_iter()
                .chain(std::iter::once((Method::GET, "(no route)")))
                .map(|r| (r, RouteStats::default()))
                .collect(),
        );
    }

    fn record(&self, route: Option<RouteId>, status: u16, micros: u64) {
        let Some(routes) = self.routes.get() else {
            return;
        };
        let last = routes.len() - 1;
        let i = route.map_or(last, |r| r.0.min(last));
        routes[i].1.record(status, micros);
    }

    /// The request counters and histograms, for routes that answered at least once.
    fn write_requests(&self, out: &mut String) {
        let Some(routes) = self.routes.get() else {
            return;
        };
        help(
            out,
            "tillpoint_http_requests_total",
            "counter",
            "Requests answered, by route and status class (429: refused by a limit).",
        );
        for ((method, path), stats) in routes {
            for (class, n) in CLASSES.iter().zip(&stats.answered) {
                let n = n.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "tillpoint_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{class}\"}} {n}",
                        label(path)
                    );
                }
            }
        }
        help(
            out,
            "tillpoint_http_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its response's head (a stream's body is not counted).",
        );
        for ((method, path), stats) in routes {
            let count = stats.count();
            if count == 0 {
                continue;
            }
            let labels = format!("method=\"{method}\",route=\"{}\"", label(path));
            let mut cumulative = 0;
            for (i, n) in stats.buckets.iter().enumerate() {
                cumulative += n.load(Relaxed);
                let le = BOUNDS_US.get(i).map_or("+Inf".to_string(), |b| seconds(*b));
                let _ = writeln!(
                    out,
                    "tillpoint_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "tillpoint_http_request_duration_seconds_sum{{{labels}}} {}",
                seconds(stats.micros.load(Relaxed))
            );
            let _ = writeln!(
                out,
                "tillpoint_http_request_duration_seconds_count{{{labels}}} {count}"
            );
        }
    }
}

/// Counts every request with its route, status and time to the response's head. Wraps
/// everything else, so refusals by the guard, CSRF and limits are counted too.
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await?.map_into_boxed_body();
    if let Some(state) = state {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let route = res.request().extensions().get::<RouteId>().copied();
        state.metrics.record(route, res.status().as_u16(), micros);
    }
    Ok(res)
}

/// Refusals by a rate limit, by the limit's kind (a bucket's name up to its first `:`).
static LIMIT_REFUSALS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Notes one hit a rate limit refused (`platform::rate_limit::hit`).
pub fn rate_limit_refused(bucket: &str) {
    let kind = bucket.split(':').next().unwrap_or(bucket);
    let mut all = LIMIT_REFUSALS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Kinds are names in the code, but cap them anyway: a label must never grow with input.
    if all.len() < 64 || all.contains_key(kind) {
        *all.entry(kind.to_string()).or_default() += 1;
    }
}

/// The whole page for `GET /metrics`.
pub fn render(state: &AppState) -> String {
    let mut out = String::with_capacity(16 * 1024);
    state.metrics.write_requests(&mut out);

    let pool = state.db.pool().state();
    let size = u64::from(state.db.pool().max_size());
    help(
        &mut out,
        "tillpoint_db_pool_connections",
        "gauge",
        "Database connections of this instance: in use, idle, and the pool's most.",
    );
    let in_use = pool.connections.saturating_sub(pool.idle_connections);
    let _ = writeln!(
        out,
        "tillpoint_db_pool_connections{{state=\"in_use\"}} {in_use}"
    );
    let _ = writeln!(
        out,
        "tillpoint_db_pool_connections{{state=\"idle\"}} {}",
        pool.idle_connections
    );
    let _ = writeln!(out, "tillpoint_db_pool_connections{{state=\"max\"}} {size}");
    gauge(
        &mut out,
        "tillpoint_db_pool_waiting",
        "Requests waiting for a database connection now.",
        crate::platform::db::pool_waiting(),
    );
    if let Some(path) = state.db.target().sqlite_path() {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        gauge(
            &mut out,
            "tillpoint_sqlite_wal_bytes",
            "Size of SQLite's write-ahead log (the background checkpointer keeps it bounded).",
            bytes,
        );
        let (batches, writes) = state.db.group_commits();
        counter(
            &mut out,
            "tillpoint_sqlite_commits_total",
            "SQLite write transactions committed by the group commit (each carries one or more writes).",
            batches,
        );
        counter(
            &mut out,
            "tillpoint_sqlite_committed_writes_total",
            "Writes those commits carried.",
            writes,
        );
    }
    gauge(
        &mut out,
        "tillpoint_live_stream_clients",
        "Open live streams (kitchen display, floor, guests' order status) on this instance.",
        state.events.clients() as u64,
    );
    help(
        &mut out,
        "tillpoint_rate_limit_refusals_total",
        "counter",
        "Requests a rate limit refused, by limit.",
    );
    for (kind, n) in LIMIT_REFUSALS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
    {
        let _ = writeln!(
            out,
            "tillpoint_rate_limit_refusals_total{{limit=\"{}\"}} {n}",
            label(kind)
        );
    }
    help(
        &mut out,
        "tillpoint_busy_refusals_total",
        "counter",
        "Requests refused because too many of their kind of heavy work were waiting.",
    );
    for (work, gate) in [
        ("passwords", &state.password_work),
        ("images", &state.image_work),
        ("imports", &state.import_work),
    ] {
        let _ = writeln!(
            out,
            "tillpoint_busy_refusals_total{{work=\"{work}\"}} {}",
            gate.refused()
        );
    }
    if let Some(rss) = resident_bytes() {
        gauge(
            &mut out,
            "tillpoint_process_resident_memory_bytes",
            "Memory the process holds (resident set).",
            rss,
        );
    }
    gauge(
        &mut out,
        "tillpoint_uptime_seconds",
        "Seconds since this instance started.",
        state.started.elapsed().as_secs(),
    );
    out
}

/// The monitoring token's SHA-256 (hex), a business setting; empty or absent: none.
pub const TOKEN_SETTING: &str = "monitoring.token_sha256";
/// When the token was made (UTC, `%Y-%m-%d %H:%M:%S`).
pub const TOKEN_CREATED_SETTING: &str = "monitoring.token_created";

/// Does `shown` match the monitoring token? Compared in constant time, on its hash.
pub fn token_matches(conn: &mut AnyConnection, shown: &str) -> QueryResult<bool> {
    use subtle::ConstantTimeEq;
    let Some(stored) = settings::get(conn, TOKEN_SETTING)?.filter(|s| !s.is_empty()) else {
        return Ok(false);
    };
    let shown = crate::platform::auth::session::token_hash(shown);
    Ok(bool::from(shown.as_bytes().ct_eq(stored.as_bytes())))
}

/// When the monitoring token was made, if there is one.
pub fn token_created(conn: &mut AnyConnection) -> QueryResult<Option<NaiveDateTime>> {
    if settings::get(conn, TOKEN_SETTING)?.is_none_or(|s| s.is_empty()) {
        return Ok(None);
    }
    Ok(settings::get(conn, TOKEN_CREATED_SETTING)?
        .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok()))
}

/// A new monitoring token (160 random bits, hex) in place of any earlier one; only its hash is
/// kept, so the key is shown once. Audited as a settings change.
pub fn issue_token(
    conn: &mut AnyConnection,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<String> {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    settings::set(
        conn,
        actor,
        TOKEN_SETTING,
        &crate::platform::auth::session::token_hash(&key),
    )?;
    settings::set(
        conn,
        actor,
        TOKEN_CREATED_SETTING,
        &now.format("%Y-%m-%d %H:%M:%S").to_string(),
    )?;
    Ok(key)
}

/// No monitoring token any more: scrapers need a new one.
pub fn revoke_token(conn: &mut AnyConnection, actor: &Actor) -> QueryResult<()> {
    settings::set(conn, actor, TOKEN_SETTING, "")?;
    settings::set(conn, actor, TOKEN_CREATED_SETTING, "")?;
    Ok(())
}

fn help(out: &mut String, name: &str, kind: &str, text: &str) {
    let _ = writeln!(out, "# HELP {name} {text}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, text: &str, value: u64) {
    help(out, name, "gauge", text);
    let _ = writeln!(out, "{name} {value}");
}

fn counter(out: &mut String, name: &str, text: &str, value: u64) {
    help(out, name, "counter", text);
    let _ = writeln!(out, "{name} {value}");
}

/// Microseconds as seconds, exactly ("0.00025").
fn seconds(micros: u64) -> String {
    let frac = format!("{:06}", micros % 1_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{}", micros / 1_000_000)
    } else {
        format!("{}.{frac}", micros / 1_000_000)
    }
}

/// A label value as the text format wants it (backslash, quote and newline escaped).
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The resident set of this process, from `/proc` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_exact() {
        assert_eq!(seconds(250), "0.00025");
        assert_eq!(seconds(1_000_000), "1");
        assert_eq!(seconds(2_500_000), "2.5");
        assert_eq!(seconds(0), "0");
    }

    #[test]
    fn statuses_fall_in_their_class() {
        let s = RouteStats::default();
        for status in [101, 200, 204, 303, 404, 429, 500, 503] {
            s.record(status, 10);
        }
        let got: Vec<u64> = s.answered.iter().map(|a| a.load(Relaxed)).collect();
        assert_eq!(got, [1, 2, 1, 1, 1, 2]);
    }

    #[test]
    fn latency_falls_in_the_first_bucket_that_holds_it() {
        let s = RouteStats::default();
        s.record(200, 250);
        s.record(200, 251);
        s.record(200, 9_000_000);
        assert_eq!(s.buckets[0].load(Relaxed), 1);
        assert_eq!(s.buckets[1].load(Relaxed), 1);
        assert_eq!(s.buckets[13].load(Relaxed), 1);
        assert_eq!(s.micros.load(Relaxed), 9_000_501);
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
