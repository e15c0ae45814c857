//! The JSON API under `/api/`: the cafe system's REST contract (same paths, fields, envelope
//! and errors, so its kitchen tablets and scripts keep working) and the retail side in the same
//! style. Handlers are thin: they read JSON, call the same models and rules as the HTML pages,
//! and answer JSON. Where the old system was wrong, this one is right; `docs/api.md` lists
//! each difference and why.

pub mod auth;
pub mod cafe_refunds;
pub mod customer;
pub mod discounts;
pub mod docs;
pub mod json;
pub mod kitchen;
pub mod menu;
pub mod records;
pub mod refunds;
pub mod reservations;
pub mod retail;
pub mod sessions;
pub mod settings;
pub mod shifts;
pub mod tables;

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, Route};

use crate::platform::auth::guard::who::{
    CAFE, CASHIERS, CREDIT, FLOOR, INSTALMENTS, KITCHEN, MANAGER, SELLERS,
};
use crate::platform::auth::{Access, CurrentUser, Reply};
use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;

/// The caller of an endpoint that anyone may use: the employee behind the token, if any.
pub struct ApiUser(pub Option<CurrentUser>);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = Ready<Result<ApiUser, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ApiUser(req.extensions().get::<CurrentUser>().cloned())))
    }
}

/// The cafe a request works on: staff their own branch, managers the one they ask for (by
/// default the first with a cafe), anonymous callers a trading branch.
pub fn cafe_branch(
    conn: &mut AnyConnection,
    user: Option<&CurrentUser>,
    requested: Option<i64>,
) -> Result<i64, AppError> {
    match user {
        Some(u) => Ok(crate::cafe::scope::resolve(conn, u, requested)?.id),
        None => crate::cafe::scope::public_branch(conn, requested),
    }
}

/// The one answer for a record that does not exist or is not the caller's to see (another
/// branch's): the same words, so an id cannot be used to learn what exists elsewhere.
pub fn not_found() -> AppError {
    AppError::NotFound("Not found.".into())
}

/// A record of `branch_id` as the caller may see it: staff their own branch, managers any;
/// anything else is `not_found`.
pub fn of_branch(user: &CurrentUser, branch_id: i64) -> Result<(), AppError> {
    crate::platform::auth::scope::check(user, branch_id).map_err(|_| not_found())
}

