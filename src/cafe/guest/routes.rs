//! `/t/{token}`: public. Every refusal re-renders the page with the guest's choices kept and
//! a message saying what to do; nothing is written.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::cafe::events::{self, CafeEvent};
use crate::cafe::guest::feedback;
use crate::cafe::guest::view::{self, GuestView, MenuQuery};
use crate::cafe::modifiers::rules::{GroupRule, OptionRule};
use crate::cafe::ordering::{self, OrderLine, OrderRequest};
use crate::cafe::visitors::{self, GuestHint};
use crate::platform::audit::Actor;
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::Pairs;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub q: String,
    pub veg: String,
    /// "1": the guest whose visit just ended wants the menu again.
    pub new: String,
}

impl PageQuery {
    fn menu(&self) -> Result<MenuQuery, AppError> {
        let q = self.q.trim();
        if q.chars().count() > 60 {
            return Err(AppError::BadRequest(
                "The search can be at most 60 characters.".into(),
            ));
        }
        Ok(MenuQuery {
            q: (!q.is_empty()).then(|| q.to_string()),
            veg_only: self.veg == "1",
        })
    }
}

/// What the guest typed, shown again after a refusal.
#[derive(Default)]
pub struct Typed {
    pub qty: HashMap<i64, String>,
    pub note: HashMap<i64, String>,
    pub notes: String,
    /// The options ticked per item; `None` for a fresh page (required sizes start on their
    /// first option).
    pub mods: Option<HashMap<i64, Vec<i64>>>,
}

/// Typed text shown back in a form: bounded, without control characters.
fn echo(v: &str, max: usize) -> String {
    v.chars().filter(|c| !c.is_control()).take(max).collect()
}

impl Typed {
    fn from(p: &Pairs) -> Typed {
        let mut t = Typed {
            notes: echo(p.get("notes"), 200),
            ..Default::default()
        };
        for (suffix, v) in p.with_prefix("qty_").take(200) {
            if let Ok(id) = suffix.parse::<i64>() {
                t.qty.insert(id, echo(v, 6));
            }
        }
        for (suffix, v) in p.with_prefix("note_").take(200) {
            if let Ok(id) = suffix.parse::<i64>() {
                t.note.insert(id, echo(v, 200));
            }
        }
        let mut mods: HashMap<i64, Vec<i64>> = HashMap::new();
        for (suffix, v) in p.with_prefix("mod_").take(2000) {
            let item = suffix.split('_').next().and_then(|s| s.parse::<i64>().ok());
            if let (Some(item), Ok(option)) = (item, v.parse::<i64>()) {
                mods.entry(item).or_default().push(option);
            }
        }
        t.mods = Some(mods);
        t
    }

    /// Whether the option shows ticked: as the guest left it, or on a fresh page the first
    /// in-stock option of a group that needs exactly one.
    pub fn ticked(&self, item: &i64, g: &GroupRule, opts: &[OptionRule], o: &OptionRule) -> bool {
        match &self.mods {
            Some(m) => m.get(item).is_some_and(|v| v.contains(&o.id)),
            None => {
                g.min == 1
                    && g.max == 1
                    && opts.iter().find(|x| x.in_stock).map(|x| x.id) == Some(o.id)
            }
        }
    }

    /// Whether the "none" choice of an optional one-choice group shows ticked.
    pub fn none_ticked(&self, item: &i64, opts: &[OptionRule]) -> bool {
        match &self.mods {
            Some(m) => !m
                .get(item)
                .is_some_and(|v| opts.iter().any(|o| v.contains(&o.id))),
            None => true,
        }
    }

    pub fn qty_of(&self, id: &i64) -> &str {
        self.qty.get(id).map(String::as_str).unwrap_or("")
    }

    pub fn note_of(&self, id: &i64) -> &str {
        self.note.get(id).map(String::as_str).unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "cafe/guest/page.html")]
struct GuestPage {
    ctx: PageCtx,
    v: GuestView,
    query: PageQuery,
    typed: Typed,
    error: Option<String>,
    /// One-time key of this rendering's order forms.
    order_key: String,
}

impl GuestPage {
    /// The guest's visit has just been closed and paid: the page thanks them and asks for
    /// feedback instead of offering the order form (one tap brings the menu back).
    fn visit_over(&self) -> bool {
        self.v.open.is_none()
            && self.v.feedback.is_some()
            && self.query.new != "1"
            && self.query.q.is_empty()
            && self.error.is_none()
    }
}

