//! `/api/kitchen/`: the kitchen's tickets for its tablets (kitchen staff and managers). Tickets
//! are made by orders, never by hand; their status moves through `cafe::kitchen::model::advance`,
//! the kitchen display's own function, so the display and the API cannot disagree.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Moment, PageNumber, Paginated, Problem};
use crate::api::{not_found, of_branch};
use crate::cafe::events::CafeEvent;
use crate::cafe::kitchen::model::{self, Step, Ticket, TicketFilter};
use crate::cafe::kitchen::rules::TicketStatus;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketItemOut {
    pub name: String,
    pub qty: i64,
    pub notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOut {
    pub id: i64,
    /// The table's number; null for takeaway and delivery.
    pub table_num: Option<i64>,
    pub customer_name: String,
    /// The order's note for the kitchen.
    pub special_instructions: String,
    /// `pending`, `preparing` or `completed`.
    pub status: String,
    /// `normal`, `high` or `urgent`.
    pub priority: String,
    pub estimated_minutes: i64,
    pub is_late: bool,
    pub created_at: String,
    pub completed_at: Option<String>,
    /// Where it goes: "Table 4", "Takeaway · Ana".
    pub place: String,
    pub items: Vec<TicketItemOut>,
}

fn out(clock: &BusinessClock, t: Ticket) -> TicketOut {
    TicketOut {
        id: t.id,
        table_num: t.table_number,
        is_late: t.late(),
        priority: t.priority_label().to_lowercase(),
        status: t.status.as_str().into(),
        customer_name: t.customer_name,
        special_instructions: t.notes,
        estimated_minutes: t.estimated_minutes,
        created_at: Moment::of(clock, t.created_at),
        completed_at: Moment::opt(clock, t.completed_at),
        place: t.place,
        items: t
            .lines
            .into_iter()
            .map(|l| TicketItemOut {
                name: l.name,
                qty: l.quantity,
                notes: l.notes,
            })
            .collect(),
    }
}

fn status_of(raw: &str) -> Option<TicketStatus> {
    [
        TicketStatus::Pending,
        TicketStatus::Preparing,
        TicketStatus::Completed,
    ]
    .into_iter()
    .find(|s| s.as_str() == raw)
}

fn bad_status() -> AppError {
    AppError::BadRequest(
        "Invalid status. Choose from: ['pending', 'preparing', 'completed']".into(),
    )
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TicketsQuery {
    /// `pending`, `preparing` or `completed`.
    pub status: String,
    /// `normal`, `high` or `urgent`.
    pub priority: String,
    /// A table's number.
    pub table_num: String,
    /// A business day, `2026-12-01`.
    #[serde(rename = "created_at__date")]
    pub created_at_date: String,
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

/// The branch's tickets, oldest first, 20 a page.
#[utoipa::path(get, path = "/api/kitchen/", tag = "kitchen", params(TicketsQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<TicketOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<TicketsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let status = match q.status.trim() {
        "" => None,
        s => Some(status_of(s).ok_or_else(bad_status)?),
    };
    let priority = match q.priority.trim().to_lowercase().as_str() {
        "" => None,
        "normal" => Some(0),
        "high" => Some(1),
        "urgent" => Some(2),
        _ => {
            return Err(AppError::field_invalid(
                "priority",
                "Choose normal, high or urgent.",
            ))
        }
    };
    let day = crate::platform::forms::filter_date(Some(q.created_at_date.as_str()), "The day")
        .map_err(|m| AppError::field_invalid("created_at__date", m))?;
    let clock = state.clock;
    let filter = TicketFilter {
        status,
        priority,
        table_number: json::id_filter(&q.table_num, "table_num")?,
        created: day.and_then(|d| match clock.day_range_utc(Some(d), Some(d)) {
            (Some(from), Some(until)) => Some((from, until)),
            _ => None,
        }),
    };
    let requested = json::id_filter(&q.branch, "branch")?;
    let (count, rows) = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let (count, rows) = model::list(
                c,
                branch,
                &filter,
                (page.offset(), json::PAGE_SIZE),
                BusinessClock::now_utc(),
            )?;
            page.check(count)?;
            Ok((count, rows))
        })
        .await?;
    let rows = rows.into_iter().map(|t| out(&clock, t)).collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

