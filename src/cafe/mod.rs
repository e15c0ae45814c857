//! Cafe: the menu, tables with QR codes, guests ordering from their table, the floor, bills,
//! the kitchen display and the sales record written when a table closes.

pub mod allergens;
pub mod bill;
pub mod demo;
pub mod events;
pub mod floor;
pub mod guest;
pub mod kitchen;
pub mod menu;
pub mod ordering;
pub mod sales;
pub mod scope;
pub mod settings;
pub mod suggestions;
pub mod tables;
pub mod visitors;
