//! Products from a spreadsheet: matched by SKU, else by barcode; each row checked by the
//! product form's own rules; created or updated through the product model, so every change
//! has its audit row. The export writes the same columns, so a round trip changes nothing.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::platform::audit::Actor;
use crate::platform::category_list::{ByName, Named};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::import::{change, Plan, SeenOnce, Step};
use crate::platform::money::Money;
use crate::platform::schema::{product_categories, products};
use crate::platform::spreadsheet::{header_of, yes_no, Column, Columns, Sheet};
use crate::retail::catalog::categories::ProductCategories;
use crate::retail::catalog::products::model::{self, Product};
use crate::retail::catalog::products::rules::{self, ProductForm, ProductInput};

/// The template's columns, with the gadget-store seed's field names accepted too.
pub const COLUMNS: &[Column] = &[
    Column::new("name", "Name", &["product_name", "product"], true),
    Column::new("sku", "SKU", &[], false),
    Column::new("category", "Category", &["category_obj"], true),
    Column::new("barcode", "Barcode", &["ean", "upc"], true),
    Column::new("cost", "Cost price", &["cost"], false),
    Column::new("base", "Base price", &["price", "selling price"], true),
    Column::new("discount", "Discount price", &[], false),
    Column::new(
        "min_stock",
        "Minimum stock",
        &["min_stock_level", "min stock"],
        false,
    ),
    Column::new(
        "serial",
        "Serial tracked",
        &["serial", "serial number", "imei"],
        false,
    ),
    Column::new("active", "Active", &["is_active"], false),
    Column::new("description", "Description", &[], false),
];

/// The column a product-form field comes from.
fn column_of(field: &str) -> &'static str {
    let key = match field {
        "price" => "base",
        "discount_price" => "discount",
        "category_id" => "category",
        other => other,
    };
    header_of(COLUMNS, key)
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductAction {
    pub input: ProductInput,
    pub category: Named,
    /// The product as stored, for an update.
    pub before: Option<Product>,
    /// `Some` when the row sets it and it differs (archive or restore).
    pub active: Option<bool>,
}

/// The stored products that have one of these barcodes or SKUs, a few hundred per query.
fn stored_matching(
    conn: &mut AnyConnection,
    barcodes: &[String],
    skus: &[String],
) -> QueryResult<HashMap<i64, Product>> {
    let mut out = HashMap::new();
    for chunk in barcodes.chunks(500) {
        let found: Vec<Product> = products::table
            .filter(products::barcode.eq_any(chunk))
            .select(Product::as_select())
            .load(conn)?;
        out.extend(found.into_iter().map(|p| (p.id, p)));
    }
    for chunk in skus.chunks(500) {
        let found: Vec<Product> = products::table
            .filter(products::sku.eq_any(chunk))
            .select(Product::as_select())
            .load(conn)?;
        out.extend(found.into_iter().map(|p| (p.id, p)));
    }
    Ok(out)
}

