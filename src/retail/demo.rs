//! Demo retail data: a gadget catalogue with valid EAN-13 barcodes, stock in the two shops,
//! serials for phones and laptops, a few customers and ~200 past sales over the last 90 days.
//! Every sale goes through the real checkout, then is dated back; loading twice adds nothing.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::platform::audit::Actor;
use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, employees, official_receipts, orders, payments, products, suppliers,
};
use crate::retail::barcode::ean13;
use crate::retail::catalog::categories;
use crate::retail::catalog::products::model as catalog;
use crate::retail::catalog::products::rules::ProductInput;
use crate::retail::catalog::suppliers::{self as supplier_model, SupplierInput};
use crate::retail::customers::CustomerInput;
use crate::retail::pos::cart::{Cart, CartLine, ProductRef, Tender};
use crate::retail::pos::checkout;
use crate::retail::stock::model as stock;
use crate::retail::stock::rules::{Adjustment, AdjustmentKind};

/// (name, category, price in pesos, serial-tracked)
const CATALOGUE: [(&str, &str, i64, bool); 40] = [
    ("iPhone 15 128GB", "iPhone", 54_990, true),
    ("iPhone 15 Pro 256GB", "iPhone", 76_990, true),
    ("iPhone 14 128GB", "iPhone", 44_990, true),
    ("iPhone 13 128GB", "iPhone", 36_990, true),
    ("iPhone SE 64GB", "iPhone", 25_990, true),
    ("Samsung Galaxy S24 256GB", "Android", 56_990, true),
    ("Samsung Galaxy A55 128GB", "Android", 23_990, true),
    ("Samsung Galaxy A15 128GB", "Android", 10_490, true),
    ("Xiaomi Redmi Note 13 256GB", "Android", 12_999, true),
    ("Xiaomi 14T 512GB", "Android", 29_999, true),
    ("OPPO Reno 11 256GB", "Android", 22_999, true),
    ("vivo Y28 128GB", "Android", 9_999, true),
    ("realme C67 128GB", "Android", 8_499, true),
    ("Google Pixel 8 128GB", "Android", 39_990, true),
    ("MacBook Air 13 M3 256GB", "Laptop", 69_990, true),
    ("MacBook Pro 14 M3 512GB", "Laptop", 109_990, true),
    ("Lenovo IdeaPad Slim 3 i5", "Laptop", 36_995, true),
    ("ASUS Vivobook 15 Ryzen 5", "Laptop", 33_995, true),
    ("Acer Aspire 5 i5", "Laptop", 34_999, true),
    ("HP Pavilion 14 i7", "Laptop", 52_999, true),
    ("Dell Inspiron 15 i5", "Laptop", 41_990, true),
    ("Epson EcoTank L3210", "Printer", 8_995, false),
    ("Canon PIXMA G3010", "Printer", 9_495, false),
    ("Brother DCP-T420W", "Printer", 9_990, false),
    ("HP Smart Tank 580", "Printer", 10_490, false),
    ("USB-C Cable 1m", "Accessory", 299, false),
    ("USB-C to Lightning Cable 1m", "Accessory", 699, false),
    ("20W USB-C Charger", "Accessory", 990, false),
    ("65W GaN Charger", "Accessory", 2_490, false),
    ("Tempered Glass Screen Protector", "Accessory", 199, false),
    ("Clear Phone Case", "Accessory", 349, false),
    ("10000mAh Power Bank", "Accessory", 1_299, false),
    ("Wireless Earbuds", "Accessory", 1_999, false),
    ("Bluetooth Speaker", "Accessory", 2_299, false),
    ("Wireless Mouse", "Accessory", 599, false),
    ("Mechanical Keyboard", "Accessory", 2_999, false),
    ("Laptop Backpack 15.6in", "Accessory", 1_499, false),
    ("64GB microSD Card", "Accessory", 499, false),
    ("128GB USB Flash Drive", "Accessory", 799, false),
    ("Smartwatch Band", "Accessory", 399, false),
];

