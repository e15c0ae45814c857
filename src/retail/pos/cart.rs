//! The checkout request as the terminal sends it, checked before anything is looked up.
//! Prices never come from here: whatever the client says a thing costs is ignored.

use serde::Deserialize;
use serde_json::Value;

use crate::platform::money::Money;
use crate::retail::customers::{self, CustomerInput};

pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: i64 = 1000;

#[derive(Debug, Deserialize)]
pub struct CheckoutRequest {
    #[serde(default)]
    pub idempotency_key: Value,
    #[serde(default)]
    pub lines: Value,
    #[serde(default)]
    pub cash_received: Value,
    #[serde(default)]
    pub customer: Value,
    /// An instalment sale's term and down payment (instead of `cash_received`).
    #[serde(default)]
    pub term_months: Value,
    #[serde(default)]
    pub down_payment: Value,
    /// A split-tender sale's tenders: `[{"method", "amount", "reference"}]`.
    #[serde(default)]
    pub tenders: Value,
}

/// What a tender of a split payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderMethod {
    Cash,
    Card,
    EWallet,
    /// The customer's store credit (from refunds); the sale needs the customer.
    StoreCredit,
}

impl TenderMethod {
    pub fn parse(s: &str) -> Option<TenderMethod> {
        match s {
            "cash" => Some(TenderMethod::Cash),
            "card" => Some(TenderMethod::Card),
            "ewallet" | "e_wallet" | "upi" => Some(TenderMethod::EWallet),
            "store_credit" => Some(TenderMethod::StoreCredit),
            _ => None,
        }
    }

    /// As stored in `payments.method`.
    pub fn as_str(self) -> &'static str {
        match self {
            TenderMethod::Cash => "cash",
            TenderMethod::Card => "card",
            TenderMethod::EWallet => "ewallet",
            TenderMethod::StoreCredit => "store_credit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TenderMethod::Cash => "Cash",
            TenderMethod::Card => "Card",
            TenderMethod::EWallet => "E-wallet",
            TenderMethod::StoreCredit => "Store credit",
        }
    }
}

/// One tender of a split payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderPart {
    pub method: TenderMethod,
    pub amount: Money,
    /// The card slip's or the wallet's reference (required for both; empty for cash).
    pub reference: String,
}

/// At most this many tenders on one sale.
pub const MAX_TENDERS: usize = 6;

/// How a sale is paid.
#[derive(Debug, Clone, PartialEq)]
pub enum Tender {
    /// Cash handed over; the change is worked out.
    Cash { received: Money },
    /// The down payment now, the rest over `term_months` once a credit officer approves.
    Installment {
        term_months: i64,
        down_payment: Money,
    },
    /// Several tenders that together pay the total; only cash gives change.
    Split { parts: Vec<TenderPart> },
}

/// Which product a line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    Barcode(String),
    Id(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub product: ProductRef,
    pub quantity: i64,
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cart {
    pub idempotency_key: String,
    pub lines: Vec<CartLine>,
    pub tender: Tender,
    pub customer: Option<CustomerInput>,
}

impl Cart {
    /// What this request asks for, as a hash: a repeated idempotency key must come with the
    /// same cart, or it is a different sale that reuses a key (409, never the first sale's
    /// receipt for a different cart).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for l in &self.lines {
            match &l.product {
                ProductRef::Barcode(b) => h.update(format!("b:{b}")),
                ProductRef::Id(id) => h.update(format!("i:{id}")),
            }
            h.update(format!("|q:{}|s:{}\n", l.quantity, l.serials.join(",")));
        }
        match self.tender {
            Tender::Cash { received } => h.update(format!("cash:{}\n", received.0)),
            Tender::Installment {
                term_months,
                down_payment,
            } => h.update(format!("installment:{term_months}:{}\n", down_payment.0)),
            Tender::Split { ref parts } => {
                for p in parts {
                    h.update(format!(
                        "{}:{}:{}\n",
                        p.method.as_str(),
                        p.amount.0,
                        p.reference
                    ));
                }
            }
        }
        if let Some(c) = &self.customer {
            h.update(format!(
                "c:{}|{}|{}|{}",
                c.name, c.phone, c.email, c.address
            ));
        }
        hex::encode(h.finalize())
    }
}

fn text(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim)
}

pub fn idempotency_key(v: &Value) -> Result<String, String> {
    crate::platform::forms::one_time_key(text(v).unwrap_or(""))
}

/// Money as a decimal string ("5000.00") or a number.
pub fn amount(v: &Value, what: &str) -> Result<Money, String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Null => return Err(format!("{what} is missing.")),
        _ => return Err(format!("{what} must be an amount such as \"5000.00\".")),
    };
    Money::parse_input(&s).map_err(|e| format!("{what}: {e}."))
}

