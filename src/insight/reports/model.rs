//! The reports' figures for a range of business days, retail and cafe together, each sale
//! counted once: totals and branches from the two daily summaries, sellers from
//! `retail_daily_staff` and the cafe's bills, top products from the monthly and daily product
//! summaries (whole months per month, the loose days at the ends per day) and the cafe's daily
//! items, and the recent transactions newest first from the orders and bills themselves.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;

use crate::insight::in_branch;
use diesel::sql_types::{BigInt, Text};

use crate::insight::reports::rules;
use crate::platform::db::{date_literal, AnyConnection, MultiBackend};
use crate::platform::money::Money;
use crate::platform::schema::{
    branches, cafe_credit_note_tenders, cafe_credit_notes, cafe_daily_items, cafe_daily_totals,
    cafe_payments, cafe_sales, employees, orders, products, retail_daily_staff,
    retail_daily_totals,
};

/// What a report covers: business days `from..=to` (and the same as UTC moments, for the
/// records themselves) at one branch or all.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub branch: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// One branch's (or the business's) figures. Retail totals are VAT-inclusive with their VAT;
/// cafe totals are after discount, tax included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Takings {
    pub retail_orders: i64,
    pub retail_total: i64,
    pub retail_vat: i64,
    pub retail_cost: i64,
    pub retail_cash: i64,
    pub retail_installment: i64,
    pub cafe_orders: i64,
    pub cafe_total: i64,
    pub cafe_tax: i64,
    pub cafe_discount: i64,
}

impl Takings {
    fn add(&mut self, o: &Takings) {
        self.retail_orders += o.retail_orders;
        self.retail_total += o.retail_total;
        self.retail_vat += o.retail_vat;
        self.retail_cost += o.retail_cost;
        self.retail_cash += o.retail_cash;
        self.retail_installment += o.retail_installment;
        self.cafe_orders += o.cafe_orders;
        self.cafe_total += o.cafe_total;
        self.cafe_tax += o.cafe_tax;
        self.cafe_discount += o.cafe_discount;
    }
    /// Gross revenue, VAT-inclusive.
    pub fn gross(&self) -> Money {
        Money(self.retail_total + self.cafe_total)
    }
    /// VAT (and the cafe's tax) collected.
    pub fn vat(&self) -> Money {
        Money(self.retail_vat + self.cafe_tax)
    }
    /// Net revenue, VAT-exclusive.
    pub fn net(&self) -> Money {
        Money(self.gross().0 - self.vat().0)
    }
    /// The goods' cost (retail; cafe items carry no cost price).
    pub fn cost(&self) -> Money {
        Money(self.retail_cost)
    }
    pub fn profit(&self) -> Money {
        Money(self.net().0 - self.cost().0)
    }
    pub fn margin(&self) -> Option<String> {
        rules::ratio(self.profit().0, self.net().0)
    }
    pub fn transactions(&self) -> i64 {
        self.retail_orders + self.cafe_orders
    }
    /// Average order value, VAT-inclusive, rounded half up to the minor unit.
    pub fn average(&self) -> Option<Money> {
        let n = self.transactions();
        (n > 0).then(|| Money((self.gross().0 * 2 + n) / (2 * n)))
    }
}

/// A branch's takings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchTakings {
    pub id: i64,
    pub name: String,
    pub takings: Takings,
}

