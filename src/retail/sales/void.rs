//! Voiding a completed cash sale: stock and serials go back to the branch, the commission is
//! reversed, and the order says Cancelled — all in one transaction, audited.

use diesel::prelude::*;

use crate::platform::archive::{self, Toggle};
use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branch_stock, commissions, employees, official_receipts, order_items, orders, product_serials,
};
use crate::retail::sales::rules::OrderStatus;
use crate::retail::stock::model::{ensure_row, record_movement, Movement};
use crate::retail::stock::rules::{MovementKind, SerialStatus};

pub fn validate_reason(raw: &str) -> Result<String, String> {
    let r = crate::platform::forms::visible(raw).unwrap_or_default();
    let r = r.as_str();
    if r.chars().count() < 3 {
        return Err("Say why the sale is voided (at least 3 characters).".into());
    }
    if r.chars().count() > 200 || r.chars().any(char::is_control) {
        return Err("The reason can be at most 200 characters of plain text.".into());
    }
    Ok(r.to_string())
}

pub fn void_sale(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    reason: &str,
) -> Result<String, AppError> {
    cancel_sale(conn, actor, order_id, reason, "cash")
}

/// Cancels a completed sale paid by `method` ("cash" for a void, "installment" when its plan
/// is rejected): stock and serials back, commission reversed, order Cancelled, audited.
/// Answers the OR number. Caller holds the transaction.
pub fn cancel_sale(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    reason: &str,
    expected_method: &str,
) -> Result<String, AppError> {
    let manager = actor.employee_id.ok_or(AppError::Unauthorized)?;
    type Head = (i64, i64, String, String, i64);
    let (branch_id, seller, status, method, total): Head = orders::table
        .find(order_id)
        .select((
            orders::branch_id,
            orders::employee_id,
            orders::status,
            orders::payment_method,
            orders::total_minor,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That sale"))?;
    if method != expected_method {
        return Err(AppError::Conflict(if expected_method == "cash" {
            "Only cash sales can be voided here; an instalment sale is cancelled by rejecting its plan.".into()
        } else {
            "This sale is not an instalment sale.".into()
        }));
    }
    let now = BusinessClock::now_utc();
    let changed = diesel::update(
        orders::table
            .find(order_id)
            .filter(orders::status.eq(OrderStatus::Completed.as_str()))
            // A sale with refunds is not voided (its returned units are back already): the
            // rest of it is refunded instead.
            .filter(orders::refunded_minor.eq(0i64)),
    )
    .set((
        orders::status.eq(OrderStatus::Cancelled.as_str()),
        orders::voided_at.eq(now),
        orders::voided_by.eq(manager),
        orders::void_reason.eq(reason),
    ))
    .execute(conn)?;
    if changed == 0 {
        let refunded: i64 = orders::table
            .find(order_id)
            .select(orders::refunded_minor)
            .first(conn)?;
        if refunded > 0 && status == OrderStatus::Completed.as_str() {
            return Err(AppError::Conflict(
                "Part of this sale was refunded, so it cannot be voided: refund the rest instead."
                    .into(),
            ));
        }
        return Err(AppError::Conflict(format!(
            "This sale is already {status}; it cannot be voided again."
        )));
    }
    // Off the day it was counted in.
    if let (Some(day), share) = crate::retail::sales::daily::share_of(conn, order_id)? {
        crate::retail::sales::daily::add(conn, branch_id, day, share.voided())?;
    }
    crate::retail::sales::daily_detail::count_order(conn, order_id, -1)?;
    let items: Vec<(i64, i64, i64)> = order_items::table
        .filter(order_items::order_id.eq(order_id))
        .select((
            order_items::id,
            order_items::product_id,
            order_items::quantity,
        ))
        .load(conn)?;
    let mut returned: Vec<(i64, i64, i64)> = Vec::with_capacity(items.len());
    for (item_id, product_id, quantity) in &items {
        let row = ensure_row(conn, branch_id, *product_id, now)?;
        let after: i64 = diesel::update(branch_stock::table.find(row))
            .set((
                branch_stock::quantity.eq(branch_stock::quantity + *quantity),
                branch_stock::updated_at.eq(now),
            ))
            .returning(branch_stock::quantity)
            .get_result(conn)?;
        returned.push((*product_id, *quantity, after));
        diesel::update(
            product_serials::table
                .filter(product_serials::order_item_id.eq(item_id))
                .filter(product_serials::status.eq(SerialStatus::Sold.as_str())),
        )
        .set((
            product_serials::status.eq(SerialStatus::InStock.as_str()),
            product_serials::order_item_id.eq(None::<i64>),
        ))
        .execute(conn)?;
    }
    // The commission is reversed with a negative ledger row, and the seller's totals go down.
    let earned: Vec<(i64, i64)> = commissions::table
        .filter(commissions::order_id.eq(order_id))
        .select((commissions::rate_bp, commissions::amount_minor))
        .load(conn)?;
    let commission: i64 = earned.iter().map(|c| c.1).sum();
    if commission != 0 {
        diesel::insert_into(commissions::table)
            .values((
                commissions::order_id.eq(order_id),
                commissions::employee_id.eq(seller),
                commissions::rate_bp.eq(earned[0].0),
                commissions::amount_minor.eq(-commission),
                commissions::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::update(employees::table.find(seller))
        .set((
            employees::total_sales_minor.eq(employees::total_sales_minor - total),
            employees::total_commission_minor.eq(employees::total_commission_minor - commission),
        ))
        .execute(conn)?;
    let or_number: String = official_receipts::table
        .filter(official_receipts::order_id.eq(order_id))
        .select(official_receipts::or_number)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| format!("order #{order_id}"));
    for (product_id, quantity, after) in returned {
        record_movement(
            conn,
            &Movement {
                branch_id,
                product_id,
                kind: MovementKind::Void,
                change: quantity,
                after,
                document: &or_number,
                order_id: Some(order_id),
                reason,
                employee_id: manager,
                at: now,
            },
        )?;
    }
    let changes = Changes::new()
        .diff(
            "status",
            OrderStatus::Completed.as_str(),
            OrderStatus::Cancelled.as_str(),
        )
        .note("reason", reason)
        .note(
            "stock_returned",
            items.iter().map(|i| i.2).sum::<i64>().to_string(),
        )
        .note("commission_reversed", Money(commission).plain());
    let subject = Subject::of("order", order_id, &or_number);
    audit::record(conn, actor, now, audit::VOID, subject, &changes)?;
    Ok(or_number)
}

/// Archive hides a sale from lists (it stays in the books); restore brings it back.
pub fn set_active(
    conn: &mut AnyConnection,
    actor: &Actor,
    order_id: i64,
    active: bool,
) -> Result<String, AppError> {
    let exists: i64 = orders::table
        .filter(orders::id.eq(order_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(AppError::not_found("That sale"));
    }
    let label = format!("order #{order_id}");
    let toggle = Toggle::new(Subject::of("order", order_id, &label), "This sale", active);
    archive::set_active(conn, actor, toggle, |c, now| {
        let rows = crate::flip_active!(c, now, orders, order_id, active, stamp archived_at)?;
        Ok(archive::flipped(rows))
    })?;
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_void_needs_a_reason() {
        assert!(validate_reason("  ").is_err());
        assert!(validate_reason("ok").is_err());
        assert_eq!(
            validate_reason(" Customer changed mind ").unwrap(),
            "Customer changed mind"
        );
        assert!(validate_reason(&"x".repeat(201)).is_err());
    }
}
