//! The create and edit form of a record (a branch, an employee, a product, a table…), the same
//! for every kind: the routes `new`, `create`, `edit` and `update` here validate what was typed,
//! write it in one transaction with its audit row, then flash and redirect — or show the form
//! again with each refusal beside its field (the model's typed field errors included). A record
//! brings only what is its own: its defaults, how a saved row reads as a form, its rules, its
//! writes, its words and its page.

// Handlers run on actix's per-thread runtime, so the futures of these trait methods need not be
// `Send`; the lint that asks to name that bound does not apply.
#![allow(async_fn_in_trait)]

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;

use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{see_other, PageCtx};
use crate::platform::state::AppState;

/// What a form page is drawn with: the page context, who asks, and the app.
pub struct FormCall {
    pub ctx: PageCtx,
    pub user: CurrentUser,
    pub state: web::Data<AppState>,
}

/// One kind of record's form.
pub trait RecordForm: 'static {
    /// The fields as typed, which is also what the browser posts.
    type Form: DeserializeOwned + Clone + Send + 'static;
    /// The checked values `validate` makes of them.
    type Input: Send + 'static;

    /// A new record's form as it first shows (its defaults, the branch asked for).
    fn blank(state: &AppState, req: &HttpRequest) -> Result<Self::Form, AppError>;
    /// A saved record as its form.
    fn load(conn: &mut AnyConnection, id: i64) -> Result<Self::Form, AppError>;
    /// The record's rules: every refusal against its field. `id` is `None` for a new record.
    fn validate(
        state: &AppState,
        form: &Self::Form,
        id: Option<i64>,
    ) -> Result<Self::Input, FormErrors>;
    /// Slow work kept out of the write transaction (hashing a password); most have none.
    async fn prepare(
        _state: &AppState,
        input: Self::Input,
        _id: Option<i64>,
    ) -> Result<Self::Input, AppError> {
        Ok(input)
    }
    /// The INSERT and its audit row; answers the new id. `form` tells where it was asked for
    /// (the branch), `user` who may ask for it.
    fn create(
        conn: &mut AnyConnection,
        actor: &Actor,
        user: &CurrentUser,
        form: &Self::Form,
        input: &Self::Input,
    ) -> Result<i64, AppError>;
    /// The UPDATE and its audit row.
    fn update(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        input: &Self::Input,
    ) -> Result<(), AppError>;
    /// What the flash says after a save ("Branch Cebu was created.").
    fn said(input: &Self::Input, created: bool) -> String;
    /// Where the browser goes after a save.
    fn then(id: i64) -> String;
    /// The form page: `id` is `None` for a new record; `errors` stand beside their fields.
    async fn page(
        call: FormCall,
        id: Option<i64>,
        form: Self::Form,
        errors: FormErrors,
        status: StatusCode,
    ) -> Result<HttpResponse, AppError>;
}

pub async fn new<R: RecordForm>(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let form = R::blank(&state, &req)?;
    let call = FormCall { ctx, user, state };
    R::page(call, None, form, FormErrors::default(), StatusCode::OK).await
}

pub async fn edit<R: RecordForm>(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = state.db.run(move |c| R::load(c, id)).await?;
    let call = FormCall { ctx, user, state };
    R::page(call, Some(id), form, FormErrors::default(), StatusCode::OK).await
}

pub async fn create<R: RecordForm>(
    ctx: PageCtx,
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<R::Form>,
) -> Result<HttpResponse, AppError> {
    let call = FormCall { ctx, user, state };
    save::<R>(call, actor, session, None, form.into_inner()).await
}

pub async fn update<R: RecordForm>(
    ctx: PageCtx,
    user: CurrentUser,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<i64>,
    form: web::Form<R::Form>,
) -> Result<HttpResponse, AppError> {
    let call = FormCall { ctx, user, state };
    save::<R>(
        call,
        actor,
        session,
        Some(id.into_inner()),
        form.into_inner(),
    )
    .await
}

async fn save<R: RecordForm>(
    call: FormCall,
    actor: Actor,
    session: Session,
    id: Option<i64>,
    form: R::Form,
) -> Result<HttpResponse, AppError> {
    let input = match R::validate(&call.state, &form, id) {
        Ok(i) => i,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return R::page(call, id, form, errors, status).await;
        }
    };
    let input = R::prepare(&call.state, input, id).await?;
    let said = R::said(&input, id.is_none());
    let (user, posted) = (call.user.clone(), form.clone());
    let written = call
        .state
        .db
        .write(move |c| match id {
            Some(id) => R::update(c, &actor, id, &input).map(|()| id),
            None => R::create(c, &actor, &user, &posted, &input),
        })
        .await;
    match written {
        Ok(saved) => {
            flash::success(&session, said);
            Ok(see_other(&R::then(saved)))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            R::page(call, id, form, errors, status).await
        }
    }
}
