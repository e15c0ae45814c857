//! The cafe through the real application: guests ordering from their table (plain forms, no
//! JavaScript), the kitchen, the floor, bills, QR codes, visitors, and the races.

use std::collections::HashMap;
use std::sync::{Arc, Barrier};

use diesel::prelude::*;

use tillpoint::cafe::menu::model as menu;
use tillpoint::cafe::menu::rules::MenuItemInput;
use tillpoint::cafe::ordering::{self, OrderLine, OrderRequest};
use tillpoint::cafe::sales::{self, PaymentMethod};
use tillpoint::cafe::tables::model as tables;
use tillpoint::cafe::tables::rules::{TableInput, TableStatus};
use tillpoint::cafe::visitors::GuestHint;
use tillpoint::platform::audit::Actor;
use tillpoint::platform::auth::{password, Role};
use tillpoint::platform::db::write_tx;
use tillpoint::platform::money::Money;
use tillpoint::platform::schema::{
    cafe_feedback, cafe_sales, cafe_session_lines, cafe_sessions, cafe_tables, kitchen_tickets,
    menu_categories, menu_items,
};

use crate::helpers::*;

pub(crate) struct Cafe {
    /// (table id, token) of tables 1..=4
    pub tables: Vec<(i64, String)>,
    pub items: HashMap<&'static str, i64>,
}

impl Cafe {
    pub fn token(&self, n: usize) -> &str {
        &self.tables[n - 1].1
    }
    pub fn item(&self, name: &str) -> i64 {
        self.items[name]
    }
}

fn item(
    conn: &mut tillpoint::platform::db::AnyConnection,
    name: &str,
    category: &str,
    price: i64,
    veg: bool,
    in_stock: bool,
) -> MenuItemInput {
    let category_id: i64 = menu_categories::table
        .filter(menu_categories::name.eq(category))
        .select(menu_categories::id)
        .first(conn)
        .unwrap();
    MenuItemInput {
        name: name.into(),
        category_id,
        price: Money(price),
        description: format!("{name}, made here"),
        emoji: "☕".into(),
        is_veg: veg,
        calories: Some(120),
        allergens: "dairy".into(),
        allergens_other: String::new(),
        serving_size: String::new(),
        prep_minutes: 10,
        sort_order: 0,
        trending: name == "Latte",
        in_stock,
    }
}

pub(crate) fn setup(app: &TestApp) -> Cafe {
    let branch = app.seed.main_branch;
    let mut conn = app.conn();
    write_tx(&mut conn, |c| {
        let actor = Actor::system();
        let mut items = HashMap::new();
        for (name, cat, price, veg, stock) in [
            ("Latte", "Coffee", 18000, true, true),
            ("Fries", "Snacks", 12000, true, true),
            ("Burger", "Burgers", 32000, false, true),
            ("Brownie", "Desserts", 18000, true, false),
        ] {
            let input = item(c, name, cat, price, veg, stock);
            items.insert(name, menu::create(c, &actor, branch, &input).unwrap());
        }
        let mut tabs = Vec::new();
        for n in 1..=4 {
            let id = tables::create(
                c,
                &actor,
                branch,
                &TableInput {
                    number: n,
                    capacity: 4,
                    location: "Window".into(),
                    status: TableStatus::Available,
                },
            )
            .unwrap();
            let token: String = cafe_tables::table
                .find(id)
                .select(cafe_tables::token)
                .first(c)
                .unwrap();
            tabs.push((id, token));
        }
        Ok::<_, diesel::result::Error>(Cafe {
            tables: tabs,
            items,
        })
    })
    .unwrap()
}

macro_rules! count {
    ($app:expr, $table:expr) => {{
        let n: i64 = $table.count().get_result(&mut *$app.conn()).unwrap();
        n
    }};
}

fn written(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    (
        count!(app, cafe_sessions::table),
        count!(app, kitchen_tickets::table),
        count!(app, cafe_session_lines::table),
        count!(app, cafe_sales::table),
        app.audit_count(),
    )
}

pub(crate) async fn guest(app: &TestApp, cafe: &Cafe, table: usize, peer: &str) -> Client {
    let g = app.client_from(peer);
    g.get(&format!("/t/{}", cafe.token(table)))
        .await
        .expect(200);
    g
}

pub(crate) async fn order(g: &Client, cafe: &Cafe, table: usize, lines: &[(&str, &str)]) -> Resp {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|(name, qty)| (format!("qty_{}", cafe.item(name)), qty.to_string()))
        .collect();
    let fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    g.post(&format!("/t/{}/order", cafe.token(table)), &fields)
        .await
}

/// Closes each (employee, bill) paid in cash, all at the same moment on real threads (each on
/// its own connection, released together by a barrier); the results in the same order.
pub(crate) fn close_at_once(
    app: &TestApp,
    bills: &[(Option<&str>, i64)],
) -> Vec<Result<sales::Closed, tillpoint::platform::error::AppError>> {
    let barrier = Arc::new(Barrier::new(bills.len()));
    let handles: Vec<_> = bills
        .iter()
        .map(|&(who, bill)| {
            let db = app.db.clone();
            let barrier = barrier.clone();
            let actor = match who {
                Some(who) => Actor {
                    employee_id: Some(app.id(who)),
                    ip: None,
                },
                None => Actor::system(),
            };
            std::thread::spawn(move || {
                let mut conn = db.pool().get().unwrap();
                barrier.wait();
                write_tx(&mut conn, |c| {
                    sales::close(
                        c,
                        &actor,
                        bill,
                        &sales::BillPayment::whole(PaymentMethod::Cash),
                        500,
                        chrono::Utc::now().naive_utc(),
                        chrono::Utc::now().date_naive(),
                        "PHP ",
                    )
                })
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

pub(crate) fn open_session(app: &TestApp, table_id: i64) -> i64 {
    cafe_sessions::table
        .filter(cafe_sessions::table_id.eq(table_id))
        .filter(cafe_sessions::closed_at.is_null())
        .select(cafe_sessions::id)
        .first(&mut *app.conn())
        .unwrap()
}

pub(crate) async fn next_chunk(body: &mut actix_web::body::BoxBody) -> String {
    next_chunk_within(body, 2).await
}

// After the helpers above (and `count!`, which is visible only below its definition).
mod discounts;
mod floor;
mod guest;
mod kitchen;
mod menus;
pub(crate) mod modifiers;
mod moves;
mod races;
mod refunds;
mod reservations;
mod split;
pub(crate) mod stations;
pub(crate) mod stats;
mod table_codes;