pub fn plan(conn: &mut AnyConnection, sheet: &Sheet) -> Result<Plan<ProductAction>, AppError> {
    let cols = Columns::find(COLUMNS, &sheet.headers).map_err(AppError::Unprocessable)?;
    let mut plan = Plan::new(sheet, &cols);
    let categories = ByName::load::<ProductCategories>(conn)?;
    let barcodes: Vec<String> = sheet
        .rows
        .iter()
        .map(|r| cols.get(r, "barcode").to_string())
        .collect();
    let skus: Vec<String> = sheet
        .rows
        .iter()
        .map(|r| cols.get(r, "sku").to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let stored = stored_matching(conn, &barcodes, &skus)?;
    let by_barcode: HashMap<String, i64> =
        stored.values().map(|p| (p.barcode.clone(), p.id)).collect();
    let by_sku: HashMap<String, i64> = stored
        .values()
        .filter_map(|p| p.sku.clone().map(|s| (s, p.id)))
        .collect();
    let (mut seen_barcode, mut seen_sku) = (SeenOnce::default(), SeenOnce::default());

    for row in &sheet.rows {
        let line = row.line;
        let get = |k: &str| cols.get(row, k);
        let before = plan.problems.len();
        let sku = get("sku");
        let matched = by_sku
            .get(sku)
            .filter(|_| !sku.is_empty())
            .or_else(|| by_barcode.get(get("barcode")))
            .and_then(|id| stored.get(id));
        // What the file leaves out stays as stored (or the form's default for a new product).
        let keep = |key: &str, stored: Option<String>, default: &str| -> String {
            if cols.has(key) {
                get(key).to_string()
            } else {
                stored.unwrap_or_else(|| default.to_string())
            }
        };
        let serial = yes_no(get("serial"));
        let active = yes_no(get("active"));
        if serial.is_none() {
            plan.problem(line, column_of("serial"), "Write yes or no.");
        }
        if active.is_none() {
            plan.problem(line, column_of("active"), "Write yes or no.");
        }
        let serial_tracked = if cols.has("serial") {
            serial.unwrap_or(false)
        } else {
            matched.is_some_and(|p| p.serial_tracked)
        };
        let form = ProductForm {
            name: get("name").to_string(),
            sku: keep(
                "sku",
                matched.map(|p| p.sku.clone().unwrap_or_default()),
                "",
            ),
            barcode: get("barcode").to_string(),
            // Checked below by name; the form's rule wants an id.
            category_id: "1".into(),
            supplier_id: matched
                .and_then(|p| p.supplier_id)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            price: get("base").to_string(),
            discount_price: keep(
                "discount",
                matched.map(|p| p.discount_price().map(Money::plain).unwrap_or_default()),
                "",
            ),
            cost: keep("cost", matched.map(|p| p.cost().plain()), "0"),
            min_stock: keep("min_stock", matched.map(|p| p.min_stock.to_string()), "3"),
            serial_tracked: serial_tracked.then(|| "on".into()),
            description: keep("description", matched.map(|p| p.description.clone()), ""),
        };
        let input = rules::validate(&form);
        if let Err(errors) = &input {
            plan.form_problems(line, errors, column_of);
        }
        let category = categories.named(get("category"));
        if let Err(reason) = &category {
            plan.problem(line, column_of("category"), reason.clone());
        }
        if let Some(first) = seen_barcode.twice(get("barcode"), line) {
            plan.problem(
                line,
                column_of("barcode"),
                format!("The barcode {} is also on line {first}.", get("barcode")),
            );
        }
        if let Some(first) = seen_sku.twice(sku, line) {
            plan.problem(
                line,
                column_of("sku"),
                format!("The SKU {sku} is also on line {first}."),
            );
        }
        // A row matched by one key must not take the other key from a different product.
        let mine = matched.map(|p| p.id);
        if let Some(other) = by_barcode
            .get(get("barcode"))
            .filter(|id| Some(**id) != mine)
        {
            let p = &stored[other];
            plan.problem(
                line,
                column_of("barcode"),
                format!(
                    "The barcode {} already belongs to {} (SKU {}).",
                    p.barcode,
                    p.name,
                    p.sku.as_deref().unwrap_or("none")
                ),
            );
        }
        if let Some(other) = by_sku
            .get(sku)
            .filter(|id| !sku.is_empty() && Some(**id) != mine)
        {
            let p = &stored[other];
            plan.problem(
                line,
                column_of("sku"),
                format!(
                    "The SKU {sku} already belongs to {} ({}).",
                    p.name, p.barcode
                ),
            );
        }
        if plan.problems.len() > before {
            continue;
        }
        let (Ok(mut input), Ok(category)) = (input, category) else {
            continue;
        };
        input.category_id = plan.category_id(&category);
        let label = format!("{} ({})", input.name, input.barcode);
        let wanted_active = if cols.has("active") { active } else { None };
        match matched {
            None => {
                let action = ProductAction {
                    input,
                    category,
                    before: None,
                    active: wanted_active.filter(|a| !a),
                };
                plan.push(line, label, Step::Create(action));
            }
            Some(p) => {
                let changes = differences(p, &input, &category, &categories, wanted_active);
                if changes.is_empty() {
                    plan.push(line, label, Step::Unchanged);
                } else {
                    let action = ProductAction {
                        input,
                        category,
                        before: Some(p.clone()),
                        active: wanted_active.filter(|a| *a != p.is_active),
                    };
                    plan.push(line, label, Step::Update(p.id, action, changes));
                }
            }
        }
    }
    Ok(plan)
}

fn differences(
    p: &Product,
    i: &ProductInput,
    category: &Named,
    categories: &ByName,
    active: Option<bool>,
) -> Vec<String> {
    let mut out = Vec::new();
    let yes = |b: bool| if b { "yes" } else { "no" };
    change(&mut out, "Name", &p.name, &i.name);
    change(
        &mut out,
        "SKU",
        p.sku.clone().unwrap_or_default(),
        i.sku.clone().unwrap_or_default(),
    );
    change(&mut out, "Barcode", &p.barcode, &i.barcode);
    let (was, now) = (
        categories.name_of(p.category_id),
        categories.name_of_named(category),
    );
    change(&mut out, "Category", was, now);
    change(&mut out, "Price", p.price().plain(), i.price.plain());
    change(
        &mut out,
        "Base price",
        p.base_price().plain(),
        i.regular_price.unwrap_or(i.price).plain(),
    );
    change(&mut out, "Cost price", p.cost().plain(), i.cost.plain());
    change(&mut out, "Minimum stock", p.min_stock, i.min_stock);
    change(
        &mut out,
        "Serial tracked",
        yes(p.serial_tracked),
        yes(i.serial_tracked),
    );
    change(&mut out, "Description", &p.description, &i.description);
    if let Some(a) = active {
        change(&mut out, "Active", yes(p.is_active), yes(a));
    }
    out
}

/// Carries out a plan that has no problems, in the caller's transaction.
pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan: Plan<ProductAction>,
) -> Result<(), AppError> {
    let mut categories = ByName::load::<ProductCategories>(conn)?;
    categories.create_missing::<ProductCategories>(conn, actor, &plan.new_categories)?;
    let mut new = Vec::new();
    let mut archive_new = Vec::new();
    let mut edits = Vec::new();
    let mut toggles = Vec::new();
    for planned in plan.steps {
        match planned.step {
            Step::Unchanged => {}
            Step::Create(mut a) => {
                a.input.category_id = categories.id(&a.category)?;
                archive_new.push(a.active == Some(false));
                new.push(a.input);
            }
            Step::Update(id, mut a, _) => {
                a.input.category_id = categories.id(&a.category)?;
                if let Some(active) = a.active {
                    toggles.push((id, active));
                }
                if let Some(before) = a.before {
                    edits.push((before, a.input));
                }
            }
        }
    }
    let pairs: Vec<(&Product, &ProductInput)> = edits.iter().map(|(b, i)| (b, i)).collect();
    model::update_many(conn, actor, &pairs)?;
    for (id, active) in toggles {
        model::set_active(conn, actor, id, active)?;
    }
    // New products go in a few hundred per statement.
    let ids = model::create_many(conn, actor, &new)?;
    for (id, archive) in ids.into_iter().zip(archive_new) {
        if archive {
            model::set_active(conn, actor, id, false)?;
        }
    }
    if new.len() >= 1000 {
        // So that the next preview's lookups use the indexes (PostgreSQL plans by statistics).
        crate::platform::db::refresh_statistics(conn, "products")?;
    }
    Ok(())
}

/// One product as an export row: the import's columns, in order.
pub fn export_row(p: &Product, category: &str) -> Vec<String> {
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    vec![
        p.name.clone(),
        p.sku.clone().unwrap_or_default(),
        category.to_string(),
        p.barcode.clone(),
        p.cost().plain(),
        p.base_price().plain(),
        p.discount_price().map(Money::plain).unwrap_or_default(),
        p.min_stock.to_string(),
        yes(p.serial_tracked),
        yes(p.is_active),
        p.description.clone(),
    ]
}

/// A page of the export, in id order after `after`, with the product list's filters.
pub fn export_page(
    conn: &mut AnyConnection,
    filter: &model::Filter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows: Vec<(Product, String)> = model::filtered(filter)
        .filter(products::id.gt(after.unwrap_or(0)))
        .order(products::id.asc())
        .limit(limit)
        .select((Product::as_select(), product_categories::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, c)| (p.id, export_row(&p, &c)))
        .collect())
}
