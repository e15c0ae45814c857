//! The offline till's rules that need no database: what a queued sale must look like, the
//! provisional receipt number, the catalogue cursor and the limits a till sells offline within.

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::platform::money::Money;
use crate::retail::pos::cart::{self, Cart, CheckoutRequest, ProductRef};

/// Provisional numbers in one block: a till asks for a new block long before it runs out.
pub const BLOCK_SIZE: i64 = 500;
/// Queued sales in one `POST /pos/sync` (the till sends its queue in slices of this).
pub const MAX_PER_SYNC: usize = 100;
/// Products in one page of the catalogue (about 60 bytes each).
pub const CATALOGUE_PAGE: i64 = 2000;
/// How far ahead of the server's clock a till's clock may be before its times are doubted.
pub const CLOCK_SKEW_MINUTES: i64 = 10;

/// The number on an offline sale's provisional receipt: the till's block and the sale's
/// number in it ("P12-007"), unique across the business because the block is.
pub fn provisional_number(block: i64, number: i64) -> String {
    format!("P{block}-{number:03}")
}

/// A secret a till made for its block: 32 to 128 hexadecimal characters.
pub fn valid_secret(s: &str) -> bool {
    (32..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The digest kept of a block's secret.
pub fn secret_digest(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.to_ascii_lowercase().as_bytes()))
}

/// Whether `secret` is the block's, compared in constant time.
pub fn secret_matches(secret: &str, digest: &str) -> bool {
    use subtle::ConstantTimeEq;
    let mine = secret_digest(secret);
    mine.len() == digest.len() && bool::from(mine.as_bytes().ct_eq(digest.as_bytes()))
}

/// How long and how much a till may sell without reaching the server (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    /// Minutes since the till last reached the server; 0: no offline selling.
    pub minutes: i64,
    /// The most the sales waiting on one till may add up to, in minor units.
    pub amount_minor: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            minutes: 240,
            amount_minor: 5_000_000,
        }
    }
}

/// A sale a till queued while offline, checked for shape; nothing looked up yet.
#[derive(Debug, Clone)]
pub struct QueuedSale {
    pub block_id: i64,
    pub secret: String,
    pub number: i64,
    pub made_at: NaiveDateTime,
    pub cart: Cart,
    /// The unit price the till charged on each line of `cart` (lines merged by product).
    pub charged: Vec<Money>,
    pub total: Money,
    pub received: Money,
}

impl QueuedSale {
    pub fn provisional(&self) -> String {
        provisional_number(self.block_id, self.number)
    }
}

/// The identity of a queued sale, read before anything else so that even a sale refused for
/// its shape is answered by key and number.
pub fn identity(v: &Value) -> (String, Option<i64>, Option<i64>) {
    let key = v["idempotency_key"].as_str().unwrap_or("").trim();
    let key: String = key.chars().take(64).collect();
    (key, v["block"].as_i64(), v["number"].as_i64())
}

fn whole(v: &Value, what: &str) -> Result<i64, String> {
    v.as_i64()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{what} must be a whole number above zero."))
}

