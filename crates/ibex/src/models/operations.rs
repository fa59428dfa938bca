//! Safe operations (prepare/execute/status/batch), every operation type, swaps, routes,
//! automation config and per-Safe derived wallets (docs/api/operations.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{double_option, ChainId, DerivedAddress, WalletMode};
use super::webauthn::{Credential, OperationRef, WebAuthnOptions};
use crate::amount::as_number;
use crate::{Address, ChainAddress, Decimal};

/// One item of `operations[]` (docs/api/operations.md §3). Amounts are human decimal strings unless the
/// API documents otherwise (Hyperliquid amounts and swap slippage are JSON numbers; Bitcoin
/// amounts are satoshis).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "SCREAMING_SNAKE_CASE",
    rename_all_fields = "camelCase"
)]
pub enum Operation {
    /// Native coin: `token_address` = [`Address::ZERO`]. Solana chains take base58 accounts.
    TransferToken {
        token_address: ChainAddress,
        to: ChainAddress,
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
    },
    /// EURe shortcut; one source names the recipient `receiver` (docs/api/gaps.md G19).
    #[serde(rename = "TRANSFER_EURe")]
    TransferEure {
        #[serde(alias = "receiver")]
        to: Address,
        amount: Decimal,
    },
    SignMessage {
        message: String,
    },
    /// Named on the sign-message page without a schema (docs/api/gaps.md G42): fields pass through.
    VerifSignature {
        #[serde(flatten)]
        fields: Map<String, Value>,
    },
    /// Identity of the owner, registered with IBEX Safe after confirmation. The mirror's older
    /// `newOwners`/`threshold` are accepted but never required (docs/api/gaps.md G11).
    EnableRecovery {
        first_name: String,
        last_name: String,
        /// `YYYY-MM-DD`.
        birth_date: String,
        birth_city: String,
        birth_country: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_owners: Option<Vec<Address>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threshold: Option<u32>,
    },
    CancelRecovery,
    AddOwner {
        owner: Address,
        threshold: u32,
    },
    RemoveOwner {
        owner: Address,
        threshold: u32,
    },
    ChangeThreshold {
        threshold: u32,
    },
    /// Field list not published (docs/api/gaps.md G20): the policy uses the automation-config fields.
    EnableAutomationModule {
        #[serde(flatten)]
        config: AutomationConfig,
    },
    /// Exactly one of `asset_ticker` / `token_address`; `decimals` with `token_address`.
    AaveSupply {
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asset_ticker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_address: Option<Address>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referral_code: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pool_address: Option<Address>,
    },
    AaveWithdraw {
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asset_ticker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_address: Option<Address>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pool_address: Option<Address>,
    },
    /// Units of `amount` are ambiguous in the docs (docs/api/gaps.md G21); sent as given.
    MorphoSupply {
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asset_ticker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_address: Option<Address>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        vault_address: Address,
    },
    MorphoWithdraw {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asset_ticker: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_address: Option<Address>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        vault_address: Address,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        shares: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<Decimal>,
    },
    HyperliquidDeposit {
        hyperliquid_data: HyperliquidData,
    },
    HyperliquidEnterVault {
        hyperliquid_data: HyperliquidData,
    },
    HyperliquidWithdrawVault {
        hyperliquid_data: HyperliquidData,
    },
    HyperliquidWithdraw {
        hyperliquid_data: HyperliquidData,
    },
    /// Official form `{ quoteId, slippage }`; mirror `{ quoteId, orderUid }`; batch-intent may
    /// carry explicit `aggregator`, `calldata`, `minOut`, `deadline` (docs/api/gaps.md G2).
    SwapFromQuote {
        quote_id: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "as_number::option"
        )]
        slippage: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_uid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        aggregator: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calldata: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_out: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<u64>,
    },
    /// `quote_id` is the route engine's `routeId`.
    RouteFromQuote {
        quote_id: String,
    },
    MoneriumCreateIban,
    #[serde(rename = "MONERIUM_WITHDRAW_EURe")]
    MoneriumWithdrawEure {
        /// The destination IBAN.
        to: String,
        amount: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        recipient_info: RecipientInfo,
    },
    BitcoinSend(super::bitcoin::BitcoinSend),
    SolanaPrepare {
        /// Base64 instructions.
        instructions: Vec<String>,
        /// Base58 fee payer.
        payer: String,
        recent_blockhash: String,
        last_valid_block_height: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compute_unit_price_micro_lamports: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        compute_unit_limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sponsored: Option<bool>,
    },
    SolanaSign {
        /// Base64 message.
        message: String,
    },
    SolanaSend {
        /// Base64 signed transaction.
        transaction: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sponsored: Option<bool>,
    },
    SolanaConfirm {
        /// Base58 transaction signature.
        signature: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commitment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    SolanaStatus {
        signature: String,
    },
}

