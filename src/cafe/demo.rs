//! Demo cafe data: the seed's 27 menu items and 12 tables (`cafe-inventory.md` §5) in the demo
//! cafe branch (code CAFE), and the cafe's bill details. Loading twice adds nothing.

use diesel::prelude::*;

use crate::cafe::menu::model as menu;
use crate::cafe::menu::rules::MenuItemInput;
use crate::cafe::tables::model as tables;
use crate::cafe::tables::rules::{TableInput, TableStatus};
use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{branches, cafe_tables, menu_categories, menu_items};
use crate::platform::settings;

/// (name, category, price, emoji, veg, trending, calories, description)
type Item = (
    &'static str,
    &'static str,
    i64,
    &'static str,
    bool,
    bool,
    i64,
    &'static str,
);

const MENU: [Item; 28] = [
    (
        "Caramel Macchiato",
        "Coffee",
        220,
        "☕",
        true,
        true,
        180,
        "Espresso with vanilla & caramel drizzle",
    ),
    (
        "Iced Latte",
        "Coffee",
        180,
        "🧊",
        true,
        true,
        120,
        "Chilled espresso with creamy milk",
    ),
    (
        "Espresso Shot",
        "Coffee",
        120,
        "⚡",
        true,
        false,
        5,
        "Pure concentrated coffee",
    ),
    (
        "Mocha Frappe",
        "Coffee",
        250,
        "🍫",
        true,
        false,
        290,
        "Blended chocolate coffee delight",
    ),
    (
        "Cappuccino",
        "Coffee",
        180,
        "☕",
        true,
        false,
        140,
        "Classic Italian coffee with foam",
    ),
    (
        "Latte",
        "Coffee",
        170,
        "🥛",
        true,
        false,
        150,
        "Espresso with steamed milk, your size and milk",
    ),
    (
        "Classic Smash Burger",
        "Burgers",
        320,
        "🍔",
        false,
        true,
        650,
        "Juicy double patty with special sauce",
    ),
    (
        "Cheese Overload",
        "Burgers",
        380,
        "🧀",
        false,
        false,
        720,
        "Triple cheese melted burger",
    ),
    (
        "Veggie Supreme",
        "Burgers",
        280,
        "🥗",
        true,
        false,
        380,
        "Fresh garden veggie patty",
    ),
    (
        "Chicken Zinger",
        "Burgers",
        340,
        "🍗",
        false,
        true,
        580,
        "Crispy spicy chicken burger",
    ),
    (
        "Margherita",
        "Pizza",
        350,
        "🍕",
        true,
        true,
        450,
        "Classic tomato basil cheese",
    ),
    (
        "Pepperoni Feast",
        "Pizza",
        450,
        "🔥",
        false,
        false,
        620,
        "Loaded with pepperoni slices",
    ),
    (
        "BBQ Chicken",
        "Pizza",
        480,
        "🍗",
        false,
        false,
        580,
        "Smoky BBQ chicken pizza",
    ),
    (
        "Veggie Delight",
        "Pizza",
        380,
        "🥬",
        true,
        false,
        420,
        "Garden fresh vegetables",
    ),
    (
        "Molten Brownie",
        "Desserts",
        180,
        "🍫",
        true,
        false,
        380,
        "Warm gooey chocolate brownie",
    ),
    (
        "NY Cheesecake",
        "Desserts",
        280,
        "🍰",
        true,
        true,
        450,
        "Creamy New York style",
    ),
    (
        "Gelato Trio",
        "Desserts",
        220,
        "🍨",
        true,
        false,
        320,
        "Three artisan gelato scoops",
    ),
    (
        "Berry Mojito",
        "Drinks",
        180,
        "🍹",
        true,
        false,
        120,
        "Refreshing berry mint cooler",
    ),
    (
        "Fresh Lemonade",
        "Drinks",
        120,
        "🍋",
        true,
        false,
        90,
        "Tangy homemade lemonade",
    ),
    (
        "Mango Tango",
        "Drinks",
        160,
        "🥭",
        true,
        true,
        180,
        "Tropical mango smoothie",
    ),
    (
        "French Fries",
        "Snacks",
        120,
        "🍟",
        true,
        false,
        320,
        "Crispy golden fries",
    ),
    (
        "Loaded Nachos",
        "Snacks",
        220,
        "🌮",
        true,
        true,
        480,
        "Cheese salsa loaded nachos",
    ),
    (
        "Chicken Wings",
        "Snacks",
        280,
        "🍗",
        false,
        false,
        420,
        "Spicy buffalo wings",
    ),
    (
        "Paneer Tikka",
        "Snacks",
        260,
        "🧀",
        true,
        false,
        280,
        "Grilled cottage cheese",
    ),
    (
        "Butter Chicken",
        "Mains",
        380,
        "🍛",
        false,
        true,
        490,
        "Creamy tomato chicken curry",
    ),
    (
        "Paneer Butter Masala",
        "Mains",
        340,
        "🧀",
        true,
        false,
        420,
        "Rich paneer in butter gravy",
    ),
    (
        "Veg Biryani",
        "Mains",
        280,
        "🍚",
        true,
        false,
        380,
        "Aromatic spiced rice",
    ),
    (
        "Chicken Biryani",
        "Mains",
        350,
        "🍗",
        false,
        true,
        520,
        "Hyderabadi dum biryani",
    ),
];

