//! Live updates (a platform mechanism; the cafe's kitchen display, floor and guest status use it): every change
//! to a ticket or a session is announced on an in-process channel after its transaction
//! commits, and streamed to browsers as server-sent events. An event only says *what* changed;
//! the page then fetches the current state, so a browser that missed events (a network blip, a
//! lagging reader) catches up by fetching once after it reconnects.
//!
//! Several instances on one PostgreSQL database: each event is also sent with `pg_notify` on
//! the `tillpoint_cafe` channel, tagged with this instance's id, and every instance listens on
//! a dedicated connection (a thread polling `notifications_iter`), passing on the events of the
//! *other* instances to its own browsers. After the listening connection drops, the thread
//! reconnects and sends its browsers a `resync`, so they fetch what they may have missed.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::HttpResponse;
use diesel::RunQueryDsl;
use tokio::sync::broadcast;

use crate::platform::db::{Db, DbPool, DbTarget};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A guest or waiter placed an order: the kitchen has a new ticket.
    TicketNew,
    /// A ticket was started, completed or re-prioritised.
    TicketChanged,
    /// A session's bill was printed, the session was closed, lines changed, staff was called.
    Session,
    /// Events may have been missed (the instance's listening connection came back): every
    /// stream passes it on, whatever it filters, and pages fetch their whole state.
    Resync,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            EventKind::TicketNew => "ticket_new",
            EventKind::TicketChanged => "ticket",
            EventKind::Session => "session",
            EventKind::Resync => "resync",
        }
    }

    fn parse(s: &str) -> Option<EventKind> {
        [
            EventKind::TicketNew,
            EventKind::TicketChanged,
            EventKind::Session,
            EventKind::Resync,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveEvent {
    pub branch_id: i64,
    pub session_id: Option<i64>,
    pub kind: EventKind,
}

impl LiveEvent {
    pub fn ticket_new(branch_id: i64, session_id: i64) -> LiveEvent {
        LiveEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::TicketNew,
        }
    }

    pub fn ticket(branch_id: i64, session_id: i64) -> LiveEvent {
        LiveEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::TicketChanged,
        }
    }

    pub fn session(branch_id: i64, session_id: i64) -> LiveEvent {
        LiveEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::Session,
        }
    }

    pub fn resync() -> LiveEvent {
        LiveEvent {
            branch_id: 0,
            session_id: None,
            kind: EventKind::Resync,
        }
    }

    /// `instance|kind|branch|session` — what travels through `pg_notify`.
    fn to_payload(self, instance: &str) -> String {
        format!(
            "{instance}|{}|{}|{}",
            self.kind.name(),
            self.branch_id,
            self.session_id.map(|s| s.to_string()).unwrap_or_default()
        )
    }

    fn from_payload(p: &str) -> Option<(String, LiveEvent)> {
        let mut it = p.split('|');
        let instance = it.next()?.to_string();
        let kind = EventKind::parse(it.next()?)?;
        let branch_id = it.next()?.parse().ok()?;
        let session_id = match it.next()? {
            "" => None,
            s => Some(s.parse().ok()?),
        };
        Some((
            instance,
            LiveEvent {
                branch_id,
                session_id,
                kind,
            },
        ))
    }

    fn to_sse(self) -> Bytes {
        Bytes::from(format!(
            "event: {}\ndata: {{\"session_id\":{}}}\n\n",
            self.kind.name(),
            self.session_id
                .map(|s| s.to_string())
                .unwrap_or_else(|| "null".into())
        ))
    }
}

const CHANNEL: &str = "tillpoint_cafe";

pub struct EventHub {
    local: Arc<broadcast::Sender<LiveEvent>>,
    /// PostgreSQL: the pool that sends `pg_notify`, and this instance's id.
    relay: Option<(DbPool, String)>,
}

impl Default for EventHub {
    fn default() -> Self {
        // Readers that fall this far behind get a `resync` and fetch the whole state again.
        EventHub {
            local: Arc::new(broadcast::channel(1024).0),
            relay: None,
        }
    }
}

impl EventHub {
    /// The in-process channel; on PostgreSQL also the relay to and from the other instances
    /// (the listening thread stops by itself once this hub is dropped).
    pub fn new(db: &Db) -> EventHub {
        let mut hub = EventHub::default();
        if let DbTarget::Postgres(url) = db.target() {
            let instance = {
                use rand::RngCore;
                let mut b = [0u8; 16];
                rand::rng().fill_bytes(&mut b);
                hex::encode(b)
            };
            listen(url.clone(), instance.clone(), Arc::downgrade(&hub.local));
            hub.relay = Some((db.pool().clone(), instance));
        }
        hub
    }

    /// Announces a committed change: to this instance's streams at once, and to the other
    /// instances through PostgreSQL. Nobody listening is fine; a failed relay is logged (the
    /// other instances' pages still refresh every 30 s).
    pub fn publish(&self, event: LiveEvent) {
        let _ = self.local.send(event);
        if let Some((pool, instance)) = &self.relay {
            let (pool, payload) = (pool.clone(), event.to_payload(instance));
            actix_web::rt::task::spawn_blocking(move || {
                let sent = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                    diesel::sql_query("SELECT pg_notify($1, $2)")
                        .bind::<diesel::sql_types::Text, _>(CHANNEL)
                        .bind::<diesel::sql_types::Text, _>(&payload)
                        .execute(&mut *c)
                        .map_err(|e| e.to_string())
                });
                if let Err(e) = sent {
                    tracing::warn!("live event not relayed to other instances: {e}");
                }
            });
        }
    }

    /// Open live streams on this instance.
    pub fn clients(&self) -> usize {
        self.local.receiver_count()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.local.subscribe()
    }
}