const CUSTOMERS: [(&str, &str, &str); 8] = [
    ("Ana Reyes", "0917 123 4567", "ana.reyes@example.com"),
    ("Mark Villanueva", "0918 234 5678", ""),
    ("Joy Mendoza", "0919 345 6789", "joy.m@example.com"),
    ("Carlo Dizon", "0920 456 7890", ""),
    ("Bea Santiago", "0921 567 8901", "bea.s@example.com"),
    ("Paolo Ramos", "0922 678 9012", ""),
    ("Liza Navarro", "0923 789 0123", "liza.n@example.com"),
    ("Rico Fernandez", "0924 890 1234", ""),
];

/// A small deterministic generator: the demo is the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn barcode_of(i: usize) -> String {
    ean13(480_100_000_000 + i as u64)
}

fn serial_of(product: usize, branch: &str, n: usize) -> String {
    format!("SN{product:02}{branch}{n:04}")
}

/// Loads the demo retail data once. Returns how many sales were recorded.
pub fn load(conn: &mut AnyConnection) -> Result<usize, AppError> {
    let exists: i64 = products::table
        .filter(products::barcode.eq(barcode_of(0)))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(0);
    }
    let manager: i64 = employees::table
        .filter(employees::username.eq("manager"))
        .select(employees::id)
        .first(conn)?;
    let agent: i64 = employees::table
        .filter(employees::username.eq("agent"))
        .select(employees::id)
        .first(conn)?;
    let admin = Actor {
        employee_id: Some(manager),
        ip: None,
    };
    let today = BusinessClock::now_utc().date();
    let supplier_names = [
        ("Gadget Hub Inc.", "Carlo Tan"),
        ("Manila Mobile Distributors", "Grace Lim"),
        ("PrintWorld Supply", "Ramon Cruz"),
    ];
    let mut supplier_ids = Vec::new();
    for (i, (name, person)) in supplier_names.iter().enumerate() {
        let existing: Option<i64> = suppliers::table
            .filter(suppliers::name.eq(*name))
            .select(suppliers::id)
            .first(conn)
            .optional()?;
        let id = match existing {
            Some(id) => id,
            None => supplier_model::create(
                conn,
                &admin,
                &SupplierInput {
                    name: name.to_string(),
                    contact_person: person.to_string(),
                    phone: format!("+63 2 8555 01{i:02}"),
                    email: String::new(),
                    contract_start: today - Duration::days(400),
                    contract_expiry: today + Duration::days(330 + 30 * i as i64),
                    status: if i == 1 {
                        "Renewed".into()
                    } else {
                        "Active".into()
                    },
                },
            )?,
        };
        supplier_ids.push(id);
    }
    let shops: Vec<(i64, String)> = branches::table
        .filter(branches::code.eq_any(["MNL", "CEB"]))
        .order(branches::code.desc())
        .select((branches::id, branches::code))
        .load(conn)?;
    // What a Philippine receipt carries: the registration here, each till's numbers below.
    for (key, value) in [
        (
            crate::registers::shifts::report::REGISTERED_NAME,
            "Galos Gadget Trading Corp.",
        ),
        (
            crate::registers::shifts::report::ADDRESS,
            "1200 Rizal Avenue, Santa Cruz, Manila",
        ),
        (crate::registers::shifts::report::TIN, "009-876-543-00000"),
        (crate::registers::shifts::report::VAT_STATUS, "VAT"),
    ] {
        crate::platform::settings::set(conn, &admin, key, value)?;
    }
    // A register per shop branch.
    let mut main_register = 0;
    for (n, (branch_id, code)) in shops.iter().enumerate() {
        let id = crate::registers::model::create(
            conn,
            &admin,
            &crate::registers::model::RegisterInput {
                branch_id: *branch_id,
                name: format!("{code} Till 1"),
                machine_id: format!("2611220{n}4518339{n}"),
                serial_number: format!("GLX-POS-00{}", n + 1),
                permit_number: format!("FP112026-043-0{n}58217-0000{n}"),
            },
            BusinessClock::now_utc(),
        )?;
        if code == "MNL" {
            main_register = id;
        }
    }
    let mut product_ids = Vec::new();
    for (i, (name, category, pesos, serial_tracked)) in CATALOGUE.iter().enumerate() {
        let category_id = categories::id_by_name(conn, category)?
            .ok_or_else(|| AppError::Internal(format!("category {category} missing")))?;
        let price = Money(pesos * 100);
        let input = ProductInput {
            name: name.to_string(),
            sku: Some(format!("GX-{i:03}")),
            barcode: barcode_of(i),
            category_id,
            supplier_id: Some(supplier_ids[if *category == "Printer" { 2 } else { i % 2 }]),
            price,
            // One accessory on discount, so the list and the export show how it looks.
            regular_price: (*category == "Accessory" && i % 3 == 0)
                .then(|| Money(price.0 + price.0 / 10)),
            cost: Money(price.0 * 82 / 100),
            min_stock: if *serial_tracked { 2 } else { 5 },
            serial_tracked: *serial_tracked,
            description: String::new(),
        };
        let id = catalog::create(conn, &admin, &input)?;
        for (branch_id, code) in &shops {
            let units = if *serial_tracked {
                4 + (i % 5) as i64
            } else {
                40 + (i % 4) as i64 * 10
            };
            // A few items start low or out, so the stock page has something to warn about.
            let units = match (i % 13, code.as_str()) {
                (3, "CEB") => 0,
                (7, _) => 2,
                _ => units,
            };
            if units == 0 {
                continue;
            }
            let serials = if *serial_tracked {
                (0..units as usize).map(|n| serial_of(i, code, n)).collect()
            } else {
                vec![]
            };
            let a = Adjustment {
                branch_id: *branch_id,
                kind: AdjustmentKind::Receive,
                quantity: units,
                reason: "Opening stock".into(),
                serials,
            };
            stock::adjust(conn, &admin, id, &a)?;
        }
        product_ids.push((id, *serial_tracked, price));
    }
    diesel::update(employees::table.find(agent))
        .set(employees::commission_rate_bp.eq(500i64))
        .execute(conn)?;

    // Past sales by the demo sales agent at the main branch, oldest first so OR numbers follow time.
    let seller = Actor {
        employee_id: Some(agent),
        ip: None,
    };
    let mut dice = Dice(20_261_122);
    let mut sold_serials: Vec<usize> = vec![0; CATALOGUE.len()];
    let start = BusinessClock::now_utc() - Duration::days(90);
    let mut when: Vec<NaiveDateTime> = (0..240)
        .map(|_| start + Duration::minutes(dice.below(89 * 24 * 60) as i64))
        .collect();
    when.sort();
    let mut sales = 0;
    let mut shifts = DemoShifts::new(main_register);
    for (n, at) in when.into_iter().enumerate() {
        if sales == 200 {
            break;
        }
        shifts.serve(conn, &seller, at)?;
        let mut lines = Vec::new();
        let mut total = 0i64;
        for _ in 0..(1 + dice.below(3)) {
            let i = if dice.below(4) == 0 {
                dice.below(25) as usize
            } else {
                25 + dice.below(15) as usize
            };
            let (id, serial_tracked, price) = product_ids[i];
            if lines
                .iter()
                .any(|l: &CartLine| l.product == ProductRef::Id(id))
            {
                continue;
            }
            let serials = if serial_tracked {
                let units = 4 + (i % 5);
                if sold_serials[i] + 1 >= units {
                    continue; // keep at least one in stock for trying the till
                }
                sold_serials[i] += 1;
                vec![serial_of(i, "MNL", sold_serials[i] - 1)]
            } else {
                vec![]
            };
            let quantity = if serial_tracked {
                1
            } else {
                1 + dice.below(2) as i64
            };
            total += price.0 * quantity;
            lines.push(CartLine {
                product: ProductRef::Id(id),
                quantity,
                serials,
            });
        }
        if lines.is_empty() {
            continue;
        }
        let cash = Money(
            ((total + 99_999) / 100_000) * 100_000 + if dice.below(3) == 0 { 100_000 } else { 0 },
        );
        let customer = (dice.below(3) == 0).then(|| {
            let (name, phone, email) = CUSTOMERS[dice.below(CUSTOMERS.len() as u64) as usize];
            CustomerInput {
                name: name.into(),
                phone: phone.into(),
                email: email.into(),
                address: String::new(),
            }
        });
        let cart = Cart {
            idempotency_key: format!("demo-sale-{n:05}"),
            lines,
            tender: Tender::Cash { received: cash },
            customer,
        };
        // Each sale in its own savepoint: a refused one must leave nothing behind.
        let done = match conn
            .transaction(|c| checkout::checkout(c, &seller, &cart, BusinessClock::now_utc().date()))
        {
            Ok(d) => d,
            // Stock ran out for this combination: a real till would have refused it too.
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        diesel::update(orders::table.find(done.order_id))
            .set(orders::created_at.eq(at))
            .execute(conn)?;
        diesel::update(payments::table.filter(payments::order_id.eq(done.order_id)))
            .set(payments::paid_at.eq(at))
            .execute(conn)?;
        diesel::update(
            official_receipts::table.filter(official_receipts::order_id.eq(done.order_id)),
        )
        .set((
            official_receipts::issued_at.eq(at),
            official_receipts::print_count.eq(1i64),
        ))
        .execute(conn)?;
        sales += 1;
    }
    shifts.last(conn, &seller)?;
    sales += demo_installments(conn, &seller, &product_ids, &mut shifts)?;
    shifts.close(conn, &seller, None)?;
    Ok(sales)
}

