//! Signing in and out. Wrong password and unknown user get the same message and the same work
//! (one bcrypt verify, one write), so neither the text nor the timing tells them apart.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::guard::{request_ip, safe_next, SESSION_TOKEN_KEY};
use crate::platform::auth::{csrf, password, session, throttle, CurrentUser, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{write_tx, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::schema::employees;
use crate::platform::state::AppState;
use crate::staff::employees::model::RECORD;

pub const WRONG: &str = "Username or password is incorrect.";

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    ctx: PageCtx,
    username: String,
    next: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

pub async fn form(ctx: PageCtx, q: web::Query<LoginQuery>) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(see_other(user.role.home()));
    }
    let next = if safe_next(&q.next) {
        q.next.clone()
    } else {
        String::new()
    };
    html(&LoginPage {
        ctx,
        username: String::new(),
        next,
        error: String::new(),
    })
}

/// `/`: home for the signed-in, the sign-in page for everyone else.
pub async fn root(ctx: PageCtx) -> HttpResponse {
    match &ctx.user {
        Some(u) => see_other(u.role.home()),
        None => see_other("/login"),
    }
}

pub enum Outcome {
    SignedIn { token: String, role: Role },
    Refused,
    Throttled(i64),
}

/// Checks the credentials and, when they are right, opens a session — all in one blocking call.
pub fn attempt(
    conn: &mut AnyConnection,
    state_cost: (&str, i64),
    username: &str,
    password_typed: &str,
    ip: &str,
) -> Result<Outcome, AppError> {
    let (dummy, idle) = state_cost;
    let now = BusinessClock::now_utc();
    if let Err(minutes) = throttle::check(conn, ip, username, now)? {
        return Ok(Outcome::Throttled(minutes));
    }
    type Row = (i64, String, String, String, bool);
    let found: Option<Row> = employees::table
        .filter(employees::username.eq(username))
        .select((
            employees::id,
            employees::name,
            employees::role,
            employees::password_hash,
            employees::is_active,
        ))
        .first(conn)
        .optional()?;
    let hash = found.as_ref().map(|r| r.3.as_str()).unwrap_or(dummy);
    let matches = password::verify(password_typed, hash, dummy);
    let actor = Actor {
        employee_id: None,
        ip: Some(ip.to_string()),
    };
    match found {
        Some((id, name, role, _, true)) if matches => {
            let role = Role::parse(&role)
                .ok_or_else(|| AppError::Internal(format!("unknown role {role}")))?;
            write_tx(conn, |c| {
                let (token, _) = session::start(c, id, Some(ip), now, idle)?;
                diesel::update(employees::table.find(id))
                    .set((
                        employees::is_logged_in.eq(true),
                        employees::last_login_time.eq(now),
                    ))
                    .execute(c)?;
                throttle::clear(c, ip, username)?;
                let label = format!("{name} ({username})");
                audit::record(
                    c,
                    &Actor {
                        employee_id: Some(id),
                        ..actor.clone()
                    },
                    now,
                    audit::LOGIN,
                    Subject::of(RECORD, id, &label),
                    &Changes::new(),
                )?;
                Ok(Outcome::SignedIn { token, role })
            })
        }
        other => {
            write_tx(conn, |c| {
                throttle::record_failure(c, ip, username, now)?;
                let label: String = username.chars().take(40).collect();
                audit::record(
                    c,
                    &actor,
                    now,
                    audit::LOGIN_FAILED,
                    Subject {
                        record_type: RECORD,
                        record_id: other.as_ref().map(|r| r.0),
                        label: &label,
                    },
                    &Changes::new(),
                )?;
                Ok::<_, AppError>(())
            })?;
            Ok(Outcome::Refused)
        }
    }
}

pub async fn submit(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = if safe_next(&form.next) {
        form.next.clone()
    } else {
        String::new()
    };
    let username = form.username.trim().to_lowercase();
    let shown_username: String = form.username.trim().chars().take(40).collect();
    if username.is_empty()
        || form.password.is_empty()
        || username.chars().count() > 100
        || form.password.len() > 1024
    {
        let page = LoginPage {
            ctx,
            username: shown_username,
            next,
            error: "Enter your username and password.".into(),
        };
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let ip = request_ip(&req).unwrap_or_else(|| "unknown".into());
    let dummy = state.dummy_hash.clone();
    let idle = state.config.session_idle_minutes;
    let typed = form.password;
    let user_key = username.clone();
    let outcome = state
        .db
        .run(move |c| attempt(c, (&dummy, idle), &user_key, &typed, &ip))
        .await?;
    match outcome {
        Outcome::SignedIn { token, role } => {
            // A new cookie and a new CSRF token: nothing seen before sign-in is worth anything after.
            session.renew();
            session.insert(SESSION_TOKEN_KEY, token)?;
            csrf::rotate(&session);
            let target = if next.is_empty() {
                role.home().to_string()
            } else {
                next
            };
            Ok(see_other(&target))
        }
        Outcome::Refused => {
            let page = LoginPage {
                ctx,
                username: shown_username,
                next,
                error: WRONG.into(),
            };
            html_status(StatusCode::UNAUTHORIZED, &page)
        }
        Outcome::Throttled(minutes) => {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            let error = format!("Too many failed sign-in attempts. Try again in {minutes} {unit}.");
            let page = LoginPage {
                ctx,
                username: shown_username,
                next,
                error,
            };
            let mut res = html_status(StatusCode::TOO_MANY_REQUESTS, &page)?;
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(minutes * 60),
            );
            Ok(res)
        }
    }
}

pub async fn logout(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let actor = Actor {
        employee_id: Some(user.id),
        ip: request_ip(&req),
    };
    let label = format!("{} ({})", user.name, user.username);
    state
        .db
        .write(move |c| {
            let at: NaiveDateTime = BusinessClock::now_utc();
            if session::end(c, user.session_id, session::LOGOUT, at)? {
                audit::record(
                    c,
                    &actor,
                    at,
                    audit::LOGOUT,
                    Subject::of(RECORD, user.id, &label),
                    &Changes::new(),
                )?;
            }
            Ok(())
        })
        .await?;
    session.purge();
    flash::push(&session, flash::Kind::Info, "You have signed out.");
    Ok(see_other("/login"))
}
