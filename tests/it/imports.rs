//! Catalogue imports: preview first (every problem with its line and column, nothing written),
//! apply in one transaction with audit rows, idempotent re-apply, CSV and XLSX alike, the
//! export's round trip, opening stock through the ledger, menu and customers, bounds on files.

use diesel::prelude::*;
use tillpoint::platform::schema::{
    customers, imports, menu_items, product_categories, product_serials, products, stock_movements,
};
use tillpoint::retail::barcode::ean13;

use crate::helpers::*;

fn code(n: u64) -> String {
    ean13(480_650_000_000 + n)
}

fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// A product row of `PRODUCT_HEADER`: a Laptop costing 1, not serial-tracked, active.
fn laptop(name: &str, sku: &str, barcode: &str, base: &str) -> Vec<String> {
    row(&[name, sku, "Laptop", barcode, "1", base, "", "", "no", "yes"])
}

const PRODUCT_HEADER: &[&str] = &[
    "Name",
    "SKU",
    "Category",
    "Barcode",
    "Cost price",
    "Base price",
    "Discount price",
    "Minimum stock",
    "Serial tracked",
    "Active",
];

/// Uploads a file for preview; answers the import's id (from the apply form) or 0.
async fn preview(
    client: &Client,
    kind: &str,
    branch: Option<i64>,
    name: &str,
    bytes: &[u8],
) -> (Resp, i64) {
    let branch = branch.map(|b| b.to_string()).unwrap_or_default();
    let r = client
        .upload_with(
            "/imports/preview",
            &[("kind", kind), ("branch_id", &branch)],
            "file",
            name,
            bytes,
        )
        .await;
    let id = r
        .body
        .split("action=\"/imports/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (r, id)
}

fn count_of(body: &str, what: &str) -> i64 {
    let marker = format!("data-count=\"{what}\">");
    let start = body.find(&marker).expect("the count is shown") + marker.len();
    body[start..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn product_count(app: &TestApp) -> i64 {
    products::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_product_file_previews_applies_once_and_again_changes_nothing() {
    let app = TestApp::new().await;
    let cable = insert_product(&mut app.conn(), "USB-C Cable", &code(50), 29_900, false);
    let manager = app.signed_in("manager").await;
    let file = csv(&[
        row(PRODUCT_HEADER),
        row(&[
            "Drone X1",
            "DR-1",
            "Drones",
            &code(1),
            "9000",
            "12,999.00",
            "",
            "2",
            "yes",
            "yes",
        ]),
        row(&[
            "Phone case",
            "PC-1",
            "Accessory",
            &code(2),
            "50",
            "199",
            "149",
            "5",
            "no",
            "yes",
        ]),
        // The test cable, matched by its barcode: a new price.
        row(&[
            "USB-C Cable",
            "",
            "Laptop",
            &code(50),
            "239.20",
            "349.00",
            "",
            "3",
            "no",
            "yes",
        ]),
    ]);
    let products_before = product_count(&app);
    let audits_before = app.audit_count();
    let (r, id) = preview(&manager, "products", None, "catalogue.csv", &file).await;
    r.expect(200).expect_text("Drones");
    assert_eq!(count_of(&r.body, "created"), 2);
    assert_eq!(count_of(&r.body, "updated"), 1);
    assert_eq!(count_of(&r.body, "problems"), 0);
    r.expect_text("Price: 299.00 → 349.00");
    assert_eq!(
        product_count(&app),
        products_before,
        "a preview writes nothing"
    );
    assert_eq!(app.audit_count(), audits_before);

    // The new category must be agreed to.
    let refused = manager.post(&format!("/imports/{id}/apply"), &[]).await;
    refused.expect(422).expect_text("Create the new categories");
    assert_eq!(product_count(&app), products_before);

    let done = manager
        .post(
            &format!("/imports/{id}/apply"),
            &[("create_categories", "1")],
        )
        .await;
    done.expect(303);
    assert_eq!(product_count(&app), products_before + 2);
    let mut c = app.conn();
    let (price, regular): (i64, Option<i64>) = products::table
        .filter(products::barcode.eq(code(2)))
        .select((products::price_minor, products::regular_price_minor))
        .first(&mut *c)
        .unwrap();
    assert_eq!(
        (price, regular),
        (14_900, Some(19_900)),
        "the till charges the discount price"
    );
    let cable_price: i64 = products::table
        .find(cable)
        .select(products::price_minor)
        .first(&mut *c)
        .unwrap();
    assert_eq!(cable_price, 34_900);
    let drones: i64 = product_categories::table
        .filter(product_categories::name.eq("Drones"))
        .count()
        .get_result(&mut *c)
        .unwrap();
    assert_eq!(drones, 1);
    drop(c);
    let rows = app.audit_rows();
    let kinds: Vec<(&str, &str)> = rows
        .iter()
        .take((app.audit_count() - audits_before) as usize)
        .map(|r| (r.0.as_str(), r.1.as_str()))
        .collect();
    assert!(kinds.contains(&("CREATE", "import")));
    assert!(kinds.contains(&("CREATE", "product_category")));
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ("CREATE", "product"))
            .count(),
        2
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ("UPDATE", "product"))
            .count(),
        1
    );
    manager
        .get(&format!("/imports/{id}"))
        .await
        .expect(200)
        .expect_text("Applied on");

    // The same import again (a double click): nothing more.
    let audits = app.audit_count();
    manager
        .post(
            &format!("/imports/{id}/apply"),
            &[("create_categories", "1")],
        )
        .await
        .expect(303);
    assert_eq!(app.audit_count(), audits);

    // The same file uploaded again: every row unchanged, applying writes only the import's row.
    let (r, again) = preview(&manager, "products", None, "catalogue.csv", &file).await;
    r.expect(200);
    assert_eq!(count_of(&r.body, "created"), 0);
    assert_eq!(count_of(&r.body, "updated"), 0);
    assert_eq!(count_of(&r.body, "unchanged"), 3);
    manager
        .post(&format!("/imports/{again}/apply"), &[])
        .await
        .expect(303);
    assert_eq!(product_count(&app), products_before + 2);
    assert_eq!(app.audit_count(), audits + 1);
}

#[actix_web::test]
async fn every_rejection_says_its_line_column_and_reason_and_nothing_is_written() {
    let app = TestApp::new().await;
    {
        let mut c = app.conn();
        insert_product(&mut c, "iPhone 15", &code(51), 5_499_000, true);
        insert_product(&mut c, "Phone case", &code(54), 19_900, false);
        diesel::update(products::table.filter(products::barcode.eq(code(51))))
            .set(products::sku.eq("IP-15"))
            .execute(&mut *c)
            .unwrap();
    }
    let manager = app.signed_in("manager").await;
    let bad_check_digit = {
        let good = code(10);
        let last = good.chars().last().unwrap().to_digit(10).unwrap();
        format!("{}{}", &good[..12], (last + 1) % 10)
    };
    let mut maybe = laptop("Maybe", "Y-1", &code(17), "2");
    maybe[8] = "perhaps".into();
    let mut dear = laptop("Dear discount", "D-1", &code(18), "2");
    dear[6] = "3".into();
    let file = csv(&[
        row(PRODUCT_HEADER),
        laptop("Good one", "G-1", &code(11), "2"),
        laptop("Bad digit", "B-1", &bad_check_digit, "2"),
        laptop("Twin A", "TW", &code(12), "2"),
        laptop("Twin B", "TW", &code(13), "2"),
        laptop("Negative", "N-1", &code(14), "-5"),
        laptop("Malformed", "M-1", &code(15), "12.3.4"),
        // The SKU is the iPhone's, the barcode the case's: which product is it?
        laptop("Taken SKU", "IP-15", &code(54), "2"),
        maybe,
        dear,
        laptop("", "E-1", &code(19), "2"),
        laptop("Same code", "S-1", &code(11), "2"),
        laptop("Excel", "X-1", "4.80651E+12", "2"),
    ]);
    let before = product_count(&app);
    let (r, id) = preview(&manager, "products", None, "bad.csv", &file).await;
    r.expect(200);
    assert_eq!(id, 0, "no apply form while rows have problems");
    let listed: Vec<&str> = r
        .body
        .split("<tr class=\"warn\">")
        .skip(1)
        .map(|s| s.split("</tr>").next().unwrap())
        .collect();
    assert_eq!(count_of(&r.body, "problems"), 10, "{listed:#?}");
    let problems = r.body.split("id=\"problems\"").nth(1).unwrap();
    for (line, column, reason) in [
        (3, "Barcode", "check digit"),
        (5, "SKU", "The SKU TW is also on line 4"),
        (6, "Base price", "Base price"),
        (7, "Base price", "Base price"),
        (8, "Barcode", "already belongs to Phone case"),
        (9, "Serial tracked", "Write yes or no"),
        (10, "Discount price", "must be below the base price"),
        (11, "Name", "Name"),
        (12, "Barcode", "also on line 2"),
        (13, "Barcode", "a spreadsheet shortened"),
    ] {
        let cell = format!(
            "<td data-label=\"Line\" class=\"right\">{line}</td><td data-label=\"Column\">{column}</td><td data-label=\"Problem\">"
        );
        let at = problems
            .find(&cell)
            .unwrap_or_else(|| panic!("line {line} column {column} is listed"));
        let reason_cell = &problems[at + cell.len()..];
        let shown = reason_cell.split("</td>").next().unwrap();
        assert!(
            shown.contains(reason),
            "line {line}: {shown:?} should say {reason:?}"
        );
    }
    assert_eq!(product_count(&app), before);
    // Applying the stored file anyway is refused whole.
    let stored: i64 = imports::table
        .select(imports::id)
        .order(imports::id.desc())
        .first(&mut *app.conn())
        .unwrap();
    manager
        .post(&format!("/imports/{stored}/apply"), &[])
        .await
        .expect(409)
        .expect_text("cannot be imported");
    assert_eq!(product_count(&app), before);
}

#[actix_web::test]
async fn csv_semicolons_bom_and_xlsx_of_the_same_data_give_the_same_preview() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let rows = vec![
        row(&[
            "product_name",
            "sku",
            "category",
            "barcode",
            "cost_price",
            "base_price",
            "min_stock_level",
            "is_active",
            "requires_prescription",
        ]),
        row(&[
            "Laptop stand",
            "LS-1",
            "Accessory",
            &code(20),
            "400",
            "799.5",
            "4",
            "yes",
            "no",
        ]),
        row(&[
            "Mouse",
            "MS-1",
            "Accessory",
            &code(21),
            "150",
            "299",
            "10",
            "yes",
            "no",
        ]),
        row(&[
            "Broken",
            "BR-1",
            "Accessory",
            "4806500000222",
            "1",
            "2",
            "1",
            "yes",
            "no",
        ]),
    ];
    let with_commas = csv(&rows);
    let mut with_semicolons = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).unwrap();
    }
    with_semicolons.extend(w.into_inner().unwrap());
    let workbook = xlsx(&rows);
    let mut shown = Vec::new();
    for (name, bytes) in [
        ("a.csv", &with_commas),
        ("b.csv", &with_semicolons),
        ("c.xlsx", &workbook),
    ] {
        let (r, _) = preview(&manager, "products", None, name, bytes).await;
        r.expect(200)
            .expect_text("requires_prescription")
            .expect_text("Laptop stand (");
        let body = &r.body;
        let counts = body.find("id=\"import-counts\"").unwrap();
        let problems = body.find("id=\"problems\"").unwrap();
        let end = body[problems..].find("</table>").unwrap() + problems;
        let changes = body.find("id=\"changes\"").unwrap();
        let changes_end = body[changes..].find("</table>").unwrap() + changes;
        shown.push(format!(
            "{}{}{}",
            &body[counts..counts + 600],
            &body[problems..end],
            &body[changes..changes_end]
        ));
    }
    assert_eq!(shown[0], shown[1], "semicolons and a BOM read the same");
    assert_eq!(shown[0], shown[2], "an XLSX reads the same as its CSV");
    assert!(shown[0].contains("Laptop stand ("));
    assert!(shown[0].contains("check digit is wrong"));
}

