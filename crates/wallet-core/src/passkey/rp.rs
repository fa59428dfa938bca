//! The rpId a ceremony may use is the configured tenant's, whatever the server's options say.

use crate::error::{AppError, ErrorCode};

/// `named` is the rpId IBEx's options name (if any); `configured` the network's. Returns the
/// rpId to use, or a specific refusal: a passkey is never asked for another site.
pub fn check(named: Option<&str>, configured: &str, what: &str) -> Result<String, AppError> {
    match named {
        Some(rp_id) if !rp_id.eq_ignore_ascii_case(configured) => Err(AppError::new(
            ErrorCode::BadResponse,
            format!("IBEx asked to sign {what} with a passkey for {rp_id}, but this network is set up for {configured}. Nothing was signed; check the network's rpId in the settings."),
        )),
        _ => Ok(configured.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_rp_id_is_used() {
        assert_eq!(
            check(Some("Wallet.Example.Test"), "wallet.example.test", "x").unwrap(),
            "wallet.example.test"
        );
        assert_eq!(
            check(None, "wallet.example.test", "x").unwrap(),
            "wallet.example.test"
        );
        let e = check(Some("evil.test"), "wallet.example.test", "this transfer").unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e
            .message
            .contains("sign this transfer with a passkey for evil.test"));
        assert!(e.message.contains("set up for wallet.example.test"));
    }
}
