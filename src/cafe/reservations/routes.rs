//! `/reservations`: the day's bookings grouped by time, free tables for a party, the booking
//! form and the status buttons.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::cafe::reservations::model::{self, Filter, ReservationRow, Source};
use crate::cafe::reservations::rules::{self, Action, ReservationForm, Status};
use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::tables::model::{self as tables, CafeTable};
use crate::platform::auth::scope::check as check_scope;
use crate::platform::auth::{CurrentUser, Staff};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors};
use crate::platform::page::{html_status, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub branch: String,
    pub date: String,
    pub status: String,
    pub table_id: String,
    pub q: String,
    /// "Find a table": party size and time on the chosen day.
    pub party: String,
    pub time: String,
    pub page: Option<String>,
}

/// One time of day on the day view, with its bookings.
pub struct Slot {
    pub time: String,
    pub rows: Vec<(ReservationRow, String)>,
}

#[derive(Template)]
#[template(path = "cafe/reservations/list.html")]
struct ListPage {
    ctx: PageCtx,
    branch: CafeBranch,
    query: ListQuery,
    day: NaiveDate,
    prev_day: NaiveDate,
    next_day: NaiveDate,
    slots: Vec<Slot>,
    statuses: [Status; 6],
    tables: Vec<CafeTable>,
    /// Free tables for the party and time asked, when asked.
    free: Option<Vec<CafeTable>>,
    pager: Pager,
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let clock = state.clock;
    let requested = scope::parse_requested(&query.branch)?;
    let day = match query.date.trim() {
        "" => clock.today(),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest("The date must be a date such as 2026-12-05.".into())
        })?,
    };
    let status = match query.status.trim() {
        "" => None,
        raw => Some(
            Status::parse(raw)
                .ok_or_else(|| AppError::BadRequest("Choose a status from the list.".into()))?,
        ),
    };
    let table_id = forms::optional_id(&query.table_id)
        .map_err(|_| AppError::BadRequest("Choose a table from the list.".into()))?;
    let text = query.q.trim().to_lowercase();
    if text.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "The search can be at most 100 characters.".into(),
        ));
    }
    let find = match (query.party.trim(), query.time.trim()) {
        ("", "") => None,
        (party, time) => {
            let party = party
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=rules::MAX_PARTY).contains(p))
                .ok_or_else(|| AppError::BadRequest("The party size is 1 to 50 guests.".into()))?;
            let time = settings::parse_time(time)
                .ok_or_else(|| AppError::BadRequest("Enter a time such as 19:30.".into()))?;
            Some((party, time))
        }
    };
    let page = PageRequest::parse(query.page.as_deref(), 100)?;
    let (from, to) = clock.day_range_utc(Some(day), Some(day));
    let filter = Filter {
        from,
        to,
        status,
        table_id,
        q: (!text.is_empty()).then_some(text),
        latest_first: false,
    };
    let st = state.clone();
    let (branch, mut rows, tables, free) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let rows = model::list(c, branch.id, &filter, page.offset(), page.fetch())?;
            let tables = tables::list(c, branch.id, false)?;
            let free = match find {
                None => None,
                Some((party, time)) => {
                    let cafe = settings::load(c, &st.config)?;
                    let start = clock.local_to_utc(day.and_time(time));
                    let end = start + Duration::minutes(cafe.reservation_minutes);
                    Some(model::free_tables(c, branch.id, start, end, party)?)
                }
            };
            Ok((branch, rows, tables, free))
        })
        .await?;
    let pager = Pager::cut(
        page,
        &mut rows,
        filter_query(&[
            ("branch", &query.branch),
            ("date", &day.to_string()),
            ("status", &query.status),
            ("table_id", &query.table_id),
            ("q", &query.q),
        ]),
    );
    let mut slots: Vec<Slot> = Vec::new();
    for row in rows {
        let start = clock.to_local(row.r.starts_at).format("%H:%M").to_string();
        let end = clock.to_local(row.r.ends_at).format("%H:%M").to_string();
        match slots.last_mut() {
            Some(s) if s.time == start => s.rows.push((row, end)),
            _ => slots.push(Slot {
                time: start,
                rows: vec![(row, end)],
            }),
        }
    }
    html_status(
        StatusCode::OK,
        &ListPage {
            ctx,
            branch,
            query,
            day,
            prev_day: day.pred_opt().unwrap_or(day),
            next_day: day.succ_opt().unwrap_or(day),
            slots,
            statuses: Status::ALL,
            tables,
            free,
            pager,
        },
    )
}

#[derive(Template)]
#[template(path = "cafe/reservations/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    branch_id: i64,
    form: ReservationForm,
    errors: FormErrors,
    tables: Vec<CafeTable>,
    cafe: CafeSettings,
}

