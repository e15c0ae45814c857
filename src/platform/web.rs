//! Middleware every response passes through: security headers and error pages.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::HttpResponse;
use askama::Template;

use crate::platform::auth::guard::wants_json;
use crate::platform::error::ErrorInfo;
use crate::platform::page::PageCtx;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Frame-Options", "DENY"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    title: &'static str,
    message: String,
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood",
        401 => "Please sign in",
        403 => "Not allowed",
        404 => "Page not found",
        405 => "Not allowed here",
        409 => "Already changed",
        413 => "Too large",
        422 => "Please check what you entered",
        429 => "Too many attempts",
        503 => "Temporarily unavailable",
        _ => "Something went wrong",
    }
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request was malformed. Nothing was saved.",
        404 => "There is nothing at this address.",
        405 => "This address does not accept that kind of request.",
        413 => "What you sent is too large. Nothing was saved.",
        _ => "Something went wrong on our side. Nothing was saved; please try again.",
    }
}

/// Turns every error response, ours or actix's (404, 405, extractor errors), into an HTML page
/// or a JSON `{"error": …}` body, depending on what the client asked for.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_boxed_body());
    }
    // Only error responses pay for working out what the client wants.
    let json = wants_json(res.request());
    let api = crate::platform::auth::guard::is_api(res.request());
    let business = res
        .request()
        .app_data::<actix_web::web::Data<crate::platform::state::AppState>>()
        .map(|s| s.config.business_name.clone())
        .unwrap_or_else(|| "tillpoint".into());
    // Our own HTML (a form re-rendered with 422, the login page with 429) is already a page.
    let ours = res.response().extensions().get::<ErrorInfo>().cloned();
    let finished = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/json") || (ct.starts_with("text/html") && !api)
        });
    if ours.is_none() && finished {
        return Ok(res.map_into_boxed_body());
    }
    if ours.is_none() && status.is_server_error() {
        tracing::error!(
            "{} {} → {}",
            res.request().method(),
            res.request().path(),
            status
        );
    }
    let message = match &ours {
        Some(info) => info.message.clone(),
        None => default_message(status).to_string(),
    };
    let fields = ours.map(|o| o.fields).unwrap_or_default();
    let (req, res) = res.into_parts();
    // The API speaks as the cafe system's clients expect: 400 for any invalid input.
    let status = if api && status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.insert_header((name.clone(), value.clone()));
        }
    }
    let new_res = if api {
        builder.json(api_error_body(&message, &fields))
    } else if json {
        builder.json(serde_json::json!({ "error": message }))
    } else {
        let page = ErrorPage {
            ctx: PageCtx::bare(&business),
            status: status.as_u16(),
            title: title(status),
            message,
        };
        match page.render() {
            Ok(body) => builder
                .content_type(HeaderValue::from_static("text/html; charset=utf-8"))
                .body(body),
            Err(_) => builder
                .content_type("text/plain; charset=utf-8")
                .body(page.message),
        }
    };
    Ok(ServiceResponse::new(req, new_res))
}

/// An error of the JSON API as the cafe system's clients read it: `{"field": ["…"]}` when
/// the messages belong to fields, else `{"detail": "…"}`.
pub fn api_error_body(message: &str, fields: &[(&'static str, String)]) -> serde_json::Value {
    if fields.is_empty() {
        return serde_json::json!({ "detail": message });
    }
    let mut body = serde_json::Map::new();
    for (field, text) in fields {
        let list = body
            .entry(field.to_string())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(items) = list {
            items.push(serde_json::Value::String(text.clone()));
        }
    }
    serde_json::Value::Object(body)
}
