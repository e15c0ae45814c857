//! Product categories: an editable list; the migration creates Laptop, Android, iPhone,
//! Printer and Accessory.

use crate::platform::category_list;
use crate::platform::db::AnyConnection;
use crate::platform::forms::Choice;

crate::category_store!(
    ProductCategories,
    product_categories,
    products,
    record: "product_category",
    path: "/categories",
    title: "Product categories",
    back: ("/products", "Products"),
    items: "active product(s) are"
);

pub fn choices(conn: &mut AnyConnection) -> QueryResult<Vec<Choice>> {
    category_list::choices::<ProductCategories>(conn)
}

pub fn id_by_name(conn: &mut AnyConnection, name: &str) -> QueryResult<Option<i64>> {
    product_categories::table
        .filter(product_categories::name.eq(name))
        .select(product_categories::id)
        .first(conn)
        .optional()
}
