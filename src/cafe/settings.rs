//! The cafe's settings (`/settings/cafe`): what the bill prints, the tax rate and the public
//! address encoded in the tables' QR codes.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveTime;
use serde::Deserialize;

use crate::config::{normalise_public_url, Config};
use crate::platform::auth::Staff;
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::flash;
use crate::platform::forms::{self, FormErrors};
use crate::platform::page::{html_status, see_other, PageCtx};
use crate::platform::percent::{parse_percent_bp, percent_text};
use crate::platform::settings;
use crate::platform::state::AppState;

const NAME: &str = "cafe.name";
const ADDRESS: &str = "cafe.address";
const PHONE: &str = "cafe.phone";
const GST: &str = "cafe.gst_number";
const FOOTER: &str = "cafe.bill_footer";
const UPI: &str = "cafe.upi_id";
const TAX_RATE_BP: &str = "cafe.tax_rate_bp";
const PUBLIC_URL: &str = "cafe.public_base_url";
const TAX_NAME: &str = "cafe.tax_name";
const TAX_ID_LABEL: &str = "cafe.tax_id_label";
const INSTAGRAM: &str = "cafe.instagram_url";
const OPENS: &str = "cafe.opening_time";
const CLOSES: &str = "cafe.closing_time";
const RESERVATION_MINUTES: &str = "cafe.reservation_minutes";
const CURRENCY_SYMBOL: &str = "cafe.currency_symbol";
const PAYMENT_QR: &str = "cafe.payment_qr";
const PAYMENT_QR_LABEL: &str = "cafe.payment_qr_label";
/// The stored image of the cafe's own payment QR (QR Ph, GCash, Maya), when one was uploaded.
const PAYMENT_QR_IMAGE: &str = "cafe.payment_qr_image";

pub const DEFAULT_TAX_RATE_BP: i64 = 500;
pub const MIN_RESERVATION: i64 = 15;
pub const MAX_RESERVATION: i64 = 480;

/// What the bill carries so a guest can pay from their phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentQr {
    /// A UPI deep link with the bill's amount (India).
    Upi,
    /// The cafe's own static QR picture (QR Ph, GCash, Maya): the guest types the amount.
    Picture,
    None,
}

impl PaymentQr {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentQr::Upi => "upi",
            PaymentQr::Picture => "picture",
            PaymentQr::None => "none",
        }
    }

    pub fn parse(raw: &str) -> Option<PaymentQr> {
        [PaymentQr::Upi, PaymentQr::Picture, PaymentQr::None]
            .into_iter()
            .find(|q| q.as_str() == raw.trim())
    }
}

/// The usual sign of a currency, for bills and the guest page; the code itself when we know none.
pub fn usual_symbol(code: &str) -> String {
    match code {
        "PHP" => "₱",
        "INR" => "₹",
        "USD" | "AUD" | "CAD" | "SGD" | "NZD" | "HKD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" | "CNY" => "¥",
        "KRW" => "₩",
        "THB" => "฿",
        "VND" => "₫",
        other => other,
    }
    .to_string()
}

/// `19:30` → 19:30; anything else → `None`.
pub fn parse_time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafeSettings {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub gst_number: String,
    pub footer: String,
    pub upi_id: String,
    pub tax_rate_bp: i64,
    pub public_base_url: String,
    /// What the bill calls the tax ("VAT", "GST", "Service tax") and its registration number
    /// ("TIN", "GSTIN").
    pub tax_name: String,
    pub tax_id_label: String,
    pub instagram_url: String,
    /// Opening hours (business time zone); closing before opening means past midnight.
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    /// How long a reservation holds its table unless the booking says otherwise.
    pub reservation_minutes: i64,
    /// The sign before amounts on bills and the guest page ("₱", "₹", "PHP").
    pub currency_symbol: String,
    pub payment_qr: PaymentQr,
    /// What the picture QR is called on the bill ("GCash", "QR Ph").
    pub payment_qr_label: String,
    pub payment_qr_image: Option<i64>,
}

/// Where guests reach us when no manager has said: the configured public URL, else the
/// listening address (with `localhost` for "every interface", which phones cannot reach — the
/// tables page says so).
pub fn default_public_url(config: &Config) -> String {
    if let Some(u) = &config.public_url {
        return u.clone();
    }
    let port = config.addr.port();
    if config.addr.ip().is_unspecified() || config.addr.ip().is_loopback() {
        format!("http://localhost:{port}")
    } else {
        format!("http://{}", config.addr)
    }
}

