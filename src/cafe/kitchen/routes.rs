//! `/kitchen`: the display, its live feed and the cooks' buttons.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::events::{self, CafeEvent};
use crate::cafe::kitchen::model::{self, BoardOf, Step, Ticket};
use crate::cafe::kitchen::rules::{parse_priority, Priority, PRIORITIES};
use crate::cafe::menu::model::{self as menu, MenuRow};
use crate::cafe::scope::{self, CafeBranch};
use crate::cafe::stations::model::{self as stations, Station};
use crate::platform::auth::Staff;
use crate::platform::auth::{BranchScope, CurrentUser};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::Pairs;
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::state::AppState;

pub struct Board {
    pub open: Vec<Ticket>,
    pub done: Vec<Ticket>,
    pub pending: usize,
    pub preparing: usize,
}

impl Board {
    pub fn rush(&self) -> bool {
        crate::cafe::kitchen::rules::is_rush(self.pending)
    }

    pub fn recall_minutes(&self) -> i64 {
        crate::cafe::kitchen::rules::RECALL_MINUTES
    }
}

/// `?station=bar`: a station's board; none, the kitchen's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StationQuery {
    pub station: String,
}

impl StationQuery {
    fn code(&self) -> Option<String> {
        let c = self.station.trim();
        (!c.is_empty()).then(|| c.to_string())
    }
}

/// The board a page shows: every station's (`/kitchen`), the kitchen's own
/// (`?station=kitchen`), or a station's.
#[derive(Debug, Clone)]
pub enum Shown {
    All,
    Kitchen,
    Station(Station),
}

impl Shown {
    fn board(&self) -> BoardOf {
        match self {
            Shown::All => BoardOf::All,
            Shown::Kitchen => BoardOf::Kitchen,
            Shown::Station(s) => BoardOf::Station(s.id),
        }
    }
    /// `&station=…` for links and forms that come back to this board.
    pub fn param(&self) -> String {
        match self {
            Shown::All => String::new(),
            Shown::Kitchen => "&station=kitchen".into(),
            Shown::Station(s) => format!("&station={}", s.code),
        }
    }
    pub fn title(&self) -> String {
        match self {
            Shown::All => "Kitchen".into(),
            Shown::Kitchen => "Kitchen station".into(),
            Shown::Station(s) => s.name.clone(),
        }
    }
    pub fn is_all(&self) -> bool {
        matches!(self, Shown::All)
    }
    pub fn is_kitchen(&self) -> bool {
        matches!(self, Shown::Kitchen)
    }
    pub fn is(&self, id: &i64) -> bool {
        matches!(self, Shown::Station(s) if s.id == *id)
    }
}

async fn board(
    state: &AppState,
    user: CurrentUser,
    requested: Option<i64>,
    station: Option<String>,
) -> Result<(CafeBranch, Board, Vec<MenuRow>, Vec<Station>, Shown), AppError> {
    state
        .db
        .read(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            let now = BusinessClock::now_utc();
            let stations = stations::active(c, branch.id)?;
            let current = match station.as_deref() {
                None => Shown::All,
                Some("kitchen") => Shown::Kitchen,
                Some(code) => Shown::Station(stations::by_code(c, branch.id, code)?),
            };
            let at = current.board();
            let open = model::open_tickets(c, branch.id, at, now)?;
            let done = model::recently_done(c, branch.id, at, now)?;
            let items = menu::menu_of(c, branch.id)?;
            let pending = open.iter().filter(|t| t.pending()).count();
            Ok((
                branch,
                Board {
                    preparing: open.len() - pending,
                    pending,
                    open,
                    done,
                },
                items,
                stations,
                current,
            ))
        })
        .await
}

#[derive(Template)]
#[template(path = "cafe/kitchen/page.html")]
struct KitchenPage {
    ctx: PageCtx,
    branch: CafeBranch,
    board: Board,
    items: Vec<MenuRow>,
    priorities: [Priority; 3],
    duty: crate::cafe::duty::Duty,
    /// The branch's stations (tabs) and the board shown.
    stations: Vec<Station>,
    station: Shown,
}

pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
    q: web::Query<StationQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let me = user.id;
    let (branch, board, items, stations, station) =
        board(&state, user, requested, q.code()).await?;
    let branch_id = branch.id;
    let duty = state
        .db
        .read(move |c| Ok(crate::cafe::duty::view(c, me, branch_id)?))
        .await?;
    html(&KitchenPage {
        ctx,
        duty,
        branch,
        board,
        items,
        priorities: PRIORITIES,
        stations,
        station,
    })
}

#[derive(Template)]
#[template(path = "cafe/kitchen/tickets.html")]
struct TicketsFragment {
    ctx: PageCtx,
    branch: CafeBranch,
    board: Board,
    priorities: [Priority; 3],
    station: Shown,
}

