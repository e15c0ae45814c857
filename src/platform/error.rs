//! One error type for every handler. The response is an HTML page or `{"error": …}` JSON; which
//! one is decided later by `negotiate_errors`, which sees the request.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// 401 for a program: no credentials, or credentials that are no good (`WWW-Authenticate`).
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// 429 with `Retry-After` (seconds): a throttle or a busy gate.
    #[error("{0}")]
    RetryLater(String, u64),
    #[error("{0}")]
    Unavailable(String),
    /// A refusal that belongs beside inputs of a form (a taken username, an archived
    /// category): the form is shown again with each message at its field. 409 when the value
    /// clashes with what is stored, 422 when the value itself is wrong.
    #[error("{}", .errors.first())]
    Fields {
        status: StatusCode,
        errors: crate::platform::forms::FormErrors,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

/// What the error page or JSON body shows; attached to the response for `negotiate_errors`.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub message: String,
    /// Messages that belong to fields (the JSON API answers them as `{"field": ["…"]}`).
    pub fields: Vec<(&'static str, String)>,
}

impl AppError {
    /// A full rate-limit window: 429, the wait in minutes in the text and seconds in the header.
    pub fn throttled(what: &str, e: crate::platform::rate_limit::Exceeded) -> AppError {
        let m = e.minutes();
        let unit = if m == 1 { "minute" } else { "minutes" };
        AppError::RetryLater(
            format!("{what} Please try again in {m} {unit}."),
            e.retry_after_secs as u64,
        )
    }

    /// The value of `field` clashes with a stored record (409).
    pub fn field_conflict(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::field(StatusCode::CONFLICT, field, message)
    }

    /// The value of `field` cannot be used (422).
    pub fn field_invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::field(StatusCode::UNPROCESSABLE_ENTITY, field, message)
    }

    fn field(status: StatusCode, field: &'static str, message: impl Into<String>) -> AppError {
        let mut errors = crate::platform::forms::FormErrors::default();
        errors.add(field, message);
        AppError::Fields { status, errors }
    }

    /// A form's handler: field errors to show beside their inputs, or the error to answer with.
    pub fn into_fields(self) -> Result<(crate::platform::forms::FormErrors, StatusCode), AppError> {
        match self {
            AppError::Fields { status, errors } => Ok((errors, status)),
            other => Err(other),
        }
    }

    /// A refusal to show again on the form it came from — any 4xx but "not found" — at its
    /// fields, or at `field` when it names none; anything else stays an error.
    pub fn on_form(
        self,
        field: &'static str,
    ) -> Result<(crate::platform::forms::FormErrors, StatusCode), AppError> {
        if !self.status_code().is_client_error() || matches!(self, AppError::NotFound(_)) {
            return Err(self);
        }
        let status = self.status_code();
        Ok(match self.into_fields() {
            Ok((errors, _)) => (errors, status),
            Err(other) => {
                let mut errors = crate::platform::forms::FormErrors::default();
                errors.add(field, other.public_message());
                (errors, status)
            }
        })
    }

    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(format!("{what} was not found."))
    }

    /// A second archive (or restore) of the same record: nothing to do, and the user should know.
    pub fn already(name: &str, active: bool) -> AppError {
        AppError::Conflict(if active {
            format!("{name} is not archived.")
        } else {
            format!("{name} is already archived.")
        })
    }

    /// The message a user may see: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => {
                "Something went wrong on our side. Nothing was saved; please try again.".into()
            }
            AppError::Unavailable(_) => {
                "The database is not answering right now. Please try again in a moment.".into()
            }
            other => other.to_string(),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => {
                AppError::NotFound("That record was not found.".into())
            }
            // PostgreSQL chose this transaction as the one to undo (a deadlock or a
            // serialization failure): everything rolled back, and the same submission (its
            // one-time key) can simply be sent again.
            diesel::result::Error::DatabaseError(kind, info)
                if matches!(
                    kind,
                    diesel::result::DatabaseErrorKind::SerializationFailure
                ) || info.message().contains("deadlock detected") =>
            {
                AppError::Conflict(
                    "Another till changed the same records at that moment. Nothing was saved: \
                     please try again."
                        .into(),
                )
            }
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        AppError::Internal(format!("session: {e}"))
    }
}

impl From<actix_session::SessionGetError> for AppError {
    fn from(_: actix_session::SessionGetError) -> Self {
        AppError::BadRequest("Your session cookie could not be read. Please sign in again.".into())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) | AppError::RetryLater(..) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Fields { status, .. } => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(detail) = self {
            tracing::error!("{detail}");
        }
        let status = self.status_code();
        let mut res = HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(self.public_message());
        if let AppError::RetryLater(_, secs) = self {
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(*secs),
            );
        }
        if let AppError::Unauthenticated(_) = self {
            res.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Token"),
            );
        }
        let fields = match self {
            AppError::Fields { errors, .. } => {
                errors.iter().map(|(f, m)| (f, m.to_string())).collect()
            }
            _ => Vec::new(),
        };
        res.extensions_mut().insert(ErrorInfo {
            status,
            message: self.public_message(),
            fields,
        });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn db_error(kind: DatabaseErrorKind, message: &str) -> Error {
        Error::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn a_deadlock_victim_is_asked_to_try_again_not_a_server_error() {
        let e: AppError = db_error(DatabaseErrorKind::Unknown, "deadlock detected").into();
        assert_eq!(e.status_code(), StatusCode::CONFLICT);
        assert!(e.public_message().contains("try again"));
        let e: AppError = db_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize",
        )
        .into();
        assert_eq!(e.status_code(), StatusCode::CONFLICT);
    }

    #[test]
    fn other_database_errors_stay_internal() {
        let e: AppError = db_error(DatabaseErrorKind::Unknown, "disk full").into();
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.public_message().contains("disk"));
    }
}
