//! Guests recognised without an account: a long-lived signed cookie holding a random visitor
//! key, and nothing else. The seed also recognised guests by their address; on a café's shared
//! Wi-Fi or behind NAT that made one guest another (their name, history, orders, feedback), so
//! the address only feeds anonymous counts and the rate limits of guest writes here.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, CookieJar, Key, SameSite};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::rate_limit::{self, Limit};
use crate::platform::schema::cafe_visitors;

pub const COOKIE: &str = "tp_visitor";

/// The key that signs visitor cookies (the application's cookie key).
#[derive(Clone)]
pub struct CookieKey(pub Key);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cafe_visitors)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Visitor {
    pub id: i64,
    pub key: String,
    pub preferred_name: String,
    pub visit_count: i64,
}

/// Who is asking, as far as the request tells.
#[derive(Debug, Clone, Default)]
pub struct GuestHint {
    /// The visitor key from a cookie whose signature checks out.
    pub key: Option<String>,
    pub ip: Option<String>,
}

pub fn hint(req: &HttpRequest) -> GuestHint {
    let key = req
        .app_data::<actix_web::web::Data<CookieKey>>()
        .zip(req.cookie(COOKIE))
        .and_then(|(k, c)| {
            let mut jar = CookieJar::new();
            jar.add_original(c.into_owned());
            jar.signed(&k.0).get(COOKIE).map(|c| c.value().to_string())
        })
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    GuestHint {
        key,
        ip: crate::platform::auth::guard::request_ip(req),
    }
}

fn by_key(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<Visitor>> {
    crate::on_backend!(conn, |c| cafe_visitors::table
        .filter(cafe_visitors::key.eq(key))
        .select(Visitor::as_select())
        .first(c)
        .optional())
}

/// The visitor this request belongs to, if we have met them: by their signed cookie only.
pub fn find(conn: &mut AnyConnection, hint: &GuestHint) -> QueryResult<Option<Visitor>> {
    match &hint.key {
        Some(k) => by_key(conn, k),
        None => Ok(None),
    }
}

/// What a guest may write anonymously, each with its limits per visitor, per address and per
/// table (fixed windows in `rate_limits`, shared by every instance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestWrite {
    Order,
    CallStaff,
    Name,
    Feedback,
    /// A reservation request from the public form.
    Reservation,
    /// Trying a promo code (each try counts, so codes cannot be guessed by the thousand).
    Code,
}

impl GuestWrite {
    fn name(self) -> &'static str {
        match self {
            GuestWrite::Order => "order",
            GuestWrite::CallStaff => "call",
            GuestWrite::Name => "name",
            GuestWrite::Feedback => "feedback",
            GuestWrite::Reservation => "reservation",
            GuestWrite::Code => "code",
        }
    }

    /// (per visitor, per address, per table). An address may be a whole café behind NAT, so
    /// its limits are the widest.
    fn limits(self) -> (Limit, Limit, Limit) {
        match self {
            GuestWrite::Order => (
                Limit::per_minutes(30, 10),
                Limit::per_minutes(120, 10),
                Limit::per_minutes(40, 10),
            ),
            GuestWrite::CallStaff => (
                Limit::per_minutes(5, 10),
                Limit::per_minutes(40, 10),
                Limit::per_minutes(10, 10),
            ),
            GuestWrite::Name => (
                Limit::per_minutes(10, 10),
                Limit::per_minutes(60, 10),
                Limit::per_minutes(30, 10),
            ),
            GuestWrite::Feedback => (
                Limit::per_minutes(5, 10),
                Limit::per_minutes(40, 10),
                Limit::per_minutes(15, 10),
            ),
            GuestWrite::Code => (
                Limit::per_minutes(10, 10),
                Limit::per_minutes(30, 10),
                Limit::per_minutes(20, 10),
            ),
            // Per branch rather than per table: a request names no table.
            GuestWrite::Reservation => (
                Limit::per_minutes(3, 60),
                Limit::per_minutes(10, 60),
                Limit::per_minutes(60, 60),
            ),
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            GuestWrite::Order => "That is a lot of orders in a short time.",
            GuestWrite::CallStaff => "We have already let the staff know.",
            GuestWrite::Name => "Your name was changed many times just now.",
            GuestWrite::Feedback => "Thank you, we have your feedback.",
            GuestWrite::Code => "That is a lot of codes in a short time; ask your waiter.",
            GuestWrite::Reservation => {
                "We have several booking requests from you already; please call the cafe."
            }
        }
    }
}

