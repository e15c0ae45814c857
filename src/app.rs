//! The application: the one route table (with each route's access rule) and the middleware.

use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Logger};
use actix_web::{web, App, Route};

use crate::cafe;
use crate::cafe::menu::categories::MenuCategories;
use crate::cafe::menu::routes::MenuItems;
use crate::cafe::tables::routes::Tables;
use crate::imports;
use crate::platform::archive;
use crate::platform::audit;
use crate::platform::audit::words::{Vocabulary, PLATFORM_WORDS};
use crate::platform::auth::guard::{self, Access, Reply, RouteAccess};
use crate::platform::auth::{csrf, Role};
use crate::platform::error::AppError;
use crate::platform::page::NavLink;
use crate::platform::state::AppState;
use crate::platform::{assets, category_list, images, record_form, web as platform_web};
use crate::registers;
use crate::registers::shifts::routes as shifts;
use crate::retail::catalog::categories::ProductCategories;
use crate::retail::catalog::products::routes::Products;
use crate::retail::catalog::suppliers::Suppliers;
use crate::retail::catalog::{products, suppliers};
use crate::retail::installments::routes as pos_installments;
use crate::retail::warranty::routes as warranty_routes;
use crate::retail::{pos, purchases, refunds, sales, stock, transfers};
use crate::staff::branches::routes::Branches;
use crate::staff::employees::routes::Employees;
use crate::staff::{branches, employees, login, profile};

use crate::platform::auth::guard::who::{
    CASHIERS, CREDIT, DUTY, FLOOR, INSTALMENTS, KITCHEN, MANAGER, SELLERS,
};

/// Method, path, who may use it, handler. Every route of the product is here, and nowhere else.
fn table() -> Vec<(Method, &'static str, Access, Reply, Route)> {
    let mut all = pages();
    all.extend(crate::api::routes());
    all
}