async fn form_page(
    ctx: PageCtx,
    state: &AppState,
    branch_id: i64,
    id: Option<i64>,
    form: ReservationForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let config = state.clone_config();
    let (tables, cafe) = state
        .db
        .read(move |c| {
            Ok((
                tables::list(c, branch_id, false)?,
                settings::load(c, &config)?,
            ))
        })
        .await?;
    html_status(
        status,
        &FormPage {
            ctx,
            id,
            branch_id,
            form,
            errors,
            tables,
            cafe,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub branch: String,
    pub date: String,
    pub time: String,
    pub table_id: String,
    pub party: String,
}

pub async fn new(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = scope::parse_requested(&q.branch)?;
    let branch = state
        .db
        .read(move |c| scope::resolve(c, &user, requested))
        .await?;
    let form = ReservationForm {
        table_id: q.table_id.clone(),
        party_size: if q.party.is_empty() {
            "2".into()
        } else {
            q.party.clone()
        },
        date: if q.date.is_empty() {
            state.clock.today().to_string()
        } else {
            q.date.clone()
        },
        time: q.time.clone(),
        key: crate::platform::auth::session::new_token(),
        ..Default::default()
    };
    form_page(
        ctx,
        &state,
        branch.id,
        None,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The refusal of a booking shown on its form, or an error page.
async fn refused(
    ctx: PageCtx,
    state: &AppState,
    branch_id: i64,
    id: Option<i64>,
    form: ReservationForm,
    e: AppError,
) -> Result<HttpResponse, AppError> {
    match e {
        AppError::Fields { status, errors } => {
            form_page(ctx, state, branch_id, id, form, errors, status).await
        }
        AppError::Conflict(m) => {
            let mut errors = FormErrors::default();
            errors.add("time", m);
            form_page(
                ctx,
                state,
                branch_id,
                id,
                form,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        e => Err(e),
    }
}

pub async fn create(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<ReservationForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let form = form.into_inner();
    let requested = scope::parse_requested(&form.branch_id)?;
    let u = user.clone();
    let config = state.clone_config();
    let (branch, cafe) = state
        .db
        .read(move |c| {
            Ok((
                scope::resolve(c, &u, requested)?,
                settings::load(c, &config)?,
            ))
        })
        .await?;
    if branch.archived {
        return Err(AppError::Conflict(format!("{} is archived.", branch.name)));
    }
    let input = match rules::validate(&form, cafe.reservation_minutes) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                ctx,
                &state,
                branch.id,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let key =
        crate::retail::pos::cart::idempotency_key(&serde_json::Value::String(form.key.clone()))
            .map_err(|_| AppError::BadRequest("The form is out of date: open it again.".into()))?;
    let clock = state.clock;
    let branch_id = branch.id;
    let i = input.clone();
    let done = state
        .db
        .write(move |c| {
            model::create(
                c,
                &actor,
                branch_id,
                &i,
                Source::Staff,
                Some(&key),
                &clock,
                &cafe,
            )
        })
        .await;
    match done {
        Ok(_) => {
            flash::success(
                &session,
                format!(
                    "{} × {} booked for {} at {}.",
                    input.customer_name,
                    input.party_size,
                    input.date.format("%d %b"),
                    input.time.format("%H:%M")
                ),
            );
            Ok(see_other(&format!(
                "/reservations?branch={branch_id}&date={}",
                input.date
            )))
        }
        Err(e) => refused(ctx, &state, branch_id, None, form, e).await,
    }
}

pub async fn edit(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let r = state.db.read(move |c| model::find(c, id)).await?;
    check_scope(&user, r.branch_id)?;
    let local = state.clock.to_local(r.starts_at).naive_local();
    let form = ReservationForm {
        table_id: r.table_id.to_string(),
        customer_name: r.customer_name.clone(),
        customer_phone: r.customer_phone.clone(),
        party_size: r.party_size.to_string(),
        date: local.date().to_string(),
        time: local.time().format("%H:%M").to_string(),
        minutes: (r.ends_at - r.starts_at).num_minutes().to_string(),
        notes: r.notes.clone(),
        key: String::new(),
        branch_id: r.branch_id.to_string(),
    };
    form_page(
        ctx,
        &state,
        r.branch_id,
        Some(id),
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<ReservationForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let form = form.into_inner();
    let config = state.clone_config();
    let (r, cafe) = state
        .db
        .read(move |c| Ok((model::find(c, id)?, settings::load(c, &config)?)))
        .await?;
    check_scope(&user, r.branch_id)?;
    let input = match rules::validate(&form, cafe.reservation_minutes) {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                ctx,
                &state,
                r.branch_id,
                Some(id),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let clock = state.clock;
    let i = input.clone();
    let done = state
        .db
        .write(move |c| model::update(c, &actor, id, &i, &clock, &cafe))
        .await;
    match done {
        Ok(()) => {
            flash::success(
                &session,
                format!("The booking of {} was saved.", input.customer_name),
            );
            Ok(see_other(&format!(
                "/reservations?branch={}&date={}",
                r.branch_id, input.date
            )))
        }
        Err(e) => refused(ctx, &state, r.branch_id, Some(id), form, e).await,
    }
}

pub async fn act(staff: Staff, path: web::Path<(i64, String)>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let (id, action) = path.into_inner();
    let action = Action::parse(&action).ok_or_else(|| AppError::not_found("That action"))?;
    let r = state.db.read(move |c| model::find(c, id)).await?;
    check_scope(&user, r.branch_id)?;
    let done = state
        .db
        .write(move |c| model::act(c, &actor, id, action))
        .await?;
    let day = state.clock.to_local(done.starts_at).date_naive();
    let said = match action {
        Action::Seat => format!(
            "{} is seated; the table's bill is open on the floor.",
            done.customer_name
        ),
        _ => format!(
            "The booking of {} is {}.",
            done.customer_name,
            done.status().label().to_lowercase()
        ),
    };
    flash::success(&session, said);
    Ok(see_other(&format!(
        "/reservations?branch={}&date={day}",
        done.branch_id
    )))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestQuery {
    pub branch: String,
}

#[derive(Template)]
#[template(path = "cafe/reservations/request.html")]
struct RequestPage {
    ctx: PageCtx,
    branch_id: i64,
    cafe: CafeSettings,
    form: ReservationForm,
    errors: FormErrors,
    /// The thank-you line once a request is in.
    done: Option<String>,
}

/// The branch a public request is for: the one named, else the first with tables.
fn public_branch(
    conn: &mut crate::platform::db::AnyConnection,
    raw: &str,
) -> Result<i64, AppError> {
    use crate::platform::schema::{branches, cafe_tables};
    use diesel::prelude::*;
    let named = forms::optional_id(raw).map_err(|_| AppError::not_found("That cafe"))?;
    let mut q = cafe_tables::table
        .inner_join(branches::table)
        .filter(cafe_tables::is_active.eq(true))
        .filter(branches::is_active.eq(true))
        .into_boxed::<crate::platform::db::MultiBackend>();
    if let Some(id) = named {
        q = q.filter(branches::id.eq(id));
    }
    q.order(branches::id.asc())
        .select(branches::id)
        .first::<i64>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That cafe"))
}

async fn request_page(
    ctx: PageCtx,
    state: &AppState,
    branch: String,
    form: Option<ReservationForm>,
    errors: FormErrors,
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let config = state.clone_config();
    let (branch_id, cafe) = state
        .db
        .read(move |c| Ok((public_branch(c, &branch)?, settings::load(c, &config)?)))
        .await?;
    let form = form.unwrap_or_else(|| ReservationForm {
        party_size: "2".into(),
        date: state.clock.today().to_string(),
        key: crate::platform::auth::session::new_token(),
        ..Default::default()
    });
    html_status(
        status,
        &RequestPage {
            ctx,
            branch_id,
            cafe,
            form,
            errors,
            done,
        },
    )
}

/// `GET /reserve?branch=`: the public booking request form.
pub async fn request_form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<RequestQuery>,
) -> Result<HttpResponse, AppError> {
    request_page(
        ctx,
        &state,
        q.into_inner().branch,
        None,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /reserve`: a Pending booking on the smallest free table that fits.
pub async fn request(
    req: actix_web::HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<ReservationForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    // The guest names no table: the check below picks one.
    form.table_id = "1".into();
    let branch = form.branch_id.clone();
    let config = state.clone_config();
    let b = branch.clone();
    let (branch_id, cafe) = state
        .db
        .read(move |c| Ok((public_branch(c, &b)?, settings::load(c, &config)?)))
        .await?;
    let input = match rules::validate(&form, cafe.reservation_minutes) {
        Ok(mut i) => {
            i.minutes = cafe.reservation_minutes;
            i
        }
        Err(errors) => {
            return request_page(
                ctx,
                &state,
                branch,
                Some(form),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let key =
        crate::retail::pos::cart::idempotency_key(&serde_json::Value::String(form.key.clone()))
            .map_err(|_| AppError::BadRequest("The form is out of date: open it again.".into()))?;
    let hint = crate::cafe::visitors::hint(&req);
    // Every attempt counts, refused or not: its own transaction, before the booking's.
    let h = hint.clone();
    state
        .db
        .write(move |c| {
            crate::cafe::visitors::admit(
                c,
                crate::cafe::visitors::GuestWrite::Reservation,
                &h,
                branch_id,
                crate::platform::clock::BusinessClock::now_utc(),
            )
        })
        .await?;
    let clock = state.clock;
    let i = input.clone();
    let done = state
        .db
        .write(move |c| model::request(c, &hint, branch_id, &i, &key, &clock, &cafe))
        .await;
    match done {
        Ok(_) => {
            let said = format!(
                "Thank you, {}. We have your request for {} on {} at {}; the cafe will call {} to confirm.",
                input.customer_name,
                input.party_size,
                input.date.format("%A %d %B"),
                input.time.format("%H:%M"),
                input.customer_phone
            );
            request_page(
                ctx,
                &state,
                branch,
                None,
                FormErrors::default(),
                Some(said),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Fields { status, errors }) => {
            request_page(ctx, &state, branch, Some(form), errors, None, status).await
        }
        Err(e) => Err(e),
    }
}
