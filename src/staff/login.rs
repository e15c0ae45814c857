//! Signing in and out. Wrong password and unknown user get the same message and the same work
//! (one bcrypt verify), so neither the text nor the timing tells them apart. The verify runs
//! through the password gate with no database connection held.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::guard::{request_ip, safe_next, SESSION_TOKEN_KEY};
use crate::platform::auth::{csrf, password, session, throttle, token, CurrentUser, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{write_tx, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::schema::employees;
use crate::platform::state::AppState;
use crate::staff::employees::model::RECORD;

pub const WRONG: &str = "Username or password is incorrect.";

/// How long a throttled or busy sign-in takes at least before its 429.
const REFUSAL_DELAY: std::time::Duration = std::time::Duration::from_millis(750);

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
    /// `token`: the session cookie's token, or the API key.
    SignedIn {
        token: String,
        role: Role,
        employee_id: i64,
    },
    Refused,
}

/// What a successful sign-in opens: a browser session (sliding idle expiry) or an API token.
#[derive(Debug, Clone, Copy)]
pub enum Grant {
    Session { idle_minutes: i64 },
    ApiToken,
}

/// The account behind a username, looked up while the attempt was reserved.
pub struct Candidate {
    account: Option<(i64, String, String, bool)>,
    hash: Option<String>,
    /// Which attempt from this address this is within the throttle window.
    address_attempt: i64,
}

/// Step 1, one short transaction: reserve the attempt in the throttle (refused with
/// `RetryLater` when the window is full, nothing written) and read the account.
pub fn reserve(
    conn: &mut AnyConnection,
    username: &str,
    ip: &str,
    now: NaiveDateTime,
) -> Result<Candidate, AppError> {
    write_tx(conn, |c| {
        let address_attempt = throttle::reserve_sign_in(c, ip, username, now)?
            .map_err(|e| AppError::throttled("Too many failed sign-in attempts.", e))?;
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
            .first(c)
            .optional()?;
        Ok(Candidate {
            hash: found.as_ref().map(|r| r.3.clone()),
            account: found.map(|(id, name, role, _, active)| (id, name, role, active)),
            address_attempt,
        })
    })
}

/// Step 2, no connection held: one bcrypt verify, against the dummy hash for an unknown
/// username so both cost the same.
pub fn verify(candidate: &Candidate, typed: &str, dummy: &str) -> bool {
    let hash = candidate.hash.as_deref().unwrap_or(dummy);
    password::verify(typed, hash, dummy) && candidate.account.is_some()
}

/// Step 3, one transaction: open the session, or record the failure (an audit row for the
/// first failure from this address in the window and for the one that fills it).
pub fn conclude(
    conn: &mut AnyConnection,
    candidate: Candidate,
    matches: bool,
    (username, ip): (&str, &str),
    grant: Grant,
    now: NaiveDateTime,
) -> Result<Outcome, AppError> {
    let actor = Actor {
        employee_id: None,
        ip: Some(ip.to_string()),
    };
    match candidate.account {
        Some((id, name, role, true)) if matches => {
            let role = Role::parse(&role)
                .ok_or_else(|| AppError::Internal(format!("unknown role {role}")))?;
            write_tx(conn, |c| {
                let token = match grant {
                    Grant::Session { idle_minutes } => {
                        let (token, _) = session::start(c, id, Some(ip), now, idle_minutes)?;
                        diesel::update(employees::table.find(id))
                            .set((
                                employees::is_logged_in.eq(true),
                                employees::last_login_time.eq(now),
                            ))
                            .execute(c)?;
                        token
                    }
                    Grant::ApiToken => token::issue(c, id, Some(ip), now)?.0,
                };
                throttle::signed_in(c, ip, username)?;
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
                    &match grant {
                        Grant::Session { .. } => Changes::new(),
                        Grant::ApiToken => Changes::new().note("summary", "API token issued"),
                    },
                )?;
                Ok(Outcome::SignedIn {
                    token,
                    role,
                    employee_id: id,
                })
            })
        }
        other => {
            if throttle::audit_failure(candidate.address_attempt) {
                let n = candidate.address_attempt;
                let changes = if n == 1 {
                    Changes::new()
                } else {
                    Changes::new().note(
                        "summary",
                        format!(
                            "{n} failed sign-ins from this address within {} minutes; further attempts are refused until the window ends",
                            throttle::PER_ADDRESS.window_secs / 60
                        ),
                    )
                };
                write_tx(conn, |c| {
                    let label: String = username.chars().take(40).collect();
                    audit::record(
                        c,
                        &actor,
                        now,
                        audit::LOGIN_FAILED,
                        Subject {
                            record_type: RECORD,
                            record_id: other.as_ref().map(|r| r.0),
                            label: label.as_str().into(),
                        },
                        &changes,
                    )
                })?;
            }
            Ok(Outcome::Refused)
        }
    }
}

