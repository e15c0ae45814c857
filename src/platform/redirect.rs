//! Where a response may send the browser. Every return path a form or link carries (`next`,
//! `back`) and every `Location` we build goes through here *before* anything is saved, so a
//! tampered value becomes a safe default instead of an error after the change was committed.

use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::HttpResponse;

/// A same-site absolute path: starts with one `/`, no scheme or host, no backslash, no
/// whitespace or control characters (a header cannot carry them), bounded length.
pub fn safe_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() < 500
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

/// `raw` when it is a safe path that starts with one of `allowed` prefixes, else `fallback`.
pub fn return_path<'a>(raw: &'a str, allowed: &[&str], fallback: &'a str) -> &'a str {
    let raw = raw.trim();
    if safe_path(raw) && allowed.iter().any(|p| raw.starts_with(p)) {
        raw
    } else {
        fallback
    }
}

/// 303 See Other. A location that cannot be a header value (never expected: callers build
/// paths from ids) goes to `/` rather than failing the request after its work is done.
pub fn see_other(location: &str) -> HttpResponse {
    let value = HeaderValue::from_str(location)
        .ok()
        .filter(|_| safe_path(location))
        .unwrap_or_else(|| HeaderValue::from_static("/"));
    let mut res = HttpResponse::SeeOther().finish();
    res.headers_mut().insert(LOCATION, value);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(safe_path("/employees?page=2"));
        assert!(safe_path("/t/abc#status"));
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/menu\r\nSet-Cookie: x=1",
            "/menu\u{0}",
            "/menu x",
            "",
            "menu",
        ] {
            assert!(!safe_path(bad), "{bad:?}");
        }
        assert_eq!(
            return_path("/kitchen?x=1", &["/menu", "/kitchen"], "/menu"),
            "/kitchen?x=1"
        );
        assert_eq!(return_path("/employees", &["/menu"], "/menu"), "/menu");
        assert_eq!(return_path("/menu\n", &["/menu"], "/x"), "/menu");
        assert_eq!(return_path("/me\nnu", &["/me"], "/x"), "/x");
    }

    #[test]
    fn see_other_never_fails() {
        let at = |l: &str| see_other(l).headers().get(LOCATION).unwrap().clone();
        assert_eq!(at("/menu"), "/menu");
        assert_eq!(at("/menu\nx"), "/");
        assert_eq!(at("https://evil.example"), "/");
        assert_eq!(at("/t/abc#status"), "/t/abc#status");
    }
}
