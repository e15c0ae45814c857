//! Customers from a spreadsheet: matched by phone number however it is written (`phone_key`),
//! each row checked by the till's customer rules. The export writes the same columns.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::import::{change, Plan, SeenOnce, Step};
use crate::platform::schema::customers;
use crate::platform::spreadsheet::{header_of, Column, Columns, Sheet};
use crate::retail::customers::{self as model, phone_key, Customer, CustomerInput};

pub const COLUMNS: &[Column] = &[
    Column::new(
        "name",
        "Name",
        &["customer", "customer name", "full name"],
        true,
    ),
    Column::new(
        "phone",
        "Phone",
        &["phone number", "mobile", "contact number"],
        true,
    ),
    Column::new("email", "E-mail", &["email address"], false),
    Column::new("address", "Address", &[], false),
];

fn column_of(field: &str) -> &'static str {
    header_of(COLUMNS, field)
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerAction {
    pub input: CustomerInput,
    pub key: String,
}

pub fn plan(conn: &mut AnyConnection, sheet: &Sheet) -> Result<Plan<CustomerAction>, AppError> {
    let cols = Columns::find(COLUMNS, &sheet.headers).map_err(AppError::Unprocessable)?;
    let mut plan = Plan::new(sheet, &cols);
    let keys: Vec<String> = sheet
        .rows
        .iter()
        .filter_map(|r| phone_key(cols.get(r, "phone")))
        .collect();
    let mut stored: HashMap<String, Customer> = HashMap::new();
    for chunk in keys.chunks(500) {
        let found: Vec<Customer> = customers::table
            .filter(customers::phone_key.eq_any(chunk))
            .select(Customer::as_select())
            .load(conn)?;
        stored.extend(
            found
                .into_iter()
                .filter_map(|c| c.phone_key.clone().map(|k| (k, c))),
        );
    }
    let mut seen = SeenOnce::default();
    for row in &sheet.rows {
        let line = row.line;
        let key = phone_key(cols.get(row, "phone"));
        let matched = key.as_ref().and_then(|k| stored.get(k));
        let keep = |field: &str, stored: Option<&String>| -> String {
            if cols.has(field) {
                cols.get(row, field).to_string()
            } else {
                stored.cloned().unwrap_or_default()
            }
        };
        let typed = CustomerInput {
            name: cols.get(row, "name").to_string(),
            phone: cols.get(row, "phone").to_string(),
            email: keep("email", matched.map(|c| &c.email)),
            address: keep("address", matched.map(|c| &c.address)),
        };
        let before = plan.problems.len();
        let input = model::validate_fields(&typed);
        if let Err(errors) = &input {
            plan.form_problems(line, errors, column_of);
        }
        let key = match (key, &input) {
            (Some(k), _) => k,
            (None, Ok(_)) => {
                plan.problem(
                    line,
                    column_of("phone"),
                    "The phone number needs at least 5 digits.",
                );
                continue;
            }
            (None, Err(_)) => continue,
        };
        if let Some(first) = seen.twice(&key, line) {
            plan.problem(
                line,
                column_of("phone"),
                format!("The phone number {} is also on line {first}.", typed.phone),
            );
        }
        if plan.problems.len() > before {
            continue;
        }
        let Ok(input) = input else { continue };
        let label = format!("{} ({})", input.name, input.phone);
        match matched {
            None => plan.push(line, label, Step::Create(CustomerAction { input, key })),
            Some(c) => {
                let mut changes = Vec::new();
                change(&mut changes, "Name", &c.name, &input.name);
                change(&mut changes, "Phone", &c.phone, &input.phone);
                change(&mut changes, "E-mail", &c.email, &input.email);
                change(&mut changes, "Address", &c.address, &input.address);
                if changes.is_empty() {
                    plan.push(line, label, Step::Unchanged);
                } else {
                    let action = CustomerAction { input, key };
                    plan.push(line, label, Step::Update(c.id, action, changes));
                }
            }
        }
    }
    Ok(plan)
}

pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    plan: Plan<CustomerAction>,
) -> Result<(), AppError> {
    for planned in plan.steps {
        match planned.step {
            Step::Unchanged => {}
            Step::Create(a) => {
                model::insert(conn, actor, &a.input, &a.key)?;
            }
            Step::Update(id, a, _) => {
                let old: Customer = customers::table
                    .find(id)
                    .select(Customer::as_select())
                    .first(conn)?;
                model::update(conn, actor, &old, &a.input)?;
            }
        }
    }
    Ok(())
}

/// A page of customers as export rows (the import's columns), in id order.
pub fn export_page(
    conn: &mut AnyConnection,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows: Vec<Customer> = customers::table
        .filter(customers::id.gt(after.unwrap_or(0)))
        .order(customers::id.asc())
        .limit(limit)
        .select(Customer::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|c| (c.id, vec![c.name, c.phone, c.email, c.address]))
        .collect())
}
