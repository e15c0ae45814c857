//! Modifier groups and options: storage, a manager's changes (each one transaction with its
//! audit row), what an item offers when a line is ordered, and what guests chose, for the stats.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cafe::modifiers::rules::{
    Chosen, GroupInput, GroupRule, Offered, OptionInput, OptionRule, MAX_GROUPS_PER_ITEM,
};
use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    cafe_line_modifiers, cafe_sales, cafe_session_lines, menu_item_modifier_groups, menu_items,
    modifier_groups, modifier_options,
};

pub const GROUP: &str = "modifier_group";
pub const OPTION: &str = "modifier_option";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = modifier_groups)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ModifierGroup {
    pub id: i64,
    pub name: String,
    pub min_choices: i64,
    pub max_choices: i64,
    pub is_active: bool,
}

impl ModifierGroup {
    pub fn rule(&self) -> GroupRule {
        GroupRule {
            id: self.id,
            name: self.name.clone(),
            min: self.min_choices,
            max: self.max_choices,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = modifier_options)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ModifierOption {
    pub id: i64,
    pub group_id: i64,
    pub name: String,
    pub price_delta_minor: i64,
    pub sort_order: i64,
    pub in_stock: bool,
    pub is_active: bool,
}

impl ModifierOption {
    pub fn delta(&self) -> Money {
        Money(self.price_delta_minor)
    }
    fn rule(&self) -> OptionRule {
        OptionRule {
            id: self.id,
            name: self.name.clone(),
            delta_minor: self.price_delta_minor,
            in_stock: self.in_stock,
        }
    }
}

/// What each of these items offers: its active groups (oldest first) with their active options.
pub fn offered_for(
    conn: &mut AnyConnection,
    item_ids: &[i64],
) -> QueryResult<HashMap<i64, Offered>> {
    if item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links: Vec<(i64, ModifierGroup)> = menu_item_modifier_groups::table
        .inner_join(modifier_groups::table)
        .filter(menu_item_modifier_groups::menu_item_id.eq_any(item_ids))
        .filter(modifier_groups::is_active.eq(true))
        .order((
            menu_item_modifier_groups::menu_item_id.asc(),
            modifier_groups::id.asc(),
        ))
        .select((
            menu_item_modifier_groups::menu_item_id,
            ModifierGroup::as_select(),
        ))
        .load(conn)?;
    let mut group_ids: Vec<i64> = links.iter().map(|(_, g)| g.id).collect();
    group_ids.sort_unstable();
    group_ids.dedup();
    let options = active_options(conn, &group_ids)?;
    let mut out: HashMap<i64, Offered> = HashMap::new();
    for (item, g) in links {
        let opts = options
            .iter()
            .filter(|o| o.group_id == g.id)
            .map(ModifierOption::rule)
            .collect();
        out.entry(item).or_default().push((g.rule(), opts));
    }
    Ok(out)
}

fn active_options(conn: &mut AnyConnection, group_ids: &[i64]) -> QueryResult<Vec<ModifierOption>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    modifier_options::table
        .filter(modifier_options::group_id.eq_any(group_ids))
        .filter(modifier_options::is_active.eq(true))
        .order((
            modifier_options::sort_order.asc(),
            modifier_options::name_lc.asc(),
            modifier_options::id.asc(),
        ))
        .select(ModifierOption::as_select())
        .load(conn)
}

/// A group as the manager's page lists it: every option, archived ones too, and how many
/// menu items offer it.
#[derive(Debug, Clone)]
pub struct GroupSheet {
    pub group: ModifierGroup,
    pub options: Vec<ModifierOption>,
    pub items: Vec<String>,
}

pub fn all_groups(conn: &mut AnyConnection) -> QueryResult<Vec<GroupSheet>> {
    let groups: Vec<ModifierGroup> = modifier_groups::table
        .order((
            modifier_groups::is_active.desc(),
            modifier_groups::name_lc.asc(),
        ))
        .select(ModifierGroup::as_select())
        .load(conn)?;
    let options: Vec<ModifierOption> = modifier_options::table
        .order((
            modifier_options::is_active.desc(),
            modifier_options::sort_order.asc(),
            modifier_options::name_lc.asc(),
        ))
        .select(ModifierOption::as_select())
        .load(conn)?;
    let uses: Vec<(i64, String)> = menu_item_modifier_groups::table
        .inner_join(menu_items::table)
        .filter(menu_items::is_active.eq(true))
        .order(menu_items::name_lc.asc())
        .select((menu_item_modifier_groups::group_id, menu_items::name))
        .load(conn)?;
    Ok(groups
        .into_iter()
        .map(|group| GroupSheet {
            options: options
                .iter()
                .filter(|o| o.group_id == group.id)
                .cloned()
                .collect(),
            items: uses
                .iter()
                .filter(|(g, _)| *g == group.id)
                .map(|(_, n)| n.clone())
                .collect(),
            group,
        })
        .collect())
}

fn group(conn: &mut AnyConnection, id: i64) -> Result<ModifierGroup, AppError> {
    modifier_groups::table
        .find(id)
        .select(ModifierGroup::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That modifier group"))
}

fn option(conn: &mut AnyConnection, id: i64) -> Result<ModifierOption, AppError> {
    modifier_options::table
        .find(id)
        .select(ModifierOption::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That option"))
}

fn group_taken(name: &str) -> AppError {
    AppError::Conflict(format!(
        "A modifier group named {name} already exists. Choose another name, or change that one."
    ))
}

fn option_taken(name: &str) -> AppError {
    AppError::Conflict(format!("This group already has an option named {name}."))
}

/// A new group. Its name is its natural key: a double submit finds the first and is refused.
pub fn create_group(
    conn: &mut AnyConnection,
    actor: &Actor,
    g: &GroupInput,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let id: i64 = diesel::insert_into(modifier_groups::table)
        .values((
            modifier_groups::name.eq(&g.name),
            modifier_groups::name_lc.eq(g.name.to_lowercase()),
            modifier_groups::min_choices.eq(g.min),
            modifier_groups::max_choices.eq(g.max),
            modifier_groups::is_active.eq(true),
            modifier_groups::created_at.eq(now),
        ))
        .returning(modifier_groups::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                group_taken(&g.name)
            } else {
                e.into()
            }
        })?;
    let changes = Changes::new()
        .created("name", g.name.as_str())
        .created("min_choices", g.min)
        .created("max_choices", g.max);
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(GROUP, id, &g.name),
        &changes,
    )?;
    Ok(id)
}