/// How often the listening thread looks for notifications, and checks its connection.
const POLL: Duration = Duration::from_millis(50);
const HEARTBEAT: Duration = Duration::from_secs(2);

/// The listening thread: one dedicated connection, `LISTEN`, then passes on what other
/// instances announce; reconnects after a drop and then tells its browsers to resync.
fn listen(url: String, instance: String, hub: Weak<broadcast::Sender<LiveEvent>>) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let spawned = std::thread::Builder::new()
        .name("tillpoint-listen".into())
        .spawn(move || {
            let mut connected_before = false;
            while hub.strong_count() > 0 {
                let mut conn = match diesel::PgConnection::establish(&url)
                    .map_err(|e| e.to_string())
                    .and_then(|mut c| {
                        c.batch_execute(&format!(
                            "SET application_name = 'tillpoint-listen'; LISTEN {CHANNEL}"
                        ))
                        .map(|_| c)
                        .map_err(|e| e.to_string())
                    }) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("live events from other instances paused: {e}");
                        std::thread::sleep(Duration::from_secs(1));
                        continue;
                    }
                };
                if connected_before {
                    tracing::info!("live events from other instances resumed");
                    if let Some(h) = hub.upgrade() {
                        let _ = h.send(LiveEvent::resync());
                    }
                }
                connected_before = true;
                let mut beat = std::time::Instant::now();
                'connected: loop {
                    std::thread::sleep(POLL);
                    let Some(h) = hub.upgrade() else { return };
                    for n in conn.notifications_iter() {
                        match n {
                            Ok(n) => match LiveEvent::from_payload(&n.payload) {
                                Some((from, ev)) if from != instance => {
                                    let _ = h.send(ev);
                                }
                                _ => {}
                            },
                            Err(e) => {
                                tracing::warn!("live event connection lost: {e}");
                                break 'connected;
                            }
                        }
                    }
                    if beat.elapsed() >= HEARTBEAT {
                        beat = std::time::Instant::now();
                        if let Err(e) = conn.batch_execute("SELECT 1") {
                            tracing::warn!("live event connection lost: {e}");
                            break 'connected;
                        }
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the live event listener: {e}");
    }
}

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A `text/event-stream` response with the events `keep` selects. A comment line every 15 s
/// keeps proxies from closing the connection and lets us notice a browser that went away.
pub fn stream<F>(rx: broadcast::Receiver<LiveEvent>, keep: F) -> HttpResponse
where
    F: Fn(&LiveEvent) -> bool + 'static,
{
    use broadcast::error::RecvError;
    // Browsers reconnect 2 s after a drop; "hello" tells the page to fetch the current state.
    let hello = Bytes::from_static(b"retry: 2000\nevent: hello\ndata: {}\n\n");
    let mut ticker = tokio::time::interval(KEEP_ALIVE);
    ticker.reset();
    let body = futures_util::stream::unfold(
        (rx, ticker, keep, Some(hello)),
        |(mut rx, mut ticker, keep, first)| async move {
            if let Some(b) = first {
                return Some((Ok::<_, actix_web::Error>(b), (rx, ticker, keep, None)));
            }
            loop {
                tokio::select! {
                    r = rx.recv() => match r {
                        Ok(ev) if ev.kind == EventKind::Resync || keep(&ev) => {
                            return Some((Ok(ev.to_sse()), (rx, ticker, keep, None)));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => {
                            let b = Bytes::from_static(b"event: resync\ndata: {}\n\n");
                            return Some((Ok(b), (rx, ticker, keep, None)));
                        }
                        Err(RecvError::Closed) => return None,
                    },
                    _ = ticker.tick() => {
                        return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), (rx, ticker, keep, None)));
                    }
                }
            }
        },
    );
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache, no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_named_lines() {
        let b = LiveEvent::ticket_new(1, 7).to_sse();
        assert_eq!(&b[..], b"event: ticket_new\ndata: {\"session_id\":7}\n\n");
        let b = LiveEvent::session(2, 9).to_sse();
        assert_eq!(&b[..], b"event: session\ndata: {\"session_id\":9}\n\n");
    }

    #[test]
    fn payloads_round_trip() {
        for ev in [
            LiveEvent::ticket_new(1, 7),
            LiveEvent::ticket(3, 9),
            LiveEvent::session(2, 11),
            LiveEvent::resync(),
        ] {
            let p = ev.to_payload("abc");
            assert_eq!(LiveEvent::from_payload(&p), Some(("abc".to_string(), ev)));
        }
        assert_eq!(LiveEvent::from_payload("x|nonsense|1|2"), None);
        assert_eq!(LiveEvent::from_payload("x|session|a|2"), None);
    }
}
