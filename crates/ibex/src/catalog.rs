//! Chains, tokens and DeFi vault catalogs (docs/api/account.md §11).

use crate::client::Request;
use crate::models::catalog::{ChainInfo, TokenList, Vault};
use crate::models::ChainId;
use crate::{Error, Session};

impl Session {
    /// `GET /v1.2/chains/` (the trailing slash is part of the route).
    pub async fn chains(&self) -> Result<Vec<ChainInfo>, Error> {
        self.call(Request::get("/v1.2/chains/")).await
    }

    /// `GET /v1.2/chain/tokens`: flat for one chain, grouped for all.
    pub async fn chain_tokens(&self, chain: Option<ChainId>) -> Result<TokenList, Error> {
        self.call(Request::get("/v1.2/chain/tokens").chain(chain))
            .await
    }

    /// `GET /v1.2/safes/vaults?provider=AAVE|MORPHO|HYPERLIQUID`.
    pub async fn vaults(
        &self,
        provider: Option<&str>,
        chain: Option<ChainId>,
    ) -> Result<Vec<Vault>, Error> {
        let req = Request::get("/v1.2/safes/vaults")
            .query_opt("provider", provider)
            .chain(chain);
        self.call(req).await
    }
}