/// The ticket columns alone, fetched by the page whenever the live feed says something changed.
pub async fn tickets(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
    q: web::Query<StationQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let (branch, board, _, _, station) = board(&state, user, requested, q.code()).await?;
    html(&TicketsFragment {
        ctx,
        branch,
        board,
        priorities: PRIORITIES,
        station,
    })
}

/// Server-sent events for one branch's cafe: the kitchen display and the floor.
pub async fn live(
    user: CurrentUser,
    state: web::Data<AppState>,
    branch_scope: BranchScope,
) -> Result<HttpResponse, AppError> {
    let requested = branch_scope.branch();
    let branch = state
        .db
        .read(move |c| scope::resolve(c, &user, requested))
        .await?;
    let id = branch.id;
    Ok(events::stream(state.events.subscribe(), move |e| {
        e.branch_id == id
    }))
}

/// Back to the board the click came from (`?station=` on the form's address), a plain code
/// only: never another site.
fn back(branch_id: i64, station: Option<String>) -> HttpResponse {
    match station
        .filter(|c| c.len() <= 20 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'))
    {
        Some(code) => see_other(&format!("/kitchen?branch={branch_id}&station={code}")),
        None => see_other(&format!("/kitchen?branch={branch_id}")),
    }
}

/// Start, finish or recall one ticket of the person's branch; the board and the guest hear it.
async fn step(
    staff: Staff,
    id: web::Path<i64>,
    q: web::Query<StationQuery>,
    s: Step,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let id = id.into_inner();
    let (branch_id, session_id) = state
        .db
        .write(move |c| {
            scope::check_branch(&user, model::branch_of(c, id)?)?;
            model::advance(c, &actor, id, s)
        })
        .await?;
    state
        .events
        .publish(CafeEvent::ticket(branch_id, session_id));
    Ok(back(branch_id, q.code()))
}

pub async fn start(
    staff: Staff,
    id: web::Path<i64>,
    q: web::Query<StationQuery>,
) -> Result<HttpResponse, AppError> {
    step(staff, id, q, Step::Start).await
}

pub async fn done(
    staff: Staff,
    id: web::Path<i64>,
    q: web::Query<StationQuery>,
) -> Result<HttpResponse, AppError> {
    step(staff, id, q, Step::Done).await
}

/// Brings a ticket finished by mistake back to the board.
pub async fn recall(
    staff: Staff,
    id: web::Path<i64>,
    q: web::Query<StationQuery>,
) -> Result<HttpResponse, AppError> {
    step(staff, id, q, Step::Recall).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PriorityForm {
    pub priority: String,
}

pub async fn priority(
    staff: Staff,
    id: web::Path<i64>,
    q: web::Query<StationQuery>,
    form: web::Form<PriorityForm>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, _) = staff.parts();
    let p = parse_priority(&form.priority)
        .ok_or_else(|| AppError::Unprocessable("Choose Urgent, High or Normal.".into()))?;
    let id = id.into_inner();
    let (branch_id, session_id) = state
        .db
        .write(move |c| {
            scope::check_branch(&user, model::branch_of(c, id)?)?;
            model::set_priority(c, &actor, id, p)
        })
        .await?;
    state
        .events
        .publish(CafeEvent::ticket(branch_id, session_id));
    Ok(back(branch_id, q.code()))
}

/// "Complete all shown" / the ticked tickets: `ids` repeated, `branch`.
pub async fn complete_many(
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let p = Pairs(form.into_inner());
    let requested = scope::parse_requested(p.get("branch"))?;
    let station = StationQuery {
        station: p.get("station").to_string(),
    }
    .code();
    let ids = p
        .ids("ids", 500)
        .map_err(|_| AppError::BadRequest("The tickets to complete could not be read.".into()))?;
    if ids.is_empty() {
        return Err(AppError::Unprocessable(
            "Tick at least one ticket to complete.".into(),
        ));
    }
    let ids_len = {
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.len()
    };
    let (branch_id, result) = state
        .db
        .write(move |c| {
            let branch = scope::resolve(c, &user, requested)?;
            Ok((branch.id, model::complete_many(c, &actor, branch.id, &ids)?))
        })
        .await?;
    for s in &result.sessions {
        state.events.publish(CafeEvent::ticket(branch_id, *s));
    }
    if result.done == 0 {
        return Err(AppError::Conflict(format!(
            "Nothing was marked ready: {}",
            result.summary()
        )));
    }
    let kind = if result.done == ids_len {
        flash::Kind::Success
    } else {
        flash::Kind::Info
    };
    flash::push(&session, kind, result.summary());
    Ok(back(branch_id, station))
}
