//! `/floor`: what waiters use all day.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::events::CafeEvent;
use crate::cafe::floor::model::{self, Floor, TakeawayForm};
use crate::cafe::guest::view::{self, OpenBill};
use crate::cafe::kitchen::model::place_label;
use crate::cafe::menu::model::{self as menu, MenuRow};
use crate::cafe::ordering::{self, Placer};
use crate::cafe::sales::{self, PaymentMethod};
use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::tab;
use crate::cafe::tables::model as tables;
use crate::cafe::tables::rules::TableStatus;
use crate::platform::audit::Actor;
use crate::platform::auth::Staff;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html, html_status, see_other, PageCtx};
use crate::platform::state::AppState;

#[derive(Template)]
#[template(path = "cafe/floor/page.html")]
struct FloorPage {
    ctx: PageCtx,
    branch: CafeBranch,
    floor: Floor,
    form: TakeawayForm,
    errors: FormErrors,
    statuses: [TableStatus; 4],
    is_manager: bool,
    duty: crate::cafe::duty::Duty,
}

async fn floor_page(
    state: &AppState,
    ctx: PageCtx,
    user: CurrentUser,
    requested: Option<i64>,
    form: TakeawayForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let is_manager = user.is_manager();
    let (branch, floor, duty) = state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let floor = model::floor(c, branch.id, BusinessClock::now_utc())?;
            let duty = crate::cafe::duty::view(c, user.id, branch.id)?;
            Ok((branch, floor, duty))
        })
        .await?;
    html_status(
        status,
        &FloorPage {
            ctx,
            branch,
            floor,
            form,
            errors,
            statuses: TableStatus::ALL,
            is_manager,
            duty,
        },
    )
}

pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let form = TakeawayForm {
        kind: "takeaway".into(),
        ..Default::default()
    };
    floor_page(
        &state,
        ctx,
        user,
        requested,
        form,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn open_takeaway(
    ctx: PageCtx,
    staff: Staff,
    form: web::Form<TakeawayForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let form = form.into_inner();
    let requested = scope::parse_requested(&form.branch)?;
    let input = match model::validate_takeaway(&form) {
        Ok(i) => i,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return floor_page(&state, ctx, user, requested, form, errors, status).await;
        }
    };
    let id = state
        .db
        .write(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            model::open_takeaway(c, &actor, branch.id, &input, BusinessClock::now_utc())
        })
        .await?;
    Ok(see_other(&format!("/floor/sessions/{id}")))
}

/// Seats guests at a table by hand (or finds its open bill).
pub async fn open_table(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let id = id.into_inner();
    let session_id = state
        .db
        .write(move |c| {
            let t = tables::find(c, id)?;
            model::check_branch(&user, t.branch_id)?;
            if !t.is_active {
                return Err(AppError::Conflict(format!("{} is archived.", t.label())));
            }
            if !t.takes_orders() {
                return Err(AppError::Conflict(format!(
                    "{} is in maintenance: set it available first.",
                    t.label()
                )));
            }
            let (s, _) = tab::open_for_table(c, &t, None, &actor, BusinessClock::now_utc())?;
            Ok(s.id)
        })
        .await?;
    Ok(see_other(&format!("/floor/sessions/{session_id}")))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
}

pub async fn table_status(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let status = TableStatus::parse(&form.status)
        .ok_or_else(|| AppError::Unprocessable("Choose a status from the list.".into()))?;
    let id = id.into_inner();
    let t = state
        .db
        .write(move |c| {
            let t = tables::find(c, id)?;
            model::check_branch(&user, t.branch_id)?;
            tables::set_status(c, &actor, id, status)
        })
        .await?;
    flash::success(
        &session,
        format!("{} is now {}.", t.label(), status.label().to_lowercase()),
    );
    Ok(see_other(&format!("/floor?branch={}", t.branch_id)))
}

#[derive(Template)]
#[template(path = "cafe/floor/session.html")]
struct SessionPage {
    ctx: PageCtx,
    place: String,
    open: OpenBill,
    settings: CafeSettings,
    menu: Vec<MenuRow>,
    methods: [PaymentMethod; 3],
    closed_sale: Option<i64>,
    /// One-time key of the add-to-order form.
    order_key: String,
    /// Free tables to move to and other tables' bills to merge in (an open table's bill).
    moves: crate::cafe::floor::moves::MoveChoices,
    /// The bill this one was merged into.
    merged_into: Option<i64>,
    /// What the items that have options ask for, in menu order, for the add-to-order form.
    modifiers: Vec<(i64, crate::cafe::modifiers::rules::Offered)>,
    /// The parts this bill was split into: (bill, part number, closed).
    parts: Vec<(i64, i64, bool)>,
}

