//! `/settings/retail`: the VAT rate and whether shelf prices include VAT (managers).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

use crate::platform::audit::Actor;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::settings;
use crate::platform::state::AppState;
use crate::retail::settings::{vat, PRICES_INCLUDE_VAT, VAT_RATE_BP};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub vat_rate: String,
    pub prices_include_vat: Option<String>,
}

/// "12" or "12.5" percent → basis points; 0 to 50 %, at most two decimals.
pub fn parse_percent_bp(raw: &str, max_percent: i64) -> Result<i64, String> {
    let d = Decimal::from_str(raw.trim())
        .map_err(|_| "Enter a percentage such as 12 or 12.5.".to_string())?;
    if d.is_sign_negative() || d > Decimal::new(max_percent, 0) {
        return Err(format!(
            "The percentage must be between 0 and {max_percent}."
        ));
    }
    if d.normalize().scale() > 2 {
        return Err("Use at most two decimals.".into());
    }
    (d * Decimal::ONE_HUNDRED)
        .to_i64()
        .ok_or_else(|| "Enter a percentage such as 12.".into())
}

pub fn percent_text(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}", bp / 100)
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
            .trim_end_matches('0')
            .to_string()
    }
}

#[derive(Template)]
#[template(path = "retail/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    form: SettingsForm,
    errors: FormErrors,
}

pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let v = state.db.run(|c| Ok(vat(c)?)).await?;
    let form = SettingsForm {
        vat_rate: percent_text(v.rate_bp),
        prices_include_vat: v.prices_include_vat.then(|| "on".into()),
    };
    html_status(
        StatusCode::OK,
        &SettingsPage {
            ctx,
            form,
            errors: FormErrors::default(),
        },
    )
}

pub async fn save(
    ctx: PageCtx,
    actor: Actor,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let rate = match parse_percent_bp(&form.vat_rate, 50) {
        Ok(r) => r,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add("vat_rate", m);
            return html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SettingsPage { ctx, form, errors },
            );
        }
    };
    let inclusive = form.prices_include_vat.is_some();
    state
        .db
        .write(move |c| {
            settings::set(c, &actor, VAT_RATE_BP, &rate.to_string())?;
            settings::set(
                c,
                &actor,
                PRICES_INCLUDE_VAT,
                if inclusive { "true" } else { "false" },
            )?;
            Ok(())
        })
        .await?;
    flash::success(
        &session,
        "Settings saved. New sales use them; past receipts keep theirs.",
    );
    Ok(see_other("/settings/retail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(parse_percent_bp("12", 50), Ok(1200));
        assert_eq!(parse_percent_bp("12.5", 50), Ok(1250));
        assert_eq!(parse_percent_bp("0", 50), Ok(0));
        assert!(parse_percent_bp("-1", 50).is_err());
        assert!(parse_percent_bp("51", 50).is_err());
        assert!(parse_percent_bp("1.234", 50).is_err());
        assert!(parse_percent_bp("twelve", 50).is_err());
        assert_eq!(percent_text(1250), "12.5");
        assert_eq!(percent_text(1200), "12");
        assert_eq!(percent_text(525), "5.25");
    }
}