/// The pages for people and the JSON the pages' scripts call.
fn pages() -> Vec<(Method, &'static str, Access, Reply, Route)> {
    use Access::{Public, Staff};
    let get = || (Method::GET, web::get());
    let post = || (Method::POST, web::post());
    // `r`: a page for people; `j`: JSON for programs.
    let r = |(m, route): (Method, Route),
             path: &'static str,
             access: Access,
             f: fn(Route) -> Route| (m, path, access, Reply::Html, f(route));
    let j = |(m, route): (Method, Route),
             path: &'static str,
             access: Access,
             f: fn(Route) -> Route| (m, path, access, Reply::Json, f(route));
    vec![
        // platform
        j(get(), "/healthz", Public, |x| x.to(crate::health::healthz)),
        r(get(), "/static/{path:.*}", Public, |x| x.to(assets::serve)),
        // The till's service worker, served from the root so that its scope covers `/pos`.
        r(get(), "/sw.js", Public, |x| x.to(assets::service_worker)),
        j(get(), "/metrics", Access::Monitoring, |x| {
            x.to(crate::insight::monitoring::serve)
        }),
        // The till's routes first: the router tries routes in this order, and these are the
        // ones a scanner hits many times a minute.
        r(get(), "/pos", SELLERS, |x| x.to(pos::routes::terminal)),
        j(get(), "/pos/scan", SELLERS, |x| x.to(pos::routes::scan)),
        j(get(), "/pos/search", SELLERS, |x| x.to(pos::routes::search)),
        j(get(), "/pos/catalogue", SELLERS, |x| {
            x.to(pos::offline::routes::catalogue)
        }),
        j(post(), "/pos/offline/block", SELLERS, |x| {
            x.to(pos::offline::routes::reserve_block)
        }),
        j(post(), "/pos/sync", SELLERS, |x| {
            x.to(pos::offline::routes::sync)
        }),
        r(get(), "/pos/exceptions", MANAGER, |x| {
            x.to(pos::offline::routes::exceptions)
        }),
        r(post(), "/pos/exceptions/{id:\\d+}/accept", MANAGER, |x| {
            x.to(pos::offline::routes::accept)
        }),
        r(post(), "/pos/exceptions/{id:\\d+}/refund", MANAGER, |x| {
            x.to(pos::offline::routes::refund)
        }),
        j(get(), "/pos/customers", SELLERS, |x| {
            x.to(pos::routes::customer)
        }),
        // registers: tills, shifts, cash-up
        r(get(), "/registers", MANAGER, |x| {
            x.to(registers::routes::list)
        }),
        r(post(), "/registers", MANAGER, |x| {
            x.to(registers::routes::create)
        }),
        r(get(), "/registers/{id:\\d+}", MANAGER, |x| {
            x.to(registers::routes::edit)
        }),
        r(post(), "/registers/{id:\\d+}", MANAGER, |x| {
            x.to(registers::routes::update)
        }),
        r(post(), "/registers/{id:\\d+}/archive", MANAGER, |x| {
            x.to(registers::routes::archive)
        }),
        r(post(), "/registers/{id:\\d+}/restore", MANAGER, |x| {
            x.to(registers::routes::restore)
        }),
        r(get(), "/shifts", CASHIERS, |x| x.to(shifts::list)),
        r(post(), "/shifts/open", CASHIERS, |x| x.to(shifts::open)),
        r(get(), "/shifts/day", MANAGER, |x| x.to(shifts::day_report)),
        r(get(), "/shifts/export.csv", CASHIERS, |x| {
            x.to(shifts::export)
        }),
        r(get(), "/shifts/{id:\\d+}", CASHIERS, |x| x.to(shifts::show)),
        r(post(), "/shifts/{id:\\d+}/cash", CASHIERS, |x| {
            x.to(shifts::cash)
        }),
        r(post(), "/shifts/{id:\\d+}/close", CASHIERS, |x| {
            x.to(shifts::close)
        }),
        r(get(), "/shifts/{id:\\d+}/z-report", CASHIERS, |x| {
            x.to(shifts::z_report)
        }),
        // retail: warranty and defective stock
        r(get(), "/warranty", SELLERS, |x| x.to(warranty_routes::list)),
        r(post(), "/warranty", SELLERS, |x| {
            x.to(warranty_routes::create)
        }),
        r(get(), "/warranty/new", SELLERS, |x| {
            x.to(warranty_routes::new)
        }),
        r(get(), "/warranty/export.csv", SELLERS, |x| {
            x.to(warranty_routes::export)
        }),
        r(get(), "/warranty/{id:\\d+}", SELLERS, |x| {
            x.to(warranty_routes::show)
        }),
        r(post(), "/warranty/{id:\\d+}/advance", MANAGER, |x| {
            x.to(warranty_routes::advance)
        }),
        r(get(), "/defective", MANAGER, |x| {
            x.to(warranty_routes::defective)
        }),
        r(post(), "/defective/{id:\\d+}/resolve", MANAGER, |x| {
            x.to(warranty_routes::resolve)
        }),
        // retail: instalment plans
        r(get(), "/installments", INSTALMENTS, |x| {
            x.to(pos_installments::list)
        }),
        r(get(), "/installments/calculator", INSTALMENTS, |x| {
            x.to(pos_installments::calculator)
        }),
        r(get(), "/installments/export.csv", INSTALMENTS, |x| {
            x.to(pos_installments::export)
        }),
        r(get(), "/installments/{id:\\d+}", INSTALMENTS, |x| {
            x.to(pos_installments::show)
        }),
        r(post(), "/installments/{id:\\d+}/approve", CREDIT, |x| {
            x.to(pos_installments::approve)
        }),
        r(post(), "/installments/{id:\\d+}/reject", CREDIT, |x| {
            x.to(pos_installments::reject)
        }),
        r(post(), "/installments/{id:\\d+}/payments", CREDIT, |x| {
            x.to(pos_installments::pay)
        }),
        r(
            get(),
            "/installments/payments/{id:\\d+}/receipt",
            INSTALMENTS,
            |x| x.to(pos_installments::receipt),
        ),
        j(post(), "/pos/checkout/installment", SELLERS, |x| {
            x.to(pos::routes::checkout_installment)
        }),
        j(post(), "/pos/checkout/cash", SELLERS, |x| {
            x.to(pos::routes::checkout_cash)
        }),
        j(post(), "/pos/checkout", SELLERS, |x| {
            x.to(pos::routes::checkout_split)
        }),
        // cafe: the guest's table page (public; the token is the key), hot like the till
        r(get(), "/t/{token}", Public, |x| {
            x.to(cafe::guest::routes::page)
        }),
        r(post(), "/t/{token}/order", Public, |x| {
            x.to(cafe::guest::routes::order)
        }),
        r(post(), "/t/{token}/reorder", Public, |x| {
            x.to(cafe::guest::routes::reorder)
        }),
        r(post(), "/t/{token}/name", Public, |x| {
            x.to(cafe::guest::routes::set_name)
        }),
        r(post(), "/t/{token}/call", Public, |x| {
            x.to(cafe::guest::routes::call_staff)
        }),
        r(post(), "/t/{token}/feedback", Public, |x| {
            x.to(cafe::guest::routes::give_feedback)
        }),
        r(get(), "/t/{token}/status", Public, |x| {
            x.to(cafe::guest::routes::status)
        }),
        r(get(), "/t/{token}/events", Public, |x| {
            x.to(cafe::guest::routes::live)
        }),
        r(get(), "/menu/{id:\\d+}/image", Public, |x| {
            x.to(images::picture::<cafe::menu::routes::MenuPictures>)
        }),
        // cafe: kitchen display
        r(get(), "/kitchen", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::page)
        }),
        r(get(), "/kitchen/expo", KITCHEN, |x| {
            x.to(cafe::stations::routes::expo)
        }),
        r(get(), "/kitchen/stations", MANAGER, |x| {
            x.to(cafe::stations::routes::list)
        }),
        r(post(), "/kitchen/stations", MANAGER, |x| {
            x.to(cafe::stations::routes::create)
        }),
        r(post(), "/kitchen/stations/{id:\\d+}", MANAGER, |x| {
            x.to(cafe::stations::routes::update)
        }),
        r(
            post(),
            "/kitchen/stations/{id:\\d+}/archive",
            MANAGER,
            |x| x.to(cafe::stations::routes::archive),
        ),
        r(
            post(),
            "/kitchen/stations/{id:\\d+}/restore",
            MANAGER,
            |x| x.to(cafe::stations::routes::restore),
        ),
        r(get(), "/kitchen/tickets", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::tickets)
        }),
        r(get(), "/kitchen/events", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::live)
        }),
        r(post(), "/kitchen/tickets/complete", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::complete_many)
        }),
        r(post(), "/kitchen/tickets/{id:\\d+}/start", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::start)
        }),
        r(post(), "/kitchen/tickets/{id:\\d+}/done", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::done)
        }),
        r(post(), "/kitchen/tickets/{id:\\d+}/recall", KITCHEN, |x| {
            x.to(cafe::kitchen::routes::recall)
        }),
        r(
            post(),
            "/kitchen/tickets/{id:\\d+}/priority",
            KITCHEN,
            |x| x.to(cafe::kitchen::routes::priority),
        ),
        // cafe: floor, bills
        r(get(), "/floor", FLOOR, |x| x.to(cafe::floor::routes::page)),
        r(post(), "/t/{token}/discount", Public, |x| {
            x.to(cafe::guest::routes::apply_code)
        }),
        j(post(), "/discounts/validate", Public, |x| {
            x.to(cafe::discounts::routes::validate)
        }),
        r(get(), "/discounts", MANAGER, |x| {
            x.to(cafe::discounts::routes::list)
        }),
        r(post(), "/discounts", MANAGER, |x| {
            x.to(cafe::discounts::routes::create)
        }),
        r(get(), "/discounts/{id:\\d+}/edit", MANAGER, |x| {
            x.to(cafe::discounts::routes::edit)
        }),
        r(post(), "/discounts/{id:\\d+}", MANAGER, |x| {
            x.to(cafe::discounts::routes::update)
        }),
        r(post(), "/discounts/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<cafe::discounts::routes::PromoCodes>)
        }),
        r(post(), "/discounts/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<cafe::discounts::routes::PromoCodes>)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/discount", FLOOR, |x| {
            x.to(cafe::floor::routes::discount)
        }),
        r(post(), "/duty", DUTY, |x| x.to(cafe::duty::toggle)),
        r(get(), "/feedback", MANAGER, |x| x.to(cafe::reviews::page)),
        r(get(), "/cafe/stats", MANAGER, |x| {
            x.to(cafe::stats::routes::page)
        }),
        r(get(), "/dashboard", MANAGER, |x| {
            x.to(crate::insight::dashboard::routes::page)
        }),
        r(get(), "/reports", MANAGER, |x| {
            x.to(crate::insight::reports::routes::page)
        }),
        r(get(), "/reports/{part}.csv", MANAGER, |x| {
            x.to(crate::insight::reports::routes::csv)
        }),
        r(get(), "/mail", MANAGER, |x| x.to(crate::mail::routes::page)),
        r(post(), "/mail/{id:\\d+}/retry", MANAGER, |x| {
            x.to(crate::mail::routes::send_again)
        }),
        r(get(), "/cafe/stats/{report}.csv", MANAGER, |x| {
            x.to(cafe::stats::routes::csv)
        }),
        r(get(), "/reserve", Public, |x| {
            x.to(cafe::reservations::routes::request_form)
        }),
        r(post(), "/reserve", Public, |x| {
            x.to(cafe::reservations::routes::request)
        }),
        r(get(), "/reservations", FLOOR, |x| {
            x.to(cafe::reservations::routes::list)
        }),
        r(post(), "/reservations", FLOOR, |x| {
            x.to(cafe::reservations::routes::create)
        }),
        r(get(), "/reservations/new", FLOOR, |x| {
            x.to(cafe::reservations::routes::new)
        }),
        r(get(), "/reservations/{id:\\d+}/edit", FLOOR, |x| {
            x.to(cafe::reservations::routes::edit)
        }),
        r(post(), "/reservations/{id:\\d+}", FLOOR, |x| {
            x.to(cafe::reservations::routes::update)
        }),
        r(post(), "/reservations/{id:\\d+}/{action}", FLOOR, |x| {
            x.to(cafe::reservations::routes::act)
        }),
        // The floor hears the same branch events as the kitchen display.
        r(get(), "/floor/events", FLOOR, |x| {
            x.to(cafe::kitchen::routes::live)
        }),
        r(post(), "/floor/takeaway", FLOOR, |x| {
            x.to(cafe::floor::routes::open_takeaway)
        }),
        r(post(), "/floor/tables/{id:\\d+}/open", FLOOR, |x| {
            x.to(cafe::floor::routes::open_table)
        }),
        r(post(), "/floor/tables/{id:\\d+}/status", FLOOR, |x| {
            x.to(cafe::floor::routes::table_status)
        }),
        r(get(), "/floor/sessions/{id:\\d+}", FLOOR, |x| {
            x.to(cafe::floor::routes::session_page)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/lines", FLOOR, |x| {
            x.to(cafe::floor::routes::add_line)
        }),
        r(
            post(),
            "/floor/sessions/{id:\\d+}/lines/{line:\\d+}/remove",
            FLOOR,
            |x| x.to(cafe::floor::routes::remove_line),
        ),
        r(get(), "/floor/sessions/{id:\\d+}/bill", FLOOR, |x| {
            x.to(cafe::floor::routes::bill)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/printed", FLOOR, |x| {
            x.to(cafe::floor::routes::mark_printed)
        }),
        r(get(), "/floor/sessions/{id:\\d+}/split", FLOOR, |x| {
            x.to(cafe::split::routes::page)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/split", FLOOR, |x| {
            x.to(cafe::split::routes::split)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/fire", FLOOR, |x| {
            x.to(cafe::stations::routes::fire)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/move", FLOOR, |x| {
            x.to(cafe::floor::routes::move_table)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/merge", FLOOR, |x| {
            x.to(cafe::floor::routes::merge)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/close", FLOOR, |x| {
            x.to(cafe::floor::routes::close)
        }),
        r(get(), "/cafe/bills", FLOOR, |x| {
            x.to(cafe::refunds::routes::list)
        }),
        r(get(), "/cafe/bills/{id:\\d+}", FLOOR, |x| {
            x.to(cafe::refunds::routes::show)
        }),
        r(post(), "/cafe/bills/{id:\\d+}/refund", FLOOR, |x| {
            x.to(cafe::refunds::routes::refund)
        }),
        r(get(), "/cafe/credit-notes/{id:\\d+}", FLOOR, |x| {
            x.to(cafe::refunds::routes::credit_note)
        }),
        r(post(), "/floor/sessions/{id:\\d+}/reopen", MANAGER, |x| {
            x.to(cafe::floor::routes::reopen)
        }),
        r(
            post(),
            "/floor/sessions/{id:\\d+}/acknowledge",
            FLOOR,
            |x| x.to(cafe::floor::routes::acknowledge),
        ),
        // cafe: menu
        r(get(), "/menu", KITCHEN, |x| x.to(cafe::menu::routes::list)),
        r(post(), "/menu", MANAGER, |x| {
            x.to(record_form::create::<MenuItems>)
        }),
        r(get(), "/menu/new", MANAGER, |x| {
            x.to(record_form::new::<MenuItems>)
        }),
        r(post(), "/menu/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<MenuItems>)
        }),
        r(get(), "/menu/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<MenuItems>)
        }),
        r(post(), "/menu/{id:\\d+}/stock", KITCHEN, |x| {
            x.to(cafe::menu::routes::toggle_stock)
        }),
        r(post(), "/menu/{id:\\d+}/trending", MANAGER, |x| {
            x.to(cafe::menu::routes::toggle_trending)
        }),
        r(post(), "/menu/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<cafe::menu::routes::MenuItems>)
        }),
        r(post(), "/menu/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<cafe::menu::routes::MenuItems>)
        }),
        r(post(), "/menu/{id:\\d+}/image", MANAGER, |x| {
            x.to(images::upload_picture::<cafe::menu::routes::MenuPictures>)
        }),
        r(get(), "/menu/categories", MANAGER, |x| {
            x.to(category_list::list::<MenuCategories>)
        }),
        r(post(), "/menu/categories", MANAGER, |x| {
            x.to(category_list::create_route::<MenuCategories>)
        }),
        r(post(), "/menu/categories/{id:\\d+}", MANAGER, |x| {
            x.to(category_list::rename_route::<MenuCategories>)
        }),
        r(post(), "/menu/categories/{id:\\d+}/archive", MANAGER, |x| {
            x.to(category_list::archive_route::<MenuCategories>)
        }),
        r(post(), "/menu/categories/{id:\\d+}/restore", MANAGER, |x| {
            x.to(category_list::restore_route::<MenuCategories>)
        }),
        // cafe: modifiers
        r(get(), "/menu/modifier-groups", KITCHEN, |x| {
            x.to(cafe::modifiers::routes::list)
        }),
        r(post(), "/menu/modifier-groups", MANAGER, |x| {
            x.to(cafe::modifiers::routes::create_group)
        }),
        r(post(), "/menu/modifier-groups/{id:\\d+}", MANAGER, |x| {
            x.to(cafe::modifiers::routes::update_group)
        }),
        r(
            post(),
            "/menu/modifier-groups/{id:\\d+}/archive",
            MANAGER,
            |x| x.to(archive::archive::<cafe::modifiers::routes::ModifierGroups>),
        ),
        r(
            post(),
            "/menu/modifier-groups/{id:\\d+}/restore",
            MANAGER,
            |x| x.to(archive::restore::<cafe::modifiers::routes::ModifierGroups>),
        ),
        r(
            post(),
            "/menu/modifier-groups/{id:\\d+}/options",
            MANAGER,
            |x| x.to(cafe::modifiers::routes::add_option),
        ),
        r(post(), "/menu/modifier-options/{id:\\d+}", MANAGER, |x| {
            x.to(cafe::modifiers::routes::update_option)
        }),
        r(
            post(),
            "/menu/modifier-options/{id:\\d+}/stock",
            KITCHEN,
            |x| x.to(cafe::modifiers::routes::option_stock),
        ),
        r(
            post(),
            "/menu/modifier-options/{id:\\d+}/archive",
            MANAGER,
            |x| x.to(archive::archive::<cafe::modifiers::routes::ModifierOptions>),
        ),
        r(
            post(),
            "/menu/modifier-options/{id:\\d+}/restore",
            MANAGER,
            |x| x.to(archive::restore::<cafe::modifiers::routes::ModifierOptions>),
        ),
        r(post(), "/menu/{id:\\d+}/modifier-groups", MANAGER, |x| {
            x.to(cafe::modifiers::routes::item_groups)
        }),
        // cafe: tables and QR codes
        r(get(), "/tables", MANAGER, |x| {
            x.to(cafe::tables::routes::list)
        }),
        r(post(), "/tables", MANAGER, |x| {
            x.to(record_form::create::<Tables>)
        }),
        r(get(), "/tables/new", MANAGER, |x| {
            x.to(record_form::new::<Tables>)
        }),
        r(get(), "/tables/qr-sheet", MANAGER, |x| {
            x.to(cafe::tables::routes::qr_sheet)
        }),
        r(post(), "/tables/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<Tables>)
        }),
        r(get(), "/tables/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<Tables>)
        }),
        r(post(), "/tables/{id:\\d+}/token", MANAGER, |x| {
            x.to(cafe::tables::routes::renew_token)
        }),
        r(post(), "/tables/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<cafe::tables::routes::Tables>)
        }),
        r(post(), "/tables/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<cafe::tables::routes::Tables>)
        }),
        r(get(), "/tables/{id:\\d+}/qr.png", MANAGER, |x| {
            x.to(cafe::tables::routes::qr_png)
        }),
        r(get(), "/tables/{id:\\d+}/qr.svg", MANAGER, |x| {
            x.to(cafe::tables::routes::qr_svg)
        }),
        r(get(), "/settings/cafe", MANAGER, |x| {
            x.to(cafe::settings::show)
        }),
        r(post(), "/settings/cafe", MANAGER, |x| {
            x.to(cafe::settings::save)
        }),
        r(post(), "/settings/cafe/payment-qr", MANAGER, |x| {
            x.to(cafe::settings::upload_payment_qr)
        }),
        r(get(), "/cafe/payment-qr", FLOOR, |x| {
            x.to(cafe::settings::payment_qr)
        }),
        r(get(), "/audit", MANAGER, |x| x.to(audit::routes::list)),
        // catalogue imports and exports
        r(get(), "/imports", MANAGER, |x| x.to(imports::routes::index)),
        r(post(), "/imports/preview", MANAGER, |x| {
            x.to(imports::routes::preview)
        }),
        r(get(), "/imports/{id:\\d+}", MANAGER, |x| {
            x.to(imports::routes::show)
        }),
        r(post(), "/imports/{id:\\d+}/apply", MANAGER, |x| {
            x.to(imports::routes::apply)
        }),
        r(get(), "/imports/templates/{kind}", MANAGER, |x| {
            x.to(imports::routes::template)
        }),
        r(get(), "/products/prices", MANAGER, |x| {
            x.to(crate::retail::catalog::prices::routes::show)
        }),
        r(post(), "/products/prices", MANAGER, |x| {
            x.to(crate::retail::catalog::prices::routes::apply)
        }),
        r(get(), "/products/labels", SELLERS, |x| {
            x.to(products::routes::print_labels)
        }),
        r(get(), "/products/export.csv", MANAGER, |x| {
            x.to(products::routes::export)
        }),
        r(get(), "/menu/export.csv", MANAGER, |x| {
            x.to(cafe::menu::routes::export)
        }),
        r(get(), "/customers/export.csv", MANAGER, |x| {
            x.to(crate::retail::customers::routes::export)
        }),
        r(get(), "/audit/export.csv", MANAGER, |x| {
            x.to(audit::routes::export)
        }),
        // staff: signing in and out
        r(get(), "/", Public, |x| x.to(login::root)),
        r(get(), "/login", Public, |x| x.to(login::form)),
        r(post(), "/login", Public, |x| x.to(login::submit)),
        r(post(), "/logout", Staff, |x| x.to(login::logout)),
        // staff: own profile
        r(get(), "/profile", Staff, |x| x.to(profile::show)),
        r(post(), "/profile", Staff, |x| x.to(profile::update_contact)),
        r(post(), "/profile/password", Staff, |x| {
            x.to(profile::change_password)
        }),
        r(post(), "/profile/picture", Staff, |x| {
            x.to(profile::upload_picture)
        }),
        r(post(), "/profile/picture/remove", Staff, |x| {
            x.to(profile::remove_picture)
        }),
        // staff: branches
        r(get(), "/branches", MANAGER, |x| {
            x.to(branches::routes::list)
        }),
        r(post(), "/branches", MANAGER, |x| {
            x.to(record_form::create::<Branches>)
        }),
        r(get(), "/branches/new", MANAGER, |x| {
            x.to(record_form::new::<Branches>)
        }),
        r(post(), "/branches/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<Branches>)
        }),
        r(get(), "/branches/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<Branches>)
        }),
        r(post(), "/branches/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<branches::routes::Branches>)
        }),
        r(post(), "/branches/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<branches::routes::Branches>)
        }),
        // staff: employees
        r(get(), "/employees", MANAGER, |x| {
            x.to(employees::routes::list)
        }),
        r(post(), "/employees", MANAGER, |x| {
            x.to(record_form::create::<Employees>)
        }),
        r(get(), "/employees/new", MANAGER, |x| {
            x.to(record_form::new::<Employees>)
        }),
        r(get(), "/employees/export.csv", MANAGER, |x| {
            x.to(employees::export::export)
        }),
        r(get(), "/employees/{id:\\d+}", MANAGER, |x| {
            x.to(employees::routes::show)
        }),
        r(post(), "/employees/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<Employees>)
        }),
        r(get(), "/employees/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<Employees>)
        }),
        r(post(), "/employees/{id:\\d+}/password", MANAGER, |x| {
            x.to(employees::routes::reset_password)
        }),
        r(post(), "/employees/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<employees::routes::Employees>)
        }),
        r(post(), "/employees/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<employees::routes::Employees>)
        }),
        r(get(), "/employees/{id:\\d+}/picture", Staff, |x| {
            x.to(employees::routes::picture)
        }),
        // retail: catalogue
        r(get(), "/categories", MANAGER, |x| {
            x.to(category_list::list::<ProductCategories>)
        }),
        r(post(), "/categories", MANAGER, |x| {
            x.to(category_list::create_route::<ProductCategories>)
        }),
        r(post(), "/categories/{id:\\d+}", MANAGER, |x| {
            x.to(category_list::rename_route::<ProductCategories>)
        }),
        r(post(), "/categories/{id:\\d+}/archive", MANAGER, |x| {
            x.to(category_list::archive_route::<ProductCategories>)
        }),
        r(post(), "/categories/{id:\\d+}/restore", MANAGER, |x| {
            x.to(category_list::restore_route::<ProductCategories>)
        }),
        r(get(), "/suppliers", MANAGER, |x| x.to(suppliers::list_page)),
        r(post(), "/suppliers", MANAGER, |x| {
            x.to(record_form::create::<Suppliers>)
        }),
        r(get(), "/suppliers/new", MANAGER, |x| {
            x.to(record_form::new::<Suppliers>)
        }),
        r(post(), "/suppliers/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<Suppliers>)
        }),
        r(get(), "/suppliers/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<Suppliers>)
        }),
        r(post(), "/suppliers/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<suppliers::Suppliers>)
        }),
        r(post(), "/suppliers/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<suppliers::Suppliers>)
        }),
        r(get(), "/products", SELLERS, |x| {
            x.to(products::routes::list)
        }),
        r(post(), "/products", MANAGER, |x| {
            x.to(record_form::create::<Products>)
        }),
        r(get(), "/products/new", MANAGER, |x| {
            x.to(record_form::new::<Products>)
        }),
        r(post(), "/products/{id:\\d+}", MANAGER, |x| {
            x.to(record_form::update::<Products>)
        }),
        r(get(), "/products/{id:\\d+}/edit", MANAGER, |x| {
            x.to(record_form::edit::<Products>)
        }),
        r(post(), "/products/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<products::routes::Products>)
        }),
        r(post(), "/products/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<products::routes::Products>)
        }),
        r(post(), "/products/{id:\\d+}/image", MANAGER, |x| {
            x.to(images::upload_picture::<products::routes::ProductPictures>)
        }),
        r(get(), "/products/{id:\\d+}/image", Staff, |x| {
            x.to(images::picture::<products::routes::ProductPictures>)
        }),
        // retail: stock
        r(get(), "/inventory", SELLERS, |x| x.to(stock::routes::list)),
        r(get(), "/inventory/export.csv", SELLERS, |x| {
            x.to(stock::routes::export)
        }),
        r(get(), "/products/{id:\\d+}/stock", MANAGER, |x| {
            x.to(stock::routes::product_stock)
        }),
        r(post(), "/products/{id:\\d+}/stock", MANAGER, |x| {
            x.to(stock::routes::adjust)
        }),
        r(get(), "/sales/{id:\\d+}/receipt", SELLERS, |x| {
            x.to(sales::receipt::show)
        }),
        j(post(), "/sales/{id:\\d+}/receipt/printed", SELLERS, |x| {
            x.to(sales::receipt::printed)
        }),
        r(get(), "/sales", SELLERS, |x| x.to(sales::routes::list)),
        r(get(), "/sales/export.csv", SELLERS, |x| {
            x.to(sales::routes::export)
        }),
        r(get(), "/sales/{id:\\d+}", SELLERS, |x| {
            x.to(sales::routes::detail)
        }),
        r(get(), "/refunds", SELLERS, |x| x.to(refunds::routes::find)),
        r(get(), "/purchases", MANAGER, |x| {
            x.to(purchases::routes::list)
        }),
        r(post(), "/purchases", MANAGER, |x| {
            x.to(purchases::routes::create)
        }),
        r(get(), "/purchases/export.csv", MANAGER, |x| {
            x.to(purchases::routes::export)
        }),
        r(get(), "/purchases/{id:\\d+}", MANAGER, |x| {
            x.to(purchases::routes::detail)
        }),
        r(post(), "/purchases/{id:\\d+}/receive", MANAGER, |x| {
            x.to(purchases::routes::receive)
        }),
        r(post(), "/purchases/{id:\\d+}/cancel", MANAGER, |x| {
            x.to(purchases::routes::cancel)
        }),
        r(get(), "/transfers", MANAGER, |x| {
            x.to(transfers::routes::list)
        }),
        r(post(), "/transfers", MANAGER, |x| {
            x.to(transfers::routes::create)
        }),
        r(get(), "/transfers/{id:\\d+}", MANAGER, |x| {
            x.to(transfers::routes::detail)
        }),
        r(post(), "/transfers/{id:\\d+}/send", MANAGER, |x| {
            x.to(transfers::routes::send)
        }),
        r(post(), "/transfers/{id:\\d+}/receive", MANAGER, |x| {
            x.to(transfers::routes::receive)
        }),
        r(post(), "/transfers/{id:\\d+}/cancel", MANAGER, |x| {
            x.to(transfers::routes::cancel)
        }),
        r(get(), "/sales/{id:\\d+}/refund", SELLERS, |x| {
            x.to(refunds::routes::form)
        }),
        r(post(), "/sales/{id:\\d+}/refund", SELLERS, |x| {
            x.to(refunds::routes::submit)
        }),
        r(get(), "/credit-notes/{id:\\d+}", SELLERS, |x| {
            x.to(refunds::routes::show)
        }),
        r(post(), "/sales/{id:\\d+}/void", MANAGER, |x| {
            x.to(sales::routes::void_route)
        }),
        r(post(), "/sales/{id:\\d+}/archive", MANAGER, |x| {
            x.to(archive::archive::<sales::routes::Sales>)
        }),
        r(post(), "/sales/{id:\\d+}/restore", MANAGER, |x| {
            x.to(archive::restore::<sales::routes::Sales>)
        }),
        r(get(), "/settings/monitoring", MANAGER, |x| {
            x.to(crate::insight::monitoring::show)
        }),
        r(post(), "/settings/monitoring/token", MANAGER, |x| {
            x.to(crate::insight::monitoring::issue)
        }),
        r(post(), "/settings/monitoring/revoke", MANAGER, |x| {
            x.to(crate::insight::monitoring::revoke)
        }),
        r(get(), "/settings/retail", MANAGER, |x| {
            x.to(crate::retail::settings_page::show)
        }),
        r(post(), "/settings/retail", MANAGER, |x| {
            x.to(crate::retail::settings_page::save)
        }),
    ]
}

