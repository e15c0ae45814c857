//! A branch's menu from a spreadsheet: items matched by name within the branch, each row
//! checked by the menu item form's own rules, created or updated through the menu model.
//! The export writes the same columns.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::cafe::allergens;
use crate::cafe::menu::categories::MenuCategories;
use crate::cafe::menu::model::{self, MenuItem};
use crate::cafe::menu::rules::{self, MenuItemForm, MenuItemInput};
use crate::platform::audit::Actor;
use crate::platform::category_list::{ByName, Named};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::import::{change, Plan, SeenOnce, Step};
use crate::platform::schema::{menu_categories, menu_items};
use crate::platform::spreadsheet::{header_of, yes_no, Column, Columns, Sheet};

const fn col(key: &'static str, header: &'static str, aliases: &'static [&'static str]) -> Column {
    let required = matches!(key.as_bytes(), b"name" | b"category" | b"price");
    Column::new(key, header, aliases, required)
}

/// The template's columns, with the cafe seed's field names accepted too.
pub const COLUMNS: &[Column] = &[
    col("name", "Name", &["item", "item name"]),
    col("category", "Category", &[]),
    col("price", "Price", &[]),
    col("veg", "Veg", &["is_veg", "vegetarian"]),
    col("calories", "Calories", &["kcal"]),
    col("allergens", "Allergens", &[]),
    col("emoji", "Emoji", &[]),
    col("sort_order", "Sort order", &["sort", "position"]),
    col("in_stock", "In stock", &["available", "is_available"]),
    col("description", "Description", &[]),
];

fn column_of(field: &str) -> &'static str {
    let key = match field {
        "category_id" => "category",
        "is_veg" => "veg",
        other => other,
    };
    header_of(COLUMNS, key)
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuAction {
    pub input: MenuItemInput,
    pub category: Named,
}

