//! The API's own description: the OpenAPI 3 document generated from the handlers and types
//! (`utoipa`), Swagger UI and ReDoc to read it — all served from the binary, no CDN.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    auth, cafe_refunds, customer, discounts, kitchen, menu, records, refunds, reservations, retail,
    sessions, settings, shifts, tables,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tillpoint API",
        version = "1.0.0",
        description = "The cafe system's REST contract (same paths, fields, page envelope and \
errors) and the shop's retail side in the same style. Sign in with `POST /api/auth/login/` and \
send `Authorization: Token <token>`. Where tillpoint deliberately differs from the cafe system \
(every write and staff read needs a token of the right role, amounts are exact, \"today\" is the \
business day…), docs/api.md says so and why."
    ),
    components(schemas(crate::api::json::Problem)),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        auth::toggle_duty,
        menu::list,
        menu::create,
        menu::detail,
        menu::replace,
        menu::patch,
        menu::delete,
        menu::toggle_stock,
        menu::toggle_trending,
        tables::list,
        tables::create,
        tables::detail,
        tables::replace,
        tables::patch,
        tables::delete,
        tables::session,
        tables::qr_code,
        sessions::list,
        sessions::detail,
        sessions::order,
        sessions::close,
        sessions::mark_printed,
        sessions::generate_bill,
        reservations::list,
        reservations::create,
        reservations::detail,
        reservations::replace,
        reservations::patch,
        reservations::act,
        kitchen::list,
        kitchen::detail,
        kitchen::status,
        kitchen::bulk_update,
        records::sales,
        records::sale,
        records::feedback,
        records::give_feedback,
        records::today,
        records::top_items,
        records::hourly,
        records::categories,
        settings::show,
        settings::change,
        discounts::list,
        discounts::create,
        discounts::validate,
        discounts::detail,
        discounts::replace,
        discounts::patch,
        discounts::delete,
        customer::me,
        customer::orders,
        customer::update_name,
        customer::suggestions,
        retail::products,
        retail::product,
        retail::by_barcode,
        retail::stock_list,
        retail::orders,
        retail::order,
        retail::checkout_cash,
        retail::checkout_split,
        retail::plans_list,
        retail::plan,
        retail::pay,
        retail::claims,
        retail::file_claim,
        retail::claim,
        refunds::refund,
        refunds::credit_note,
        cafe_refunds::refund,
        cafe_refunds::credit_note,
        shifts::registers_list,
        shifts::list,
        shifts::open,
        shifts::detail,
        shifts::cash,
        shifts::close,
    ),
    modifiers(&TokenAuth, &ErrorAnswers),
    tags(
        (name = "auth", description = "Tokens: sign in, who am I, duty, sign out"),
        (name = "menu", description = "The cafe's menu"),
        (name = "tables", description = "Tables, their open bill and QR code"),
        (name = "sessions", description = "A table's bill, by table number: order, bill, close"),
        (name = "reservations", description = "Bookings: a table held for a time"),
        (name = "kitchen", description = "Kitchen tickets for the kitchen's tablets"),
        (name = "sales", description = "Closed cafe bills"),
        (name = "feedback", description = "Guests' ratings of their visit"),
        (name = "stats", description = "The cafe's figures, from daily summaries"),
        (name = "settings", description = "The cafe's settings"),
        (name = "discounts", description = "Promo codes"),
        (name = "retail", description = "The shop: products, stock, sales, cash checkout, instalments, warranty"),
        (name = "registers", description = "Registers, shifts and cash-up: open with a float, cash in and out, close with the count; the X and Z reports"),
        (name = "customer", description = "A guest's own profile, orders and suggestions (by the visitor cookie)"),
    )
)]
pub struct ApiDoc;

/// `Authorization: Token <key>`, described as an API key in a header (its value carries the
/// `Token ` prefix, as the cafe system's clients send it).
struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <key>`, the key from POST /api/auth/login/",
            ))),
        );
    }
}

/// The answers any operation may give besides its own: bad input (400), no or a bad token
/// (401), a wrong role (403), an unknown record or page (404), a body over the limit (413), too
/// many tries (429) — all `Problem` bodies. Added where an operation does not list them itself.
struct ErrorAnswers;

impl Modify for ErrorAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let said = [
            ("400", "The request could not be read or a value is wrong"),
            (
                "401",
                "No token, or a token that is unknown, expired or revoked",
            ),
            ("403", "The token's role may not do this"),
            ("404", "No such record, page or branch"),
            ("413", "The body is over 256 KB"),
            ("429", "Too many tries; see Retry-After"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                for (code, text) in said {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(text)
                                    .content(
                                        "application/json",
                                        ContentBuilder::new()
                                            .schema(Some(RefOr::Ref(
                                                utoipa::openapi::Ref::from_schema_name("Problem"),
                                            )))
                                            .build(),
                                    )
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .expect("the OpenAPI document serialises")
    })
}

pub async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(document())
}

/// The documentation pages need inline styles (both renderers set style attributes) and ReDoc
/// runs a worker from a blob; nothing else is loosened, and nothing is loaded from elsewhere.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

fn page(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", DOCS_CSP))
        .body(body)
}

pub async fn swagger() -> HttpResponse {
    page(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tillpoint API</title><link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/vendor/swagger-ui/init.js"></script></body></html>"#,
    )
}

pub async fn redoc() -> HttpResponse {
    page(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tillpoint API</title></head>
<body><redoc spec-url="/api/schema/"></redoc>
<script src="/static/vendor/redoc/redoc.standalone.js"></script></body></html>"#,
    )
}

/// `/api/`: where each part of the API starts, as the cafe system's router root listed them.
pub async fn root(req: HttpRequest) -> HttpResponse {
    let info = req.connection_info();
    let base = format!("{}://{}/api", info.scheme(), info.host());
    let mut parts = serde_json::Map::new();
    for part in ["menu", "auth/me", "schema", "docs", "redoc"] {
        parts.insert(
            part.replace("auth/me", "me"),
            serde_json::Value::String(format!("{base}/{part}/")),
        );
    }
    HttpResponse::Ok().json(serde_json::Value::Object(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every API route of the route table is in the document, with its method (a route added
    /// without its `#[utoipa::path]` fails here).
    #[test]
    fn the_document_lists_every_route() {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let undocumented = ["/api/", "/api/schema/", "/api/docs/", "/api/redoc/"];
        let mut missing = Vec::new();
        for (method, path, ..) in crate::api::routes() {
            if undocumented.contains(&path) {
                continue;
            }
            let documented = plain_path(path);
            let has = paths
                .get(&documented)
                .and_then(|p| p.get(method.as_str().to_lowercase()))
                .is_some();
            if !has {
                missing.push(format!("{method} {documented}"));
            }
        }
        assert!(
            missing.is_empty(),
            "not in the OpenAPI document: {missing:?}"
        );
        // And nothing is documented that does not exist.
        let routed: Vec<String> = crate::api::routes()
            .iter()
            .map(|(_, p, ..)| plain_path(p))
            .collect();
        for p in paths.keys() {
            assert!(routed.contains(p), "documented but not routed: {p}");
        }
    }

    /// `/api/menu/{id:\d+}/` → `/api/menu/{id}/`.
    fn plain_path(route: &str) -> String {
        let mut out = String::new();
        let mut in_param = false;
        let mut skipping = false;
        for c in route.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push(c);
                }
                ':' if in_param => skipping = true,
                '}' if in_param => {
                    in_param = false;
                    skipping = false;
                    out.push(c);
                }
                _ if skipping => {}
                _ => out.push(c),
            }
        }
        out
    }
}
