//! `/mail` (managers): the outbox — what was sent, what waits and why, and "send again" for a
//! message that failed.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::mail::outbox::{self, Row, Status};
use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::page::{html, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OutboxQuery {
    pub status: String,
    pub page: Option<String>,
}

/// A row as the page shows it.
pub struct Line {
    pub row: Row,
    pub status: &'static str,
    pub created: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    query: OutboxQuery,
    tabs: Vec<(&'static str, &'static str, i64)>,
    pager: Pager,
    delivery: String,
}

pub async fn page(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let status =
        match query.status.trim() {
            "" => None,
            s => Some(Status::parse(s).ok_or_else(|| {
                AppError::BadRequest("The status must be one from the list.".into())
            })?),
        };
    let page = PageRequest::parse(query.page.as_deref(), 50)?;
    let (mut rows, counts) = state
        .db
        .read(move |c| {
            Ok((
                outbox::list(c, status, page.offset(), page.fetch())?,
                outbox::counts(c)?,
            ))
        })
        .await?;
    let pager = Pager::cut(page, &mut rows, filter_query(&[("status", &query.status)]));
    let clock = state.clock;
    let lines = rows
        .into_iter()
        .map(|row| {
            let s = Status::parse(&row.status).unwrap_or(Status::Queued);
            Line {
                status: s.label(),
                created: clock.format(row.created_at),
                when: match s {
                    Status::Sent => clock.format_opt(row.sent_at),
                    Status::Queued => format!("next try {}", clock.format(row.next_attempt_at)),
                    _ => String::new(),
                },
                row,
            }
        })
        .collect();
    let count = |s: Status| {
        counts
            .iter()
            .find(|(k, _)| k == s.as_str())
            .map_or(0, |c| c.1)
    };
    let tabs = Status::ALL
        .into_iter()
        .map(|s| (s.as_str(), s.label(), count(s)))
        .collect();
    let delivery = match &state.config.mail.smtp {
        Some(s) => format!("SMTP server {}:{}", s.host, s.port),
        None => format!(
            "no SMTP server is set: messages are written as .eml files to {}",
            state.config.mail.dir.display()
        ),
    };
    html(&OutboxPage {
        ctx,
        lines,
        query,
        tabs,
        pager,
        delivery,
    })
}

/// `POST /mail/{id}/retry`: a failed message goes back in the queue.
pub async fn send_again(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    state
        .db
        .write(move |c| outbox::send_again(c, &actor, id, BusinessClock::now_utc()))
        .await?;
    flash::success(&session, "The message is queued to be sent again.");
    Ok(see_other("/mail?status=queued"))
}
