//! `/settings/retail`: the VAT rate, whether shelf prices include VAT, and the instalment
//! terms and flat interest (managers).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::platform::auth::{token, Staff};
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::percent::{parse_percent_bp, percent_text};
use crate::platform::settings;
use crate::platform::state::AppState;
use crate::registers;
use crate::retail::installments::{self, rules};
use crate::retail::settings::{vat, PRICES_INCLUDE_VAT, VAT_RATE_BP};
use crate::retail::warranty;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub vat_rate: String,
    pub prices_include_vat: Option<String>,
    /// The terms offered at the till, in months: "3, 6, 12".
    pub installment_terms: String,
    /// The flat interest on what is financed, in percent.
    pub installment_rate: String,
    /// Warranty windows in days from the sale, and a repair's usual cost.
    pub replacement_days: String,
    pub repair_days: String,
    pub repair_cost: String,
    /// Credit exposure (outstanding instalments / revenue) above this percent is high risk.
    pub high_risk: String,
    /// How many days a token of the JSON API lasts.
    pub token_days: String,
    /// Registers: the notes and coins counted, the difference that needs a note, and whether
    /// cafe bills need an open shift.
    pub denominations: String,
    pub note_over: String,
    pub cafe_shifts_required: Option<String>,
    /// The offline till: minutes it may sell without the server (0: never), and the most its
    /// waiting sales may add up to.
    pub offline_minutes: String,
    pub offline_amount: String,
    /// What a tax office wants on receipts and Z reports.
    pub registered_name: String,
    pub tin: String,
    pub vat_status: String,
    pub business_address: String,
}

/// Whole days from 0 to 3650.
fn parse_days(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=3650).contains(d) && raw.trim().chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| "Enter whole days from 0 to 3650.".to_string())
}

/// "3, 6, 12" → [3, 6, 12]: whole months from 1 to 60, at most 12 of them.
fn parse_terms(raw: &str) -> Result<Vec<i64>, String> {
    let said = "Terms are whole months from 1 to 60, separated by commas, e.g. 3, 6, 12.";
    let mut terms = Vec::new();
    for t in raw.split(',') {
        let t = t.trim();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) || t.len() > 2 {
            return Err(said.into());
        }
        let n: i64 = t.parse().map_err(|_| said.to_string())?;
        if !(1..=rules::MAX_TERM).contains(&n) {
            return Err(said.into());
        }
        if !terms.contains(&n) {
            terms.push(n);
        }
    }
    if terms.len() > 12 {
        return Err("Offer at most 12 terms.".into());
    }
    terms.sort_unstable();
    Ok(terms)
}

#[derive(Template)]
#[template(path = "retail/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    form: SettingsForm,
    errors: FormErrors,
}

pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let currency = state.config.currency.clone();
    let (v, t, (windows, repair_cost), high_risk, token_days, shifts, reg, offline) = state
        .db
        .run(move |c| {
            Ok((
                vat(c)?,
                installments::model::terms(c)?,
                warranty::model::terms(c)?,
                installments::model::high_risk_bp(c)?,
                token::lifetime_days(c)?,
                registers::settings::load(c, &currency)?,
                registers::shifts::report::registration(c)?,
                crate::retail::pos::offline::model::limits(c)?,
            ))
        })
        .await?;
    let terms: Vec<String> = t.offered.iter().map(i64::to_string).collect();
    let form = SettingsForm {
        vat_rate: percent_text(v.rate_bp),
        prices_include_vat: v.prices_include_vat.then(|| "on".into()),
        installment_terms: terms.join(", "),
        installment_rate: percent_text(t.rate_bp),
        replacement_days: windows.replacement_days.to_string(),
        repair_days: windows.repair_days.to_string(),
        repair_cost: repair_cost.plain(),
        high_risk: percent_text(high_risk),
        token_days: token_days.to_string(),
        denominations: registers::shifts::rules::denominations_text(&shifts.denominations),
        note_over: shifts.note_over.plain(),
        cafe_shifts_required: shifts.cafe_required.then(|| "on".into()),
        offline_minutes: offline.minutes.to_string(),
        offline_amount: Money(offline.amount_minor).plain(),
        registered_name: reg.registered_name,
        tin: reg.tin,
        vat_status: reg.vat_status,
        business_address: reg.address,
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
    let mut errors = FormErrors::default();
    let rate = parse_percent_bp(&form.vat_rate, 50).unwrap_or_else(|m| {
        errors.add("vat_rate", m);
        0
    });
    let terms = parse_terms(&form.installment_terms).unwrap_or_else(|m| {
        errors.add("installment_terms", m);
        Vec::new()
    });
    let interest = parse_percent_bp(&form.installment_rate, 100).unwrap_or_else(|m| {
        errors.add("installment_rate", m);
        0
    });
    let replacement_days = parse_days(&form.replacement_days).unwrap_or_else(|m| {
        errors.add("replacement_days", m);
        0
    });
    let repair_days = parse_days(&form.repair_days).unwrap_or_else(|m| {
        errors.add("repair_days", m);
        0
    });
    let repair_cost = Money::parse_input(&form.repair_cost).unwrap_or_else(|e| {
        errors.add("repair_cost", format!("The repair cost: {e}."));
        Money::ZERO
    });
    // Left empty: the usual 30 %.
    let high_risk = if form.high_risk.trim().is_empty() {
        installments::model::DEFAULT_HIGH_RISK_BP
    } else {
        parse_percent_bp(&form.high_risk, 1000).unwrap_or_else(|m| {
            errors.add("high_risk", m);
            0
        })
    };
    // Left empty: the usual 30 days.
    let days = match form.token_days.trim() {
        "" => "30",
        d => d,
    };
    let token_days = days
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=token::MAX_LIFETIME_DAYS).contains(d))
        .unwrap_or_else(|| {
            errors.add(
                "token_days",
                format!("Enter whole days from 1 to {}.", token::MAX_LIFETIME_DAYS),
            );
            0
        });
    let denominations =
        registers::shifts::rules::parse_denominations(&form.denominations, &state.config.currency)
            .unwrap_or_else(|m| {
                errors.add("denominations", m);
                Vec::new()
            });
    let note_over = if form.note_over.trim().is_empty() {
        Money::ZERO
    } else {
        Money::parse_input(&form.note_over).unwrap_or_else(|e| {
            errors.add("note_over", format!("The amount: {e}."));
            Money::ZERO
        })
    };
    // Left empty: the usual 240 minutes and 50,000.00.
    let usual = crate::retail::pos::offline::rules::Limits::default();
    let offline_minutes = match form.offline_minutes.trim() {
        "" => usual.minutes,
        m => m
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=10_080).contains(v) && m.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or_else(|| {
                errors.add(
                    "offline_minutes",
                    "Enter whole minutes from 0 (no offline selling) to 10080 (a week).",
                );
                0
            }),
    };
    let offline_amount = match form.offline_amount.trim() {
        "" => Money(usual.amount_minor),
        a => Money::parse_input(a).unwrap_or_else(|e| {
            errors.add("offline_amount", format!("The amount: {e}."));
            Money::ZERO
        }),
    };
    let registered_name = forms::text(
        &form.registered_name,
        "registered_name",
        "The registered name",
        120,
        false,
        &mut errors,
    );
    let tin = forms::text(&form.tin, "tin", "The TIN", 30, false, &mut errors);
    let business_address = forms::text(
        &form.business_address,
        "business_address",
        "The address",
        200,
        false,
        &mut errors,
    );
    let vat_status = match form.vat_status.trim() {
        s @ ("" | "VAT" | "Non-VAT") => s.to_string(),
        _ => {
            errors.add("vat_status", "Choose VAT, Non-VAT or nothing.");
            String::new()
        }
    };
    if !errors.is_empty() {
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SettingsPage { ctx, form, errors },
        );
    }
    let terms: Vec<String> = terms.iter().map(i64::to_string).collect();
    let terms = terms.join(",");
    let inclusive = form.prices_include_vat.is_some();
    let cafe_required = form.cafe_shifts_required.is_some();
    let denominations = registers::shifts::rules::denominations_text(&denominations);
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
            settings::set(c, &actor, installments::model::TERMS, &terms)?;
            settings::set(
                c,
                &actor,
                installments::model::RATE_BP,
                &interest.to_string(),
            )?;
            settings::set(
                c,
                &actor,
                installments::model::HIGH_RISK_BP,
                &high_risk.to_string(),
            )?;
            settings::set(c, &actor, token::LIFETIME_DAYS, &token_days.to_string())?;
            let warranty_settings = [
                (warranty::model::REPLACEMENT_DAYS, replacement_days),
                (warranty::model::REPAIR_DAYS, repair_days),
                (warranty::model::REPAIR_COST, repair_cost.0),
            ];
            for (key, value) in warranty_settings {
                settings::set(c, &actor, key, &value.to_string())?;
            }
            let register_settings = [
                (registers::settings::DENOMINATIONS, denominations),
                (registers::settings::NOTE_OVER, note_over.0.to_string()),
                (
                    registers::settings::CAFE_REQUIRED,
                    cafe_required.to_string(),
                ),
                (
                    crate::retail::pos::offline::model::LIMIT_MINUTES,
                    offline_minutes.to_string(),
                ),
                (
                    crate::retail::pos::offline::model::LIMIT_AMOUNT,
                    offline_amount.0.to_string(),
                ),
                (registers::shifts::report::REGISTERED_NAME, registered_name),
                (registers::shifts::report::TIN, tin),
                (registers::shifts::report::VAT_STATUS, vat_status),
                (registers::shifts::report::ADDRESS, business_address),
            ];
            for (key, value) in register_settings {
                settings::set(c, &actor, key, &value)?;
            }
            Ok(())
        })
        .await?;
    flash::success(
        &session,
        "Settings saved. New sales use them; past receipts and plans keep theirs.",
    );
    Ok(see_other("/settings/retail"))
}