/// One registered route, for the role-matrix test and the docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub reply: Reply,
}

pub fn route_specs() -> Vec<RouteSpec> {
    table()
        .into_iter()
        .map(|(method, path, access, reply, _)| RouteSpec {
            method,
            path,
            access,
            reply,
        })
        .collect()
}

fn route_access() -> RouteAccess {
    let mut access = RouteAccess::default();
    for spec in route_specs() {
        access.insert(spec.method, spec.path, spec.access, spec.reply);
    }
    access
}

fn configure(cfg: &mut web::ServiceConfig) {
    // Each section (a path's first segment: `/pos`, `/t`, `/api`…) in its own scope: the router
    // compares the sections' static prefixes and tries the patterns (each a regex) of the
    // request's own section only, instead of every pattern registered before it. Routes keep
    // their table order inside a section.
    let mut sections: Vec<(&'static str, Vec<_>)> = Vec::new();
    for entry in table() {
        let section = section_of(entry.1);
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, entries)) => entries.push(entry),
            None => sections.push((section, vec![entry])),
        }
    }
    for (section, entries) in sections {
        if section.is_empty() {
            for res in resources(entries, "") {
                cfg.service(res);
            }
        } else {
            let mut scope = web::scope(section);
            for res in resources(entries, section) {
                scope = scope.service(res);
            }
            cfg.service(scope);
        }
    }
}

