use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::cafe::discounts::rules::{check, CodeInput, Kind, Terms};
use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{cafe_sessions, discount_codes};

pub const RECORD: &str = "discount_code";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = discount_codes)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct DiscountCode {
    pub id: i64,
    pub code: String,
    pub description: String,
    pub kind: String,
    pub percent_bp: i64,
    pub amount_minor: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub min_order_minor: i64,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub is_active: bool,
    pub updated_at: NaiveDateTime,
}

impl DiscountCode {
    pub fn terms(&self) -> Terms {
        Terms {
            id: self.id,
            code: self.code.clone(),
            kind: if self.kind == "fixed" {
                Kind::Fixed(Money(self.amount_minor))
            } else {
                Kind::Percent(self.percent_bp)
            },
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            min_order: Money(self.min_order_minor),
            max_uses: self.max_uses,
            uses: self.uses,
            active: self.is_active,
        }
    }

    /// "10 % off" or "50.00 off".
    pub fn offer(&self) -> String {
        match self.terms().kind {
            Kind::Percent(bp) => format!("{} % off", crate::platform::percent::percent_text(bp)),
            Kind::Fixed(m) => format!("{} off", m.grouped()),
        }
    }
}

pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<DiscountCode>> {
    discount_codes::table
        .order((
            discount_codes::is_active.desc(),
            discount_codes::code_lc.asc(),
        ))
        .select(DiscountCode::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> Result<DiscountCode, AppError> {
    discount_codes::table
        .find(id)
        .select(DiscountCode::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That promo code"))
}

/// A code as typed (already normalised to lower case).
pub fn by_code(conn: &mut AnyConnection, code_lc: &str) -> QueryResult<Option<DiscountCode>> {
    discount_codes::table
        .filter(discount_codes::code_lc.eq(code_lc))
        .select(DiscountCode::as_select())
        .first(conn)
        .optional()
}

fn values(i: &CodeInput) -> (i64, i64, &'static str) {
    match i.kind {
        Kind::Percent(bp) => (bp, 0, "percent"),
        Kind::Fixed(m) => (0, m.0, "fixed"),
    }
}

fn taken(e: diesel::result::Error, code: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::field_conflict("code", format!("There is already a code {code}."))
    } else {
        e.into()
    }
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, i: &CodeInput) -> Result<i64, AppError> {
    let now = BusinessClock::now_utc();
    let (bp, amount, kind) = values(i);
    let id: i64 = diesel::insert_into(discount_codes::table)
        .values((
            discount_codes::code.eq(&i.code),
            discount_codes::code_lc.eq(i.code.to_lowercase()),
            discount_codes::description.eq(&i.description),
            discount_codes::kind.eq(kind),
            discount_codes::percent_bp.eq(bp),
            discount_codes::amount_minor.eq(amount),
            discount_codes::valid_from.eq(i.valid_from),
            discount_codes::valid_to.eq(i.valid_to),
            discount_codes::min_order_minor.eq(i.min_order.0),
            discount_codes::max_uses.eq(i.max_uses),
            discount_codes::uses.eq(0i64),
            discount_codes::is_active.eq(true),
            discount_codes::created_at.eq(now),
            discount_codes::updated_at.eq(now),
        ))
        .returning(discount_codes::id)
        .get_result(conn)
        .map_err(|e| taken(e, &i.code))?;
    let changes = Changes::new()
        .created("code", i.code.as_str())
        .created("kind", kind)
        .created("percent_bp", bp)
        .created("amount", Money(amount).plain())
        .created("min_order", i.min_order.plain())
        .created("max_uses", i.max_uses.unwrap_or(0));
    audit::record(
        conn,
        actor,
        now,
        audit::CREATE,
        Subject::of(RECORD, id, &i.code),
        &changes,
    )?;
    Ok(id)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    i: &CodeInput,
) -> Result<(), AppError> {
    let old = find(conn, id)?;
    if i.max_uses.is_some_and(|m| m < old.uses) {
        return Err(AppError::field_invalid(
            "max_uses",
            format!("The code was already used {} times.", old.uses),
        ));
    }
    let now = BusinessClock::now_utc();
    let (bp, amount, kind) = values(i);
    diesel::update(discount_codes::table.find(id))
        .set((
            discount_codes::code.eq(&i.code),
            discount_codes::code_lc.eq(i.code.to_lowercase()),
            discount_codes::description.eq(&i.description),
            discount_codes::kind.eq(kind),
            discount_codes::percent_bp.eq(bp),
            discount_codes::amount_minor.eq(amount),
            discount_codes::valid_from.eq(i.valid_from),
            discount_codes::valid_to.eq(i.valid_to),
            discount_codes::min_order_minor.eq(i.min_order.0),
            discount_codes::max_uses.eq(i.max_uses),
            discount_codes::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| taken(e, &i.code))?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let changes = Changes::new()
        .diff("code", old.code.as_str(), i.code.as_str())
        .diff("kind", old.kind.as_str(), kind)
        .diff("percent_bp", old.percent_bp, bp)
        .diff(
            "amount",
            Money(old.amount_minor).plain(),
            Money(amount).plain(),
        )
        .diff("valid_from", date(old.valid_from), date(i.valid_from))
        .diff("valid_to", date(old.valid_to), date(i.valid_to))
        .diff(
            "min_order",
            Money(old.min_order_minor).plain(),
            i.min_order.plain(),
        )
        .diff(
            "max_uses",
            old.max_uses.unwrap_or(0),
            i.max_uses.unwrap_or(0),
        );
    if !changes.is_empty() {
        audit::record(
            conn,
            actor,
            now,
            audit::UPDATE,
            Subject::of(RECORD, id, &i.code),
            &changes,
        )?;
    }
    Ok(())
}

/// Stops (or restarts) a code; bills that carry it can no longer close with it.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<String, AppError> {
    let c = find(conn, id)?;
    let toggle = Toggle::new(Subject::of(RECORD, id, &c.code), &c.code, active);
    archive::set_active(conn, actor, toggle, |conn, now| {
        let rows = diesel::update(
            discount_codes::table
                .find(id)
                .filter(discount_codes::is_active.eq(!active)),
        )
        .set((
            discount_codes::is_active.eq(active),
            discount_codes::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(c.code)
}

/// The code a session carries, if any.
pub fn of_session(conn: &mut AnyConnection, session_id: i64) -> QueryResult<Option<DiscountCode>> {
    cafe_sessions::table
        .inner_join(discount_codes::table)
        .filter(cafe_sessions::id.eq(session_id))
        .select(DiscountCode::as_select())
        .first(conn)
        .optional()
}

/// Puts a code on an open bill (after checking it applies to its subtotal today), or takes it
/// off (`None`). Answers the discount.
#[allow(clippy::too_many_arguments)]
pub fn apply_to_session(
    conn: &mut AnyConnection,
    actor: &Actor,
    session_id: i64,
    code_lc: Option<&str>,
    today: NaiveDate,
    subtotal: Money,
    currency: &str,
) -> Result<Money, AppError> {
    crate::cafe::tab::refuse_if_shared(conn, session_id)?;
    let code = match code_lc {
        None => None,
        Some(c) => Some(
            by_code(conn, c)?
                .ok_or_else(|| AppError::field_invalid("code", "This code is not valid."))?,
        ),
    };
    let discount = match &code {
        None => Money::ZERO,
        Some(c) => check(&c.terms(), today, subtotal, currency)
            .map_err(|m| AppError::field_invalid("code", m))?,
    };
    let now = BusinessClock::now_utc();
    let n = diesel::update(
        cafe_sessions::table
            .find(session_id)
            .filter(cafe_sessions::closed_at.is_null()),
    )
    .set(cafe_sessions::discount_code_id.eq(code.as_ref().map(|c| c.id)))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::Conflict("This bill is already closed.".into()));
    }
    let changes = Changes::new().note(
        "discount_code",
        code.as_ref()
            .map_or("(removed)".to_string(), |c| c.code.clone()),
    );
    audit::record(
        conn,
        actor,
        now,
        audit::UPDATE,
        Subject::of("cafe_session", session_id, format!("Bill #{session_id}")),
        &changes,
    )?;
    Ok(discount)
}

/// Counts one use as a bill closes: a conditional UPDATE, so the last remaining use goes to
/// exactly one of two closes at once; the other is refused and its transaction rolls back.
pub fn count_use(
    conn: &mut AnyConnection,
    id: i64,
    code: &str,
    today: NaiveDate,
) -> Result<(), AppError> {
    let n = diesel::update(
        discount_codes::table
            .find(id)
            .filter(discount_codes::is_active.eq(true))
            .filter(
                discount_codes::max_uses
                    .is_null()
                    .or(discount_codes::uses.lt(discount_codes::max_uses.assume_not_null())),
            )
            .filter(
                discount_codes::valid_from
                    .is_null()
                    .or(discount_codes::valid_from.le(today)),
            )
            .filter(
                discount_codes::valid_to
                    .is_null()
                    .or(discount_codes::valid_to.ge(today)),
            ),
    )
    .set(discount_codes::uses.eq(discount_codes::uses + 1))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::Conflict(format!(
            "The code {code} has just been used up or stopped. Remove it from the bill, then close."
        )));
    }
    Ok(())
}