/// Hyperliquid leg; `amount` is a JSON number on the wire.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct HyperliquidData {
    /// `DEPOSIT`, `ENTER_VAULT`, `WITHDRAW`, `WITHDRAW_WALLET`.
    pub action: String,
    #[serde(with = "as_number")]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientInfo {
    pub first_name: String,
    pub last_name: String,
    pub country: String,
}

/// EIP-7702 key choice: a global or per-Safe derived key.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EoaKeySelection {
    pub family: String,
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_address: Option<Address>,
}

/// `POST /v1.2/safes/operations` body. Several operations are batched atomically.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepareRequest {
    pub safe_address: Address,
    pub operations: Vec<Operation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_mode: Option<WalletMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eoa_key_selection: Option<EoaKeySelection>,
}

impl PrepareRequest {
    pub fn new(safe_address: Address, operations: Vec<Operation>) -> Self {
        Self {
            safe_address,
            operations,
            chain_id: None,
            signer_id: None,
            wallet_mode: None,
            eoa_key_selection: None,
        }
    }
}

/// Prepare answer: the WebAuthn challenge (= userOpHash) plus whichever extras the server adds
/// (docs/api/gaps.md G4).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prepared {
    pub credential_request_options: WebAuthnOptions,
    #[serde(default)]
    pub data: Option<OperationRef>,
    #[serde(default)]
    pub batch_id: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Solana/Bitcoin: what the server built for the client to sign.
    #[serde(default)]
    pub prepared: Option<PreparedPayload>,
}

impl Prepared {
    /// The userOpHash, wherever this variant of the answer put it.
    pub fn user_op_hash(&self) -> Option<&str> {
        self.data
            .as_ref()
            .or(self.credential_request_options.data.as_ref())
            .map(|r| r.user_op_hash.as_str())
    }
}

/// `prepared` of Solana (`message`, `meta`) and Bitcoin (`from`…`sponsorShortfallSat`).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedPayload {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub meta: Option<SolanaMeta>,
    #[serde(flatten)]
    pub bitcoin: Option<super::bitcoin::SendPlan>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SolanaMeta {
    pub recent_blockhash: String,
    pub expires_at_block: u64,
}

/// `PUT /v1.2/safes/operations` body: the assertion only.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteRequest {
    pub credential: Credential,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
}

/// Execute answer; only `userOpHash` is guaranteed (docs/api/gaps.md G4).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Executed {
    pub user_op_hash: String,
    #[serde(default)]
    pub status: Option<OperationStatus>,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub tx_hash: Option<String>,
    #[serde(default)]
    pub wallet_mode: Option<WalletMode>,
}

/// Operation lifecycle (open set, docs/api/gaps.md G17).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationStatus {
    Created,
    Signed,
    Executed,
    Confirmed,
    Failed,
    Pending,
    Submitted,
    #[serde(other)]
    Unknown,
}

impl OperationStatus {
    /// No further change is expected.
    pub fn is_final(&self) -> bool {
        matches!(self, OperationStatus::Confirmed | OperationStatus::Failed)
    }
}

/// `GET /v1.2/safes/operations/{userOpHash}/status`; accepts `Chains`/`Operations` (G17).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    pub user_op_hash: String,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub chain_id: Option<ChainId>,
    #[serde(default, rename = "Chains")]
    pub chains: Option<ChainRef>,
    pub status: OperationStatus,
    #[serde(default)]
    pub transaction_hash: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, alias = "Operations")]
    pub operations: Vec<OperationIndex>,
    #[serde(default)]
    pub error: Option<Value>,
}

