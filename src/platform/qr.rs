//! QR codes as inline SVG and as PNG, with a small cache keyed by the encoded text: a new table
//! token or a new public address is a new key, so a changed code is never served stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use qrcode::{EcLevel, QrCode};

use crate::platform::error::AppError;

fn code(text: &str) -> Result<QrCode, AppError> {
    // Level M survives a smudged or creased table card without making the code too dense.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(format!("qr: {e}")))
}

/// An `<svg>` element (no XML declaration: it goes inside HTML pages).
pub fn svg(text: &str, min_px: u32) -> Result<String, AppError> {
    let svg = code(text)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .build();
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

pub fn png(text: &str, min_px: u32) -> Result<Vec<u8>, AppError> {
    let img = code(text)?
        .render::<image::Luma<u8>>()
        .min_dimensions(min_px, min_px)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("qr png: {e}")))?;
    Ok(out.into_inner())
}

#[derive(Debug)]
pub struct QrImages {
    pub png: Vec<u8>,
    pub svg: String,
}

/// Rendered codes by encoded text. Bounded: a shop has tens of tables, so when it grows past
/// `LIMIT` entries (old tokens, old addresses) it simply starts again.
#[derive(Default)]
pub struct QrCache(Mutex<HashMap<String, Arc<QrImages>>>);

const LIMIT: usize = 512;

impl QrCache {
    pub fn get(&self, text: &str) -> Result<Arc<QrImages>, AppError> {
        if let Some(hit) = self.0.lock().ok().and_then(|m| m.get(text).cloned()) {
            return Ok(hit);
        }
        let made = Arc::new(QrImages {
            png: png(text, 480)?,
            svg: svg(text, 240)?,
        });
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= LIMIT {
                m.clear();
            }
            m.insert(text.to_string(), made.clone());
        }
        Ok(made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_formats_and_caches_by_text() {
        let cache = QrCache::default();
        let a = cache.get("http://10.0.0.5:8080/t/abc").unwrap();
        assert!(a.png.starts_with(b"\x89PNG"));
        assert!(a.svg.starts_with("<svg"));
        let again = cache.get("http://10.0.0.5:8080/t/abc").unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        let other = cache.get("http://10.0.0.5:8080/t/xyz").unwrap();
        assert!(!Arc::ptr_eq(&a, &other));
    }
}