pub fn load(conn: &mut AnyConnection, config: &Config) -> diesel::QueryResult<CafeSettings> {
    use crate::platform::schema::business_settings::dsl::*;
    use diesel::prelude::*;
    let rows: Vec<(String, String)> = crate::on_backend!(conn, |c| business_settings
        .filter(key.like("cafe.%"))
        .select((key, value))
        .load(c))?;
    let get = |k: &str| rows.iter().find(|(rk, _)| rk == k).map(|(_, v)| v.clone());
    Ok(CafeSettings {
        name: get(NAME).unwrap_or_else(|| config.business_name.clone()),
        address: get(ADDRESS).unwrap_or_default(),
        phone: get(PHONE).unwrap_or_default(),
        gst_number: get(GST).unwrap_or_default(),
        footer: get(FOOTER).unwrap_or_else(|| "Thank you for visiting!".into()),
        upi_id: get(UPI).unwrap_or_default(),
        tax_rate_bp: get(TAX_RATE_BP)
            .and_then(|v| v.parse().ok())
            .filter(|r| (0..=5_000).contains(r))
            .unwrap_or(DEFAULT_TAX_RATE_BP),
        public_base_url: get(PUBLIC_URL).unwrap_or_else(|| default_public_url(config)),
        tax_name: get(TAX_NAME).unwrap_or_else(|| "VAT".into()),
        tax_id_label: get(TAX_ID_LABEL).unwrap_or_else(|| "TIN".into()),
        instagram_url: get(INSTAGRAM).unwrap_or_default(),
        opens: get(OPENS)
            .and_then(|t| parse_time(&t))
            .unwrap_or_else(|| NaiveTime::from_hms_opt(7, 0, 0).expect("a time")),
        closes: get(CLOSES)
            .and_then(|t| parse_time(&t))
            .unwrap_or_else(|| NaiveTime::from_hms_opt(22, 0, 0).expect("a time")),
        reservation_minutes: get(RESERVATION_MINUTES)
            .and_then(|v| v.parse().ok())
            .filter(|m| (MIN_RESERVATION..=MAX_RESERVATION).contains(m))
            .unwrap_or(90),
        currency_symbol: get(CURRENCY_SYMBOL)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| usual_symbol(&config.currency)),
        payment_qr: get(PAYMENT_QR)
            .and_then(|q| PaymentQr::parse(&q))
            // Before the choice existed, a UPI id meant a UPI QR.
            .unwrap_or(if get(UPI).is_some_and(|u| !u.is_empty()) {
                PaymentQr::Upi
            } else {
                PaymentQr::None
            }),
        payment_qr_label: get(PAYMENT_QR_LABEL).unwrap_or_default(),
        payment_qr_image: get(PAYMENT_QR_IMAGE).and_then(|i| i.parse().ok()),
    })
}

/// The stored picture of the cafe's payment QR, if one was uploaded.
pub fn payment_qr_image(conn: &mut AnyConnection) -> diesel::QueryResult<Option<i64>> {
    Ok(settings::get(conn, PAYMENT_QR_IMAGE)?.and_then(|i| i.parse().ok()))
}

impl CafeSettings {
    /// Whether phones on the shop's network can reach the address in the QR codes.
    pub fn public_url_is_local(&self) -> bool {
        self.public_base_url.contains("://localhost") || self.public_base_url.contains("://127.")
    }

    pub fn tax_text(&self) -> String {
        percent_text(self.tax_rate_bp)
    }

    /// An amount as guests read it: "₱1,250.00", or "PHP 1,250.00" when the sign is a code.
    pub fn money(&self, m: &crate::platform::money::Money) -> String {
        format!("{}{}", self.money_prefix(), m.grouped())
    }

    /// What goes before an amount: the sign, with a space after a code.
    pub fn money_prefix(&self) -> String {
        if self.currency_symbol.chars().all(|c| c.is_alphabetic()) {
            format!("{} ", self.currency_symbol)
        } else {
            self.currency_symbol.clone()
        }
    }

