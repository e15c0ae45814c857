//! The X report (a shift so far, nothing closed) and the Z report (a closed shift): the same
//! figures in the words and amounts the page, the 80 mm slip and the A4 sheet print.

use crate::platform::clock::BusinessClock;
use crate::platform::db::AnyConnection;
use crate::platform::money::Money;
use crate::platform::settings;
use crate::registers::shifts::model::{self, ByMethod, Figures, Names, Shift};
use crate::registers::shifts::rules::{self, Count};

/// The business's registration, printed when filled in (a shop elsewhere leaves them empty).
pub const REGISTERED_NAME: &str = "business.registered_name";
pub const TIN: &str = "business.tin";
/// "VAT" or "Non-VAT" (registered or not), or empty.
pub const VAT_STATUS: &str = "business.vat_status";
pub const ADDRESS: &str = "business.address";

#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub registered_name: String,
    pub tin: String,
    pub vat_status: String,
    pub address: String,
}

pub fn registration(conn: &mut AnyConnection) -> diesel::QueryResult<Registration> {
    let mut get = |k: &str| -> diesel::QueryResult<String> {
        Ok(settings::get(conn, k)?.unwrap_or_default())
    };
    Ok(Registration {
        registered_name: get(REGISTERED_NAME)?,
        tin: get(TIN)?,
        vat_status: get(VAT_STATUS)?,
        address: get(ADDRESS)?,
    })
}

/// One line of a report: a label, how many, how much.
pub struct Line {
    pub label: String,
    pub count: Option<i64>,
    pub amount: String,
}

impl Line {
    fn of(label: impl Into<String>, count: Option<i64>, amount: Money) -> Line {
        Line {
            label: label.into(),
            count,
            amount: amount.grouped(),
        }
    }
}

pub struct MovementLine {
    pub at: String,
    pub kind: &'static str,
    pub amount: String,
    pub reason: String,
    pub employee: String,
}

/// Everything the report prints, as text.
pub struct Report {
    pub shift: Shift,
    pub closed: bool,
    pub title: &'static str,
    pub registration: Registration,
    pub business_name: String,
    pub branch: String,
    pub branch_address: String,
    pub register: String,
    pub machine_id: String,
    pub serial_number: String,
    pub permit_number: String,
    pub cashier: String,
    pub closer: String,
    pub opened: String,
    pub closed_at: String,
    pub printed: String,
    pub business_day: String,
    pub sales: Vec<Line>,
    pub methods: Vec<Line>,
    pub vat: Vec<Line>,
    pub cash: Vec<Line>,
    pub expected: String,
    pub counted: String,
    pub difference: String,
    pub difference_label: String,
    pub note: String,
    pub movements: Vec<MovementLine>,
    pub opening_count: Vec<Line>,
    pub closing_count: Vec<Line>,
    pub first_receipt: String,
    pub last_receipt: String,
    pub grand_before: String,
    pub grand_after: String,
    /// Expected cash now (raw), for the close form's hint.
    pub expected_money: Money,
}

fn method_label(m: &str) -> &str {
    match m {
        "cash" => "Cash",
        "installment" => "Instalment down payments",
        "card" => "Card",
        "ewallet" | "e_wallet" | "gcash" | "upi" => "E-wallet",
        "bank_transfer" => "Bank transfer",
        "store_credit" => "Store credit",
        other => other,
    }
}

fn methods(prefix: &str, rows: &ByMethod) -> Vec<Line> {
    rows.iter()
        .map(|(m, n, a)| Line::of(format!("{prefix}{}", method_label(m)), Some(*n), *a))
        .collect()
}

fn count_lines(text: &str) -> Vec<Line> {
    Count::pieces_of(text)
        .into_iter()
        .map(|(d, n)| Line::of(format!("{} × {n}", d.grouped()), None, Money(d.0 * n)))
        .collect()
}