#[actix_web::test]
async fn the_export_imports_back_without_a_change() {
    let app = TestApp::new().await;
    insert_product(&mut app.conn(), "USB-C Cable", &code(52), 29_900, false);
    insert_product(&mut app.conn(), "iPhone 15", &code(53), 5_499_000, true);
    let manager = app.signed_in("manager").await;
    let file = csv(&[
        row(PRODUCT_HEADER),
        row(&[
            "Quote \"=1+1\" case",
            "Q-1",
            "Accessory",
            &code(30),
            "10",
            "20",
            "15",
            "2",
            "no",
            "yes",
        ]),
    ]);
    let (_, id) = preview(&manager, "products", None, "one.csv", &file).await;
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    let export = manager.get("/products/export.csv").await;
    export.expect(200);
    assert!(export.bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(export.body.contains("Discount price"));
    assert!(export.body.contains("15.00"));
    let (r, _) = preview(&manager, "products", None, "products.csv", &export.bytes).await;
    r.expect(200);
    assert_eq!(count_of(&r.body, "created"), 0);
    assert_eq!(count_of(&r.body, "updated"), 0);
    assert_eq!(count_of(&r.body, "problems"), 0);
    assert_eq!(count_of(&r.body, "unchanged"), 3);
    // A cell that a spreadsheet would run as a formula is written as text.
    let formula = csv(&[
        row(&["Name", "Phone", "E-mail", "Address"]),
        row(&["=HYPERLINK(\"x\")", "0917 555 0101", "", ""]),
    ]);
    let (_, id) = preview(&manager, "customers", None, "c.csv", &formula).await;
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    let out = manager.get("/customers/export.csv").await;
    out.expect(200).expect_text("'=HYPERLINK");
    let (r, _) = preview(&manager, "customers", None, "c.csv", &out.bytes).await;
    // The guard's apostrophe is part of the name when it comes back: a change, shown first.
    r.expect(200);
}

#[actix_web::test]
async fn opening_stock_arrives_once_through_the_ledger_with_serials() {
    let app = TestApp::new().await;
    let (cable, phone) = cable_and_phone(&app);
    app.receive(app.seed.main_branch, cable, 2, &[]);
    let manager = app.signed_in("manager").await;
    let file = csv(&[
        row(&["Barcode", "SKU", "Quantity", "Serials"]),
        row(&[TEST_CABLE, "", "10", ""]),
        row(&[TEST_PHONE, "", "2", "IMEI-A; IMEI-B"]),
    ]);
    let branch = app.seed.main_branch;
    // A branch is required for stock.
    let (r, _) = preview(&manager, "stock", None, "count.csv", &file).await;
    r.expect(422).expect_text("Choose the branch");
    let (r, id) = preview(&manager, "stock", Some(branch), "count.csv", &file).await;
    r.expect(200).expect_text("In stock: 2 → 12");
    assert_eq!(
        count_of(&r.body, "created"),
        1,
        "the phone's first stock: opening"
    );
    assert_eq!(
        count_of(&r.body, "updated"),
        1,
        "the cable had stock: received"
    );
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    let mut c = app.conn();
    assert_eq!(stock_of(&mut c, branch, cable), 12);
    assert_eq!(stock_of(&mut c, branch, phone), 2);
    let kinds: Vec<(i64, String, String)> = stock_movements::table
        .filter(stock_movements::document.eq(format!("Import #{id}")))
        .order(stock_movements::product_id.asc())
        .select((
            stock_movements::product_id,
            stock_movements::kind,
            stock_movements::document,
        ))
        .load(&mut *c)
        .unwrap();
    assert_eq!(
        kinds
            .iter()
            .map(|k| (k.0, k.1.as_str()))
            .collect::<Vec<_>>(),
        vec![(cable, "receive"), (phone, "opening")]
    );
    let serials: i64 = product_serials::table
        .filter(product_serials::product_id.eq(phone))
        .count()
        .get_result(&mut *c)
        .unwrap();
    assert_eq!(serials, 2);
    drop(c);
    // The stock history names it.
    manager
        .get(&format!("/products/{phone}/stock"))
        .await
        .expect(200)
        .expect_text("Opening stock");

    // The same count sheet uploaded again adds nothing, and says why.
    let (r, again) = preview(&manager, "stock", Some(branch), "count.csv", &file).await;
    r.expect(200).expect_text("already applied to this branch");
    manager
        .post(&format!("/imports/{again}/apply"), &[])
        .await
        .expect(303);
    assert_eq!(stock_of(&mut app.conn(), branch, cable), 12);

    // Serials already recorded, a wrong count of serials, unknown products: refused by line.
    let bad = csv(&[
        row(&["Barcode", "Quantity", "Serials"]),
        row(&[TEST_PHONE, "1", "IMEI-A"]),
        row(&[TEST_PHONE, "2", "IMEI-C"]),
        row(&[&code(40), "1", ""]),
        row(&[TEST_CABLE, "-1", ""]),
    ]);
    let (r, _) = preview(&manager, "stock", Some(branch), "bad.csv", &bad).await;
    r.expect(200)
        .expect_text("Serial IMEI-A of iPhone 15 is already recorded")
        .expect_text("is also on line 2")
        .expect_text("Import the products first")
        .expect_text("is not a number of units");
}

#[actix_web::test]
async fn menu_items_and_customers_import_with_their_own_rules() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let branch = app.seed.main_branch;
    let header = row(&[
        "Name",
        "Category",
        "Price",
        "Veg",
        "Calories",
        "Allergens",
        "Emoji",
        "Sort order",
        "In stock",
    ]);
    let latte = row(&[
        "Iced latte",
        "Coffee",
        "180",
        "yes",
        "150",
        "Dairy",
        "🧊",
        "1",
        "yes",
    ]);
    let mochi = row(&[
        "Mochi",
        "Sweets",
        "90",
        "yes",
        "",
        "gluten, soy",
        "",
        "2",
        "no",
    ]);
    let bad = row(&[
        "Bad",
        "Coffee",
        "abc",
        "yes",
        "",
        "Peanut butter",
        "",
        "",
        "yes",
    ]);
    let menu = csv(&[header.clone(), latte.clone(), mochi.clone(), bad]);
    let (r, _) = preview(&manager, "menu", Some(branch), "menu.csv", &menu).await;
    r.expect(200)
        .expect_text("Price: ")
        .expect_text("is not an allergen on the list");
    let fixed: Vec<u8> = csv(&[header, latte, mochi]);
    let (r, id) = preview(&manager, "menu", Some(branch), "menu.csv", &fixed).await;
    r.expect(200).expect_text("Sweets");
    manager
        .post(
            &format!("/imports/{id}/apply"),
            &[("create_categories", "1")],
        )
        .await
        .expect(303);
    let mut c = app.conn();
    let items: Vec<(String, i64, String, bool)> = menu_items::table
        .filter(menu_items::branch_id.eq(branch))
        .order(menu_items::name.asc())
        .select((
            menu_items::name,
            menu_items::price_minor,
            menu_items::allergens,
            menu_items::in_stock,
        ))
        .load(&mut *c)
        .unwrap();
    assert_eq!(
        items,
        vec![
            ("Iced latte".into(), 18_000, "dairy".into(), true),
            ("Mochi".into(), 9_000, "gluten,soy".into(), false),
        ]
    );
    drop(c);
    let exported = manager
        .get(&format!("/menu/export.csv?branch={branch}"))
        .await;
    exported.expect(200).expect_text("Gluten, Soy");
    let (r, _) = preview(&manager, "menu", Some(branch), "m.csv", &exported.bytes).await;
    assert_eq!(count_of(&r.body, "unchanged"), 2);

    let header = row(&["Name", "Phone", "E-mail", "Address"]);
    let ana = row(&[
        "Ana Santos",
        "+63 917 123 4567",
        "ana@example.com",
        "Quezon City",
    ]);
    let ben = row(&["Ben Cruz", "0919 222 3333", "", "Cebu"]);
    let people = csv(&[
        header.clone(),
        ana.clone(),
        row(&["Ana again", "0917-123-4567", "", ""]),
        row(&["No phone", "12", "", ""]),
        row(&["Bad mail", "0918 000 1111", "not-an-email", ""]),
        ben.clone(),
    ]);
    let (r, _) = preview(&manager, "customers", None, "people.csv", &people).await;
    r.expect(200)
        .expect_text("is also on line 2")
        .expect_text("Enter a phone number");
    assert_eq!(count_of(&r.body, "problems"), 3);
    let ok = csv(&[header, ana, ben]);
    let (_, id) = preview(&manager, "customers", None, "people.csv", &ok).await;
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    // The same people typed the local way: matched by phone, a changed address.
    let again = csv(&[
        row(&["Name", "Phone", "Address"]),
        row(&["Ana Santos", "+63 917 123 4567", "Makati"]),
    ]);
    let (r, id) = preview(&manager, "customers", None, "again.csv", &again).await;
    r.expect(200).expect_text("Address: Quezon City → Makati");
    assert_eq!(count_of(&r.body, "updated"), 1);
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    let stored: Vec<(String, String)> = customers::table
        .order(customers::id.asc())
        .select((customers::name, customers::address))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        stored,
        vec![
            ("Ana Santos".into(), "Makati".into()),
            ("Ben Cruz".into(), "Cebu".into())
        ]
    );
}