const TABLES: [(i64, i64, &str); 12] = [
    (1, 2, "Window"),
    (2, 2, "Window"),
    (3, 4, "Main Hall"),
    (4, 4, "Main Hall"),
    (5, 4, "Main Hall"),
    (6, 4, "Main Hall"),
    (7, 6, "Main Hall"),
    (8, 6, "Main Hall"),
    (9, 4, "Terrace"),
    (10, 4, "Terrace"),
    (11, 6, "Terrace"),
    (12, 8, "Private Room"),
];

/// Allergens a guest would expect to see on a few of the seed's dishes (the seed had none).
fn allergens_of(name: &str) -> &'static str {
    match name {
        "Caramel Macchiato" | "Iced Latte" | "Cappuccino" | "Mocha Frappe" => "dairy",
        "Classic Smash Burger" | "Cheese Overload" | "Chicken Zinger" | "Veggie Supreme" => {
            "gluten,dairy,egg,sesame"
        }
        "Margherita" | "Pepperoni Feast" | "BBQ Chicken" | "Veggie Delight" => "gluten,dairy",
        "Molten Brownie" | "NY Cheesecake" => "gluten,dairy,egg",
        "Gelato Trio" => "dairy,nuts",
        "Paneer Tikka" | "Paneer Butter Masala" | "Butter Chicken" => "dairy",
        "Loaded Nachos" => "dairy",
        _ => "",
    }
}

pub fn load(conn: &mut AnyConnection, config: &crate::Config) -> Result<usize, AppError> {
    let branch: Option<i64> = branches::table
        .filter(branches::code.eq("CAFE"))
        .select(branches::id)
        .first(conn)
        .optional()?;
    let Some(branch) = branch else { return Ok(0) };
    let existing: i64 = menu_items::table
        .filter(menu_items::branch_id.eq(branch))
        .count()
        .get_result(conn)?;
    let tables_there: i64 = cafe_tables::table
        .filter(cafe_tables::branch_id.eq(branch))
        .count()
        .get_result(conn)?;
    if existing > 0 || tables_there > 0 {
        return Ok(0);
    }
    let actor = Actor::system();
    let mut added = 0;
    for (n, (name, category, price, emoji, veg, trending, calories, description)) in
        MENU.iter().enumerate()
    {
        let category_id: i64 = menu_categories::table
            .filter(menu_categories::name.eq(category))
            .select(menu_categories::id)
            .first(conn)?;
        let input = MenuItemInput {
            name: name.to_string(),
            category_id,
            price: Money(price * 100),
            description: description.to_string(),
            emoji: emoji.to_string(),
            is_veg: *veg,
            calories: Some(*calories),
            allergens: allergens_of(name).to_string(),
            allergens_other: String::new(),
            serving_size: String::new(),
            prep_minutes: 10,
            sort_order: n as i64,
            trending: *trending,
            in_stock: true,
        };
        menu::create(conn, &actor, branch, &input)?;
        added += 1;
    }
    for (number, capacity, location) in TABLES {
        let input = TableInput {
            number,
            capacity,
            location: location.to_string(),
            status: TableStatus::Available,
        };
        tables::create(conn, &actor, branch, &input)?;
        added += 1;
    }
    for (k, v) in [
        ("cafe.name", "SK Cafe"),
        ("cafe.address", "1 Rizal Avenue, Manila (ground floor)"),
        ("cafe.phone", "+63 2 8123 4568"),
        // A Philippine business: VAT and a TIN, no UPI (that is India's).
        ("cafe.gst_number", "123-456-789-00002"),
        ("cafe.tax_name", "VAT"),
        ("cafe.tax_id_label", "TIN"),
        ("cafe.bill_footer", "Thank you for visiting SK Cafe!"),
    ] {
        settings::set(conn, &actor, k, v)?;
    }
    // The counter's register, so a waiter can open a shift and take bills into it.
    crate::registers::model::create(
        conn,
        &actor,
        &crate::registers::model::RegisterInput {
            branch_id: branch,
            name: "Cafe counter".into(),
            ..Default::default()
        },
        crate::platform::clock::BusinessClock::now_utc(),
    )?;
    added += 1;
    added += bookings(conn, config, branch)?;
    added += history(conn, config, branch)?;
    // After the history (whose orders name no options): from now on coffees ask for them,
    // and the bar makes the drinks on its own board.
    added += modifiers(conn, branch)?;
    let drinks: Vec<i64> = menu_categories::table
        .filter(menu_categories::name.eq_any(["Coffee", "Drinks"]))
        .select(menu_categories::id)
        .load(conn)?;
    crate::cafe::stations::model::create(
        conn,
        &actor,
        branch,
        &crate::cafe::stations::rules::StationInput {
            code: "bar".into(),
            name: "Bar".into(),
            late_minutes: 8,
            categories: drinks,
        },
        crate::platform::clock::BusinessClock::now_utc(),
    )?;
    added += 1;
    // A welcome code for trying promo codes on a bill.
    crate::cafe::discounts::model::create(
        conn,
        &actor,
        &crate::cafe::discounts::rules::CodeInput {
            code: "WELCOME10".into(),
            description: "10 % off a first visit of 300.00 or more".into(),
            kind: crate::cafe::discounts::rules::Kind::Percent(1000),
            valid_from: None,
            valid_to: None,
            min_order: Money(30_000),
            max_uses: Some(500),
        },
    )?;
    added += 1;
    Ok(added)
}

