//! Retail: the gadget store's catalogue, stock per branch, the POS terminal, sales.

pub mod barcode;
pub mod catalog;
pub mod customers;
pub mod pricing;
pub mod settings;
pub mod stock;
