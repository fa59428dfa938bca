//! KYC / KYB (docs/api/account.md §10).

use crate::client::Request;
use crate::models::account::{
    KybEnrollRequest, KybEnrollment, KycIframe, KycIframeRequest, KycStatus,
};
use crate::{Error, Session};

impl Session {
    /// `GET /v1.2/users/kyc/status`.
    pub async fn kyc_status(&self) -> Result<KycStatus, Error> {
        self.call(Request::get("/v1.2/users/kyc/status")).await
    }

    /// `POST /v1.2/auth/iframe`: the KYC flow URL to open.
    pub async fn kyc_iframe(&self, body: &KycIframeRequest) -> Result<KycIframe, Error> {
        self.call(Request::post("/v1.2/auth/iframe").json(body)?)
            .await
    }

    /// `POST /v1.2/auth/enroll`: business KYB (409 when an enrollment exists).
    pub async fn kyb_enroll(&self, body: &KybEnrollRequest) -> Result<KybEnrollment, Error> {
        self.call(Request::post("/v1.2/auth/enroll").json(body)?)
            .await
    }
}