pub fn update_group(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    g: &GroupInput,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let old = group(conn, id)?;
    diesel::update(modifier_groups::table.find(id))
        .set((
            modifier_groups::name.eq(&g.name),
            modifier_groups::name_lc.eq(g.name.to_lowercase()),
            modifier_groups::min_choices.eq(g.min),
            modifier_groups::max_choices.eq(g.max),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                group_taken(&g.name)
            } else {
                e.into()
            }
        })?;
    let changes = Changes::new()
        .diff("name", old.name, g.name.clone())
        .diff("min_choices", old.min_choices, g.min)
        .diff("max_choices", old.max_choices, g.max);
    if !changes.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(GROUP, id, &g.name),
            &changes,
        )?;
    }
    Ok(())
}

/// Archives or restores a group (the shared archive: a second click hears it was already
/// done): an archived group is no longer asked for on any item.
pub fn set_group_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let g = group(conn, id)?;
    let toggle = Toggle::new(Subject::of(GROUP, id, &g.name), &g.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        Ok(archive::flipped(crate::flip_active!(
            c,
            now,
            modifier_groups,
            id,
            active
        )?))
    })?;
    Ok(g.name)
}

pub fn add_option(
    conn: &mut AnyConnection,
    actor: &Actor,
    group_id: i64,
    o: &OptionInput,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let g = group(conn, group_id)?;
    let id: i64 = diesel::insert_into(modifier_options::table)
        .values((
            modifier_options::group_id.eq(group_id),
            modifier_options::name.eq(&o.name),
            modifier_options::name_lc.eq(o.name.to_lowercase()),
            modifier_options::price_delta_minor.eq(o.delta.0),
            modifier_options::sort_order.eq(o.sort_order),
            modifier_options::in_stock.eq(true),
            modifier_options::is_active.eq(true),
            modifier_options::created_at.eq(now),
        ))
        .returning(modifier_options::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                option_taken(&o.name)
            } else {
                e.into()
            }
        })?;
    let label = format!("{} · {}", g.name, o.name);
    let changes = Changes::new()
        .created("name", o.name.as_str())
        .created("price_delta", o.delta.plain())
        .created("sort_order", o.sort_order);
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(OPTION, id, &label),
        &changes,
    )?;
    Ok(id)
}

pub fn update_option(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    o: &OptionInput,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let old = option(conn, id)?;
    diesel::update(modifier_options::table.find(id))
        .set((
            modifier_options::name.eq(&o.name),
            modifier_options::name_lc.eq(o.name.to_lowercase()),
            modifier_options::price_delta_minor.eq(o.delta.0),
            modifier_options::sort_order.eq(o.sort_order),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                option_taken(&o.name)
            } else {
                e.into()
            }
        })?;
    let changes = Changes::new()
        .diff("price_delta", old.delta().plain(), o.delta.plain())
        .diff("name", old.name, o.name.clone())
        .diff("sort_order", old.sort_order, o.sort_order);
    if !changes.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(OPTION, id, &o.name),
            &changes,
        )?;
    }
    Ok(())
}

/// Marks an option out or back in stock, as the kitchen does when the oat milk runs out: one
/// conditional UPDATE, so two clicks at once flip it once each, in order.
pub fn set_option_stock(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    in_stock: bool,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let o = option(conn, id)?;
    let changed = diesel::update(
        modifier_options::table
            .find(id)
            .filter(modifier_options::in_stock.eq(!in_stock)),
    )
    .set(modifier_options::in_stock.eq(in_stock))
    .execute(conn)?;
    if changed == 1 {
        let changes = Changes::new().diff("in_stock", !in_stock, in_stock);
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(OPTION, id, &o.name),
            &changes,
        )?;
    }
    Ok(o.name)
}

