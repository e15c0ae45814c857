//! Opening stock from a spreadsheet: for one branch, units (and their serial numbers) per
//! product found by barcode or SKU. Units arrive through the stock adjustment the stock page
//! uses, as ledger rows of kind "opening" (the branch's first stock of the product) or
//! "receive", naming the import. A count sheet arrives once: the same file applied again to the
//! same branch adds nothing (a unique index on applied stock files backs it).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::import::{Plan, SeenOnce, Step};
use crate::platform::schema::{branch_stock, product_serials, products, stock_movements};
use crate::platform::spreadsheet::{Column, Columns, Sheet};
use crate::retail::stock::model;
use crate::retail::stock::rules::{
    parse_serials, Adjustment, AdjustmentKind, MovementKind, MAX_QUANTITY,
};

pub const COLUMNS: &[Column] = &[
    Column::new("barcode", "Barcode", &["ean", "upc"], false),
    Column::new("sku", "SKU", &[], false),
    Column::new(
        "quantity",
        "Quantity",
        &["qty", "units", "on hand", "stock"],
        true,
    ),
    Column::new(
        "serials",
        "Serials",
        &["serial numbers", "serial", "imei"],
        false,
    ),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub product_id: i64,
    pub quantity: i64,
    pub serials: Vec<String>,
    /// The branch has never held this product: the ledger calls it opening stock.
    pub opening: bool,
}

type Found = (i64, String, String, Option<String>, bool, bool);

