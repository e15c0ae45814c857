use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{contains_pattern, AnyConnection, MultiBackend};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{branch_stock, branches, product_categories, products, suppliers};
use crate::retail::catalog::products::rules::{stock_status, ProductInput};

pub const RECORD: &str = "product";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = products)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub sku: Option<String>,
    pub barcode: String,
    pub category_id: i64,
    pub supplier_id: Option<i64>,
    pub price_minor: i64,
    pub cost_minor: i64,
    pub min_stock: i64,
    pub image_id: Option<i64>,
    pub serial_tracked: bool,
    pub description: String,
    pub is_active: bool,
    pub deleted_at: Option<NaiveDateTime>,
    pub regular_price_minor: Option<i64>,
}

impl Product {
    pub fn price(&self) -> Money {
        Money(self.price_minor)
    }

    pub fn cost(&self) -> Money {
        Money(self.cost_minor)
    }

    /// The base price: the regular price of a product on discount, else its price.
    pub fn base_price(&self) -> Money {
        Money(self.regular_price_minor.unwrap_or(self.price_minor))
    }

    /// The discount price, when the product is on discount.
    pub fn discount_price(&self) -> Option<Money> {
        self.regular_price_minor.map(|_| Money(self.price_minor))
    }

    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.barcode)
    }
}

/// A product with its category and supplier names, for lists.
#[derive(Debug, Clone)]
pub struct ProductRow {
    pub product: Product,
    pub category: String,
    pub supplier: Option<String>,
    /// Every active branch that has a stock row for it, by branch name.
    pub stock: Vec<BranchLevel>,
}

/// A product's count at one branch, as the product list shows it.
#[derive(Debug, Clone)]
pub struct BranchLevel {
    pub branch: String,
    pub on_hand: i64,
    /// "Out of Stock", "Low Stock" or "In Stock" (`rules::stock_status`).
    pub status: &'static str,
}

impl BranchLevel {
    pub fn out(&self) -> bool {
        self.status == "Out of Stock"
    }
    pub fn low(&self) -> bool {
        self.status == "Low Stock"
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub category_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub archived: bool,
}

pub type Boxed<'a> = diesel::helper_types::IntoBoxed<
    'a,
    diesel::helper_types::LeftJoin<
        diesel::helper_types::InnerJoin<products::table, product_categories::table>,
        suppliers::table,
    >,
    MultiBackend,
>;

/// The product list's query with its filters (also the export's).
pub fn filtered(f: &Filter) -> Boxed<'static> {
    let mut q = products::table
        .inner_join(product_categories::table)
        .left_join(suppliers::table)
        .into_boxed::<MultiBackend>()
        .filter(products::is_active.eq(!f.archived));
    if let Some(c) = f.category_id {
        q = q.filter(products::category_id.eq(c));
    }
    if let Some(s) = f.supplier_id {
        q = q.filter(products::supplier_id.eq(s));
    }
    if let Some(text) = &f.q {
        let pattern = contains_pattern(text);
        q = q.filter(
            products::name_lc
                .like(pattern)
                .escape('\\')
                .or(products::barcode.eq(text.clone()))
                .or(products::sku.eq(text.clone())),
        );
    }
    q
}

