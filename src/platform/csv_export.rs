//! Streamed CSV downloads: rows are read a page at a time on one pooled connection and sent
//! through a bounded channel, so memory stays flat whatever the size of the export.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::HttpResponse;

use crate::platform::db::{AnyConnection, Db};
use crate::platform::error::AppError;

/// Spreadsheets run cells starting with these as formulas; user-typed text must not.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

fn encode(rows: &[Vec<String>]) -> Result<Bytes, AppError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 96));
    for row in rows {
        w.write_record(row.iter().map(|c| neutralise(c)))
            .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    }
    let buf = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(Bytes::from(buf))
}

/// `sales` on 2 December 2026 → `sales-2026-12-02.csv`: a download says which day it is of.
pub fn dated(name: &str, today: chrono::NaiveDate) -> String {
    format!("{name}-{today}.csv")
}

/// Rows fetched per page: large enough to amortise the query, small enough to keep memory flat.
pub const PAGE: i64 = 2000;

/// Streams `header` then the rows that `fetch(conn, after, limit)` returns, page by page. Each
/// row comes with its keyset cursor; a page shorter than `limit` is the last.
pub fn stream<F>(db: &Db, filename: &str, header: &[&str], mut fetch: F) -> HttpResponse
where
    F: FnMut(&mut AnyConnection, Option<i64>, i64) -> Result<Vec<(i64, Vec<String>)>, AppError>
        + Send
        + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    // A UTF-8 byte-order mark so that Excel reads names with accents correctly.
    let mut first = b"\xEF\xBB\xBF".to_vec();
    let header_row: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    if let Ok(b) = encode(&[header_row]) {
        first.extend_from_slice(&b);
    }
    let pool = db.pool().clone();
    std::thread::spawn(move || {
        if tx.blocking_send(Ok(Bytes::from(first))).is_err() {
            return;
        }
        let mut conn = match pool.get() {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                return;
            }
        };
        let mut cursor = None;
        loop {
            let page = fetch(&mut conn, cursor, PAGE).and_then(|rows| {
                let next = if rows.len() as i64 == PAGE {
                    rows.last().map(|r| r.0)
                } else {
                    None
                };
                let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.1).collect();
                encode(&cells).map(|b| (b, next))
            });
            let chunk = match page {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!("export failed: {e}");
                    let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            };
            if tx.blocking_send(Ok(chunk.0)).is_err() {
                return; // the client went away
            }
            match chunk.1 {
                Some(next) => cursor = Some(next),
                None => return,
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename.to_string())],
        })
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body)
}

/// A small table that is already in memory (a report of at most a few hundred rows), sent as
/// one CSV download with the same headers as the streamed ones.
pub fn whole(
    filename: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<HttpResponse, AppError> {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    let header_row: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    body.extend_from_slice(&encode(&[header_row])?);
    body.extend_from_slice(&encode(rows)?);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename.to_string())],
        })
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+63 912"), "'+63 912");
        assert_eq!(neutralise("-5"), "'-5");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("Ana"), "Ana");
        assert_eq!(neutralise(""), "");
    }
}
