//! Customers, recognised at the till by their phone number.

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
    if errors.is_empty() {
        Ok(CustomerInput {
            name,
            phone,
            email,
            address,
        })
    } else {
        Err(errors.first().to_string())
    }
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
