//! Retail: the gadget store's catalogue, stock per branch, the POS terminal, sales.

pub mod barcode;
pub mod catalog;
pub mod customers;
pub mod demo;
pub mod installments;
pub mod pos;
pub mod pricing;
pub mod purchases;
pub mod refunds;
pub mod sales;
pub mod settings;
pub mod settings_page;
pub mod stock;
pub mod transfers;
pub mod warranty;

use crate::platform::audit::words::{AuditWords, Reference};

/// How the audit trail names retail records and fields.
pub const AUDIT_WORDS: AuditWords = AuditWords {
    records: &[
        ("product", "Product"),
        ("product_category", "Product category"),
        ("supplier", "Supplier"),
        ("customer", "Customer"),
        ("branch_stock", "Stock"),
        ("order", "Sale"),
        ("installment_plan", "Instalment plan"),
        ("warranty_claim", "Warranty claim"),
        ("defective_stock", "Defective unit"),
        ("credit_note", "Credit note"),
        ("stock_transfer", "Stock transfer"),
        ("purchase_order", "Purchase order"),
        ("offline_block", "Offline receipt numbers"),
        ("offline_sale", "Offline sale"),
    ],
    fields: &[
        ("barcode", "Barcode"),
        ("sku", "SKU"),
        ("price", "Price"),
        ("regular_price", "Base price (before discount)"),
        ("cost_price", "Cost"),
        ("min_stock", "Minimum stock"),
        ("serial_tracked", "Serial numbers"),
        ("image", "Picture"),
        ("contact_person", "Contact person"),
        ("contract_start", "Contract start"),
        ("contract_expiry", "Contract end"),
        ("quantity", "Quantity"),
        ("serials", "Serial numbers"),
        ("or_number", "Official receipt"),
        ("vat", "VAT"),
        ("cash_received", "Cash received"),
        ("change", "Change"),
        ("tenders", "Tenders"),
        ("commission", "Commission"),
        ("commission_reversed", "Commission reversed"),
        ("credit_note", "Credit note"),
        ("returned", "Returned"),
        ("refund", "Refund"),
        ("restock", "The units"),
        ("shortage", "Short on arrival"),
        ("units", "Units"),
        ("from", "From branch"),
        ("to", "To branch"),
        ("note", "Note"),
        ("reference", "Reference"),
        ("payment_method", "Payment"),
        ("installment_plan", "Instalment plan"),
        ("down_payment", "Down payment"),
        ("financed", "Financed"),
        ("interest", "Interest"),
        ("term_months", "Term (months)"),
        ("payment", "Payment"),
        ("method", "Method"),
        ("remaining", "Remaining balance"),
        ("claim_type", "Claim type"),
        ("faulty_serial", "Faulty serial"),
        ("replacement_serial", "Replacement serial"),
        ("cost_impact", "Cost impact"),
        ("issue", "Issue"),
        ("product", "Product"),
        ("retail.installment_terms", "Instalment terms"),
        ("retail.installment_rate_bp", "Instalment interest"),
        ("retail.credit_high_risk_bp", "High-risk credit exposure"),
        ("api.token_days", "API token lifetime (days)"),
        (
            "retail.warranty_replacement_days",
            "Replacement window (days)",
        ),
        ("retail.warranty_repair_days", "Repair window (days)"),
        ("retail.warranty_repair_cost_minor", "Usual repair cost"),
        ("copy", "Copy"),
        ("retail.vat_rate_bp", "VAT rate"),
        ("retail.prices_include_vat", "Prices include VAT"),
        ("numbers", "Numbers"),
        ("shift", "Shift"),
        ("made_offline", "Made offline at"),
        ("provisional_receipt", "Provisional receipt"),
        ("accepted_by_manager", "Accepted by a manager despite"),
        ("pos.offline_minutes", "Offline selling (minutes)"),
        ("pos.offline_amount_minor", "Offline sales limit per till"),
    ],
    references: &[
        Reference {
            field: "category_id",
            records: &["product"],
            table: "product_categories",
            label_sql: "name",
        },
        Reference {
            field: "supplier_id",
            records: &["product"],
            table: "suppliers",
            label_sql: "name",
        },
        Reference {
            field: "customer_id",
            records: &[],
            table: "customers",
            label_sql: "name",
        },
    ],
};
