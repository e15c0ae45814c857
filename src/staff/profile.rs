//! Every employee's own page: contact details, password and picture.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::auth::{password, CurrentUser};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors};
use crate::platform::images;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::state::AppState;
use crate::staff::employees::model::{self, EmployeeRow, PasswordChange};
use crate::staff::employees::rules::capitalise;

#[derive(Template)]
#[template(path = "staff/profile.html")]
struct ProfilePage {
    ctx: PageCtx,
    row: EmployeeRow,
    hire_date: String,
    last_login: String,
    email: String,
    phone: String,
    errors: FormErrors,
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    user_id: i64,
    typed: Option<(String, String)>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let row = state.db.run(move |c| model::find(c, user_id)).await?;
    let (email, phone) = typed.unwrap_or_else(|| {
        (
            row.employee.email.clone().unwrap_or_default(),
            row.employee.phone.clone().unwrap_or_default(),
        )
    });
    let page = ProfilePage {
        ctx,
        hire_date: row.employee.hire_date.to_string(),
        last_login: state.clock.format_opt(row.employee.last_login_time),
        row,
        email,
        phone,
        errors,
    };
    html_status(status, &page)
}

pub async fn show(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    render(
        &state,
        ctx,
        user.id,
        None,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    email: String,
    phone: String,
}

pub async fn update_contact(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<ContactForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let email = forms::optional_email(&form.email, "email", &mut errors);
    let phone = forms::optional_phone(&form.phone, "phone", &mut errors);
    if !errors.is_empty() {
        return render(
            &state,
            ctx,
            user.id,
            Some((form.email, form.phone)),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let id = user.id;
    let changed = state
        .db
        .write(move |c| model::update_contact(c, &actor, id, email, phone))
        .await?;
    flash::success(
        &session,
        if changed {
            "Your contact details were saved."
        } else {
            "Nothing to change."
        },
    );
    Ok(see_other("/profile"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    if let Err(m) = password::check_strength(&form.new_password) {
        errors.add("new_password", capitalise(&m));
    } else if form.new_password != form.confirm_password {
        errors.add(
            "confirm_password",
            "The two new passwords are not the same.",
        );
    }
    if form.current_password.is_empty() || form.current_password.len() > 1024 {
        errors.add("current_password", "Enter your current password.");
    }
    if !errors.is_empty() {
        return render(
            &state,
            ctx,
            user.id,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let id = user.id;
    let now = crate::platform::clock::BusinessClock::now_utc();
    // Guesses of the current password are throttled like sign-in: reserve, then verify.
    let stored = state
        .db
        .write(move |c| {
            crate::platform::auth::throttle::reserve_password_check(c, id, now)?
                .map_err(|e| AppError::throttled("Too many wrong current passwords.", e))?;
            Ok(model::password_hash(c, id)?)
        })
        .await;
    let stored = match stored {
        Ok(s) => s,
        Err(AppError::RetryLater(m, secs)) => {
            errors.add("current_password", m);
            let status = StatusCode::TOO_MANY_REQUESTS;
            let mut res = render(&state, ctx, user.id, None, errors, status).await?;
            res.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(secs),
            );
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    let dummy = state.dummy_hash.clone();
    let cost = state.config.bcrypt_cost;
    let (current, new) = (form.current_password, form.new_password);
    let hashed = state
        .password_work
        .run(move || {
            if password::verify(&current, &stored, &dummy) {
                password::hash(&new, cost).map(Some)
            } else {
                Ok(None)
            }
        })
        .await?
        .map_err(AppError::Internal)?;
    if hashed.is_some() {
        state
            .db
            .write(move |c| {
                Ok(crate::platform::auth::throttle::password_check_passed(
                    c, id,
                )?)
            })
            .await?;
    }
    let Some(hash) = hashed else {
        errors.add("current_password", "Your current password is not right.");
        return render(
            &state,
            ctx,
            user.id,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let session_id = user.session_id;
    state
        .db
        .write(move |c| {
            model::set_password(
                c,
                &actor,
                id,
                &hash,
                PasswordChange::OwnFromSession(session_id),
            )
            .map(|_| ())
        })
        .await?;
    flash::success(
        &session,
        "Your password was changed. Your other sessions were signed out.",
    );
    Ok(see_other("/profile"))
}

/// The picture form is multipart, so its CSRF token travels in the query string.
pub async fn upload_picture(
    ctx: PageCtx,
    staff: Staff,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let raw = match images::read_file_field(form, "picture", images::MAX_UPLOAD_BYTES).await {
        Ok(r) => r,
        Err(AppError::PayloadTooLarge(m)) => {
            return picture_refused(&state, ctx, user.id, m, StatusCode::PAYLOAD_TOO_LARGE).await
        }
        Err(AppError::Unprocessable(m)) => {
            return picture_refused(&state, ctx, user.id, m, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => return Err(e),
    };
    let processed = state
        .image_work
        .run(move || images::process_upload(&raw))
        .await?;
    let img = match processed {
        Ok(i) => i,
        Err(m) => {
            return picture_refused(&state, ctx, user.id, m, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    let id = user.id;
    state
        .db
        .write(move |c| {
            let picture = images::store(c, &img)?;
            model::set_picture(c, &actor, id, Some(picture))
        })
        .await?;
    flash::success(&session, "Your picture was updated.");
    Ok(see_other("/profile"))
}

async fn picture_refused(
    state: &AppState,
    ctx: PageCtx,
    user_id: i64,
    message: String,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    errors.add("picture", message);
    render(state, ctx, user_id, None, errors, status).await
}

pub async fn remove_picture(staff: Staff) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = user.id;
    state
        .db
        .write(move |c| model::set_picture(c, &actor, id, None))
        .await?;
    flash::success(&session, "Your picture was removed.");
    Ok(see_other("/profile"))
}
