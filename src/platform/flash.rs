//! One-time messages shown on the next page (Post/Redirect/Get), kept in the session cookie.

use actix_session::Session;
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Success,
    Info,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: Kind,
    pub text: String,
}

impl Flash {
    pub fn css(&self) -> &'static str {
        match self.kind {
            Kind::Success => "flash flash-success",
            Kind::Info => "flash flash-info",
            Kind::Error => "flash flash-error",
        }
    }
}

/// At most this many messages wait for the next page; older ones give way to newer ones.
pub const MAX_MESSAGES: usize = 3;
/// A longer message (a record with a very long name) is shortened with an ellipsis: the
/// session cookie must stay well under the browsers' 4 KB.
pub const MAX_CHARS: usize = 200;

pub fn push(session: &Session, kind: Kind, text: impl Into<String>) {
    let all: Vec<Flash> = session.get(KEY).unwrap_or(None).unwrap_or_default();
    let _ = session.insert(
        KEY,
        bounded(
            all,
            Flash {
                kind,
                text: text.into(),
            },
        ),
    );
}

/// The queue after adding `new`: the newest `MAX_MESSAGES`, each at most `MAX_CHARS`.
fn bounded(mut all: Vec<Flash>, mut new: Flash) -> Vec<Flash> {
    if new.text.chars().count() > MAX_CHARS {
        new.text = new.text.chars().take(MAX_CHARS - 1).collect::<String>() + "…";
    }
    all.retain(|f| f.text.chars().count() <= MAX_CHARS);
    all.push(new);
    let extra = all.len().saturating_sub(MAX_MESSAGES);
    all.drain(..extra);
    all
}

pub fn success(session: &Session, text: impl Into<String>) {
    push(session, Kind::Success, text)
}

pub fn take(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(KEY)
        .and_then(Result::ok)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_few_and_shortens_long_ones() {
        let mut all = Vec::new();
        for i in 0..10 {
            all = bounded(
                all,
                Flash {
                    kind: Kind::Success,
                    text: format!("{i} {}", "x".repeat(900)),
                },
            );
        }
        assert_eq!(all.len(), MAX_MESSAGES);
        assert!(all[MAX_MESSAGES - 1].text.starts_with("9 "));
        assert!(all.iter().all(|f| f.text.chars().count() <= MAX_CHARS));
        assert!(all[0].text.ends_with('…'));
    }
}