/// A ticket of the caller's branch (404 for another branch's).
fn mine(conn: &mut AnyConnection, user: &CurrentUser, id: i64) -> Result<Ticket, AppError> {
    let branch = model::branch_of(conn, id).map_err(|_| not_found())?;
    of_branch(user, branch)?;
    model::one(conn, id, BusinessClock::now_utc())
}

/// One ticket.
#[utoipa::path(get, path = "/api/kitchen/{id}/", tag = "kitchen", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = TicketOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let t = state.db.read(move |c| mine(c, &user, id)).await?;
    Ok(json::ok(&out(&state.clock, t)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StatusBody {
    /// `preparing` (start, or recall a finished ticket within minutes) or `completed`.
    pub status: Option<String>,
}

/// The kitchen's step for a wanted status; `None` when the ticket is there already.
fn step_to(now: TicketStatus, wanted: TicketStatus) -> Result<Option<Step>, AppError> {
    use TicketStatus::*;
    match (now, wanted) {
        (a, b) if a == b => Ok(None),
        (Pending, Preparing) => Ok(Some(Step::Start)),
        (_, Completed) => Ok(Some(Step::Done)),
        (Completed, Preparing) => Ok(Some(Step::Recall)),
        (_, Pending) => Err(AppError::Conflict(
            "A ticket the kitchen has started cannot go back to pending.".into(),
        )),
        _ => Err(bad_status()),
    }
}

fn set_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: &CurrentUser,
    id: i64,
    wanted: TicketStatus,
) -> Result<(Ticket, Option<(i64, i64)>), AppError> {
    let t = mine(conn, user, id)?;
    match step_to(t.status, wanted)? {
        None => Ok((t, None)),
        Some(step) => {
            let moved = model::advance(conn, actor, id, step)?;
            Ok((model::one(conn, id, BusinessClock::now_utc())?, Some(moved)))
        }
    }
}

/// Move a ticket: start it, finish it, or recall a just-finished one. Asking for the status it
/// already has changes nothing.
#[utoipa::path(patch, path = "/api/kitchen/{id}/status/", tag = "kitchen",
    request_body = StatusBody, params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = TicketOut), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not a step the kitchen can take")))]
pub async fn status(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<StatusBody>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let wanted = status_of(body.status.as_deref().unwrap_or("")).ok_or_else(bad_status)?;
    let (t, moved) = state
        .db
        .write(move |c| set_status(c, &actor, &user, id, wanted))
        .await?;
    if let Some((branch, session)) = moved {
        state.events.publish(CafeEvent::ticket(branch, session));
    }
    Ok(json::ok(&out(&state.clock, t)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BulkBody {
    pub ids: Option<Vec<i64>>,
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkOut {
    /// Tickets that changed (unknown ids, other branches' and those already there count 0).
    pub updated: usize,
}

/// Move many tickets at once ("complete all"), each through the same step as one at a time,
/// in one transaction.
#[utoipa::path(post, path = "/api/kitchen/bulk_update/", tag = "kitchen", request_body = BulkBody,
    security(("token" = [])),
    responses((status = 200, body = BulkOut), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "One of the steps cannot be taken; nothing changed")))]
pub async fn bulk_update(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<BulkBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let wanted = status_of(body.status.as_deref().unwrap_or("")).ok_or_else(bad_status)?;
    let mut ids = body.ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "Provide a non-empty list of ids.".into(),
        ));
    }
    if ids.len() > 200 {
        return Err(AppError::BadRequest("At most 200 ids at once.".into()));
    }
    ids.sort_unstable();
    ids.dedup();
    let moved = state
        .db
        .write(move |c| {
            let mut moved = Vec::new();
            for id in ids {
                match set_status(c, &actor, &user, id, wanted) {
                    Ok((_, Some(m))) => moved.push(m),
                    Ok((_, None)) | Err(AppError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(moved)
        })
        .await?;
    for (branch, session) in &moved {
        state.events.publish(CafeEvent::ticket(*branch, *session));
    }
    Ok(json::ok(&BulkOut {
        updated: moved.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_between_statuses() {
        use TicketStatus::*;
        assert_eq!(step_to(Pending, Preparing).unwrap(), Some(Step::Start));
        assert_eq!(step_to(Preparing, Completed).unwrap(), Some(Step::Done));
        assert_eq!(step_to(Pending, Completed).unwrap(), Some(Step::Done));
        assert_eq!(step_to(Completed, Preparing).unwrap(), Some(Step::Recall));
        assert_eq!(step_to(Completed, Completed).unwrap(), None);
        assert!(step_to(Preparing, Pending).is_err());
    }
}