impl OperationState {
    pub fn chain(&self) -> Option<ChainId> {
        self.chain_id.or(self.chains.as_ref().map(|c| c.id))
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ChainRef {
    pub id: ChainId,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OperationIndex {
    pub index: u32,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `POST /v1.2/safes/operations/batch-intent` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchIntentRequest {
    #[serde(flatten)]
    pub prepare: PrepareRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BatchOptions>,
}

#[derive(Default, Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub atomic: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_approve: Option<bool>,
    /// 60–3600, default 300.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_sec: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reorder: Option<bool>,
}

/// `PUT /v1.2/safes/operations/batch-execute` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchExecuteRequest {
    pub batch_id: String,
    pub credential: Credential,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchExecuted {
    /// Echo of the request's id (tolerated absent: the client already knows it).
    #[serde(default)]
    pub batch_id: Option<String>,
    pub user_op_hash: String,
    pub status: OperationStatus,
    #[serde(default)]
    pub tx_hash: Option<String>,
    #[serde(default)]
    pub wallet_mode: Option<WalletMode>,
    #[serde(default)]
    pub success: Option<bool>,
}

/// `GET /v1.2/safes/operations/batch/{batchId}/status`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchState {
    pub batch_id: String,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub chain_id: Option<ChainId>,
    pub status: OperationStatus,
    #[serde(default)]
    pub user_op_hash: Option<String>,
    #[serde(default)]
    pub operations: Vec<OperationIndex>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `GET /v1.2/safes/swap/quote` query.
#[derive(Clone, PartialEq, Debug)]
pub struct SwapQuoteRequest {
    pub sell_token_address: Address,
    pub buy_token_address: Address,
    /// Human decimal.
    pub amount: Decimal,
    pub chain_id: Option<ChainId>,
    pub safe_address: Option<Address>,
    /// `COWSWAP`, `1INCH` or `BOTH` (default).
    pub provider: Option<String>,
}

/// A swap quote; amounts are human decimals, `valid_to` a Unix time (≈ 5 min).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwapQuote {
    pub quote_id: String,
    #[serde(default)]
    pub sell_token: Option<Address>,
    #[serde(default)]
    pub sell_token_decimals: Option<u8>,
    #[serde(default)]
    pub buy_token: Option<Address>,
    #[serde(default)]
    pub buy_token_decimals: Option<u8>,
    #[serde(default)]
    pub sell_amount: Option<Decimal>,
    #[serde(default)]
    pub fee_amount: Option<Decimal>,
    pub buy_amount: Decimal,
    #[serde(default)]
    pub valid_to: Option<u64>,
    #[serde(default)]
    pub valid_until: Option<Value>,
    #[serde(default)]
    pub order_uid: Option<String>,
    #[serde(default)]
    pub comparisons: BTreeMap<String, ProviderQuote>,
    #[serde(default)]
    pub best_provider: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderQuote {
    pub provider: String,
    #[serde(default)]
    pub buy_amount: Option<Decimal>,
    #[serde(default)]
    pub fee_amount: Option<Decimal>,
    #[serde(default)]
    pub valid_to: Option<u64>,
    #[serde(default)]
    pub estimated_gas: Option<Decimal>,
}

/// `GET /v1.2/safes/routes/capabilities`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RouteCapabilities {
    /// `SAME_CHAIN_SWAP`, `CROSS_CHAIN_BRIDGE`, `UNSUPPORTED`.
    pub mode: String,
    #[serde(default)]
    pub providers: Vec<Value>,
}

/// `POST /v1.2/safes/routes/quote` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteQuoteRequest {
    pub source_chain_id: ChainId,
    pub destination_chain_id: ChainId,
    pub sell_token_address: Address,
    pub buy_token_address: Address,
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteQuote {
    pub route_id: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub buy_amount: Option<Decimal>,
    #[serde(default)]
    pub sell_amount: Option<Decimal>,
    /// Unix seconds; not in the documented response (the sandbox sends it, as swap quotes do).
    #[serde(default)]
    pub valid_to: Option<u64>,
    #[serde(default)]
    pub candidates: Vec<Value>,
}

/// One provider's offer in a route quote's `candidates` (their shape is undocumented: every
/// field is optional, and an entry that is not an object is skipped).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteCandidate {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub buy_amount: Option<Decimal>,
    /// In the sell token.
    #[serde(default)]
    pub fee_amount: Option<Decimal>,
    #[serde(default)]
    pub estimated_duration_seconds: Option<u64>,
}

impl RouteQuote {
    /// The candidates that read as offers.
    pub fn offers(&self) -> Vec<RouteCandidate> {
        self.candidates
            .iter()
            .filter_map(|c| serde_json::from_value(c.clone()).ok())
            .collect()
    }
}

/// `GET /v1.2/safes/routes/{routeId}/status`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteState {
    pub route_id: String,
    pub status: String,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub source_user_op_hash: Option<String>,
    #[serde(default)]
    pub transaction_hash: Option<String>,
    /// Why the route failed, when it did (not documented; a string or an object).
    #[serde(default)]
    pub error: Option<Value>,
}