fn line(v: &Value, n: usize) -> Result<CartLine, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("Line {n} is not an object."))?;
    let product = match (obj.get("barcode").and_then(text), obj.get("product_id")) {
        (Some(b), _) if !b.is_empty() && b.len() <= 64 => ProductRef::Barcode(b.to_string()),
        (_, Some(id)) if id.as_i64().is_some_and(|i| i > 0) => {
            ProductRef::Id(id.as_i64().unwrap_or(0))
        }
        _ => return Err(format!("Line {n} needs a barcode or a product_id.")),
    };
    let quantity = match obj.get("quantity") {
        None => 1,
        Some(q) => match q.as_i64() {
            Some(q) if (1..=MAX_QUANTITY).contains(&q) => q,
            Some(q) if q < 1 => return Err(format!("Line {n}: the quantity must be at least 1.")),
            Some(_) => return Err(format!("Line {n}: at most {MAX_QUANTITY} units per line.")),
            None => return Err(format!("Line {n}: the quantity must be a whole number.")),
        },
    };
    let serials = match obj.get("serials") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => {
            let mut out: Vec<String> = Vec::new();
            for s in items {
                let s = text(s)
                    .filter(|s| !s.is_empty() && s.len() <= 64)
                    .ok_or_else(|| format!("Line {n}: every serial must be text."))?;
                if out.iter().any(|o| o == s) {
                    return Err(format!("Line {n}: serial {s} is listed twice."));
                }
                out.push(s.to_string());
            }
            out
        }
        Some(_) => return Err(format!("Line {n}: serials must be a list.")),
    };
    if serials.len() > MAX_QUANTITY as usize {
        return Err(format!("Line {n}: too many serials."));
    }
    Ok(CartLine {
        product,
        quantity,
        serials,
    })
}

/// Checks the shape of a checkout. Lines for the same product are merged.
/// A cash sale's cart.
pub fn parse(req: &CheckoutRequest) -> Result<Cart, String> {
    let received = amount(&req.cash_received, "Cash received")?;
    cart(req, Tender::Cash { received })
}

/// A split-tender sale's cart: 1 to `MAX_TENDERS` tenders, each a method (`cash`, `card`,
/// `ewallet`), an amount above zero and, for card and e-wallet, the reference of the slip or
/// the transfer. Whether they pay the total is the checkout's to say (it knows the total).
pub fn parse_split(req: &CheckoutRequest) -> Result<Cart, String> {
    let raw = req
        .tenders
        .as_array()
        .ok_or("The tenders are missing: a list of {method, amount, reference}.")?;
    if raw.is_empty() || raw.len() > MAX_TENDERS {
        return Err(format!("Pay with 1 to {MAX_TENDERS} tenders."));
    }
    let mut parts = Vec::with_capacity(raw.len());
    for (n, t) in raw.iter().enumerate() {
        let which = format!("Tender {}", n + 1);
        let method_raw = text(&t["method"]).unwrap_or("");
        let method = match TenderMethod::parse(method_raw) {
            Some(m) => m,
            None => {
                return Err(format!(
                    "{which}: the method is cash, card, ewallet or store_credit."
                ))
            }
        };
        let amount = amount(&t["amount"], &format!("{which}'s amount"))?;
        if !amount.is_positive() {
            return Err(format!("{which}'s amount must be more than zero."));
        }
        let reference = match &t["reference"] {
            Value::Null => String::new(),
            v => text(v)
                .ok_or_else(|| format!("{which}'s reference must be text."))?
                .to_string(),
        };
        if reference.chars().count() > 64
            || reference
                .chars()
                .any(|c| c.is_control() || crate::platform::forms::is_invisible(c))
        {
            return Err(format!(
                "{which}'s reference is at most 64 printable characters."
            ));
        }
        if matches!(method, TenderMethod::Card | TenderMethod::EWallet) && reference.is_empty() {
            return Err(format!(
                "{which}: a {} payment needs its reference (the slip's or the transfer's number).",
                method.label().to_lowercase()
            ));
        }
        parts.push(TenderPart {
            method,
            amount,
            reference,
        });
    }
    cart(req, Tender::Split { parts })
}

