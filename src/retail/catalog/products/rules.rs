use serde::Deserialize;

use crate::platform::forms::{self, FormErrors};
use crate::platform::money::Money;
use crate::retail::barcode;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    pub name: String,
    pub sku: String,
    pub barcode: String,
    pub category_id: String,
    pub supplier_id: String,
    /// The base price.
    pub price: String,
    /// Optional: what the till charges while the product is on discount.
    pub discount_price: String,
    pub cost: String,
    pub min_stock: String,
    pub serial_tracked: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductInput {
    pub name: String,
    pub sku: Option<String>,
    pub barcode: String,
    pub category_id: i64,
    pub supplier_id: Option<i64>,
    /// What the till charges: the discount price when there is one, else the base price.
    pub price: Money,
    /// The base price a discount was taken from; `None` when the product is not on discount.
    pub regular_price: Option<Money>,
    pub cost: Money,
    pub min_stock: i64,
    pub serial_tracked: bool,
    pub description: String,
}

fn money(raw: &str, field: &'static str, label: &str, errors: &mut FormErrors) -> Money {
    match Money::parse_input(raw) {
        Ok(m) => m,
        Err(e) => {
            errors.add(field, format!("{label}: {e}."));
            Money::ZERO
        }
    }
}

pub fn validate(form: &ProductForm) -> Result<ProductInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 200, true, &mut errors);
    let sku = forms::text(&form.sku, "sku", "SKU", 60, false, &mut errors);
    let barcode = barcode::validate(&form.barcode).unwrap_or_else(|m| {
        errors.add("barcode", m);
        String::new()
    });
    let category_id = match forms::optional_id(&form.category_id) {
        Ok(Some(id)) => id,
        _ => {
            errors.add("category_id", "Choose a category.");
            0
        }
    };
    let supplier_id = forms::optional_id(&form.supplier_id).unwrap_or_else(|_| {
        errors.add("supplier_id", "Choose a supplier from the list.");
        None
    });
    let base = money(&form.price, "price", "Base price", &mut errors);
    let discount = match form.discount_price.trim() {
        "" => None,
        raw => Some(money(raw, "discount_price", "Discount price", &mut errors)),
    };
    // The seed's rule: a discount price above zero is what the product sells for. One above
    // the base price is a typing mistake, not a discount.
    let (price, regular_price) = match discount {
        Some(d) if d.0 > 0 && d.0 >= base.0 && base.0 > 0 => {
            errors.add(
                "discount_price",
                format!(
                    "The discount price {} must be below the base price {}.",
                    d.plain(),
                    base.plain()
                ),
            );
            (base, None)
        }
        Some(d) if d.0 > 0 => (d, Some(base)),
        _ => (base, None),
    };
    let cost = money(&form.cost, "cost", "Cost price", &mut errors);
    let min_stock = forms::whole_number(
        &form.min_stock,
        "min_stock",
        "Minimum stock",
        (0, 100_000),
        Some(3),
        &mut errors,
    );
    let description = forms::text(
        &form.description,
        "description",
        "Description",
        2000,
        false,
        &mut errors,
    );
    errors.into_result(ProductInput {
        name,
        sku: (!sku.is_empty()).then_some(sku),
        barcode,
        category_id,
        supplier_id,
        price,
        regular_price,
        cost,
        min_stock,
        serial_tracked: form.serial_tracked.is_some(),
        description,
    })
}

/// Stock status against the product's minimum level (the same rule on the page and in the CSV).
pub fn stock_status(quantity: i64, min_stock: i64) -> &'static str {
    if quantity <= 0 {
        "Out of Stock"
    } else if quantity <= min_stock {
        "Low Stock"
    } else {
        "In Stock"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ProductForm {
        ProductForm {
            name: "iPhone 15 128GB".into(),
            barcode: "4006381333931".into(),
            category_id: "1".into(),
            price: "54,990.00".into(),
            cost: "48000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn accepts_and_normalises() {
        let p = validate(&good()).unwrap();
        assert_eq!(p.price, Money(5_499_000));
        assert_eq!(p.min_stock, 3);
        assert_eq!(p.sku, None);
        assert!(!p.serial_tracked);
    }

    #[test]
    fn refuses_bad_values() {
        for (field, f) in [
            (
                "price",
                ProductForm {
                    price: "-1".into(),
                    ..good()
                },
            ),
            (
                "price",
                ProductForm {
                    price: "abc".into(),
                    ..good()
                },
            ),
            (
                "cost",
                ProductForm {
                    cost: "1.234".into(),
                    ..good()
                },
            ),
            (
                "barcode",
                ProductForm {
                    barcode: "4006381333932".into(),
                    ..good()
                },
            ),
            (
                "category_id",
                ProductForm {
                    category_id: "".into(),
                    ..good()
                },
            ),
            (
                "min_stock",
                ProductForm {
                    min_stock: "-2".into(),
                    ..good()
                },
            ),
            (
                "name",
                ProductForm {
                    name: "".into(),
                    ..good()
                },
            ),
        ] {
            assert!(validate(&f).unwrap_err().get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn stock_status_follows_the_minimum_level() {
        assert_eq!(stock_status(0, 3), "Out of Stock");
        assert_eq!(stock_status(3, 3), "Low Stock");
        assert_eq!(stock_status(4, 3), "In Stock");
        assert_eq!(stock_status(1, 0), "In Stock");
    }
}
