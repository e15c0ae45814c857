//! `/imports`: upload, preview, apply; a template per kind.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::imports::model::{self, Applied, ImportRow, Summary};
use crate::imports::Kind;
use crate::platform::auth::Staff;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms;
use crate::platform::page::{html_status, PageCtx};
use crate::platform::redirect::see_other;
use crate::platform::spreadsheet::{self, Sheet};
use crate::platform::state::AppState;
use crate::staff::branches::model as branches;

#[derive(Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    ctx: PageCtx,
    kinds: [Kind; 4],
    branches: Vec<(i64, String)>,
    /// Each recent import with when it was uploaded, in the business time zone.
    recent: Vec<(ImportRow, String)>,
    kind: String,
    branch_id: String,
    error: Option<String>,
}

async fn index_page(
    ctx: PageCtx,
    state: &web::Data<AppState>,
    kind: String,
    branch_id: String,
    error: Option<AppError>,
) -> Result<HttpResponse, AppError> {
    let (branches, recent) = state
        .db
        .read(|c| Ok((branches::options(c)?, model::recent(c, 20)?)))
        .await?;
    let status = error
        .as_ref()
        .map_or(StatusCode::OK, ResponseError::status_code);
    let page = IndexPage {
        ctx,
        kinds: Kind::ALL,
        branches,
        recent: recent
            .into_iter()
            .map(|r| {
                let when = state.clock.format(r.uploaded_at);
                (r, when)
            })
            .collect(),
        kind,
        branch_id,
        error: error.map(|e| e.to_string()),
    };
    html_status(status, &page)
}

pub async fn index(ctx: PageCtx, staff: Staff) -> Result<HttpResponse, AppError> {
    index_page(ctx, &staff.state, String::new(), String::new(), None).await
}

/// The header row of a kind's file, as CSV with a byte-order mark (Excel then reads UTF-8).
pub async fn template(kind: web::Path<String>) -> Result<HttpResponse, AppError> {
    let kind = Kind::parse(kind.trim_end_matches(".csv"))
        .ok_or_else(|| AppError::not_found("That template"))?;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(spreadsheet::template_header(kind.columns()))
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"tillpoint-{}-template.csv\"",
                kind.as_str()
            ),
        ))
        .body(body))
}

#[derive(Template)]
#[template(path = "imports/preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    import: ImportRow,
    summary: Summary,
    applied_at: String,
    error: Option<String>,
}

fn preview_page(
    ctx: PageCtx,
    state: &AppState,
    import: ImportRow,
    summary: Summary,
    error: Option<AppError>,
) -> Result<HttpResponse, AppError> {
    let status = error
        .as_ref()
        .map_or(StatusCode::OK, ResponseError::status_code);
    let page = PreviewPage {
        ctx,
        applied_at: state.clock.format_opt(import.applied_at),
        import,
        summary,
        error: error.map(|e| e.to_string()),
    };
    html_status(status, &page)
}

/// Reads a stored or uploaded file on the spreadsheet gate (one at a time, off the workers).
async fn read_sheet(state: &AppState, name: String, bytes: Vec<u8>) -> Result<Sheet, AppError> {
    state
        .import_work
        .run(move || spreadsheet::read(&name, &bytes))
        .await?
        .map_err(AppError::Unprocessable)
}

pub async fn preview(
    ctx: PageCtx,
    staff: Staff,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, _) = staff.parts();
    let mut asked = (String::new(), String::new());
    match receive(&state, &actor, form, &mut asked).await {
        Ok((id, sheet)) => show_sheet(ctx, &state, id, sheet, None).await,
        // What the person can put right is said on the upload page, with their choices kept.
        Err(
            e @ (AppError::Unprocessable(_)
            | AppError::PayloadTooLarge(_)
            | AppError::BadRequest(_)
            | AppError::Fields { .. }),
        ) => index_page(ctx, &state, asked.0, asked.1, Some(e)).await,
        Err(e) => Err(e),
    }
}