#[derive(Template)]
#[template(path = "cafe/guest/status.html")]
struct StatusFragment {
    ctx: PageCtx,
    v: GuestView,
}

async fn load_view(
    state: &AppState,
    token: String,
    hint: GuestHint,
    mq: MenuQuery,
) -> Result<GuestView, AppError> {
    let (config, cache) = (state.clone_config(), state.cache.clone());
    state
        .db
        .read(move |c| {
            view::load(
                c,
                &cache,
                &config,
                &token,
                &hint,
                &mq,
                BusinessClock::now_utc(),
            )
        })
        .await?
        .ok_or_else(ordering::invalid_code)
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    req: &HttpRequest,
    token: String,
    query: PageQuery,
    typed: Typed,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let v = load_view(state, token, visitors::hint(req), query.menu()?).await?;
    let (status, error) = match error {
        Some((s, m)) => (s, Some(m)),
        None => (StatusCode::OK, None),
    };
    let mut resp = html_status(
        status,
        &GuestPage {
            ctx,
            v,
            query,
            typed,
            error,
            order_key: crate::cafe::tables::rules::new_token(),
        },
    )?;
    resp.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// What every guest form handler is handed: the request (for the visitor's cookie), the page
/// context (to show the page again with a refusal), the app and the session (for the message
/// after a redirect). One extractor instead of four arguments.
pub struct Visit {
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    session: Session,
}

impl Visit {
    fn parts(self) -> (HttpRequest, PageCtx, web::Data<AppState>, Session) {
        (self.req, self.ctx, self.state, self.session)
    }
}

impl actix_web::FromRequest for Visit {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Visit, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        use actix_session::SessionExt;
        let ctx = PageCtx::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::Internal("the app state is missing".into()))?;
            let session = req.get_session();
            Ok(Visit {
                ctx: ctx.await?,
                req,
                state,
                session,
            })
        })
    }
}

pub async fn page(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    token: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    render(
        &state,
        ctx,
        &req,
        token.into_inner(),
        q.into_inner(),
        Typed::default(),
        None,
    )
    .await
}

/// A refusal the guest can act on re-renders the page; anything else is an error page.
async fn refused(
    state: &AppState,
    ctx: PageCtx,
    req: &HttpRequest,
    token: String,
    typed: Typed,
    e: AppError,
) -> Result<HttpResponse, AppError> {
    let status = e.status_code();
    if status.is_server_error() || status == StatusCode::NOT_FOUND {
        return Err(e);
    }
    let mut resp = render(
        state,
        ctx,
        req,
        token,
        PageQuery::default(),
        typed,
        Some((status, e.public_message())),
    )
    .await?;
    if let AppError::RetryLater(_, secs) = e {
        resp.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(secs),
        );
    }
    Ok(resp)
}

async fn place(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    token: &str,
    order: OrderRequest,
) -> Result<HttpResponse, AppError> {
    let hint = visitors::hint(req);
    let t = token.to_string();
    let (placed, visitor) = state
        .db
        .write(move |c| ordering::place_guest_order(c, &t, &hint, &order, BusinessClock::now_utc()))
        .await?;
    if !placed.repeated {
        state
            .events
            .publish(CafeEvent::ticket_new(placed.branch_id, placed.session_id));
    }
    flash::success(
        session,
        "Thank you! Your order went to the kitchen. You can follow it below.",
    );
    let mut resp = see_other(&format!("/t/{token}#status"));
    visitors::remember(req, &mut resp, &visitor.key);
    Ok(resp)
}

pub async fn order(
    visit: Visit,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let pairs = Pairs(form.into_inner());
    let typed = Typed::from(&pairs);
    let result = match ordering::parse_menu_form(&pairs) {
        Ok(order) => place(&state, &req, &session, &token, order).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => Ok(r),
        Err(e) => refused(&state, ctx, &req, token, typed, e).await,
    }
}

