//! What every handler that changes something is handed: who is signed in, the same person as
//! the audit trail's actor, the app, and their session (for the message shown after). One
//! extractor instead of four arguments on every handler.

use std::future::{ready, Ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::error::AppError;
use crate::platform::state::AppState;

pub struct Staff {
    pub user: CurrentUser,
    pub actor: Actor,
    pub state: web::Data<AppState>,
    pub session: Session,
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Ready<Result<Staff, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Staff::of(req, payload))
    }
}

impl Staff {
    /// The four parts, in the order of the struct, for handlers that use them by name.
    pub fn parts(self) -> (CurrentUser, Actor, web::Data<AppState>, Session) {
        (self.user, self.actor, self.state, self.session)
    }

    fn of(req: &HttpRequest, payload: &mut Payload) -> Result<Staff, AppError> {
        let user = CurrentUser::from_request(req, payload).into_inner()?;
        let actor = Actor::from_request(req, payload).into_inner()?;
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal("the app state is missing".into()))?;
        let session = req.get_session();
        Ok(Staff {
            user,
            actor,
            state,
            session,
        })
    }
}