pub fn set_option_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let o = option(conn, id)?;
    let toggle = Toggle::new(Subject::of(OPTION, id, &o.name), &o.name, active);
    archive::set_active(conn, actor, toggle, |c, now| {
        Ok(archive::flipped(crate::flip_active!(
            c,
            now,
            modifier_options,
            id,
            active
        )?))
    })?;
    Ok(o.name)
}

/// The groups an item offers, archived ones too (the edit page ticks them).
pub fn groups_of_item(conn: &mut AnyConnection, item_id: i64) -> QueryResult<Vec<i64>> {
    menu_item_modifier_groups::table
        .filter(menu_item_modifier_groups::menu_item_id.eq(item_id))
        .select(menu_item_modifier_groups::group_id)
        .load(conn)
}

/// Sets which groups an item offers: the ticked ones, no more, no fewer.
pub fn set_item_groups(
    conn: &mut AnyConnection,
    actor: &Actor,
    item_id: i64,
    ids: &[i64],
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let item = crate::cafe::menu::model::find(conn, item_id)?;
    if ids.len() > MAX_GROUPS_PER_ITEM {
        return Err(AppError::Unprocessable(format!(
            "An item can offer at most {MAX_GROUPS_PER_ITEM} modifier groups."
        )));
    }
    let names: Vec<(i64, String)> = modifier_groups::table
        .filter(modifier_groups::id.eq_any(ids))
        .select((modifier_groups::id, modifier_groups::name))
        .load(conn)?;
    if names.len() != ids.len() {
        return Err(AppError::Unprocessable(
            "One of the groups ticked does not exist any more. Please reload the page.".into(),
        ));
    }
    let before = groups_of_item(conn, item_id)?;
    diesel::delete(
        menu_item_modifier_groups::table
            .filter(menu_item_modifier_groups::menu_item_id.eq(item_id)),
    )
    .execute(conn)?;
    for id in ids {
        diesel::insert_into(menu_item_modifier_groups::table)
            .values((
                menu_item_modifier_groups::menu_item_id.eq(item_id),
                menu_item_modifier_groups::group_id.eq(id),
            ))
            .execute(conn)?;
    }
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut old = before;
    old.sort_unstable();
    if old != sorted {
        let mut listed: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
        listed.sort_unstable();
        let changes = Changes::new().note("modifier_groups", listed.join(", "));
        let subject = Subject::of(crate::cafe::menu::model::RECORD, item_id, &item.name);
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    }
    Ok(item.name)
}

/// Keeps a line's options as rows, for the stats.
pub fn record_line(conn: &mut AnyConnection, line_id: i64, chosen: &[Chosen]) -> QueryResult<()> {
    for c in chosen {
        diesel::insert_into(cafe_line_modifiers::table)
            .values((
                cafe_line_modifiers::line_id.eq(line_id),
                cafe_line_modifiers::option_id.eq(c.option_id),
                cafe_line_modifiers::group_name.eq(&c.group),
                cafe_line_modifiers::option_name.eq(&c.option),
                cafe_line_modifiers::price_delta_minor.eq(c.delta_minor),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An option as the stats count it: how many items were sold with it, and what it added.
#[derive(Debug, Clone)]
pub struct OptionSold {
    pub group: String,
    pub option: String,
    pub quantity: i64,
    pub revenue: Money,
}

/// The options on the bills a branch closed in `[from, to)`, most chosen first.
pub fn sold_between(
    conn: &mut AnyConnection,
    branch: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OptionSold>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Text};
    let rows: Vec<(String, String, i64, i64)> = cafe_line_modifiers::table
        .inner_join(cafe_session_lines::table)
        .inner_join(
            cafe_sales::table.on(cafe_sales::session_id.eq(cafe_session_lines::session_id)),
        )
        .filter(cafe_sales::branch_id.eq(branch))
        .filter(cafe_sales::closed_at.ge(from))
        .filter(cafe_sales::closed_at.lt(to))
        .group_by(cafe_line_modifiers::option_id)
        .select((
            sql::<Text>("MAX(cafe_line_modifiers.group_name)"),
            sql::<Text>("MAX(cafe_line_modifiers.option_name)"),
            sql::<BigInt>("CAST(SUM(cafe_session_lines.quantity) AS BIGINT)"),
            sql::<BigInt>(
                "CAST(SUM(cafe_session_lines.quantity * cafe_line_modifiers.price_delta_minor) AS BIGINT)",
            ),
        ))
        .order(sql::<BigInt>("3").desc())
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(group, option, quantity, revenue)| OptionSold {
            group,
            option,
            quantity,
            revenue: Money(revenue),
        })
        .collect())
}
