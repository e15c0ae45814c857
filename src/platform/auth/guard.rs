//! The role guard. Every route is registered with an `Access` in the one route table; this
//! middleware looks the matched route up, loads the signed-in employee and refuses the rest.

use std::collections::HashMap;

use actix_session::SessionExt;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use diesel::prelude::*;
use std::future::{ready, Ready};

use crate::platform::auth::role::Role;
use crate::platform::auth::session;
use crate::platform::clock::BusinessClock;
use crate::platform::db::write_tx;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::schema::{employees, staff_sessions};
use crate::platform::state::AppState;

pub const SESSION_TOKEN_KEY: &str = "sid";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No sign-in needed (login, health, static files, the guest's table page).
    Public,
    /// Any signed-in employee.
    Staff,
    /// Signed-in employees of these roles.
    Roles(&'static [Role]),
    /// Managers, or a program that shows the monitoring token (`Authorization: Bearer …`,
    /// created on `/settings/monitoring`): a metrics scraper has no session and no employee.
    Monitoring,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Staff => true,
            Access::Roles(roles) => roles.contains(&role),
            Access::Monitoring => role == Role::Manager,
        }
    }
}

/// Who may use a route, by the shop's groups of roles (the HTML pages and the JSON API share
/// them, so a rule cannot differ between the two).
pub mod who {
    use super::Access;
    use crate::platform::auth::role::Role;

    pub const MANAGER: Access = Access::Roles(&[Role::Manager]);
    pub const SELLERS: Access = Access::Roles(&[Role::Manager, Role::SalesAgent]);
    pub const FLOOR: Access = Access::Roles(&[Role::Manager, Role::Waiter]);
    pub const KITCHEN: Access = Access::Roles(&[Role::Manager, Role::Kitchen]);
    pub const DUTY: Access = Access::Roles(&[Role::Manager, Role::Kitchen, Role::Waiter]);
    /// Everyone who works the cafe: the floor, the kitchen and managers.
    pub const CAFE: Access = DUTY;
    pub const CREDIT: Access = Access::Roles(&[Role::Manager, Role::CreditOfficer]);
    pub const INSTALMENTS: Access =
        Access::Roles(&[Role::Manager, Role::CreditOfficer, Role::SalesAgent]);
    /// Everyone who takes money at a register: sales agents, waiters, managers.
    pub const CASHIERS: Access = Access::Roles(&[Role::Manager, Role::SalesAgent, Role::Waiter]);
}

/// What a route answers: pages for people, or JSON for programs (the till's API, the health
/// check) — JSON whatever the client's Accept header says, since scanners rarely send one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Html,
    Json,
    /// The JSON API under `/api/`: authenticated by `Authorization: Token …` instead of the
    /// session cookie, errors shaped as `{"detail": …}` (see `platform::web::error_pages`).
    Api,
}

/// The route table's access rules and reply kinds, keyed by method and route pattern.
#[derive(Debug, Default)]
pub struct RouteAccess(HashMap<(Method, String), (Access, Reply, usize)>);

impl RouteAccess {
    /// Adds a route; routes are numbered in the order they are added (`metrics::RouteId`).
    pub fn insert(&mut self, method: Method, pattern: &str, access: Access, reply: Reply) {
        let id = self.0.len();
        self.0
            .entry((method, pattern.to_string()))
            .or_insert((access, reply, id));
    }

    /// The methods the route table lists for a pattern (for `Allow` on a 405).
    fn methods_of(&self, pattern: &str) -> Vec<Method> {
        let mut m: Vec<Method> = self
            .0
            .keys()
            .filter(|(_, p)| p == pattern)
            .map(|(m, _)| m.clone())
            .collect();
        if m.contains(&Method::GET) {
            m.push(Method::HEAD);
        }
        m.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        m
    }

    fn lookup(&self, method: &Method, pattern: &str) -> Option<(Access, Reply)> {
        self.entry(method, pattern)
            .map(|(access, reply, _)| (access, reply))
    }

