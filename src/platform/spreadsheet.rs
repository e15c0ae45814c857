//! Reading a spreadsheet a person uploads: CSV (UTF-8 with or without a byte-order mark, comma
//! or semicolon, quoted fields) or XLSX (the first worksheet). Everything is bounded before it
//! is held: the file's bytes, an XLSX's decompressed size (a zip bomb is refused before the
//! workbook is opened), rows, columns and cell length. Columns are found by header name, so a
//! file may order them as it likes and carry columns we do not use.

use std::io::{Cursor, Read};

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;
pub const MAX_COLUMNS: usize = 60;
pub const MAX_CELL_CHARS: usize = 2_000;
/// What an XLSX may unpack to, in total: a 10 MB workbook of text is ~60 MB of XML at most.
const MAX_UNPACKED: u64 = 80 * 1024 * 1024;
const MAX_ZIP_ENTRIES: usize = 500;

/// One data row, with the line people see in their spreadsheet (the header is line 1).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub line: usize,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The header cells as written.
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// A column a kind of import understands: the header its template writes, and other spellings
/// accepted (the seed's field names among them).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Column {
    pub const fn new(
        key: &'static str,
        header: &'static str,
        aliases: &'static [&'static str],
        required: bool,
    ) -> Column {
        Column {
            key,
            header,
            aliases,
            required,
        }
    }
}

/// The header of the column `key` (or of the column a form's field `key` comes from), for
/// messages that name it; empty when there is none.
pub fn header_of(spec: &[Column], key: &str) -> &'static str {
    spec.iter().find(|c| c.key == key).map_or("", |c| c.header)
}

/// `"Cost Price"`, `"cost_price"` and `" COST-PRICE "` are the same header.
pub fn header_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each known column is in the file.
#[derive(Debug, Clone)]
pub struct Columns {
    spec: &'static [Column],
    at: Vec<Option<usize>>,
    /// Header cells of the file that no column matched (shown, then left alone).
    pub ignored: Vec<String>,
}

impl Columns {
    pub fn find(spec: &'static [Column], headers: &[String]) -> Result<Columns, String> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut at = Vec::with_capacity(spec.len());
        let mut used = vec![false; keys.len()];
        for col in spec {
            let names: Vec<String> = std::iter::once(col.header)
                .chain(col.aliases.iter().copied())
                .map(header_key)
                .collect();
            let hits: Vec<usize> = (0..keys.len())
                .filter(|&i| names.contains(&keys[i]))
                .collect();
            if hits.len() > 1 {
                return Err(format!(
                    "The file has the \"{}\" column more than once (columns {}). Keep one.",
                    col.header,
                    hits.iter()
                        .map(|i| column_letter(*i))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ));
            }
            if col.required && hits.is_empty() {
                return Err(format!(
                    "The file has no \"{}\" column. The first row must name the columns; \
                     download the template to see them.",
                    col.header
                ));
            }
            for &i in &hits {
                used[i] = true;
            }
            at.push(hits.first().copied());
        }
        let ignored = headers
            .iter()
            .zip(&used)
            .filter(|(h, u)| !**u && !h.trim().is_empty())
            .map(|(h, _)| h.trim().to_string())
            .collect();
        Ok(Columns { spec, at, ignored })
    }

    fn index(&self, key: &str) -> Option<usize> {
        let i = self.spec.iter().position(|c| c.key == key)?;
        self.at[i]
    }

    /// Whether the file has this column at all (a missing optional column keeps what is stored).
    pub fn has(&self, key: &str) -> bool {
        self.index(key).is_some()
    }

