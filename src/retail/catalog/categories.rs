//! Product categories: an editable list; the migration creates Laptop, Android, iPhone,
//! Printer and Accessory.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::category_list::{self, Category, CategoryStore};
use crate::platform::db::AnyConnection;
use crate::platform::forms::Choice;
use crate::platform::schema::{product_categories, products};

pub struct ProductCategories;

impl CategoryStore for ProductCategories {
    const RECORD: &'static str = "product_category";
    const PATH: &'static str = "/categories";
    const TITLE: &'static str = "Product categories";
    const BACK: (&'static str, &'static str) = ("/products", "Products");
    const ITEMS: &'static str = "active product(s) are";

    fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Category>> {
        let rows: Vec<(i64, String, i32, bool)> = product_categories::table
            .order((
                product_categories::is_active.desc(),
                product_categories::sort_order.asc(),
                product_categories::name.asc(),
            ))
            .select((
                product_categories::id,
                product_categories::name,
                product_categories::sort_order,
                product_categories::is_active,
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, sort_order, is_active)| Category {
                id,
                name,
                sort_order,
                is_active,
            })
            .collect())
    }

    fn name_of(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<String>> {
        product_categories::table
            .find(id)
            .select(product_categories::name)
            .first(conn)
            .optional()
    }

    fn insert(conn: &mut AnyConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
        let next: Option<i32> = product_categories::table
            .select(diesel::dsl::max(product_categories::sort_order))
            .first(conn)?;
        diesel::insert_into(product_categories::table)
            .values((
                product_categories::name.eq(name),
                product_categories::sort_order.eq(next.unwrap_or(0) + 1),
                product_categories::is_active.eq(true),
                product_categories::created_at.eq(now),
            ))
            .returning(product_categories::id)
            .get_result(conn)
    }

    fn set_name(conn: &mut AnyConnection, id: i64, name: &str) -> QueryResult<usize> {
        diesel::update(product_categories::table.find(id))
            .set(product_categories::name.eq(name))
            .execute(conn)
    }

    fn flip_active(conn: &mut AnyConnection, id: i64, active: bool) -> QueryResult<usize> {
        diesel::update(
            product_categories::table
                .find(id)
                .filter(product_categories::is_active.eq(!active)),
        )
        .set(product_categories::is_active.eq(active))
        .execute(conn)
    }

    fn active_items(conn: &mut AnyConnection, id: i64) -> QueryResult<i64> {
        products::table
            .filter(products::category_id.eq(id))
            .filter(products::is_active.eq(true))
            .count()
            .get_result(conn)
    }
}

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    category_list::choices::<ProductCategories>(conn)
}

pub fn id_by_name(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<i64>> {
    product_categories::table
        .filter(product_categories::name.eq(name))
        .select(product_categories::id)
        .first(conn)
        .optional()
}