/// The coffees' Size (exactly one), Milk (at most one, oat milk extra) and Extras (up to three).
fn modifiers(conn: &mut AnyConnection, branch: i64) -> Result<usize, AppError> {
    use crate::cafe::modifiers::{model, rules};
    let actor = Actor::system();
    let now = crate::platform::clock::BusinessClock::now_utc();
    type Group = (&'static str, i64, i64, &'static [(&'static str, i64)]);
    let groups: [Group; 3] = [
        (
            "Size",
            1,
            1,
            &[("Small", 0), ("Regular", 20), ("Large", 40)],
        ),
        ("Milk", 0, 1, &[("Whole milk", 0), ("Oat milk", 30)]),
        (
            "Extras",
            0,
            3,
            &[
                ("Extra shot", 40),
                ("Whipped cream", 15),
                ("Caramel syrup", 20),
            ],
        ),
    ];
    let mut ids = Vec::new();
    for (name, min, max, options) in groups {
        let input = rules::GroupInput {
            name: name.into(),
            min,
            max,
        };
        let id = model::create_group(conn, &actor, &input, now)?;
        for (n, (option, delta)) in options.iter().enumerate() {
            let o = rules::OptionInput {
                name: option.to_string(),
                delta: Money(delta * 100),
                sort_order: n as i64,
            };
            model::add_option(conn, &actor, id, &o, now)?;
        }
        ids.push(id);
    }
    let coffees: Vec<(i64, String)> = menu_items::table
        .filter(menu_items::branch_id.eq(branch))
        .filter(menu_items::name.eq_any(["Latte", "Cappuccino", "Iced Latte", "Caramel Macchiato"]))
        .select((menu_items::id, menu_items::name))
        .load(conn)?;
    for (item, _) in &coffees {
        model::set_item_groups(conn, &actor, *item, &ids, now)?;
    }
    Ok(ids.len() + coffees.len())
}

/// Four weeks of past takeaway bills, and today's so far (8–16 a day between 08:00 and 21:00, one to three dishes
/// each), ordered, cooked and paid through the same functions as real ones, so that the stats
/// page and the SQL views have something to show. Deterministic: the same demo every time.
fn history(
    conn: &mut AnyConnection,
    config: &crate::Config,
    branch: i64,
) -> Result<usize, AppError> {
    use crate::cafe::floor::model::{open_takeaway, TakeawayInput};
    use crate::cafe::ordering::{add_lines, OrderLine, OrderRequest, Placer};
    use crate::cafe::sales::{self, PaymentMethod};
    let clock = crate::platform::clock::BusinessClock::new(config.tz);
    let cafe = crate::cafe::settings::load(conn, config)?;
    let actor = Actor::system();
    let items: Vec<i64> = menu_items::table
        .filter(menu_items::branch_id.eq(branch))
        .order(menu_items::sort_order.asc())
        .select(menu_items::id)
        .load(conn)?;
    if items.is_empty() {
        return Ok(0);
    }
    let mut seed: u64 = 20_261_122;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let today = clock.today();
    let now = crate::platform::clock::BusinessClock::now_utc();
    let mut bills = 0;
    // Today too, up to now: the stats and the dashboard open on a day already under way.
    for back in (0..=28).rev() {
        let day = today - chrono::Duration::days(back);
        let count = 8 + next(9);
        for b in 0..count {
            let minute = 8 * 60 + (b * 13 * 60 / count) + next(40);
            let local = day
                .and_hms_opt((minute / 60) as u32, (minute % 60) as u32, 0)
                .expect("a time");
            let opened = clock.local_to_utc(local);
            let closed = opened + chrono::Duration::minutes(25 + next(30) as i64);
            if closed >= now {
                continue;
            }
            let session = open_takeaway(
                conn,
                &actor,
                branch,
                &TakeawayInput {
                    kind: "takeaway",
                    name: format!("Walk-in {}", b + 1),
                    phone: String::new(),
                    address: String::new(),
                },
                opened,
            )?;
            let head = crate::cafe::tab::session(conn, session)?;
            // Popular dishes come up more often: the first third of the menu twice as likely.
            let lines = (0..=next(3))
                .map(|_| {
                    let pick = if next(3) < 2 {
                        next((items.len() as u64 / 3).max(1))
                    } else {
                        next(items.len() as u64)
                    };
                    OrderLine {
                        menu_item_id: items[pick as usize],
                        quantity: 1 + next(2) as i64,
                        notes: String::new(),
                        options: Vec::new(),
                        hold: false,
                        seat: None,
                    }
                })
                .collect();
            let placed = add_lines(
                conn,
                &head,
                &Placer::Staff(actor.clone()),
                &OrderRequest {
                    lines,
                    notes: String::new(),
                    key: None,
                },
                opened,
            )?;
            crate::cafe::kitchen::model::complete_many(conn, &actor, branch, &[placed.ticket_id])?;
            let method = [PaymentMethod::Cash, PaymentMethod::Card][next(2) as usize];
            sales::close(
                conn,
                &actor,
                session,
                &sales::BillPayment::whole(method),
                cafe.tax_rate_bp,
                closed,
                day,
                &cafe.money_prefix(),
            )?;
            bills += 1;
        }
    }
    Ok(bills)
}

/// Tomorrow's bookings: a family at lunch (confirmed by staff) and a couple's evening request
/// from the public form (waiting for a call back).
fn bookings(
    conn: &mut AnyConnection,
    config: &crate::Config,
    branch: i64,
) -> Result<usize, AppError> {
    use crate::cafe::reservations::model::{self as reservations, Source};
    use crate::cafe::reservations::rules::ReservationInput;
    let clock = crate::platform::clock::BusinessClock::new(config.tz);
    let cafe = crate::cafe::settings::load(conn, config)?;
    let Some(day) = clock.today().succ_opt() else {
        return Ok(0);
    };
    let tables: Vec<(i64, i64)> = cafe_tables::table
        .filter(cafe_tables::branch_id.eq(branch))
        .order(cafe_tables::number.asc())
        .select((cafe_tables::id, cafe_tables::capacity))
        .load(conn)?;
    let mut added = 0;
    for (name, phone, party, hour, source, notes) in [
        (
            "Reyes family",
            "0917 555 0123",
            4,
            12,
            Source::Staff,
            "High chair, please",
        ),
        (
            "Mia & Paolo",
            "0918 555 0456",
            2,
            19,
            Source::Guest,
            "Anniversary",
        ),
    ] {
        let Some((table, _)) = tables.iter().find(|(_, seats)| *seats >= party) else {
            continue;
        };
        let input = ReservationInput {
            table_id: *table,
            customer_name: name.into(),
            customer_phone: phone.into(),
            party_size: party,
            date: day,
            time: chrono::NaiveTime::from_hms_opt(hour, 0, 0).expect("a time"),
            minutes: cafe.reservation_minutes,
            notes: notes.into(),
        };
        reservations::create(
            conn,
            &Actor::system(),
            branch,
            &input,
            source,
            None,
            &clock,
            &cafe,
        )?;
        added += 1;
    }
    Ok(added)
}
