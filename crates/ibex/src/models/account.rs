//! `/v1.2/users/me*`, KYC, email/SMS validation, address book, userdata (docs/api/account.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{section, ChainId, DerivedAddress, EoaAddress, ModuleFlag, Page, WalletMode};
use super::recovery::RecoveryModule;
use crate::{Address, Decimal};

/// `GET /v1.2/users/me/address`: the signer's wallets (204 while none exists yet).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WalletList {
    pub rp_id: Option<String>,
    pub external_user_id: Option<String>,
    pub signer_id: Option<String>,
    pub count: u32,
    pub wallets: Vec<Wallet>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wallet {
    pub safe_address: Address,
    #[serde(default)]
    pub chain_ids: Vec<ChainId>,
    #[serde(default)]
    pub threshold: Option<u32>,
    #[serde(default)]
    pub chains: Vec<WalletChain>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub derived: Option<DerivedWallets>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletChain {
    pub chain_id: ChainId,
    /// Present only when a module is active on the chain: the source of truth for which Safe
    /// features to offer.
    #[serde(default)]
    pub modules: Option<WalletModules>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletModules {
    pub recovery: Option<RecoveryModule>,
    pub automation: Option<AutomationModule>,
}

/// The automation module's policy as `/users/me/address` reports it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomationModule {
    pub enabled: bool,
    #[serde(default)]
    pub module_address: Option<Address>,
    #[serde(default)]
    pub target_address: Option<Address>,
    #[serde(default)]
    pub transfer_mode: Option<String>,
    #[serde(default)]
    pub percentage: Option<Decimal>,
    #[serde(default)]
    pub fixed_amount: Option<Decimal>,
    #[serde(default)]
    pub max_wallet_percentage: Option<Decimal>,
    #[serde(default)]
    pub min_interval_minutes: Option<u64>,
    #[serde(default)]
    pub period_cap_amount: Option<Decimal>,
    #[serde(default)]
    pub period_cap_minutes: Option<u64>,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub token_address: Option<Address>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DerivedWallets {
    /// Family → addresses by index.
    pub per_safe: BTreeMap<String, Vec<String>>,
    pub global: Option<GlobalDerived>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GlobalDerived {
    pub eoa_addresses: Vec<EoaAddress>,
}

/// Query of balances and transactions: at most one of `wallet_address` / `iban`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Scope {
    pub wallet_address: Option<Address>,
    pub iban: Option<String>,
    pub chain_id: Option<ChainId>,
    pub include_zero: Option<bool>,
    pub include_empty: Option<bool>,
    pub include_prices: Option<bool>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

/// `GET /v1.2/users/me/balances`: aggregated (`crypto[chain][wallet]`, `fiat`, `totals`) or
/// scoped (`type`, `identifier`, `balance`).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Balances {
    pub timestamp: Option<String>,
    /// Chain id → wallet address → holdings.
    pub crypto: BTreeMap<String, BTreeMap<String, WalletBalance>>,
    pub fiat: Option<Value>,
    pub totals: Option<Totals>,
    #[serde(rename = "prices_available")]
    pub prices_available: Option<bool>,
    #[serde(rename = "type")]
    pub scope: Option<String>,
    pub identifier: Option<String>,
    pub blockchain_id: Option<ChainId>,
    pub balance: Option<WalletBalance>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletBalance {
    pub tokens: Vec<TokenBalance>,
    pub pending: Vec<Value>,
}

/// One token holding. `balance` and `value_*` are decimal strings; prices may be numbers.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenBalance {
    #[serde(default)]
    pub token_address: Option<Address>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub decimals: Option<u8>,
    pub balance: Decimal,
    #[serde(default, rename = "price_usd")]
    pub price_usd: Option<Decimal>,
    #[serde(default, rename = "price_eur")]
    pub price_eur: Option<Decimal>,
    #[serde(default, rename = "value_usd")]
    pub value_usd: Option<Decimal>,
    #[serde(default, rename = "value_eur")]
    pub value_eur: Option<Decimal>,
    #[serde(default, rename = "price_source")]
    pub price_source: Option<String>,
    #[serde(default, rename = "price_updated_at")]
    pub price_updated_at: Option<String>,
    #[serde(default)]
    pub primary_address: Option<Address>,
    #[serde(default)]
    pub secondary_address: Option<Address>,
    #[serde(default)]
    pub active: Option<bool>,
    /// Token name (BCReader passthrough; seen on the sandbox and the tokens catalog).
    #[serde(default)]
    pub name: Option<String>,
    /// "Also seen" fields of docs/api/account.md §4.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    pub crypto_total_value_eur: Option<Decimal>,
    pub fiat_total_value_eur: Option<Decimal>,
    pub grand_total_value_eur: Option<Decimal>,
    pub crypto_total_value_usd: Option<Decimal>,
    pub fiat_total_value_usd: Option<Decimal>,
    pub grand_total_value_usd: Option<Decimal>,
    pub conversion_rate_eur_usd: Option<Decimal>,
}

/// Extra filters of `GET /v1.2/users/me/transactions`.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct TransactionFilter {
    pub scope: Scope,
    /// `mixed` (default), `crypto` or `fiat`.
    pub kind: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub direction: Option<Direction>,
    pub token_type: Option<String>,
    pub token_address: Option<Address>,
    pub hash: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "IN")]
    In,
    #[serde(rename = "OUT")]
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "IN",
            Direction::Out => "OUT",
        }
    }
}

