//! Retail: the gadget store's catalogue, stock per branch, the POS terminal, sales.

pub mod barcode;
pub mod catalog;
pub mod customers;
pub mod demo;
pub mod pos;
pub mod pricing;
pub mod sales;
pub mod settings;
pub mod settings_page;
pub mod stock;
