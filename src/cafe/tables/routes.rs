//! `/tables`: the manager's tables, their guest links, QR codes and the printable QR sheet.

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::tables::model::{self, CafeTable};
use crate::cafe::tables::rules::{self, TableForm, TableInput, TableStatus};
use crate::config::Config;
use crate::platform::archive::{ArchiveRoutes, SetActive};
use crate::platform::auth::CurrentUser;
use crate::platform::auth::Staff;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::record_form::{Ask, FormView, New, RecordForm, Update};
use crate::platform::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub branch: String,
    pub archived: String,
}

pub struct TableRow {
    pub table: CafeTable,
    pub guest_url: String,
}

#[derive(Template)]
#[template(path = "cafe/tables/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<TableRow>,
    branch: CafeBranch,
    settings: CafeSettings,
    archived: bool,
}

pub async fn list(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = scope::parse_requested(&q.branch)?;
    let archived = q.archived == "1";
    let st = state.clone();
    let (branch, tables, settings) = state
        .db
        .run(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let tables = model::list(c, branch.id, archived)?;
            Ok((branch, tables, settings::load(c, &st.config)?))
        })
        .await?;
    let rows = tables
        .into_iter()
        .map(|t| TableRow {
            guest_url: settings.guest_url(&t.token),
            table: t,
        })
        .collect();
    html(&ListPage {
        ctx,
        rows,
        branch,
        settings,
        archived,
    })
}

#[derive(Template)]
#[template(path = "cafe/tables/form.html")]
struct FormPage {
    ctx: PageCtx,
    id: Option<i64>,
    is_active: bool,
    branch: CafeBranch,
    form: TableForm,
    errors: FormErrors,
    statuses: [TableStatus; 4],
    guest_url: Option<String>,
}

/// The table form (`record_form::{new, create, edit, update}::<Tables>`): a new table goes to
/// the branch the form names (`branch_id`, refused when it does not parse), within the user's
/// scope.
impl RecordForm for Tables {
    type Form = TableForm;
    const UPDATE: Update<Self> = model::update;
    const SAID: [&'static str; 2] = [
        "Table {name} was added. Print its QR code from the tables page.",
        "Table {name} was saved.",
    ];
    const NEXT: &'static str = "/tables/{id}/edit";
    type Input = TableInput;