/// "Order again": the visitor's last order, with today's prices, if every item is available.
pub async fn reorder(
    visit: Visit,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let key = match ordering::order_key(Pairs(form.into_inner()).get("order_key")) {
        Ok(k) => k,
        Err(e) => return refused(&state, ctx, &req, token, Typed::default(), e).await,
    };
    let hint = visitors::hint(&req);
    let lines = state
        .db
        .read(move |c| match visitors::find(c, &hint)? {
            Some(v) => Ok(view::last_order(c, v.id)?),
            None => Ok(Vec::new()),
        })
        .await?;
    let result = if lines.is_empty() {
        Err(AppError::Conflict(
            "There is no earlier order to repeat yet.".into(),
        ))
    } else {
        let order = OrderRequest {
            lines: lines
                .into_iter()
                .map(|l| OrderLine {
                    menu_item_id: l.menu_item_id,
                    quantity: l.quantity,
                    notes: String::new(),
                    options: l.options,
                    hold: false,
                    seat: None,
                })
                .collect(),
            notes: String::new(),
            key,
        };
        place(&state, &req, &session, &token, order).await
    };
    match result {
        Ok(r) => Ok(r),
        Err(e) => refused(&state, ctx, &req, token, Typed::default(), e).await,
    }
}

pub async fn set_name(
    visit: Visit,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let pairs = Pairs(form.into_inner());
    let name = match visitors::clean_name(pairs.get("name")) {
        Ok(n) => n,
        Err(e) => return refused(&state, ctx, &req, token, Typed::default(), e).await,
    };
    let hint = visitors::hint(&req);
    let t = token.clone();
    let n = name.clone();
    let visitor = state
        .db
        .write(move |c| {
            let table =
                crate::cafe::tables::model::by_token(c, &t)?.ok_or_else(ordering::invalid_code)?;
            let now = BusinessClock::now_utc();
            visitors::admit(c, visitors::GuestWrite::Name, &hint, table.id, now)?;
            let v = visitors::ensure(c, &hint, now)?;
            visitors::set_name(c, &v, &n, hint.ip.clone(), now)?;
            Ok(v)
        })
        .await;
    let visitor = match visitor {
        Ok(v) => v,
        Err(e) => return refused(&state, ctx, &req, token, Typed::default(), e).await,
    };
    flash::success(&session, format!("Nice to meet you, {name}!"));
    let mut resp = see_other(&format!("/t/{token}"));
    visitors::remember(&req, &mut resp, &visitor.key);
    Ok(resp)
}

/// A guest who calls again within this many minutes is still waiting for the first call.
const CALL_AGAIN_AFTER_MINUTES: i64 = 2;

/// "Call staff": flags the open bill on the floor.
pub async fn call_staff(visit: Visit, token: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let t = token.clone();
    let hint = visitors::hint(&req);
    let ip = hint.ip.clone();
    let result = state
        .db
        .write(move |c| {
            use crate::platform::schema::cafe_sessions;
            use diesel::prelude::*;
            let table = crate::cafe::tables::model::by_token(c, &t)?.ok_or_else(ordering::invalid_code)?;
            let now = BusinessClock::now_utc();
            visitors::admit(c, visitors::GuestWrite::CallStaff, &hint, table.id, now)?;
            let s = crate::cafe::tab::open_session_of_table(c, table.id)?.ok_or_else(|| {
                AppError::Conflict("Nothing is ordered at this table yet: a member of staff will be with you shortly, or just wave.".into())
            })?;
            // A call already waiting is not called again: one flag, one audit row.
            let again_after = now - chrono::Duration::minutes(CALL_AGAIN_AFTER_MINUTES);
            let called = diesel::update(
                cafe_sessions::table.find(s.id).filter(
                    cafe_sessions::staff_called_at
                        .is_null()
                        .or(cafe_sessions::staff_called_at.le(again_after)),
                ),
            )
            .set(cafe_sessions::staff_called_at.eq(now))
            .execute(c)?;
            if called == 0 {
                return Ok((s.branch_id, s.id));
            }
            crate::platform::audit::record(
                c,
                &Actor { employee_id: None, ip },
                now,
                crate::platform::audit::UPDATE,
                crate::platform::audit::Subject::of("cafe_session", s.id, table.label()),
                &crate::platform::audit::Changes::new().note("staff_called", "by the guest"),
            )?;
            Ok((s.branch_id, s.id))
        })
        .await;
    match result {
        Ok((branch, sid)) => {
            state.events.publish(CafeEvent::session(branch, sid));
            flash::success(
                &session,
                "We let the staff know. Someone will be with you shortly.",
            );
            Ok(see_other(&format!("/t/{token}#status")))
        }
        Err(e) => refused(&state, ctx, &req, token, Typed::default(), e).await,
    }
}

