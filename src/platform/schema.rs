// One hand-maintained schema for both backends. Ids are BigInt everywhere (SQLite's
// INTEGER PRIMARY KEY is 64-bit); timestamps are naive UTC.

diesel::table! {
    cache_versions (name) {
        name -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    stored_images (id) {
        id -> BigInt,
        content_type -> Text,
        bytes -> Binary,
        width -> Integer,
        height -> Integer,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    branches (id) {
        id -> BigInt,
        name -> Text,
        code -> Text,
        address -> Text,
        phone -> Text,
        is_active -> Bool,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    employees (id) {
        id -> BigInt,
        username -> Text,
        name -> Text,
        role -> Text,
        branch_id -> Nullable<BigInt>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        hire_date -> Date,
        is_active -> Bool,
        archived_at -> Nullable<Timestamp>,
        password_hash -> Text,
        picture_id -> Nullable<BigInt>,
        is_logged_in -> Bool,
        last_login_time -> Nullable<Timestamp>,
        last_logout_time -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        commission_rate_bp -> BigInt,
        total_sales_minor -> BigInt,
        total_commission_minor -> BigInt,
        approval_limit_minor -> BigInt,
        on_duty -> Bool,
    }
}

diesel::table! {
    staff_sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        employee_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        hits -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        employee_id -> Nullable<BigInt>,
        action -> Text,
        record_type -> Text,
        record_id -> Nullable<BigInt>,
        record_label -> Text,
        changes -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    business_settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_categories (id) {
        id -> BigInt,
        name -> Text,
        sort_order -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    suppliers (id) {
        id -> BigInt,
        name -> Text,
        contact_person -> Text,
        phone -> Text,
        email -> Text,
        contract_start -> Date,
        contract_expiry -> Date,
        status -> Text,
        is_active -> Bool,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> BigInt,
        name -> Text,
        name_lc -> Text,
        sku -> Nullable<Text>,
        barcode -> Text,
        category_id -> BigInt,
        supplier_id -> Nullable<BigInt>,
        price_minor -> BigInt,
        cost_minor -> BigInt,
        min_stock -> BigInt,
        image_id -> Nullable<BigInt>,
        serial_tracked -> Bool,
        description -> Text,
        is_active -> Bool,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        regular_price_minor -> Nullable<BigInt>,
        catalogue_seq -> BigInt,
    }
}

diesel::table! {
    branch_stock (id) {
        id -> BigInt,
        branch_id -> BigInt,
        product_id -> BigInt,
        quantity -> BigInt,
        updated_at -> Timestamp,
        min_stock -> BigInt,
        product_active -> Bool,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> BigInt,
        branch_id -> BigInt,
        product_id -> BigInt,
        kind -> Text,
        quantity_change -> BigInt,
        quantity_after -> BigInt,
        document -> Text,
        order_id -> Nullable<BigInt>,
        reason -> Text,
        employee_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customers (id) {
        id -> BigInt,
        name -> Text,
        phone -> Text,
        phone_key -> Nullable<Text>,
        email -> Text,
        address -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        store_credit_minor -> BigInt,
    }
}

diesel::table! {
    orders (id) {
        id -> BigInt,
        branch_id -> BigInt,
        employee_id -> BigInt,
        customer_id -> Nullable<BigInt>,
        status -> Text,
        payment_method -> Text,
        total_minor -> BigInt,
        vat_minor -> BigInt,
        vat_rate_bp -> BigInt,
        idempotency_key -> Text,
        is_active -> Bool,
        archived_at -> Nullable<Timestamp>,
        voided_at -> Nullable<Timestamp>,
        voided_by -> Nullable<BigInt>,
        void_reason -> Nullable<Text>,
        created_at -> Timestamp,
        request_sha -> Nullable<Text>,
        business_day -> Nullable<Date>,
        shift_id -> Nullable<BigInt>,
        refunded_minor -> BigInt,
        refunded_vat_minor -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        employee_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_used_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        kind -> Text,
        dedupe_key -> Text,
        to_address -> Text,
        to_name -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    retail_daily_staff (branch_id, business_day, employee_id) {
        branch_id -> BigInt,
        business_day -> Date,
        employee_id -> BigInt,
        orders -> BigInt,
        total_minor -> BigInt,
        commission_minor -> BigInt,
    }
}

diesel::table! {
    retail_daily_products (branch_id, business_day, product_id) {
        branch_id -> BigInt,
        business_day -> Date,
        product_id -> BigInt,
        units -> BigInt,
        revenue_minor -> BigInt,
        cost_minor -> BigInt,
    }
}

diesel::table! {
    retail_monthly_products (branch_id, month, product_id) {
        branch_id -> BigInt,
        month -> Date,
        product_id -> BigInt,
        units -> BigInt,
        revenue_minor -> BigInt,
        cost_minor -> BigInt,
    }
}

diesel::table! {
    branch_stock_counts (branch_id) {
        branch_id -> BigInt,
        active_rows -> BigInt,
    }
}

diesel::table! {
    retail_product_totals (branch_id, product_id) {
        branch_id -> BigInt,
        product_id -> BigInt,
        units -> BigInt,
        revenue_minor -> BigInt,
        cost_minor -> BigInt,
    }
}

diesel::table! {
    retail_daily_totals (branch_id, business_day) {
        branch_id -> BigInt,
        business_day -> Date,
        orders -> BigInt,
        total_minor -> BigInt,
        vat_minor -> BigInt,
        cost_minor -> BigInt,
        cash_minor -> BigInt,
        installment_minor -> BigInt,
        cancelled -> BigInt,
        refunded_minor -> BigInt,
    }
}

diesel::table! {
    order_items (id) {
        id -> BigInt,
        order_id -> BigInt,
        product_id -> BigInt,
        product_name -> Text,
        quantity -> BigInt,
        unit_price_minor -> BigInt,
        cost_price_minor -> BigInt,
        line_total_minor -> BigInt,
        returned_quantity -> BigInt,
        refunded_minor -> BigInt,
    }
}

diesel::table! {
    product_serials (id) {
        id -> BigInt,
        product_id -> BigInt,
        branch_id -> BigInt,
        serial -> Text,
        status -> Text,
        order_item_id -> Nullable<BigInt>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        order_id -> BigInt,
        method -> Text,
        amount_minor -> BigInt,
        cash_received_minor -> Nullable<BigInt>,
        change_minor -> Nullable<BigInt>,
        paid_at -> Timestamp,
        reference -> Text,
    }
}

diesel::table! {
    receipt_counters (branch_id) {
        branch_id -> BigInt,
        last_number -> BigInt,
    }
}

diesel::table! {
    official_receipts (id) {
        id -> BigInt,
        order_id -> BigInt,
        branch_id -> BigInt,
        number -> BigInt,
        or_number -> Text,
        vatable_minor -> BigInt,
        vat_minor -> BigInt,
        total_minor -> BigInt,
        issued_by -> BigInt,
        issued_at -> Timestamp,
        print_count -> BigInt,
    }
}

diesel::table! {
    commissions (id) {
        id -> BigInt,
        order_id -> BigInt,
        employee_id -> BigInt,
        rate_bp -> BigInt,
        amount_minor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    menu_categories (id) {
        id -> BigInt,
        name -> Text,
        sort_order -> Integer,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    menu_items (id) {
        id -> BigInt,
        branch_id -> BigInt,
        category_id -> BigInt,
        name -> Text,
        name_lc -> Text,
        description -> Text,
        price_minor -> BigInt,
        emoji -> Text,
        image_id -> Nullable<BigInt>,
        is_veg -> Bool,
        calories -> Nullable<BigInt>,
        allergens -> Text,
        allergens_other -> Text,
        serving_size -> Text,
        prep_minutes -> BigInt,
        sort_order -> BigInt,
        trending -> Bool,
        in_stock -> Bool,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cafe_tables (id) {
        id -> BigInt,
        branch_id -> BigInt,
        number -> BigInt,
        capacity -> BigInt,
        location -> Text,
        status -> Text,
        token -> Text,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cafe_visitors (id) {
        id -> BigInt,
        key -> Text,
        preferred_name -> Text,
        last_ip -> Nullable<Text>,
        visit_count -> BigInt,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
    }
}

diesel::table! {
    cafe_sessions (id) {
        id -> BigInt,
        branch_id -> BigInt,
        table_id -> Nullable<BigInt>,
        kind -> Text,
        customer_name -> Text,
        customer_phone -> Text,
        delivery_address -> Text,
        visitor_id -> Nullable<BigInt>,
        opened_by_employee_id -> Nullable<BigInt>,
        opened_at -> Timestamp,
        staff_called_at -> Nullable<Timestamp>,
        bill_printed_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        discount_code_id -> Nullable<BigInt>,
        merged_into -> Nullable<BigInt>,
        split_of -> Nullable<BigInt>,
        part_number -> Nullable<BigInt>,
    }
}

diesel::table! {
    kitchen_tickets (id) {
        id -> BigInt,
        branch_id -> BigInt,
        session_id -> BigInt,
        visitor_id -> Nullable<BigInt>,
        placed_by_employee_id -> Nullable<BigInt>,
        status -> Text,
        priority -> BigInt,
        estimated_minutes -> BigInt,
        notes -> Text,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        order_key -> Nullable<Text>,
        station_id -> Nullable<BigInt>,
        order_ticket_id -> Nullable<BigInt>,
        held -> Bool,
        fired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cafe_session_lines (id) {
        id -> BigInt,
        session_id -> BigInt,
        ticket_id -> BigInt,
        menu_item_id -> BigInt,
        name -> Text,
        category -> Text,
        quantity -> BigInt,
        unit_price_minor -> BigInt,
        notes -> Text,
        created_at -> Timestamp,
        modifiers -> Text,
        seat -> Nullable<BigInt>,
    }
}

diesel::table! {
    cafe_daily_totals (branch_id, business_day) {
        branch_id -> BigInt,
        business_day -> Date,
        orders -> BigInt,
        subtotal_minor -> BigInt,
        discount_minor -> BigInt,
        tax_minor -> BigInt,
        total_minor -> BigInt,
    }
}

diesel::table! {
    cafe_daily_items (branch_id, business_day, menu_item_id) {
        branch_id -> BigInt,
        business_day -> Date,
        menu_item_id -> BigInt,
        name -> Text,
        category -> Text,
        quantity -> BigInt,
        revenue_minor -> BigInt,
    }
}

diesel::table! {
    cafe_bill_shares (session_id) {
        session_id -> BigInt,
        bill_id -> BigInt,
        number -> BigInt,
        of_n -> BigInt,
        subtotal_minor -> BigInt,
        discount_minor -> BigInt,
        tax_minor -> BigInt,
        total_minor -> BigInt,
        tax_rate_bp -> BigInt,
        discount_code -> Nullable<Text>,
    }
}

diesel::table! {
    cafe_sales (id) {
        id -> BigInt,
        branch_id -> BigInt,
        session_id -> BigInt,
        table_id -> Nullable<BigInt>,
        table_number -> Nullable<BigInt>,
        kind -> Text,
        customer_name -> Text,
        customer_phone -> Text,
        items_json -> Text,
        subtotal_minor -> BigInt,
        discount_minor -> BigInt,
        tax_rate_bp -> BigInt,
        tax_minor -> BigInt,
        total_minor -> BigInt,
        payment_method -> Text,
        opened_at -> Timestamp,
        closed_at -> Timestamp,
        closed_by_employee_id -> Nullable<BigInt>,
        visitor_id -> Nullable<BigInt>,
        discount_code -> Nullable<Text>,
        shift_id -> Nullable<BigInt>,
        refunded_value_minor -> BigInt,
        refunded_minor -> BigInt,
    }
}

diesel::table! {
    cafe_feedback (id) {
        id -> BigInt,
        sale_id -> BigInt,
        overall_rating -> BigInt,
        food_rating -> Nullable<BigInt>,
        service_rating -> Nullable<BigInt>,
        would_recommend -> Nullable<Bool>,
        comment -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    installment_plans (id) {
        id -> BigInt,
        order_id -> BigInt,
        branch_id -> BigInt,
        customer_id -> BigInt,
        seller_id -> BigInt,
        status -> Text,
        term_months -> BigInt,
        rate_bp -> BigInt,
        total_minor -> BigInt,
        down_payment_minor -> BigInt,
        financed_minor -> BigInt,
        interest_minor -> BigInt,
        balance_minor -> BigInt,
        paid_minor -> BigInt,
        next_due_date -> Nullable<Date>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Text,
        refund_due_minor -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    installment_dues (id) {
        id -> BigInt,
        plan_id -> BigInt,
        seq -> BigInt,
        due_date -> Date,
        amount_minor -> BigInt,
        paid_minor -> BigInt,
    }
}

diesel::table! {
    installment_payments (id) {
        id -> BigInt,
        plan_id -> BigInt,
        amount_minor -> BigInt,
        method -> Text,
        branch_id -> BigInt,
        number -> BigInt,
        or_number -> Text,
        employee_id -> BigInt,
        idempotency_key -> Text,
        paid_at -> Timestamp,
        shift_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    warranty_claims (id) {
        id -> BigInt,
        order_item_id -> BigInt,
        order_id -> BigInt,
        branch_id -> BigInt,
        product_id -> BigInt,
        claim_type -> Text,
        faulty_serial -> Text,
        issue -> Text,
        status -> Text,
        cost_impact_minor -> BigInt,
        replacement_serial -> Nullable<Text>,
        filed_by -> BigInt,
        handled_by -> Nullable<BigInt>,
        filed_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    defective_stock (id) {
        id -> BigInt,
        product_id -> BigInt,
        branch_id -> BigInt,
        faulty_serial -> Text,
        reason -> Text,
        claim_id -> Nullable<BigInt>,
        status -> Text,
        note -> Text,
        received_at -> Timestamp,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        credit_note_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(employees -> branches (branch_id));
diesel::joinable!(employees -> stored_images (picture_id));
diesel::joinable!(staff_sessions -> employees (employee_id));
diesel::joinable!(api_tokens -> employees (employee_id));
diesel::joinable!(audit_log -> employees (employee_id));

diesel::joinable!(products -> product_categories (category_id));
diesel::joinable!(products -> suppliers (supplier_id));
diesel::joinable!(branch_stock -> branches (branch_id));
diesel::joinable!(branch_stock -> products (product_id));
diesel::joinable!(stock_movements -> products (product_id));
diesel::joinable!(orders -> branches (branch_id));
diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_items -> products (product_id));
diesel::joinable!(product_serials -> products (product_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(official_receipts -> orders (order_id));
diesel::joinable!(commissions -> orders (order_id));
diesel::joinable!(installment_plans -> orders (order_id));
diesel::joinable!(warranty_claims -> order_items (order_item_id));
diesel::joinable!(warranty_claims -> branches (branch_id));
diesel::joinable!(defective_stock -> products (product_id));
diesel::joinable!(defective_stock -> branches (branch_id));
diesel::joinable!(installment_plans -> branches (branch_id));
diesel::joinable!(installment_plans -> customers (customer_id));
diesel::joinable!(installment_dues -> installment_plans (plan_id));
diesel::joinable!(installment_payments -> installment_plans (plan_id));

diesel::joinable!(menu_items -> menu_categories (category_id));
diesel::joinable!(cafe_tables -> branches (branch_id));
diesel::joinable!(cafe_sessions -> cafe_tables (table_id));
diesel::joinable!(kitchen_tickets -> cafe_sessions (session_id));
diesel::joinable!(cafe_session_lines -> kitchen_tickets (ticket_id));
diesel::joinable!(cafe_session_lines -> menu_items (menu_item_id));
diesel::joinable!(cafe_feedback -> cafe_sales (sale_id));

diesel::table! {
    imports (id) {
        id -> BigInt,
        kind -> Text,
        branch_id -> Nullable<BigInt>,
        file_name -> Text,
        digest -> Text,
        content -> Binary,
        status -> Text,
        rows_total -> BigInt,
        created_count -> BigInt,
        updated_count -> BigInt,
        unchanged_count -> BigInt,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
        applied_by -> Nullable<BigInt>,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    price_changes (id) {
        id -> BigInt,
        idempotency_key -> Text,
        description -> Text,
        products_changed -> BigInt,
        employee_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reservations (id) {
        id -> BigInt,
        branch_id -> BigInt,
        table_id -> BigInt,
        customer_name -> Text,
        customer_phone -> Text,
        party_size -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        notes -> Text,
        status -> Text,
        source -> Text,
        session_id -> Nullable<BigInt>,
        idempotency_key -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(reservations -> cafe_tables (table_id));
diesel::joinable!(cafe_sessions -> discount_codes (discount_code_id));

diesel::table! {
    discount_codes (id) {
        id -> BigInt,
        code -> Text,
        code_lc -> Text,
        description -> Text,
        kind -> Text,
        percent_bp -> BigInt,
        amount_minor -> BigInt,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        min_order_minor -> BigInt,
        max_uses -> Nullable<BigInt>,
        uses -> BigInt,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registers (id) {
        id -> BigInt,
        branch_id -> BigInt,
        name -> Text,
        machine_id -> Text,
        serial_number -> Text,
        permit_number -> Text,
        is_active -> Bool,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    shifts (id) {
        id -> BigInt,
        register_id -> BigInt,
        branch_id -> BigInt,
        employee_id -> BigInt,
        idempotency_key -> Text,
        opening_float_minor -> BigInt,
        opening_count -> Text,
        opened_at -> Timestamp,
        business_day -> Date,
        activity_count -> BigInt,
        grand_total_before_minor -> BigInt,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<BigInt>,
        expected_cash_minor -> Nullable<BigInt>,
        counted_cash_minor -> Nullable<BigInt>,
        closing_count -> Text,
        difference_note -> Text,
        grand_total_after_minor -> Nullable<BigInt>,
    }
}

diesel::table! {
    cash_movements (id) {
        id -> BigInt,
        shift_id -> BigInt,
        kind -> Text,
        amount_minor -> BigInt,
        reason -> Text,
        employee_id -> BigInt,
        idempotency_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(shifts -> registers (register_id));
diesel::joinable!(cash_movements -> shifts (shift_id));

diesel::table! {
    credit_note_counters (branch_id) {
        branch_id -> BigInt,
        last_number -> BigInt,
    }
}

diesel::table! {
    credit_notes (id) {
        id -> BigInt,
        branch_id -> BigInt,
        number -> BigInt,
        cn_number -> Text,
        order_id -> BigInt,
        shift_id -> Nullable<BigInt>,
        employee_id -> BigInt,
        reason -> Text,
        restock -> Bool,
        refund_to -> Text,
        customer_id -> Nullable<BigInt>,
        total_minor -> BigInt,
        vatable_minor -> BigInt,
        vat_minor -> BigInt,
        commission_minor -> BigInt,
        idempotency_key -> Text,
        request_sha -> Text,
        created_at -> Timestamp,
        business_day -> Date,
    }
}

diesel::table! {
    credit_note_lines (id) {
        id -> BigInt,
        credit_note_id -> BigInt,
        order_item_id -> BigInt,
        product_id -> BigInt,
        product_name -> Text,
        quantity -> BigInt,
        amount_minor -> BigInt,
        cost_minor -> BigInt,
        serials -> Text,
    }
}

diesel::table! {
    credit_note_tenders (id) {
        id -> BigInt,
        credit_note_id -> BigInt,
        method -> Text,
        amount_minor -> BigInt,
        reference -> Text,
    }
}

diesel::table! {
    store_credit_entries (id) {
        id -> BigInt,
        customer_id -> BigInt,
        amount_minor -> BigInt,
        balance_after_minor -> BigInt,
        credit_note_id -> Nullable<BigInt>,
        order_id -> Nullable<BigInt>,
        employee_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(credit_notes -> orders (order_id));
diesel::joinable!(credit_notes -> branches (branch_id));
diesel::joinable!(credit_note_lines -> credit_notes (credit_note_id));
diesel::joinable!(credit_note_tenders -> credit_notes (credit_note_id));
diesel::joinable!(store_credit_entries -> customers (customer_id));

diesel::table! {
    stock_transfers (id) {
        id -> BigInt,
        from_branch_id -> BigInt,
        to_branch_id -> BigInt,
        status -> Text,
        note -> Text,
        created_by -> BigInt,
        idempotency_key -> Text,
        created_at -> Timestamp,
        sent_by -> Nullable<BigInt>,
        sent_at -> Nullable<Timestamp>,
        received_by -> Nullable<BigInt>,
        received_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    stock_transfer_lines (id) {
        id -> BigInt,
        transfer_id -> BigInt,
        product_id -> BigInt,
        quantity -> BigInt,
        serials -> Text,
        received_quantity -> Nullable<BigInt>,
        received_serials -> Text,
    }
}

diesel::table! {
    purchase_orders (id) {
        id -> BigInt,
        supplier_id -> BigInt,
        branch_id -> BigInt,
        status -> Text,
        reference -> Text,
        created_by -> BigInt,
        idempotency_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    purchase_order_lines (id) {
        id -> BigInt,
        purchase_order_id -> BigInt,
        product_id -> BigInt,
        quantity -> BigInt,
        unit_cost_minor -> BigInt,
        received_quantity -> BigInt,
    }
}

diesel::table! {
    purchase_receipts (id) {
        id -> BigInt,
        purchase_order_id -> BigInt,
        employee_id -> BigInt,
        idempotency_key -> Text,
        units -> BigInt,
        received_at -> Timestamp,
    }
}

diesel::joinable!(stock_transfer_lines -> stock_transfers (transfer_id));
diesel::joinable!(stock_transfer_lines -> products (product_id));
diesel::joinable!(purchase_orders -> suppliers (supplier_id));
diesel::joinable!(purchase_orders -> branches (branch_id));
diesel::joinable!(purchase_order_lines -> purchase_orders (purchase_order_id));
diesel::joinable!(purchase_order_lines -> products (product_id));

diesel::table! {
    cafe_payments (id) {
        id -> BigInt,
        sale_id -> BigInt,
        method -> Text,
        amount_minor -> BigInt,
        cash_received_minor -> Nullable<BigInt>,
        change_minor -> Nullable<BigInt>,
        reference -> Text,
    }
}

diesel::table! {
    cafe_credit_notes (id) {
        id -> BigInt,
        branch_id -> BigInt,
        number -> BigInt,
        cn_number -> Text,
        sale_id -> BigInt,
        shift_id -> Nullable<BigInt>,
        employee_id -> BigInt,
        reason -> Text,
        value_minor -> BigInt,
        discount_minor -> BigInt,
        tax_minor -> BigInt,
        total_minor -> BigInt,
        idempotency_key -> Text,
        request_sha -> Text,
        created_at -> Timestamp,
        business_day -> Date,
    }
}

diesel::table! {
    cafe_credit_note_lines (id) {
        id -> BigInt,
        credit_note_id -> BigInt,
        line_index -> BigInt,
        menu_item_id -> BigInt,
        name -> Text,
        category -> Text,
        quantity -> BigInt,
        value_minor -> BigInt,
        amount_minor -> BigInt,
    }
}

diesel::table! {
    cafe_credit_note_tenders (id) {
        id -> BigInt,
        credit_note_id -> BigInt,
        method -> Text,
        amount_minor -> BigInt,
        reference -> Text,
    }
}

diesel::joinable!(cafe_payments -> cafe_sales (sale_id));
diesel::joinable!(cafe_credit_notes -> cafe_sales (sale_id));
diesel::joinable!(cafe_credit_notes -> branches (branch_id));
diesel::joinable!(cafe_credit_notes -> employees (employee_id));
diesel::joinable!(cafe_credit_note_lines -> cafe_credit_notes (credit_note_id));
diesel::joinable!(cafe_credit_note_tenders -> cafe_credit_notes (credit_note_id));

diesel::table! {
    offline_blocks (id) {
        id -> BigInt,
        branch_id -> BigInt,
        register_id -> BigInt,
        shift_id -> BigInt,
        employee_id -> BigInt,
        size -> BigInt,
        secret_sha -> Text,
        idempotency_key -> Text,
        reserved_at -> Timestamp,
    }
}

diesel::table! {
    offline_sales (id) {
        id -> BigInt,
        block_id -> BigInt,
        number -> BigInt,
        idempotency_key -> Text,
        branch_id -> BigInt,
        employee_id -> BigInt,
        shift_id -> BigInt,
        made_at -> Timestamp,
        total_minor -> BigInt,
        cash_received_minor -> BigInt,
        sale -> Text,
        status -> Text,
        reason -> Text,
        order_id -> Nullable<BigInt>,
        synced_by -> BigInt,
        synced_at -> Timestamp,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        resolution_note -> Text,
    }
}

diesel::joinable!(offline_sales -> offline_blocks (block_id));

diesel::table! {
    modifier_groups (id) {
        id -> BigInt,
        name -> Text,
        name_lc -> Text,
        min_choices -> BigInt,
        max_choices -> BigInt,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    modifier_options (id) {
        id -> BigInt,
        group_id -> BigInt,
        name -> Text,
        name_lc -> Text,
        price_delta_minor -> BigInt,
        sort_order -> BigInt,
        in_stock -> Bool,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    menu_item_modifier_groups (menu_item_id, group_id) {
        menu_item_id -> BigInt,
        group_id -> BigInt,
    }
}

diesel::table! {
    cafe_line_modifiers (line_id, option_id) {
        line_id -> BigInt,
        option_id -> BigInt,
        group_name -> Text,
        option_name -> Text,
        price_delta_minor -> BigInt,
    }
}

diesel::joinable!(modifier_options -> modifier_groups (group_id));
diesel::joinable!(menu_item_modifier_groups -> modifier_groups (group_id));
diesel::joinable!(menu_item_modifier_groups -> menu_items (menu_item_id));
diesel::joinable!(cafe_line_modifiers -> cafe_session_lines (line_id));

diesel::table! {
    kitchen_stations (id) {
        id -> BigInt,
        branch_id -> BigInt,
        code -> Text,
        name -> Text,
        late_minutes -> BigInt,
        is_active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kitchen_station_categories (station_id, category_id) {
        station_id -> BigInt,
        category_id -> BigInt,
        branch_id -> BigInt,
    }
}

diesel::joinable!(kitchen_tickets -> kitchen_stations (station_id));
diesel::joinable!(kitchen_station_categories -> kitchen_stations (station_id));

diesel::allow_tables_to_appear_in_same_query!(
    cafe_bill_shares,
    offline_blocks,
    offline_sales,
    registers,
    shifts,
    cash_movements,
    discount_codes,
    reservations,
    price_changes,
    imports,
    warranty_claims,
    defective_stock,
    installment_plans,
    installment_dues,
    installment_payments,
    stored_images,
    branches,
    employees,
    staff_sessions,
    api_tokens,
    rate_limits,
    audit_log,
    business_settings,
    product_categories,
    suppliers,
    products,
    branch_stock,
    stock_movements,
    customers,
    orders,
    order_items,
    product_serials,
    payments,
    receipt_counters,
    official_receipts,
    commissions,
    menu_categories,
    menu_items,
    cafe_tables,
    cafe_visitors,
    cafe_sessions,
    kitchen_tickets,
    cafe_session_lines,
    cafe_sales,
    cafe_feedback,
    cafe_daily_totals,
    cafe_daily_items,
    retail_daily_totals,
    retail_daily_staff,
    retail_daily_products,
    retail_monthly_products,
    retail_product_totals,
    branch_stock_counts,
    mail_outbox,
    credit_note_counters,
    credit_notes,
    credit_note_lines,
    credit_note_tenders,
    store_credit_entries,
    stock_transfers,
    stock_transfer_lines,
    purchase_orders,
    purchase_order_lines,
    purchase_receipts,
    cafe_payments,
    cafe_credit_notes,
    cafe_credit_note_lines,
    cafe_credit_note_tenders,
    modifier_groups,
    modifier_options,
    menu_item_modifier_groups,
    cafe_line_modifiers,
    kitchen_stations,
    kitchen_station_categories,
);
