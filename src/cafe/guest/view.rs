//! Everything the guest's page shows, read in one go.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::cafe::bill::Bill;
use crate::cafe::kitchen::model::{self as kitchen, Ticket};
use crate::cafe::kitchen::rules::TicketStatus;
use crate::cafe::menu::model::{self as menu, MenuItem, MenuRow};
use crate::cafe::modifiers::rules::{GroupRule, Offered, OptionRule};
use crate::cafe::sales::{self, BillLine};
use crate::cafe::settings::{self, CafeSettings};
use crate::cafe::suggestions::{self, PastLine};
use crate::cafe::tab::{self, SessionHead};
use crate::cafe::tables::model::{self as tables, CafeTable};
use crate::cafe::visitors::{self, GuestHint, Visitor};
use crate::config::Config;
use crate::platform::cache::VersionedCache;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::{cafe_feedback, cafe_sales, cafe_session_lines, kitchen_tickets};

pub struct MenuSection {
    pub name: String,
    pub anchor: String,
    pub items: Vec<MenuItem>,
}

/// One line of "order the same again".
pub struct ReorderLine {
    pub item: MenuItem,
    pub quantity: i64,
    pub modifiers: String,
}

/// One step of the guest's progress line.
pub struct Step {
    pub label: &'static str,
    pub reached: bool,
}

pub struct OpenBill {
    pub head: SessionHead,
    pub tickets: Vec<Ticket>,
    pub lines: Vec<BillLine>,
    pub bill: Bill,
    /// The promo code on the bill, if any (and why it does not apply now, if it does not).
    pub code: Option<sales::CodeOnBill>,
    /// A share of a bill split evenly: `bill` is the share's money, `lines` the whole bill's.
    pub share: Option<crate::cafe::tab::BillShare>,
}

impl OpenBill {
    pub fn bill_printed(&self) -> bool {
        self.head.bill_printed_at.is_some()
    }

    /// Shared evenly: the bill's lines and money are fixed (nothing is added, removed, moved
    /// or discounted any more).
    pub fn fixed(&self) -> bool {
        self.share.is_some()
    }

    /// "Share 2 of 3 of bill #45", for a share.
    pub fn share_label(&self) -> String {
        self.share.as_ref().map(|s| s.label()).unwrap_or_default()
    }

    /// Tickets the waiter is holding (a later course), not yet sent to the kitchen.
    pub fn held(&self) -> usize {
        self.tickets.iter().filter(|t| t.held).count()
    }

    /// Received → Preparing → Ready, and how far the order has come.
    pub fn steps(&self) -> [Step; 3] {
        let now = self.overall_status();
        [
            Step {
                label: "Received",
                reached: !now.is_empty(),
            },
            Step {
                label: "Preparing",
                reached: now == "Preparing" || now == "Ready",
            },
            Step {
                label: "Ready",
                reached: now == "Ready",
            },
        ]
    }

    /// The guest's progress line: the least advanced of their tickets.
    pub fn overall_status(&self) -> &'static str {
        // A held course does not keep the guest at "Received" once the rest is cooking.
        let sent: Vec<&Ticket> = self.tickets.iter().filter(|t| !t.held).collect();
        let tickets: Vec<&Ticket> = if sent.is_empty() {
            self.tickets.iter().collect()
        } else {
            sent
        };
        // An order is one ticket per station: it is being prepared once any of them is
        // started, ready when every one is done. The guest sees the least advanced order.
        let mut orders: Vec<i64> = tickets.iter().map(|t| t.order_id).collect();
        orders.sort_unstable();
        orders.dedup();
        let rank = |order: i64| {
            let mine: Vec<&&Ticket> = tickets.iter().filter(|t| t.order_id == order).collect();
            if mine.iter().all(|t| t.status == TicketStatus::Completed) {
                2
            } else if mine.iter().any(|t| t.status != TicketStatus::Pending) {
                1
            } else {
                0
            }
        };
        match orders.into_iter().map(rank).min() {
            None => "",
            Some(0) => "Received",
            Some(1) => "Preparing",
            Some(_) => "Ready",
        }
    }
}

pub struct FeedbackChance {
    pub sale_id: i64,
    pub given: bool,
}

pub struct GuestView {
    pub token: String,
    pub table: CafeTable,
    pub settings: CafeSettings,
    pub sections: Vec<MenuSection>,
    pub shown_items: usize,
    pub open: Option<OpenBill>,
    pub visitor: Option<Visitor>,
    pub returning: bool,
    pub reorder: Vec<ReorderLine>,
    pub picks: Vec<MenuItem>,
    pub trending: Vec<MenuItem>,
    pub feedback: Option<FeedbackChance>,
    /// What each item asks for (Size, Milk, …): the kept copy of the menu itself, shared, not
    /// cloned for every page.
    pub kept: std::sync::Arc<KeptMenu>,
}

