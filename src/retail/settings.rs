//! The retail settings: VAT rate and whether shelf prices include VAT.

use crate::platform::db::AnyConnection;
use crate::platform::settings;
use crate::retail::pricing::VatSettings;

pub const VAT_RATE_BP: &str = "retail.vat_rate_bp";
pub const PRICES_INCLUDE_VAT: &str = "retail.prices_include_vat";

pub fn vat(conn: &mut AnyConnection) -> diesel::QueryResult<VatSettings> {
    let default = VatSettings::default();
    let rate_bp = settings::get(conn, VAT_RATE_BP)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|r| (0..=5_000).contains(r))
        .unwrap_or(default.rate_bp);
    let prices_include_vat = settings::get(conn, PRICES_INCLUDE_VAT)?
        .map(|v| v == "true")
        .unwrap_or(default.prices_include_vat);
    Ok(VatSettings {
        rate_bp,
        prices_include_vat,
    })
}
