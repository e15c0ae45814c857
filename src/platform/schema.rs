// One hand-maintained schema for both backends. Ids are BigInt everywhere (SQLite's
// INTEGER PRIMARY KEY is 64-bit); timestamps are naive UTC.

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
    login_failures (id) {
        id -> BigInt,
        ip -> Text,
        username -> Text,
        failed_at -> Timestamp,
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

diesel::joinable!(employees -> branches (branch_id));
diesel::joinable!(employees -> stored_images (picture_id));
diesel::joinable!(staff_sessions -> employees (employee_id));
diesel::joinable!(audit_log -> employees (employee_id));

diesel::allow_tables_to_appear_in_same_query!(
    stored_images,
    branches,
    employees,
    staff_sessions,
    login_failures,
    audit_log,
);