async fn load_session(
    state: &AppState,
    user: CurrentUser,
    id: i64,
) -> Result<(OpenBill, CafeSettings, Vec<MenuRow>, String, Option<i64>), AppError> {
    let config = state.clone_config();
    state
        .db
        .read(move |c| {
            let head = model::own_session(c, &user, id)?;
            let settings = settings::load(c, &config)?;
            let number = match head.table_id {
                Some(t) => Some(tables::find(c, t)?.number),
                None => None,
            };
            let place = place_label(&head.kind, &head.customer_name, number);
            let sale: Option<i64> = {
                use crate::platform::schema::cafe_sales;
                use diesel::prelude::*;
                cafe_sales::table
                    .filter(cafe_sales::session_id.eq(id))
                    .select(cafe_sales::id)
                    .first(c)
                    .optional()?
            };
            let menu = menu::menu_of(c, head.branch_id)?;
            let open = view::open_bill(c, head, &settings, &config, BusinessClock::now_utc())?;
            Ok((open, settings, menu, place, sale))
        })
        .await
}

pub async fn session_page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (open, settings, menu, place, closed_sale) = load_session(&state, user, id).await?;
    let head = open.head.clone();
    let ids: Vec<i64> = menu.iter().map(|r| r.item.id).collect();
    let (moves, merged_into, mut offered, parts) = state
        .db
        .read(move |c| {
            Ok((
                crate::cafe::floor::moves::choices(c, &head)?,
                crate::cafe::floor::moves::merged_into(c, id)?,
                crate::cafe::modifiers::model::offered_for(c, &ids)?,
                crate::cafe::split::model::parts_of(c, id)?,
            ))
        })
        .await?;
    let modifiers = menu
        .iter()
        .filter_map(|r| offered.remove(&r.item.id).map(|o| (r.item.id, o)))
        .collect();
    html(&SessionPage {
        moves,
        merged_into,
        modifiers,
        parts,
        ctx,
        place,
        open,
        settings,
        menu,
        methods: PaymentMethod::ALL,
        closed_sale,
        order_key: crate::cafe::tables::rules::new_token(),
    })
}

pub async fn add_line(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<crate::platform::forms::Pairs>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let order = ordering::parse_staff_line(&form)?;
    let placed = state
        .db
        .write(move |c| {
            let head = model::own_session(c, &user, id)?;
            ordering::add_lines(
                c,
                &head,
                &Placer::Staff(actor),
                &order,
                BusinessClock::now_utc(),
            )
        })
        .await?;
    if !placed.repeated {
        state
            .events
            .publish(CafeEvent::ticket_new(placed.branch_id, placed.session_id));
    }
    flash::success(&session, "Added, and sent to the kitchen.");
    Ok(see_other(&format!("/floor/sessions/{id}")))
}

pub async fn remove_line(
    staff: Staff,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let (id, line) = path.into_inner();
    let branch = state
        .db
        .write(move |c| {
            let head = model::own_session(c, &user, id)?;
            model::remove_line(c, &actor, id, line, BusinessClock::now_utc())?;
            Ok(head.branch_id)
        })
        .await?;
    state.events.publish(CafeEvent::ticket(branch, id));
    flash::success(&session, "The line was removed from the bill.");
    Ok(see_other(&format!("/floor/sessions/{id}")))
}

#[derive(Template)]
#[template(path = "cafe/floor/bill.html")]
struct BillPage {
    ctx: PageCtx,
    place: String,
    open: OpenBill,
    settings: CafeSettings,
    printed_at: String,
    upi_svg: Option<String>,
    show_picture_qr: bool,
}

/// The printable bill (80 mm). Printing it ("Mark printed") is a POST.
pub async fn bill(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (open, settings, _, place, _) = load_session(&state, user, id.into_inner()).await?;
    use crate::cafe::settings::PaymentQr;
    let link = match settings.payment_qr {
        PaymentQr::Upi => crate::cafe::bill::upi_link(
            &settings.upi_id,
            &settings.name,
            open.bill.total,
            &state.config.currency,
        ),
        _ => None,
    };
    let show_picture_qr = settings.payment_qr == PaymentQr::Picture
        && settings.payment_qr_image.is_some()
        && open.bill.total.is_positive();
    let upi_svg = match link {
        Some(l) => Some(crate::platform::qr::svg(&l, 140)?),
        None => None,
    };
    html(&BillPage {
        printed_at: state.clock.format(BusinessClock::now_utc()),
        ctx,
        place,
        open,
        settings,
        upi_svg,
        show_picture_qr,
    })
}

/// One action on a bill (print, reopen, answer a call): the bill must be this employee's to
/// touch; the action runs in one transaction, then the live screens hear of it.
async fn bill_action(
    state: &AppState,
    user: CurrentUser,
    actor: Actor,
    id: i64,
    act: fn(
        &mut crate::platform::db::AnyConnection,
        &Actor,
        i64,
        chrono::NaiveDateTime,
    ) -> Result<tab::SessionHead, AppError>,
) -> Result<tab::SessionHead, AppError> {
    let head = state
        .db
        .write(move |c| {
            model::own_session(c, &user, id)?;
            act(c, &actor, id, BusinessClock::now_utc())
        })
        .await?;
    state.events.publish(CafeEvent::session(head.branch_id, id));
    Ok(head)
}

