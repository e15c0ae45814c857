use crate::config::Config;
use crate::platform::clock::BusinessClock;
use crate::platform::db::Db;
use crate::platform::live::EventHub;
use crate::platform::qr::QrCache;
use crate::platform::work::Gate;
use std::time::Duration;

/// Shared by every request: configuration, the database and the business clock.
pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub clock: BusinessClock,
    /// A hash to verify against when the username is unknown, so both cases take equally long.
    pub dummy_hash: String,
    /// Live cafe updates (kitchen display, guests' order status).
    pub events: EventHub,
    pub qr: QrCache,
    /// Values kept while the database's counters say they are current (the guest menu).
    pub cache: crate::platform::cache::VersionedCache,
    /// bcrypt hashes and verifies (sign-in, password changes): a few at a time.
    pub password_work: Gate,
    /// Decoding uploaded pictures: a few at a time, each within the pixel and memory caps.
    pub image_work: Gate,
    /// Reading uploaded spreadsheets (up to 10 MB, 50,000 rows): one at a time.
    pub import_work: Gate,
    /// Requests per route and the server's gauges (`/metrics`).
    pub metrics: crate::platform::metrics::Metrics,
    pub started: std::time::Instant,
    /// When the database last answered `/healthz` (milliseconds after `started`; 0: never).
    pub db_answered_at: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// A copy of the configuration to move into database work.
    pub fn clone_config(&self) -> Config {
        self.config.clone()
    }

    pub fn new(config: Config, db: Db) -> Result<AppState, String> {
        let dummy_hash =
            crate::platform::auth::password::hash("not-a-real-password", config.bcrypt_cost)?;
        let events = EventHub::new(&db);
        Ok(AppState {
            clock: BusinessClock::new(config.tz),
            config,
            db,
            dummy_hash,
            events,
            qr: QrCache::default(),
            cache: Default::default(),
            password_work: Gate::new(
                Gate::cores_but_one(),
                32,
                Duration::from_millis(1500),
                "The server is busy checking other passwords. Please try again in a few seconds.",
            ),
            image_work: Gate::new(
                Gate::cores_but_one(),
                8,
                Duration::from_secs(5),
                "The server is busy with other pictures. Please try again in a few seconds.",
            ),
            import_work: Gate::new(
                1,
                4,
                Duration::from_secs(20),
                "The server is busy reading another spreadsheet. Please try again in a moment.",
            ),
            metrics: Default::default(),
            started: std::time::Instant::now(),
            db_answered_at: Default::default(),
        })
    }
}
