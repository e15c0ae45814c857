//! The JSON API through the real application, as a program would call it: tokens, the cafe
//! system's contract, the errors, and what it shares with the HTML pages.

use diesel::prelude::*;
use serde_json::{json, Value};

use tillpoint::platform::schema::{api_tokens, menu_items};

use crate::cafe::setup;
use crate::helpers::*;

mod auth;
mod cafe;
mod menu;
mod more;
mod retail;
mod roles;
mod shifts;

/// A program: no cookies of its own, a token once signed in.
pub(crate) struct Api {
    pub c: Client,
    pub token: Option<String>,
}

impl Api {
    pub fn anonymous(app: &TestApp) -> Api {
        Api {
            c: app.client(),
            token: None,
        }
    }

    /// Signs in through `POST /api/auth/login/` and keeps the token.
    pub async fn signed_in(app: &TestApp, username: &str) -> Api {
        let mut api = Api::anonymous(app);
        let r = api
            .call(
                "POST",
                "/api/auth/login/",
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        r.expect(200);
        api.token = Some(r.json()["token"].as_str().unwrap().to_string());
        api
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let auth = self.token.as_ref().map(|t| format!("Token {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &auth {
            headers.push(("authorization", a));
        }
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        self.c
            .request(
                method,
                path,
                &headers,
                body.map(|b| serde_json::to_vec(&b).unwrap()),
            )
            .await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
}

/// An error body as the cafe system's clients read it.
pub(crate) fn detail(r: &Resp) -> String {
    r.json()["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail in {}", r.body))
        .to_string()
}

pub(crate) fn menu_count(app: &TestApp) -> i64 {
    menu_items::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}
