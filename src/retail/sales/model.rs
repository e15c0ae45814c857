use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::platform::audit::{self, Actor, Changes, Subject};
use crate::platform::auth::CurrentUser;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, customers, employees, official_receipts, order_items, orders, payments,
    product_serials,
};

#[derive(Debug, Clone, Queryable)]
pub struct OrderHead {
    pub id: i64,
    pub branch_id: i64,
    pub status: String,
    pub payment_method: String,
    pub total_minor: i64,
    pub vat_minor: i64,
    pub vat_rate_bp: i64,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub voided_at: Option<NaiveDateTime>,
    pub void_reason: Option<String>,
    pub branch_name: String,
    pub branch_address: String,
    pub branch_phone: String,
    pub cashier: String,
    pub customer: Option<String>,
    pub customer_phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ItemLine {
    pub id: i64,
    pub product_id: i64,
    pub name: String,
    pub quantity: i64,
    pub unit: Money,
    pub total: Money,
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Queryable)]
pub struct ReceiptRow {
    pub or_number: String,
    pub vatable_minor: i64,
    pub vat_minor: i64,
    pub total_minor: i64,
    pub print_count: i64,
}

#[derive(Debug, Clone, Queryable)]
pub struct PaymentRow {
    pub method: String,
    pub amount_minor: i64,
    pub cash_received_minor: Option<i64>,
    pub change_minor: Option<i64>,
    pub paid_at: NaiveDateTime,
    /// A card's or e-wallet's reference.
    pub reference: String,
}

impl PaymentRow {
    pub fn amount(&self) -> Money {
        Money(self.amount_minor)
    }

    /// "Cash", "Card", "E-wallet", "Instalment down payment".
    pub fn label(&self) -> &'static str {
        crate::retail::pos::cart::TenderMethod::parse(&self.method)
            .map_or("Instalment down payment", |m| m.label())
    }

    pub fn cash(&self) -> Option<Money> {
        self.cash_received_minor.map(Money)
    }

    pub fn change(&self) -> Option<Money> {
        self.change_minor.map(Money)
    }
}

#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub head: OrderHead,
    pub items: Vec<ItemLine>,
    pub receipt: Option<ReceiptRow>,
    pub payments: Vec<PaymentRow>,
}

/// An order as its viewer may see it: another branch's order is "not found" for anyone but a
/// manager, so ids cannot be used to peek.
pub fn load(
    conn: &mut AnyConnection,
    id: i64,
    viewer: &CurrentUser,
) -> Result<OrderDetail, AppError> {
    let d = detail(conn, id)?;
    if !viewer.is_manager() && viewer.branch_id != Some(d.head.branch_id) {
        return Err(AppError::not_found("That sale"));
    }
    Ok(d)
}

/// An order whoever asks (the e-mailed receipt); pages use `load`, which checks the viewer.
pub fn detail(conn: &mut AnyConnection, id: i64) -> Result<OrderDetail, AppError> {
    let head: OrderHead = orders::table
        .inner_join(branches::table)
        .inner_join(employees::table.on(employees::id.eq(orders::employee_id)))
        .left_join(customers::table)
        .filter(orders::id.eq(id))
        .select((
            orders::id,
            orders::branch_id,
            orders::status,
            orders::payment_method,
            orders::total_minor,
            orders::vat_minor,
            orders::vat_rate_bp,
            orders::is_active,
            orders::created_at,
            orders::voided_at,
            orders::void_reason,
            branches::name,
            branches::address,
            branches::phone,
            employees::name,
            customers::name.nullable(),
            customers::phone.nullable(),
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("That sale"))?;
    let rows: Vec<(i64, i64, String, i64, i64, i64)> = order_items::table
        .filter(order_items::order_id.eq(id))
        .order(order_items::id.asc())
        .select((
            order_items::id,
            order_items::product_id,
            order_items::product_name,
            order_items::quantity,
            order_items::unit_price_minor,
            order_items::line_total_minor,
        ))
        .load(conn)?;
    let item_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let serials: Vec<(Option<i64>, String)> = product_serials::table
        .filter(product_serials::order_item_id.eq_any(&item_ids))
        .order(product_serials::serial.asc())
        .select((product_serials::order_item_id, product_serials::serial))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(
            |(item_id, product_id, name, quantity, unit, total)| ItemLine {
                id: item_id,
                product_id,
                name,
                quantity,
                unit: Money(unit),
                total: Money(total),
                serials: serials
                    .iter()
                    .filter(|s| s.0 == Some(item_id))
                    .map(|s| s.1.clone())
                    .collect(),
            },
        )
        .collect();
    let receipt = official_receipts::table
        .filter(official_receipts::order_id.eq(id))
        .select((
            official_receipts::or_number,
            official_receipts::vatable_minor,
            official_receipts::vat_minor,
            official_receipts::total_minor,
            official_receipts::print_count,
        ))
        .first(conn)
        .optional()?;
    let payments = payments::table
        .filter(payments::order_id.eq(id))
        .order(payments::id.asc())
        .select((
            payments::method,
            payments::amount_minor,
            payments::cash_received_minor,
            payments::change_minor,
            payments::paid_at,
            payments::reference,
        ))
        .load(conn)?;
    Ok(OrderDetail {
        head,
        items,
        receipt,
        payments,
    })
}

/// Counts a printed copy, with its audit row; the next view of the receipt says REPRINT.
pub fn mark_printed(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    let copies: i64 =
        diesel::update(official_receipts::table.filter(official_receipts::order_id.eq(id)))
            .set(official_receipts::print_count.eq(official_receipts::print_count + 1i64))
            .returning(official_receipts::print_count)
            .get_result(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found("The receipt of this sale"))?;
    let or_number: String = official_receipts::table
        .filter(official_receipts::order_id.eq(id))
        .select(official_receipts::or_number)
        .first(conn)?;
    let note = if copies == 1 {
        "original".to_string()
    } else {
        format!("reprint, copy {copies}")
    };
    audit::record(
        conn,
        actor,
        BusinessClock::now_utc(),
        audit::PRINT,
        Subject::of("order", id, &or_number),
        &Changes::new().note("copy", note),
    )?;
    Ok(())
}
