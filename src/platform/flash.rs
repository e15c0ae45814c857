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

pub fn push(session: &Session, kind: Kind, text: impl Into<String>) {
    let mut all: Vec<Flash> = session.get(KEY).unwrap_or(None).unwrap_or_default();
    all.push(Flash {
        kind,
        text: text.into(),
    });
    all.truncate(5);
    let _ = session.insert(KEY, all);
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