    fn entry(&self, method: &Method, pattern: &str) -> Option<(Access, Reply, usize)> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.0.get(&(method.clone(), pattern.to_string())).copied()
    }

    /// The entry of the route this request matched, if any.
    fn for_request(req: &HttpRequest) -> Option<(Access, Reply)> {
        let table = req.app_data::<web::Data<RouteAccess>>()?;
        table.lookup(req.method(), &pattern_of(req)?)
    }
}

/// The pattern of the route the request's path matches (`/t/{token}`), found once per request:
/// the middlewares ask before the router has run, and each `match_pattern` walks the routes
/// again, trying their regexes.
pub fn pattern_of(req: &HttpRequest) -> Option<String> {
    #[derive(Clone)]
    struct Matched(Option<String>);
    if let Some(Matched(p)) = req.extensions().get::<Matched>() {
        return p.clone();
    }
    let found = req.match_pattern();
    req.extensions_mut().insert(Matched(found.clone()));
    found
}

/// The signed-in employee, placed in the request by the guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub branch_id: Option<i64>,
    pub picture_id: Option<i64>,
    /// The staff session (0 for a program using an API token).
    pub session_id: i64,
    /// The API token the request came with, if it came with one.
    pub api_token: Option<i64>,
}

impl CurrentUser {
    pub fn is_manager(&self) -> bool {
        self.role == Role::Manager
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<CurrentUser, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<CurrentUser>()
                .cloned()
                .ok_or(AppError::Unauthorized),
        )
    }
}

enum Lookup {
    SignedIn(CurrentUser),
    Expired,
    Missing,
}

/// Loads the employee behind a session token, ending the session if its idle time ran out.
pub async fn load_user(state: &AppState, token: String) -> Result<Option<CurrentUser>, AppError> {
    match lookup(state, token).await? {
        Lookup::SignedIn(u) => Ok(Some(u)),
        _ => Ok(None),
    }
}

enum Seen {
    Missing,
    Expired(session::SessionRow, String),
    Active(CurrentUser, bool),
}

async fn lookup(state: &AppState, token: String) -> Result<Lookup, AppError> {
    let seen = state
        .db
        .read(move |conn| {
            // One query: the session and its employee.
            type Who = (i64, String, String, String, Option<i64>, Option<i64>, bool);
            let hash = session::token_hash(&token);
            let found: Option<(session::SessionRow, Who)> =
                crate::on_backend!(conn, |c| staff_sessions::table
                    .inner_join(employees::table)
                    .filter(staff_sessions::token_hash.eq(&hash))
                    .select((
                        (
                            staff_sessions::id,
                            staff_sessions::employee_id,
                            staff_sessions::last_seen_at,
                            staff_sessions::expires_at,
                            staff_sessions::ended_at,
                        ),
                        (
                            employees::id,
                            employees::username,
                            employees::name,
                            employees::role,
                            employees::branch_id,
                            employees::picture_id,
                            employees::is_active,
                        ),
                    ))
                    .first(c)
                    .optional()?);
            let Some((s, (id, username, name, role, branch_id, picture_id, is_active))) = found
            else {
                return Ok(Seen::Missing);
            };
            if s.ended_at.is_some() {
                return Ok(Seen::Missing);
            }
            let now = BusinessClock::now_utc();
            if s.expires_at <= now {
                return Ok(Seen::Expired(s, name));
            }
            let Some(role) = Role::parse(&role).filter(|_| is_active) else {
                return Ok(Seen::Missing);
            };
            let touch = (now - s.last_seen_at).num_seconds() >= session::TOUCH_EVERY_SECONDS;
            let user = CurrentUser {
                id,
                username,
                name,
                role,
                branch_id,
                picture_id,
                session_id: s.id,
                api_token: None,
            };
            Ok(Seen::Active(user, touch))
        })
        .await?;
    let idle = state.config.session_idle_minutes;
    match seen {
        Seen::Missing => Ok(Lookup::Missing),
        Seen::Expired(s, name) => {
            state
                .db
                .run(move |c| Ok(write_tx(c, |c| session::expire(c, &s, &name))?))
                .await?;
            Ok(Lookup::Expired)
        }
        Seen::Active(user, touch) => {
            if touch {
                let id = user.session_id;
                state
                    .db
                    .run(move |c| Ok(session::touch(c, id, BusinessClock::now_utc(), idle)?))
                    .await?;
            }
            Ok(Lookup::SignedIn(user))
        }
    }
}