/// The figures as report lines: sales, takings by method, VAT, and the cash drawer.
fn figure_lines(f: &Figures) -> (Vec<Line>, Vec<Line>, Vec<Line>, Vec<Line>) {
    let sales = vec![
        Line::of("Retail sales", Some(f.sales_count), f.sales_total),
        Line::of("Voided sales", Some(f.voids_count), f.voids_total),
        Line::of(
            "Refunds (credit notes)",
            Some(f.refunds_count),
            Money(-f.refunds_total.0),
        ),
        Line::of(
            "Cafe bills",
            Some(f.cafe_by_method.iter().map(|(_, n, _)| n).sum()),
            f.cafe_total,
        ),
        Line::of("Cafe discounts", None, f.cafe_discounts),
    ];
    let mut methods_lines = methods("", &f.retail_by_method);
    methods_lines.extend(methods("Instalment payments: ", &f.instalments_by_method));
    methods_lines.extend(methods("Cafe: ", &f.cafe_by_method));
    methods_lines.extend(f.refunds_by_method.iter().map(|(m, n, a)| {
        Line::of(
            format!("Refunded: {}", method_label(m)),
            Some(*n),
            Money(-a.0),
        )
    }));
    let vat = vec![
        Line::of("VATable sales", None, f.vatable),
        Line::of("VAT-exempt sales", None, Money::ZERO),
        Line::of("Zero-rated sales", None, Money::ZERO),
        Line::of("VAT", None, f.vat),
        Line::of("VAT reversed by refunds", None, Money(-f.refunds_vat.0)),
        Line::of("Cafe tax", None, f.cafe_tax),
    ];
    let flow = f.flow;
    let cash = vec![
        Line::of("Opening float", None, flow.opening_float),
        Line::of("Cash sales", None, flow.cash_sales),
        Line::of("Down payments", None, flow.down_payments),
        Line::of("Instalment payments in cash", None, flow.instalment_cash),
        Line::of("Cafe bills in cash", None, flow.cafe_cash),
        Line::of("Cash refunds", None, Money(-flow.cash_refunds.0)),
        Line::of("Cash in", None, flow.cash_in),
        Line::of("Cash out", None, Money(-flow.cash_out.0)),
    ];
    (sales, methods_lines, vat, cash)
}

/// The report of `shift` with its figures and names.
pub fn build(
    shift: Shift,
    f: &Figures,
    names: Names,
    registration: Registration,
    business_name: &str,
    clock: BusinessClock,
) -> Report {
    let closed = !shift.is_open();
    let expected = shift
        .expected_cash_minor
        .map_or_else(|| f.flow.expected(), Money);
    let counted = shift.counted_cash_minor.map(Money);
    let difference = counted.map(|c| rules::difference(expected, c));
    let (sales, methods_lines, vat, cash) = figure_lines(f);
    let movements = f
        .movements
        .iter()
        .map(|m| MovementLine {
            at: clock.format(m.created_at),
            kind: rules::Movement::parse(&m.kind).map_or("", rules::Movement::label),
            amount: Money(m.amount_minor).grouped(),
            reason: m.reason.clone(),
            employee: m.employee.clone(),
        })
        .collect();
    let gross = f.gross();
    let after = shift
        .grand_total_after_minor
        .unwrap_or(shift.grand_total_before_minor + gross.0);
    Report {
        closed,
        title: if closed { "Z report" } else { "X report" },
        business_name: if registration.registered_name.is_empty() {
            business_name.to_string()
        } else {
            registration.registered_name.clone()
        },
        registration,
        branch: names.branch,
        branch_address: names.branch_address,
        register: names.register.name.clone(),
        machine_id: names.register.machine_id.clone(),
        serial_number: names.register.serial_number.clone(),
        permit_number: names.register.permit_number.clone(),
        cashier: names.cashier,
        closer: names.closer.unwrap_or_default(),
        opened: clock.format(shift.opened_at),
        closed_at: shift.closed_at.map(|t| clock.format(t)).unwrap_or_default(),
        printed: clock.format(BusinessClock::now_utc()),
        business_day: shift.business_day.format("%Y-%m-%d").to_string(),
        sales,
        methods: methods_lines,
        vat,
        cash,
        expected: expected.grouped(),
        counted: counted.map(Money::grouped).unwrap_or_default(),
        difference: difference.map(Money::grouped).unwrap_or_default(),
        difference_label: difference.map(rules::difference_label).unwrap_or_default(),
        note: shift.difference_note.clone(),
        movements,
        opening_count: count_lines(&shift.opening_count),
        closing_count: count_lines(&shift.closing_count),
        first_receipt: f.first_receipt.clone().unwrap_or_else(|| "—".into()),
        last_receipt: f.last_receipt.clone().unwrap_or_else(|| "—".into()),
        grand_before: Money(shift.grand_total_before_minor).grouped(),
        grand_after: Money(after).grouped(),
        expected_money: expected,
        shift,
    }
}

