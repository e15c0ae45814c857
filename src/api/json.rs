//! What every endpoint of the JSON API shares: the page envelope the cafe system's clients read
//! (`{count, next, previous, results}`, 20 a page, `?page=`), amounts in the shapes they expect,
//! times in the business zone, and the parsing of filters.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;

/// Rows on a page, as the cafe system had it (no page-size parameter).
pub const PAGE_SIZE: i64 = 20;

/// A page of results and the absolute links around it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// Rows matching the filters, on every page.
    pub count: i64,
    /// The next page's address, or null on the last page.
    pub next: Option<String>,
    /// The previous page's address, or null on the first page.
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(pub i64);

impl PageNumber {
    /// `?page=`: a whole number from 1; anything else is a page that does not exist (404, as
    /// the cafe system answered).
    pub fn parse(raw: &str) -> Result<PageNumber, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(PageNumber(1));
        }
        raw.parse::<i64>()
            .ok()
            .filter(|n| (1..=crate::platform::pagination::MAX_PAGE).contains(n))
            .map(PageNumber)
            .ok_or_else(invalid_page)
    }

    pub fn offset(self) -> i64 {
        (self.0 - 1) * PAGE_SIZE
    }

    /// A page past the end is refused, except the first page of nothing.
    pub fn check(self, count: i64) -> Result<(), AppError> {
        if self.0 > 1 && self.offset() >= count {
            return Err(invalid_page());
        }
        Ok(())
    }
}

fn invalid_page() -> AppError {
    AppError::NotFound("Invalid page.".into())
}

/// Wraps one page of rows in the envelope, with links that keep the request's filters.
pub fn page<T>(req: &HttpRequest, page: PageNumber, count: i64, results: Vec<T>) -> Paginated<T> {
    let link = |n: i64| {
        let info = req.connection_info();
        let mut query: Vec<(String, String)> = url_pairs(req.query_string())
            .filter(|(k, _)| k != "page")
            .collect();
        if n > 1 {
            query.push(("page".into(), n.to_string()));
        }
        let q = query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sep = if q.is_empty() { "" } else { "?" };
        format!("{}://{}{}{sep}{q}", info.scheme(), info.host(), req.path())
    };
    let next = (page.0 * PAGE_SIZE < count).then(|| link(page.0 + 1));
    let previous = (page.0 > 1).then(|| link(page.0 - 1));
    Paginated {
        count,
        next,
        previous,
        results,
    }
}

/// Cuts one page from rows already in memory (lists of tens of rows, like a branch's menu).
pub fn page_of_all<T>(
    req: &HttpRequest,
    number: PageNumber,
    mut all: Vec<T>,
) -> Result<Paginated<T>, AppError> {
    let count = all.len() as i64;
    number.check(count)?;
    let start = (number.offset() as usize).min(all.len());
    let end = (start + PAGE_SIZE as usize).min(all.len());
    let rows: Vec<T> = all.drain(start..end).collect();
    Ok(page(req, number, count, rows))
}

fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    crate::platform::auth::guard::urlencode(s).replace('/', "%2F")
}

/// Standard base64 (RFC 4648, with padding), for data URIs: a few lines, not a dependency.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `scheme://host` of this request, for absolute links (computed before work moves to the
/// database thread: a request cannot go there).
pub fn site(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// A body that may be left out (`{}` and nothing mean the same); when sent, it must be JSON
/// of the right shape (400 otherwise — a typo is never read as "the default").
pub fn optional_body<T: serde::de::DeserializeOwned + Default>(
    bytes: &[u8],
) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(format!(
            "The request body is not valid JSON for this endpoint: {e}"
        ))
    })
}

/// 200 with a JSON body.
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// 201 with a JSON body.
pub fn created<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Created().json(body)
}

/// `{"detail": "…"}` with a status (for answers that are not errors of `AppError`).
pub fn detail(status: StatusCode, text: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json(Detail {
        detail: text.into(),
    })
}

/// The body of every error and of some confirmations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Detail {
    pub detail: String,
}

/// The body of every error: `{"detail": "…"}`, or field errors `{"price": ["…"]}` (one list of
/// messages per field), or for a promo code under its minimum `{"valid": false, "detail": …}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"detail": "Not found."}))]
pub struct Problem {
    /// What went wrong, for a person to read (absent when the errors are per field).
    pub detail: Option<String>,
}

/// An amount in whole currency units where the cafe system used integers: `120` for 120.00,
/// `120.5` when there are cents (never rounded away). Read from a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = f64, example = 120)]
pub struct Amount(pub Money);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let minor = self.0 .0;
        if minor % 100 == 0 {
            s.serialize_i64(minor / 100)
        } else {
            // Exact: an amount with two decimals prints as the shortest decimal that reads back.
            s.serialize_f64(minor as f64 / 100.0)
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        money_from(serde_json::Value::deserialize(d)?)
            .map(Amount)
            .map_err(serde::de::Error::custom)
    }
}

/// An amount with two decimals, as a string, where the cafe system used decimals: `"20.00"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, example = "20.00")]
pub struct Decimal2(pub Money);

impl Serialize for Decimal2 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.plain())
    }
}

impl<'de> Deserialize<'de> for Decimal2 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Decimal2, D::Error> {
        money_from(serde_json::Value::deserialize(d)?)
            .map(Decimal2)
            .map_err(serde::de::Error::custom)
    }
}

