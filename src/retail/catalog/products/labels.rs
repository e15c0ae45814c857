//! Shelf and product labels: name, price and the product's barcode drawn as SVG (EAN-13,
//! UPC-A, EAN-8 where the code is one, else Code 128), laid out for A4 label sheets (3 × 8 of
//! 70 × 37 mm) or a 50 × 30 mm label printer, so a printed label scans back into the till.

use std::collections::HashMap;

use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;
use barcoders::sym::ean13::EAN13;
use barcoders::sym::ean8::EAN8;
use diesel::prelude::*;

use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::forms::Pairs;
use crate::platform::money::Money;
use crate::platform::schema::{products, stock_movements};

pub const MAX_PRODUCTS: usize = 200;
pub const MAX_COPIES: i64 = 100;
pub const MAX_LABELS: usize = 2_000;

/// Modules of white either side of the bars: scanners need a quiet zone.
const QUIET: usize = 10;

/// The bars of a code as an SVG that stretches to its box, with its quiet zones; `None` for a
/// code no symbology here can carry.
pub fn barcode_svg(code: &str) -> Option<String> {
    let digits = code.chars().all(|c| c.is_ascii_digit());
    let bits: Vec<u8> = match code.len() {
        13 if digits => EAN13::new(code).ok()?.encode(),
        // A UPC-A is an EAN-13 that starts with 0.
        12 if digits => EAN13::new(format!("0{code}")).ok()?.encode(),
        8 if digits => EAN8::new(code).ok()?.encode(),
        // Code 128 set B carries printable ASCII.
        _ if code.chars().all(|c| c.is_ascii_graphic()) && code.len() <= 40 => {
            Code128::new(format!("Ɓ{code}")).ok()?.encode()
        }
        _ => return None,
    };
    let mut padded = vec![0u8; QUIET];
    padded.extend(bits);
    padded.extend(std::iter::repeat_n(0u8, QUIET));
    let svg = SVG::new(60).generate(&padded).ok()?;
    // Fill the label's barcode box; bars stay crisp when scaled.
    Some(svg.replacen(
        "<svg ",
        "<svg preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\" role=\"img\" ",
        1,
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    A4,
    Roll,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::A4 => "a4",
            Layout::Roll => "roll",
        }
    }
}

/// What `/products/labels` was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRequest {
    pub ids: Vec<i64>,
    /// A stock import: one label per unit it received.
    pub import: Option<i64>,
    pub copies: i64,
    pub layout: Layout,
}

impl LabelRequest {
    pub fn parse(q: &Pairs) -> Result<LabelRequest, AppError> {
        let ids = q
            .ids("id", MAX_PRODUCTS + 1)
            .map_err(|_| AppError::BadRequest("Choose products from the list.".into()))?;
        if ids.len() > MAX_PRODUCTS {
            return Err(AppError::BadRequest(format!(
                "At most {MAX_PRODUCTS} products at a time."
            )));
        }
        let import = crate::platform::forms::optional_id(q.get("import"))
            .map_err(|_| AppError::BadRequest("That is not an import.".into()))?;
        let copies = match q.get("copies").trim() {
            "" => 1,
            raw => raw
                .parse::<i64>()
                .ok()
                .filter(|c| (1..=MAX_COPIES).contains(c))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "Copies must be a whole number from 1 to {MAX_COPIES}."
                    ))
                })?,
        };
        let layout = match q.get("layout").trim() {
            "" | "a4" => Layout::A4,
            "roll" => Layout::Roll,
            _ => {
                return Err(AppError::BadRequest(
                    "The layout is a4 (label sheets) or roll (50 × 30 mm printer).".into(),
                ))
            }
        };
        Ok(LabelRequest {
            ids,
            import,
            copies,
            layout,
        })
    }
}

/// One printed label.
#[derive(Debug, Clone)]
pub struct Label {
    pub name: String,
    pub price: Money,
    /// The base price of a product on discount, shown struck through.
    pub was: Option<Money>,
    pub barcode: String,
    pub svg: std::sync::Arc<String>,
}

type Row = (i64, String, String, i64, Option<i64>);

