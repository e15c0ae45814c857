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
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use crate::platform::audit::Actor;
use crate::platform::auth::CurrentUser;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{see_other, PageCtx};
use crate::platform::state::AppState;

/// What a form page is drawn with: the page context, who asks, the app, which record (`None`
/// for a new one), the fields as typed, the refusals beside them and the answer's status.
pub struct FormView<F> {
    pub ctx: PageCtx,
    pub user: CurrentUser,
    pub state: web::Data<AppState>,
    pub id: Option<i64>,
    pub form: F,
    pub errors: FormErrors,
    pub status: StatusCode,
}

/// Who asked, before there is a form to show.
struct FormCall {
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
}

impl FormCall {
    fn show<F>(
        self,
        id: Option<i64>,
        form: F,
        errors: FormErrors,
        status: StatusCode,
    ) -> FormView<F> {
        let FormCall { ctx, user, state } = self;
        FormView {
            ctx,
            user,
            state,
            id,
            form,
            errors,
            status,
        }
    }
}

/// What the rules may ask beyond the form: today's date in the business, and which record
/// (`None` for a new one).
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    pub today: NaiveDate,
    pub id: Option<i64>,
}

/// A new record to write: who writes it, who asked (their branch scope), the form as typed
/// (where it was asked for) and the checked values.
pub struct New<'a, R: RecordForm + ?Sized> {
    pub actor: &'a Actor,
    pub user: &'a CurrentUser,
    pub form: &'a R::Form,
    pub input: &'a R::Input,
}

/// A record's UPDATE with its audit row, run in the write transaction.
pub type Update<R> =
    fn(&mut AnyConnection, &Actor, i64, &<R as RecordForm>::Input) -> Result<(), AppError>;

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
    /// The record's rules: every refusal against its field.
    fn validate(form: &Self::Form, ask: Ask) -> Result<Self::Input, FormErrors>;
    /// Slow work kept out of the write transaction (hashing a password); most have none.
    async fn prepare(
        _state: &AppState,
        input: Self::Input,
        _id: Option<i64>,
    ) -> Result<Self::Input, AppError> {
        Ok(input)
    }
    /// The INSERT and its audit row; answers the new id.
    fn create(conn: &mut AnyConnection, new: New<'_, Self>) -> Result<i64, AppError>;
    /// The UPDATE and its audit row (the model's `update`).
    const UPDATE: Update<Self>;
    /// What the flash says after creating and after saving; `{name}` stands for the record's
    /// name.
    const SAID: [&'static str; 2];
    /// The record's name in those messages.
    fn name(input: &Self::Input) -> String;
    /// Where the browser goes after a save; `{id}` stands for the record's id.
    const NEXT: &'static str;
    /// The form page.
    async fn page(view: FormView<Self::Form>) -> Result<HttpResponse, AppError>;
}

pub async fn new<R: RecordForm>(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let form = R::blank(&state, &req)?;
    let call = FormCall { ctx, user, state };
    R::page(call.show(None, form, FormErrors::default(), StatusCode::OK)).await
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
    R::page(call.show(Some(id), form, FormErrors::default(), StatusCode::OK)).await
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
    let ask = Ask {
        today: call.state.clock.today(),
        id,
    };
    let input = match R::validate(&form, ask) {
        Ok(i) => i,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return R::page(call.show(id, form, errors, status)).await;
        }
    };
    let input = R::prepare(&call.state, input, id).await?;
    let said = R::SAID[usize::from(id.is_some())].replace("{name}", &R::name(&input));
    let (user, posted) = (call.user.clone(), form.clone());
    let written = call
        .state
        .db
        .write(move |c| match id {
            Some(id) => R::UPDATE(c, &actor, id, &input).map(|()| id),
            None => {
                let new = New {
                    actor: &actor,
                    user: &user,
                    form: &posted,
                    input: &input,
                };
                R::create(c, new)
            }
        })
        .await;
    match written {
        Ok(saved) => {
            flash::success(&session, said);
            Ok(see_other(&R::NEXT.replace("{id}", &saved.to_string())))
        }
        Err(e) => {
            let (errors, status) = e.into_fields()?;
            R::page(call.show(id, form, errors, status)).await
        }
    }
}