/// Checks one queued sale's shape: `{idempotency_key, block, secret, number, made_at (RFC
/// 3339), lines: [{barcode, quantity, serials, price}], cash_received, total}`.
pub fn parse_sale(v: &Value) -> Result<QueuedSale, String> {
    if !v.is_object() {
        return Err("A queued sale must be an object.".into());
    }
    let block_id = whole(&v["block"], "The block")?;
    let number = whole(&v["number"], "The number")?;
    if number > BLOCK_SIZE {
        return Err(format!("The number must be from 1 to {BLOCK_SIZE}."));
    }
    let secret = v["secret"].as_str().unwrap_or("").trim().to_string();
    if !valid_secret(&secret) {
        return Err("The till's secret is missing or malformed.".into());
    }
    let made_at = v["made_at"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
        .ok_or("The time the sale was made must be a date and time such as 2026-12-04T09:30:00Z.")?
        .naive_utc();
    let request = CheckoutRequest {
        idempotency_key: v["idempotency_key"].clone(),
        lines: v["lines"].clone(),
        cash_received: v["cash_received"].clone(),
        customer: Value::Null,
        term_months: Value::Null,
        down_payment: Value::Null,
        tenders: Value::Null,
    };
    let cart = cart::parse(&request)?;
    // Each product's charged price, the same on every line of it.
    let raw = v["lines"]
        .as_array()
        .ok_or("The cart (lines) is missing.")?;
    let mut charged: Vec<Option<Money>> = vec![None; cart.lines.len()];
    for (n, l) in raw.iter().enumerate() {
        let price = cart::amount(&l["price"], &format!("Line {}'s price", n + 1))?;
        let product = match (
            l["barcode"].as_str().map(str::trim),
            l["product_id"].as_i64(),
        ) {
            (Some(b), _) if !b.is_empty() => ProductRef::Barcode(b.to_string()),
            (_, Some(id)) => ProductRef::Id(id),
            _ => return Err(format!("Line {} needs a barcode or a product_id.", n + 1)),
        };
        let at = cart
            .lines
            .iter()
            .position(|c| c.product == product)
            .ok_or_else(|| format!("Line {} is not in the cart.", n + 1))?;
        match charged[at] {
            Some(p) if p != price => {
                return Err(format!(
                    "Line {}: one product charged at two prices in one sale.",
                    n + 1
                ))
            }
            _ => charged[at] = Some(price),
        }
    }
    let charged: Vec<Money> = charged
        .into_iter()
        .map(|p| p.unwrap_or(Money::ZERO))
        .collect();
    let total = cart::amount(&v["total"], "The total")?;
    let received = cart::amount(&v["cash_received"], "Cash received")?;
    if received < total {
        return Err("The cash received is less than the total.".into());
    }
    Ok(QueuedSale {
        block_id,
        secret,
        number,
        made_at,
        cart,
        charged,
        total,
        received,
    })
}

/// Where a till is in the catalogue: the change number and product id of the last product it
/// was sent ("1234:56"; empty: from the start).
pub fn parse_cursor(raw: &str) -> Result<(i64, i64), String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok((-1, 0));
    }
    let said = "The catalogue cursor is two whole numbers, as the last answer gave it.";
    let (seq, id) = raw.split_once(':').ok_or(said)?;
    let seq: i64 = seq.parse().map_err(|_| said)?;
    let id: i64 = id.parse().map_err(|_| said)?;
    if seq < -1 || id < 0 {
        return Err(said.into());
    }
    Ok((seq, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sale() -> Value {
        json!({
            "idempotency_key": "5b2f8f0e-8f3c-4a4e-9d7c-1f2e3d4c5b6a",
            "block": 12, "secret": "ab".repeat(16), "number": 7,
            "made_at": "2026-12-04T09:30:00.123Z",
            "lines": [
                {"barcode": "4801000000001", "quantity": 1, "price": "100.00"},
                {"barcode": "4801000000001", "quantity": 2, "price": "100.00"},
                {"barcode": "4801000000002", "quantity": 1, "price": "5.50"}
            ],
            "cash_received": "400", "total": "305.50"
        })
    }

    #[test]
    fn a_queued_sale_keeps_its_prices_per_merged_line() {
        let s = parse_sale(&sale()).unwrap();
        assert_eq!(s.cart.lines.len(), 2);
        assert_eq!(s.cart.lines[0].quantity, 3);
        assert_eq!(s.charged, vec![Money(10_000), Money(550)]);
        assert_eq!((s.total, s.received), (Money(30_550), Money(40_000)));
        assert_eq!(s.made_at.to_string(), "2026-12-04 09:30:00.123");
        assert_eq!(s.provisional(), "P12-007");
    }

    #[test]
    fn a_queued_sale_of_bad_shape_is_refused_with_its_reason() {
        let cases: Vec<(&str, Value)> = vec![
            ("block", json!(0)),
            ("number", json!(BLOCK_SIZE + 1)),
            ("secret", json!("zz")),
            ("made_at", json!("yesterday")),
            ("total", json!("-1")),
            ("cash_received", json!("1.00")),
            ("lines", json!([])),
        ];
        for (field, value) in cases {
            let mut s = sale();
            s[field] = value;
            assert!(parse_sale(&s).is_err(), "{field} accepted");
        }
        let mut two_prices = sale();
        two_prices["lines"][1]["price"] = json!("90.00");
        assert!(parse_sale(&two_prices).unwrap_err().contains("two prices"));
        let mut no_price = sale();
        no_price["lines"][2]["price"] = Value::Null;
        assert!(parse_sale(&no_price).is_err());
    }

    #[test]
    fn secrets_match_by_digest_only() {
        let secret = "0123456789abcdef".repeat(2);
        let digest = secret_digest(&secret);
        assert!(secret_matches(&secret, &digest));
        assert!(secret_matches(&secret.to_uppercase(), &digest));
        assert!(!secret_matches(&"f".repeat(32), &digest));
        assert!(!valid_secret("short"));
        assert!(!valid_secret(&"g".repeat(32)));
    }

    #[test]
    fn the_catalogue_cursor_is_checked() {
        assert_eq!(parse_cursor(""), Ok((-1, 0)));
        assert_eq!(parse_cursor("12:34"), Ok((12, 34)));
        assert!(parse_cursor("12").is_err());
        assert!(parse_cursor("a:1").is_err());
        assert!(parse_cursor("-5:1").is_err());
    }
}
