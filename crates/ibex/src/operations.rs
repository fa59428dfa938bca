//! Safe operations: prepare → passkey → execute → status; batches; swaps and routes;
//! automation config; per-Safe derived wallets (docs/api/operations.md).

use std::time::Duration;

use crate::auth::seg;
use crate::client::Request;
use crate::models::account::DeriveRequest;
use crate::models::operations::{
    AutomationConfig, AutomationUpdated, BatchExecuteRequest, BatchExecuted, BatchIntentRequest,
    BatchState, ExecuteRequest, Executed, OperationState, PrepareRequest, Prepared,
    RouteCapabilities, RouteQuote, RouteQuoteRequest, RouteState, SafeWallets, SwapQuote,
    SwapQuoteRequest,
};
use crate::models::ChainId;
use crate::{Address, Error, Session};

impl Session {
    /// `POST /v1.2/safes/operations`: builds the UserOperation; the answer's challenge is what
    /// the passkey signs. Never retried blindly: re-run it after a 409/410/422.
    pub async fn prepare(&self, body: &PrepareRequest) -> Result<Prepared, Error> {
        self.call(Request::post("/v1.2/safes/operations").json(body)?)
            .await
    }

    /// `PUT /v1.2/safes/operations`: submits the signed operation.
    pub async fn execute(&self, body: &ExecuteRequest) -> Result<Executed, Error> {
        self.call(Request::put("/v1.2/safes/operations").json(body)?)
            .await
    }

    /// `GET /v1.2/safes/operations/{userOpHash}/status`.
    pub async fn operation_status(&self, user_op_hash: &str) -> Result<OperationState, Error> {
        let path = format!("/v1.2/safes/operations/{}/status", seg(user_op_hash));
        self.call(Request::get(path)).await
    }

    /// Polls the status every `interval` until it is final (CONFIRMED or FAILED) or `timeout`
    /// passes (then the last state seen). The HTTP fallback of the WebSocket.
    pub async fn wait_for_operation(
        &self,
        user_op_hash: &str,
        interval: Duration,
        timeout: Duration,
    ) -> Result<OperationState, Error> {
        self.poll(
            interval,
            timeout,
            || self.operation_status(user_op_hash),
            |state| state.status.is_final(),
        )
        .await
    }

    /// `POST /v1.2/safes/operations/batch-intent`.
    pub async fn batch_intent(&self, body: &BatchIntentRequest) -> Result<Prepared, Error> {
        self.call(Request::post("/v1.2/safes/operations/batch-intent").json(body)?)
            .await
    }

    /// `PUT /v1.2/safes/operations/batch-execute` (409 `STALE_NONCE`, 410/422 expired →
    /// [`Error::Conflict`]: re-run the intent).
    pub async fn batch_execute(&self, body: &BatchExecuteRequest) -> Result<BatchExecuted, Error> {
        self.call(Request::put("/v1.2/safes/operations/batch-execute").json(body)?)
            .await
    }

    /// `GET /v1.2/safes/operations/batch/{batchId}/status`.
    pub async fn batch_status(&self, batch_id: &str) -> Result<BatchState, Error> {
        let path = format!("/v1.2/safes/operations/batch/{}/status", seg(batch_id));
        self.call(Request::get(path)).await
    }

    /// `GET /v1.2/safes/swap/quote`, falling back to the reference page's
    /// `GET /v1.2/safes/quote?from&to` when the first answers 404 (docs/api/gaps.md G2).
    pub async fn swap_quote(&self, q: &SwapQuoteRequest) -> Result<SwapQuote, Error> {
        let common = |r: Request| {
            r.query("amount", &q.amount)
                .query_opt("chainId", q.chain_id)
                .query_opt("safeAddress", q.safe_address)
                .query_opt("provider", q.provider.as_ref())
                .chain(q.chain_id)
        };
        let primary = common(
            Request::get("/v1.2/safes/swap/quote")
                .query("sellTokenAddress", q.sell_token_address)
                .query("buyTokenAddress", q.buy_token_address),
        );
        match self.call(primary).await {
            Err(Error::Status { status: 404, .. }) => {
                let legacy = common(
                    Request::get("/v1.2/safes/quote")
                        .query("from", q.sell_token_address)
                        .query("to", q.buy_token_address),
                );
                self.call(legacy).await
            }
            other => other,
        }
    }

    /// `GET /v1.2/safes/routes/capabilities`.
    pub async fn route_capabilities(
        &self,
        source: ChainId,
        destination: ChainId,
    ) -> Result<RouteCapabilities, Error> {
        let req = Request::get("/v1.2/safes/routes/capabilities")
            .query("sourceChainId", source)
            .query("destinationChainId", destination);
        self.call(req).await
    }

    /// `POST /v1.2/safes/routes/quote`; execute with `Operation::RouteFromQuote`.
    pub async fn route_quote(&self, body: &RouteQuoteRequest) -> Result<RouteQuote, Error> {
        self.call(Request::post("/v1.2/safes/routes/quote").json(body)?)
            .await
    }

    /// `GET /v1.2/safes/routes/{routeId}/status`.
    pub async fn route_status(&self, route_id: &str) -> Result<RouteState, Error> {
        let path = format!("/v1.2/safes/routes/{}/status", seg(route_id));
        self.call(Request::get(path)).await
    }

    /// `PUT /v1.2/safes/{safe}/automation-module/config`.
    pub async fn configure_automation(
        &self,
        safe: &Address,
        chain: Option<ChainId>,
        config: &AutomationConfig,
    ) -> Result<AutomationUpdated, Error> {
        let req = Request::put(format!("/v1.2/safes/{safe}/automation-module/config"))
            .chain(chain)
            .json(config)?;
        self.call(req).await
    }

    /// `POST /v1.2/safes/{safe}/wallets`: derive per-Safe addresses.
    pub async fn derive_safe_wallets(
        &self,
        safe: &Address,
        body: &DeriveRequest,
    ) -> Result<SafeWallets, Error> {
        self.call(Request::post(format!("/v1.2/safes/{safe}/wallets")).json(body)?)
            .await
    }
}
