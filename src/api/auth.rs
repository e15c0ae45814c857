//! `/api/auth/`: a program signs in for a token, learns who it is, goes on and off duty, and
//! signs out (which revokes the token). The sign-in is the HTML sign-in's: the same throttle,
//! the same password gate, the same audit rows.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Detail, Moment, Problem};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::guard::request_ip;
use crate::platform::auth::{session, token, CurrentUser, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::{api_tokens, employees};
use crate::platform::state::AppState;
use crate::staff::employees::model::RECORD;
use crate::staff::login::{self, Grant, Outcome};

/// The role as the cafe system's clients know it (`admin`, `kitchen`, `waiter`); the shop's
/// other roles by their own names.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Manager => "admin",
        other => other.as_str(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    #[schema(example = "manager")]
    pub username: Option<String>,
    #[schema(example = "tillpoint-demo")]
    pub password: Option<String>,
}

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    /// `admin` (a manager), `kitchen`, `waiter`, `sales_agent` or `credit_officer`.
    pub role: String,
    pub is_on_duty: bool,
    /// Managers: true.
    pub is_superuser: bool,
    pub branch_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginReply {
    /// Send it as `Authorization: Token <token>`. Shown once; only its hash is stored.
    pub token: String,
    /// When the token stops working (business time zone).
    pub expires_at: String,
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub is_on_duty: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DutyReply {
    pub is_on_duty: bool,
}

fn me_of(conn: &mut AnyConnection, id: i64) -> Result<Me, AppError> {
    type Row = (String, String, Option<String>, String, bool, Option<i64>);
    let (username, name, email, role, on_duty, branch_id): Row = employees::table
        .find(id)
        .select((
            employees::username,
            employees::name,
            employees::email,
            employees::role,
            employees::on_duty,
            employees::branch_id,
        ))
        .first(conn)?;
    let role = Role::parse(&role).ok_or_else(|| AppError::Internal(format!("role {role}")))?;
    Ok(Me {
        user_id: id,
        username,
        full_name: name,
        email: email.unwrap_or_default(),
        role: role_name(role).into(),
        is_on_duty: on_duty,
        is_superuser: role == Role::Manager,
        branch_id,
    })
}

/// Sign in for a token.
#[utoipa::path(post, path = "/api/auth/login/", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, body = LoginReply, description = "Signed in; the token is in the body"),
        (status = 400, body = Problem, description = "Username or password missing"),
        (status = 401, body = Problem, description = "Invalid credentials"),
        (status = 429, body = Problem, description = "Too many failed attempts; see Retry-After"),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let username = body.username.unwrap_or_default().trim().to_lowercase();
    let password = body.password.unwrap_or_default();
    if username.is_empty()
        || password.is_empty()
        || username.chars().count() > 100
        || password.len() > 1024
    {
        return Err(AppError::BadRequest(
            "Username and password are required.".into(),
        ));
    }
    let ip = request_ip(&req).unwrap_or_else(|| "unknown".into());
    match login::sign_in(&state, username, password, ip, Grant::ApiToken).await? {
        Outcome::SignedIn {
            token, employee_id, ..
        } => {
            let clock = state.clock;
            let hash = session::token_hash(&token);
            let (me, expires) = state
                .db
                .run(move |c| {
                    let expires: NaiveDateTime = api_tokens::table
                        .filter(api_tokens::token_hash.eq(&hash))
                        .select(api_tokens::expires_at)
                        .first(c)?;
                    Ok((me_of(c, employee_id)?, expires))
                })
                .await?;
            Ok(json::ok(&LoginReply {
                token,
                expires_at: Moment::of(&clock, expires),
                user_id: me.user_id,
                username: me.username,
                full_name: me.full_name,
                email: me.email,
                role: me.role,
                is_on_duty: me.is_on_duty,
            }))
        }
        Outcome::Refused => Err(AppError::Unauthenticated("Invalid credentials.".into())),
    }
}

/// Revoke the token this request carries.
#[utoipa::path(post, path = "/api/auth/logout/", tag = "auth",
    security(("token" = [])),
    responses(
        (status = 200, body = Detail, description = "The token no longer works"),
        (status = 401, body = Problem),
    ))]
pub async fn logout(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(token_id) = user.api_token else {
        return Err(AppError::Unauthenticated(
            "Authentication credentials were not provided.".into(),
        ));
    };
    let actor = Actor {
        employee_id: Some(user.id),
        ip: request_ip(&req),
    };
    let label = format!("{} ({})", user.name, user.username);
    state
        .db
        .write(move |c| {
            let at = BusinessClock::now_utc();
            if token::revoke(c, token_id, session::LOGOUT, at)? {
                let changes = Changes::new().note("summary", "API token revoked");
                audit::record(
                    c,
                    &actor,
                    at,
                    audit::LOGOUT,
                    Subject::of(RECORD, user.id, &label),
                    &changes,
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(json::ok(&Detail {
        detail: "Signed out; the token has been revoked.".into(),
    }))
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/auth/me/", tag = "auth", security(("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(user: CurrentUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let me = state.db.read(move |c| me_of(c, user.id)).await?;
    Ok(json::ok(&me))
}

/// Go on or off duty (kitchen, waiters and managers; the floor and kitchen show who is on).
#[utoipa::path(post, path = "/api/auth/toggle_duty/", tag = "auth", security(("token" = [])),
    responses(
        (status = 200, body = DutyReply),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "Sales agents and credit officers have no duty"),
    ))]
pub async fn toggle_duty(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor {
        employee_id: Some(user.id),
        ip: request_ip(&req),
    };
    let on = state
        .db
        .write(move |c| {
            // Flip with a conditional UPDATE (`duty::set`): two calls at once flip twice.
            let now: bool = employees::table
                .find(user.id)
                .select(employees::on_duty)
                .first(c)?;
            crate::cafe::duty::set(c, &actor, user.id, !now)?;
            Ok(!now)
        })
        .await?;
    Ok(json::ok(&DutyReply { is_on_duty: on }))
}