/// Counts one anonymous write against its limits; 429 with `Retry-After` beyond any of them.
/// Runs inside the write's transaction: a refusal rolls back and leaves nothing behind.
/// `place` is the table ordered at (or, for a booking request, the branch).
pub fn admit(
    conn: &mut AnyConnection,
    what: GuestWrite,
    hint: &GuestHint,
    place: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let (per_visitor, per_address, per_place) = what.limits();
    let kind = what.name();
    let mut buckets = vec![(format!("guest-{kind}:place:{place}"), per_place)];
    if let Some(ip) = &hint.ip {
        buckets.push((format!("guest-{kind}:ip:{ip}"), per_address));
    }
    if let Some(key) = &hint.key {
        buckets.push((format!("guest-{kind}:visitor:{key}"), per_visitor));
    }
    for (bucket, limit) in buckets {
        if let Err(e) = rate_limit::hit(conn, &bucket, limit, now)? {
            return Err(AppError::throttled(what.refusal(), e));
        }
    }
    Ok(())
}

/// The visitor, created on their first order or name; `last_seen` and address kept current.
pub fn ensure(
    conn: &mut AnyConnection,
    hint: &GuestHint,
    now: NaiveDateTime,
) -> QueryResult<Visitor> {
    if let Some(v) = find(conn, hint)? {
        diesel::update(cafe_visitors::table.find(v.id))
            .set((
                cafe_visitors::last_seen.eq(now),
                cafe_visitors::last_ip.eq(hint.ip.as_deref()),
            ))
            .execute(conn)?;
        return Ok(v);
    }
    let key = hint
        .key
        .clone()
        .unwrap_or_else(crate::cafe::tables::rules::new_token);
    diesel::insert_into(cafe_visitors::table)
        .values((
            cafe_visitors::key.eq(&key),
            cafe_visitors::preferred_name.eq(""),
            cafe_visitors::last_ip.eq(hint.ip.as_deref()),
            cafe_visitors::visit_count.eq(0i64),
            cafe_visitors::first_seen.eq(now),
            cafe_visitors::last_seen.eq(now),
        ))
        .execute(conn)?;
    by_key(conn, &key)?.ok_or(diesel::result::Error::NotFound)
}

/// The name a guest wants to be called: 1 to 40 characters, no control characters.
pub fn clean_name(raw: &str) -> Result<String, AppError> {
    let name = crate::platform::forms::visible(raw).unwrap_or_default();
    let name = name.as_str();
    if name.is_empty() {
        return Err(AppError::Unprocessable(
            "Please tell us your name first.".into(),
        ));
    }
    if name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(AppError::Unprocessable(
            "A name can be at most 40 letters.".into(),
        ));
    }
    Ok(name.to_string())
}

pub fn set_name(
    conn: &mut AnyConnection,
    visitor: &Visitor,
    name: &str,
    ip: Option<String>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::update(cafe_visitors::table.find(visitor.id))
        .set(cafe_visitors::preferred_name.eq(name))
        .execute(conn)?;
    audit::record(
        conn,
        &Actor {
            employee_id: None,
            ip,
        },
        now,
        audit::UPDATE,
        Subject::of("cafe_visitor", visitor.id, format!("Guest {}", visitor.id)),
        &Changes::new().diff(
            "preferred_name",
            visitor.preferred_name.clone(),
            name.to_string(),
        ),
    )?;
    Ok(())
}

/// Counts a visit: called once per session the visitor orders in (a conditional increment,
/// never read-modify-write).
pub fn count_visit(conn: &mut AnyConnection, visitor_id: i64) -> QueryResult<usize> {
    diesel::update(cafe_visitors::table.find(visitor_id))
        .set(cafe_visitors::visit_count.eq(cafe_visitors::visit_count + 1i64))
        .execute(conn)
}

/// Sets (or refreshes) the signed visitor cookie for a year, on the guest pages' path only.
pub fn remember(req: &HttpRequest, resp: &mut HttpResponse, visitor_key: &str) {
    let Some(k) = req.app_data::<actix_web::web::Data<CookieKey>>() else {
        return;
    };
    let secure = req
        .app_data::<actix_web::web::Data<crate::platform::state::AppState>>()
        .is_some_and(|s| s.config.secure_cookies);
    let mut jar = CookieJar::new();
    let mut c = Cookie::new(COOKIE, visitor_key.to_string());
    // Sent to the guest's pages and to the customer endpoints of the JSON API.
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(secure);
    c.set_max_age(CookieDuration::days(365));
    jar.signed_mut(&k.0).add(c);
    if let Some(signed) = jar.get(COOKIE) {
        let _ = resp.add_cookie(signed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(clean_name("  Ana ").unwrap(), "Ana");
        assert!(clean_name(" ").is_err());
        assert!(clean_name(&"a".repeat(41)).is_err());
        assert!(clean_name("An\u{0}a").is_err());
        assert!(clean_name("\u{200B}\u{200B}").is_err());
        assert_eq!(clean_name("A\u{202E}na").unwrap(), "Ana");
        assert_eq!(clean_name(&"é".repeat(40)).unwrap().chars().count(), 40);
    }
}
