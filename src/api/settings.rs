//! `/api/settings/`: the cafe's settings (managers only: the old system let anonymous callers
//! change them). A change goes through the settings page's own validation and is audited.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{self, Problem};
use crate::cafe::settings::{self, CafeSettings};
use crate::platform::audit::Actor;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::percent::percent_text;
use crate::platform::schema::cafe_tables;
use crate::platform::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsOut {
    pub cafe_name: String,
    pub phone: String,
    pub address: String,
    /// The tax registration number (GSTIN, TIN…).
    pub gst: String,
    /// Percent, e.g. 5.0.
    pub tax_rate: f64,
    /// What bills call the tax: "GST", "VAT".
    pub tax_name: String,
    /// Active tables in every branch.
    pub total_tables: i64,
    /// `09:00:00`, business time.
    pub opening_time: String,
    pub closing_time: String,
    pub currency_symbol: String,
    pub footer_message: String,
    pub upi_id: String,
    pub instagram_url: String,
    /// Where the tables' QR codes point.
    pub public_base_url: String,
    /// How long a booking holds its table, in minutes.
    pub reservation_minutes: i64,
}

fn out(conn: &mut AnyConnection, s: CafeSettings) -> Result<SettingsOut, AppError> {
    let total_tables: i64 = cafe_tables::table
        .filter(cafe_tables::is_active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(SettingsOut {
        cafe_name: s.name,
        phone: s.phone,
        address: s.address,
        gst: s.gst_number,
        tax_rate: s.tax_rate_bp as f64 / 100.0,
        tax_name: s.tax_name,
        total_tables,
        opening_time: s.opens.format("%H:%M:%S").to_string(),
        closing_time: s.closes.format("%H:%M:%S").to_string(),
        currency_symbol: s.currency_symbol,
        footer_message: s.footer,
        upi_id: s.upi_id,
        instagram_url: s.instagram_url,
        public_base_url: s.public_base_url,
        reservation_minutes: s.reservation_minutes,
    })
}

/// The cafe's settings (managers).
#[utoipa::path(get, path = "/api/settings/", tag = "settings", security(("token" = [])),
    responses((status = 200, body = SettingsOut), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn show(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let config = state.clone_config();
    let s = state
        .db
        .read(move |c| {
            let s = settings::load(c, &config)?;
            out(c, s)
        })
        .await?;
    Ok(json::ok(&s))
}

/// What may change; fields left out stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SettingsBody {
    pub cafe_name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub gst: Option<String>,
    /// Percent, 0 to 50.
    #[schema(value_type = Option<String>, example = "5")]
    pub tax_rate: Option<json::Decimal2>,
    pub tax_name: Option<String>,
    /// `09:00`
    pub opening_time: Option<String>,
    pub closing_time: Option<String>,
    pub currency_symbol: Option<String>,
    pub footer_message: Option<String>,
    pub upi_id: Option<String>,
    pub instagram_url: Option<String>,
    pub public_base_url: Option<String>,
    pub reservation_minutes: Option<i64>,
}

/// Change some settings (managers); answers them all. Open bills use a new tax rate at once;
/// closed bills keep theirs.
#[utoipa::path(post, path = "/api/settings/", tag = "settings", request_body = SettingsBody,
    security(("token" = [])),
    responses((status = 200, body = SettingsOut), (status = 400, body = Problem, description = "Field errors"),
        (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn change(
    actor: Actor,
    state: web::Data<AppState>,
    body: web::Json<SettingsBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let config = state.clone_config();
    let s = state
        .db
        .write(move |c| {
            let mut f = settings::form_of(settings::load(c, &config)?);
            json::fill(&mut f.name, b.cafe_name);
            json::fill(&mut f.phone, b.phone);
            json::fill(&mut f.address, b.address);
            json::fill(&mut f.gst_number, b.gst);
            json::fill(&mut f.tax_rate, b.tax_rate.map(|r| percent_text(r.0 .0)));
            json::fill(&mut f.tax_name, b.tax_name);
            let hm = |t: String| t.get(..5).map(str::to_string).unwrap_or(t);
            json::fill(&mut f.opens, b.opening_time.map(hm));
            json::fill(&mut f.closes, b.closing_time.map(hm));
            json::fill(&mut f.currency_symbol, b.currency_symbol);
            json::fill(&mut f.footer, b.footer_message);
            json::fill(&mut f.upi_id, b.upi_id);
            json::fill(&mut f.instagram_url, b.instagram_url);
            json::fill(&mut f.public_base_url, b.public_base_url);
            json::fill(
                &mut f.reservation_minutes,
                b.reservation_minutes.map(|m| m.to_string()),
            );
            settings::store(c, &actor, &f)?;
            let s = settings::load(c, &config)?;
            out(c, s)
        })
        .await?;
    Ok(json::ok(&s))
}