pub async fn mark_printed(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let id = id.into_inner();
    bill_action(&state, user, actor, id, sales::mark_printed).await?;
    Ok(see_other(&format!("/floor/sessions/{id}/bill?printed=1")))
}

/// A manager reopens a printed bill for more orders (audited).
pub async fn reopen(staff: Staff, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    bill_action(&state, user, actor, id, sales::reopen).await?;
    flash::success(
        &session,
        "The bill is open again: the table can order more.",
    );
    Ok(see_other(&format!("/floor/sessions/{id}")))
}

/// "Coming": the guest's call is answered and the alert on the floor goes.
pub async fn acknowledge(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<BackTo>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let id = id.into_inner();
    let head = bill_action(&state, user, actor, id, sales::acknowledge_call).await?;
    let fallback = format!("/floor?branch={}", head.branch_id);
    Ok(see_other(crate::platform::redirect::return_path(
        &form.back,
        &["/floor"],
        &fallback,
    )))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BackTo {
    pub back: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    pub payment_method: String,
    pub reference: String,
    pub cash_received: String,
    pub part_method: String,
    pub part_amount: String,
    pub part_reference: String,
}

pub async fn close(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let payment = sales::payment_from_form(
        &form.payment_method,
        &form.part_method,
        &form.part_amount,
        &form.part_reference,
        &form.reference,
        &form.cash_received,
    )
    .map_err(AppError::Unprocessable)?;
    let id = id.into_inner();
    let config = state.clone_config();
    let closed = state
        .db
        .write(move |c| {
            model::own_session(c, &user, id)?;
            let cafe = settings::load(c, &config)?;
            let now = BusinessClock::now_utc();
            let today = BusinessClock::new(config.tz).to_local(now).date_naive();
            let closed = sales::close(
                c,
                &actor,
                id,
                &payment,
                cafe.tax_rate_bp,
                now,
                today,
                &cafe.money_prefix(),
            )?;
            Ok((closed, cafe))
        })
        .await?;
    let (closed, cafe) = closed;
    state
        .events
        .publish(CafeEvent::session(closed.branch_id, id));
    flash::success(
        &session,
        if closed.change.is_positive() {
            format!(
                "Closed: {} paid by {}. Change: {}.{}",
                cafe.money(&closed.total),
                closed.paid_by,
                cafe.money(&closed.change),
                closed.table_news()
            )
        } else {
            format!(
                "Closed: {} paid by {}.{}",
                cafe.money(&closed.total),
                closed.paid_by,
                closed.table_news()
            )
        },
    );
    Ok(see_other(&format!("/floor?branch={}", closed.branch_id)))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeField {
    pub code: String,
}

/// A waiter puts a promo code on the bill (or takes it off with a blank code).
pub async fn discount(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<CodeField>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    state
        .db
        .read(move |c| model::own_session(c, &user, id).map(drop))
        .await?;
    let back = format!("/floor/sessions/{id}");
    match crate::cafe::discounts::routes::put_on_bill(&state, actor, id, &form.code).await {
        Ok(said) => flash::success(&session, said),
        Err(AppError::Fields { errors, .. }) => {
            flash::push(&session, flash::Kind::Error, errors.first().to_string())
        }
        Err(e) => return Err(e),
    }
    Ok(see_other(&back))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub table_id: String,
}

/// `POST /floor/sessions/{id}/move`: the bill goes to another free table of the branch.
pub async fn move_table(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let to = crate::platform::forms::optional_id(&form.table_id)
        .ok()
        .flatten()
        .ok_or_else(|| AppError::field_invalid("table_id", "Choose the table to move to."))?;
    let branch = state
        .db
        .write(move |c| {
            crate::cafe::floor::moves::move_to(c, &actor, &user, id, to, BusinessClock::now_utc())
        })
        .await?;
    state.events.publish(CafeEvent::session(branch, id));
    flash::success(&session, "The bill moved: the table it left is free.");
    Ok(see_other(&format!("/floor/sessions/{id}")))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    pub session_id: String,
}

/// `POST /floor/sessions/{id}/merge`: another table's bill joins this one.
pub async fn merge(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<MergeForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let from = crate::platform::forms::optional_id(&form.session_id)
        .ok()
        .flatten()
        .ok_or_else(|| AppError::field_invalid("session_id", "Choose the bill to merge in."))?;
    let branch = state
        .db
        .write(move |c| {
            crate::cafe::floor::moves::merge(c, &actor, &user, id, from, BusinessClock::now_utc())
        })
        .await?;
    state.events.publish(CafeEvent::session(branch, id));
    state.events.publish(CafeEvent::session(branch, from));
    flash::success(
        &session,
        format!("Bill #{from} merged into this one: its table is free."),
    );
    Ok(see_other(&format!("/floor/sessions/{id}")))
}