/// Reads and builds the report of one shift.
pub fn load(
    conn: &mut AnyConnection,
    shift_id: i64,
    business_name: &str,
    clock: BusinessClock,
) -> Result<Report, crate::platform::error::AppError> {
    let shift = model::find(conn, shift_id)?;
    let f = model::figures(conn, &shift)?;
    let names = model::names(conn, &shift)?;
    let reg = registration(conn)?;
    Ok(build(shift, &f, names, reg, business_name, clock))
}

/// One shift's line on the day's report.
pub struct DayShift {
    pub id: i64,
    pub register: String,
    pub cashier: String,
    pub opened: String,
    pub closed: String,
    pub expected: String,
    pub counted: String,
    pub difference: String,
}

/// The Z report of a branch's business day: every shift of the day added up.
pub struct DayReport {
    pub business_name: String,
    pub registration: Registration,
    pub branch: String,
    pub branch_address: String,
    pub day: String,
    pub printed: String,
    pub shifts: Vec<DayShift>,
    pub open_shifts: usize,
    pub sales: Vec<Line>,
    pub methods: Vec<Line>,
    pub vat: Vec<Line>,
    pub cash: Vec<Line>,
    pub expected: String,
    pub counted: String,
    pub difference: String,
    pub first_receipt: String,
    pub last_receipt: String,
}

pub fn load_day(
    conn: &mut AnyConnection,
    branch: i64,
    day: chrono::NaiveDate,
    business_name: &str,
    clock: BusinessClock,
) -> Result<DayReport, crate::platform::error::AppError> {
    use diesel::prelude::*;
    let (branch_name, branch_address): (String, String) = crate::platform::schema::branches::table
        .find(branch)
        .select((
            crate::platform::schema::branches::name,
            crate::platform::schema::branches::address,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| crate::platform::error::AppError::not_found("That branch"))?;
    let mut total = Figures::default();
    let mut lines = Vec::new();
    let (mut expected, mut counted, mut open) = (0i64, 0i64, 0usize);
    for shift in model::of_day(conn, branch, day)? {
        let f = model::figures(conn, &shift)?;
        let names = model::names(conn, &shift)?;
        let e = shift
            .expected_cash_minor
            .map_or_else(|| f.flow.expected(), Money);
        let c = shift.counted_cash_minor.map(Money);
        expected += e.0;
        counted += c.map_or(0, |c| c.0);
        if c.is_none() {
            open += 1;
        }
        lines.push(DayShift {
            id: shift.id,
            register: names.register.name.clone(),
            cashier: names.cashier.clone(),
            opened: clock.format(shift.opened_at),
            closed: shift
                .closed_at
                .map(|t| clock.format(t))
                .unwrap_or_else(|| "open".into()),
            expected: e.grouped(),
            counted: c.map(Money::grouped).unwrap_or_default(),
            difference: c
                .map(|c| rules::difference_label(rules::difference(e, c)))
                .unwrap_or_default(),
        });
        total.absorb(f);
    }
    let (sales, methods, vat, cash) = figure_lines(&total);
    let registration = registration(conn)?;
    Ok(DayReport {
        business_name: if registration.registered_name.is_empty() {
            business_name.to_string()
        } else {
            registration.registered_name.clone()
        },
        registration,
        branch: branch_name,
        branch_address,
        day: day.format("%Y-%m-%d").to_string(),
        printed: clock.format(BusinessClock::now_utc()),
        shifts: lines,
        open_shifts: open,
        sales,
        methods,
        vat,
        cash,
        expected: Money(expected).grouped(),
        counted: Money(counted).grouped(),
        difference: if open == 0 {
            rules::difference_label(rules::difference(Money(expected), Money(counted)))
        } else {
            String::new()
        },
        first_receipt: total.first_receipt.unwrap_or_else(|| "—".into()),
        last_receipt: total.last_receipt.unwrap_or_else(|| "—".into()),
    })
}
