//! `tillpoint copy-database --to postgres://…`: a shop that outgrows the embedded SQLite
//! database moves every row to PostgreSQL. The target must be empty (no tables, or only what
//! `tillpoint migrate` creates); it is migrated to the same schema, then every table is copied
//! in foreign-key order with its ids, in one PostgreSQL transaction, the id sequences are moved
//! past the copied ids, and row counts and the sums of every money column (`*_minor`) are
//! compared before the transaction commits. Anything that does not match rolls all of it back.
//!
//! The copy is generic over the tables SQLite has (read with `pragma_table_info` and
//! `pragma_foreign_key_list`), so a table added by a later migration is copied without a change
//! here. Values travel as text and are cast to the PostgreSQL column's type; blobs as hex.

use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::platform::db::{run_migrations, AnyConnection};

/// Tables whose rows the migrations themselves insert (default categories, the cache version
/// counters): a target that has only those is still empty.
const SEEDED_BY_MIGRATIONS: [&str; 3] = ["product_categories", "menu_categories", "cache_versions"];
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";
/// Tables kept by triggers from other tables' rows: not copied, the target's triggers count
/// them again as those rows are copied (copying them too would count twice).
const KEPT_BY_TRIGGERS: [&str; 1] = ["branch_stock_counts"];
/// Rows read from SQLite per round trip.
const PAGE: i64 = 2_000;
/// Binds per PostgreSQL statement (the protocol allows 65,535).
const MAX_BINDS: usize = 30_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub name: String,
    pub rows: i64,
    /// (column, sum) of every money column, equal on both sides.
    pub money: Vec<(String, i64)>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Page {
    #[diesel(sql_type = BigInt)]
    rid: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

fn quoted(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn err(what: &str) -> impl Fn(diesel::result::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The tables of the SQLite database, parents before children.
fn tables_in_order(src: &mut diesel::SqliteConnection) -> Result<Vec<String>, String> {
    // Virtual tables (the FTS5 search index) and their shadow tables are SQLite's own way of
    // indexing; PostgreSQL indexes the same data its own way (see the migrations).
    let names: Vec<String> = diesel::sql_query(
        "SELECT t.name FROM sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' \
         AND t.name != '__diesel_schema_migrations' AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%' \
         AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' \
             AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '\\_%' ESCAPE '\\') \
         ORDER BY t.name",
    )
    .load::<Name>(src)
    .map_err(err("reading the SQLite tables"))?
    .into_iter()
    .map(|n| n.name)
    .filter(|n| !KEPT_BY_TRIGGERS.contains(&n.as_str()))
    .collect();
    let mut parents = Vec::new();
    for t in &names {
        let p: Vec<String> =
            diesel::sql_query("SELECT \"table\" AS name FROM pragma_foreign_key_list(?)")
                .bind::<Text, _>(t)
                .load::<Name>(src)
                .map_err(err("reading foreign keys"))?
                .into_iter()
                .map(|n| n.name)
                .filter(|p| p != t)
                .collect();
        parents.push(p);
    }
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let before = ordered.len();
        for (t, ps) in names.iter().zip(&parents) {
            if !ordered.contains(t) && ps.iter().all(|p| ordered.contains(p)) {
                ordered.push(t.clone());
            }
        }
        if ordered.len() == before {
            return Err("the tables' foreign keys form a cycle; cannot order the copy".into());
        }
    }
    Ok(ordered)
}

fn sqlite_columns(src: &mut diesel::SqliteConnection, table: &str) -> Result<Vec<Column>, String> {
    diesel::sql_query("SELECT name, upper(type) AS kind FROM pragma_table_info(?) ORDER BY cid")
        .bind::<Text, _>(table)
        .load::<Column>(src)
        .map_err(err("reading columns"))
}

fn pg_columns(dst: &mut diesel::PgConnection, table: &str) -> Result<Vec<Column>, String> {
    diesel::sql_query(
        "SELECT column_name::text AS name, data_type::text AS kind FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind::<Text, _>(table)
    .load::<Column>(dst)
    .map_err(err("reading the PostgreSQL columns"))
}

fn pg_count(dst: &mut diesel::PgConnection, table: &str) -> Result<i64, String> {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(table)))
        .get_result::<Count>(dst)
        .map(|c| c.n)
        .map_err(err("counting rows"))
}

/// Refuses a target that holds anything beyond what the migrations put there.
fn check_empty(dst: &mut diesel::PgConnection) -> Result<(), String> {
    let tables: Vec<String> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .load::<Name>(dst)
    .map_err(err("reading the PostgreSQL tables"))?
    .into_iter()
    .map(|n| n.name)
    .collect();
    let mut busy = Vec::new();
    for t in &tables {
        if t == MIGRATIONS_TABLE || SEEDED_BY_MIGRATIONS.contains(&t.as_str()) {
            continue;
        }
        let n = pg_count(dst, t)?;
        if n > 0 {
            busy.push(format!("{t} ({n} rows)"));
        }
    }
    if busy.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the target database is not empty: {}. Copy into a new, empty database (createdb tillpoint).",
            busy.join(", ")
        ))
    }
}