    fn blank(_: &AppState, req: &HttpRequest) -> Result<TableForm, AppError> {
        Ok(TableForm {
            capacity: "4".into(),
            status: "available".into(),
            branch_id: scope::form_branch(req)?,
            ..Default::default()
        })
    }
    fn load(c: &mut AnyConnection, id: i64) -> Result<TableForm, AppError> {
        let t = model::find(c, id)?;
        Ok(TableForm {
            number: t.number.to_string(),
            capacity: t.capacity.to_string(),
            location: t.location,
            status: t.status,
            branch_id: t.branch_id.to_string(),
        })
    }
    fn validate(form: &TableForm, _: Ask) -> Result<TableInput, FormErrors> {
        rules::validate(form)
    }
    fn create(c: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError> {
        let branch = scope::resolve(c, new.user, scope::parse_requested(&new.form.branch_id)?)?;
        model::create(c, new.actor, branch.id, new.input)
    }
    fn name(input: &TableInput) -> String {
        input.number.to_string()
    }
    async fn page(v: FormView<TableForm>) -> Result<HttpResponse, AppError> {
        // A new table's branch is the one its form names; a saved table's is its own.
        let requested = match v.id {
            None => scope::parse_requested(&v.form.branch_id)?,
            Some(_) => None,
        };
        let (id, user, config) = (v.id, v.user.clone(), v.state.clone_config());
        let (branch, saved) = v
            .state
            .db
            .run(move |c| {
                let saved = id.map(|id| with_guest_url(c, &config, id)).transpose()?;
                let branch_id = saved.as_ref().map(|(t, _)| t.branch_id).or(requested);
                Ok((scope::resolve(c, &user, branch_id)?, saved))
            })
            .await?;
        let page = FormPage {
            ctx: v.ctx,
            id: v.id,
            is_active: saved.as_ref().is_none_or(|(t, _)| t.is_active),
            guest_url: saved.map(|(_, url)| url),
            branch,
            form: v.form,
            errors: v.errors,
            statuses: TableStatus::ALL,
        };
        html_status(v.status, &page)
    }
}

pub async fn renew_token(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let t = state
        .db
        .write(move |c| model::renew_token(c, &actor, id))
        .await?;
    flash::success(
        &session,
        format!(
            "{} has a new QR code: the old printed code no longer works. Print the new one.",
            t.label()
        ),
    );
    Ok(see_other(&format!("/tables/{id}/edit")))
}

/// A saved table and its guest address.
fn with_guest_url(
    c: &mut AnyConnection,
    config: &Config,
    id: i64,
) -> Result<(CafeTable, String), AppError> {
    let t = model::find(c, id)?;
    let url = settings::load(c, config)?.guest_url(&t.token);
    Ok((t, url))
}

async fn guest_url_of(state: &AppState, id: i64) -> Result<(CafeTable, String), AppError> {
    let config = state.clone_config();
    let (t, url) = state
        .db
        .run(move |c| with_guest_url(c, &config, id))
        .await?;
    if !t.is_active {
        return Err(AppError::Conflict(format!(
            "{} is archived: restore it first.",
            t.label()
        )));
    }
    Ok((t, url))
}

fn image_response(req: &HttpRequest, content_type: &str, body: Vec<u8>, url: &str) -> HttpResponse {
    // The code is a pure function of the URL: the URL's hash is a perfect ETag.
    use sha2::Digest;
    let etag = format!(
        "\"{}\"",
        hex::encode(&sha2::Sha256::digest(url.as_bytes())[..12])
    );
    let matches = req
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut r = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    r.insert_header(("ETag", etag))
        .insert_header(("Cache-Control", "private, no-cache"));
    if matches {
        r.finish()
    } else {
        r.content_type(content_type).body(body)
    }
}

pub async fn qr_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, url) = guest_url_of(&state, id.into_inner()).await?;
    let qr = state.qr.get(&url)?;
    Ok(image_response(&req, "image/png", qr.png.clone(), &url))
}

pub async fn qr_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, url) = guest_url_of(&state, id.into_inner()).await?;
    let qr = state.qr.get(&url)?;
    Ok(image_response(
        &req,
        "image/svg+xml",
        qr.svg.clone().into_bytes(),
        &url,
    ))
}

pub struct QrCard {
    pub table: CafeTable,
    pub guest_url: String,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "cafe/tables/qr_sheet.html")]
struct QrSheet {
    cards: Vec<QrCard>,
    settings: CafeSettings,
}

/// `?ids=3&ids=5` for selected tables; none means every active table of the branch.
pub async fn qr_sheet(
    user: CurrentUser,
    state: web::Data<AppState>,
    q: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = crate::platform::forms::Pairs(q.into_inner());
    let requested = scope::parse_requested(pairs.get("branch"))?;
    let ids = pairs
        .ids("ids", 500)
        .map_err(|_| AppError::BadRequest("Choose tables from the list.".into()))?;
    let st = state.clone();
    let (tables, settings) = state
        .db
        .run(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let mut tables = model::list(c, branch.id, false)?;
            if !ids.is_empty() {
                tables.retain(|t| ids.contains(&t.id));
            }
            Ok((tables, settings::load(c, &st.config)?))
        })
        .await?;
    if tables.is_empty() {
        return Err(AppError::NotFound(
            "No tables to print: add tables first, or choose tables of this branch.".into(),
        ));
    }
    let mut cards = Vec::with_capacity(tables.len());
    for t in tables {
        let guest_url = settings.guest_url(&t.token);
        let svg = state.qr.get(&guest_url)?.svg.clone();
        cards.push(QrCard {
            table: t,
            guest_url,
            svg,
        });
    }
    html(&QrSheet { cards, settings })
}

/// Archive and restore a table (`archive::archive::<Tables>`).
pub struct Tables;

impl ArchiveRoutes for Tables {
    const SET_ACTIVE: SetActive = model::set_active;
    const SAID: [&'static str; 2] = [
        "{name} was archived: its QR code no longer works.",
        "{name} was restored.",
    ];
    const THEN: [&'static str; 2] = ["/tables?archived=1", "/tables"];
}
