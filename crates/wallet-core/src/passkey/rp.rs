//! The rpId a ceremony may use is the configured tenant's, whatever the server's options say.

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;

/// What the passkey would sign: named in the refusal.
#[derive(Debug, Clone, Copy)]
pub enum Signing {
    SignUp,
    SignIn,
    Operation,
}

/// `named` is the rpId IBEx's options name (if any); `configured` the network's. Returns the
/// rpId to use, or a specific refusal: a passkey is never asked for another site.
pub fn check(named: Option<&str>, configured: &str, what: Signing) -> Result<String, AppError> {
    match named {
        Some(rp_id) if !rp_id.eq_ignore_ascii_case(configured) => {
            let (asked, configured) = (rp_id.to_owned(), configured.to_owned());
            let text = match what {
                Signing::SignUp => Msg::RpIdMismatchSignUp { asked, configured },
                Signing::SignIn => Msg::RpIdMismatchSignIn { asked, configured },
                Signing::Operation => Msg::RpIdMismatchOperation { asked, configured },
            };
            Err(AppError::new(ErrorCode::BadResponse, text))
        }
        _ => Ok(configured.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_rp_id_is_used() {
        assert_eq!(
            check(
                Some("Wallet.Example.Test"),
                "wallet.example.test",
                Signing::SignIn
            )
            .unwrap(),
            "wallet.example.test"
        );
        assert_eq!(
            check(None, "wallet.example.test", Signing::SignUp).unwrap(),
            "wallet.example.test"
        );
        let e = check(Some("evil.test"), "wallet.example.test", Signing::Operation).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e
            .message
            .contains("sign this operation with a passkey for evil.test"));
        assert!(e.message.contains("set up for wallet.example.test"));
    }
}