/// The demo seller's shifts: one per day with sales, opened with a counted float a quarter of
/// an hour before the first sale and closed, counted as expected, after the last; the latest
/// has a bank drop and a drawer 50.00 short, explained.
struct DemoShifts {
    register: i64,
    /// The open shift, its day and the time of its last sale.
    open: Option<(i64, chrono::NaiveDate, NaiveDateTime)>,
    opened: usize,
}

impl DemoShifts {
    fn new(register: i64) -> DemoShifts {
        DemoShifts {
            register,
            open: None,
            opened: 0,
        }
    }

    /// Makes sure a shift of `at`'s day is open for the seller.
    fn serve(
        &mut self,
        conn: &mut AnyConnection,
        seller: &Actor,
        at: NaiveDateTime,
    ) -> Result<(), AppError> {
        use crate::registers::shifts::{model, rules::Count};
        if let Some((id, day, _)) = self.open {
            if day == at.date() {
                self.open = Some((id, day, at));
                return Ok(());
            }
            self.close(conn, seller, None)?;
        }
        // 1 × 1000, 1 × 500, 5 × 100.
        let float = Count {
            pieces: vec![(Money(100_000), 1), (Money(50_000), 1), (Money(10_000), 5)],
            total: Money(200_000),
        };
        self.opened += 1;
        let key = format!("demo-shift-{:04}", self.opened);
        let id = conn.transaction(|c| {
            model::open(
                c,
                seller,
                &model::NewShift {
                    register_id: self.register,
                    float: &float,
                    key: &key,
                },
                at - Duration::minutes(15),
                at.date(),
            )
        })?;
        self.open = Some((id, at.date(), at));
        Ok(())
    }