/// The scope a path belongs to: its first segment (`/pos/scan` → `/pos`), or none for `/` and
/// a first segment that is a pattern.
fn section_of(path: &'static str) -> &'static str {
    let end = path[1..].find('/').map_or(path.len(), |i| i + 1);
    let section = &path[..end];
    if section.len() < 2 || section.contains('{') {
        ""
    } else {
        section
    }
}

/// One resource per path (with `prefix` taken off), with a route per method, in table order.
fn resources(
    entries: Vec<(Method, &'static str, Access, Reply, Route)>,
    prefix: &str,
) -> Vec<actix_web::Resource> {
    let mut resources: Vec<(&'static str, actix_web::Resource)> = Vec::new();
    for (_, path, _, _, route) in entries {
        match resources.iter_mut().find(|(p, _)| *p == path) {
            Some((_, res)) => {
                let taken = std::mem::replace(res, web::resource(&path[prefix.len()..]));
                *res = taken.route(route);
            }
            None => resources.push((path, web::resource(&path[prefix.len()..]).route(route))),
        }
    }
    resources.into_iter().map(|(_, r)| r).collect()
}

/// What each role sees in the navigation bar.
pub fn navigation(role: Role, current_path: &str) -> Vec<NavLink> {
    let links: &[(&'static str, &'static str, &[Role])] = &[
        ("/dashboard", "Dashboard", &[Role::Manager]),
        ("/reports", "Reports", &[Role::Manager]),
        ("/pos", "POS", &[Role::Manager, Role::SalesAgent]),
        ("/sales", "Sales", &[Role::Manager, Role::SalesAgent]),
        ("/refunds", "Refunds", &[Role::Manager, Role::SalesAgent]),
        (
            "/installments",
            "Instalments",
            &[Role::Manager, Role::SalesAgent, Role::CreditOfficer],
        ),
        ("/products", "Products", &[Role::Manager, Role::SalesAgent]),
        ("/warranty", "Warranty", &[Role::Manager, Role::SalesAgent]),
        (
            "/shifts",
            "Shifts",
            &[Role::Manager, Role::SalesAgent, Role::Waiter],
        ),
        ("/inventory", "Stock", &[Role::Manager, Role::SalesAgent]),
        ("/floor", "Floor", &[Role::Manager, Role::Waiter]),
        ("/reservations", "Bookings", &[Role::Manager, Role::Waiter]),
        ("/kitchen", "Kitchen", &[Role::Manager, Role::Kitchen]),
        ("/menu", "Menu", &[Role::Manager, Role::Kitchen]),
        ("/tables", "Tables", &[Role::Manager]),
        ("/discounts", "Promo codes", &[Role::Manager]),
        ("/feedback", "Feedback", &[Role::Manager]),
        ("/cafe/stats", "Cafe stats", &[Role::Manager]),
        ("/employees", "Employees", &[Role::Manager]),
        ("/branches", "Branches", &[Role::Manager]),
        ("/settings/retail", "Shop settings", &[Role::Manager]),
        ("/settings/cafe", "Cafe settings", &[Role::Manager]),
        ("/settings/monitoring", "Monitoring", &[Role::Manager]),
        ("/imports", "Imports", &[Role::Manager]),
        ("/audit", "Audit trail", &[Role::Manager]),
        ("/mail", "E-mail", &[Role::Manager]),
        ("/profile", "My profile", &Role::ALL),
    ];
    links
        .iter()
        .filter(|(_, _, roles)| roles.contains(&role))
        .map(|(href, label, _)| NavLink {
            href,
            label,
            active: current_path.starts_with(href),
        })
        .collect()
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is nothing at this address.".into(),
    ))
}

pub fn session_middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("tillpoint_session".into())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(BrowserSession::default())
        .build()
}