pub fn plan(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    branch_id: i64,
    already_applied: Option<String>,
) -> Result<Plan<Arrival>, AppError> {
    let cols = Columns::find(COLUMNS, &sheet.headers).map_err(AppError::Unprocessable)?;
    if !cols.has("barcode") && !cols.has("sku") {
        return Err(AppError::Unprocessable(
            "The file needs a \"Barcode\" or an \"SKU\" column to find each product.".into(),
        ));
    }
    let mut plan = Plan::new(sheet, &cols);
    if let Some(when) = &already_applied {
        plan.notes.push(format!(
            "This file was already applied to this branch {when}; applying it again adds nothing."
        ));
    }
    // Products by barcode and SKU, a few hundred per query.
    let codes: Vec<String> = sheet
        .rows
        .iter()
        .flat_map(|r| [cols.get(r, "barcode"), cols.get(r, "sku")])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut found: Vec<Found> = Vec::new();
    for chunk in codes.chunks(400) {
        found.extend(
            products::table
                .filter(
                    products::barcode
                        .eq_any(chunk)
                        .or(products::sku.eq_any(chunk)),
                )
                .select((
                    products::id,
                    products::name,
                    products::barcode,
                    products::sku,
                    products::serial_tracked,
                    products::is_active,
                ))
                .load::<Found>(conn)?,
        );
    }
    let by_barcode: HashMap<&str, &Found> = found.iter().map(|f| (f.2.as_str(), f)).collect();
    let by_sku: HashMap<&str, &Found> = found
        .iter()
        .filter_map(|f| f.3.as_deref().map(|s| (s, f)))
        .collect();
    let ids: Vec<i64> = found.iter().map(|f| f.0).collect();
    let mut held: HashSet<i64> = HashSet::new();
    for chunk in ids.chunks(500) {
        held.extend(
            stock_movements::table
                .filter(stock_movements::branch_id.eq(branch_id))
                .filter(stock_movements::product_id.eq_any(chunk))
                .select(stock_movements::product_id)
                .distinct()
                .load::<i64>(conn)?,
        );
        held.extend(
            branch_stock::table
                .filter(branch_stock::branch_id.eq(branch_id))
                .filter(branch_stock::product_id.eq_any(chunk))
                .filter(branch_stock::quantity.gt(0))
                .select(branch_stock::product_id)
                .load::<i64>(conn)?,
        );
    }
    let (mut seen, mut seen_serial) = (SeenOnce::default(), SeenOnce::default());
    let header = |k: &str| cols.header(k);
    for row in &sheet.rows {
        let line = row.line;
        let (barcode, sku) = (cols.get(row, "barcode"), cols.get(row, "sku"));
        if already_applied.is_some() {
            // Its serials are recorded and its units counted: nothing to check again.
            let code = if barcode.is_empty() { sku } else { barcode };
            plan.push(line, code.to_string(), Step::Unchanged);
            continue;
        }
        let product = match (by_barcode.get(barcode), by_sku.get(sku)) {
            (Some(a), Some(b)) if a.0 != b.0 => {
                plan.problem(
                    line,
                    header("sku"),
                    format!(
                        "The barcode is {}'s and the SKU is {}'s; which one is it?",
                        a.1, b.1
                    ),
                );
                continue;
            }
            (Some(p), _) | (None, Some(p)) => *p,
            (None, None) => {
                let (column, what) = if barcode.is_empty() {
                    (header("sku"), format!("SKU {sku}"))
                } else {
                    (header("barcode"), format!("barcode {barcode}"))
                };
                let reason = if barcode.is_empty() && sku.is_empty() {
                    "Give the product's barcode or SKU.".to_string()
                } else {
                    format!("No product has the {what}. Import the products first.")
                };
                plan.problem(line, column, reason);
                continue;
            }
        };
        let (id, name, code, _, serial_tracked, active) = product;
        let before = plan.problems.len();
        if !active {
            plan.problem(
                line,
                header("barcode"),
                format!("{name} is archived; restore it before receiving stock."),
            );
        }
        if let Some(first) = seen.twice(&id.to_string(), line) {
            plan.problem(
                line,
                header("barcode"),
                format!("{name} is also on line {first}. Put its units on one line."),
            );
        }
        let raw_quantity = cols.get(row, "quantity");
        let quantity = raw_quantity
            .parse::<i64>()
            .ok()
            .filter(|q| (0..=MAX_QUANTITY).contains(q));
        if quantity.is_none() {
            plan.problem(
                line,
                header("quantity"),
                format!(
                    "\"{}\" is not a number of units (a whole number from 0 to 1,000,000).",
                    raw_quantity.chars().take(20).collect::<String>()
                ),
            );
        }
        let raw_serials = cols.get(row, "serials").replace([';', '|', ' ', '\t'], ",");
        let serials = parse_serials(&raw_serials).unwrap_or_else(|m| {
            plan.problem(line, header("serials"), m);
            vec![]
        });
        if let Some(q) = quantity {
            if *serial_tracked && serials.len() as i64 != q {
                plan.problem(
                    line,
                    header("serials"),
                    format!(
                        "{name} has one serial number per unit: list {q}, found {}.",
                        serials.len()
                    ),
                );
            }
            if !*serial_tracked && !serials.is_empty() {
                plan.problem(
                    line,
                    header("serials"),
                    format!("{name} does not track serial numbers; leave Serials empty."),
                );
            }
        }
        for s in &serials {
            if let Some(first) = seen_serial.twice(&format!("{id}:{s}"), line) {
                plan.problem(
                    line,
                    header("serials"),
                    format!("Serial {s} is also on line {first}."),
                );
            }
        }
        if !serials.is_empty() {
            let known: Vec<String> = product_serials::table
                .filter(product_serials::product_id.eq(id))
                .filter(product_serials::serial.eq_any(&serials))
                .select(product_serials::serial)
                .load(conn)?;
            if let Some(s) = known.first() {
                plan.problem(
                    line,
                    header("serials"),
                    format!("Serial {s} of {name} is already recorded (in stock or sold)."),
                );
            }
        }
        if plan.problems.len() > before {
            continue;
        }
        let Some(quantity) = quantity else { continue };
        let label = format!("{name} ({code}): {quantity} unit(s)");
        if quantity == 0 {
            plan.push(line, label, Step::Unchanged);
            continue;
        }
        let arrival = Arrival {
            product_id: *id,
            quantity,
            serials,
            opening: !held.contains(id),
        };
        if arrival.opening {
            plan.push(line, label, Step::Create(arrival));
        } else {
            let now: i64 = model::quantity(conn, branch_id, *id)?;
            let what = vec![format!("In stock: {now} → {}", now + quantity)];
            plan.push(line, label, Step::Update(*id, arrival, what));
        }
    }
    Ok(plan)
}

/// Receives every row's units at the branch, in the caller's transaction.
pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    import: &str,
    plan: Plan<Arrival>,
) -> Result<(), AppError> {
    for planned in plan.steps {
        let arrival = match planned.step {
            Step::Unchanged => continue,
            Step::Create(a) | Step::Update(_, a, _) => a,
        };
        let movement = if arrival.opening {
            MovementKind::Opening
        } else {
            MovementKind::Receive
        };
        let adjustment = Adjustment {
            branch_id,
            kind: AdjustmentKind::Receive,
            quantity: arrival.quantity,
            reason: format!("{} ({})", import, movement.label().to_lowercase()),
            serials: arrival.serials,
        };
        model::adjust_as(
            conn,
            actor,
            arrival.product_id,
            &adjustment,
            movement,
            import,
        )?;
    }
    Ok(())
}