/// The branch's menu as the cache keeps it: the settings, the items, and their options.
pub type KeptMenu = (CafeSettings, Vec<MenuRow>, HashMap<i64, Offered>);

impl GuestView {
    pub fn offered(&self, item: &i64) -> &[(GroupRule, Vec<OptionRule>)] {
        self.kept.2.get(item).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[derive(Debug, Clone, Default)]
pub struct MenuQuery {
    pub q: Option<String>,
    pub veg_only: bool,
}

pub fn sections(rows: Vec<MenuRow>) -> Vec<MenuSection> {
    let mut out: Vec<MenuSection> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(s) if s.name == r.category => s.items.push(r.item),
            _ => out.push(MenuSection {
                anchor: format!("cat-{}", r.item.category_id),
                name: r.category,
                items: vec![r.item],
            }),
        }
    }
    out
}

pub fn open_bill(
    conn: &mut AnyConnection,
    head: SessionHead,
    settings: &CafeSettings,
    config: &Config,
    now: NaiveDateTime,
) -> Result<OpenBill, AppError> {
    let tickets = kitchen::of_session(conn, head.id, now)?;
    if let Some(share) = crate::cafe::tab::share_of(conn, head.id)? {
        let lines = sales::lines(conn, share.bill_id)?;
        return Ok(OpenBill {
            head,
            tickets,
            lines,
            bill: share.bill(),
            code: None,
            share: Some(share),
        });
    }
    let lines = sales::lines(conn, head.id)?;
    let today = crate::platform::clock::BusinessClock::new(config.tz)
        .to_local(now)
        .date_naive();
    let (bill, code) = sales::priced(
        conn,
        head.id,
        &lines,
        settings.tax_rate_bp,
        today,
        &settings.money_prefix(),
    )?;
    Ok(OpenBill {
        head,
        tickets,
        lines,
        bill,
        code,
        share: None,
    })
}

/// The most recent order of this visitor (any visit): what "order again" repeats.
/// A line of the guest's last order, to order again: the item, how many, and its options.
pub struct PastOrderLine {
    pub menu_item_id: i64,
    pub quantity: i64,
    pub options: Vec<i64>,
    /// "Regular · Oat", as the line printed them.
    pub modifiers: String,
}

pub fn last_order(conn: &mut AnyConnection, visitor_id: i64) -> QueryResult<Vec<PastOrderLine>> {
    use crate::platform::schema::cafe_line_modifiers;
    let last: Option<i64> = kitchen_tickets::table
        .filter(kitchen_tickets::visitor_id.eq(visitor_id))
        .order(kitchen_tickets::id.desc())
        .select(kitchen_tickets::id)
        .first(conn)
        .optional()?;
    let Some(t) = last else {
        return Ok(Vec::new());
    };
    let lines: Vec<(i64, i64, i64, String)> = cafe_session_lines::table
        .filter(cafe_session_lines::ticket_id.eq(t))
        .order(cafe_session_lines::id.asc())
        .select((
            cafe_session_lines::id,
            cafe_session_lines::menu_item_id,
            cafe_session_lines::quantity,
            cafe_session_lines::modifiers,
        ))
        .load(conn)?;
    let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
    let options: Vec<(i64, i64)> = cafe_line_modifiers::table
        .filter(cafe_line_modifiers::line_id.eq_any(&ids))
        .select((cafe_line_modifiers::line_id, cafe_line_modifiers::option_id))
        .load(conn)?;
    Ok(lines
        .into_iter()
        .map(|(id, menu_item_id, quantity, modifiers)| PastOrderLine {
            menu_item_id,
            quantity,
            options: options
                .iter()
                .filter(|(l, _)| *l == id)
                .map(|(_, o)| *o)
                .collect(),
            modifiers,
        })
        .collect())
}

pub fn history(conn: &mut AnyConnection, visitor_id: i64) -> QueryResult<Vec<PastLine>> {
    let rows: Vec<(i64, i64, NaiveDateTime)> = cafe_session_lines::table
        .inner_join(kitchen_tickets::table)
        .filter(kitchen_tickets::visitor_id.eq(visitor_id))
        .order(cafe_session_lines::id.desc())
        .limit(500)
        .select((
            cafe_session_lines::menu_item_id,
            cafe_session_lines::quantity,
            cafe_session_lines::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(menu_item_id, quantity, at)| PastLine {
            menu_item_id,
            quantity,
            at,
        })
        .collect())
}

