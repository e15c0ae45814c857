//! What every page's layout needs: the signed-in employee, navigation, CSRF token, flashes.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;

use crate::platform::auth::csrf;
use crate::platform::auth::guard::{self, CurrentUser, SESSION_TOKEN_KEY};
use crate::platform::error::AppError;
use crate::platform::flash::{self, Flash};
use crate::platform::state::AppState;

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What each role sees in the navigation bar: given by the application (which knows its
/// routes) as app data, so the platform does not import from above it.
#[derive(Clone, Copy)]
pub struct Navigation(pub fn(crate::platform::auth::Role, &str) -> Vec<NavLink>);

#[derive(Debug, Clone)]
pub struct PageCtx {
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
    pub nav: Vec<NavLink>,
    pub business_name: String,
    pub currency: String,
}

impl PageCtx {
    /// Whether the signed-in person is a manager (pages show manager-only links).
    pub fn is_manager(&self) -> bool {
        self.user.as_ref().is_some_and(CurrentUser::is_manager)
    }

    pub fn role_label(&self) -> &str {
        self.user.as_ref().map(|u| u.role.label()).unwrap_or("")
    }

    /// A page shown to someone who is not signed in, e.g. an error page before routing.
    pub fn bare(business_name: &str) -> PageCtx {
        PageCtx {
            user: None,
            csrf: String::new(),
            flashes: vec![],
            nav: vec![],
            business_name: business_name.to_string(),
            currency: String::new(),
        }
    }
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<PageCtx, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal("state missing".into()))?;
            let session = req.get_session();
            let mut user = req.extensions().get::<CurrentUser>().cloned();
            // Public pages (login) still want to know who is signed in.
            if user.is_none() {
                if let Ok(Some(token)) = session.get::<String>(SESSION_TOKEN_KEY) {
                    user = guard::load_user(&state, token).await?;
                }
            }
            let nav = user
                .as_ref()
                .zip(req.app_data::<web::Data<Navigation>>())
                .map(|(u, nav)| (nav.0)(u.role, req.path()))
                .unwrap_or_default();
            // Only a navigation shows (and so uses up) the messages: a live screen's script
            // fetching a page or fragment in the background must not eat the "order placed"
            // meant for the page the browser is about to show after a redirect.
            let navigating = req
                .headers()
                .get("sec-fetch-mode")
                .is_none_or(|m| m.as_bytes() == b"navigate");
            Ok(PageCtx {
                csrf: csrf::token(&session),
                flashes: if navigating {
                    flash::take(&session)
                } else {
                    Vec::new()
                },
                nav,
                user,
                business_name: state.config.business_name.clone(),
                currency: state.config.currency.clone(),
            })
        })
    }
}

pub fn html<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    html_status(StatusCode::OK, page)
}

pub fn html_status<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

pub use crate::platform::redirect::see_other;
