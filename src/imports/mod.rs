//! Catalogue imports (`/imports`): a manager uploads a spreadsheet of products, opening stock,
//! menu items or customers, sees what it would do, and applies it in one transaction. This sits
//! above the areas, like `app` and `demo`: it calls each area's named import functions
//! (`retail::catalog::products::import`, `retail::stock::import`, `cafe::menu::import`,
//! `retail::customers::import`) and owns the `imports` table that keeps the file between
//! preview and apply.

pub mod model;
pub mod routes;

use crate::platform::spreadsheet::Column;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Products,
    Stock,
    Menu,
    Customers,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Products, Kind::Stock, Kind::Menu, Kind::Customers];

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Products => "products",
            Kind::Stock => "stock",
            Kind::Menu => "menu",
            Kind::Customers => "customers",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Products => "Products",
            Kind::Stock => "Opening stock",
            Kind::Menu => "Menu items",
            Kind::Customers => "Customers",
        }
    }

    /// What the page says each kind does.
    pub fn explain(self) -> &'static str {
        match self {
            Kind::Products => "Matched by SKU, else barcode: new ones are added, known ones updated. Columns left out keep what is stored.",
            Kind::Stock => "Units received at the chosen branch, found by barcode or SKU, with one serial per unit for serial-tracked products. The same file adds stock once.",
            Kind::Menu => "The chosen branch's menu, matched by item name.",
            Kind::Customers => "Matched by phone number however it is written (+63 917… and 0917… are one customer).",
        }
    }

    /// Stock and menu items belong to a branch.
    pub fn needs_branch(self) -> bool {
        matches!(self, Kind::Stock | Kind::Menu)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Products => crate::retail::catalog::products::import::COLUMNS,
            Kind::Stock => crate::retail::stock::import::COLUMNS,
            Kind::Menu => crate::cafe::menu::import::COLUMNS,
            Kind::Customers => crate::retail::customers::import::COLUMNS,
        }
    }

    /// An example value per column, shown on the page beside the template.
    pub fn example(self, key: &str) -> &'static str {
        match (self, key) {
            (_, "barcode") => "4006381333931",
            (Kind::Stock, "sku") | (Kind::Products, "sku") => "GX-101",
            (Kind::Products, "name") => "USB-C cable 1 m",
            (Kind::Products, "category") => "Accessory",
            (Kind::Products, "cost") => "120.00",
            (Kind::Products, "base") => "199.00",
            (Kind::Products, "discount") => "179.00 (or blank)",
            (Kind::Products, "min_stock") => "5",
            (Kind::Products, "serial") => "no",
            (Kind::Products, "active") => "yes",
            (Kind::Stock, "quantity") => "3",
            (Kind::Stock, "serials") => "IMEI1, IMEI2, IMEI3",
            (Kind::Menu, "name") => "Iced latte",
            (Kind::Menu, "category") => "Coffee",
            (Kind::Menu, "price") => "180.00",
            (Kind::Menu, "veg") => "yes",
            (Kind::Menu, "calories") => "150",
            (Kind::Menu, "allergens") => "Dairy",
            (Kind::Menu, "emoji") => "🧊",
            (Kind::Menu, "sort_order") => "10",
            (Kind::Menu, "in_stock") => "yes",
            (Kind::Customers, "name") => "Ana Santos",
            (Kind::Customers, "phone") => "0917 123 4567",
            (Kind::Customers, "email") => "ana@example.com",
            (Kind::Customers, "address") => "12 Mabini St, Quezon City",
            _ => "",
        }
    }
}