pub fn wants_json(req: &HttpRequest) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    header("accept").contains("application/json")
        || header("content-type").starts_with("application/json")
        || req.headers().contains_key("x-csrf-token")
        || is_api(req)
        || RouteAccess::for_request(req).is_some_and(|(_, reply)| reply != Reply::Html)
}

/// The route table's entry for this request, if a route matched.
pub fn route_of(req: &HttpRequest) -> Option<(Access, Reply)> {
    RouteAccess::for_request(req)
}

/// The key of `Authorization: Bearer <key>`, if the request has one.
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty() && key.len() <= 256)
        .then(|| key.to_string())
}

/// Is this a request to the JSON API (whether or not a route answers it)?
pub fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

const NO_CREDENTIALS: &str = "Authentication credentials were not provided.";
const BAD_TOKEN: &str = "Invalid token.";
const WRONG_ROLE: &str = "You do not have permission to perform this action.";

/// The JSON API's guard: the caller is the employee behind `Authorization: Token <key>`, or
/// nobody (public endpoints only). A key that is no good is refused even where nobody would
/// do, so a script learns at once that its token expired.
async fn api_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    access: Access,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::platform::auth::token::from_header)
        .map(str::to_string);
    let Some(key) = key else {
        if access == Access::Public {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
        return Ok(
            req.into_response(AppError::Unauthenticated(NO_CREDENTIALS.into()).error_response())
        );
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(
            AppError::Internal("application state missing".into()).error_response(),
        ));
    };
    use crate::platform::auth::token;
    let now = BusinessClock::now_utc();
    let found = state.db.read(move |c| Ok(token::find(c, &key, now)?)).await;
    let user = match found {
        Ok(token::Presented::Valid(user, touch)) => {
            if touch {
                let id = user.api_token.unwrap_or_default();
                if let Err(e) = state.db.run(move |c| Ok(token::touch(c, id, now)?)).await {
                    return Ok(req.into_response(e.error_response()));
                }
            }
            user
        }
        Ok(token::Presented::Invalid) => {
            return Ok(
                req.into_response(AppError::Unauthenticated(BAD_TOKEN.into()).error_response())
            )
        }
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    if !access.allows(user.role) {
        return Ok(req.into_response(AppError::Forbidden(WRONG_ROLE.into()).error_response()));
    }
    req.extensions_mut().insert(user);
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Before anything else looks at a request: `HEAD` is answered as `GET` (the server drops the
/// body), a known address with a method the table does not list is 405 with `Allow`, and an
/// address the router knows but the route table does not is refused — the guard fails closed.
/// Unknown addresses go on to the 404 page.
pub async fn known_route(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let verdict = match (
        req.app_data::<web::Data<RouteAccess>>(),
        pattern_of(req.request()),
    ) {
        (_, None) => None,
        (None, Some(_)) => Some(Err(())),
        (Some(table), Some(pattern)) => match table.entry(req.method(), &pattern) {
            Some((.., id)) => {
                req.extensions_mut()
                    .insert(crate::platform::metrics::RouteId(id));
                None
            }
            None => {
                let allowed = table.methods_of(&pattern);
                if allowed.is_empty() {
                    tracing::error!("{pattern} is routed but not in the route table: refused");
                    Some(Err(()))
                } else {
                    Some(Ok(allowed))
                }
            }
        },
    };
    match verdict {
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        Some(Ok(allowed)) => {
            let allow = allowed
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            Ok(req.into_response(
                HttpResponse::MethodNotAllowed()
                    .insert_header((actix_web::http::header::ALLOW, allow))
                    .finish(),
            ))
        }
        Some(Err(())) => Ok(req.into_response(
            AppError::Forbidden("This address is not open to anyone.".into()).error_response(),
        )),
    }
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let entry = RouteAccess::for_request(req.request());
    if let Some((access, Reply::Api)) = entry {
        return api_guard(req, next, access).await;
    }
    // Unknown addresses go on to the 404 page; a routed address missing from the route table
    // is refused (fail closed; `known_route` normally answers first); public routes need nobody.
    let access = match (entry.map(|(access, _)| access), pattern_of(req.request())) {
        (Some(a), _) => a,
        (None, None) => Access::Public,
        (None, Some(_)) => {
            return Ok(req.into_response(
                AppError::Forbidden("This address is not open to anyone.".into()).error_response(),
            ))
        }
    };
    if access == Access::Public {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(
            AppError::Internal("application state missing".into()).error_response(),
        ));
    };
    if access == Access::Monitoring {
        if let Some(shown) = bearer(req.request()) {
            let known = state
                .db
                .read(move |c| Ok(crate::platform::metrics::token_matches(c, &shown)?))
                .await;
            return match known {
                Ok(true) => next
                    .call(req)
                    .await
                    .map(ServiceResponse::map_into_boxed_body),
                Ok(false) => Ok(req.into_response(
                    AppError::Unauthenticated("That monitoring token is not valid.".into())
                        .error_response(),
                )),
                Err(e) => Ok(req.into_response(e.error_response())),
            };
        }
    }
    let session = req.get_session();
    let token: Option<String> = session.get(SESSION_TOKEN_KEY).unwrap_or(None);
    let found = match token {
        Some(t) => lookup(&state, t).await,
        None => Ok(Lookup::Missing),
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    match found {
        Lookup::SignedIn(user) if access.allows(user.role) => {
            req.extensions_mut().insert(user);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Lookup::SignedIn(_) => Ok(req.into_response(
            AppError::Forbidden("Your role does not have access to this page.".into())
                .error_response(),
        )),
        other => {
            session.remove(SESSION_TOKEN_KEY);
            if wants_json(req.request()) {
                return Ok(req.into_response(AppError::Unauthorized.error_response()));
            }
            let message = match other {
                Lookup::Expired => {
                    "Your session ended after a period of inactivity. Please sign in again."
                }
                _ => "Please sign in to continue.",
            };
            flash::push(&session, flash::Kind::Info, message);
            let next_path = if req.method() == Method::GET {
                login_next(req.request())
            } else {
                String::new()
            };
            let location = if next_path.is_empty() {
                "/login".to_string()
            } else {
                format!("/login?next={}", urlencode(&next_path))
            };
            Ok(req.into_response(
                HttpResponse::SeeOther()
                    .insert_header(("Location", location))
                    .finish(),
            ))
        }
    }
}

fn login_next(req: &HttpRequest) -> String {
    let pq = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    if safe_next(pq) {
        pq.to_string()
    } else {
        String::new()
    }
}

/// Only same-site absolute paths may be a redirect target after sign-in.
pub fn safe_next(path: &str) -> bool {
    crate::platform::redirect::safe_path(path) && path != "/login" && !path.starts_with("/login?")
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The client's address as the audit trail records it (trusted-proxy aware).
pub fn request_ip(req: &HttpRequest) -> Option<String> {
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.trusted_proxies.clone())
        .unwrap_or_default();
    crate::platform::auth::client_ip::client_ip(req, &trusted).map(|ip| ip.to_string())
}

/// The signed-in employee and their address, for audit rows.
impl FromRequest for crate::platform::audit::Actor {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req.extensions().get::<CurrentUser>().map(|u| u.id);
        ready(match user {
            Some(id) => Ok(crate::platform::audit::Actor {
                employee_id: Some(id),
                ip: request_ip(req),
            }),
            None => Err(AppError::Unauthorized),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert!(safe_next("/employees?page=2"));
        assert!(!safe_next("//evil.example/"));
        assert!(!safe_next("https://evil.example/"));
        assert!(!safe_next("/\\evil.example"));
        assert!(!safe_next("/menu\r\nX: y"));
        assert!(!safe_next("/login?next=/x"));
    }

    #[test]
    fn access_rules() {
        assert!(Access::Staff.allows(Role::Waiter));
        assert!(Access::Roles(&[Role::Manager]).allows(Role::Manager));
        assert!(!Access::Roles(&[Role::Manager]).allows(Role::Kitchen));
    }
}