/// The status and bill block alone, fetched by the page when the live feed says so.
pub async fn status(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let v = load_view(
        &state,
        token.into_inner(),
        visitors::hint(&req),
        MenuQuery::default(),
    )
    .await?;
    html_status(StatusCode::OK, &StatusFragment { ctx, v })
}

/// Live updates for this table's open bill only.
pub async fn live(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let open = state
        .db
        .read(move |c| {
            let table = crate::cafe::tables::model::by_token(c, &token)?
                .ok_or_else(ordering::invalid_code)?;
            Ok(crate::cafe::tab::open_session_of_table(c, table.id)?.map(|s| s.id))
        })
        .await?;
    Ok(events::stream(state.events.subscribe(), move |e| {
        open.is_some() && e.session_id == open
    }))
}

pub async fn give_feedback(
    visit: Visit,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let pairs = Pairs(form.into_inner());
    let parsed = feedback::parse(&pairs);
    let hint = visitors::hint(&req);
    let (config, cache) = (state.clone_config(), state.cache.clone());
    let t = token.clone();
    let ip = hint.ip.clone();
    let result = match parsed {
        Err(e) => Err(e),
        Ok(f) => {
            state
                .db
                .write(move |c| {
                    let now = BusinessClock::now_utc();
                    let v = view::load(c, &cache, &config, &t, &hint, &MenuQuery::default(), now)?
                        .ok_or_else(ordering::invalid_code)?;
                    visitors::admit(c, visitors::GuestWrite::Feedback, &hint, v.table.id, now)?;
                    let chance = v.feedback.ok_or_else(|| {
                        AppError::Conflict(
                        "There is no finished visit of yours at this table to give feedback on."
                            .into(),
                    )
                    })?;
                    feedback::save(
                        c,
                        &Actor {
                            employee_id: None,
                            ip,
                        },
                        chance.sale_id,
                        &f,
                        now,
                    )
                })
                .await
        }
    };
    match result {
        Ok(()) => {
            flash::success(
                &session,
                "Thank you for your feedback! We hope to see you again soon.",
            );
            Ok(see_other(&format!("/t/{token}")))
        }
        Err(e) => refused(&state, ctx, &req, token, Typed::default(), e).await,
    }
}

/// A guest tries a promo code on their table's open bill (blank takes it off). Every try
/// counts against the code limits, so codes cannot be guessed.
pub async fn apply_code(
    visit: Visit,
    token: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (req, ctx, state, session) = visit.parts();
    let token = token.into_inner();
    let pairs = Pairs(form.into_inner());
    match code_on_table(&state, &req, &token, pairs.get("code")).await {
        Ok(said) => {
            flash::success(&session, said);
            Ok(see_other(&format!("/t/{token}")))
        }
        // A code's refusal is said on the guest page like an order's.
        Err(AppError::Fields { errors, .. }) => {
            let e = AppError::Unprocessable(errors.first().to_string());
            refused(&state, ctx, &req, token, Typed::default(), e).await
        }
        Err(e) => refused(&state, ctx, &req, token, Typed::default(), e).await,
    }
}

/// Puts the typed code on the open, unprinted bill of the table; answers the message.
async fn code_on_table(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    token: &str,
    typed: &str,
) -> Result<String, AppError> {
    let hint = visitors::hint(req);
    let t = token.to_string();
    let (table_id, head) = state
        .db
        .read(move |c| {
            let table =
                crate::cafe::tables::model::by_token(c, &t)?.ok_or_else(ordering::invalid_code)?;
            Ok((
                table.id,
                crate::cafe::tab::open_session_of_table(c, table.id)?,
            ))
        })
        .await?;
    let head = head.ok_or_else(|| {
        AppError::Conflict("Order something first; then the code applies to your bill.".into())
    })?;
    if head.bill_printed_at.is_some() {
        return Err(AppError::Conflict(
            "Your bill has been printed; please ask the staff.".into(),
        ));
    }
    crate::cafe::discounts::routes::admit_try(state, hint.clone(), table_id).await?;
    let actor = crate::platform::audit::Actor {
        employee_id: None,
        ip: hint.ip,
    };
    crate::cafe::discounts::routes::put_on_bill(state, actor, head.id, typed).await
}
