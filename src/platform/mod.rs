//! What every area builds on.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod category_list;
pub mod clock;
pub mod csv_export;
pub mod db;
pub mod db_copy;
pub mod error;
pub mod flash;
pub mod forms;
pub mod images;
pub mod live;
pub mod money;
pub mod page;
pub mod pagination;
pub mod percent;
pub mod qr;
pub mod rate_limit;
pub mod redirect;
pub mod schema;
pub mod settings;
pub mod state;
pub mod web;
pub mod work;
