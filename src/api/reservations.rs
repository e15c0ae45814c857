//! `/api/reservations/`: bookings (waiters and managers; the seed listed every guest's name
//! and phone to anyone). A booking holds its table for a length of time, so 19:00 and 19:15 on
//! one table clash (409) — the old system only refused the exact same minute. Created, changed
//! and moved through `cafe::reservations::{rules, model}`, as on the bookings page.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, Moment, PageNumber, Paginated, Problem};
use crate::api::tables::by_number;
use crate::api::{not_found, of_branch};
use crate::cafe::reservations::model::{self, Filter, Reservation, Source};
use crate::cafe::reservations::rules::{self, Action, ReservationForm, Status};
use crate::cafe::settings;
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationOut {
    pub id: i64,
    /// The table's id.
    pub table: i64,
    pub table_number: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub party_size: i64,
    /// The business day, `2026-12-01`.
    pub reserved_date: String,
    /// `19:30:00`, business time.
    pub reserved_time: String,
    /// How long the table is held.
    pub duration_minutes: i64,
    pub ends_at: String,
    pub notes: String,
    /// `pending`, `confirmed`, `seated`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// `staff` or `guest` (the public booking form).
    pub source: String,
}

fn out(clock: &BusinessClock, r: Reservation, table_number: i64) -> ReservationOut {
    let start = clock.to_local(r.starts_at);
    ReservationOut {
        id: r.id,
        table: r.table_id,
        table_number,
        reserved_date: start.format("%Y-%m-%d").to_string(),
        reserved_time: start.format("%H:%M:%S").to_string(),
        duration_minutes: (r.ends_at - r.starts_at).num_minutes(),
        ends_at: Moment::of(clock, r.ends_at),
        status: r.status().as_str().replace('-', "_"),
        customer_name: r.customer_name,
        customer_phone: r.customer_phone,
        party_size: r.party_size,
        notes: r.notes,
        source: r.source,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReservationsQuery {
    /// `pending`, `confirmed`, `seated`, `completed`, `cancelled`, `no_show`.
    pub status: String,
    /// A business day, `2026-12-01`.
    pub reserved_date: String,
    /// A table's number.
    #[serde(rename = "table__number")]
    pub table_number: String,
    /// Text in the guest's name or phone.
    pub search: String,
    /// `reserved_date` or `reserved_time`, `-` first for latest first.
    pub ordering: String,
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

fn status_of(raw: &str) -> Option<Status> {
    Status::parse(&raw.replace('_', "-"))
}

/// The branch's bookings, earliest first, 20 a page.
#[utoipa::path(get, path = "/api/reservations/", tag = "reservations", params(ReservationsQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<ReservationOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ReservationsQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let status =
        match q.status.trim() {
            "" => None,
            s => Some(status_of(s).ok_or_else(|| {
                AppError::field_invalid("status", "Choose a status from the list.")
            })?),
        };
    let day = crate::platform::forms::filter_date(Some(q.reserved_date.as_str()), "The date")
        .map_err(|m| AppError::field_invalid("reserved_date", m))?;
    let latest_first = json::ordering(&q.ordering, &["reserved_date", "reserved_time"])?
        .is_some_and(|o| o.descending);
    let clock = state.clock;
    let (from, to) = clock.day_range_utc(day, day);
    let number = json::id_filter(&q.table_number, "table__number")?;
    let search = json::search_text(&q.search)?;
    let requested = json::id_filter(&q.branch, "branch")?;
    let (count, rows) = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let table_id = match number {
                Some(n) => match by_number(c, branch, n) {
                    Ok(t) => Some(t.id),
                    Err(_) => Some(-1),
                },
                None => None,
            };
            let f = Filter {
                from,
                to,
                status,
                table_id,
                q: search,
                latest_first,
            };
            let count = model::count(c, branch, &f)?;
            page.check(count)?;
            let rows = model::list(c, branch, &f, page.offset(), json::PAGE_SIZE)?;
            Ok((count, rows))
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|r| out(&clock, r.r, r.table_number))
        .collect();
    Ok(json::ok(&json::page(&req, page, count, rows)))
}

fn mine(conn: &mut AnyConnection, user: &CurrentUser, id: i64) -> Result<Reservation, AppError> {
    let r = model::find(conn, id).map_err(|_| not_found())?;
    of_branch(user, r.branch_id)?;
    Ok(r)
}

fn reply(
    conn: &mut AnyConnection,
    clock: &BusinessClock,
    id: i64,
) -> Result<ReservationOut, AppError> {
    let r = model::find(conn, id)?;
    let number = crate::cafe::tables::model::find(conn, r.table_id)?.number;
    Ok(out(clock, r, number))
}

/// One booking.
#[utoipa::path(get, path = "/api/reservations/{id}/", tag = "reservations",
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = ReservationOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let clock = state.clock;
    let r = state
        .db
        .read(move |c| {
            mine(c, &user, id)?;
            reply(c, &clock, id)
        })
        .await?;
    Ok(json::ok(&r))
}

