//! Reading a multipart form (a file and a few text fields), bounded as it streams in: the whole
//! body may not pass `max` bytes, a text field keeps at most 4 KB, and at most 20 fields are read.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::platform::error::AppError;

const MAX_TEXT_FIELD: usize = 4096;
const MAX_FIELDS: usize = 20;

pub struct UploadedFile {
    /// The name the browser gave, without any folder part, at most 200 characters.
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<UploadedFile>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |s| s.as_str())
    }
}

fn unreadable() -> AppError {
    AppError::BadRequest("The upload could not be read.".into())
}

/// Reads every field; the one named `file_field` is kept as bytes, the others as text.
pub async fn read(
    mut form: Multipart,
    file_field: &str,
    max: usize,
    too_large: &str,
) -> Result<Upload, AppError> {
    let mut out = Upload::default();
    let (mut total, mut count) = (0usize, 0usize);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        count += 1;
        if count > MAX_FIELDS {
            return Err(AppError::BadRequest("The form has too many fields.".into()));
        }
        let name = field.name().unwrap_or("").to_string();
        let is_file = name == file_field;
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(|f| {
                f.rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
            .unwrap_or_default();
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| unreadable())?;
            total += chunk.len();
            if total > max {
                return Err(AppError::PayloadTooLarge(too_large.to_string()));
            }
            // A text field longer than any we use is not kept (it still counts to the total).
            if is_file || buf.len() + chunk.len() <= MAX_TEXT_FIELD {
                buf.extend_from_slice(&chunk);
            }
        }
        if is_file {
            out.file = Some(UploadedFile {
                name: file_name,
                bytes: buf,
            });
        } else if let Ok(text) = String::from_utf8(buf) {
            // Fields we do not read may hold anything; the ones we read are checked by the caller.
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}
