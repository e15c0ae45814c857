//! tillpoint: point of sale for a small multi-branch business, a gadget store and a cafe.

pub mod api;
pub mod app;
pub mod cafe;
pub mod config;
pub mod demo;
pub mod health;
pub mod imports;
pub mod insight;
pub mod mail;
pub mod platform;
pub mod registers;
pub mod retail;
pub mod server;
pub mod staff;

pub use config::{Cli, Command, Config};