/// `GET /v1.2/users/me/transactions`: always paginated, per chain in the aggregated form.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Transactions {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub crypto: Option<CryptoTransactions>,
    pub fiat: Option<FiatTransactions>,
    /// Scoped form: one page of rows.
    pub data: Option<Vec<TransactionRow>>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CryptoTransactions {
    pub timestamp: Option<String>,
    /// Chain id → page of rows.
    pub transactions: BTreeMap<String, Page<TransactionRow>>,
    #[serde(rename = "prices_available")]
    pub prices_available: Option<bool>,
    /// The `/users/me` aggregator's flat view (G12).
    pub data: Option<Vec<TransactionRow>>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FiatTransactions {
    pub ibans: Vec<Value>,
    pub total: Option<u64>,
    pub data: Vec<Value>,
    pub filters: Option<Value>,
}

/// One on-chain transfer. `value` is raw base units; `valueFormatted` human units.
#[derive(Default, Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransactionRow {
    pub id: Option<Value>,
    pub transaction_hash: Option<String>,
    pub from: Option<Address>,
    pub to: Option<Address>,
    pub token_address: Option<Address>,
    pub token_symbol: Option<String>,
    pub token_type: Option<String>,
    pub value: Option<Decimal>,
    /// Informational (a JSON number, sometimes in exponent form like `1e-18`): dropped when it
    /// is not plain decimal text; `value` is the exact amount.
    #[serde(deserialize_with = "lenient_decimal")]
    pub value_formatted: Option<Decimal>,
    pub direction: Option<Direction>,
    pub watched_address: Option<Address>,
    pub wallet_address: Option<Address>,
    pub blockchain_id: Option<ChainId>,
    pub block_number: Option<u64>,
    pub timestamp: Option<String>,
    #[serde(rename = "price_usd")]
    pub price_usd: Option<Decimal>,
    #[serde(rename = "price_eur")]
    pub price_eur: Option<Decimal>,
    #[serde(rename = "value_usd")]
    pub value_usd: Option<Decimal>,
    #[serde(rename = "value_eur")]
    pub value_eur: Option<Decimal>,
}

