//! The software authenticator: discoverable credentials and PRF in process memory, for driving
//! the real app in tests (the `soft-passkey` feature, never in release builds).

use crate::error::AppError;
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
                format!("The test authenticator declined: {e}"),
            ),
            other => AppError::new(
                crate::ErrorCode::PasskeyUnsupported,
                format!("The test authenticator failed: {other}"),
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