/// Copies every table; returns what was copied. Nothing is left half-copied on failure.
pub fn copy_sqlite_to_postgres(
    src: &mut diesel::SqliteConnection,
    target: &mut AnyConnection,
) -> Result<Vec<CopiedTable>, String> {
    let AnyConnection::Pg(dst) = target else {
        return Err("the target must be a PostgreSQL database".into());
    };
    check_empty(dst)?;
    let order = tables_in_order(src)?;
    // The same schema on both sides: the target gets this binary's migrations (the source
    // already has them: `open` migrates it).
    run_migrations(target)?;
    let AnyConnection::Pg(dst) = target else {
        unreachable!("checked above")
    };
    let mut report = Vec::new();
    dst.transaction::<_, Failed, _>(|dst| {
        // The migrations' default rows give way to the shop's own.
        for t in order.iter().rev() {
            if pg_count(dst, t)? > 0 {
                dst.batch_execute(&format!("DELETE FROM {}", quoted(t)))
                    .map_err(err("clearing the default rows"))?;
            }
        }
        for t in &order {
            report.push(copy_table(src, dst, t)?);
        }
        Ok(())
    })
    .map_err(|f| f.0)?;
    // Fresh statistics and tidy indexes, so the first queries are as fast as later ones.
    let AnyConnection::Pg(dst) = target else {
        unreachable!("checked above")
    };
    dst.batch_execute("VACUUM (ANALYZE)")
        .map_err(err("analysing the copy"))?;
    Ok(report)
}

/// A failed copy, whichever layer it came from (rolls the transaction back).
struct Failed(String);

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Failed {
        Failed(e.to_string())
    }
}

impl From<String> for Failed {
    fn from(e: String) -> Failed {
        Failed(e)
    }
}

