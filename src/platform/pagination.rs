//! Page numbers for lists. We fetch one row more than a page to know whether a next page
//! exists, so no list ever counts a whole table.

use crate::platform::error::AppError;

pub const MAX_PAGE: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: i64,
    pub size: i64,
}

impl PageRequest {
    pub fn parse(raw: Option<&str>, size: i64) -> Result<PageRequest, AppError> {
        let number = match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!("Page \"{}\" does not exist.", truncate(s, 20)))
                })?,
        };
        Ok(PageRequest { number, size })
    }

    pub fn offset(self) -> i64 {
        (self.number - 1) * self.size
    }

    /// How many rows to fetch: one more than shown.
    pub fn fetch(self) -> i64 {
        self.size + 1
    }
}

/// A page of rows and the links around it.
#[derive(Debug, Clone)]
pub struct Pager {
    pub number: i64,
    pub has_prev: bool,
    pub has_next: bool,
    /// The query string without `page`, for building links.
    pub base_query: String,
}

impl Pager {
    pub fn cut<T>(req: PageRequest, rows: &mut Vec<T>, base_query: String) -> Pager {
        let has_next = rows.len() as i64 > req.size;
        rows.truncate(req.size as usize);
        Pager {
            number: req.number,
            has_prev: req.number > 1,
            has_next,
            base_query,
        }
    }

    pub fn prev_href(&self) -> String {
        self.href(self.number - 1)
    }

    pub fn next_href(&self) -> String {
        self.href(self.number + 1)
    }

    fn href(&self, n: i64) -> String {
        if self.base_query.is_empty() {
            format!("?page={n}")
        } else {
            format!("?{}&page={n}", self.base_query)
        }
    }
}

/// `a=1&b=x%20y` from the non-empty filter values, for page and export links.
pub fn filter_query(pairs: &[(&str, &String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::platform::auth::guard::urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// The export link that carries the list's filters.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pages() {
        assert_eq!(PageRequest::parse(None, 25).unwrap().offset(), 0);
        assert_eq!(PageRequest::parse(Some("3"), 25).unwrap().offset(), 50);
        assert!(PageRequest::parse(Some("0"), 25).is_err());
        assert!(PageRequest::parse(Some("-1"), 25).is_err());
        assert!(PageRequest::parse(Some("x"), 25).is_err());
        assert!(PageRequest::parse(Some("99999999999999999999"), 25).is_err());
    }

    #[test]
    fn cuts_and_links() {
        let mut rows: Vec<i32> = (0..26).collect();
        let p = Pager::cut(
            PageRequest {
                number: 2,
                size: 25,
            },
            &mut rows,
            "action=LOGIN".into(),
        );
        assert_eq!(rows.len(), 25);
        assert!(p.has_next && p.has_prev);
        assert_eq!(p.next_href(), "?action=LOGIN&page=3");
    }
}