    /// The trimmed cell of `key` in `row`; empty when the file has no such column.
    pub fn get<'r>(&self, row: &'r SheetRow, key: &str) -> &'r str {
        self.index(key)
            .and_then(|i| row.cells.get(i))
            .map_or("", |s| s.trim())
    }

    /// The header the person sees for `key`, for messages.
    pub fn header(&self, key: &str) -> &'static str {
        header_of(self.spec, key)
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`: how spreadsheets name columns.
pub fn column_letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push((b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.iter().rev().collect()
}

/// The header row of a template: the columns' headers, in order.
pub fn template_header(spec: &[Column]) -> Vec<&'static str> {
    spec.iter().map(|c| c.header).collect()
}

const NOT_A_SHEET: &str =
    "This file is not a spreadsheet we can read. Upload a CSV file (UTF-8 text) or an Excel .xlsx workbook.";

/// Reads an uploaded file. The message of an error is for the person who uploaded it.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Sheet, String> {
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    if bytes.is_empty() {
        return Err("The file is empty.".into());
    }
    let lower = file_name.to_lowercase();
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    if lower.ends_with(".xlsx") {
        return Err("This .xlsx file is damaged or is not an Excel workbook.".into());
    }
    if lower.ends_with(".xls") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(
            "Old Excel .xls files cannot be read. Save the sheet as .xlsx or CSV and upload that."
                .into(),
        );
    }
    read_csv(bytes)
}

pub fn too_large() -> String {
    format!(
        "The file is larger than {} MB. Split it into smaller files.",
        MAX_BYTES / (1024 * 1024)
    )
}

fn too_many_rows() -> String {
    format!("The file has more than {MAX_ROWS} rows. Split it into smaller files.")
}

fn too_many_columns() -> String {
    format!("The file has more than {MAX_COLUMNS} columns. Keep only the columns of the template.")
}

fn check_cell(cell: &str, line: usize, col: usize) -> Result<(), String> {
    if cell.chars().count() > MAX_CELL_CHARS {
        return Err(format!(
            "Line {line}, column {}: the cell is longer than {MAX_CELL_CHARS} characters.",
            column_letter(col)
        ));
    }
    Ok(())
}

/// `;` when the header line has more semicolons than commas outside quotes (a spreadsheet
/// saved where the comma is the decimal separator), else `,`.
fn delimiter(text: &str) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|_| {
        if body.iter().take(8192).any(|b| *b == 0) {
            NOT_A_SHEET.to_string()
        } else {
            "The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\" and upload it again."
                .to_string()
        }
    })?;
    if text.contains('\0') {
        return Err(NOT_A_SHEET.into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!(
                    "Line {line} could not be read as CSV (a quote that is never closed?)."
                ));
            }
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() > MAX_COLUMNS {
            return Err(too_many_columns());
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        for (i, c) in cells.iter().enumerate() {
            check_cell(c, line, i)?;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        rows.push(SheetRow { line, cells });
    }
    let headers = headers.ok_or("The file has no rows. The first row must name the columns.")?;
    Ok(Sheet { headers, rows })
}

/// Unpacks every entry of the archive into nothing, counting: the declared sizes of a zip can
/// lie, the bytes that come out cannot.
fn check_archive(bytes: &[u8]) -> Result<(), String> {
    let damaged = || "This .xlsx file is damaged or is not an Excel workbook.".to_string();
    let bomb = || {
        "This workbook unpacks to far more data than a spreadsheet of this size holds; it was refused."
            .to_string()
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| damaged())?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(damaged());
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| damaged())?;
        let left = MAX_UNPACKED - total;
        let n = std::io::copy(&mut (&mut entry).take(left + 1), &mut std::io::sink())
            .map_err(|_| damaged())?;
        total += n;
        if total > MAX_UNPACKED {
            return Err(bomb());
        }
    }
    Ok(())
}

fn xlsx_cell(v: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match v {
        DataRef::Int(i) => i.to_string(),
        // Excel keeps every number as a float: 4806504712345 and 3 must come back as written.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => d.as_f64().to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e}"),
        DataRef::Empty => String::new(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, String> {
    use calamine::Reader;
    check_archive(bytes)?;
    let damaged = |_| "This .xlsx file is damaged or is not an Excel workbook.".to_string();
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("The workbook has no worksheet.")?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(damaged)?;
    // Cells come row by row; only used cells are listed, so a lone cell far away costs nothing.
    let mut grid: Vec<(u32, Vec<String>)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(damaged)? {
        let (row, col) = cell.get_position();
        let value = xlsx_cell(cell.get_value());
        if value.trim().is_empty() {
            continue;
        }
        let col = col as usize;
        if col >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        check_cell(&value, row as usize + 1, col)?;
        if grid.last().is_none_or(|r| r.0 != row) {
            if grid.len() > MAX_ROWS {
                return Err(too_many_rows());
            }
            grid.push((row, Vec::new()));
        }
        let cells = &mut grid.last_mut().expect("pushed above").1;
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = value;
    }
    let mut rows = grid.into_iter();
    let (_, headers) = rows
        .next()
        .ok_or("The worksheet is empty. The first row must name the columns.")?;
    Ok(Sheet {
        headers,
        rows: rows
            .map(|(r, cells)| SheetRow {
                line: r as usize + 1,
                cells,
            })
            .collect(),
    })
}

/// A yes/no cell: yes, y, true, 1, x, ✓ — or no, n, false, 0 and blank.
pub fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "✓" | "on" => Some(true),
        "no" | "n" | "false" | "0" | "" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[Column] = &[
        Column {
            key: "name",
            header: "Name",
            aliases: &["product_name"],
            required: true,
        },
        Column {
            key: "cost",
            header: "Cost price",
            aliases: &[],
            required: false,
        },
    ];

    #[test]
    fn reads_csv_with_bom_semicolons_and_quotes() {
        let sheet = read(
            "x.csv",
            "\u{feff}Product_Name;COST PRICE;notes\n\"Cable; 1m\";12,50;\"said \"\"hi\"\"\"\n\n;;\nMouse;3;\n"
                .as_bytes(),
        )
        .unwrap();
        let cols = Columns::find(SPEC, &sheet.headers).unwrap();
        assert_eq!(cols.ignored, vec!["notes".to_string()]);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(cols.get(&sheet.rows[0], "name"), "Cable; 1m");
        assert_eq!(cols.get(&sheet.rows[0], "cost"), "12,50");
        assert_eq!(sheet.rows[0].line, 2);
        assert_eq!(sheet.rows[1].line, 5);
        assert_eq!(cols.get(&sheet.rows[1], "name"), "Mouse");
    }

    #[test]
    fn refuses_missing_or_doubled_columns_and_binary() {
        let sheet = read("x.csv", b"cost price\n1\n").unwrap();
        assert!(Columns::find(SPEC, &sheet.headers)
            .unwrap_err()
            .contains("no \"Name\" column"));
        let sheet = read("x.csv", b"name,Name\n1,2\n").unwrap();
        assert!(Columns::find(SPEC, &sheet.headers)
            .unwrap_err()
            .contains("more than once (columns A and B)"));
        assert!(read("x.csv", b"\x00\x01\x02\xff\xfe").is_err());
        assert!(read("x.csv", b"name\n\xff\n")
            .unwrap_err()
            .contains("UTF-8"));
        assert!(read("x.xlsx", b"name\n").unwrap_err().contains("damaged"));
        assert!(read("x.csv", b"").is_err());
        let wide = vec!["c"; MAX_COLUMNS + 1].join(",");
        assert!(read("x.csv", wide.as_bytes())
            .unwrap_err()
            .contains("columns"));
    }

    #[test]
    fn column_letters_and_yes_no() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(yes_no(" Yes "), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("maybe"), None);
        assert_eq!(header_key(" Cost_Price "), "costprice");
    }
}
