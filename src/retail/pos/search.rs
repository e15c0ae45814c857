//! The till's product search: every word typed must start a word of the product's name, SKU or
//! barcode, whatever the case ("earb" finds "Wireless Earbuds", "usb charger" finds
//! "20W USB-C Charger"); an exact barcode or SKU (any case) comes first. Indexed per backend:
//! FTS5 on SQLite, a GIN index over `to_tsvector('simple', …)` on PostgreSQL (migration
//! `product_search`), so it stays fast at 100,000 products. The index gives the first 200
//! matches and those are sorted by name: a one-word query that matches thousands of products
//! shows the first of them, and typing a second word narrows it.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::platform::db::AnyConnection;

/// At most this many words of a query count; each at most this long.
const MAX_WORDS: usize = 6;
const MAX_WORD_CHARS: usize = 40;

/// The words of what the cashier typed: letters and digits, lower case.
pub fn words(typed: &str) -> Vec<String> {
    typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(MAX_WORD_CHARS).collect())
        .take(MAX_WORDS)
        .collect()
}

/// FTS5: every word as a prefix (`"earb"* AND "charg"*`). Words are letters and digits only.
pub fn fts5_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// PostgreSQL: every word as a prefix (`earb:* & charg:*`).
pub fn ts_query(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[derive(Debug, Clone, QueryableByName)]
pub struct SearchHit {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub barcode: String,
    #[diesel(sql_type = BigInt)]
    pub price_minor: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub stock: Option<i64>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Matches considered per query (see `find`).
const CANDIDATES: i64 = 200;

const COLUMNS: &str = "p.id, p.name, p.barcode, p.price_minor, s.quantity AS stock";

/// One page of active products matching `typed`, with their stock at `branch_id`.
pub fn find(
    conn: &mut AnyConnection,
    branch_id: i64,
    typed: &str,
    (offset, limit): (i64, i64),
) -> QueryResult<Vec<SearchHit>> {
    let raw = typed.trim();
    let ws = words(raw);
    match conn {
        AnyConnection::Pg(c) => find_pg(c, branch_id, raw, &ws, (offset, limit)),
        AnyConnection::Sqlite(c) => find_sqlite(c, branch_id, raw, &ws, (offset, limit)),
    }
}

/// PostgreSQL answers in one statement (every round trip and plan costs more than the search
/// itself): the exact barcode, the exact SKU in any case, then the first `CANDIDATES` active
/// products whose words match, sorted by name and paged. Exact hits come only on the first page.
fn find_pg(
    c: &mut diesel::PgConnection,
    branch_id: i64,
    raw: &str,
    ws: &[String],
    (offset, limit): (i64, i64),
) -> QueryResult<Vec<SearchHit>> {
    let exact = if offset == 0 { raw } else { "" };
    let rows: Vec<SearchHit> = diesel::sql_query(format!(
        "SELECT p.id, p.name, p.barcode, p.price_minor, s.quantity AS stock FROM ( \
           (SELECT id, name, barcode, price_minor, name_lc, 0 AS rank FROM products \
             WHERE $2 <> '' AND barcode = $2 AND is_active LIMIT 1) \
           UNION ALL \
           (SELECT id, name, barcode, price_minor, name_lc, 1 FROM products \
             WHERE $2 <> '' AND lower(sku) = lower($2) AND is_active LIMIT 1) \
           UNION ALL \
           (SELECT * FROM (SELECT id, name, barcode, price_minor, name_lc, 2 FROM products \
              WHERE $3 <> '' \
                AND to_tsvector('simple', name || ' ' || COALESCE(sku, '') || ' ' || barcode) \
                    @@ to_tsquery('simple', $3) \
                AND is_active LIMIT {CANDIDATES}) w \
            ORDER BY name_lc, id LIMIT $4 OFFSET $5) \
         ) p LEFT JOIN branch_stock s ON s.product_id = p.id AND s.branch_id = $1 \
         ORDER BY p.rank, p.name_lc, p.id"
    ))
    .bind::<BigInt, _>(branch_id)
    .bind::<Text, _>(exact)
    .bind::<Text, _>(ts_query(ws))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .load(c)?;
    // An exact hit can also match by its words: keep its first (ranked) place only.
    let mut hits: Vec<SearchHit> = Vec::with_capacity(rows.len());
    for r in rows {
        if !hits.iter().any(|h| h.id == r.id) {
            hits.push(r);
        }
    }
    Ok(hits)
}

fn find_sqlite(
    c: &mut diesel::SqliteConnection,
    branch_id: i64,
    raw: &str,
    ws: &[String],
    (offset, limit): (i64, i64),
) -> QueryResult<Vec<SearchHit>> {
    // Exact barcode, then exact SKU in any case: two lookups, each on its own index (an OR,
    // or a UNION the planner may flatten, lets SQLite walk every active product instead).
    // In-process, two small statements cost nothing.
    let mut hits: Vec<SearchHit> = Vec::new();
    if offset == 0 && !raw.is_empty() {
        let mut ids: Vec<i64> = Vec::new();
        for sql in [
            "SELECT id AS n FROM products WHERE barcode = ? LIMIT 1",
            "SELECT id AS n FROM products WHERE lower(sku) = lower(?) LIMIT 1",
        ] {
            let found: Option<Id> = diesel::sql_query(sql)
                .bind::<Text, _>(raw)
                .get_result(c)
                .optional()?;
            if let Some(Id { n }) = found {
                if !ids.contains(&n) {
                    ids.push(n);
                }
            }
        }
        if !ids.is_empty() {
            let list = ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            hits = diesel::sql_query(format!(
                "SELECT {COLUMNS} FROM products p LEFT JOIN branch_stock s \
                 ON s.product_id = p.id AND s.branch_id = ? \
                 WHERE p.id IN ({list}) AND p.is_active = 1"
            ))
            .bind::<BigInt, _>(branch_id)
            .load(c)?;
        }
    }
    if ws.is_empty() {
        return Ok(hits);
    }
    // The index yields the first CANDIDATES matches in catalogue order and stops there; those
    // are sorted by name and paged. A query that matches more (one short common word) shows its
    // first matches: the cashier narrows it by typing more, and the till stays fast.
    let by_words: Vec<SearchHit> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM (SELECT p.id, p.name, p.barcode, p.price_minor, p.name_lc \
           FROM (SELECT rowid AS rid FROM product_search WHERE product_search MATCH ? \
                 LIMIT {CANDIDATES}) m \
           CROSS JOIN products p ON p.id = m.rid \
           WHERE +p.is_active = 1 \
           ORDER BY p.name_lc, p.id LIMIT ? OFFSET ?) p \
         LEFT JOIN branch_stock s ON s.product_id = p.id AND s.branch_id = ? \
         ORDER BY p.name_lc, p.id"
    ))
    .bind::<Text, _>(fts5_query(ws))
    .bind::<BigInt, _>(limit)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(branch_id)
    .load(c)?;
    for h in by_words {
        if !hits.iter().any(|e| e.id == h.id) {
            hits.push(h);
        }
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_in_lower_case() {
        assert_eq!(words(" USB-C  charger "), ["usb", "c", "charger"]);
        assert_eq!(words("iPhone 15"), ["iphone", "15"]);
        assert_eq!(words("\"*) OR ("), ["or"]);
        assert_eq!(words("\"*(){}"), Vec::<String>::new());
        assert_eq!(words("a b c d e f g h").len(), MAX_WORDS);
        assert_eq!(fts5_query(&words("earb Pro")), "\"earb\"* AND \"pro\"*");
        assert_eq!(ts_query(&words("earb Pro")), "earb:* & pro:*");
        assert_eq!(words("Café"), ["café"]);
    }
}