pub fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<ProductRow>> {
    let rows: Vec<(Product, String, Option<String>)> = filtered(f)
        .order((products::name_lc.asc(), products::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((
            Product::as_select(),
            product_categories::name,
            suppliers::name.nullable(),
        ))
        .load(conn)?;
    // One query for the page's stock, through the product index of branch_stock.
    let ids: Vec<i64> = rows.iter().map(|r| r.0.id).collect();
    let levels: Vec<(i64, String, i64)> = branch_stock::table
        .inner_join(branches::table)
        .filter(branch_stock::product_id.eq_any(&ids))
        .filter(branches::is_active.eq(true))
        .order(branches::name.asc())
        .select((
            branch_stock::product_id,
            branches::name,
            branch_stock::quantity,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(product, category, supplier)| {
            let stock = levels
                .iter()
                .filter(|l| l.0 == product.id)
                .map(|l| BranchLevel {
                    branch: l.1.clone(),
                    on_hand: l.2,
                    status: stock_status(l.2, product.min_stock),
                })
                .collect();
            ProductRow {
                product,
                category,
                supplier,
                stock,
            }
        })
        .collect())
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Product, AppError> {
    products::table
        .find(id)
        .select(Product::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That product"))
}

fn check_references(conn: &mut AnyConnection, i: &ProductInput) -> Result<(), AppError> {
    let category: Option<bool> = product_categories::table
        .find(i.category_id)
        .select(product_categories::is_active)
        .first(conn)
        .optional()?;
    if category != Some(true) {
        return Err(AppError::field_invalid(
            "category_id",
            "Choose an active category from the list.",
        ));
    }
    if let Some(s) = i.supplier_id {
        let supplier: Option<bool> = suppliers::table
            .find(s)
            .select(suppliers::is_active)
            .first(conn)
            .optional()?;
        if supplier != Some(true) {
            return Err(AppError::field_invalid(
                "supplier_id",
                "Choose an active supplier from the list.",
            ));
        }
    }
    Ok(())
}

fn duplicate(e: diesel::result::Error, i: &ProductInput) -> AppError {
    if let diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::UniqueViolation,
        info,
    ) = &e
    {
        // Which unique index refused: PostgreSQL names the constraint, SQLite the column.
        let on_sku = info.constraint_name().is_some_and(|c| c.contains("sku"))
            || info.message().contains("products.sku");
        if on_sku {
            return AppError::field_conflict(
                "sku",
                format!(
                    "Another product already has the SKU {}.",
                    i.sku.clone().unwrap_or_default()
                ),
            );
        }
        return AppError::field_conflict(
            "barcode",
            format!("Another product already has the barcode {}.", i.barcode),
        );
    }
    e.into()
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, i: &ProductInput) -> Result<i64, AppError> {
    Ok(create_many(conn, actor, std::slice::from_ref(i))?[0])
}

/// The columns of a new product row: those an edit sets, and the ones set once.
#[derive(Insertable)]
#[diesel(table_name = products)]
struct NewProduct<'a> {
    #[diesel(embed)]
    edit: ProductEdit<'a>,
    is_active: bool,
    created_at: NaiveDateTime,
}

/// Adds products, a few hundred per statement (an import of thousands is a handful of round
/// trips), each with its audit row; answers their ids in the order given.
pub fn create_many(
    conn: &mut AnyConnection,
    actor: &Actor,
    inputs: &[ProductInput],
) -> Result<Vec<i64>, AppError> {
    // Each category and supplier is checked once, however many products use it.
    let mut checked: Vec<(i64, Option<i64>)> = Vec::new();
    for i in inputs {
        if !checked.contains(&(i.category_id, i.supplier_id)) {
            check_references(conn, i)?;
            checked.push((i.category_id, i.supplier_id));
        }
    }
    let now = BusinessClock::now_utc();
    let mut ids = Vec::with_capacity(inputs.len());
    let mut trail = audit::Batch::new(actor, now);
    for chunk in inputs.chunks(500) {
        let rows: Vec<NewProduct<'_>> = chunk
            .iter()
            .map(|i| NewProduct {
                edit: ProductEdit::of(i, now),
                is_active: true,
                created_at: now,
            })
            .collect();
        let made: Vec<(i64, String)> =
            crate::on_backend!(&mut *conn, |c| diesel::insert_into(products::table)
                .values(&rows)
                .returning((products::id, products::barcode))
                .get_results(c))
            .map_err(|e| duplicate(e, &chunk[0]))?;
        let by_barcode: std::collections::HashMap<String, i64> =
            made.into_iter().map(|(id, b)| (b, id)).collect();
        for i in chunk {
            let id = by_barcode[&i.barcode];
            ids.push(id);
            let changes = Changes::new()
                .created("name", i.name.as_str())
                .created("barcode", i.barcode.as_str())
                .created("sku", i.sku.clone().unwrap_or_default())
                .created("price", i.price.plain())
                .created(
                    "regular_price",
                    i.regular_price.map(Money::plain).unwrap_or_default(),
                )
                .created("cost_price", i.cost.plain())
                .created("min_stock", i.min_stock)
                .created("serial_tracked", i.serial_tracked);
            let label = format!("{} ({})", i.name, i.barcode);
            trail.add(audit::CREATE, Subject::of(RECORD, id, label), &changes);
        }
    }
    trail.write(conn)?;
    Ok(ids)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &ProductInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    update_many(conn, actor, &[(&old, i)])
}

/// What an edit changes, for the audit row (empty when nothing does).
fn edit_changes(old: &Product, i: &ProductInput) -> Changes {
    Changes::new()
        .diff("name", old.name.as_str(), i.name.as_str())
        .diff("barcode", old.barcode.as_str(), i.barcode.as_str())
        .diff(
            "sku",
            old.sku.clone().unwrap_or_default(),
            i.sku.clone().unwrap_or_default(),
        )
        .diff("category_id", old.category_id, i.category_id)
        .diff(
            "supplier_id",
            old.supplier_id.unwrap_or(0),
            i.supplier_id.unwrap_or(0),
        )
        .diff("price", old.price().plain(), i.price.plain())
        .diff(
            "regular_price",
            old.regular_price_minor
                .map(|m| Money(m).plain())
                .unwrap_or_default(),
            i.regular_price.map(Money::plain).unwrap_or_default(),
        )
        .diff("cost_price", old.cost().plain(), i.cost.plain())
        .diff("min_stock", old.min_stock, i.min_stock)
        .diff("serial_tracked", old.serial_tracked, i.serial_tracked)
        .diff(
            "description",
            old.description.as_str(),
            i.description.as_str(),
        )
}

/// The columns an edit sets (and a new product starts with).
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = products, treat_none_as_null = true, treat_none_as_default_value = false)]
struct ProductEdit<'a> {
    name: &'a str,
    name_lc: String,
    sku: Option<&'a str>,
    barcode: &'a str,
    category_id: i64,
    supplier_id: Option<i64>,
    price_minor: i64,
    regular_price_minor: Option<i64>,
    cost_minor: i64,
    min_stock: i64,
    serial_tracked: bool,
    description: &'a str,
    updated_at: NaiveDateTime,
}

