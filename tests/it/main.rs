//! Integration tests through the real application, on SQLite by default and on PostgreSQL
//! when TEST_DATABASE_URL points at a server (a fresh database per test).

mod helpers;

mod api;
mod audit;
mod auth;
mod branches;
mod cafe;
mod catalog;
mod cli;
mod concurrency;
mod csrf;
mod data;
mod employees;
mod forms;
mod hardening;
mod imports;
mod insight;
mod installments;
mod instances;
mod mail;
mod monitoring;
mod offline;
mod platform;
mod pos;
mod profile;
mod refunds;
mod reports;
mod roles;
mod sales;
mod shifts;
mod stock;
mod transfers;
mod warranty;