/// An instalment sale's cart: a term in whole months, a down payment (zero allowed) and a
/// customer with a name and phone.
pub fn parse_installment(req: &CheckoutRequest) -> Result<Cart, String> {
    let term_months = match &req.term_months {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .filter(|t| *t > 0)
    .ok_or("The term must be a whole number of months.")?;
    let down_payment = match &req.down_payment {
        Value::Null => Money::ZERO,
        v => amount(v, "Down payment")?,
    };
    let c = cart(
        req,
        Tender::Installment {
            term_months,
            down_payment,
        },
    )?;
    match &c.customer {
        Some(cu) if !cu.phone.is_empty() => Ok(c),
        _ => Err("An instalment sale needs the customer's name and phone number.".into()),
    }
}

fn cart(req: &CheckoutRequest, tender: Tender) -> Result<Cart, String> {
    let idempotency_key = idempotency_key(&req.idempotency_key)?;
    let raw = req.lines.as_array().ok_or("The cart (lines) is missing.")?;
    if raw.is_empty() {
        return Err("The cart is empty: scan at least one product.".into());
    }
    if raw.len() > MAX_LINES {
        return Err(format!("A sale can have at most {MAX_LINES} lines."));
    }
    let mut lines: Vec<CartLine> = Vec::new();
    for (i, v) in raw.iter().enumerate() {
        let l = line(v, i + 1)?;
        match lines.iter_mut().find(|x| x.product == l.product) {
            Some(existing) => {
                existing.quantity += l.quantity;
                if existing.quantity > MAX_QUANTITY {
                    return Err(format!(
                        "At most {MAX_QUANTITY} units of one product per sale."
                    ));
                }
                for s in l.serials {
                    if existing.serials.contains(&s) {
                        return Err(format!("Serial {s} is listed twice."));
                    }
                    existing.serials.push(s);
                }
            }
            None => lines.push(l),
        }
    }
    let customer = match &req.customer {
        Value::Null => None,
        Value::Object(_) => {
            let input: CustomerInput =
                serde_json::from_value(req.customer.clone()).map_err(|_| {
                    "The customer must have a name, phone and e-mail as text.".to_string()
                })?;
            Some(customers::validate(&input)?)
        }
        _ => return Err("The customer must be an object or null.".into()),
    };
    Ok(Cart {
        idempotency_key,
        lines,
        tender,
        customer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(v: Value) -> CheckoutRequest {
        serde_json::from_value(v).unwrap()
    }

    fn good() -> Value {
        json!({"idempotency_key": "0b5c3a2e-1111-4a4a-9a9a-123456789abc",
               "lines": [{"barcode": "4806512345671", "quantity": 2, "price": "0.01"}],
               "cash_received": "5000.00", "customer": null})
    }

    #[test]
    fn accepts_a_normal_cart_and_ignores_prices() {
        let c = parse(&req(good())).unwrap();
        assert_eq!(
            c.lines,
            [CartLine {
                product: ProductRef::Barcode("4806512345671".into()),
                quantity: 2,
                serials: vec![]
            }]
        );
        assert_eq!(
            c.tender,
            Tender::Cash {
                received: Money(500_000)
            }
        );
    }

    #[test]
    fn merges_lines_of_one_product() {
        let mut v = good();
        v["lines"] =
            json!([{"barcode": "A1"}, {"barcode": "A1", "quantity": 2}, {"product_id": 7}]);
        let c = parse(&req(v)).unwrap();
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].quantity, 3);
    }

    #[test]
    fn refuses_what_a_till_must_not_accept() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("lines", json!([]), "empty"),
            ("lines", json!(null), "missing"),
            (
                "lines",
                json!([{"barcode": "A1", "quantity": 0}]),
                "at least 1",
            ),
            (
                "lines",
                json!([{"barcode": "A1", "quantity": -2}]),
                "at least 1",
            ),
            (
                "lines",
                json!([{"barcode": "A1", "quantity": 1.5}]),
                "whole number",
            ),
            (
                "lines",
                json!([{"barcode": "A1", "quantity": "2"}]),
                "whole number",
            ),
            ("lines", json!([{"quantity": 1}]), "barcode or a product_id"),
            (
                "lines",
                json!([{"barcode": "A1", "serials": "S1"}]),
                "must be a list",
            ),
            (
                "lines",
                json!([{"barcode": "A1", "quantity": 2, "serials": ["S1", "S1"]}]),
                "twice",
            ),
            ("cash_received", json!("-5"), "negative"),
            ("cash_received", json!(null), "missing"),
            ("cash_received", json!({"a": 1}), "amount"),
            ("idempotency_key", json!("x"), "idempotency_key"),
            ("idempotency_key", json!(null), "idempotency_key"),
            ("customer", json!("Ana"), "object"),
            ("customer", json!({"name": "Ana", "phone": ""}), "phone"),
        ];
        for (field, value, message) in cases {
            let mut v = good();
            v[field] = value.clone();
            let err = parse(&req(v)).unwrap_err();
            assert!(err.contains(message), "{field}={value}: {err}");
        }
    }
}
