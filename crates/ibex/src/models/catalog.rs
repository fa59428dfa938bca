//! Catalogs: chains, tokens, DeFi vaults (docs/api/account.md §11).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{ChainId, ModuleFlag};
use crate::{Address, Decimal};

/// `GET /v1.2/chains/` element. Gate features on `modules` (missing = off).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainInfo {
    pub id: ChainId,
    pub name: String,
    #[serde(default)]
    pub icon: Option<String>,
    #[serde(default)]
    pub explorer_address: Option<String>,
    #[serde(default)]
    pub explorer_tx: Option<String>,
    #[serde(default)]
    pub modules: BTreeMap<String, ModuleFlag>,
}

impl ChainInfo {
    pub fn module(&self, name: &str) -> ModuleFlag {
        self.modules.get(name).copied().unwrap_or_default()
    }
}

/// A monitored token (`/v1.2/chain/tokens`, `/v1.2/users/me/tokens`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub address: Address,
    pub symbol: String,
    pub decimals: u8,
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub blockchain_id: Option<ChainId>,
    #[serde(default)]
    pub secondary_address: Option<Address>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub icon_url: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Token lists come flat with a chain selected, grouped by chain without one.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TokenList {
    Flat(Vec<TokenInfo>),
    Grouped(Vec<TokenGroup>),
}

impl TokenList {
    /// Every token, whichever form arrived.
    pub fn tokens(&self) -> Vec<&TokenInfo> {
        match self {
            TokenList::Flat(t) => t.iter().collect(),
            TokenList::Grouped(g) => g.iter().flat_map(|g| g.tokens.iter()).collect(),
        }
    }
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenGroup {
    pub blockchain_id: ChainId,
    pub tokens: Vec<TokenInfo>,
}

/// `GET /v1.2/safes/vaults` entry (also the legacy BCReader pools catalog).
#[derive(Default, Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Vault {
    pub id: Option<Value>,
    pub blockchain_id: Option<ChainId>,
    pub provider: Option<String>,
    pub name: Option<String>,
    pub pool_address: Option<Address>,
    pub addresses_provider: Option<Address>,
    pub asset_ticker: Option<String>,
    pub asset_address: Option<Address>,
    pub asset_decimals: Option<u8>,
    pub apy: Option<Decimal>,
    pub tvl: Option<Decimal>,
    pub is_default: Option<bool>,
    pub active: Option<bool>,
    pub supply_token: Option<VaultTokenRef>,
    pub borrow_token: Option<VaultTokenRef>,
    pub pool_token: Option<VaultTokenRef>,
    pub metadata: Option<Value>,
}

/// A vault's token: a full description (BCReader) or only its address.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VaultTokenRef {
    Address(Address),
    Token(VaultToken),
}

impl VaultTokenRef {
    pub fn address(&self) -> Address {
        match self {
            VaultTokenRef::Address(a) => *a,
            VaultTokenRef::Token(t) => t.address,
        }
    }
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct VaultToken {
    pub address: Address,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub decimals: Option<u8>,
}