#[actix_web::test]
async fn bad_files_are_refused_with_a_message_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let mut huge_row = vec!["Name".to_string()];
    huge_row.extend((0..200).map(|i| format!("c{i}")));
    let wide = csv(&[huge_row]);
    let truncated = {
        let mut w = xlsx(&[row(&["Name", "Phone"]), row(&["Ana", "0917 123 4567"])]);
        w.truncate(w.len() / 2);
        w
    };
    // A sheet that unpacks to 100 MB of spaces from a few hundred KB.
    let bomb = {
        let mut xml = b"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".to_vec();
        xml.extend(std::iter::repeat_n(b' ', 100 * 1024 * 1024));
        xml.extend(b"</sheetData></worksheet>");
        workbook(&xml)
    };
    assert!(bomb.len() < 2 * 1024 * 1024);
    let big = vec![b'a'; 11 * 1024 * 1024];
    for (name, bytes, status, says) in [
        (
            "x.csv",
            b"\x00\x01\x02\x03\xff\xfe\x00".to_vec(),
            422,
            "not a spreadsheet",
        ),
        ("x.xlsx", truncated, 422, "damaged"),
        ("bomb.xlsx", bomb, 422, "unpacks to far more data"),
        ("wide.csv", wide, 422, "more than 60 columns"),
        ("big.csv", big, 413, "larger than 10 MB"),
        (
            "x.csv",
            b"Phone\n0917\n".to_vec(),
            422,
            "no &#34;Name&#34; column",
        ),
        ("x.xls", b"whatever".to_vec(), 422, ".xlsx or CSV"),
    ] {
        let (r, _) = preview(&manager, "customers", None, name, &bytes).await;
        r.expect(status)
            .expect_text(says)
            .expect_text("Nothing was written");
    }
    // Tampered kind and branch.
    let ok = csv(&[row(&["Name", "Phone"]), row(&["Ana", "0917 123 4567"])]);
    let (r, _) = preview(&manager, "employees", None, "x.csv", &ok).await;
    r.expect(422).expect_text("Choose what the file holds");
    let (r, _) = preview(&manager, "menu", Some(99_999), "x.csv", &ok).await;
    r.expect(422);
    let kept: i64 = imports::table.count().get_result(&mut *app.conn()).unwrap();
    assert_eq!(kept, 0);
    manager.get("/imports/999").await.expect(404);
    manager.post("/imports/999/apply", &[]).await.expect(404);
    // Templates: one per kind, header only.
    let t = manager.get("/imports/templates/products.csv").await;
    t.expect(200).expect_text("Name,SKU,Category,Barcode");
    manager
        .get("/imports/templates/payroll.csv")
        .await
        .expect(404);
}