    /// Closes the open shift after its last sale: counted as expected, or `short` of it with a
    /// note.
    fn close(
        &mut self,
        conn: &mut AnyConnection,
        seller: &Actor,
        short: Option<(Money, &str)>,
    ) -> Result<(), AppError> {
        use crate::registers::shifts::{model, rules::Count};
        let Some((id, _, last)) = self.open.take() else {
            return Ok(());
        };
        conn.transaction(|c| {
            let shift = model::find(c, id)?;
            let expected = model::figures(c, &shift)?.flow.expected();
            let (less, note) = short.unwrap_or((Money::ZERO, ""));
            let counted = Count {
                pieces: Vec::new(),
                total: Money(expected.0 - less.0),
            };
            model::close(
                c,
                seller,
                &model::Closing {
                    shift_id: id,
                    counted: &counted,
                    note,
                    threshold: Money::ZERO,
                },
                last + Duration::minutes(10),
            )
        })?;
        Ok(())
    }

    /// The latest shift: a bank drop during the day, a drawer 50.00 short at the close.
    fn last(&mut self, conn: &mut AnyConnection, seller: &Actor) -> Result<(), AppError> {
        use crate::registers::shifts::{model, rules::Movement};
        let Some((id, _, last)) = self.open else {
            return Ok(());
        };
        conn.transaction(|c| {
            // A customer brings back the shift's last sale's first item: a credit note, the
            // unit back on the shelf, the cash out of this drawer.
            use crate::platform::schema::{order_items, product_serials};
            use crate::retail::refunds::{model as refunds, rules as refund_rules};
            let returned: Option<(i64, i64)> = orders::table
                .inner_join(order_items::table)
                .filter(orders::shift_id.eq(id))
                .order((orders::id.desc(), order_items::id.asc()))
                .select((orders::id, order_items::id))
                .first(c)
                .optional()?;
            if let Some((order, item)) = returned {
                let serials: Vec<String> = product_serials::table
                    .filter(product_serials::order_item_id.eq(item))
                    .select(product_serials::serial)
                    .limit(1)
                    .load(c)?;
                refunds::refund(
                    c,
                    &refunds::Refunder {
                        actor: seller,
                        is_manager: true,
                        today: last.date(),
                        now: last,
                    },
                    order,
                    &refund_rules::RefundRequest {
                        lines: vec![refund_rules::ReturnLine {
                            item_id: item,
                            quantity: 1,
                            serials,
                        }],
                        reason: "Wrong colour: the customer brought it back unopened".into(),
                        restock: true,
                        refund_to: refund_rules::RefundTo::Original,
                        key: "demo-refund-0001".into(),
                    },
                )?;
            }
            let shift = model::find(c, id)?;
            let held = model::figures(c, &shift)?.flow.expected();
            if held.0 > 300_000 {
                model::move_cash(
                    c,
                    seller,
                    &model::NewMovement {
                        shift_id: id,
                        kind: Movement::Out,
                        amount: Money((held.0 - 200_000) / 100_000 * 100_000),
                        reason: "Bank drop to BDO",
                        key: "demo-bank-drop",
                    },
                    last,
                )?;
            }
            Ok::<_, AppError>(())
        })?;
        self.close(
            conn,
            seller,
            Some((
                Money(5_000),
                "Gave 50.00 too much change on a 1,000 note; told the manager.",
            )),
        )
    }
}

