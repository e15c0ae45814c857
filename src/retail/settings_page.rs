//! `/settings/retail`: the VAT rate and whether shelf prices include VAT (managers).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::Staff;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::FormErrors;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::percent::{parse_percent_bp, percent_text};
use crate::platform::settings;
use crate::platform::state::AppState;
use crate::retail::settings::{vat, PRICES_INCLUDE_VAT, VAT_RATE_BP};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub vat_rate: String,
    pub prices_include_vat: Option<String>,
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
    staff: Staff,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
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
