//! CSRF synchronizer token: a random token in the (encrypted) session cookie that every
//! state-changing request must echo, as the `csrf_token` form field, the `X-CSRF-Token` header
//! (fetch), or for multipart uploads the `csrf_token` query parameter. Cross-site requests are
//! refused before the token is even looked at.

use actix_session::{Session, SessionExt};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, ResponseError};
use futures_util::StreamExt;
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::platform::error::AppError;

pub const SESSION_KEY: &str = "csrf";
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
/// Largest url-encoded form body accepted anywhere.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY) {
        if t.len() == 64 {
            return t;
        }
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let t = hex::encode(bytes);
    let _ = session.insert(SESSION_KEY, &t);
    t
}

/// A fresh token, e.g. after sign-in, so that a token seen before sign-in is worthless after.
pub fn rotate(session: &Session) -> String {
    session.remove(SESSION_KEY);
    token(session)
}

fn refuse(req: ServiceRequest, message: &str) -> ServiceResponse<BoxBody> {
    req.into_response(AppError::Forbidden(message.to_string()).error_response())
}

const EXPIRED: &str =
    "This form has expired or was not sent by tillpoint. Reload the page and try again; nothing was saved.";

pub async fn verify(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Safe methods change nothing; an address no route answers can only be the 404 page.
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || crate::platform::auth::guard::pattern_of(req.request()).is_none()
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("sec-fetch-site").as_deref() == Some("cross-site") {
        return Ok(refuse(req, "Requests from other sites are not accepted."));
    }
    // Browsers name the page that sent a form; it must be this site (the reverse proxy must
    // pass the Host header on, or set X-Forwarded-Host).
    if let Some(origin) = header("origin") {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != req.connection_info().host() {
            return Ok(refuse(req, "Requests from other sites are not accepted."));
        }
    }
    // The JSON API: a program authenticates with a header no browser sends by itself, and an
    // anonymous write (a guest's name, a promo check) must be JSON, which no page of another
    // site can post without the browser asking this server first (and being refused).
    if crate::platform::auth::guard::is_api(req.request()) {
        let json = header("content-type")
            .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
        // A route that needs a token: the guard answers 401 without one.
        let needs_token = crate::platform::auth::guard::route_of(req.request())
            .is_some_and(|(access, _)| access != crate::platform::auth::Access::Public);
        if json
            || needs_token
            || req
                .headers()
                .contains_key(actix_web::http::header::AUTHORIZATION)
        {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
        return Ok(req.into_response(
            AppError::BadRequest(
                "Send the request body as JSON (Content-Type: application/json).".into(),
            )
            .error_response(),
        ));
    }
    let expected: Option<String> = req.get_session().get(SESSION_KEY).unwrap_or(None);
    let content_type = header("content-type").unwrap_or_default();
    let provided = if let Some(h) = header(HEADER) {
        Some(h)
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let Ok(chunk) = chunk else {
                return Ok(req.into_response(
                    AppError::BadRequest("The form could not be read.".into()).error_response(),
                ));
            };
            if body.len() + chunk.len() > FORM_LIMIT {
                return Ok(req.into_response(
                    AppError::PayloadTooLarge("The form is too large (64 KB at most).".into())
                        .error_response(),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let body: Bytes = body.freeze();
        let found = form_field(&body, FIELD);
        req.set_payload(body.into());
        found
    } else if content_type.starts_with("multipart/form-data") {
        form_field(req.query_string().as_bytes(), FIELD)
    } else {
        None
    };
    match (expected, provided) {
        (Some(e), Some(p)) if e.len() == 64 && bool::from(e.as_bytes().ct_eq(p.as_bytes())) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
        _ => Ok(refuse(req, EXPIRED)),
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn form_urlencoded_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    body.split(|b| *b == b'&').filter_map(|pair| {
        let mut it = pair.splitn(2, |b| *b == b'=');
        let k = decode(it.next()?)?;
        let v = decode(it.next().unwrap_or(b""))?;
        Some((k, v))
    })
}

fn decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_in_a_form_body() {
        assert_eq!(
            form_field(b"a=1&csrf_token=abc%20d&b=2", FIELD).as_deref(),
            Some("abc d")
        );
        assert_eq!(form_field(b"a=1", FIELD), None);
        assert_eq!(form_field(b"csrf_token=%zz", FIELD), None);
        assert_eq!(form_field(b"csrf_token=%4", FIELD).as_deref(), Some("%4"));
    }
}