/// `PUT /v1.2/safes/{safe}/automation-module/config` body (≥ 1 field). `Some(None)` sends
/// `null`, which clears `fixedAmount`/`periodCapAmount`/`periodCap`/`periodCapMinutes`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomationConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_address: Option<Address>,
    /// `PERCENT_OF_RECEIVED` or `FIXED_AMOUNT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "as_number::option"
    )]
    pub percentage: Option<Decimal>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub fixed_amount: Option<Option<Decimal>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "as_number::option"
    )]
    pub max_wallet_percentage: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_interval_minutes: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub period_cap_amount: Option<Option<Decimal>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub period_cap: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub period_cap_minutes: Option<Option<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AutomationUpdated {
    pub success: bool,
    #[serde(default)]
    pub updated: Vec<String>,
}

/// `POST /v1.2/safes/{safe}/wallets` answer.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeWallets {
    pub safe_address: Address,
    pub added: Vec<DerivedAddress>,
    #[serde(default)]
    pub per_safe: BTreeMap<String, Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_op_hash_is_found_in_either_documented_place() {
        let sibling: Prepared = serde_json::from_str(
            r#"{"credentialRequestOptions":{"challenge":"x"},"data":{"userOpHash":"0xab"}}"#,
        )
        .unwrap();
        assert_eq!(sibling.user_op_hash(), Some("0xab"));
        let inside: Prepared = serde_json::from_str(
            r#"{"batchId":"b","credentialRequestOptions":{"challenge":"x","data":{"userOpHash":"0xcd"}}}"#,
        )
        .unwrap();
        assert_eq!(inside.user_op_hash(), Some("0xcd"));
        // The non-standard member never reaches the authenticator.
        let options = inside.credential_request_options.for_authenticator();
        assert!(options.get("data").is_none());
        assert_eq!(options["challenge"], "x");
    }

    #[test]
    fn automation_config_distinguishes_clear_from_unchanged() {
        let config = AutomationConfig {
            fixed_amount: Some(None),
            period_cap_amount: Some(Some("10.5".parse().unwrap())),
            percentage: Some("25".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&config).unwrap(),
            serde_json::json!({ "fixedAmount": null, "periodCapAmount": "10.5", "percentage": 25 })
        );
    }

    #[test]
    fn operations_reject_malformed_recipients_before_sending() {
        let bad = r#"{"type":"TRANSFER_TOKEN","tokenAddress":"0x0000000000000000000000000000000000000000","to":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD","amount":"1"}"#;
        let err = serde_json::from_str::<Operation>(bad).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
        let exponent = r#"{"type":"TRANSFER_TOKEN","tokenAddress":"0x0000000000000000000000000000000000000000","to":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","amount":"1e3"}"#;
        assert!(serde_json::from_str::<Operation>(exponent).is_err());
    }
}
