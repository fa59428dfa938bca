//! The software authenticator: discoverable credentials and PRF in process memory, for driving
//! the real app in tests (the `soft-passkey` feature, never in release builds).

use crate::error::AppError;
use crate::messages::Msg;
use crate::passkey::native::{origin_for, Answer, BoxFuture, NativeBackend, ProviderKind};

#[derive(Default)]
pub struct SoftBackend(passkey_soft::Authenticator);

impl SoftBackend {
    fn run(
        result: passkey_soft::Result<serde_json::Value>,
        origin: String,
    ) -> Result<Answer, AppError> {
        let credential = result.map_err(|e| match e {
            passkey_soft::Error::NotAllowed(_) => AppError::new(
                crate::ErrorCode::PasskeyCancelled,
                Msg::TestAuthenticatorDeclined {
                    error: e.to_string(),
                },
            ),
            other => AppError::new(
                crate::ErrorCode::PasskeyUnsupported,
                Msg::TestAuthenticatorFailed {
                    error: other.to_string(),
                },
            ),
        })?;
        Ok(Answer { credential, origin })
    }
}

impl NativeBackend for SoftBackend {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Soft
    }

    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        let origin = origin_for(rp_id);
        Box::pin(async move { Self::run(self.0.create(options, &origin), origin) })
    }

    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        let origin = origin_for(rp_id);
        Box::pin(async move { Self::run(self.0.get(options, &origin), origin) })
    }
}