fn lenient_decimal<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// `GET /v1.2/users/me` (and WebSocket `user_data`, whose sections are wrapped): every section
/// optional; failed sections are listed in `errors`.
#[derive(Clone, PartialEq, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Me {
    #[serde(deserialize_with = "section::deserialize")]
    pub addresses: Option<WalletList>,
    #[serde(deserialize_with = "section::deserialize")]
    pub balances: Option<Balances>,
    #[serde(deserialize_with = "section::deserialize")]
    pub transactions: Option<Transactions>,
    #[serde(deserialize_with = "section::deserialize")]
    pub ibans: Option<IbanList>,
    #[serde(deserialize_with = "section::deserialize")]
    pub signers: Option<SignerList>,
    #[serde(deserialize_with = "section::deserialize")]
    pub kyc_status: Option<KycStatus>,
    #[serde(deserialize_with = "section::deserialize")]
    pub addressbook: Option<AddressBook>,
    #[serde(deserialize_with = "section::deserialize")]
    pub chainid: Option<UserChains>,
    /// Passthrough (docs/api/gaps.md G39); [`LendingEntry`] rows when the server sends a list.
    #[serde(deserialize_with = "section::deserialize")]
    pub lending: Option<Value>,
    #[serde(deserialize_with = "section::deserialize")]
    pub pools: Option<Pools>,
    pub errors: BTreeMap<String, SectionError>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SectionError {
    pub status: u16,
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /v1.2/users/me/ibans`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IbanList {
    pub count: u32,
    pub ibans: Vec<IbanAccount>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IbanAccount {
    pub iban: Option<String>,
    pub safe_address: Option<Address>,
    pub blockchain_id: Option<ChainId>,
    pub chain_id: Option<ChainId>,
    pub status: Option<String>,
    pub provider: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// `GET /v1.2/users/me/signers`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignerList {
    pub count: u32,
    pub signers: Vec<Signer>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: SignerKind,
    #[serde(default)]
    pub type_description: Option<String>,
    #[serde(default)]
    pub wallet_mode: Option<WalletMode>,
    #[serde(default)]
    pub key_name: Option<String>,
    #[serde(default)]
    pub key_display_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub safes_count: Option<u32>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignerKind {
    Passkey,
    Eoa,
    EmailToken,
    #[serde(other)]
    Unknown,
}

/// `GET /v1.2/users/kyc/status`. `kycLevel` is `"0"`/`"1"`/`"2"`, sometimes a number (G28).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KycStatus {
    pub external_user_id: Option<String>,
    #[serde(deserialize_with = "string_or_number")]
    pub kyc_level: Option<String>,
    pub status: Option<KycState>,
    pub verified: Option<bool>,
}

/// Reads a text field that some sources write as a number.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a string or number, got {other}"
            )))
        }
    })
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycState {
    NotStarted,
    Pending,
    Verified,
    #[serde(other)]
    Unknown,
}

/// `POST /v1.2/auth/iframe` body.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KycIframeRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_sms_verification: Option<bool>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycIframe {
    #[serde(rename = "chatbotURL")]
    pub chatbot_url: String,
    pub session_id: String,
    #[serde(default, rename = "chatbotFullURL")]
    pub chatbot_full_url: Option<String>,
    #[serde(default)]
    pub already_sent: Option<bool>,
}

/// `POST /v1.2/auth/enroll` (business KYB) body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KybEnrollRequest {
    pub email: String,
    /// SIREN, 9 digits.
    pub company_registration_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KybEnrollment {
    pub user_id: String,
    pub status: String,
    pub session_id: String,
    #[serde(rename = "chatbotURL")]
    pub chatbot_url: String,
    #[serde(rename = "chatbotFullURL")]
    pub chatbot_full_url: String,
}

/// `GET /v1.2/users/me/chainid`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserChains {
    pub default_chain_id: Option<ChainId>,
    pub chains: Vec<UserChain>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserChain {
    pub chain_id: ChainId,
    #[serde(default)]
    pub chain_name: Option<String>,
    #[serde(default)]
    pub modules: BTreeMap<String, ModuleFlag>,
    #[serde(default)]
    pub wallets: Vec<ChainWallet>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ChainWallet {
    pub address: Address,
}

/// `GET /v1.2/users/me/lending` entry (passthrough; fields as the mirror lists them).
#[derive(Default, Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LendingEntry {
    pub id: Option<Value>,
    pub blockchain_id: Option<ChainId>,
    pub provider: Option<String>,
    pub address: Option<Address>,
    pub name: Option<String>,
    pub asset_ticker: Option<String>,
    pub asset_address: Option<Address>,
    pub asset_decimals: Option<u8>,
    pub apy: Option<Decimal>,
    pub tvl: Option<Decimal>,
    pub is_default: Option<bool>,
    #[serde(default)]
    pub accepted_token_addresses: Vec<Address>,
    /// Hyperliquid vaults: the vault leader and its commission (percent).
    #[serde(default)]
    pub leader: Option<Address>,
    #[serde(default)]
    pub leader_commission: Option<Decimal>,
    /// `userScoped=true`: the holder's figures (not in the mirror's list; the sandbox adds them).
    #[serde(default)]
    pub shares: Option<Decimal>,
    #[serde(default)]
    pub deposited: Option<Decimal>,
    #[serde(default)]
    pub current_balance: Option<Decimal>,
}

/// `GET /v1.2/users/me/pools`: one entry per address. The BCReader passthrough may send a
/// single object (`{}` when empty) or an array; both read as a list.
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Pools(pub Vec<PoolPositions>);

impl<'de> Deserialize<'de> for Pools {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            Many(Vec<PoolPositions>),
            One(PoolPositions),
        }
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::Many(all) => Pools(all),
            OneOrMany::One(one) if one == PoolPositions::default() => Pools(Vec::new()),
            OneOrMany::One(one) => Pools(vec![one]),
        })
    }
}

/// Positions of one address.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PoolPositions {
    pub timestamp: Option<String>,
    pub blockchain_id: Option<ChainId>,
    pub address: Option<Address>,
    pub pools: Vec<ProviderPositions>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ProviderPositions {
    pub provider: String,
    #[serde(default)]
    pub items: Vec<PoolPosition>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolPosition {
    #[serde(default)]
    pub token_address: Option<Address>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub decimals: Option<u8>,
    pub base_balance: Decimal,
    #[serde(default)]
    pub current_balance: Option<Decimal>,
    #[serde(default)]
    pub gain: Option<Decimal>,
    #[serde(default)]
    pub gain_pct: Option<Decimal>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub apr: Option<Decimal>,
    #[serde(default)]
    pub apy: Option<Decimal>,
}

/// `GET /v1.2/users/me/operations`: Safe address → operations, newest first.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OperationHistory {
    pub data: BTreeMap<String, Vec<OperationRecord>>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRecord {
    pub id: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub index: Option<u32>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub safe_operation: Option<SafeOperationRecord>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeOperationRecord {
    pub user_op_hash: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub paymaster: Option<String>,
    pub status: super::operations::OperationStatus,
    #[serde(default)]
    pub error: Option<Value>,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub transaction_hash: Option<String>,
    #[serde(default)]
    pub signatures: Vec<OperationSignature>,
}

#[derive(Default, Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationSignature {
    pub created_at: Option<String>,
    pub data: Option<Value>,
    pub signer_id: Option<String>,
}

/// `GET /v1.2/users/me/addressbook`: entries under `data` (llms.txt) or `entries` (mirror, G12).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressBook {
    pub success: Option<bool>,
    #[serde(alias = "entries")]
    pub data: Vec<AddressBookEntry>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressBookEntry {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub user_validated: Option<bool>,
    #[serde(default)]
    pub crypto: Vec<CryptoContact>,
    #[serde(default)]
    pub ibans: Vec<IbanContact>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CryptoContact {
    pub chain_id: ChainId,
    pub address: Address,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IbanContact {
    pub iban: String,
    #[serde(default)]
    pub vop: Option<bool>,
    #[serde(default)]
    pub vop_result: Option<String>,
    #[serde(default)]
    pub matched_name: Option<String>,
    #[serde(default)]
    pub responding_psp_bic: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub verified_at: Option<String>,
    #[serde(default)]
    pub bic: Option<String>,
    #[serde(default)]
    pub holder_name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `POST /v1.2/users/me/addressbook` body. `iban` and `respondingPspBic` go together (VOP).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAddressBookEntry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_validated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responding_psp_bic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto: Option<Vec<CryptoContact>>,
}

/// `PUT /v1.2/users/me/addressbook/{id}` body: only these three fields.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddressBookUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_validated: Option<bool>,
}

/// `POST /v1.2/users/me` body: flat keys; `null` deletes; `private.*` keys are write-only.
/// Also the IBEX Safe userdata proxy body (with `externalUserId`).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDataWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    pub data: BTreeMap<String, Value>,
}

/// A flat userdata map as read back.
pub type UserData = BTreeMap<String, Value>;

/// `POST /v1.2/users/me/validate-email` body (also the IBEX Safe `validateEmail` verb).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateEmailRequest {
    pub email: String,
    pub external_user_id: String,
}

/// `POST /v1.2/users/me/confirm-email` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmEmailRequest {
    pub email: String,
    pub code: String,
    pub external_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optin_news: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optin_notifications: Option<bool>,
}

/// `POST /v1.2/users/me/validate-sms` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateSmsRequest {
    pub telephone: String,
    pub external_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_policy: Option<String>,
}

/// `POST /v1.2/users/me/confirm-sms` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmSmsRequest {
    pub telephone: String,
    pub code: String,
    pub external_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist_telephone_to_kyb: Option<bool>,
}

/// `POST /v1.2/users/me/validate-sms` answer; `code` is echoed outside production only.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsValidation {
    pub success: Option<bool>,
    pub message: Option<String>,
    pub code: Option<crate::Secret>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmsConfirmation {
    pub sms_verified: bool,
    #[serde(default)]
    pub telephone: Option<String>,
}

/// `POST /v1.2/users/me/wallets/global` and `POST /v1.2/safes/{safe}/wallets` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeriveRequest {
    pub add: Vec<DeriveSpec>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeriveSpec {
    pub family: String,
    /// 1–10, default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u8>,
}

/// `POST /v1.2/users/me/wallets/global` answer.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalWallets {
    pub added: Vec<DerivedAddress>,
    #[serde(default)]
    pub global_indexed: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub global_eoa_addresses: Vec<EoaAddress>,
    #[serde(default)]
    pub limits: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exponent_value_formatted_does_not_sink_the_row() {
        let row: TransactionRow = serde_json::from_value(serde_json::json!({
            "value": "1", "valueFormatted": 1e-18, "direction": "OUT"
        }))
        .unwrap();
        assert_eq!(row.value_formatted, None);
        assert_eq!(row.value.unwrap().as_str(), "1");
        let row: TransactionRow =
            serde_json::from_value(serde_json::json!({ "valueFormatted": 2.5 })).unwrap();
        assert_eq!(row.value_formatted.unwrap().as_str(), "2.5");
    }
}