/// The sale of this table's last visit by this visitor, closed in the last 12 hours.
fn feedback_chance(
    conn: &mut AnyConnection,
    table_id: i64,
    visitor_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<FeedbackChance>> {
    let sale: Option<(i64, i64)> = cafe_sales::table
        .filter(cafe_sales::table_id.eq(table_id))
        .filter(cafe_sales::closed_at.gt(now - Duration::hours(12)))
        .order(cafe_sales::closed_at.desc())
        .select((cafe_sales::id, cafe_sales::session_id))
        .first(conn)
        .optional()?;
    let Some((sale_id, session_id)) = sale else {
        return Ok(None);
    };
    let ordered: i64 = kitchen_tickets::table
        .filter(kitchen_tickets::session_id.eq(session_id))
        .filter(kitchen_tickets::visitor_id.eq(visitor_id))
        .count()
        .get_result(conn)?;
    if ordered == 0 {
        return Ok(None);
    }
    let given: i64 = cafe_feedback::table
        .filter(cafe_feedback::sale_id.eq(sale_id))
        .count()
        .get_result(conn)?;
    Ok(Some(FeedbackChance {
        sale_id,
        given: given > 0,
    }))
}

/// Reads the page for a table token; `None` when the token is not (or no longer) valid.
pub fn load(
    conn: &mut AnyConnection,
    cache: &VersionedCache,
    config: &Config,
    token: &str,
    hint: &GuestHint,
    mq: &MenuQuery,
    now: NaiveDateTime,
) -> Result<Option<GuestView>, AppError> {
    let Some(table) = tables::by_token(conn, token)? else {
        return Ok(None);
    };
    let kept: std::sync::Arc<KeptMenu> =
        cache.get(conn, menu::MENU_COUNTER, table.branch_id, |c| {
            let rows = menu::menu_of(c, table.branch_id)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.item.id).collect();
            Ok((
                settings::load(c, config)?,
                rows,
                crate::cafe::modifiers::model::offered_for(c, &ids)?,
            ))
        })?;
    // Borrowed from the kept copy: only what the page shows is cloned.
    let (settings, all): (&CafeSettings, &Vec<MenuRow>) = (&kept.0, &kept.1);
    let by_id: HashMap<i64, &MenuItem> = all.iter().map(|r| (r.item.id, &r.item)).collect();
    let trending_ids: Vec<i64> = all
        .iter()
        .filter(|r| r.item.trending && r.item.in_stock)
        .map(|r| r.item.id)
        .collect();
    let q = mq.q.as_deref().map(str::to_lowercase);
    let shown: Vec<MenuRow> = all
        .iter()
        .filter(|r| !mq.veg_only || r.item.is_veg)
        .filter(|r| match &q {
            None => true,
            Some(q) => {
                r.item.name.to_lowercase().contains(q)
                    || r.item.description.to_lowercase().contains(q)
                    || r.category.to_lowercase().contains(q)
            }
        })
        .cloned()
        .collect();
    let shown_items = shown.len();
    let open = match tab::open_session_of_table(conn, table.id)? {
        Some(head) => Some(open_bill(conn, head, settings, config, now)?),
        None => None,
    };
    let visitor = visitors::find(conn, hint)?;
    let (mut returning, mut reorder, mut picks, mut feedback) =
        (false, Vec::new(), Vec::new(), None);
    if let Some(v) = &visitor {
        let current = open.as_ref().map(|o| o.head.id).unwrap_or(0);
        let earlier: i64 = kitchen_tickets::table
            .filter(kitchen_tickets::visitor_id.eq(v.id))
            .filter(kitchen_tickets::session_id.ne(current))
            .count()
            .get_result(conn)?;
        returning = earlier > 0;
        reorder = last_order(conn, v.id)?
            .into_iter()
            .filter_map(|l| {
                by_id
                    .get(&l.menu_item_id)
                    .filter(|i| i.orderable())
                    .map(|&i| ReorderLine {
                        item: i.clone(),
                        quantity: l.quantity,
                        modifiers: l.modifiers,
                    })
            })
            .collect();
        picks = suggestions::top_picks(&history(conn, v.id)?, 3)
            .into_iter()
            .filter_map(|id| by_id.get(&id).map(|&i| i.clone()))
            .collect();
        if open.is_none() {
            feedback = feedback_chance(conn, table.id, v.id, now)?;
        }
    }
    let pick_ids: Vec<i64> = picks.iter().map(|p| p.id).collect();
    let trending = suggestions::trending_besides(&trending_ids, &pick_ids, 3)
        .into_iter()
        .filter_map(|id| by_id.get(&id).map(|&i| i.clone()))
        .collect();
    Ok(Some(GuestView {
        token: token.to_string(),
        table,
        settings: settings.clone(),
        sections: sections(shown),
        shown_items,
        open,
        visitor,
        returning,
        reorder,
        picks,
        trending,
        feedback,
        kept: kept.clone(),
    }))
}
