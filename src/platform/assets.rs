//! Static files embedded in the binary, served with a strong ETag and cache headers.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::Embed;

use crate::platform::error::AppError;

#[derive(Embed)]
#[folder = "static/"]
struct Static;

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file =
        Static::get(&path).ok_or_else(|| AppError::NotFound("There is no such file.".into()))?;
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = "public, max-age=3600, must-revalidate";
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned()))
}

/// `GET /sw.js`: the till's service worker (`static/js/sw.js`). Served from the root, as a
/// worker's scope is the folder it is served from; never cached by the browser's HTTP cache,
/// so a new release's worker is seen at the next visit. Its cache is named after the assets'
/// digest: a release that changes any asset replaces the till's copy.
pub async fn service_worker() -> Result<HttpResponse, AppError> {
    let file = Static::get("js/sw.js")
        .ok_or_else(|| AppError::NotFound("There is no such file.".into()))?;
    let text = String::from_utf8_lossy(&file.data).replace("__ASSETS_VERSION__", assets_version());
    Ok(HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Service-Worker-Allowed", "/"))
        .body(text))
}

/// A digest of every embedded asset, worked out once.
fn assets_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut names: Vec<_> = Static::iter().collect();
        names.sort();
        for name in names {
            if let Some(f) = Static::get(&name) {
                h.update(name.as_bytes());
                h.update(f.metadata.sha256_hash());
            }
        }
        hex::encode(&h.finalize()[..8])
    })
}
