//! Public auth endpoints (docs/api/auth.md): challenges, sign-up/sign-in, refresh, safe-provision,
//! email recovery, EOA wallet sign-in. All carry the rpId as `X-RpId` and `?rpId=`.

use std::time::Duration;

use crate::client::Request;
use crate::models::auth::{
    AuthChallenge, AuthSession, AuthTokens, ChallengeRequest, DataStatus, EmailRecoverRequest,
    EmailRecovery, RefreshRequest, SafeProvision, SafeProvisionRequest, SignInData, SignInRequest,
    SignUpRequest, WalletChallenge, WalletChallengeRequest, WalletSignInRequest, WellKnownWebAuthn,
};
use crate::{Client, Error, Secret, Session};

impl Client {
    /// `GET /v1.2/auth/sign-up`: creation options (passkeys), derivation material (kdf, email)
    /// or the SIWE-like challenge (7702).
    pub async fn sign_up_challenge(&self, req: &ChallengeRequest) -> Result<AuthChallenge, Error> {
        self.call(&challenge("/v1.2/auth/sign-up", req), None).await
    }

    /// `POST /v1.2/auth/sign-up`. kdf sign-up sends the pending token of step 1 as bearer
    /// (docs/api/gaps.md G35); other modes pass `None`.
    pub async fn sign_up(
        &self,
        body: &SignUpRequest,
        pending: Option<&Secret>,
    ) -> Result<AuthSession, Error> {
        let req = Request::post("/v1.2/auth/sign-up")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, pending.map(Secret::expose)).await
    }

    /// `GET /v1.2/auth/sign-in`.
    pub async fn sign_in_challenge(&self, req: &ChallengeRequest) -> Result<AuthChallenge, Error> {
        self.call(&challenge("/v1.2/auth/sign-in", req), None).await
    }

    /// `POST /v1.2/auth/sign-in`.
    pub async fn sign_in(&self, body: &SignInRequest) -> Result<AuthSession, Error> {
        let req = Request::post("/v1.2/auth/sign-in")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, None).await
    }

    /// `POST /v1.2/auth/refresh`. The token is consumed by this call whatever happens next;
    /// use [`Session`] rather than calling this directly.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<AuthTokens, Error> {
        let body = RefreshRequest {
            refresh_token: refresh_token.clone(),
        };
        let req = Request::post("/v1.2/auth/refresh")
            .auth_endpoint()
            .json(&body)?;
        self.call(&req, None).await
    }

    /// `POST /v1.2/auth/sign-in/safe-provision`, with the short-lived `safe_provision_token`
    /// of a sign-in made with `intent: "safe_provision"`.
    pub async fn safe_provision(
        &self,
        safe_provision_token: &Secret,
        body: &SafeProvisionRequest,
    ) -> Result<SafeProvision, Error> {
        let req = Request::post("/v1.2/auth/sign-in/safe-provision")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, Some(safe_provision_token.expose())).await
    }

    /// `POST /v1.2/auth/email/recover`: `{ email }` alone triggers the OTP (G9); with the OTP
    /// it returns the encrypted key backup and a signed challenge.
    pub async fn email_recover(&self, body: &EmailRecoverRequest) -> Result<EmailRecovery, Error> {
        let req = Request::post("/v1.2/auth/email/recover")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, None).await
    }

    /// `POST /v1.2/auth/wallet-challenge` (EOA sign-in, step 1).
    pub async fn wallet_challenge(
        &self,
        body: &WalletChallengeRequest,
    ) -> Result<WalletChallenge, Error> {
        let req = Request::post("/v1.2/auth/wallet-challenge")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, None).await
    }

    /// `POST /v1.2/auth/wallet-signin` (EOA sign-in, step 2).
    pub async fn wallet_sign_in(&self, body: &WalletSignInRequest) -> Result<AuthSession, Error> {
        let req = Request::post("/v1.2/auth/wallet-signin")
            .auth_endpoint()
            .json(body)?;
        self.call(&req, None).await
    }

    /// `GET /.well-known/webauthn` (Related Origin Requests) on this host.
    pub async fn well_known_webauthn(&self) -> Result<WellKnownWebAuthn, Error> {
        self.call(&Request::get("/.well-known/webauthn"), None)
            .await
    }
}

impl Session {
    /// `GET /v1.2/auth/sign-in/data/{dataRequestId}`: one poll of async sign-in data.
    pub async fn sign_in_data(&self, data_request_id: &str) -> Result<SignInData, Error> {
        self.call(Request::get(format!(
            "/v1.2/auth/sign-in/data/{}",
            seg(data_request_id)
        )))
        .await
    }

    /// Polls async sign-in data every `interval` until it is no longer `PENDING`; after
    /// `timeout` (the id lives ≈ 180 s) the last answer is returned. A 404 means it expired.
    pub async fn await_sign_in_data(
        &self,
        data_request_id: &str,
        interval: Duration,
        timeout: Duration,
    ) -> Result<SignInData, Error> {
        self.poll(
            interval,
            timeout,
            || self.sign_in_data(data_request_id),
            |data| data.data_status != DataStatus::Pending,
        )
        .await
    }
}

fn challenge(path: &str, req: &ChallengeRequest) -> Request {
    req.query()
        .into_iter()
        .fold(Request::get(path).auth_endpoint(), |r, (k, v)| {
            r.query(k, v)
        })
}

/// Percent-encodes one path segment.
pub(crate) fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