/// A booking. A create or replace needs every field but `notes` and `duration_minutes`
/// (default: the cafe's booking length); a PATCH only what changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReservationBody {
    /// The table's id (or give `table_number`).
    pub table: Option<i64>,
    pub table_number: Option<i64>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub party_size: Option<i64>,
    /// `2026-12-01`
    pub reserved_date: Option<String>,
    /// `19:30` or `19:30:00`
    pub reserved_time: Option<String>,
    pub duration_minutes: Option<i64>,
    pub notes: Option<String>,
    /// A one-time key: the same key again answers the first booking.
    pub key: Option<String>,
}

impl ReservationBody {
    fn over(
        self,
        conn: &mut AnyConnection,
        branch_id: i64,
        mut f: ReservationForm,
    ) -> Result<ReservationForm, AppError> {
        let table = match (self.table, self.table_number) {
            (Some(id), _) => Some(id),
            (None, Some(n)) => Some(
                by_number(conn, branch_id, n)
                    .map_err(|_| {
                        AppError::field_invalid("table_number", "There is no such table.")
                    })?
                    .id,
            ),
            _ => None,
        };
        json::fill(&mut f.table_id, table.map(|t| t.to_string()));
        json::fill(&mut f.customer_name, self.customer_name);
        json::fill(&mut f.customer_phone, self.customer_phone);
        json::fill(&mut f.party_size, self.party_size.map(|p| p.to_string()));
        json::fill(&mut f.date, self.reserved_date);
        json::fill(
            &mut f.time,
            self.reserved_time
                .map(|t| t.get(..5).map(str::to_string).unwrap_or(t)),
        );
        json::fill(&mut f.minutes, self.duration_minutes.map(|m| m.to_string()));
        json::fill(&mut f.notes, self.notes);
        json::fill(&mut f.key, self.key);
        Ok(f)
    }
}

fn form_of(clock: &BusinessClock, r: &Reservation) -> ReservationForm {
    let start = clock.to_local(r.starts_at);
    ReservationForm {
        table_id: r.table_id.to_string(),
        customer_name: r.customer_name.clone(),
        customer_phone: r.customer_phone.clone(),
        party_size: r.party_size.to_string(),
        date: start.format("%Y-%m-%d").to_string(),
        time: start.format("%H:%M").to_string(),
        minutes: (r.ends_at - r.starts_at).num_minutes().to_string(),
        notes: r.notes.clone(),
        key: String::new(),
        branch_id: r.branch_id.to_string(),
    }
}

