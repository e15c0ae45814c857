//! The menu item form and its validation.

use crate::cafe::allergens;
use crate::platform::forms::{self, FormErrors, Pairs};
use crate::platform::money::Money;

/// What the manager typed, kept to show the form again with errors. Read from the raw pairs:
/// the allergens are a repeated checkbox.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(from = "Pairs")]
pub struct MenuItemForm {
    pub name: String,
    pub category_id: String,
    pub price: String,
    pub description: String,
    pub emoji: String,
    pub is_veg: bool,
    pub calories: String,
    pub allergens: Vec<String>,
    pub allergens_other: String,
    pub serving_size: String,
    pub prep_minutes: String,
    pub sort_order: String,
    pub trending: bool,
    pub in_stock: bool,
    /// The branch a new item goes to (the form's hidden field).
    pub branch_id: String,
}

impl From<Pairs> for MenuItemForm {
    fn from(p: Pairs) -> MenuItemForm {
        MenuItemForm::from_pairs(&p)
    }
}

impl MenuItemForm {
    pub fn from_pairs(p: &Pairs) -> MenuItemForm {
        MenuItemForm {
            branch_id: p.get("branch_id").into(),
            name: p.get("name").into(),
            category_id: p.get("category_id").into(),
            price: p.get("price").into(),
            description: p.get("description").into(),
            emoji: p.get("emoji").into(),
            is_veg: p.has("is_veg"),
            calories: p.get("calories").into(),
            allergens: p.all("allergens").map(String::from).take(50).collect(),
            allergens_other: p.get("allergens_other").into(),
            serving_size: p.get("serving_size").into(),
            prep_minutes: p.get("prep_minutes").into(),
            sort_order: p.get("sort_order").into(),
            trending: p.has("trending"),
            in_stock: p.has("in_stock"),
        }
    }

    pub fn has_allergen(&self, code: &&str) -> bool {
        self.allergens.iter().any(|a| a == code)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuItemInput {
    pub name: String,
    pub category_id: i64,
    pub price: Money,
    pub description: String,
    pub emoji: String,
    pub is_veg: bool,
    pub calories: Option<i64>,
    pub allergens: String,
    pub allergens_other: String,
    pub serving_size: String,
    pub prep_minutes: i64,
    pub sort_order: i64,
    pub trending: bool,
    pub in_stock: bool,
}

pub fn validate(form: &MenuItemForm) -> Result<MenuItemInput, FormErrors> {
    let mut errors = FormErrors::default();
    let name = forms::text(&form.name, "name", "Name", 120, true, &mut errors);
    let category_id = match forms::optional_id(&form.category_id) {
        Ok(Some(id)) => id,
        _ => {
            errors.add("category_id", "Choose a category.");
            0
        }
    };
    let price = Money::parse_input(&form.price).unwrap_or_else(|e| {
        errors.add("price", format!("Price: {e}."));
        Money::ZERO
    });
    let description = forms::text(
        &form.description,
        "description",
        "Description",
        300,
        false,
        &mut errors,
    );
    let emoji = forms::text(&form.emoji, "emoji", "Emoji", 8, false, &mut errors);
    let calories = match form.calories.trim() {
        "" => None,
        raw => Some(forms::whole_number(
            raw,
            "calories",
            "Calories",
            (0, 10_000),
            None,
            &mut errors,
        )),
    };
    let allergens =
        allergens::normalise(form.allergens.iter().map(String::as_str)).unwrap_or_else(|| {
            errors.add("allergens", "Tick allergens from the list only.");
            String::new()
        });
    let allergens_other = forms::text(
        &form.allergens_other,
        "allergens_other",
        "Other allergens",
        200,
        false,
        &mut errors,
    );
    let serving_size = forms::text(
        &form.serving_size,
        "serving_size",
        "Serving size",
        60,
        false,
        &mut errors,
    );
    let prep_minutes = forms::whole_number(
        &form.prep_minutes,
        "prep_minutes",
        "Preparation time",
        (0, 240),
        Some(10),
        &mut errors,
    );
    let sort_order = forms::whole_number(
        &form.sort_order,
        "sort_order",
        "Sort order",
        (0, 9_999),
        Some(0),
        &mut errors,
    );
    errors.into_result(MenuItemInput {
        name,
        category_id,
        price,
        description,
        emoji,
        is_veg: form.is_veg,
        calories,
        allergens,
        allergens_other,
        serving_size,
        prep_minutes,
        sort_order,
        trending: form.trending,
        in_stock: form.in_stock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> MenuItemForm {
        MenuItemForm {
            name: "Iced Latte".into(),
            category_id: "1".into(),
            price: "180".into(),
            emoji: "🧊".into(),
            is_veg: true,
            allergens: vec!["dairy".into()],
            in_stock: true,
            ..Default::default()
        }
    }

    #[test]
    fn accepts_a_plain_item_with_defaults() {
        let i = validate(&good()).unwrap();
        assert_eq!(i.price, Money(18000));
        assert_eq!((i.prep_minutes, i.sort_order, i.calories), (10, 0, None));
        assert_eq!(i.allergens, "dairy");
    }

    #[test]
    fn refuses_bad_values_next_to_their_field() {
        let mut f = good();
        f.name = " ".into();
        f.price = "-5".into();
        f.calories = "lots".into();
        f.prep_minutes = "999".into();
        f.allergens = vec!["uranium".into()];
        f.category_id = "x".into();
        f.emoji = "🍔🍔🍔🍔🍔🍔🍔🍔🍔".into();
        let e = validate(&f).unwrap_err();
        for field in [
            "name",
            "price",
            "calories",
            "prep_minutes",
            "allergens",
            "category_id",
            "emoji",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
