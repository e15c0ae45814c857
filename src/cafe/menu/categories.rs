//! Menu categories: an editable list; the migration creates Coffee, Burgers, Pizza, Mains,
//! Desserts, Drinks and Snacks.

crate::category_store!(
    MenuCategories,
    menu_categories,
    menu_items,
    record: "menu_category",
    path: "/menu/categories",
    title: "Menu categories",
    back: ("/menu", "Menu"),
    items: "active menu item(s) are"
);