/// Book a table (waiters and managers): confirmed at once. Refused with 409 when it clashes
/// with another booking of the table, 400 outside opening hours or for too big a party.
#[utoipa::path(post, path = "/api/reservations/", tag = "reservations",
    request_body = ReservationBody, params(("branch" = Option<i64>, Query)),
    security(("token" = [])),
    responses((status = 201, body = ReservationOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The table is booked then: `{\"time\": [\"…\"]}`")))]
pub async fn create(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    q: web::Query<crate::api::sessions::BranchQuery>,
    body: web::Json<ReservationBody>,
) -> Result<HttpResponse, AppError> {
    let requested = json::id_filter(&q.branch, "branch")?;
    let body = body.into_inner();
    let (config, clock) = (state.clone_config(), state.clock);
    let r = state
        .db
        .write(move |c| {
            let branch = crate::cafe::scope::resolve(c, &user, requested)?;
            if branch.archived {
                return Err(AppError::Conflict(format!("{} is archived.", branch.name)));
            }
            let cafe = settings::load(c, &config)?;
            let form = body.over(c, branch.id, ReservationForm::default())?;
            let input =
                rules::validate(&form, cafe.reservation_minutes).map_err(json::field_errors)?;
            let key = match form.key.trim() {
                "" => None,
                k => Some(crate::api::sessions::one_time_key(k)?.unwrap_or_default()),
            };
            let id = model::create(
                c,
                &actor,
                branch.id,
                &input,
                Source::Staff,
                key.as_deref(),
                &clock,
                &cafe,
            )?;
            reply(c, &clock, id)
        })
        .await?;
    Ok(json::created(&r))
}

async fn change(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: i64,
    body: ReservationBody,
    partial: bool,
) -> Result<HttpResponse, AppError> {
    let (config, clock) = (state.clone_config(), state.clock);
    let r = state
        .db
        .write(move |c| {
            let r = mine(c, &user, id)?;
            let cafe = settings::load(c, &config)?;
            let base = if partial {
                form_of(&clock, &r)
            } else {
                ReservationForm::default()
            };
            let form = body.over(c, r.branch_id, base)?;
            let input =
                rules::validate(&form, cafe.reservation_minutes).map_err(json::field_errors)?;
            model::update(c, &actor, id, &input, &clock, &cafe)?;
            reply(c, &clock, id)
        })
        .await?;
    Ok(json::ok(&r))
}

/// Replace a booking (every field).
#[utoipa::path(put, path = "/api/reservations/{id}/", tag = "reservations",
    request_body = ReservationBody, params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = ReservationOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "A clash, or a booking that can no longer change")))]
pub async fn replace(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<ReservationBody>,
) -> Result<HttpResponse, AppError> {
    change(
        user,
        actor,
        state,
        id.into_inner(),
        body.into_inner(),
        false,
    )
    .await
}

/// Change some fields of a booking; the clash check always sees the whole new booking (the
/// old system skipped it when only the time was sent).
#[utoipa::path(patch, path = "/api/reservations/{id}/", tag = "reservations",
    request_body = ReservationBody, params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = ReservationOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "A clash, or a booking that can no longer change")))]
pub async fn patch(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<ReservationBody>,
) -> Result<HttpResponse, AppError> {
    change(user, actor, state, id.into_inner(), body.into_inner(), true).await
}

/// Move a booking on: `confirm`, `seat` (opens the table's bill), `cancel`, `complete` or
/// `no_show` — each only from the statuses the bookings page offers it (409 otherwise).
#[utoipa::path(post, path = "/api/reservations/{id}/{action}/", tag = "reservations",
    params(("id" = i64, Path),
        ("action" = String, Path, description = "confirm, seat, cancel, complete or no_show")),
    security(("token" = [])),
    responses((status = 200, body = ReservationOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not from this status")))]
pub async fn act(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let action = Action::parse(&action.replace('_', "-")).ok_or_else(not_found)?;
    let clock = state.clock;
    let r = state
        .db
        .write(move |c| {
            mine(c, &user, id)?;
            model::act(c, &actor, id, action)?;
            reply(c, &clock, id)
        })
        .await?;
    Ok(json::ok(&r))
}