type Entry = (Method, &'static str, Access, Reply, Route);

/// Every route of the API, with who may use it. `app::table` adds them to the one route table;
/// `docs::tests` checks the OpenAPI document lists each of them.
pub fn routes() -> Vec<Entry> {
    use Access::{Public, Staff};
    let a = |m: Method, path: &'static str, access: Access, route: Route| {
        (m, path, access, Reply::Api, route)
    };
    let get = || web::get();
    let post = || web::post();
    vec![
        a(Method::GET, "/api/", Public, get().to(docs::root)),
        a(Method::GET, "/api/schema/", Public, get().to(docs::schema)),
        a(Method::GET, "/api/docs/", Public, get().to(docs::swagger)),
        a(Method::GET, "/api/redoc/", Public, get().to(docs::redoc)),
        // registers and shifts
        a(
            Method::GET,
            "/api/registers/",
            CASHIERS,
            get().to(shifts::registers_list),
        ),
        a(
            Method::GET,
            "/api/shifts/",
            CASHIERS,
            get().to(shifts::list),
        ),
        a(
            Method::POST,
            "/api/shifts/",
            CASHIERS,
            post().to(shifts::open),
        ),
        a(
            Method::GET,
            "/api/shifts/{id:\\d+}/",
            CASHIERS,
            get().to(shifts::detail),
        ),
        a(
            Method::POST,
            "/api/shifts/{id:\\d+}/cash/",
            CASHIERS,
            post().to(shifts::cash),
        ),
        a(
            Method::POST,
            "/api/shifts/{id:\\d+}/close/",
            CASHIERS,
            post().to(shifts::close),
        ),
        // auth
        a(
            Method::POST,
            "/api/auth/login/",
            Public,
            post().to(auth::login),
        ),
        a(
            Method::POST,
            "/api/auth/logout/",
            Staff,
            post().to(auth::logout),
        ),
        a(Method::GET, "/api/auth/me/", Staff, get().to(auth::me)),
        a(
            Method::POST,
            "/api/auth/toggle_duty/",
            crate::platform::auth::guard::who::DUTY,
            post().to(auth::toggle_duty),
        ),
        // menu
        a(Method::GET, "/api/menu/", Public, get().to(menu::list)),
        a(Method::POST, "/api/menu/", MANAGER, post().to(menu::create)),
        a(
            Method::GET,
            "/api/menu/{id:\\d+}/",
            Public,
            get().to(menu::detail),
        ),
        a(
            Method::PUT,
            "/api/menu/{id:\\d+}/",
            MANAGER,
            web::put().to(menu::replace),
        ),
        a(
            Method::PATCH,
            "/api/menu/{id:\\d+}/",
            MANAGER,
            web::patch().to(menu::patch),
        ),
        a(
            Method::DELETE,
            "/api/menu/{id:\\d+}/",
            MANAGER,
            web::delete().to(menu::delete),
        ),
        a(
            Method::POST,
            "/api/menu/{id:\\d+}/toggle_stock/",
            KITCHEN,
            post().to(menu::toggle_stock),
        ),
        a(
            Method::POST,
            "/api/menu/{id:\\d+}/toggle_trending/",
            MANAGER,
            post().to(menu::toggle_trending),
        ),
        // tables
        a(Method::GET, "/api/tables/", CAFE, get().to(tables::list)),
        a(
            Method::POST,
            "/api/tables/",
            MANAGER,
            post().to(tables::create),
        ),
        a(
            Method::GET,
            "/api/tables/{id:\\d+}/",
            CAFE,
            get().to(tables::detail),
        ),
        a(
            Method::PUT,
            "/api/tables/{id:\\d+}/",
            MANAGER,
            web::put().to(tables::replace),
        ),
        a(
            Method::PATCH,
            "/api/tables/{id:\\d+}/",
            MANAGER,
            web::patch().to(tables::patch),
        ),
        a(
            Method::DELETE,
            "/api/tables/{id:\\d+}/",
            MANAGER,
            web::delete().to(tables::delete),
        ),
        a(
            Method::GET,
            "/api/tables/{id:\\d+}/session/",
            FLOOR,
            get().to(tables::session),
        ),
        a(
            Method::GET,
            "/api/tables/{id:\\d+}/qr_code/",
            MANAGER,
            get().to(tables::qr_code),
        ),
        // sessions, keyed by table number
        a(
            Method::GET,
            "/api/sessions/",
            FLOOR,
            get().to(sessions::list),
        ),
        a(
            Method::GET,
            "/api/sessions/{t:\\d+}/",
            FLOOR,
            get().to(sessions::detail),
        ),
        a(
            Method::POST,
            "/api/sessions/{t:\\d+}/",
            FLOOR,
            post().to(sessions::order),
        ),
        a(
            Method::POST,
            "/api/sessions/{t:\\d+}/close/",
            FLOOR,
            post().to(sessions::close),
        ),
        a(
            Method::POST,
            "/api/sessions/{t:\\d+}/mark_bill_printed/",
            FLOOR,
            post().to(sessions::mark_printed),
        ),
        a(
            Method::GET,
            "/api/sessions/{t:\\d+}/generate_bill/",
            FLOOR,
            get().to(sessions::generate_bill),
        ),
        // reservations
        a(
            Method::GET,
            "/api/reservations/",
            FLOOR,
            get().to(reservations::list),
        ),
        a(
            Method::POST,
            "/api/reservations/",
            FLOOR,
            post().to(reservations::create),
        ),
        a(
            Method::GET,
            "/api/reservations/{id:\\d+}/",
            FLOOR,
            get().to(reservations::detail),
        ),
        a(
            Method::PUT,
            "/api/reservations/{id:\\d+}/",
            FLOOR,
            web::put().to(reservations::replace),
        ),
        a(
            Method::PATCH,
            "/api/reservations/{id:\\d+}/",
            FLOOR,
            web::patch().to(reservations::patch),
        ),
        a(
            Method::POST,
            "/api/reservations/{id:\\d+}/{action:(confirm|seat|cancel|complete|no_show)}/",
            FLOOR,
            post().to(reservations::act),
        ),
        // kitchen
        a(
            Method::GET,
            "/api/kitchen/",
            KITCHEN,
            get().to(kitchen::list),
        ),
        a(
            Method::GET,
            "/api/kitchen/{id:\\d+}/",
            KITCHEN,
            get().to(kitchen::detail),
        ),
        a(
            Method::PATCH,
            "/api/kitchen/{id:\\d+}/status/",
            KITCHEN,
            web::patch().to(kitchen::status),
        ),
        a(
            Method::POST,
            "/api/kitchen/bulk_update/",
            KITCHEN,
            post().to(kitchen::bulk_update),
        ),
        // sales, feedback, stats, settings
        a(Method::GET, "/api/sales/", FLOOR, get().to(records::sales)),
        a(
            Method::GET,
            "/api/sales/{id:\\d+}/",
            FLOOR,
            get().to(records::sale),
        ),
        a(
            Method::GET,
            "/api/feedback/",
            MANAGER,
            get().to(records::feedback),
        ),
        a(
            Method::POST,
            "/api/feedback/",
            FLOOR,
            post().to(records::give_feedback),
        ),
        a(
            Method::GET,
            "/api/stats/",
            MANAGER,
            get().to(records::today),
        ),
        a(
            Method::GET,
            "/api/stats/top_items/",
            MANAGER,
            get().to(records::top_items),
        ),
        a(
            Method::GET,
            "/api/stats/hourly/",
            MANAGER,
            get().to(records::hourly),
        ),
        a(
            Method::GET,
            "/api/stats/category_breakdown/",
            MANAGER,
            get().to(records::categories),
        ),
        a(
            Method::GET,
            "/api/settings/",
            MANAGER,
            get().to(settings::show),
        ),
        a(
            Method::POST,
            "/api/settings/",
            MANAGER,
            post().to(settings::change),
        ),
        // discounts
        a(
            Method::GET,
            "/api/discounts/",
            MANAGER,
            get().to(discounts::list),
        ),
        a(
            Method::POST,
            "/api/discounts/",
            MANAGER,
            post().to(discounts::create),
        ),
        a(
            Method::POST,
            "/api/discounts/validate/",
            Public,
            post().to(discounts::validate),
        ),
        a(
            Method::GET,
            "/api/discounts/{id:\\d+}/",
            MANAGER,
            get().to(discounts::detail),
        ),
        a(
            Method::PUT,
            "/api/discounts/{id:\\d+}/",
            MANAGER,
            web::put().to(discounts::replace),
        ),
        a(
            Method::PATCH,
            "/api/discounts/{id:\\d+}/",
            MANAGER,
            web::patch().to(discounts::patch),
        ),
        a(
            Method::DELETE,
            "/api/discounts/{id:\\d+}/",
            MANAGER,
            web::delete().to(discounts::delete),
        ),
        a(
            Method::POST,
            "/api/cafe/sales/{id:\\d+}/refund/",
            FLOOR,
            post().to(cafe_refunds::refund),
        ),
        a(
            Method::GET,
            "/api/cafe/credit-notes/{id:\\d+}/",
            FLOOR,
            get().to(cafe_refunds::credit_note),
        ),
        // retail
        a(
            Method::POST,
            "/api/sales/{id:\\d+}/refund/",
            SELLERS,
            post().to(refunds::refund),
        ),
        a(
            Method::GET,
            "/api/credit-notes/{id:\\d+}/",
            SELLERS,
            get().to(refunds::credit_note),
        ),
        a(
            Method::GET,
            "/api/products/",
            SELLERS,
            get().to(retail::products),
        ),
        a(
            Method::GET,
            "/api/products/{id:\\d+}/",
            SELLERS,
            get().to(retail::product),
        ),
        a(
            Method::GET,
            "/api/products/barcode/{barcode}/",
            SELLERS,
            get().to(retail::by_barcode),
        ),
        a(
            Method::GET,
            "/api/stock/",
            SELLERS,
            get().to(retail::stock_list),
        ),
        a(
            Method::POST,
            "/api/checkout/",
            SELLERS,
            post().to(retail::checkout_split),
        ),
        a(
            Method::GET,
            "/api/orders/",
            SELLERS,
            get().to(retail::orders),
        ),
        a(
            Method::GET,
            "/api/orders/{id:\\d+}/",
            SELLERS,
            get().to(retail::order),
        ),
        a(
            Method::POST,
            "/api/checkout/cash/",
            SELLERS,
            post().to(retail::checkout_cash),
        ),
        a(
            Method::GET,
            "/api/installments/",
            INSTALMENTS,
            get().to(retail::plans_list),
        ),
        a(
            Method::GET,
            "/api/installments/{id:\\d+}/",
            INSTALMENTS,
            get().to(retail::plan),
        ),
        a(
            Method::POST,
            "/api/installments/{id:\\d+}/payments/",
            CREDIT,
            post().to(retail::pay),
        ),
        a(
            Method::GET,
            "/api/warranty/",
            SELLERS,
            get().to(retail::claims),
        ),
        a(
            Method::POST,
            "/api/warranty/",
            SELLERS,
            post().to(retail::file_claim),
        ),
        a(
            Method::GET,
            "/api/warranty/{id:\\d+}/",
            SELLERS,
            get().to(retail::claim),
        ),
        // the guest's own (by the visitor cookie)
        a(
            Method::GET,
            "/api/customer/me/",
            Public,
            get().to(customer::me),
        ),
        a(
            Method::GET,
            "/api/customer/orders/",
            Public,
            get().to(customer::orders),
        ),
        a(
            Method::POST,
            "/api/customer/update_name/",
            Public,
            post().to(customer::update_name),
        ),
        a(
            Method::GET,
            "/api/customer/suggestions/",
            Public,
            get().to(customer::suggestions),
        ),
    ]
}
