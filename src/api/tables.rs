//! `/api/tables/`: the cafe's tables, their open bill and their QR code. Staff of the cafe read
//! them; managers change them (`cafe::tables::rules` and `model`, as the tables page does).

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{self, PageNumber, Paginated, Problem};
use crate::api::sessions::{self, SessionOut};
use crate::api::{not_found, of_branch};
use crate::cafe::scope;
use crate::cafe::settings;
use crate::cafe::tables::model::{self, CafeTable};
use crate::cafe::tables::rules::{self, TableForm};
use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_sessions, cafe_tables};
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TableOut {
    pub id: i64,
    pub number: i64,
    pub capacity: i64,
    pub location: String,
    /// `available`, `occupied`, `reserved` or `maintenance`.
    pub status: String,
    /// The address the table's QR code opens (the guest's ordering page).
    pub qr_code_url: String,
    /// The table's number while it has an open bill, else null.
    pub active_session_table_num: Option<i64>,
    pub is_active: bool,
    pub branch_id: i64,
}

fn out(t: CafeTable, url: String, open: bool) -> TableOut {
    TableOut {
        id: t.id,
        active_session_table_num: open.then_some(t.number),
        number: t.number,
        capacity: t.capacity,
        location: t.location,
        status: t.status,
        qr_code_url: url,
        is_active: t.is_active,
        branch_id: t.branch_id,
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TablesQuery {
    /// Text in the location.
    pub search: String,
    /// `number` or `status`, `-` first for descending.
    pub ordering: String,
    pub page: String,
    /// Managers: the branch (default: the first with a cafe).
    pub branch: String,
}

/// The branch's tables, 20 a page, with one query for which have an open bill (not one per table).
#[utoipa::path(get, path = "/api/tables/", tag = "tables", params(TablesQuery),
    security(("token" = [])),
    responses((status = 200, body = Paginated<TableOut>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<TablesQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageNumber::parse(&q.page)?;
    let search = json::search_text(&q.search)?;
    let order = json::ordering(&q.ordering, &["number", "status"])?
        .map(|o| (o.field == "status", o.descending));
    let requested = json::id_filter(&q.branch, "branch")?;
    let config = state.clone_config();
    let rows = state
        .db
        .read(move |c| {
            let branch = crate::api::cafe_branch(c, Some(&user), requested)?;
            let cafe = settings::load(c, &config)?;
            let mut all = model::list(c, branch, false)?;
            if let Some(s) = &search {
                all.retain(|t| t.location.to_lowercase().contains(s.as_str()));
            }
            if let Some((by_status, desc)) = order {
                all.sort_by(|a, b| {
                    let o = if by_status {
                        a.status.cmp(&b.status).then(a.number.cmp(&b.number))
                    } else {
                        a.number.cmp(&b.number)
                    };
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                });
            }
            let open: Vec<i64> = cafe_sessions::table
                .filter(cafe_sessions::branch_id.eq(branch))
                .filter(cafe_sessions::closed_at.is_null())
                .filter(cafe_sessions::table_id.is_not_null())
                .select(cafe_sessions::table_id.assume_not_null())
                .load(c)?;
            Ok(all
                .into_iter()
                .map(|t| {
                    let url = cafe.guest_url(&t.token);
                    let is_open = open.contains(&t.id);
                    out(t, url, is_open)
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(json::ok(&json::page_of_all(&req, page, rows)?))
}

/// A table of the caller's branch (404 for another branch's: its existence is not theirs).
fn mine(conn: &mut AnyConnection, user: &CurrentUser, id: i64) -> Result<CafeTable, AppError> {
    let t = model::find(conn, id).map_err(|_| not_found())?;
    of_branch(user, t.branch_id)?;
    if !t.is_active {
        return Err(not_found());
    }
    Ok(t)
}

fn reply(
    conn: &mut AnyConnection,
    config: &crate::config::Config,
    id: i64,
) -> Result<TableOut, AppError> {
    let t = model::find(conn, id)?;
    let url = settings::load(conn, config)?.guest_url(&t.token);
    let open = crate::cafe::tab::open_session_of_table(conn, t.id)?.is_some();
    Ok(out(t, url, open))
}

/// One table.
#[utoipa::path(get, path = "/api/tables/{id}/", tag = "tables", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 200, body = TableOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.clone_config();
    let t = state
        .db
        .read(move |c| {
            mine(c, &user, id)?;
            reply(c, &config, id)
        })
        .await?;
    Ok(json::ok(&t))
}

/// A new table or a change. A create or replace needs `number`; a PATCH only what changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TableBody {
    pub number: Option<i64>,
    pub capacity: Option<i64>,
    pub location: Option<String>,
    /// `available`, `occupied`, `reserved` or `maintenance`.
    pub status: Option<String>,
    /// Managers: the branch a new table goes to.
    pub branch_id: Option<i64>,
}

impl TableBody {
    fn over(self, mut f: TableForm) -> TableForm {
        if let Some(n) = self.number {
            f.number = n.to_string();
        }
        if let Some(n) = self.capacity {
            f.capacity = n.to_string();
        }
        if let Some(l) = self.location {
            f.location = l;
        }
        if let Some(s) = self.status {
            f.status = s;
        }
        f
    }
}

fn form_of(t: &CafeTable) -> TableForm {
    TableForm {
        number: t.number.to_string(),
        capacity: t.capacity.to_string(),
        location: t.location.clone(),
        status: t.status.clone(),
        branch_id: t.branch_id.to_string(),
    }
}

/// Add a table (managers). Its QR code is ready at once.
#[utoipa::path(post, path = "/api/tables/", tag = "tables", request_body = TableBody,
    security(("token" = [])),
    responses((status = 201, body = TableOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The number is taken at this branch")))]
pub async fn create(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<TableBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let config = state.clone_config();
    let t = state
        .db
        .write(move |c| {
            let branch = scope::resolve(c, &user, body.branch_id)?;
            if branch.archived {
                return Err(AppError::field_invalid(
                    "branch_id",
                    "That branch is archived.",
                ));
            }
            if body.number.is_none() {
                return Err(AppError::field_invalid("number", "This field is required."));
            }
            let input =
                rules::validate(&body.over(TableForm::default())).map_err(json::field_errors)?;
            let id = model::create(c, &actor, branch.id, &input)?;
            reply(c, &config, id)
        })
        .await?;
    Ok(json::created(&t))
}

async fn change(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: i64,
    body: TableBody,
    partial: bool,
) -> Result<HttpResponse, AppError> {
    let config = state.clone_config();
    let t = state
        .db
        .write(move |c| {
            let t = mine(c, &user, id)?;
            if !partial && body.number.is_none() {
                return Err(AppError::field_invalid("number", "This field is required."));
            }
            let base = if partial {
                form_of(&t)
            } else {
                TableForm::default()
            };
            let input = rules::validate(&body.over(base)).map_err(json::field_errors)?;
            model::update(c, &actor, id, &input)?;
            reply(c, &config, id)
        })
        .await?;
    Ok(json::ok(&t))
}

/// Replace a table (managers).
#[utoipa::path(put, path = "/api/tables/{id}/", tag = "tables", request_body = TableBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = TableOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The number is taken at this branch")))]
pub async fn replace(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<TableBody>,
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

/// Change some fields of a table (managers).
#[utoipa::path(patch, path = "/api/tables/{id}/", tag = "tables", request_body = TableBody,
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = TableOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The number is taken at this branch")))]
pub async fn patch(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: web::Json<TableBody>,
) -> Result<HttpResponse, AppError> {
    change(user, actor, state, id.into_inner(), body.into_inner(), true).await
}

/// Retire a table (managers): archived, not erased — its bills and bookings name it. A table
/// with an open bill or a booking ahead is refused, as on the tables page.
#[utoipa::path(delete, path = "/api/tables/{id}/", tag = "tables", params(("id" = i64, Path)),
    security(("token" = [])),
    responses((status = 204, description = "Archived"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The table has an open bill")))]
pub async fn delete(
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            mine(c, &user, id)?;
            model::set_active(c, &actor, id, false).map(drop)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The table's open bill.
#[utoipa::path(get, path = "/api/tables/{id}/session/", tag = "tables",
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = SessionOut), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem, description = "No active session for this table.")))]
pub async fn session(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.clone_config();
    let clock = state.clock;
    let s = state
        .db
        .read(move |c| {
            let t = mine(c, &user, id)?;
            let head = crate::cafe::tab::open_session_of_table(c, t.id)?
                .ok_or_else(|| AppError::NotFound("No active session for this table.".into()))?;
            sessions::session_out(c, &config, &clock, head)
        })
        .await?;
    Ok(json::ok(&s))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QrOut {
    pub table_number: i64,
    /// The guest's ordering page for this table (the cafe settings' public address).
    pub qr_url: String,
    /// The QR code as a PNG data URI, ready for an `<img src>`.
    pub qr_data_uri: String,
}

/// The table's QR code (managers): the real ordering address and its picture.
#[utoipa::path(get, path = "/api/tables/{id}/qr_code/", tag = "tables",
    params(("id" = i64, Path)), security(("token" = [])),
    responses((status = 200, body = QrOut), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn qr_code(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.clone_config();
    let (number, url) = state
        .db
        .read(move |c| {
            let t = mine(c, &user, id)?;
            let url = settings::load(c, &config)?.guest_url(&t.token);
            Ok((t.number, url))
        })
        .await?;
    let qr = state.qr.get(&url)?;
    Ok(json::ok(&QrOut {
        table_number: number,
        qr_url: url,
        qr_data_uri: format!("data:image/png;base64,{}", json::base64(&qr.png)),
    }))
}

/// A table of the branch by its number (the cafe system keys bills by table number).
pub fn by_number(
    conn: &mut AnyConnection,
    branch_id: i64,
    number: i64,
) -> Result<CafeTable, AppError> {
    cafe_tables::table
        .filter(cafe_tables::branch_id.eq(branch_id))
        .filter(cafe_tables::number.eq(number))
        .filter(cafe_tables::is_active.eq(true))
        .select(CafeTable::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("There is no table {number} here.")))
}
