//! `/audit` and `/audit/export.csv` (managers).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::audit::query::{self, AuditFilter, AuditRow};
use crate::platform::audit::words::{action_label, Vocabulary};
use crate::platform::audit::ACTIONS;
use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::forms::{self, Choice};
use crate::platform::page::{html, PageCtx};
use crate::platform::pagination::{filter_query, with_query, PageRequest, Pager};
use crate::platform::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub from: String,
    pub to: String,
    pub action: String,
    pub record_type: String,
    pub employee_id: String,
    pub page: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        let from = forms::filter_date(Some(&self.from), "From").map_err(AppError::BadRequest)?;
        let to = forms::filter_date(Some(&self.to), "To").map_err(AppError::BadRequest)?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::BadRequest(
                    "The From date is after the To date.".into(),
                ));
            }
        }
        let action = match self.action.trim() {
            "" => None,
            a if ACTIONS.contains(&a) => Some(a.to_string()),
            a => {
                return Err(AppError::BadRequest(format!(
                    "There is no action \"{}\".",
                    a.chars().take(30).collect::<String>()
                )))
            }
        };
        let record_type = match self.record_type.trim() {
            "" => None,
            t if t.len() <= 40 && t.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                Some(t.to_string())
            }
            _ => {
                return Err(AppError::BadRequest(
                    "That record type does not exist.".into(),
                ))
            }
        };
        let employee_id = forms::optional_id(&self.employee_id).map_err(|_| {
            AppError::BadRequest("The employee filter must be an employee from the list.".into())
        })?;
        Ok(AuditFilter {
            from,
            to,
            action,
            record_type,
            employee_id,
        })
    }

    fn base_query(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("action", &self.action),
            ("record_type", &self.record_type),
            ("employee_id", &self.employee_id),
        ];
        filter_query(&pairs)
    }
}

pub struct AuditView {
    pub at: String,
    pub row: AuditRow,
    pub action: String,
    pub record: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<AuditView>,
    query: AuditQuery,
    actions: Vec<Choice>,
    record_types: Vec<Choice>,
    employees: Vec<Choice>,
    pager: Pager,
    export_href: String,
    tz: String,
}

pub async fn list(
    ctx: PageCtx,
    state: web::Data<AppState>,
    words: web::Data<Vocabulary>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner();
    let filter = query.filter()?;
    let page = PageRequest::parse(query.page.as_deref(), PAGE_SIZE)?;
    let clock = state.clock;
    let vocabulary = words.clone();
    let (mut rows, names, types, people) = state
        .db
        .run(move |c| {
            let rows = query::page(c, &filter, &clock, None, page.offset(), page.fetch())?;
            let names = vocabulary.names(c, &rows)?;
            Ok((
                rows,
                names,
                query::record_types(c)?,
                query::employee_choices(c)?,
            ))
        })
        .await?;
    let base = query.base_query();
    let export_href = with_query("/audit/export.csv", &base);
    let pager = Pager::cut(page, &mut rows, base);
    let rows = rows
        .into_iter()
        .map(|row| AuditView {
            at: clock.format(row.at),
            action: action_label(&row.action).to_string(),
            record: words.record(&row.record_type),
            lines: words.lines(&row, &names),
            row,
        })
        .collect();
    html(&ListPage {
        ctx,
        rows,
        query,
        actions: ACTIONS
            .iter()
            .map(|a| Choice {
                value: a.to_string(),
                label: action_label(a).to_string(),
            })
            .collect(),
        record_types: types
            .into_iter()
            .map(|t| Choice {
                label: words.record(&t),
                value: t,
            })
            .collect(),
        employees: people
            .into_iter()
            .map(|(id, name)| Choice {
                value: id.to_string(),
                label: name,
            })
            .collect(),
        pager,
        export_href,
        tz: state.config.tz.name().to_string(),
    })
}

/// The seed's columns with the stored values, then the same row in the shop's words.
const HEADER: &[&str] = &[
    "Timestamp",
    "Employee",
    "Action",
    "Record Type",
    "Record ID",
    "Record",
    "Changes",
    "IP Address",
    "What",
    "Changes (readable)",
];

pub async fn export(
    state: web::Data<AppState>,
    words: web::Data<Vocabulary>,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter()?;
    let clock = state.clock;
    Ok(csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("audit-trail", state.clock.today()),
        HEADER,
        move |conn, before, limit| {
            let rows = query::page(conn, &filter, &clock, before, 0, limit)?;
            let names = words.names(conn, &rows)?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    (
                        r.id,
                        vec![
                            clock.format(r.at),
                            r.who().to_string(),
                            r.action.clone(),
                            r.record_type.clone(),
                            r.record_id.map(|i| i.to_string()).unwrap_or_default(),
                            r.record_label.clone(),
                            r.change_lines().join("; "),
                            r.ip.clone().unwrap_or_default(),
                            format!(
                                "{} {}: {}",
                                action_label(&r.action),
                                words.record(&r.record_type),
                                r.record_label
                            ),
                            words.lines(&r, &names).join("; "),
                        ],
                    )
                })
                .collect();
            Ok(rows)
        },
    ))
}
