//! `/transfers` (managers): the list with a new-transfer form, each transfer's page, and its
//! steps (send, receive, cancel).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors, Pairs};
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::pagination::{filter_query, PageRequest, Pager};
use crate::platform::state::AppState;
use crate::retail::transfers::model::{self, Arrived, LineRow, TransferRow};
use crate::retail::transfers::rules::{self, TransferStatus, FORM_ROWS};

const PAGE_SIZE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    branch: String,
    page: Option<String>,
}

pub struct Row {
    pub t: TransferRow,
    pub from: String,
    pub to: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "retail/transfers/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    pager: Pager,
    status: String,
    branch: String,
    branches: Vec<(i64, String)>,
    errors: FormErrors,
    typed: Pairs,
    key: String,
    form_rows: Vec<usize>,
}

fn name_of(branches: &[(i64, String)], id: i64) -> String {
    branches
        .iter()
        .find(|b| b.0 == id)
        .map_or_else(|| format!("Branch #{id}"), |b| b.1.clone())
}

async fn list_page(
    ctx: PageCtx,
    state: &AppState,
    q: ListQuery,
    typed: Pairs,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::parse(q.page.as_deref(), PAGE_SIZE)?;
    let wanted = match q.status.as_str() {
        "" => None,
        s => Some(
            TransferStatus::parse(s)
                .ok_or_else(|| AppError::BadRequest("Unknown status.".into()))?,
        ),
    };
    let branch = forms::optional_id(&q.branch)
        .map_err(|_| AppError::BadRequest("Unknown branch.".into()))?;
    let (mut rows, branches) = state
        .db
        .read(move |c| {
            Ok((
                model::page(c, wanted, branch, page.offset(), page.fetch())?,
                crate::staff::branches::model::options(c)?,
            ))
        })
        .await?;
    let pager = Pager::cut(
        page,
        &mut rows,
        filter_query(&[("status", &q.status), ("branch", &q.branch)]),
    );
    let clock = state.clock;
    html_status(
        status,
        &ListPage {
            rows: rows
                .into_iter()
                .map(|t| Row {
                    from: name_of(&branches, t.from_branch_id),
                    to: name_of(&branches, t.to_branch_id),
                    at: clock.format(t.created_at),
                    t,
                })
                .collect(),
            pager,
            status: q.status,
            branch: q.branch,
            branches,
            errors,
            typed,
            key: crate::platform::auth::session::new_token(),
            form_rows: (0..FORM_ROWS).collect(),
            ctx,
        },
    )
}

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    list_page(
        ctx,
        &state,
        q.into_inner(),
        Pairs::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /transfers`: a draft.
pub async fn create(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    let p = Pairs(form.into_inner());
    let result = async {
        let mut errors = FormErrors::default();
        let from = forms::optional_id(p.get("from_branch_id")).ok().flatten();
        let to = forms::optional_id(p.get("to_branch_id")).ok().flatten();
        if from.is_none() {
            errors.add("from_branch_id", "Choose the branch the stock leaves.");
        }
        if to.is_none() {
            errors.add("to_branch_id", "Choose the branch it goes to.");
        }
        let note = forms::visible(p.get("note")).unwrap_or_default();
        if note.chars().count() > 200 || note.chars().any(char::is_control) {
            errors.add("note", "The note is at most 200 characters of plain text.");
        }
        let key = forms::one_time_key(p.get("key").trim()).unwrap_or_else(|e| {
            errors.add("key", e);
            String::new()
        });
        let lines = rules::lines_into(&p, false, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Fields {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            });
        }
        let (from, to) = (from.unwrap_or(0), to.unwrap_or(0));
        state
            .db
            .write(move |c| {
                model::create(
                    c,
                    &actor,
                    &model::NewTransfer {
                        from,
                        to,
                        note: &note,
                        key: &key,
                        lines: &lines,
                    },
                    BusinessClock::now_utc(),
                )
            })
            .await
    }
    .await;
    match result {
        Ok(id) => {
            flash::success(
                &session,
                "Transfer saved as a draft: send it when the units leave.",
            );
            Ok(see_other(&format!("/transfers/{id}")))
        }
        Err(AppError::Fields { errors, status }) => {
            list_page(ctx, &state, ListQuery::default(), p, errors, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "retail/transfers/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    t: TransferRow,
    from: String,
    to: String,
    at: String,
    sent_at: String,
    received_at: String,
    lines: Vec<LineRow>,
    errors: FormErrors,
}

async fn detail_page(
    ctx: PageCtx,
    state: &AppState,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (t, lines, branches) = state
        .db
        .read(move |c| {
            Ok((
                model::find(c, id)?,
                model::lines(c, id)?,
                crate::staff::branches::model::options(c)?,
            ))
        })
        .await?;
    let clock = state.clock;
    html_status(
        status,
        &DetailPage {
            from: name_of(&branches, t.from_branch_id),
            to: name_of(&branches, t.to_branch_id),
            at: clock.format(t.created_at),
            sent_at: clock.format_opt(t.sent_at),
            received_at: clock.format_opt(t.received_at),
            t,
            lines,
            errors,
            ctx,
        },
    )
}

pub async fn detail(
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    detail_page(
        ctx,
        &state,
        id.into_inner(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The three steps share their shape: run, then back to the page with what happened.
async fn step(
    ctx: PageCtx,
    staff: Staff,
    id: i64,
    said: &'static str,
    run: impl FnOnce(
            &mut crate::platform::db::AnyConnection,
            &crate::platform::audit::Actor,
        ) -> Result<(), AppError>
        + Send
        + 'static,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    match state.db.write(move |c| run(c, &actor)).await {
        Ok(()) => {
            flash::success(&session, said);
            Ok(see_other(&format!("/transfers/{id}")))
        }
        Err(AppError::Fields { errors, status }) => {
            detail_page(ctx, &state, id, errors, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn send(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    step(
        ctx,
        staff,
        id,
        "Transfer sent: the units left the branch and are in transit.",
        move |c, a| model::send(c, a, id, BusinessClock::now_utc()),
    )
    .await
}

pub async fn cancel(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    step(ctx, staff, id, "Transfer cancelled.", move |c, a| {
        model::cancel(c, a, id, BusinessClock::now_utc())
    })
    .await
}

/// `POST /transfers/{id}/receive`: `got_{line}` units, or ticked `got_serial_{line}` boxes;
/// `counted_{line}` marks a line whose arrival was counted (else it arrived whole).
pub async fn receive(
    ctx: PageCtx,
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let p = Pairs(form.into_inner());
    let mut arrived = Vec::new();
    let mut errors = FormErrors::default();
    for (n, (suffix, _)) in p.with_prefix("counted_").enumerate() {
        // Bounded: a tampered form with thousands of lines costs nothing.
        if n >= 500 {
            errors.add("lines", "A transfer has at most 500 lines.");
            break;
        }
        let Ok(line_id) = suffix.parse::<i64>() else {
            errors.add("lines", "The form was changed: reload the page.");
            continue;
        };
        let serials: Vec<String> = p
            .all(&format!("got_serial_{line_id}"))
            .map(str::to_string)
            .collect();
        let typed = p.get(&format!("got_{line_id}")).trim();
        let quantity = if typed.is_empty() {
            serials.len() as i64
        } else {
            match typed.parse::<i64>() {
                Ok(q) if q >= 0 => q,
                _ => {
                    errors.add("lines", "What arrived is a whole number, 0 or more.");
                    continue;
                }
            }
        };
        arrived.push(Arrived {
            line_id,
            quantity,
            serials,
        });
    }
    if !errors.is_empty() {
        return detail_page(
            ctx,
            staff.state.get_ref(),
            id,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    step(
        ctx,
        staff,
        id,
        "Transfer received: the units are in the branch's stock.",
        move |c, a| model::receive(c, a, id, &arrived, BusinessClock::now_utc()).map(|_| ()),
    )
    .await
}