    pub fn guest_url(&self, token: &str) -> String {
        format!("{}/t/{token}", self.public_base_url)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub gst_number: String,
    pub footer: String,
    pub upi_id: String,
    pub tax_rate: String,
    pub public_base_url: String,
    pub opens: String,
    pub closes: String,
    pub reservation_minutes: String,
    pub tax_name: String,
    pub tax_id_label: String,
    pub instagram_url: String,
    pub currency_symbol: String,
    pub payment_qr: String,
    pub payment_qr_label: String,
}

struct Valid {
    values: Vec<(&'static str, String)>,
}

fn validate(form: &SettingsForm, has_picture: bool) -> Result<Valid, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(
        &form.name,
        "name",
        "The cafe's name",
        100,
        true,
        &mut errors,
    );
    let address = forms::text(
        &form.address,
        "address",
        "The address",
        200,
        false,
        &mut errors,
    );
    let phone = forms::text(
        &form.phone,
        "phone",
        "The phone number",
        30,
        false,
        &mut errors,
    );
    let gst = forms::text(
        &form.gst_number,
        "gst_number",
        "The tax registration number",
        30,
        false,
        &mut errors,
    );
    let footer = forms::text(
        &form.footer,
        "footer",
        "The bill footer",
        200,
        false,
        &mut errors,
    );
    let upi = forms::text(
        &form.upi_id,
        "upi_id",
        "The UPI id",
        100,
        false,
        &mut errors,
    );
    if !upi.is_empty() && (!upi.contains('@') || upi.contains(|c: char| "&?=# ".contains(c))) {
        errors.add("upi_id", "A UPI id looks like cafe@bank.");
    }
    let rate = parse_percent_bp(&form.tax_rate, 50).unwrap_or_else(|m| {
        errors.add("tax_rate", m);
        0
    });
    let url = normalise_public_url(&form.public_base_url).unwrap_or_else(|m| {
        errors.add("public_base_url", format!("{}.", capitalise(&m)));
        String::new()
    });
    // Left blank (a script that predates the field): the usual hours.
    let mut time = |raw: &str, field: &'static str, usual: &str| match parse_time(raw) {
        Some(t) => t.format("%H:%M").to_string(),
        None if raw.trim().is_empty() => usual.to_string(),
        None => {
            errors.add(field, "Enter a time such as 07:00 or 22:30.");
            String::new()
        }
    };
    let opens = time(&form.opens, "opens", "07:00");
    let closes = time(&form.closes, "closes", "22:00");
    if !opens.is_empty() && opens == closes {
        errors.add("closes", "Closing time must differ from opening time.");
    }
    let minutes = forms::whole_number(
        &form.reservation_minutes,
        "reservation_minutes",
        "Reservation length",
        (MIN_RESERVATION, MAX_RESERVATION),
        Some(90),
        &mut errors,
    );
    // Blank (a script that predates the fields): the business's usual words.
    let word =
        |raw: &str, field: &'static str, label: &str, usual: &str, errors: &mut FormErrors| {
            let w = forms::text(raw, field, label, 20, false, errors);
            if w.is_empty() {
                usual.to_string()
            } else {
                w
            }
        };
    let tax_name = word(
        &form.tax_name,
        "tax_name",
        "The tax's name",
        "VAT",
        &mut errors,
    );
    let tax_id_label = word(
        &form.tax_id_label,
        "tax_id_label",
        "The registration label",
        "TIN",
        &mut errors,
    );
    let instagram = forms::text(
        &form.instagram_url,
        "instagram_url",
        "The Instagram address",
        200,
        false,
        &mut errors,
    );
    if !instagram.is_empty() && !instagram.starts_with("https://") {
        errors.add(
            "instagram_url",
            "An Instagram address starts with https://.",
        );
    }
    let symbol = forms::text(
        &form.currency_symbol,
        "currency_symbol",
        "The currency sign",
        5,
        false,
        &mut errors,
    );
    let label = forms::text(
        &form.payment_qr_label,
        "payment_qr_label",
        "The payment QR's name",
        30,
        false,
        &mut errors,
    );
    let qr = match form.payment_qr.trim() {
        // A script that predates the choice: a UPI id means a UPI QR.
        "" if upi.is_empty() => Some(PaymentQr::None),
        "" => Some(PaymentQr::Upi),
        raw => PaymentQr::parse(raw),
    };
    match qr {
        None => errors.add("payment_qr", "Choose UPI, your own QR picture or none."),
        Some(PaymentQr::Upi) if upi.is_empty() && errors.get("upi_id").is_none() => {
            errors.add("upi_id", "Enter the UPI id the bill's QR pays to.")
        }
        Some(PaymentQr::Picture) if !has_picture => errors.add(
            "payment_qr",
            "Upload your payment QR picture first (below), then choose it.",
        ),
        _ => {}
    }
    let qr = qr.unwrap_or(PaymentQr::None).as_str().to_string();
    errors.into_result(Valid {
        values: vec![
            (CURRENCY_SYMBOL, symbol),
            (PAYMENT_QR, qr),
            (PAYMENT_QR_LABEL, label),
            (TAX_NAME, tax_name),
            (TAX_ID_LABEL, tax_id_label),
            (INSTAGRAM, instagram),
            (OPENS, opens),
            (CLOSES, closes),
            (RESERVATION_MINUTES, minutes.to_string()),
            (NAME, name),
            (ADDRESS, address),
            (PHONE, phone),
            (GST, gst),
            (FOOTER, footer),
            (UPI, upi),
            (TAX_RATE_BP, rate.to_string()),
            (PUBLIC_URL, url),
        ],
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "cafe/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    form: SettingsForm,
    errors: FormErrors,
    has_picture: bool,
}

/// The settings as the form shows them (the page, and the base a partial API change edits).
pub fn form_of(s: CafeSettings) -> SettingsForm {
    SettingsForm {
        name: s.name,
        address: s.address,
        phone: s.phone,
        gst_number: s.gst_number,
        footer: s.footer,
        upi_id: s.upi_id,
        tax_rate: percent_text(s.tax_rate_bp),
        public_base_url: s.public_base_url,
        opens: s.opens.format("%H:%M").to_string(),
        closes: s.closes.format("%H:%M").to_string(),
        reservation_minutes: s.reservation_minutes.to_string(),
        tax_name: s.tax_name,
        tax_id_label: s.tax_id_label,
        instagram_url: s.instagram_url,
        currency_symbol: s.currency_symbol,
        payment_qr: s.payment_qr.as_str().into(),
        payment_qr_label: s.payment_qr_label,
    }
}

/// Checks the whole form and stores every value, audited; field errors when a value is wrong
/// (nothing stored then). Caller holds the write transaction.
pub fn store(
    conn: &mut AnyConnection,
    actor: &crate::platform::audit::Actor,
    form: &SettingsForm,
) -> Result<(), AppError> {
    let has_picture = payment_qr_image(conn)?.is_some();
    let valid = validate(form, has_picture).map_err(|errors| AppError::Fields {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        errors,
    })?;
    for (k, v) in &valid.values {
        settings::set(conn, actor, k, v)?;
    }
    Ok(())
}

pub async fn show(ctx: PageCtx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let st = state.clone();
    let s = state.db.run(move |c| Ok(load(c, &st.config)?)).await?;
    let has_picture = s.payment_qr_image.is_some();
    let form = form_of(s);
    let errors = FormErrors::default();
    html_status(
        StatusCode::OK,
        &SettingsPage {
            ctx,
            form,
            errors,
            has_picture,
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
    let f = form.clone();
    let saved = state.db.write(move |c| store(c, &actor, &f)).await;
    if let Err(e) = saved {
        let (errors, status) = e.into_fields()?;
        let has_picture = state.db.read(|c| Ok(payment_qr_image(c)?)).await?.is_some();
        return html_status(
            status,
            &SettingsPage {
                ctx,
                form,
                errors,
                has_picture,
            },
        );
    }
    flash::success(
        &session,
        "Cafe settings saved. Open bills use the new tax rate; closed ones keep theirs.",
    );
    Ok(see_other("/settings/cafe"))
}

/// `POST /settings/cafe/payment-qr` (multipart `image`): the cafe's own payment QR picture
/// (QR Ph, GCash, Maya). Stored like any picture (checked, re-encoded); the bill shows it once
/// the manager chooses it. The picture it replaces is deleted in the same transaction.
pub async fn upload_payment_qr(
    staff: Staff,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let (_, actor, state, session) = staff.parts();
    crate::platform::images::save_upload(&state, form, move |c, image| {
        let old = payment_qr_image(c)?;
        settings::set(c, &actor, PAYMENT_QR_IMAGE, &image.to_string())?;
        if let Some(old) = old.filter(|o| *o != image) {
            use crate::platform::schema::stored_images;
            use diesel::prelude::*;
            diesel::delete(stored_images::table.find(old)).execute(c)?;
        }
        Ok(())
    })
    .await?;
    flash::success(
        &session,
        "Payment QR picture saved. Choose \"Your own QR picture\" and save to print it on bills.",
    );
    Ok(see_other("/settings/cafe#payment"))
}

/// `GET /cafe/payment-qr`: the uploaded payment QR, for the printed bill.
pub async fn payment_qr(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    crate::platform::images::serve(&req, &state, |c| Ok(payment_qr_image(c)?)).await
}