/// The three steps on one thread, a connection per step (for tools and tests; the web handler
/// runs step 2 through the password gate).
pub fn attempt(
    db: &crate::platform::db::Db,
    (dummy, idle): (&str, i64),
    username: &str,
    typed: &str,
    ip: &str,
) -> Result<Outcome, AppError> {
    let now = BusinessClock::now_utc();
    let conn = || {
        db.pool()
            .get()
            .map_err(|e| AppError::Unavailable(e.to_string()))
    };
    let candidate = reserve(&mut *conn()?, username, ip, now)?;
    let matches = verify(&candidate, typed, dummy);
    let grant = Grant::Session { idle_minutes: idle };
    conclude(
        &mut *conn()?,
        candidate,
        matches,
        (username, ip),
        grant,
        now,
    )
}

/// A sign-in from the web: reserve the attempt, verify the password through the password gate
/// (no connection held), conclude. A refusal by the throttle or the busy gate is answered no
/// sooner than `REFUSAL_DELAY`: a flood that waits for its answers slows to a trickle instead
/// of taking the workers from the rest of the shop (the wait is a timer; it holds no thread or
/// connection). `username` is already trimmed and lower-cased.
pub async fn sign_in(
    state: &AppState,
    username: String,
    typed: String,
    ip: String,
    grant: Grant,
) -> Result<Outcome, AppError> {
    let now = BusinessClock::now_utc();
    let started = std::time::Instant::now();
    let outcome = async {
        let (u, i) = (username.clone(), ip.clone());
        let candidate = state.db.run(move |c| reserve(c, &u, &i, now)).await?;
        let pass = match state.password_work.enter().await {
            Ok(p) => p,
            Err(busy) => {
                // The password was never checked: the attempt does not count.
                let (u, i) = (username.clone(), ip.clone());
                state
                    .db
                    .write(move |c| Ok(throttle::unreserve_sign_in(c, &i, &u)?))
                    .await?;
                return Err(busy);
            }
        };
        let dummy = state.dummy_hash.clone();
        let (candidate, matches) = pass
            .run(move || {
                let m = verify(&candidate, &typed, &dummy);
                (candidate, m)
            })
            .await?;
        state
            .db
            .run(move |c| conclude(c, candidate, matches, (&username, &ip), grant, now))
            .await
    }
    .await;
    if let Err(AppError::RetryLater(..)) = &outcome {
        if let Some(rest) = REFUSAL_DELAY.checked_sub(started.elapsed()) {
            actix_web::rt::time::sleep(rest).await;
        }
    }
    outcome
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
    let shown_username: String = form
        .username
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect();
    let page = |ctx: PageCtx, error: String| LoginPage {
        ctx,
        username: shown_username.clone(),
        next: next.clone(),
        error,
    };
    if username.is_empty()
        || form.password.is_empty()
        || username.chars().count() > 100
        || form.password.len() > 1024
    {
        let page = page(ctx, "Enter your username and password.".into());
        return html_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let ip = request_ip(&req).unwrap_or_else(|| "unknown".into());
    let grant = Grant::Session {
        idle_minutes: state.config.session_idle_minutes,
    };
    let outcome = sign_in(&state, username, form.password, ip, grant).await;
    match outcome {
        Ok(Outcome::SignedIn { token, role, .. }) => {
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
        Ok(Outcome::Refused) => html_status(StatusCode::UNAUTHORIZED, &page(ctx, WRONG.into())),
        Err(AppError::RetryLater(message, secs)) => {
            let mut res = html_status(StatusCode::TOO_MANY_REQUESTS, &page(ctx, message))?;
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(secs),
            );
            Ok(res)
        }
        Err(e) => Err(e),
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
                let subject = Subject::of(RECORD, user.id, &label);
                audit::record(c, &actor, at, audit::LOGOUT, subject, &Changes::new())?;
            }
            // Signing out ends the shift's duty too: nobody stays "on duty" at home.
            diesel::update(employees::table.find(user.id))
                .set(employees::on_duty.eq(false))
                .execute(c)?;
            Ok(())
        })
        .await?;
    session.purge();
    flash::push(&session, flash::Kind::Info, "You have signed out.");
    Ok(see_other("/login"))
}
