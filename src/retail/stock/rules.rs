use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// Goods arrived: quantity goes up.
    Receive,
    /// A stock count: quantity becomes what was counted.
    Count,
    /// Broken or lost: quantity goes down.
    Damage,
}

impl AdjustmentKind {
    pub fn parse(s: &str) -> Option<AdjustmentKind> {
        match s {
            "receive" => Some(AdjustmentKind::Receive),
            "count" => Some(AdjustmentKind::Count),
            "damage" => Some(AdjustmentKind::Damage),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentKind::Receive => "receive",
            AdjustmentKind::Count => "count",
            AdjustmentKind::Damage => "damage",
        }
    }
}

/// Where one serial-numbered unit is, stored as TEXT in `product_serials.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialStatus {
    InStock,
    Sold,
    Damaged,
    /// Sent to another branch and not yet received: sellable nowhere.
    InTransit,
}

impl SerialStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            SerialStatus::InStock => "in_stock",
            SerialStatus::Sold => "sold",
            SerialStatus::Damaged => "damaged",
            SerialStatus::InTransit => "in_transit",
        }
    }
}

/// Why a branch's count changed: one row of the stock ledger each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    Receive,
    Count,
    Damage,
    Sale,
    Void,
    /// A replacement unit given under warranty.
    Warranty,
    /// The first stock of a product at a branch, from an import.
    Opening,
    /// Units a customer brought back, restocked by a refund.
    Return,
    /// Units sent to another branch, and units received from one.
    TransferOut,
    TransferIn,
    /// Units received against a purchase order.
    Purchase,
}

impl MovementKind {
    pub fn parse(s: &str) -> Option<MovementKind> {
        Some(match s {
            "receive" => MovementKind::Receive,
            "count" => MovementKind::Count,
            "damage" => MovementKind::Damage,
            "sale" => MovementKind::Sale,
            "void" => MovementKind::Void,
            "warranty" => MovementKind::Warranty,
            "opening" => MovementKind::Opening,
            "return" => MovementKind::Return,
            "transfer_out" => MovementKind::TransferOut,
            "transfer_in" => MovementKind::TransferIn,
            "purchase" => MovementKind::Purchase,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receive => "receive",
            MovementKind::Count => "count",
            MovementKind::Damage => "damage",
            MovementKind::Sale => "sale",
            MovementKind::Void => "void",
            MovementKind::Warranty => "warranty",
            MovementKind::Opening => "opening",
            MovementKind::Return => "return",
            MovementKind::TransferOut => "transfer_out",
            MovementKind::TransferIn => "transfer_in",
            MovementKind::Purchase => "purchase",
        }
    }

    /// What the stock page calls it.
    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Receive => "Received",
            MovementKind::Count => "Stock count",
            MovementKind::Damage => "Damaged or lost",
            MovementKind::Sale => "Sale",
            MovementKind::Void => "Sale voided",
            MovementKind::Warranty => "Warranty replacement",
            MovementKind::Opening => "Opening stock",
            MovementKind::Return => "Returned by a customer",
            MovementKind::TransferOut => "Sent to another branch",
            MovementKind::TransferIn => "Received from another branch",
            MovementKind::Purchase => "Received from a supplier",
        }
    }
}

impl From<AdjustmentKind> for MovementKind {
    fn from(k: AdjustmentKind) -> Self {
        match k {
            AdjustmentKind::Receive => MovementKind::Receive,
            AdjustmentKind::Count => MovementKind::Count,
            AdjustmentKind::Damage => MovementKind::Damage,
        }
    }
}

