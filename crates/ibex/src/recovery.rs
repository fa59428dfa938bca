//! Recovery status (docs/api/operations.md §7): `/v1.2`, falling back to the guide's `/v1.1` path.

use crate::client::Request;
use crate::models::recovery::RecoveryStatus;
use crate::models::ChainId;
use crate::{Address, Error, Session};

impl Session {
    /// `GET /v1.2/recovery/status/{safe}`; on 404 retries the `/v1.1` route once (G3).
    pub async fn recovery_status(
        &self,
        safe: &Address,
        chain: Option<ChainId>,
    ) -> Result<RecoveryStatus, Error> {
        let at =
            |version: &str| Request::get(format!("/{version}/recovery/status/{safe}")).chain(chain);
        match self.call(at("v1.2")).await {
            Err(Error::Status { status: 404, .. }) => self.call(at("v1.1")).await,
            other => other,
        }
    }
}
