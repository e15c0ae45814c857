//! `/employees/export.csv`: the list's rows with the list's filters, streamed.

use actix_web::{web, HttpResponse};

use crate::platform::csv_export;
use crate::platform::error::AppError;
use crate::platform::state::AppState;
use crate::staff::employees::model;
use crate::staff::employees::routes::ListQuery;

/// The seed's columns first (Employee Name, Branch, Role, Contact, Status, Joining Date), then ours.
const HEADER: &[&str] = &[
    "Employee Name",
    "Branch",
    "Role",
    "Contact",
    "Status",
    "Joining Date",
    "Username",
    "Email",
    "On Duty",
    "Last Sign-in",
];

pub async fn export(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = q.filter()?;
    let clock = state.clock;
    Ok(csv_export::stream(
        &state.db,
        &crate::platform::csv_export::dated("employees", state.clock.today()),
        HEADER,
        move |conn, after, limit| {
            let rows = model::export_page(conn, &filter, after, limit)?;
            let rows = rows
                .into_iter()
                .map(|r| {
                    let e = &r.employee;
                    (
                        e.id,
                        vec![
                            e.name.clone(),
                            r.branch.clone().unwrap_or_else(|| "—".into()),
                            e.role_label().to_string(),
                            e.phone.clone().unwrap_or_default(),
                            if e.is_active {
                                "Active".into()
                            } else {
                                "Archived".into()
                            },
                            e.hire_date.to_string(),
                            e.username.clone(),
                            e.email.clone().unwrap_or_default(),
                            if e.is_logged_in {
                                "Yes".into()
                            } else {
                                "No".into()
                            },
                            clock.format_opt(e.last_login_time),
                        ],
                    )
                })
                .collect();
            Ok(rows)
        },
    ))
}
