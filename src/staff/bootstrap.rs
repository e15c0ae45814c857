//! First start: the first manager of an empty database, and the demo data.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::platform::audit::Actor;
use crate::platform::auth::{password, Role};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{write_tx, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::schema::{branches, employees};
use crate::staff::branches::rules::BranchInput;
use crate::staff::employees::model as employee_model;
use crate::staff::employees::rules::EmployeeInput;

/// What first start did, for the console.
pub enum FirstManager {
    /// The database already had staff.
    NotNeeded,
    /// Created; the password is shown when it was generated.
    Created {
        username: String,
        generated_password: Option<String>,
    },
}

/// An empty database gets one manager, and nothing else.
pub fn ensure_first_manager(
    conn: &mut AnyConnection,
    given_password: Option<&str>,
    cost: u32,
) -> Result<FirstManager, AppError> {
    if employee_model::count_all(conn)? > 0 {
        return Ok(FirstManager::NotNeeded);
    }
    let generated = given_password.is_none().then(password::random_password);
    let pw = given_password
        .map(str::to_string)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let hash = password::hash(&pw, cost).map_err(AppError::Internal)?;
    let created = write_tx(conn, |c| {
        // Checked again inside the transaction: two instances starting together create one.
        if employee_model::count_all(c)? > 0 {
            return Ok(false);
        }
        let input = EmployeeInput {
            name: "Administrator".into(),
            username: "admin".into(),
            role: Role::Manager,
            branch_id: None,
            email: None,
            phone: None,
            hire_date: BusinessClock::now_utc().date(),
            commission_rate_bp: 0,
            approval_limit_minor: 0,
        };
        employee_model::create(c, &Actor::system(), &input, &hash)?;
        Ok::<_, AppError>(true)
    })?;
    Ok(if created {
        FirstManager::Created {
            username: "admin".into(),
            generated_password: generated,
        }
    } else {
        FirstManager::NotNeeded
    })
}

pub struct CreatedManager {
    pub username: String,
    pub generated_password: Option<String>,
}

/// `tillpoint create-manager`.
pub fn create_manager(
    conn: &mut AnyConnection,
    username: &str,
    name: &str,
    given_password: Option<&str>,
    cost: u32,
) -> Result<CreatedManager, String> {
    let username = crate::staff::employees::rules::username(username)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("--name must be 1–100 characters".into());
    }
    let generated = given_password.is_none().then(password::random_password);
    let pw = given_password
        .map(str::to_string)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let hash = password::hash(&pw, cost)?;
    let input = EmployeeInput {
        name: name.to_string(),
        username: username.clone(),
        role: Role::Manager,
        branch_id: None,
        email: None,
        phone: None,
        hire_date: BusinessClock::now_utc().date(),
        commission_rate_bp: 0,
        approval_limit_minor: 0,
    };
    write_tx(conn, |c| {
        employee_model::create(c, &Actor::system(), &input, &hash)
    })
    .map_err(|e| e.public_message())?;
    Ok(CreatedManager {
        username,
        generated_password: generated,
    })
}

pub const DEMO_BRANCHES: [(&str, &str, &str, &str); 3] = [
    (
        "Main Branch",
        "MNL",
        "1 Rizal Avenue, Manila",
        "+63 2 8123 4567",
    ),
    (
        "Cebu Branch",
        "CEB",
        "88 Colon Street, Cebu City",
        "+63 32 234 5678",
    ),
    (
        "SK Cafe",
        "CAFE",
        "1 Rizal Avenue, Manila (ground floor)",
        "+63 2 8123 4568",
    ),
];

/// (username, name, role, branch code)
pub const DEMO_STAFF: [(&str, &str, Role, &str); 5] = [
    ("manager", "Maria Santos", Role::Manager, "MNL"),
    ("agent", "Juan Dela Cruz", Role::SalesAgent, "MNL"),
    ("credit", "Rosa Reyes", Role::CreditOfficer, "MNL"),
    ("kitchen", "Paolo Garcia", Role::Kitchen, "CAFE"),
    ("waiter", "Lina Bautista", Role::Waiter, "CAFE"),
];

/// Loads the demo branches and staff; anything already there (by code or username) is left
/// alone, so loading twice adds nothing. Caller holds the write transaction.
pub fn load_demo_staff(c: &mut AnyConnection, password_hash: &str) -> Result<usize, AppError> {
    let mut added = 0;
    let actor = Actor::system();
    for (name, code, address, phone) in DEMO_BRANCHES {
        let exists: i64 = branches::table
            .filter(branches::code.eq(code))
            .count()
            .get_result(c)?;
        if exists == 0 {
            let input = BranchInput {
                name: name.into(),
                code: code.into(),
                address: address.into(),
                phone: phone.into(),
            };
            crate::staff::branches::model::create(c, &actor, &input)?;
            added += 1;
        }
    }
    for (username, name, role, code) in DEMO_STAFF {
        let exists: i64 = employees::table
            .filter(employees::username.eq(username))
            .count()
            .get_result(c)?;
        if exists > 0 {
            continue;
        }
        let branch_id: i64 = branches::table
            .filter(branches::code.eq(code))
            .select(branches::id)
            .first(c)?;
        let input = EmployeeInput {
            name: name.into(),
            username: username.into(),
            role,
            branch_id: Some(branch_id),
            email: Some(format!("{username}@demo.tillpoint.example")),
            phone: None,
            hire_date: NaiveDate::from_ymd_opt(2024, 1, 15).expect("valid date"),
            commission_rate_bp: if role == Role::SalesAgent { 500 } else { 0 },
            // Demo credit officers approve plans financing up to 60,000.00 alone.
            approval_limit_minor: if role == Role::CreditOfficer {
                6_000_000
            } else {
                0
            },
        };
        employee_model::create(c, &actor, &input, password_hash)?;
        added += 1;
    }
    Ok(added)
}