/// Reads the upload, checks it can be planned at all (kind, branch, columns), and keeps it.
async fn receive(
    state: &web::Data<AppState>,
    actor: &crate::platform::audit::Actor,
    form: actix_multipart::Multipart,
    asked: &mut (String, String),
) -> Result<(i64, Sheet), AppError> {
    let upload = crate::platform::upload::read(
        form,
        "file",
        spreadsheet::MAX_BYTES + 64 * 1024,
        &spreadsheet::too_large(),
    )
    .await?;
    *asked = (
        upload.field("kind").to_string(),
        upload.field("branch_id").to_string(),
    );
    let kind = Kind::parse(&asked.0).ok_or_else(|| {
        AppError::Unprocessable(
            "Choose what the file holds: products, opening stock, menu items or customers.".into(),
        )
    })?;
    let branch_id = forms::optional_id(&asked.1)
        .map_err(|_| AppError::Unprocessable("Choose a branch from the list.".into()))?;
    let file = match upload.file {
        Some(f) if !f.bytes.is_empty() => f,
        _ => return Err(AppError::Unprocessable("Choose a file to upload.".into())),
    };
    let name = if file.name.is_empty() {
        "upload".to_string()
    } else {
        file.name
    };
    let bytes = file.bytes;
    let sheet = read_sheet(state, name.clone(), bytes.clone()).await?;
    spreadsheet::Columns::find(kind.columns(), &sheet.headers).map_err(AppError::Unprocessable)?;
    let branch_id = state
        .db
        .read(move |c| model::check_branch(c, kind, branch_id))
        .await?;
    let rows = sheet.rows.len();
    let actor = actor.clone();
    let id = state
        .db
        .write(move |c| model::save(c, &actor, kind, branch_id, &name, &bytes, rows))
        .await?;
    Ok((id, sheet))
}

async fn show_sheet(
    ctx: PageCtx,
    state: &web::Data<AppState>,
    id: i64,
    sheet: Sheet,
    error: Option<AppError>,
) -> Result<HttpResponse, AppError> {
    let st = state.clone();
    let (import, summary) = state
        .db
        .run(move |c| {
            let import = model::find(c, id)?;
            let summary = model::preview(c, &st.clock, &import, &sheet)?;
            Ok((import, summary))
        })
        .await?;
    preview_page(ctx, state, import, summary, error)
}

pub async fn show(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_import(ctx, &staff.state, id.into_inner(), None).await
}

/// The preview of a kept file, or what an applied one did.
async fn show_import(
    ctx: PageCtx,
    state: &web::Data<AppState>,
    id: i64,
    error: Option<AppError>,
) -> Result<HttpResponse, AppError> {
    let import = state.db.read(move |c| model::find(c, id)).await?;
    if import.applied {
        let summary = Summary {
            counts: import.counts,
            ..Default::default()
        };
        return preview_page(ctx, state, import, summary, error);
    }
    let bytes = state.db.read(move |c| model::content(c, id)).await?;
    let sheet = read_sheet(state, import.file_name.clone(), bytes).await?;
    show_sheet(ctx, state, id, sheet, error).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub create_categories: Option<String>,
}

pub async fn apply(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<ApplyForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let import = state.db.read(move |c| model::find(c, id)).await?;
    let back = format!("/imports/{id}");
    if import.applied {
        flash::push(
            &session,
            flash::Kind::Info,
            "This import was already applied; nothing more was done.",
        );
        return Ok(see_other(&back));
    }
    let bytes = state.db.read(move |c| model::content(c, id)).await?;
    let sheet = read_sheet(&state, import.file_name.clone(), bytes).await?;
    let create_categories = form.create_categories.is_some();
    let st = state.clone();
    let done = state
        .db
        .write(move |c| model::apply(c, &actor, &st.clock, id, &sheet, create_categories))
        .await;
    match done {
        Ok(Applied::Done(c)) => {
            flash::success(
                &session,
                format!(
                    "{} applied: {} created, {} updated, {} unchanged.",
                    import.file_name, c.created, c.updated, c.unchanged
                ),
            );
            Ok(see_other(&back))
        }
        Ok(Applied::Already) => {
            flash::push(
                &session,
                flash::Kind::Info,
                "This import was already applied; nothing more was done.",
            );
            Ok(see_other(&back))
        }
        Ok(Applied::StockAlreadyReceived(when)) => {
            flash::push(
                &session,
                flash::Kind::Info,
                format!(
                    "This stock file was already applied to the branch {when}; nothing was added."
                ),
            );
            Ok(see_other(&back))
        }
        Err(e @ (AppError::Conflict(_) | AppError::Unprocessable(_))) => {
            show_import(ctx, &state, id, Some(e)).await
        }
        Err(e) => Err(e),
    }
}