/// The whole application, used by the server and by the integration tests alike.
pub fn build_app(
    state: web::Data<AppState>,
    key: Key,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let secure = state.config.secure_cookies;
    // The metrics' route counters, numbered as `route_access` numbers the routes.
    state.metrics.set_routes(
        route_specs()
            .into_iter()
            .map(|s| (s.method, s.path))
            .collect(),
    );
    App::new()
        .app_data(state)
        .app_data(web::Data::new(route_access()))
        .app_data(web::Data::new(Vocabulary::new(&[
            &PLATFORM_WORDS,
            &crate::staff::AUDIT_WORDS,
            &crate::retail::AUDIT_WORDS,
            &crate::registers::AUDIT_WORDS,
            &crate::cafe::AUDIT_WORDS,
            &imports::model::AUDIT_WORDS,
        ])))
        .app_data(web::Data::new(crate::platform::page::Navigation(
            navigation,
        )))
        .app_data(
            web::FormConfig::default()
                .limit(csrf::FORM_LIMIT)
                .error_handler(|e, _| {
                    use actix_web::error::UrlencodedError;
                    match e {
                        UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge(
                            "The form is too large (64 KB at most). Nothing was saved.".into(),
                        ),
                        e => AppError::BadRequest(format!("The form could not be read: {e}")),
                    }
                    .into()
                }),
        )
        .app_data(web::QueryConfig::default().error_handler(|_, _| {
            AppError::BadRequest("The address contains values that could not be read.".into())
                .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, _| {
            AppError::NotFound("There is nothing at this address.".into()).into()
        }))
        .app_data(
            web::JsonConfig::default()
                .limit(256 * 1024)
                .error_handler(|e, _| {
                    use actix_web::error::JsonPayloadError;
                    match e {
                        JsonPayloadError::Overflow { .. }
                        | JsonPayloadError::OverflowKnownLength { .. } => {
                            AppError::PayloadTooLarge(
                                "The request is too large (256 KB at most). Nothing was saved."
                                    .into(),
                            )
                        }
                        e => AppError::BadRequest(format!(
                            "The request body is not valid JSON for this endpoint: {e}"
                        )),
                    }
                    .into()
                }),
        )
        .app_data(web::Data::new(cafe::visitors::CookieKey(key.clone())))
        .configure(configure)
        .default_service(web::to(not_found))
        .wrap(from_fn(guard::guard))
        .wrap(from_fn(csrf::verify))
        .wrap(from_fn(guard::known_route))
        .wrap(session_middleware(key, secure))
        .wrap(from_fn(platform_web::error_pages))
        .wrap(platform_web::security_headers())
        .wrap(
            // The path only: query strings may carry a CSRF token (uploads) or search text.
            Logger::new("%a %{method}xi %U %s %b %Dms")
                .custom_request_replace("method", |req| req.method().to_string())
                .exclude("/healthz"),
        )
        .wrap(from_fn(crate::platform::metrics::count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_belongs_to_its_first_segment() {
        assert_eq!(section_of("/pos/scan"), "/pos");
        assert_eq!(section_of("/pos"), "/pos");
        assert_eq!(section_of("/t/{token}/order"), "/t");
        assert_eq!(section_of("/api/sessions/{t:\\d+}/"), "/api");
        assert_eq!(section_of("/"), "");
        assert_eq!(section_of("/{anything}"), "");
    }

    #[test]
    fn every_route_lands_in_a_scope_that_gives_its_pattern_back() {
        for spec in route_specs() {
            let section = section_of(spec.path);
            assert!(spec.path.starts_with(section), "{}", spec.path);
            // Only the home page is tried outside the scopes.
            assert!(
                !section.is_empty() || spec.path == "/",
                "{} is registered outside every scope",
                spec.path
            );
        }
    }
}
