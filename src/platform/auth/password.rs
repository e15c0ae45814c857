//! Password rules and bcrypt hashing. Hashing is CPU work: callers run it in `web::block`.

use rand::distr::{Alphanumeric, SampleString};

pub const MIN_LEN: usize = 8;
/// bcrypt only reads the first 72 bytes; a longer password would silently be truncated.
pub const MAX_BYTES: usize = 72;

pub fn check_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LEN {
        return Err(format!("the password needs at least {MIN_LEN} characters"));
    }
    if password.len() > MAX_BYTES {
        return Err(format!(
            "the password can be at most {MAX_BYTES} bytes long"
        ));
    }
    if password.trim().is_empty() || password.chars().any(char::is_control) {
        return Err("the password cannot be blank or contain control characters".into());
    }
    Ok(())
}

pub fn hash(password: &str, cost: u32) -> Result<String, String> {
    bcrypt::hash(password, cost).map_err(|e| format!("cannot hash password: {e}"))
}

/// Constant work whether or not the hash is valid: a malformed hash still costs a verify.
pub fn verify(password: &str, hash: &str, dummy: &str) -> bool {
    match bcrypt::verify(password, hash) {
        Ok(ok) => ok,
        Err(_) => {
            let _ = bcrypt::verify(password, dummy);
            false
        }
    }
}

/// Hashes through the password gate: bcrypt takes a quarter of a second of CPU at cost 12, so
/// only a few run at once and never with a database connection held.
pub async fn hash_off_thread(
    gate: &crate::platform::work::Gate,
    password: String,
    cost: u32,
) -> Result<String, crate::platform::error::AppError> {
    use crate::platform::error::AppError;
    gate.run(move || hash(&password, cost))
        .await?
        .map_err(AppError::Internal)
}

pub fn random_password() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough").is_ok());
        assert!(check_strength("        ").is_err());
        assert!(check_strength(&"x".repeat(73)).is_err());
        assert!(check_strength("tab\there!").is_err());
    }

    #[test]
    fn hashes_and_verifies() {
        let h = hash("correct horse", 4).unwrap();
        let dummy = hash("dummy-password", 4).unwrap();
        assert!(verify("correct horse", &h, &dummy));
        assert!(!verify("wrong horse", &h, &dummy));
        assert!(!verify("x", "not-a-hash", &dummy));
        assert_eq!(random_password().len(), 16);
    }
}