/// "Gluten, dairy" or "gluten,dairy" → the stored codes; labels and codes both count.
fn allergen_codes(raw: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for word in raw
        .split([',', ';', '|', '/'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        let known = allergens::ALL
            .iter()
            .find(|a| a.code == lower || a.label.to_lowercase() == lower)
            .ok_or_else(|| {
                format!(
                    "\"{}\" is not an allergen on the list ({}).",
                    word.chars().take(30).collect::<String>(),
                    allergens::ALL
                        .iter()
                        .map(|a| a.label)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        out.push(known.code.to_string());
    }
    Ok(out)
}

pub fn plan(
    conn: &mut AnyConnection,
    sheet: &Sheet,
    branch_id: i64,
) -> Result<Plan<MenuAction>, AppError> {
    let cols = Columns::find(COLUMNS, &sheet.headers).map_err(AppError::Unprocessable)?;
    let mut plan = Plan::new(sheet, &cols);
    let categories = ByName::load::<MenuCategories>(conn)?;
    let stored: Vec<MenuItem> = menu_items::table
        .filter(menu_items::branch_id.eq(branch_id))
        .select(MenuItem::as_select())
        .load(conn)?;
    let by_name: HashMap<String, &MenuItem> =
        stored.iter().map(|m| (m.name.to_lowercase(), m)).collect();
    let mut seen = SeenOnce::default();
    for row in &sheet.rows {
        let line = row.line;
        let get = |k: &str| cols.get(row, k);
        let matched = by_name.get(&get("name").to_lowercase()).copied();
        let keep = |key: &str, stored: Option<String>, default: &str| -> String {
            if cols.has(key) {
                get(key).to_string()
            } else {
                stored.unwrap_or_else(|| default.to_string())
            }
        };
        let before = plan.problems.len();
        let flag = |plan: &mut Plan<MenuAction>, key: &str, stored: Option<bool>, default: bool| {
            if !cols.has(key) {
                return stored.unwrap_or(default);
            }
            yes_no(get(key)).unwrap_or_else(|| {
                plan.problem(line, column_of(key), "Write yes or no.");
                default
            })
        };
        let is_veg = flag(&mut plan, "veg", matched.map(|m| m.is_veg), false);
        let in_stock = flag(&mut plan, "in_stock", matched.map(|m| m.in_stock), true);
        let allergens = if cols.has("allergens") {
            allergen_codes(get("allergens")).unwrap_or_else(|m| {
                plan.problem(line, column_of("allergens"), m);
                vec![]
            })
        } else {
            matched
                .map(|m| {
                    m.allergens
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let form = MenuItemForm {
            name: get("name").to_string(),
            category_id: "1".into(),
            price: get("price").to_string(),
            description: keep("description", matched.map(|m| m.description.clone()), ""),
            emoji: keep("emoji", matched.map(|m| m.emoji.clone()), ""),
            is_veg,
            calories: keep(
                "calories",
                matched.map(|m| m.calories.map(|c| c.to_string()).unwrap_or_default()),
                "",
            ),
            allergens,
            allergens_other: matched
                .map(|m| m.allergens_other.clone())
                .unwrap_or_default(),
            serving_size: matched.map(|m| m.serving_size.clone()).unwrap_or_default(),
            prep_minutes: matched
                .map(|m| m.prep_minutes.to_string())
                .unwrap_or_default(),
            sort_order: keep("sort_order", matched.map(|m| m.sort_order.to_string()), ""),
            trending: matched.is_some_and(|m| m.trending),
            in_stock,
            branch_id: branch_id.to_string(),
        };
        let input = rules::validate(&form);
        if let Err(errors) = &input {
            plan.form_problems(line, errors, column_of);
        }
        let category = categories.named(get("category"));
        if let Err(reason) = &category {
            plan.problem(line, column_of("category"), reason.clone());
        }
        if let Some(first) = seen.twice(&get("name").to_lowercase(), line) {
            plan.problem(
                line,
                column_of("name"),
                format!("{} is also on line {first}.", get("name")),
            );
        }
        if plan.problems.len() > before {
            continue;
        }
        let (Ok(mut input), Ok(category)) = (input, category) else {
            continue;
        };
        input.category_id = plan.category_id(&category);
        let label = format!("{} ({})", input.name, input.price.plain());
        match matched {
            None => plan.push(line, label, Step::Create(MenuAction { input, category })),
            Some(m) => {
                let changes = differences(m, &input, &category, &categories);
                if changes.is_empty() {
                    plan.push(line, label, Step::Unchanged);
                } else {
                    let action = MenuAction { input, category };
                    plan.push(line, label, Step::Update(m.id, action, changes));
                }
            }
        }
    }
    Ok(plan)
}

fn differences(
    m: &MenuItem,
    i: &MenuItemInput,
    category: &Named,
    categories: &ByName,
) -> Vec<String> {
    let mut out = Vec::new();
    let yes = |b: bool| if b { "yes" } else { "no" };
    change(&mut out, "Name", &m.name, &i.name);
    let (was, now) = (
        categories.name_of(m.category_id),
        categories.name_of_named(category),
    );
    change(&mut out, "Category", was, now);
    change(&mut out, "Price", m.price().plain(), i.price.plain());
    change(&mut out, "Veg", yes(m.is_veg), yes(i.is_veg));
    let calories = |c: Option<i64>| c.map(|c| c.to_string()).unwrap_or_default();
    change(
        &mut out,
        "Calories",
        calories(m.calories),
        calories(i.calories),
    );
    change(&mut out, "Allergens", &m.allergens, &i.allergens);
    change(&mut out, "Emoji", &m.emoji, &i.emoji);
    change(&mut out, "Sort order", m.sort_order, i.sort_order);
    change(&mut out, "In stock", yes(m.in_stock), yes(i.in_stock));
    change(&mut out, "Description", &m.description, &i.description);
    out
}

pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    branch_id: i64,
    plan: Plan<MenuAction>,
) -> Result<(), AppError> {
    let mut categories = ByName::load::<MenuCategories>(conn)?;
    categories.create_missing::<MenuCategories>(conn, actor, &plan.new_categories)?;
    for planned in plan.steps {
        match planned.step {
            Step::Unchanged => {}
            Step::Create(mut a) => {
                a.input.category_id = categories.id(&a.category)?;
                model::create(conn, actor, branch_id, &a.input)?;
            }
            Step::Update(id, mut a, _) => {
                a.input.category_id = categories.id(&a.category)?;
                model::update(conn, actor, id, &a.input)?;
            }
        }
    }
    Ok(())
}

/// A page of a branch's menu as export rows (the import's columns), in id order.
pub fn export_page(
    conn: &mut AnyConnection,
    branch_id: i64,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows: Vec<(MenuItem, String)> = menu_items::table
        .inner_join(menu_categories::table)
        .filter(menu_items::branch_id.eq(branch_id))
        .filter(menu_items::is_active.eq(true))
        .filter(menu_items::id.gt(after.unwrap_or(0)))
        .order(menu_items::id.asc())
        .limit(limit)
        .select((MenuItem::as_select(), menu_categories::name))
        .load(conn)?;
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    Ok(rows
        .into_iter()
        .map(|(m, category)| {
            let labels: Vec<&str> = allergens::labels(&m.allergens);
            let row = vec![
                m.name.clone(),
                category,
                m.price().plain(),
                yes(m.is_veg),
                m.calories.map(|c| c.to_string()).unwrap_or_default(),
                labels.join(", "),
                m.emoji.clone(),
                m.sort_order.to_string(),
                yes(m.in_stock),
                m.description.clone(),
            ];
            (m.id, row)
        })
        .collect())
}
