//! Staff: branches, employees, signing in and out, profiles, first-run and demo data.

pub mod bootstrap;
pub mod branches;
pub mod employees;
pub mod login;
pub mod profile;
