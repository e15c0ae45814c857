//! Cafe: the menu, tables with QR codes, guests ordering from their table, the floor, bills,
//! the kitchen display and the sales record written when a table closes.

pub mod allergens;
pub mod bill;
pub mod demo;
pub mod discounts;
pub mod duty;
pub mod events;
pub mod floor;
pub mod guest;
pub mod kitchen;
pub mod menu;
pub mod modifiers;
pub mod ordering;
pub mod refunds;
pub mod reservations;
pub mod reviews;
pub mod sales;
pub mod scope;
pub mod settings;
pub mod split;
pub mod stations;
pub mod stats;
pub mod suggestions;
pub mod tab;
pub mod tables;
pub mod visitors;

use crate::platform::audit::words::{AuditWords, Reference};

/// How the audit trail names cafe records and fields.
pub const AUDIT_WORDS: AuditWords = AuditWords {
    records: &[
        ("menu_item", "Menu item"),
        ("menu_category", "Menu category"),
        ("cafe_table", "Table"),
        ("cafe_session", "Bill"),
        ("cafe_sale", "Cafe sale"),
        ("cafe_credit_note", "Cafe credit note"),
        ("cafe_visitor", "Guest"),
        ("cafe_feedback", "Feedback"),
        ("kitchen_ticket", "Kitchen ticket"),
        ("reservation", "Reservation"),
        ("discount_code", "Promo code"),
        ("modifier_group", "Modifier group"),
        ("modifier_option", "Modifier option"),
        ("kitchen_station", "Kitchen station"),
    ],
    fields: &[
        ("number", "Table number"),
        ("party_size", "Party size"),
        ("starts_at", "From"),
        ("ends_at", "Until"),
        ("customer_name", "Guest"),
        ("customer_phone", "Guest's phone"),
        ("discount_code", "Promo code"),
        ("min_order", "Minimum order"),
        ("max_uses", "Maximum uses"),
        ("percent_bp", "Percentage (basis points)"),
        ("capacity", "Seats"),
        ("location", "Location"),
        ("token", "QR code"),
        ("allergens", "Allergens"),
        ("in_stock", "Available"),
        ("is_veg", "Vegetarian"),
        ("sort_order", "Position"),
        ("trending", "Trending"),
        ("priority", "Priority"),
        ("staff_called", "Staff called"),
        ("table", "Table"),
        ("merged", "Merged in"),
        ("merged_into", "Merged into"),
        ("min_choices", "Fewest choices"),
        ("max_choices", "Most choices"),
        ("price_delta", "Adds to the price"),
        ("modifier_groups", "Modifier groups"),
        ("late_minutes", "Late after (minutes)"),
        ("categories", "Categories"),
        ("tickets_to_kitchen", "Tickets sent back to the kitchen"),
        ("fired", "Tickets fired"),
        ("bill", "Bill"),
        ("subtotal", "Subtotal"),
        ("tax", "Tax"),
        ("payment_method", "Paid by"),
        ("sale_id", "Bill"),
        ("customer_name", "Customer"),
        ("removed", "Removed"),
        ("overall", "Rating"),
        ("preferred_name", "Name"),
        ("opened_by", "Opened by"),
        ("cafe.name", "Cafe name"),
        ("cafe.address", "Cafe address"),
        ("cafe.phone", "Cafe phone"),
        ("cafe.gst_number", "Tax registration number"),
        ("cafe.tax_name", "Tax name"),
        ("cafe.tax_id_label", "Registration label"),
        ("cafe.instagram_url", "Instagram"),
        ("cafe.opening_time", "Opens at"),
        ("cafe.closing_time", "Closes at"),
        ("cafe.reservation_minutes", "Booking length"),
        ("cafe.bill_footer", "Bill footer"),
        ("cafe.upi_id", "UPI id"),
        ("cafe.currency_symbol", "Currency sign"),
        ("cafe.payment_qr", "Payment QR on bills"),
        ("cafe.payment_qr_label", "Payment QR name"),
        ("cafe.payment_qr_image", "Payment QR picture"),
        ("cafe.tax_rate_bp", "Tax rate"),
        ("cafe.public_base_url", "Address for QR codes"),
    ],
    references: &[
        Reference {
            field: "category_id",
            records: &["menu_item"],
            table: "menu_categories",
            label_sql: "name",
        },
        Reference {
            field: "session_id",
            records: &[],
            table: "cafe_sessions",
            label_sql: "'Bill #' || CAST(id AS TEXT)",
        },
        Reference {
            field: "image_id",
            records: &["menu_item"],
            table: "stored_images",
            label_sql: "'Picture #' || CAST(id AS TEXT)",
        },
    ],
};
