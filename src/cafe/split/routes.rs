//! `GET /floor/sessions/{id}/split`: the lines with a part for each (by items, or prefilled by
//! seats) and what an even split would come to; `POST` makes the parts.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::cafe::events::CafeEvent;
use crate::cafe::floor::model;
use crate::cafe::guest::view::{self, OpenBill};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::split::model::Pricing;
use crate::cafe::split::rules::{self, MAX_PARTS};
use crate::platform::auth::{CurrentUser, Staff};
use crate::platform::clock::BusinessClock;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::Pairs;
use crate::platform::money::Money;
use crate::platform::page::{html, see_other, PageCtx};
use crate::platform::state::AppState;

#[derive(Template)]
#[template(path = "cafe/floor/split.html")]
struct SplitPage {
    ctx: PageCtx,
    open: OpenBill,
    settings: CafeSettings,
    parts: usize,
    /// The part each line starts in (by seats, or part 1).
    start: Vec<(i64, usize)>,
    by_seats: bool,
    /// What an even split of the total comes to.
    even: Vec<Money>,
}

impl SplitPage {
    pub fn part_numbers(&self) -> Vec<usize> {
        (1..=self.parts).collect()
    }
    pub fn starts_in(&self, line: &i64) -> usize {
        self.start
            .iter()
            .find(|(l, _)| l == line)
            .map(|(_, p)| *p)
            .unwrap_or(1)
    }
    pub fn max_parts(&self) -> usize {
        MAX_PARTS
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SplitQuery {
    pub parts: String,
    /// `seats`: one part per seat.
    pub by: String,
}

pub async fn page(
    ctx: PageCtx,
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<SplitQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.clone_config();
    let (open, settings) = state
        .db
        .read(move |c| {
            let head = model::own_session(c, &user, id)?;
            // The page offers only what can be done: a closed, shared or part bill is refused.
            crate::cafe::split::model::refuse_unsplittable(c, &head)?;
            let settings = settings::load(c, &config)?;
            let open = view::open_bill(c, head, &settings, &config, BusinessClock::now_utc())?;
            Ok((open, settings))
        })
        .await?;
    let by_seats = q.by == "seats";
    let (parts, start) = if by_seats {
        let seats: Vec<(i64, Option<i64>)> = open.lines.iter().map(|l| (l.id, l.seat)).collect();
        let (n, p) = rules::by_seats(&seats);
        (n.clamp(2, MAX_PARTS), p)
    } else {
        let n = q
            .parts
            .trim()
            .parse::<usize>()
            .unwrap_or(2)
            .clamp(2, MAX_PARTS);
        (n, Vec::new())
    };
    let even = rules::even_shares(open.bill.total.0, parts)
        .into_iter()
        .map(Money)
        .collect();
    html(&SplitPage {
        ctx,
        open,
        settings,
        parts,
        start,
        by_seats,
        even,
    })
}

/// The form: `parts` and a `part_{line}` for each line.
pub async fn split(
    staff: Staff,
    id: web::Path<i64>,
    form: web::Form<Pairs>,
) -> Result<HttpResponse, AppError> {
    let (user, actor, state, session) = staff.parts();
    let id = id.into_inner();
    let parts: usize = form
        .get("parts")
        .trim()
        .parse()
        .ok()
        .filter(|n| (2..=MAX_PARTS).contains(n))
        .ok_or_else(|| AppError::Unprocessable(format!("Split into 2 to {MAX_PARTS} parts.")))?;
    if form.get("how") == "even" {
        return split_evenly(user, actor, state, session, id, parts).await;
    }
    let mut picked = Vec::new();
    for (suffix, value) in form.with_prefix("part_").take(500) {
        let line: i64 = suffix.parse().map_err(|_| {
            AppError::BadRequest("The split form is damaged. Please reload it.".into())
        })?;
        let part: usize = value
            .trim()
            .parse()
            .map_err(|_| AppError::Unprocessable("Choose a part for every line.".into()))?;
        picked.push((line, part));
    }
    let (head, made) = state
        .db
        .write(move |c| {
            crate::cafe::split::model::split(
                c,
                &actor,
                &user,
                id,
                &picked,
                parts,
                BusinessClock::now_utc(),
            )
        })
        .await?;
    Ok(announce(&state, &session, &head, &made, |list| {
        format!("The bill is split: this bill is part 1, and bill(s) {list} hold the other parts. Each is paid on its own.")
    }))
}

/// Tells the floor (live) and the waiter (a flash naming the new bills) that bill `head` was
/// split, and goes back to it.
fn announce(
    state: &AppState,
    session: &actix_session::Session,
    head: &crate::cafe::tab::SessionHead,
    made: &[i64],
    say: impl FnOnce(String) -> String,
) -> HttpResponse {
    state
        .events
        .publish(CafeEvent::session(head.branch_id, head.id));
    let list: Vec<String> = made.iter().map(|b| format!("#{b}")).collect();
    flash::success(session, say(list.join(", ")));
    see_other(&format!("/floor/sessions/{}", head.id))
}

/// `how=even`: the bill shared evenly among `parts` guests, each share a bill of its own.
async fn split_evenly(
    user: CurrentUser,
    actor: crate::platform::audit::Actor,
    state: web::Data<AppState>,
    session: actix_session::Session,
    id: i64,
    parts: usize,
) -> Result<HttpResponse, AppError> {
    let config = state.clone_config();
    let (head, made, each) = state
        .db
        .write(move |c| {
            let settings = settings::load(c, &config)?;
            let now = BusinessClock::now_utc();
            let pricing = Pricing {
                tax_rate_bp: settings.tax_rate_bp,
                today: BusinessClock::new(config.tz).to_local(now).date_naive(),
                currency: &settings.money_prefix(),
            };
            let (head, made) = crate::cafe::split::model::split_evenly(
                c, &actor, &user, id, parts, &pricing, now,
            )?;
            let share = crate::cafe::tab::share_of(c, id)?
                .ok_or_else(|| AppError::not_found("That bill"))?;
            Ok((head, made, settings.money(&Money(share.total_minor))))
        })
        .await?;
    Ok(announce(&state, &session, &head, &made, |list| {
        format!("The bill is shared evenly among {parts}: this bill is share 1 ({each}), and bill(s) {list} hold the other shares. Each is paid on its own.")
    }))
}