/// Every branch with sales in the range (largest first) and the sum of them.
pub fn takings(conn: &mut AnyConnection, f: &Filter) -> QueryResult<(Takings, Vec<BranchTakings>)> {
    let retail: Vec<(i64, i64, i64, i64, i64, i64, i64)> = retail_daily_totals::table
        .filter(retail_daily_totals::business_day.between(f.from, f.to))
        .filter(in_branch("retail_daily_totals.branch_id", f.branch))
        .group_by(retail_daily_totals::branch_id)
        .select((
            retail_daily_totals::branch_id,
            sql::<BigInt>("CAST(SUM(retail_daily_totals.orders) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_totals.total_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_totals.vat_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_totals.cost_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_totals.cash_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_totals.installment_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let cafe: Vec<(i64, i64, i64, i64, i64)> = cafe_daily_totals::table
        .filter(cafe_daily_totals::business_day.between(f.from, f.to))
        .filter(in_branch("cafe_daily_totals.branch_id", f.branch))
        .group_by(cafe_daily_totals::branch_id)
        .select((
            cafe_daily_totals::branch_id,
            sql::<BigInt>("CAST(SUM(cafe_daily_totals.orders) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_totals.total_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_totals.tax_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(cafe_daily_totals.discount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut by: BTreeMap<i64, Takings> = BTreeMap::new();
    for (b, orders, total, vat, cost, cash, installment) in retail {
        let t = by.entry(b).or_default();
        t.retail_orders = orders;
        t.retail_total = total;
        t.retail_vat = vat;
        t.retail_cost = cost;
        t.retail_cash = cash;
        t.retail_installment = installment;
    }
    for (b, orders, total, tax, discount) in cafe {
        let t = by.entry(b).or_default();
        t.cafe_orders = orders;
        t.cafe_total = total;
        t.cafe_tax = tax;
        t.cafe_discount = discount;
    }
    let names: BTreeMap<i64, String> = branches::table
        .filter(branches::id.eq_any(by.keys().copied().collect::<Vec<_>>()))
        .select((branches::id, branches::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut sum = Takings::default();
    let mut rows: Vec<BranchTakings> = by
        .into_iter()
        .map(|(id, takings)| {
            sum.add(&takings);
            BranchTakings {
                id,
                name: names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("Branch {id}")),
                takings,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.takings
            .gross()
            .0
            .cmp(&a.takings.gross().0)
            .then(a.name.cmp(&b.name))
    });
    Ok((sum, rows))
}

/// Money taken per payment method (VAT-inclusive), largest first: retail's cash and
/// instalment sales from the summary, the cafe's bills by their method.
pub fn payment_split(
    conn: &mut AnyConnection,
    f: &Filter,
    sum: &Takings,
) -> QueryResult<Vec<(String, i64, Money)>> {
    // The cafe's bills by their tenders (a bill paid in parts counts in each), less what was
    // refunded to each tender — on the bill's day, as retail's refunds are.
    let cafe: Vec<(String, i64, i64)> = cafe_payments::table
        .inner_join(cafe_sales::table)
        .filter(cafe_sales::closed_at.ge(f.start))
        .filter(cafe_sales::closed_at.lt(f.end))
        .filter(in_branch("cafe_sales.branch_id", f.branch))
        .group_by(cafe_payments::method)
        .select((
            cafe_payments::method,
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(SUM(cafe_payments.amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let cafe_refunds: Vec<(String, i64)> = cafe_credit_note_tenders::table
        .inner_join(cafe_credit_notes::table.inner_join(cafe_sales::table))
        .filter(cafe_sales::closed_at.ge(f.start))
        .filter(cafe_sales::closed_at.lt(f.end))
        .filter(in_branch("cafe_sales.branch_id", f.branch))
        .group_by(cafe_credit_note_tenders::method)
        .select((
            cafe_credit_note_tenders::method,
            sql::<BigInt>("CAST(SUM(cafe_credit_note_tenders.amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    if sum.retail_cash != 0 {
        *by.entry("cash".into()).or_default() += sum.retail_cash;
    }
    if sum.retail_installment != 0 {
        *by.entry("installment".into()).or_default() += sum.retail_installment;
    }
    for (method, _, total) in cafe {
        *by.entry(method.to_lowercase()).or_default() += total;
    }
    for (method, refunded) in cafe_refunds {
        *by.entry(method.to_lowercase()).or_default() -= refunded;
    }
    let mut rows: Vec<(String, i64, Money)> = by
        .into_iter()
        .map(|(m, total)| (method_label(&m), total, Money(total)))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(rows)
}

/// The words a person reads for a stored payment method.
pub fn method_label(method: &str) -> String {
    match method {
        "cash" => "Cash".into(),
        "installment" => "Instalment".into(),
        "card" => "Card".into(),
        "upi" => "UPI".into(),
        "gcash" => "GCash".into(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

/// One person's sales in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seller {
    pub employee_id: i64,
    pub name: String,
    pub retail_orders: i64,
    pub retail_total: Money,
    pub commission: Money,
    pub cafe_bills: i64,
    pub cafe_total: Money,
}

impl Seller {
    pub fn total(&self) -> Money {
        Money(self.retail_total.0 + self.cafe_total.0)
    }
}

/// Retail sales per seller (with the commission they earned) and cafe bills per person who
/// closed them, largest first.
pub fn sellers(conn: &mut AnyConnection, f: &Filter) -> QueryResult<Vec<Seller>> {
    let retail: Vec<(i64, i64, i64, i64)> = retail_daily_staff::table
        .filter(retail_daily_staff::business_day.between(f.from, f.to))
        .filter(in_branch("retail_daily_staff.branch_id", f.branch))
        .group_by(retail_daily_staff::employee_id)
        .select((
            retail_daily_staff::employee_id,
            sql::<BigInt>("CAST(SUM(retail_daily_staff.orders) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_staff.total_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(retail_daily_staff.commission_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let cafe: Vec<(Option<i64>, i64, i64)> = cafe_sales::table
        .filter(cafe_sales::closed_at.ge(f.start))
        .filter(cafe_sales::closed_at.lt(f.end))
        .filter(in_branch("cafe_sales.branch_id", f.branch))
        .group_by(cafe_sales::closed_by_employee_id)
        .select((
            cafe_sales::closed_by_employee_id,
            sql::<BigInt>("COUNT(*)"),
            sql::<BigInt>("CAST(SUM(cafe_sales.total_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut by: BTreeMap<i64, Seller> = BTreeMap::new();
    let blank = |id| Seller {
        employee_id: id,
        name: String::new(),
        retail_orders: 0,
        retail_total: Money::ZERO,
        commission: Money::ZERO,
        cafe_bills: 0,
        cafe_total: Money::ZERO,
    };
    for (id, orders, total, commission) in retail {
        let s = by.entry(id).or_insert_with(|| blank(id));
        s.retail_orders = orders;
        s.retail_total = Money(total);
        s.commission = Money(commission);
    }
    // A bill closed without an employee (by the system) is listed under id 0.
    for (id, bills, total) in cafe {
        let id = id.unwrap_or(0);
        let s = by.entry(id).or_insert_with(|| blank(id));
        s.cafe_bills += bills;
        s.cafe_total = Money(s.cafe_total.0 + total);
    }
    let names: BTreeMap<i64, String> = employees::table
        .filter(employees::id.eq_any(by.keys().copied().collect::<Vec<_>>()))
        .select((employees::id, employees::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut rows: Vec<Seller> = by
        .into_values()
        .map(|mut s| {
            s.name = match (s.employee_id, names.get(&s.employee_id)) {
                (0, _) => "No employee recorded".into(),
                (_, Some(n)) => n.clone(),
                (id, None) => format!("Employee {id}"),
            };
            s
        })
        .filter(|s| s.retail_orders != 0 || s.cafe_bills != 0)
        .collect();
    rows.sort_by(|a, b| b.total().0.cmp(&a.total().0).then(a.name.cmp(&b.name)));
    Ok(rows)
}

/// A product (retail) or menu item (cafe) in a ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub name: String,
    pub area: &'static str,
    pub units: i64,
    pub revenue: Money,
}

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
struct ProductSum {
    #[diesel(sql_type = BigInt)]
    product_id: i64,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    revenue: i64,
}

/// Which figure a ranking orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankBy {
    Units,
    Revenue,
}

impl RankBy {
    fn key(self, p: &ProductSum) -> i64 {
        match self {
            RankBy::Units => p.units,
            RankBy::Revenue => p.revenue,
        }
    }
    /// Best first: the figure, then the other figure, then the older product.
    fn order(self, a: &ProductSum, b: &ProductSum) -> std::cmp::Ordering {
        let other = match self {
            RankBy::Units => RankBy::Revenue,
            RankBy::Revenue => RankBy::Units,
        };
        self.key(b)
            .cmp(&self.key(a))
            .then(other.key(b).cmp(&other.key(a)))
            .then(a.product_id.cmp(&b.product_id))
    }
}

/// Adds the retail product rows of `from..=to` (whole months from the monthly summary, the
/// loose days from the daily one) into `into`: (units, revenue) per product.
fn add_product_rows(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    into: &mut HashMap<i64, (i64, i64)>,
) -> QueryResult<()> {
    // Read as plain tuples by column position (no lookup by name per row) and summed here in
    // one pass for both rankings: cheaper than two grouped sorts.
    let parts = rules::parts(from, to);
    let mut add = |rows: Vec<(i64, i64, i64)>| {
        for (product, units, revenue) in rows {
            let e = into.entry(product).or_default();
            e.0 += units;
            e.1 += revenue;
        }
    };
    if let Some((a, b)) = parts.months {
        use crate::platform::schema::retail_monthly_products as m;
        let mut q = m::table
            .filter(m::month.between(a, b))
            .select((m::product_id, m::units, m::revenue_minor))
            .into_boxed::<MultiBackend>();
        if let Some(br) = branch {
            q = q.filter(m::branch_id.eq(br));
        }
        add(q.load(conn)?);
    }
    for (a, b) in parts.days {
        use crate::platform::schema::retail_daily_products as d;
        let mut q = d::table
            .filter(d::business_day.between(a, b))
            .select((d::product_id, d::units, d::revenue_minor))
            .into_boxed::<MultiBackend>();
        if let Some(br) = branch {
            q = q.filter(d::branch_id.eq(br));
        }
        add(q.load(conn)?);
    }
    Ok(())
}

/// Both rankings of the products sold in `from..=to`, summed by the database (PostgreSQL's
/// hash aggregate beats sending every row) into the ten best of each, in one statement.
fn best_in_database(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> QueryResult<(Vec<ProductSum>, Vec<ProductSum>)> {
    #[derive(QueryableByName)]
    struct Ranked {
        #[diesel(sql_type = BigInt)]
        ranking: i64,
        #[diesel(sql_type = BigInt)]
        product_id: i64,
        #[diesel(sql_type = BigInt)]
        units: i64,
        #[diesel(sql_type = BigInt)]
        revenue: i64,
    }
    let union = product_rows_sql(conn, branch, from, to);
    let rows: Vec<Ranked> = diesel::sql_query(format!(
        "WITH s AS MATERIALIZED (
             SELECT product_id, CAST(SUM(units) AS BIGINT) AS units, CAST(SUM(revenue) AS BIGINT) AS revenue
             FROM ({union}) AS u GROUP BY product_id HAVING SUM(units) > 0)
         SELECT * FROM (SELECT CAST(0 AS BIGINT) AS ranking, product_id, units, revenue FROM s
                        ORDER BY units DESC, revenue DESC, product_id LIMIT {limit}) AS by_units
         UNION ALL
         SELECT * FROM (SELECT CAST(1 AS BIGINT) AS ranking, product_id, units, revenue FROM s
                        ORDER BY revenue DESC, units DESC, product_id LIMIT {limit}) AS by_revenue"
    ))
    .load(conn)?;
    let mut out = (Vec::new(), Vec::new());
    for r in rows {
        let p = ProductSum {
            product_id: r.product_id,
            units: r.units,
            revenue: r.revenue,
        };
        if r.ranking == 0 {
            out.0.push(p);
        } else {
            out.1.push(p);
        }
    }
    out.0.sort_by(|a, b| RankBy::Units.order(a, b));
    out.1.sort_by(|a, b| RankBy::Revenue.order(a, b));
    Ok(out)
}

/// The product rows of `from..=to` as one `UNION ALL`: whole months from the monthly
/// summary, the loose days from the daily one. Dates and ids are written by us.
fn product_rows_sql(
    conn: &AnyConnection,
    branch: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    let parts = rules::parts(from, to);
    let branch = match branch {
        Some(b) => format!(" AND branch_id = {b}"),
        None => String::new(),
    };
    let mut spans = Vec::new();
    if let Some((a, b)) = parts.months {
        spans.push(format!(
            "SELECT product_id, units, revenue_minor AS revenue FROM retail_monthly_products WHERE month >= {} AND month <= {}{branch}",
            date_literal(conn, a),
            date_literal(conn, b),
        ));
    }
    for (a, b) in &parts.days {
        spans.push(format!(
            "SELECT product_id, units, revenue_minor AS revenue FROM retail_daily_products WHERE business_day >= {} AND business_day <= {}{branch}",
            date_literal(conn, *a),
            date_literal(conn, *b),
        ));
    }
    spans.join(" UNION ALL ")
}

fn best(sums: &HashMap<i64, (i64, i64)>, by: RankBy, limit: usize) -> Vec<ProductSum> {
    let mut rows: Vec<ProductSum> = sums
        .iter()
        .filter(|(_, (units, _))| *units > 0)
        .map(|(&product_id, &(units, revenue))| ProductSum {
            product_id,
            units,
            revenue,
        })
        .collect();
    if rows.len() > limit {
        rows.select_nth_unstable_by(limit, |a, b| by.order(a, b));
        rows.truncate(limit);
    }
    rows.sort_by(|a, b| by.order(a, b));
    rows
}

/// Both rankings (by units, by revenue) of the best `limit` products of the sales so far less
/// those outside the range (`outside`), per branch or summed over every branch. Exact, with
/// memory bounded by `limit` and `outside`: a product sold outside the range is adjusted here;
/// any other product's figure in the range is its total so far, so the best `limit` of those
/// are among the best `limit + outside.len()` totals so far, which the database ranks with a
/// bounded sort. The totals have no index in ranking order and no business-wide rows on
/// purpose: every sale would move its products' entries in them, and the till's sale matters
/// more than this report's milliseconds (`bench/RESULTS.md`, registers).
fn best_so_far_less(
    conn: &mut AnyConnection,
    branch: Option<i64>,
    outside: &HashMap<i64, (i64, i64)>,
    limit: usize,
) -> QueryResult<(Vec<ProductSum>, Vec<ProductSum>)> {
    // Ids and the branch are numbers from the database and the filter, never text.
    let branch_only = match branch {
        Some(b) => format!(" AND branch_id = {b}"),
        None => String::new(),
    };
    let summed = |condition: &str| {
        format!(
            "SELECT product_id, CAST(SUM(units) AS BIGINT) AS units,
                    CAST(SUM(revenue_minor) AS BIGINT) AS revenue
             FROM retail_product_totals WHERE {condition}{branch_only} GROUP BY product_id"
        )
    };
    let mut in_range: HashMap<i64, (i64, i64)> = HashMap::new();
    let candidates = limit + outside.len();
    // One grouping for both rankings: a common table used twice is materialised once, by
    // SQLite and PostgreSQL alike (in the database's temporary storage, not the server's
    // memory). Products with no units left are never ranked (see `best`): not candidates.
    let ranked = |order: &str| {
        format!(
            "SELECT * FROM (SELECT product_id, units, revenue FROM so_far \
             ORDER BY {order} LIMIT {candidates}) AS ranked"
        )
    };
    let leaders: Vec<ProductSum> = diesel::sql_query(format!(
        "WITH so_far AS ({} HAVING SUM(units) > 0) {} UNION ALL {}",
        summed("1 = 1"),
        ranked("units DESC, revenue DESC, product_id"),
        ranked("revenue DESC, units DESC, product_id"),
    ))
    .load(conn)?;
    for p in leaders {
        in_range.insert(p.product_id, (p.units, p.revenue));
    }
    let sold_outside: Vec<i64> = outside.keys().copied().collect();
    for ids in sold_outside.chunks(500) {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let so_far: Vec<ProductSum> =
            diesel::sql_query(summed(&format!("product_id IN ({list})"))).load(conn)?;
        for p in so_far {
            let (u, r) = outside[&p.product_id];
            in_range.insert(p.product_id, (p.units - u, p.revenue - r));
        }
    }
    Ok((
        best(&in_range, RankBy::Units, limit),
        best(&in_range, RankBy::Revenue, limit),
    ))
}

/// Both rankings of the range's retail products (by units, by revenue). When the days
/// outside the range are fewer than those inside it (a year of a shop open a year), they
/// are subtracted from the totals so far; otherwise the range's own rows are summed.
fn retail_rankings(
    conn: &mut AnyConnection,
    f: &Filter,
    limit: usize,
) -> QueryResult<(Vec<ProductSum>, Vec<ProductSum>)> {
    let (first, last): (Option<NaiveDate>, Option<NaiveDate>) = retail_daily_totals::table
        .filter(in_branch("retail_daily_totals.branch_id", f.branch))
        .filter(retail_daily_totals::orders.gt(0))
        .select((
            diesel::dsl::min(retail_daily_totals::business_day),
            diesel::dsl::max(retail_daily_totals::business_day),
        ))
        .first(conn)?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let (from, to) = (f.from.max(first), f.to.min(last));
    if from > to {
        return Ok((Vec::new(), Vec::new()));
    }
    let inside = (to - from).num_days() + 1;
    let outside_days = (from - first).num_days() + (last - to).num_days();
    if outside_days < inside {
        let mut outside = HashMap::new();
        if from > first {
            add_product_rows(
                conn,
                f.branch,
                first,
                from - Duration::days(1),
                &mut outside,
            )?;
        }
        if to < last {
            add_product_rows(conn, f.branch, to + Duration::days(1), last, &mut outside)?;
        }
        best_so_far_less(conn, f.branch, &outside, limit)
    } else if matches!(conn, AnyConnection::Pg(_)) {
        best_in_database(conn, f.branch, from, to, limit)
    } else {
        // SQLite sums the rows faster in our hash map than in its sorted groups.
        let mut sums = HashMap::new();
        add_product_rows(conn, f.branch, from, to, &mut sums)?;
        Ok((
            best(&sums, RankBy::Units, limit),
            best(&sums, RankBy::Revenue, limit),
        ))
    }
}

/// The best `limit` products and menu items of the range, by units and by revenue, retail and
/// cafe together: the best of each side, merged.
pub fn top(
    conn: &mut AnyConnection,
    f: &Filter,
    limit: usize,
) -> QueryResult<(Vec<Ranked>, Vec<Ranked>)> {
    let (units, revenue) = retail_rankings(conn, f, limit)?;
    let ids: Vec<i64> = units
        .iter()
        .chain(revenue.iter())
        .map(|p| p.product_id)
        .collect();
    let names: BTreeMap<i64, String> = products::table
        .filter(products::id.eq_any(ids))
        .select((products::id, products::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for (by, retail) in [(RankBy::Units, units), (RankBy::Revenue, revenue)] {
        let order = match by {
            RankBy::Units => "3 DESC, 4 DESC, 1 ASC",
            RankBy::Revenue => "4 DESC, 3 DESC, 1 ASC",
        };
        let cafe: Vec<(i64, String, i64, i64)> = cafe_daily_items::table
            .filter(cafe_daily_items::business_day.between(f.from, f.to))
            .filter(in_branch("cafe_daily_items.branch_id", f.branch))
            .group_by(cafe_daily_items::menu_item_id)
            .select((
                cafe_daily_items::menu_item_id,
                sql::<Text>("MAX(cafe_daily_items.name)"),
                sql::<BigInt>("CAST(SUM(cafe_daily_items.quantity) AS BIGINT)"),
                sql::<BigInt>("CAST(SUM(cafe_daily_items.revenue_minor) AS BIGINT)"),
            ))
            .order(sql::<BigInt>(order))
            .limit(limit as i64)
            .load(conn)?;
        let mut rows: Vec<Ranked> = retail
            .into_iter()
            .map(|p| Ranked {
                name: names
                    .get(&p.product_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Product {}", p.product_id)),
                area: "Retail",
                units: p.units,
                revenue: Money(p.revenue),
            })
            .chain(
                cafe.into_iter()
                    .filter(|c| c.2 > 0)
                    .map(|(_, name, units, revenue)| Ranked {
                        name,
                        area: "Cafe",
                        units,
                        revenue: Money(revenue),
                    }),
            )
            .collect();
        rows.sort_by(|a, b| {
            match by {
                RankBy::Units => b.units.cmp(&a.units).then(b.revenue.0.cmp(&a.revenue.0)),
                RankBy::Revenue => b.revenue.0.cmp(&a.revenue.0).then(b.units.cmp(&a.units)),
            }
            .then(a.name.cmp(&b.name))
        });
        rows.truncate(limit);
        out.push(rows);
    }
    let revenue = out.pop().unwrap_or_default();
    let units = out.pop().unwrap_or_default();
    Ok((units, revenue))
}

/// One sale or bill in the list of recent transactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub at: NaiveDateTime,
    pub area: &'static str,
    pub id: i64,
    pub branch: String,
    pub who: String,
    pub method: String,
    pub total: Money,
    pub status: String,
}

/// A cafe bill as read: id, closed, branch, closed by, method, total, table number.
type CafeBillRow = (
    i64,
    NaiveDateTime,
    i64,
    Option<i64>,
    String,
    i64,
    Option<i64>,
);
/// A transaction before its names are looked up.
type Merged = (
    NaiveDateTime,
    &'static str,
    i64,
    i64,
    Option<i64>,
    String,
    i64,
    String,
);

/// The newest `fetch` transactions after skipping `offset`, retail sales (any status) and
/// cafe bills together. Each side reads at most `offset + fetch` rows by its time index.
pub fn recent(
    conn: &mut AnyConnection,
    f: &Filter,
    offset: i64,
    fetch: i64,
) -> QueryResult<Vec<Transaction>> {
    let n = offset + fetch;
    let retail: Vec<(i64, NaiveDateTime, i64, i64, String, i64, String)> = orders::table
        .filter(orders::created_at.ge(f.start))
        .filter(orders::created_at.lt(f.end))
        .filter(in_branch("orders.branch_id", f.branch))
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(n)
        .select((
            orders::id,
            orders::created_at,
            orders::branch_id,
            orders::employee_id,
            orders::payment_method,
            orders::total_minor,
            orders::status,
        ))
        .load(conn)?;
    let cafe: Vec<CafeBillRow> = cafe_sales::table
        .filter(cafe_sales::closed_at.ge(f.start))
        .filter(cafe_sales::closed_at.lt(f.end))
        .filter(in_branch("cafe_sales.branch_id", f.branch))
        .order((cafe_sales::closed_at.desc(), cafe_sales::id.desc()))
        .limit(n)
        .select((
            cafe_sales::id,
            cafe_sales::closed_at,
            cafe_sales::branch_id,
            cafe_sales::closed_by_employee_id,
            cafe_sales::payment_method,
            cafe_sales::total_minor,
            cafe_sales::table_number,
        ))
        .load(conn)?;
    // (when, area, id, branch, employee, method, total, status)
    let mut rows: Vec<Merged> = retail
        .into_iter()
        .map(|(id, at, b, e, m, t, s)| (at, "Retail", id, b, Some(e), m, t, s))
        .chain(cafe.into_iter().map(|(id, at, b, e, m, t, table)| {
            let status = table.map_or("Paid".to_string(), |n| format!("Paid · table {n}"));
            (at, "Cafe", id, b, e, m, t, status)
        }))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)));
    let rows: Vec<_> = rows
        .into_iter()
        .skip(offset as usize)
        .take(fetch as usize)
        .collect();
    let branch_ids: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let people: Vec<i64> = rows.iter().filter_map(|r| r.4).collect();
    let branch_names: BTreeMap<i64, String> = branches::table
        .filter(branches::id.eq_any(branch_ids))
        .select((branches::id, branches::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let names: BTreeMap<i64, String> = employees::table
        .filter(employees::id.eq_any(people))
        .select((employees::id, employees::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(at, area, id, b, e, m, t, s)| Transaction {
            at,
            area,
            id,
            branch: branch_names.get(&b).cloned().unwrap_or_default(),
            who: e
                .and_then(|e| names.get(&e).cloned())
                .unwrap_or_else(|| "Guest".into()),
            method: method_label(&m),
            total: Money(t),
            status: crate::retail::sales::rules::OrderStatus::parse(&s)
                .map_or(s.clone(), |st| st.label().to_string()),
        })
        .collect())
}

/// What customers still owe on instalment plans (at one branch or all), now.
pub fn receivables(conn: &mut AnyConnection, branch: Option<i64>) -> QueryResult<Money> {
    use crate::platform::schema::installment_plans as p;
    let mut q = p::table.into_boxed::<MultiBackend>();
    if let Some(b) = branch {
        q = q.filter(p::branch_id.eq(b));
    }
    // Rejected and cancelled plans owe nothing; a pending plan's goods have left the shop.
    let owed: i64 = q
        .filter(p::status.eq_any(["active", "pending"]))
        .select(sql::<BigInt>(
            "CAST(COALESCE(SUM(installment_plans.balance_minor - installment_plans.paid_minor), 0) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(Money(owed))
}
