//! Menu categories: an editable list; the migration creates Coffee, Burgers, Pizza, Mains,
//! Desserts, Drinks and Snacks.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::category_list::{self, Category, CategoryStore};
use crate::platform::db::AnyConnection;
use crate::platform::forms::Choice;
use crate::platform::schema::{menu_categories, menu_items};

pub struct MenuCategories;

impl CategoryStore for MenuCategories {
    const RECORD: &'static str = "menu_category";
    const PATH: &'static str = "/menu/categories";
    const TITLE: &'static str = "Menu categories";
    const BACK: (&'static str, &'static str) = ("/menu", "Menu");
    const ITEMS: &'static str = "active menu item(s) are";

    fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Category>> {
        let rows: Vec<(i64, String, i32, bool)> = menu_categories::table
            .order((
                menu_categories::is_active.desc(),
                menu_categories::sort_order.asc(),
                menu_categories::name.asc(),
            ))
            .select((
                menu_categories::id,
                menu_categories::name,
                menu_categories::sort_order,
                menu_categories::is_active,
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
        menu_categories::table
            .find(id)
            .select(menu_categories::name)
            .first(conn)
            .optional()
    }

    fn insert(conn: &mut AnyConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
        let next: Option<i32> = menu_categories::table
            .select(diesel::dsl::max(menu_categories::sort_order))
            .first(conn)?;
        diesel::insert_into(menu_categories::table)
            .values((
                menu_categories::name.eq(name),
                menu_categories::sort_order.eq(next.unwrap_or(0) + 1),
                menu_categories::is_active.eq(true),
                menu_categories::created_at.eq(now),
            ))
            .returning(menu_categories::id)
            .get_result(conn)
    }

    fn set_name(conn: &mut AnyConnection, id: i64, name: &str) -> QueryResult<usize> {
        diesel::update(menu_categories::table.find(id))
            .set(menu_categories::name.eq(name))
            .execute(conn)
    }

    fn flip_active(conn: &mut AnyConnection, id: i64, active: bool) -> QueryResult<usize> {
        diesel::update(
            menu_categories::table
                .find(id)
                .filter(menu_categories::is_active.eq(!active)),
        )
        .set(menu_categories::is_active.eq(active))
        .execute(conn)
    }

    fn active_items(conn: &mut AnyConnection, id: i64) -> QueryResult<i64> {
        menu_items::table
            .filter(menu_items::category_id.eq(id))
            .filter(menu_items::is_active.eq(true))
            .count()
            .get_result(conn)
    }
}

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    category_list::choices::<MenuCategories>(conn)
}

pub fn id_by_name(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<i64>> {
    menu_categories::table
        .filter(menu_categories::name.eq(name))
        .select(menu_categories::id)
        .first(conn)
        .optional()
}