fn copy_table(
    src: &mut diesel::SqliteConnection,
    dst: &mut diesel::PgConnection,
    table: &str,
) -> Result<CopiedTable, String> {
    let columns = sqlite_columns(src, table)?;
    let pg = pg_columns(dst, table)?;
    let mut casts = Vec::new();
    for c in &columns {
        let kind = pg
            .iter()
            .find(|p| p.name == c.name)
            .map(|p| p.kind.clone())
            .ok_or_else(|| format!("{table}.{} does not exist on PostgreSQL", c.name))?;
        casts.push(kind);
    }
    let names = columns
        .iter()
        .map(|c| quoted(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    // One JSON array per row: SQLite types each value; blobs travel as hex.
    let values = columns
        .iter()
        .map(|c| {
            if c.kind.contains("BLOB") {
                format!("hex({})", quoted(&c.name))
            } else {
                quoted(&c.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let select = format!(
        "SELECT rowid AS rid, json_array({values}) AS row FROM {} WHERE rowid > ? ORDER BY rowid LIMIT {PAGE}",
        quoted(table)
    );
    let per_statement = (MAX_BINDS / columns.len().max(1)).max(1);
    let mut last = i64::MIN;
    let mut copied = 0i64;
    loop {
        let page: Vec<Page> = diesel::sql_query(&select)
            .bind::<BigInt, _>(last)
            .load(src)
            .map_err(err("reading rows"))?;
        let Some(end) = page.last().map(|p| p.rid) else {
            break;
        };
        last = end;
        let mut rows: Vec<Vec<Option<String>>> = Vec::with_capacity(page.len());
        for p in &page {
            let values: Vec<serde_json::Value> = serde_json::from_str(&p.row)
                .map_err(|e| format!("{table}: a row could not be read: {e}"))?;
            rows.push(
                values
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => Some(s),
                        other => Some(other.to_string()),
                    })
                    .collect(),
            );
        }
        for chunk in rows.chunks(per_statement) {
            insert(dst, table, &names, &casts, chunk)?;
            copied += chunk.len() as i64;
        }
    }
    // Ids go on after the copied ones.
    if columns.iter().any(|c| c.name == "id") {
        dst.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {q}), 0) + 1, false) \
             WHERE pg_get_serial_sequence('{t}', 'id') IS NOT NULL",
            t = table.replace('\'', "''"),
            q = quoted(table)
        ))
        .map_err(err("moving the id sequence"))?;
    }
    verify(src, dst, table, &columns, copied)
}

fn insert(
    dst: &mut diesel::PgConnection,
    table: &str,
    names: &str,
    casts: &[String],
    rows: &[Vec<Option<String>>],
) -> Result<(), String> {
    let mut sql = format!("INSERT INTO {} ({names}) VALUES ", quoted(table));
    let mut n = 0;
    for (i, _) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (j, cast) in casts.iter().enumerate() {
            n += 1;
            if j > 0 {
                sql.push_str(", ");
            }
            if cast == "bytea" {
                sql.push_str(&format!("decode(${n}, 'hex')"));
            } else {
                sql.push_str(&format!("CAST(${n} AS {cast})"));
            }
        }
        sql.push(')');
    }
    let mut q = diesel::sql_query(sql).into_boxed::<Pg>();
    for row in rows {
        for v in row {
            q = q.bind::<Nullable<Text>, _>(v.clone());
        }
    }
    q.execute(dst)
        .map(|_| ())
        .map_err(|e| format!("copying {table}: {e}"))
}

/// Row counts and the sum of every money column, compared on both sides.
fn verify(
    src: &mut diesel::SqliteConnection,
    dst: &mut diesel::PgConnection,
    table: &str,
    columns: &[Column],
    copied: i64,
) -> Result<CopiedTable, String> {
    let q = quoted(table);
    let in_source = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {q}"))
        .get_result::<Count>(src)
        .map_err(err("counting rows"))?
        .n;
    let in_target = pg_count(dst, table)?;
    if in_source != in_target || copied != in_source {
        return Err(format!(
            "{table}: {in_source} rows in SQLite but {in_target} on PostgreSQL; nothing was copied"
        ));
    }
    let mut money = Vec::new();
    for c in columns.iter().filter(|c| c.name.ends_with("_minor")) {
        let sum =
            |col: &str| format!("SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) AS n FROM {q}");
        let a = diesel::sql_query(sum(&quoted(&c.name)))
            .get_result::<Count>(src)
            .map_err(err("summing money"))?
            .n;
        let b = diesel::sql_query(sum(&quoted(&c.name)))
            .get_result::<Count>(dst)
            .map_err(err("summing money"))?
            .n;
        if a != b {
            return Err(format!(
                "{table}.{}: sums differ ({a} in SQLite, {b} on PostgreSQL); nothing was copied",
                c.name
            ));
        }
        money.push((c.name.clone(), a));
    }
    Ok(CopiedTable {
        name: table.to_string(),
        rows: in_source,
        money,
    })
}