/// A non-negative amount with at most two decimals, from a JSON number or string.
fn money_from(v: serde_json::Value) -> Result<Money, String> {
    let text = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s,
        _ => return Err("an amount must be a number".into()),
    };
    // A float that prints in exponent form (1e-7) is not an amount anyone typed.
    if text.contains(['e', 'E']) {
        return Err("an amount must be a plain number with at most two decimals".into());
    }
    Money::parse_input(&text).map_err(|e| format!("amount {e}"))
}

/// A time shown in the business zone with its offset: `2026-11-21T19:38:28+08:00`.
pub struct Moment;

impl Moment {
    pub fn of(clock: &BusinessClock, utc: NaiveDateTime) -> String {
        clock
            .to_local(utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }

    pub fn opt(clock: &BusinessClock, utc: Option<NaiveDateTime>) -> Option<String> {
        utc.map(|t| Moment::of(clock, t))
    }
}

/// A yes/no filter: `true`/`false` (any case) or `1`/`0`; empty is no filter; anything else is
/// refused (the cafe system silently ignored it and returned everything).
pub fn bool_filter(raw: &str, field: &'static str) -> Result<Option<bool>, AppError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" => Ok(Some(true)),
        "false" | "0" => Ok(Some(false)),
        _ => Err(AppError::field_invalid(field, "Must be true or false.")),
    }
}

/// A whole-number filter (an id, a table number): empty is no filter.
pub fn id_filter(raw: &str, field: &'static str) -> Result<Option<i64>, AppError> {
    forms::optional_id(raw).map_err(|_| AppError::field_invalid(field, "Must be a whole number."))
}

/// A search text: at most 100 characters, lower-cased for matching.
pub fn search_text(raw: &str) -> Result<Option<String>, AppError> {
    let visible = forms::visible(raw.trim()).map_err(|_| {
        AppError::field_invalid("search", "The search text has only invisible characters.")
    })?;
    if visible.chars().count() > 100 {
        return Err(AppError::field_invalid(
            "search",
            "The search text can be at most 100 characters.",
        ));
    }
    Ok((!visible.is_empty()).then(|| visible.to_lowercase()))
}

/// `?ordering=name` or `-name`, one of `allowed`; empty is the default order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordering {
    pub field: &'static str,
    pub descending: bool,
}

pub fn ordering(raw: &str, allowed: &[&'static str]) -> Result<Option<Ordering>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (field, descending) = match raw.strip_prefix('-') {
        Some(f) => (f, true),
        None => (raw, false),
    };
    match allowed.iter().find(|a| **a == field) {
        Some(f) => Ok(Some(Ordering {
            field: f,
            descending,
        })),
        None => Err(AppError::field_invalid(
            "ordering",
            format!("Order by one of: {}.", allowed.join(", ")),
        )),
    }
}

/// Puts what a JSON body sent into the page form's field; a field left out stays as it was
/// (a PATCH changes only what it names).
pub fn fill(field: &mut String, sent: Option<String>) {
    if let Some(v) = sent {
        *field = v;
    }
}

/// A form's field errors as the API's 400.
pub fn field_errors(errors: FormErrors) -> AppError {
    AppError::Fields {
        status: StatusCode::BAD_REQUEST,
        errors,
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.plain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_cents() {
        let j = |m: i64| serde_json::to_string(&Amount(Money(m))).unwrap();
        assert_eq!(j(12_000), "120");
        assert_eq!(j(12_050), "120.5");
        assert_eq!(j(12_001), "120.01");
        assert_eq!(
            serde_json::to_string(&Decimal2(Money(2_000))).unwrap(),
            "\"20.00\""
        );
    }

    #[test]
    fn amounts_are_read_exactly() {
        let r = |s: &str| serde_json::from_str::<Amount>(s).map(|a| a.0 .0);
        assert_eq!(r("120").unwrap(), 12_000);
        assert_eq!(r("120.5").unwrap(), 12_050);
        assert_eq!(r("\"0.10\"").unwrap(), 10);
        assert!(r("-1").is_err());
        assert!(r("1.001").is_err());
        assert_eq!(r("1e3").unwrap(), 100_000);
        assert!(r("1e-7").is_err());
        assert!(r("1e300").is_err());
        assert!(r("true").is_err());
        assert!(r("null").is_err());
    }

    #[test]
    fn base64_as_the_rfc_says() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn pages_are_whole_numbers_from_one() {
        assert_eq!(PageNumber::parse("").unwrap(), PageNumber(1));
        assert_eq!(PageNumber::parse("3").unwrap().offset(), 40);
        for bad in ["0", "-1", "x", "1.5", "99999999999"] {
            assert!(PageNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(PageNumber(1).check(0).is_ok());
        assert!(PageNumber(2).check(20).is_err());
        assert!(PageNumber(2).check(21).is_ok());
    }

    #[test]
    fn filters() {
        assert_eq!(bool_filter("True", "x").unwrap(), Some(true));
        assert_eq!(bool_filter("0", "x").unwrap(), Some(false));
        assert_eq!(bool_filter("", "x").unwrap(), None);
        assert!(bool_filter("maybe", "x").is_err());
        let o = ordering("-price", &["price", "name"]).unwrap().unwrap();
        assert!(o.descending && o.field == "price");
        assert!(ordering("secret", &["price"]).is_err());
        assert_eq!(decode("a%20b+c%zz"), "a b c%zz");
    }
}
