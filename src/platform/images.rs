//! Uploaded pictures: checked, decoded with limits, shrunk to at most 512×512 and re-encoded,
//! so that what we store and serve is always an image we produced ourselves.

use std::io::Cursor;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::stored_images;

pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_SIDE: u32 = 512;
/// What an upload may decode to: a 24-megapixel phone photo, no more (≈ 96 MB as RGBA).
pub const MAX_INPUT_PIXELS: u64 = 24_000_000;
pub const MAX_INPUT_SIDE: u32 = 8_192;
pub const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub sha256: String,
}

pub fn process_upload(raw: &[u8]) -> Result<ProcessedImage, String> {
    const REFUSED: &str = "Only PNG, JPEG or WebP pictures are accepted.";
    let format = image::guess_format(raw).map_err(|_| REFUSED.to_string())?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(REFUSED.into());
    }
    let unreadable =
        || "The picture could not be read: the file is damaged or not really an image.".to_string();
    // The header first: a 230 KB PNG can claim 9000×9000 pixels (240 MB decoded).
    let limits = || {
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_INPUT_SIDE);
        limits.max_image_height = Some(MAX_INPUT_SIDE);
        limits.max_alloc = Some(MAX_DECODE_BYTES);
        limits
    };
    // Reading the header allocates nothing; the caps are checked here to say what was wrong.
    let mut probe = ImageReader::with_format(Cursor::new(raw), format);
    probe.no_limits();
    let (w, h) = probe.into_dimensions().map_err(|_| unreadable())?;
    if u64::from(w) * u64::from(h) > MAX_INPUT_PIXELS || w > MAX_INPUT_SIDE || h > MAX_INPUT_SIDE {
        return Err(format!(
            "The picture is {w}×{h} pixels; at most {} megapixels ({MAX_INPUT_SIDE} pixels a side) are accepted. Choose a smaller one.",
            MAX_INPUT_PIXELS / 1_000_000
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(raw), format);
    reader.limits(limits());
    let decoded = reader.decode().map_err(|_| {
        "The picture could not be read: the file is damaged or not really an image.".to_string()
    })?;
    let img = if decoded.width() > MAX_SIDE || decoded.height() > MAX_SIDE {
        decoded.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        decoded
    };
    let (content_type, bytes) =
        encode(&img).map_err(|e| format!("The picture could not be converted: {e}"))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(ProcessedImage {
        content_type,
        bytes,
        width: img.width(),
        height: img.height(),
        sha256,
    })
}

fn encode(img: &DynamicImage) -> Result<(&'static str, Vec<u8>), image::ImageError> {
    let mut out = Cursor::new(Vec::new());
    if img.color().has_alpha() {
        img.to_rgba8().write_to(&mut out, ImageFormat::Png)?;
        Ok(("image/png", out.into_inner()))
    } else {
        let rgb = img.to_rgb8();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        rgb.write_with_encoder(encoder)?;
        Ok(("image/jpeg", out.into_inner()))
    }
}

pub fn store(conn: &mut AnyConnection, img: &ProcessedImage) -> QueryResult<i64> {
    diesel::insert_into(stored_images::table)
        .values((
            stored_images::content_type.eq(img.content_type),
            stored_images::bytes.eq(&img.bytes),
            stored_images::width.eq(img.width as i32),
            stored_images::height.eq(img.height as i32),
            stored_images::sha256.eq(&img.sha256),
            stored_images::created_at.eq(BusinessClock::now_utc()),
        ))
        .returning(stored_images::id)
        .get_result(conn)
}

/// Deletes a picture nothing refers to any more (the one a new upload replaced), so repeated
/// uploads do not pile up in the database. Each stored image belongs to one record.
pub fn delete_if_unused(conn: &mut AnyConnection, id: Option<i64>) -> QueryResult<()> {
    use crate::platform::schema::{employees, menu_items, products};
    let Some(id) = id else { return Ok(()) };
    let by_staff: i64 = employees::table
        .filter(employees::picture_id.eq(id))
        .count()
        .get_result(conn)?;
    let by_products: i64 = products::table
        .filter(products::image_id.eq(id))
        .count()
        .get_result(conn)?;
    let by_menu: i64 = menu_items::table
        .filter(menu_items::image_id.eq(id))
        .count()
        .get_result(conn)?;
    if by_staff + by_products + by_menu == 0 {
        diesel::delete(stored_images::table.find(id)).execute(conn)?;
    }
    Ok(())
}

pub fn load(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<(String, Vec<u8>, String)>> {
    stored_images::table
        .find(id)
        .select((
            stored_images::content_type,
            stored_images::bytes,
            stored_images::sha256,
        ))
        .first(conn)
        .optional()
}

/// Reads the one file field of a multipart form, refusing anything over `max` bytes.
pub async fn read_file_field(
    form: Multipart,
    field_name: &str,
    max: usize,
) -> Result<Vec<u8>, AppError> {
    let too_large = format!(
        "The picture is larger than {} MB. Choose a smaller one.",
        max / (1024 * 1024)
    );
    match crate::platform::upload::read(form, field_name, max, &too_large)
        .await?
        .file
    {
        Some(f) if !f.bytes.is_empty() => Ok(f.bytes),
        _ => Err(AppError::Unprocessable(
            "Choose a picture to upload.".into(),
        )),
    }
}

/// Serves a stored image with its hash as ETag.
pub fn respond(
    req: &HttpRequest,
    content_type: String,
    bytes: Vec<u8>,
    sha: String,
) -> HttpResponse {
    let etag = format!("\"{}\"", &sha[..32.min(sha.len())]);
    let cache = "private, max-age=86400";
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == etag)
    {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(bytes)
}

/// An uploaded picture for a record: read the `image` field, re-encode it off the async workers,
/// then store it and let `attach` point the record at it, in one write transaction.
pub async fn save_upload<F>(
    state: &crate::platform::state::AppState,
    form: actix_multipart::Multipart,
    attach: F,
) -> Result<(), crate::platform::error::AppError>
where
    F: FnOnce(&mut AnyConnection, i64) -> Result<(), crate::platform::error::AppError>
        + Send
        + 'static,
{
    use crate::platform::error::AppError;
    let raw = read_file_field(form, "image", MAX_UPLOAD_BYTES).await?;
    let img = state
        .image_work
        .run(move || process_upload(&raw))
        .await?
        .map_err(AppError::Unprocessable)?;
    state
        .db
        .write(move |c| {
            let image = store(c, &img)?;
            attach(c, image)
        })
        .await
}

/// Serves a record's picture: `find` returns the stored image id if the record has one that
/// may be shown.
pub async fn serve<F>(
    req: &actix_web::HttpRequest,
    state: &crate::platform::state::AppState,
    find: F,
) -> Result<actix_web::HttpResponse, crate::platform::error::AppError>
where
    F: FnOnce(&mut AnyConnection) -> Result<Option<i64>, crate::platform::error::AppError>
        + Send
        + 'static,
{
    let found = state
        .db
        .read(move |c| match find(c)? {
            Some(i) => Ok(load(c, i)?),
            None => Ok(None),
        })
        .await?;
    let (ct, bytes, sha) =
        found.ok_or_else(|| crate::platform::error::AppError::not_found("That picture"))?;
    Ok(respond(req, ct, bytes, sha))
}

/// The picture of one kind of record (a product, a menu item): the routes are
/// `upload_picture::<R>` (multipart; its CSRF token travels in the query string) and
/// `picture::<R>`.
pub trait PictureRoutes {
    /// The record must exist before anything is decoded.
    fn check(conn: &mut AnyConnection, id: i64) -> Result<(), AppError>;
    /// Attaches the stored picture, with its audit row.
    fn attach(
        conn: &mut AnyConnection,
        actor: &crate::platform::audit::Actor,
        id: i64,
        image: i64,
    ) -> Result<(), AppError>;
    /// The picture to serve, if the record shows one.
    fn shown(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>, AppError>;
    /// The flash after an upload, and the page to go back to.
    const SAID: &'static str;
    fn back(id: i64) -> String;
}

pub async fn upload_picture<R: PictureRoutes + 'static>(
    actor: crate::platform::audit::Actor,
    state: actix_web::web::Data<crate::platform::state::AppState>,
    session: actix_session::Session,
    id: actix_web::web::Path<i64>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    state.db.run(move |c| R::check(c, id)).await?;
    save_upload(&state, form, move |c, image| {
        R::attach(c, &actor, id, image)
    })
    .await?;
    crate::platform::flash::success(&session, R::SAID);
    Ok(crate::platform::page::see_other(&R::back(id)))
}

pub async fn picture<R: PictureRoutes + 'static>(
    req: HttpRequest,
    state: actix_web::web::Data<crate::platform::state::AppState>,
    id: actix_web::web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    serve(&req, &state, move |c| R::shown(c, id)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn shrinks_big_pictures_and_keeps_small_ones() {
        let p = process_upload(&png(2000, 1000)).unwrap();
        assert_eq!((p.width, p.height), (512, 256));
        assert_eq!(p.content_type, "image/jpeg");
        let p = process_upload(&png(100, 50)).unwrap();
        assert_eq!((p.width, p.height), (100, 50));
    }

    #[test]
    fn refuses_what_is_not_a_picture() {
        assert!(process_upload(b"%PDF-1.4 not an image").is_err());
        assert!(process_upload(b"GIF89a......").is_err());
        let mut broken = png(10, 10);
        broken.truncate(30);
        assert!(process_upload(&broken).is_err());
    }
}