#[actix_web::test]
async fn two_managers_applying_the_same_file_at_once_create_each_product_once() {
    let app = TestApp::new().await;
    let manager = app.signed_in("manager").await;
    let other = app.signed_in("manager").await;
    let mut rows = vec![row(PRODUCT_HEADER)];
    for i in 0..40 {
        rows.push(laptop(
            &format!("Bulk item {i}"),
            &format!("BK-{i}"),
            &code(100 + i),
            "2",
        ));
    }
    let file = csv(&rows);
    let (_, first) = preview(&manager, "products", None, "a.csv", &file).await;
    let (_, second) = preview(&other, "products", None, "a.csv", &file).await;
    assert!(first > 0 && second > 0 && first != second);
    let before = product_count(&app);
    let (a, b) = futures_util::future::join(
        manager.post(&format!("/imports/{first}/apply"), &[]),
        other.post(&format!("/imports/{second}/apply"), &[]),
    )
    .await;
    a.expect(303);
    b.expect(303);
    assert_eq!(product_count(&app), before + 40);
}

#[actix_web::test]
async fn only_managers_import_and_export() {
    let app = TestApp::new().await;
    for who in ["agent", "credit", "kitchen", "waiter"] {
        let c = app.signed_in(who).await;
        c.get("/imports").await.expect(403);
        c.get("/products/export.csv").await.expect(403);
        c.get("/customers/export.csv").await.expect(403);
        let (r, _) = preview(&c, "customers", None, "x.csv", b"Name,Phone\n").await;
        r.expect(403);
    }
    let m = app.signed_in("manager").await;
    m.get("/imports")
        .await
        .expect(200)
        .expect_text("download template");
}

