//! Customers, recognised at the till by their phone number.

pub mod import;
pub mod routes;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::forms;
use crate::platform::schema::customers;

pub const RECORD: &str = "customer";

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = customers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub phone: String,
    #[serde(skip)]
    pub phone_key: Option<String>,
    pub email: String,
    pub address: String,
    #[serde(skip)]
    pub created_at: NaiveDateTime,
    /// What refunds gave as store credit and is not spent yet.
    #[serde(skip)]
    pub store_credit_minor: i64,
}

/// One customer per phone number however it is typed: digits only, and the Philippine
/// `+63 9…` written the local way, `09…`.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 5 {
        return None;
    }
    if digits.len() == 12 && digits.starts_with("63") {
        return Some(format!("0{}", &digits[2..]));
    }
    Some(digits)
}

pub fn find_by_phone(conn: &mut AnyConnection, phone: &str) -> QueryResult<Option<Customer>> {
    let Some(key) = phone_key(phone) else {
        return Ok(None);
    };
    customers::table
        .filter(customers::phone_key.eq(key))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// A customer as typed at the till, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct CustomerInput {
    pub name: String,
    pub phone: String,
    pub email: String,
    /// Optional: for deliveries and warranty pick-ups.
    pub address: String,
}

pub fn validate(input: &CustomerInput) -> Result<CustomerInput, String> {
    validate_fields(input).map_err(|e| e.first().to_string())
}

/// `validate`, keeping every field's message (an import row shows each under its column).
pub fn validate_fields(input: &CustomerInput) -> Result<CustomerInput, forms::FormErrors> {
    let mut errors = forms::FormErrors::default();
    let name = forms::text(&input.name, "name", "Customer name", 100, true, &mut errors);
    let phone = forms::optional_phone(&input.phone, "phone", &mut errors).unwrap_or_default();
    let email = forms::optional_email(&input.email, "email", &mut errors).unwrap_or_default();
    let address = forms::text(
        &input.address,
        "address",
        "Customer address",
        200,
        false,
        &mut errors,
    );
    if phone.is_empty() {
        errors.add(
            "phone",
            "The customer's phone number is required to find them again.",
        );
    }
    errors.into_result(CustomerInput {
        name,
        phone,
        email,
        address,
    })
}

/// The existing customer with this phone number, or a new one. Existing details are kept.
pub fn find_or_create(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<i64, AppError> {
    let key = phone_key(&input.phone).ok_or_else(|| {
        AppError::Unprocessable("The customer's phone number is not valid.".into())
    })?;
    if let Some(c) = find_by_phone(conn, &input.phone)? {
        return Ok(c.id);
    }
    insert(conn, actor, input, &key)
}

/// A new customer with its audit row; `key` is the phone's `phone_key`.
pub fn insert(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &CustomerInput,
    key: &str,
) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let id: i64 = diesel::insert_into(customers::table)
        .values((
            customers::name.eq(&input.name),
            customers::phone.eq(&input.phone),
            customers::phone_key.eq(&key),
            customers::email.eq(&input.email),
            customers::address.eq(&input.address),
            customers::created_at.eq(now),
            customers::updated_at.eq(now),
        ))
        .returning(customers::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(
                    "Another till just added this customer; please try again.".into(),
                )
            } else {
                e.into()
            }
        })?;
    let changes = Changes::new()
        .created("name", input.name.as_str())
        .created("phone", input.phone.as_str())
        .created("email", input.email.as_str())
        .created("address", input.address.as_str());
    let subject = Subject::of(RECORD, id, &input.name);
    audit::record(conn, actor, now, audit::CREATE, subject, &changes)?;
    Ok(id)
}

/// Changes a customer's details (the phone stays theirs: it is how they are found).
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    old: &Customer,
    input: &CustomerInput,
) -> Result<(), AppError> {
    let changes = Changes::new()
        .diff("name", old.name.as_str(), input.name.as_str())
        .diff("phone", old.phone.as_str(), input.phone.as_str())
        .diff("email", old.email.as_str(), input.email.as_str())
        .diff("address", old.address.as_str(), input.address.as_str());
    if changes.is_empty() {
        return Ok(());
    }
    let now = BusinessClock::now_utc();
    diesel::update(customers::table.find(old.id))
        .set((
            customers::name.eq(&input.name),
            customers::phone.eq(&input.phone),
            customers::email.eq(&input.email),
            customers::address.eq(&input.address),
            customers::updated_at.eq(now),
        ))
        .execute(conn)?;
    let subject = Subject::of(RECORD, old.id, &input.name);
    audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_one_key_however_typed() {
        assert_eq!(phone_key("+63 917 123 4567"), phone_key("0917-123-4567"));
        assert_eq!(phone_key("(02) 8123 4567").as_deref(), Some("0281234567"));
        assert_eq!(phone_key("12"), None);
    }

    #[test]
    fn customers_need_a_name_and_a_phone() {
        let ok = CustomerInput {
            name: " Ana ".into(),
            phone: "0917 123 4567".into(),
            email: "".into(),
            address: "12 Mabini St, Quezon City".into(),
        };
        assert_eq!(validate(&ok).unwrap().name, "Ana");
        assert!(validate(&CustomerInput {
            address: "x".repeat(201),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&CustomerInput {
            name: "".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&CustomerInput {
            phone: "".into(),
            ..ok.clone()
        })
        .is_err());
        assert!(validate(&CustomerInput {
            email: "bad".into(),
            ..ok
        })
        .is_err());
    }
}