impl<'a> ProductEdit<'a> {
    fn of(i: &'a ProductInput, now: NaiveDateTime) -> ProductEdit<'a> {
        ProductEdit {
            name: &i.name,
            name_lc: i.name.to_lowercase(),
            sku: i.sku.as_deref(),
            barcode: &i.barcode,
            category_id: i.category_id,
            supplier_id: i.supplier_id,
            price_minor: i.price.0,
            regular_price_minor: i.regular_price.map(|m| m.0),
            cost_minor: i.cost.0,
            min_stock: i.min_stock,
            serial_tracked: i.serial_tracked,
            description: &i.description,
            updated_at: now,
        }
    }
}

/// Edits products (each as stored, and its new values): one prepared UPDATE per product that
/// changes, the audit rows written together. An import of thousands stays a few seconds.
pub fn update_many(
    conn: &mut AnyConnection,
    actor: &Actor,
    edits: &[(&Product, &ProductInput)],
) -> Result<(), AppError> {
    let mut checked: Vec<(i64, Option<i64>)> = Vec::new();
    let now = BusinessClock::now_utc();
    let mut trail = audit::Batch::new(actor, now);
    for (old, i) in edits {
        let changes = edit_changes(old, i);
        if changes.is_empty() {
            continue;
        }
        if !checked.contains(&(i.category_id, i.supplier_id)) {
            check_references(conn, i)?;
            checked.push((i.category_id, i.supplier_id));
        }
        let edit = ProductEdit::of(i, now);
        crate::on_backend!(&mut *conn, |c| diesel::update(products::table.find(old.id))
            .set(&edit)
            .execute(c))
        .map_err(|e| duplicate(e, i))?;
        let label = format!("{} ({})", i.name, i.barcode);
        trail.add(audit::UPDATE, Subject::of(RECORD, old.id, label), &changes);
    }
    trail.write(conn)?;
    Ok(())
}

/// Answers the name the message uses. Archived products cannot be scanned or sold; restoring brings them back.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let p = find(conn, id)?;
    let label = p.label();
    let toggle = Toggle::new(Subject::of(RECORD, id, &label), &p.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows =
            crate::flip_active!(c, now, products, id, active, stamp deleted_at, touch updated_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(p.name)
}

pub fn set_image(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    image_id: Option<i64>,
) -> Result<(), AppError> {
    let p = find(conn, id)?;
    let now = BusinessClock::now_utc();
    diesel::update(products::table.find(id))
        .set((
            products::image_id.eq(image_id),
            products::updated_at.eq(now),
        ))
        .execute(conn)?;
    crate::platform::images::delete_if_unused(conn, p.image_id)?;
    let describe = |i: Option<i64>| {
        i.map(|v| format!("image #{v}"))
            .unwrap_or_else(|| "none".into())
    };
    let changes = Changes::new().diff("image", describe(p.image_id), describe(image_id));
    let subject = Subject::of(RECORD, id, p.label());
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}
