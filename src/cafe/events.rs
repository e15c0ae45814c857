//! Live updates for the kitchen display and the guest's order status: every change to a
//! ticket or a session is announced on an in-process channel after its transaction
//! commits, and streamed to browsers as server-sent events. An event only says *what* changed;
//! the page then fetches the current state, so a browser that missed events (a network blip, a
//! lagging reader) catches up by fetching once after it reconnects.

use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::HttpResponse;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A guest or waiter placed an order: the kitchen has a new ticket.
    TicketNew,
    /// A ticket was started, completed or re-prioritised.
    TicketChanged,
    /// A session's bill was printed, the session was closed, lines changed, staff was called.
    Session,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            EventKind::TicketNew => "ticket_new",
            EventKind::TicketChanged => "ticket",
            EventKind::Session => "session",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CafeEvent {
    pub branch_id: i64,
    pub session_id: Option<i64>,
    pub kind: EventKind,
}

impl CafeEvent {
    pub fn ticket_new(branch_id: i64, session_id: i64) -> CafeEvent {
        CafeEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::TicketNew,
        }
    }

    pub fn ticket(branch_id: i64, session_id: i64) -> CafeEvent {
        CafeEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::TicketChanged,
        }
    }

    pub fn session(branch_id: i64, session_id: i64) -> CafeEvent {
        CafeEvent {
            branch_id,
            session_id: Some(session_id),
            kind: EventKind::Session,
        }
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

pub struct EventHub(broadcast::Sender<CafeEvent>);

impl Default for EventHub {
    fn default() -> Self {
        // Readers that fall this far behind get a `resync` and fetch the whole state again.
        EventHub(broadcast::channel(1024).0)
    }
}

impl EventHub {
    /// Announces a committed change. Nobody listening is fine.
    pub fn publish(&self, event: CafeEvent) {
        let _ = self.0.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CafeEvent> {
        self.0.subscribe()
    }
}

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A `text/event-stream` response with the events `keep` selects. A comment line every 15 s
/// keeps proxies from closing the connection and lets us notice a browser that went away.
pub fn stream<F>(rx: broadcast::Receiver<CafeEvent>, keep: F) -> HttpResponse
where
    F: Fn(&CafeEvent) -> bool + 'static,
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
                        Ok(ev) if keep(&ev) => {
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
        let b = CafeEvent::ticket_new(1, 7).to_sse();
        assert_eq!(&b[..], b"event: ticket_new\ndata: {\"session_id\":7}\n\n");
        let b = CafeEvent::session(2, 9).to_sse();
        assert_eq!(&b[..], b"event: session\ndata: {\"session_id\":9}\n\n");
    }
}
