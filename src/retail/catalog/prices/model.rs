use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::{is_unique_violation, AnyConnection};
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{price_changes, products};
use crate::retail::catalog::prices::rules::{changed, fingerprint, Change, Rounding};
use crate::retail::catalog::products::model::{filtered, Filter, RECORD};

/// A bulk change touches at most this many products: narrow the filters for more.
pub const MAX_PRODUCTS: usize = 5_000;

#[derive(Debug, Clone)]
pub struct PriceRow {
    pub id: i64,
    pub name: String,
    pub barcode: String,
    pub price: Money,
    pub regular: Option<Money>,
    /// `None` when the change would leave the product without a price.
    pub new: Option<(Money, Option<Money>)>,
}

pub struct Preview {
    pub rows: Vec<PriceRow>,
    pub fingerprint: String,
}

type Stored = (i64, String, String, i64, Option<i64>);

fn matching(conn: &mut AnyConnection, filter: &Filter) -> Result<Vec<Stored>, AppError> {
    let mut f = filter.clone();
    // Archived products are not on sale; their prices wait for a restore.
    f.archived = false;
    let rows: Vec<Stored> = filtered(&f)
        .order(products::id.asc())
        .limit(MAX_PRODUCTS as i64 + 1)
        .select((
            products::id,
            products::name,
            products::barcode,
            products::price_minor,
            products::regular_price_minor,
        ))
        .load(conn)?;
    if rows.len() > MAX_PRODUCTS {
        return Err(AppError::Unprocessable(format!(
            "More than {MAX_PRODUCTS} products match; narrow the filters (category, supplier, search)."
        )));
    }
    Ok(rows)
}

pub fn preview(
    conn: &mut AnyConnection,
    filter: &Filter,
    change: Change,
    rounding: Rounding,
) -> Result<Preview, AppError> {
    let stored = matching(conn, filter)?;
    let print: Vec<(i64, i64, Option<i64>)> = stored.iter().map(|r| (r.0, r.3, r.4)).collect();
    Ok(Preview {
        fingerprint: fingerprint(&print),
        rows: stored
            .into_iter()
            .map(|(id, name, barcode, price, regular)| PriceRow {
                id,
                name,
                barcode,
                price: Money(price),
                regular: regular.map(Money),
                new: changed(Money(price), regular.map(Money), change, rounding),
            })
            .collect(),
    })
}

pub enum Applied {
    Done(usize),
    /// This key's change was made before (a double click, a retry).
    Already,
}

/// Changes every previewed price in the caller's transaction, or none: refused when the
/// matching products or their prices moved since the preview (`fingerprint`).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &Filter,
    change: Change,
    rounding: Rounding,
    key: &str,
    seen: &str,
) -> Result<Applied, AppError> {
    let employee = actor.employee_id.ok_or(AppError::Unauthorized)?;
    let now = BusinessClock::now_utc();
    let description = change.describe(rounding);
    let claimed = conn.transaction(|c| {
        diesel::insert_into(price_changes::table)
            .values((
                price_changes::idempotency_key.eq(key),
                price_changes::description.eq(&description),
                price_changes::products_changed.eq(0i64),
                price_changes::employee_id.eq(employee),
                price_changes::created_at.eq(now),
            ))
            .returning(price_changes::id)
            .get_result::<i64>(c)
    });
    let batch = match claimed {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Ok(Applied::Already),
        Err(e) => return Err(e.into()),
    };
    let preview = preview(conn, filter, change, rounding)?;
    if preview.fingerprint != seen {
        return Err(AppError::Conflict(
            "The products or their prices changed since the preview. Nothing was changed; look at the new preview."
                .into(),
        ));
    }
    let mut count = 0;
    for row in &preview.rows {
        let Some((price, regular)) = row.new else {
            return Err(AppError::Unprocessable(format!(
                "{} would have no price left. Nothing was changed.",
                row.name
            )));
        };
        if price == row.price && regular == row.regular {
            continue;
        }
        let old = (row.price.0, row.regular.map(|m| m.0));
        let target = products::table
            .find(row.id)
            .filter(products::price_minor.eq(old.0));
        let set = (
            products::price_minor.eq(price.0),
            products::regular_price_minor.eq(regular.map(|m| m.0)),
            products::updated_at.eq(now),
        );
        // Only if still at the previewed prices (another manager may have just changed it).
        let n = match old.1 {
            Some(r) => diesel::update(target.filter(products::regular_price_minor.eq(r)))
                .set(set)
                .execute(conn)?,
            None => diesel::update(target.filter(products::regular_price_minor.is_null()))
                .set(set)
                .execute(conn)?,
        };
        if n == 0 {
            return Err(AppError::Conflict(format!(
                "The price of {} changed meanwhile. Nothing was changed; look at the new preview.",
                row.name
            )));
        }
        let plain = |m: Option<Money>| m.map(Money::plain).unwrap_or_default();
        let changes = Changes::new()
            .diff("price", row.price.plain(), price.plain())
            .diff("regular_price", plain(row.regular), plain(regular))
            .note(
                "reason",
                format!("Bulk price change #{batch}: {description}"),
            );
        let subject = Subject::of(RECORD, row.id, format!("{} ({})", row.name, row.barcode));
        audit::record(conn, actor, now, audit::UPDATE, subject, &changes)?;
        count += 1;
    }
    diesel::update(price_changes::table.find(batch))
        .set(price_changes::products_changed.eq(count as i64))
        .execute(conn)?;
    Ok(Applied::Done(count))
}
