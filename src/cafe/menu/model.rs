//! Menu items: storage, filters, toggles and the guest's menu.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::menu::rules::MenuItemInput;
use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{contains_pattern, AnyConnection, MultiBackend};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{menu_categories, menu_items};

pub const RECORD: &str = "menu_item";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menu_items)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MenuItem {
    pub id: i64,
    pub branch_id: i64,
    pub category_id: i64,
    pub name: String,
    pub description: String,
    pub price_minor: i64,
    pub emoji: String,
    pub image_id: Option<i64>,
    pub is_veg: bool,
    pub calories: Option<i64>,
    pub allergens: String,
    pub allergens_other: String,
    pub serving_size: String,
    pub prep_minutes: i64,
    pub sort_order: i64,
    pub trending: bool,
    pub in_stock: bool,
    pub is_active: bool,
    pub updated_at: NaiveDateTime,
}

impl MenuItem {
    /// What stands in for the emoji where the device has no emoji font: the name's first letter.
    pub fn initial(&self) -> String {
        self.name
            .chars()
            .find(|c| c.is_alphanumeric())
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default()
    }

    pub fn price(&self) -> Money {
        Money(self.price_minor)
    }

    /// Whether a guest or waiter can order it right now.
    pub fn orderable(&self) -> bool {
        self.is_active && self.in_stock
    }

    pub fn allergen_labels(&self) -> String {
        let mut all: Vec<&str> = crate::cafe::allergens::labels(&self.allergens);
        if !self.allergens_other.is_empty() {
            all.push(&self.allergens_other);
        }
        all.join(", ")
    }
}

/// A menu item with its category's name, as lists show it.
#[derive(Debug, Clone)]
pub struct MenuRow {
    pub item: MenuItem,
    pub category: String,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub q: Option<String>,
    pub category_id: Option<i64>,
    /// `Some(true)`: in stock only; `Some(false)`: sold out only.
    pub in_stock: Option<bool>,
    pub trending_only: bool,
    pub veg_only: bool,
    pub archived: bool,
}