/// The labels asked for, in the order asked (each product `copies` times; an import's products
/// once per unit received).
pub fn labels(conn: &mut AnyConnection, r: &LabelRequest) -> Result<Vec<Label>, AppError> {
    let mut wanted: Vec<(i64, i64)> = r.ids.iter().map(|id| (*id, r.copies)).collect();
    if let Some(import) = r.import {
        let units: Vec<(i64, i64)> = stock_movements::table
            .filter(stock_movements::document.eq(format!("Import #{import}")))
            .filter(stock_movements::quantity_change.gt(0))
            .order(stock_movements::id.asc())
            .select((
                stock_movements::product_id,
                stock_movements::quantity_change,
            ))
            .load(conn)?;
        if units.is_empty() {
            return Err(AppError::not_found("That stock import"));
        }
        wanted.extend(units);
    }
    if wanted.is_empty() {
        return Err(AppError::Unprocessable(
            "Choose the products to print labels for (tick them in the product list).".into(),
        ));
    }
    let total: i64 = wanted.iter().map(|w| w.1).sum();
    if total as usize > MAX_LABELS {
        return Err(AppError::BadRequest(format!(
            "That is {total} labels; at most {MAX_LABELS} at a time."
        )));
    }
    let ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
    let rows: Vec<Row> = products::table
        .filter(products::id.eq_any(&ids))
        .select((
            products::id,
            products::name,
            products::barcode,
            products::price_minor,
            products::regular_price_minor,
        ))
        .load(conn)?;
    let by_id: HashMap<i64, Row> = rows.into_iter().map(|r| (r.0, r)).collect();
    let mut drawn: HashMap<i64, std::sync::Arc<String>> = HashMap::new();
    let mut out = Vec::with_capacity(total as usize);
    for (id, copies) in wanted {
        let (_, name, barcode, price, regular) = by_id
            .get(&id)
            .ok_or_else(|| AppError::not_found(&format!("Product #{id}")))?;
        let svg = match drawn.get(&id) {
            Some(s) => s.clone(),
            None => {
                let s = std::sync::Arc::new(barcode_svg(barcode).unwrap_or_default());
                drawn.insert(id, s.clone());
                s
            }
        };
        for _ in 0..copies {
            out.push(Label {
                name: name.clone(),
                price: Money(*price),
                was: regular.map(Money),
                barcode: barcode.clone(),
                svg: svg.clone(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the bars back: EAN-13's left half in L/G codes and right half in R codes.
    fn decode_ean13(bits: &[u8]) -> String {
        const L: [&str; 10] = [
            "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
            "0110111", "0001011",
        ];
        let s: String = bits
            .iter()
            .map(|b| if *b == 1 { '1' } else { '0' })
            .collect();
        // R is L inverted; G is R reversed.
        let g = |code: &str| -> String {
            code.chars()
                .rev()
                .map(|c| if c == '1' { '0' } else { '1' })
                .collect()
        };
        let r = |code: &str| -> String {
            code.chars()
                .map(|c| if c == '1' { '0' } else { '1' })
                .collect()
        };
        assert_eq!(&s[..3], "101");
        let mut parity = String::new();
        let mut digits = String::new();
        for i in 0..6 {
            let chunk = &s[3 + i * 7..10 + i * 7];
            if let Some(d) = L.iter().position(|c| *c == chunk) {
                parity.push('L');
                digits.push((b'0' + d as u8) as char);
            } else {
                let d = L.iter().position(|c| g(c) == chunk).expect("a G code");
                parity.push('G');
                digits.push((b'0' + d as u8) as char);
            }
        }
        assert_eq!(&s[45..50], "01010");
        for i in 0..6 {
            let chunk = &s[50 + i * 7..57 + i * 7];
            let d = L.iter().position(|c| r(c) == chunk).expect("an R code");
            digits.push((b'0' + d as u8) as char);
        }
        const FIRST: [&str; 10] = [
            "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG",
            "LGLGGL", "LGGLGL",
        ];
        let first = FIRST
            .iter()
            .position(|p| *p == parity)
            .expect("a parity pattern");
        format!("{first}{digits}")
    }

    #[test]
    fn ean13_bars_read_back_as_the_code() {
        for code in [
            "4806500000016",
            "9780201379624",
            "0012345678905",
            "4006381333931",
        ] {
            let bits = EAN13::new(code).unwrap().encode();
            assert_eq!(bits.len(), 95);
            assert_eq!(decode_ean13(&bits), code);
        }
    }

    #[test]
    fn every_kind_of_code_gets_bars_or_none() {
        for code in [
            "4806500000016",
            "012345678905",
            "96385074",
            "GX-001 ",
            "INT-42",
        ] {
            let svg = barcode_svg(code.trim());
            assert!(svg.is_some_and(|s| s.contains("<rect")), "{code}");
        }
        assert!(
            barcode_svg("4806500000017").is_none(),
            "a wrong check digit draws nothing"
        );
        assert!(barcode_svg("ñandú").is_none());
    }

    #[test]
    fn requests_are_bounded() {
        let q = |s: &str| {
            Pairs(
                s.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let ok = LabelRequest::parse(&q("id=1&id=2&copies=3&layout=roll")).unwrap();
        assert_eq!(
            (ok.ids, ok.copies, ok.layout),
            (vec![1, 2], 3, Layout::Roll)
        );
        assert!(LabelRequest::parse(&q("id=x")).is_err());
        assert!(LabelRequest::parse(&q("id=1&copies=0")).is_err());
        assert!(LabelRequest::parse(&q("id=1&copies=101")).is_err());
        assert!(LabelRequest::parse(&q("id=1&layout=a3")).is_err());
        let many: Vec<String> = (1..=201).map(|i| format!("id={i}")).collect();
        assert!(LabelRequest::parse(&q(&many.join("&"))).is_err());
    }
}