#[actix_web::test]
async fn labels_print_each_product_with_its_bars_in_both_layouts() {
    let app = TestApp::new().await;
    let (a, b) = {
        let mut c = app.conn();
        (
            insert_product(&mut c, "Cable <b>1m</b>", &code(60), 29_900, false),
            insert_product(&mut c, "Shop code item", "INT-42", 5_000, false),
        )
    };
    let agent = app.signed_in("agent").await;
    let r = agent
        .get(&format!("/products/labels?id={a}&id={b}&copies=2"))
        .await;
    r.expect(200)
        .expect_text("Cable &#60;b&#62;1m&#60;/b&#62;")
        .expect_text(&code(60))
        .expect_text("labels-a4.css");
    assert_eq!(r.body.matches("<article class=\"label\">").count(), 4);
    assert_eq!(r.body.matches("<svg ").count(), 4);
    agent
        .get(&format!("/products/labels?id={a}&layout=roll"))
        .await
        .expect(200)
        .expect_text("labels-roll.css");
    for bad in [
        "id=x".to_string(),
        format!("id={a}&copies=0"),
        format!("id={a}&copies=1000"),
        format!("id={a}&layout=a3"),
    ] {
        agent
            .get(&format!("/products/labels?{bad}"))
            .await
            .expect(400);
    }
    agent.get("/products/labels?id=999999").await.expect(404);
    agent.get("/products/labels").await.expect(422);
    app.signed_in("kitchen")
        .await
        .get(&format!("/products/labels?id={a}"))
        .await
        .expect(403);

    // A stock import's units: one label each.
    let manager = app.signed_in("manager").await;
    let file = csv(&[row(&["Barcode", "Quantity"]), row(&[&code(60), "3"])]);
    let (_, id) = preview(
        &manager,
        "stock",
        Some(app.seed.main_branch),
        "s.csv",
        &file,
    )
    .await;
    manager
        .post(&format!("/imports/{id}/apply"), &[])
        .await
        .expect(303);
    manager
        .get(&format!("/imports/{id}"))
        .await
        .expect_text(&format!("/products/labels?import={id}"));
    let r = manager.get(&format!("/products/labels?import={id}")).await;
    r.expect(200);
    assert_eq!(r.body.matches("<article class=\"label\">").count(), 3);
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.rfind(&marker).expect("the hidden field") + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

#[actix_web::test]
async fn a_bulk_price_change_is_previewed_applied_once_and_refused_when_prices_moved() {
    let app = TestApp::new().await;
    let accessory: i64 = product_categories::table
        .filter(product_categories::name.eq("Accessory"))
        .select(product_categories::id)
        .first(&mut *app.conn())
        .unwrap();
    let (a, b, laptop) = {
        let mut c = app.conn();
        let a = insert_product(&mut c, "Cable", &code(70), 1_010, false);
        let b = insert_product(&mut c, "Case", &code(71), 14_900, false);
        let laptop = insert_product(&mut c, "Laptop", &code(72), 5_000_000, false);
        diesel::update(products::table.filter(products::id.eq_any([a, b])))
            .set(products::category_id.eq(accessory))
            .execute(&mut *c)
            .unwrap();
        diesel::update(products::table.find(b))
            .set(products::regular_price_minor.eq(Some(19_900i64)))
            .execute(&mut *c)
            .unwrap();
        (a, b, laptop)
    };
    let manager = app.signed_in("manager").await;
    let url =
        format!("/products/prices?category_id={accessory}&mode=percent&value=5&rounding=centavo");
    let r = manager.get(&url).await;
    r.expect(200)
        .expect_text("2 product(s): 5 % up, rounded half up to the centavo")
        .expect_text("10.61")
        .expect_text("156.45");
    let (key, seen) = (hidden(&r.body, "key"), hidden(&r.body, "seen"));
    let audits = app.audit_count();
    let form = |key: String, seen: String| {
        vec![
            ("category_id".to_string(), accessory.to_string()),
            ("mode".into(), "percent".into()),
            ("value".into(), "5".into()),
            ("rounding".into(), "centavo".into()),
            ("key".into(), key),
            ("seen".into(), seen),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let m = &manager;
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            m.post("/products/prices", &f).await
        }
    };
    // A double click: two posts with one key make one change.
    let (x, y) = futures_util::future::join(
        post(form(key.clone(), seen.clone())),
        post(form(key.clone(), seen.clone())),
    )
    .await;
    x.expect(303);
    y.expect(303);
    let prices = |id: i64| -> (i64, Option<i64>) {
        products::table
            .find(id)
            .select((products::price_minor, products::regular_price_minor))
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(prices(a), (1_061, None));
    assert_eq!(prices(b), (15_645, Some(20_895)));
    assert_eq!(prices(laptop), (5_000_000, None), "outside the filter");
    assert_eq!(app.audit_count(), audits + 2);
    assert!(app.audit_rows()[0].4.contains("Bulk price change"));

    // The old preview again with a new key: the prices moved, nothing changes.
    post(form("another-key-123".into(), seen))
        .await
        .expect(409)
        .expect_text("changed since the preview");
    assert_eq!(prices(a), (1_061, None));

    for bad in [
        "mode=percent&value=abc",
        "mode=percent&value=-95",
        "mode=percent&value=0",
        "mode=fixed&value=0",
        "mode=double&value=5",
        "mode=percent&value=5&rounding=pennies",
    ] {
        manager
            .get(&format!("/products/prices?{bad}"))
            .await
            .expect(422);
    }
    manager
        .get("/products/prices?category_id=abc&mode=percent&value=5")
        .await
        .expect(400);
    // A fixed price with a tampered key is refused before anything changes.
    let mut tampered = form("<script>".into(), "x".into());
    tampered[1].1 = "fixed".into();
    post(tampered).await.expect(400);
    assert_eq!(prices(a), (1_061, None));
    app.signed_in("agent")
        .await
        .get("/products/prices")
        .await
        .expect(403);
}