/// The branch's items matching `filter`, in menu order (category, sort order, name). A menu
/// has tens of items, so the list is not paginated.
pub fn list(
    conn: &mut AnyConnection,
    branch_id: i64,
    filter: &Filter,
) -> QueryResult<Vec<MenuRow>> {
    let mut q = menu_items::table
        .inner_join(menu_categories::table)
        .filter(menu_items::branch_id.eq(branch_id))
        .filter(menu_items::is_active.eq(!filter.archived))
        .into_boxed::<MultiBackend>();
    if let Some(text) = &filter.q {
        let pattern = contains_pattern(text);
        q = q.filter(
            menu_items::name_lc
                .like(pattern.clone())
                .escape('\\')
                .or(crate::platform::db::lower(menu_items::description)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(menu_items::allergens.like(pattern).escape('\\')),
        );
    }
    if let Some(c) = filter.category_id {
        q = q.filter(menu_items::category_id.eq(c));
    }
    if let Some(s) = filter.in_stock {
        q = q.filter(menu_items::in_stock.eq(s));
    }
    if filter.trending_only {
        q = q.filter(menu_items::trending.eq(true));
    }
    if filter.veg_only {
        q = q.filter(menu_items::is_veg.eq(true));
    }
    let rows: Vec<(MenuItem, String)> = q
        .order((
            menu_categories::sort_order.asc(),
            menu_categories::name.asc(),
            menu_items::sort_order.asc(),
            menu_items::name_lc.asc(),
            menu_items::id.asc(),
        ))
        .select((MenuItem::as_select(), menu_categories::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(item, category)| MenuRow { item, category })
        .collect())
}

/// The branch's active items in menu order, as the guest's page reads them many times a second:
/// one fixed query, whose prepared statement each connection keeps.
/// The `cache_versions` counter the database moves when a menu item, a category or a cafe
/// setting changes (migration `menu_version`): readers of `menu_of` keep its rows while it
/// stands (`platform::cache`).
pub const MENU_COUNTER: &str = "cafe_menu";

pub fn menu_of(conn: &mut AnyConnection, branch_id: i64) -> QueryResult<Vec<MenuRow>> {
    let rows: Vec<(MenuItem, String)> = crate::on_backend!(conn, |c| menu_items::table
        .inner_join(menu_categories::table)
        .filter(menu_items::branch_id.eq(branch_id))
        .filter(menu_items::is_active.eq(true))
        .order((
            menu_categories::sort_order.asc(),
            menu_categories::name.asc(),
            menu_items::sort_order.asc(),
            menu_items::name_lc.asc(),
            menu_items::id.asc(),
        ))
        .select((MenuItem::as_select(), menu_categories::name,))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(item, category)| MenuRow { item, category })
        .collect())
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<MenuItem, AppError> {
    menu_items::table
        .find(id)
        .select(MenuItem::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That menu item"))
}

fn check_category(conn: &mut AnyConnection, id: i64) -> Result<(), AppError> {
    let active: Option<bool> = menu_categories::table
        .find(id)
        .select(menu_categories::is_active)
        .first(conn)
        .optional()?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(AppError::field_invalid(
            "category_id",
            "That category is archived: choose another one.",
        )),
        None => Err(AppError::field_invalid(
            "category_id",
            "Choose a category from the list.",
        )),
    }
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    i: &MenuItemInput,
) -> Result<i64, AppError> {
    check_category(conn, i.category_id)?;
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(menu_items::table)
        .values((
            MenuItemColumns::of(i, now),
            menu_items::branch_id.eq(branch_id),
            menu_items::is_active.eq(true),
            menu_items::created_at.eq(now),
        ))
        .returning(menu_items::id)
        .get_result(conn)?;
    let subject = Subject::of(RECORD, id, &i.name);
    let changes = Changes::new()
        .created("name", i.name.as_str())
        .created("price", i.price.plain())
        .created("branch_id", branch_id);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

/// The columns the item form sets, the same for the INSERT and the UPDATE.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = menu_items, treat_none_as_null = true)]
struct MenuItemColumns<'a> {
    category_id: i64,
    name: &'a str,
    name_lc: String,
    description: &'a str,
    price_minor: i64,
    emoji: &'a str,
    is_veg: bool,
    calories: Option<i64>,
    allergens: &'a str,
    allergens_other: &'a str,
    serving_size: &'a str,
    prep_minutes: i64,
    sort_order: i64,
    trending: bool,
    in_stock: bool,
    updated_at: NaiveDateTime,
}

impl<'a> MenuItemColumns<'a> {
    fn of(i: &'a MenuItemInput, now: NaiveDateTime) -> MenuItemColumns<'a> {
        MenuItemColumns {
            category_id: i.category_id,
            name: &i.name,
            name_lc: i.name.to_lowercase(),
            description: &i.description,
            price_minor: i.price.0,
            emoji: &i.emoji,
            is_veg: i.is_veg,
            calories: i.calories,
            allergens: &i.allergens,
            allergens_other: &i.allergens_other,
            serving_size: &i.serving_size,
            prep_minutes: i.prep_minutes,
            sort_order: i.sort_order,
            trending: i.trending,
            in_stock: i.in_stock,
            updated_at: now,
        }
    }
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &MenuItemInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    if old.category_id != i.category_id {
        check_category(conn, i.category_id)?;
    }
    let now = BusinessClock::now_utc();
    diesel::update(menu_items::table.find(id))
        .set(MenuItemColumns::of(i, now))
        .execute(conn)?;
    let changes = Changes::new()
        .diff("name", old.name.clone(), i.name.clone())
        .diff("price", old.price().plain(), i.price.plain())
        .diff("category_id", old.category_id, i.category_id)
        .diff(
            "description",
            old.description.clone(),
            i.description.clone(),
        )
        .diff("is_veg", old.is_veg, i.is_veg)
        .diff("allergens", old.allergens.clone(), i.allergens.clone())
        .diff("in_stock", old.in_stock, i.in_stock)
        .diff("trending", old.trending, i.trending)
        .diff("sort_order", old.sort_order, i.sort_order);
    if !changes.is_empty() {
        let subject = Subject::of(RECORD, id, &i.name);
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    InStock,
    Trending,
}

/// Flips one flag with a conditional UPDATE (two clicks at once flip it twice, never lose one)
/// and returns the item as it now is.
pub fn toggle(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    flag: Flag,
) -> Result<MenuItem, AppError> {
    let old = find(conn, id)?;
    let now = BusinessClock::now_utc();
    let target = menu_items::table.find(id);
    // Only the UPDATE that still sees the old value flips it; a simultaneous second click finds
    // it already flipped, changes nothing and writes no audit row.
    let (field, was, changed) = match flag {
        Flag::InStock => (
            "in_stock",
            old.in_stock,
            diesel::update(target.filter(menu_items::in_stock.eq(old.in_stock)))
                .set((
                    menu_items::in_stock.eq(!old.in_stock),
                    menu_items::updated_at.eq(now),
                ))
                .execute(conn)?,
        ),
        Flag::Trending => (
            "trending",
            old.trending,
            diesel::update(target.filter(menu_items::trending.eq(old.trending)))
                .set((
                    menu_items::trending.eq(!old.trending),
                    menu_items::updated_at.eq(now),
                ))
                .execute(conn)?,
        ),
    };
    if changed == 1 {
        let subject = Subject::of(RECORD, id, &old.name);
        let changes = Changes::new().diff(field, was, !was);
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    find(conn, id)
}

pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let item = find(conn, id)?;
    let toggle = Toggle::new(Subject::of(RECORD, id, &item.name), &item.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = crate::flip_active!(c, now, menu_items, id, active, touch updated_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(item.name)
}

pub fn set_image(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    image_id: Option<i64>,
) -> Result<(), AppError> {
    let item = find(conn, id)?;
    let now = BusinessClock::now_utc();
    diesel::update(menu_items::table.find(id))
        .set((
            menu_items::image_id.eq(image_id),
            menu_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    crate::platform::images::delete_if_unused(
        conn,
        item.image_id.filter(|old| Some(*old) != image_id),
    )?;
    let subject = Subject::of(RECORD, id, &item.name);
    let changes = Changes::new().diff("image_id", item.image_id, image_id);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}