/// The label of a stored kind; an unknown one is shown as stored rather than hidden.
pub fn movement_label(stored: &str) -> &str {
    MovementKind::parse(stored).map_or(stored, |k| k.label())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AdjustmentForm {
    pub branch_id: String,
    pub kind: String,
    pub quantity: String,
    pub reason: String,
    pub serials: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub branch_id: i64,
    pub kind: AdjustmentKind,
    /// Units received or damaged, or the counted total.
    pub quantity: i64,
    pub reason: String,
    pub serials: Vec<String>,
}

pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_SERIALS: usize = 500;

/// One serial per line (or separated by commas), trimmed, no duplicates.
pub fn parse_serials(raw: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw
        .split(['\n', ',', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if s.len() > 64 || !s.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!(
                "\"{}\" is not a serial number (letters and digits, at most 64).",
                s.chars().take(20).collect::<String>()
            ));
        }
        if out.iter().any(|o| o == s) {
            return Err(format!("Serial {s} is listed twice."));
        }
        out.push(s.to_string());
        if out.len() > MAX_SERIALS {
            return Err(format!("At most {MAX_SERIALS} serials at a time."));
        }
    }
    Ok(out)
}

pub fn validate(form: &AdjustmentForm, serial_tracked: bool) -> Result<Adjustment, FormErrors> {
    let mut errors = FormErrors::default();
    let branch_id = match forms::optional_id(&form.branch_id) {
        Ok(Some(b)) => b,
        _ => {
            errors.add("branch_id", "Choose a branch.");
            0
        }
    };
    let kind = AdjustmentKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "Choose receive, count or damage.");
    }
    let quantity = form
        .quantity
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|q| (0..=MAX_QUANTITY).contains(q));
    match (quantity, kind) {
        (None, _) => errors.add(
            "quantity",
            "Enter a whole number of units (0 to 1,000,000).",
        ),
        (Some(0), Some(AdjustmentKind::Receive | AdjustmentKind::Damage)) => {
            errors.add("quantity", "Enter at least 1 unit.")
        }
        _ => {}
    }
    let reason = forms::text(&form.reason, "reason", "Reason", 200, true, &mut errors);
    let serials = parse_serials(&form.serials).unwrap_or_else(|m| {
        errors.add("serials", m);
        vec![]
    });
    if let (Some(q), Some(k)) = (quantity, kind) {
        if serial_tracked {
            match k {
                AdjustmentKind::Count => errors.add("kind", "Serial-tracked stock changes by receiving or writing off serials, not by a count."),
                _ if serials.len() as i64 != q && errors.get("serials").is_none() => {
                    errors.add("serials", format!("Enter exactly {q} serial number(s), one per line ({} given).", serials.len()))
                }
                _ => {}
            }
        } else if !serials.is_empty() {
            errors.add(
                "serials",
                "This product is not serial-tracked; leave serials empty.",
            );
        }
    }
    match (kind, quantity) {
        (Some(kind), Some(quantity)) if errors.is_empty() => Ok(Adjustment {
            branch_id,
            kind,
            quantity,
            reason,
            serials,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(kind: &str, q: &str, serials: &str) -> AdjustmentForm {
        AdjustmentForm {
            branch_id: "1".into(),
            kind: kind.into(),
            quantity: q.into(),
            reason: "Delivery".into(),
            serials: serials.into(),
        }
    }

    #[test]
    fn plain_products() {
        assert_eq!(
            validate(&form("receive", "5", ""), false).unwrap().quantity,
            5
        );
        assert!(validate(&form("count", "0", ""), false).is_ok());
        assert!(validate(&form("receive", "0", ""), false).is_err());
        assert!(validate(&form("receive", "-3", ""), false).is_err());
        assert!(validate(&form("receive", "2.5", ""), false).is_err());
        assert!(validate(&form("steal", "1", ""), false).is_err());
        assert!(validate(&form("receive", "1", "SN1"), false).is_err());
    }

    #[test]
    fn serial_tracked_products_need_one_serial_per_unit() {
        let a = validate(&form("receive", "2", "SN-1\nSN-2\n"), true).unwrap();
        assert_eq!(a.serials, ["SN-1", "SN-2"]);
        assert!(validate(&form("receive", "3", "SN-1\nSN-2"), true).is_err());
        assert!(validate(&form("receive", "2", "SN-1\nSN-1"), true).is_err());
        assert!(validate(&form("count", "2", "SN-1,SN-2"), true).is_err());
        assert!(validate(&form("damage", "1", "SN-1"), true).is_ok());
    }
}