/// Three instalment sales of accessories for the credit officer's screens: one waiting for
/// approval, one approved with a first payment, one approved 40 days ago and now overdue.
fn demo_installments(
    conn: &mut AnyConnection,
    seller: &Actor,
    product_ids: &[(i64, bool, Money)],
    shifts: &mut DemoShifts,
) -> Result<usize, AppError> {
    use crate::retail::installments::model::{self as plans, NewPayment, PaymentMethod};
    let credit: Option<i64> = employees::table
        .filter(employees::username.eq("credit"))
        .select(employees::id)
        .first(conn)
        .optional()?;
    let Some(credit) = credit else {
        return Ok(0);
    };
    let officer = Actor {
        employee_id: Some(credit),
        ip: None,
    };
    let today = BusinessClock::now_utc().date();
    let mut made = 0;
    for (n, (days_ago, approve, pay)) in [(40i64, true, false), (12, true, true), (1, false, false)]
        .into_iter()
        .enumerate()
    {
        let (id, _, _) = product_ids[30 + n];
        let (name, phone, email) = CUSTOMERS[n + 2];
        let cart = Cart {
            idempotency_key: format!("demo-plan-{n:03}"),
            lines: vec![CartLine {
                product: ProductRef::Id(id),
                quantity: 2,
                serials: vec![],
            }],
            tender: Tender::Installment {
                term_months: 6,
                down_payment: Money(50_000),
            },
            customer: Some(CustomerInput {
                name: name.into(),
                phone: phone.into(),
                email: email.into(),
                address: String::new(),
            }),
        };
        let sold_on = today - Duration::days(days_ago);
        let at = BusinessClock::now_utc() - Duration::days(days_ago);
        shifts.serve(conn, seller, at)?;
        let done = match conn.transaction(|c| checkout::checkout(c, seller, &cart, sold_on)) {
            Ok(d) => d,
            Err(AppError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        diesel::update(orders::table.find(done.order_id))
            .set(orders::created_at.eq(at))
            .execute(conn)?;
        let Some(plan) = done.plan_id else { continue };
        if approve {
            conn.transaction(|c| plans::decide(c, &officer, plan, true, "Payslip and ID seen"))?;
        }
        if pay {
            conn.transaction(|c| {
                plans::record_payment(
                    c,
                    &officer,
                    &NewPayment {
                        plan_id: plan,
                        amount: Money(20_000),
                        method: PaymentMethod::Cash,
                        key: "demo-payment-001",
                    },
                )
            })?;
        }
        made += 1;
    }
    Ok(made)
}
