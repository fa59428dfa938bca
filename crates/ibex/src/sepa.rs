//! Euro rails: IBANs, SEPA payments (intent → passkey → confirmation) and mandates
//! (docs/api/account.md §17).

use crate::auth::seg;
use crate::client::Request;
use crate::models::sepa::{
    Approval, ApprovalConfirmation, Envelope, IbanAddRequest, IbanAdded, IbanConfirmed, IbanLabel,
    Mandate, MandateCreated, MandateRequest, MandateStatus, MandateStatusChange, PaymentConfirmed,
    PaymentRequest, SepaFilter, SepaIban, SepaTransaction, SepaTransactions,
};
use crate::{Error, Session};

impl Session {
    /// `POST /v1.2/sepa/iban/add` (429 [`Error::RateLimited`] past the tenant's IBAN quota).
    pub async fn add_iban(&self, body: &IbanAddRequest) -> Result<IbanAdded, Error> {
        let env: Envelope<IbanAdded> = self
            .call(Request::post("/v1.2/sepa/iban/add").json(body)?)
            .await?;
        Ok(env.data)
    }

    /// `PUT /v1.2/sepa/iban/add`: confirms an IBAN approval with the passkey's assertion.
    pub async fn confirm_iban(&self, body: &ApprovalConfirmation) -> Result<IbanConfirmed, Error> {
        let env: Envelope<IbanConfirmed> = self
            .call(Request::put("/v1.2/sepa/iban/add").json(body)?)
            .await?;
        Ok(env.data)
    }

    /// `PATCH /v1.2/sepa/iban/modify`.
    pub async fn label_iban(&self, body: &IbanLabel) -> Result<IbanLabel, Error> {
        let req = Request::new(reqwest::Method::PATCH, "/v1.2/sepa/iban/modify").json(body)?;
        let env: Envelope<IbanLabel> = self.call(req).await?;
        Ok(env.data)
    }

    /// `GET /v1.2/sepa/iban`.
    pub async fn sepa_ibans(&self) -> Result<Vec<SepaIban>, Error> {
        let env: Envelope<Vec<SepaIban>> = self.call(Request::get("/v1.2/sepa/iban")).await?;
        Ok(env.data)
    }

    /// `POST /v1.2/sepa/payments`: the payment intent; sign the approval's options, then
    /// [`Session::confirm_payment`].
    pub async fn payment_intent(&self, body: &PaymentRequest) -> Result<Approval, Error> {
        let env: Envelope<Approval> = self
            .call(Request::post("/v1.2/sepa/payments").json(body)?)
            .await?;
        Ok(env.data)
    }

    /// `PUT /v1.2/sepa/payments` (404 unknown approval; 409 [`Error::Conflict`] expired or used).
    pub async fn confirm_payment(
        &self,
        body: &ApprovalConfirmation,
    ) -> Result<PaymentConfirmed, Error> {
        let env: Envelope<PaymentConfirmed> = self
            .call(Request::put("/v1.2/sepa/payments").json(body)?)
            .await?;
        Ok(env.data)
    }

    /// `GET /v1.2/sepa/transactions`.
    pub async fn sepa_transactions(&self, f: &SepaFilter) -> Result<SepaTransactions, Error> {
        let req = Request::get("/v1.2/sepa/transactions")
            .query_opt("iban", f.iban.as_ref())
            .query_opt("type", f.kind.as_ref())
            .query_opt("status", f.status.as_ref())
            .query_opt("statusCode", f.status_code.as_ref())
            .query_opt("search", f.search.as_ref())
            .query_opt("page", f.page)
            .query_opt("limit", f.limit);
        self.call(req).await
    }

    /// `GET /v1.2/sepa/transactions/{id}`.
    pub async fn sepa_transaction(&self, id: &str) -> Result<SepaTransaction, Error> {
        let env: Envelope<SepaTransaction> = self
            .call(Request::get(format!("/v1.2/sepa/transactions/{}", seg(id))))
            .await?;
        Ok(env.data)
    }

    /// `POST /v1.2/sepa/mandates`.
    pub async fn create_mandate(&self, body: &MandateRequest) -> Result<Mandate, Error> {
        let created: MandateCreated = self
            .call(Request::post("/v1.2/sepa/mandates").json(body)?)
            .await?;
        Ok(created.data)
    }

    /// `GET /v1.2/sepa/mandates`.
    pub async fn mandates(&self) -> Result<Vec<Mandate>, Error> {
        let env: Envelope<Vec<Mandate>> = self.call(Request::get("/v1.2/sepa/mandates")).await?;
        Ok(env.data)
    }

    /// `GET /v1.2/sepa/mandates/{id}`.
    pub async fn mandate(&self, id: &str) -> Result<Mandate, Error> {
        let env: Envelope<Mandate> = self
            .call(Request::get(format!("/v1.2/sepa/mandates/{}", seg(id))))
            .await?;
        Ok(env.data)
    }

    /// `PATCH /v1.2/sepa/mandates/{id}/status` (a cancelled mandate stays cancelled: 409).
    pub async fn set_mandate_status(
        &self,
        id: &str,
        status: MandateStatus,
    ) -> Result<Mandate, Error> {
        let req = Request::new(
            reqwest::Method::PATCH,
            format!("/v1.2/sepa/mandates/{}/status", seg(id)),
        )
        .json(&MandateStatusChange { status })?;
        let env: Envelope<Mandate> = self.call(req).await?;
        Ok(env.data)
    }

    /// `POST /v1.2/sepa/mandates/{id}/cancel`.
    pub async fn cancel_mandate(&self, id: &str) -> Result<Mandate, Error> {
        let req = Request::post(format!("/v1.2/sepa/mandates/{}/cancel", seg(id)))
            .json(&serde_json::json!({}))?;
        let env: Envelope<Mandate> = self.call(req).await?;
        Ok(env.data)
    }
}
