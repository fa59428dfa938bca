//! What the review screen shows before the passkey signs: the facts every operation shares
//! ([`Signing`]) and what this one does, decoded per kind ([`Reviewed`]). The UI's operation kit
//! renders the first the same way for every kind and picks a view for the second.

use ibex::models::ChainId;
use ibex::Address;
use serde::Serialize;

pub use crate::banking::payment::SepaPaymentFacts;
use crate::earn::VaultProvider;
use crate::recipients::KnownRecipient;
use crate::recovery::PersonalData;
use crate::swap::{Aggregator, SwapToken};

/// A prepared operation waiting for the passkey.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OperationReview {
    /// The review id the approve commands take.
    pub id: String,
    pub signing: Signing,
    pub operation: Reviewed,
    /// Request options for the WebView provider (JSON text).
    pub options_json: String,
}

/// What every operation's passkey signature commits to, whatever the operation does.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Signing {
    #[specta(type = u32)]
    pub chain_id: ChainId,
    /// The Safe that signs (EIP-55).
    #[specta(type = String)]
    pub safe: Address,
    /// The hash the passkey signs (0x-hex), checked against the options' challenge.
    pub user_op_hash: String,
    /// When IBEx drops the prepared operation (ISO 8601), if it says.
    pub expires_at: Option<String>,
    /// Whether IBEx's paymaster pays the gas, as IBEx records it for this operation (`None`:
    /// IBEx did not say).
    pub sponsored: Option<bool>,
    /// What the hash is: a Safe operation's userOpHash, or IBEx's approval of a bank action
    /// (a SEPA payment), whose hash IBEx computes in a way it does not document.
    pub approves: Approves,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Approves {
    UserOperation,
    BankApproval,
}

/// What the operation does, decoded for the user.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Reviewed {
    Transfer(TransferFacts),
    /// `ENABLE_RECOVERY` with the owner's identity, as it will be registered.
    EnableRecovery(RecoveryIdentity),
    /// `CANCEL_RECOVERY`: stops the pending recovery; ownership stays with the user.
    CancelRecovery,
    /// `SWAP_FROM_QUOTE`: sells an exact amount for at least the minimum, through one aggregator.
    Swap(SwapFacts),
    /// `SIGN_MESSAGE`: the Safe approves the message's EIP-191 hash (EIP-1271).
    SignMessage(MessageFacts),
    /// `AAVE_SUPPLY`, `MORPHO_SUPPLY`, or Hyperliquid's deposit and vault entry.
    VaultDeposit(VaultFacts),
    /// `AAVE_WITHDRAW`, `MORPHO_WITHDRAW`, or Hyperliquid's vault exit and withdrawal to the Safe.
    VaultWithdraw(VaultFacts),
    /// An IBAN for the Safe: `MONERIUM_CREATE_IBAN`, or IBEx's own provider when the tenant
    /// asks for the passkey.
    OpenIban(OpenIbanFacts),
    /// A SEPA credit transfer from one of the user's IBANs.
    SepaPayment(SepaPaymentFacts),
    /// `ROUTE_FROM_QUOTE`: bridges an exact amount from one chain into a token on another.
    Route(RouteFacts),
    /// `ADD_OWNER`: a new passkey becomes an owner of the Safe.
    AddOwner(OwnerFacts),
    /// `REMOVE_OWNER`: an owner loses its say over the Safe.
    RemoveOwner(OwnerFacts),
    /// `CHANGE_THRESHOLD`: how many owners must approve an operation.
    ChangeThreshold(ThresholdFacts),
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OpenIbanFacts {
    /// `MONERIUM` or `IBEXFIAPI`.
    pub provider: String,
    /// The account holder's name (IBEx's provider); Monerium uses the verified identity.
    pub holder_name: Option<String>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteFacts {
    pub route_id: String,
    /// The bridge IBEx routes through (its own name for it).
    pub provider: String,
    pub source_chain_id: u32,
    pub destination_chain_id: u32,
    pub sell: SwapToken,
    /// Exact decimal text in whole tokens: what leaves the Safe on the source chain.
    pub sell_amount: String,
    pub buy: SwapToken,
    /// What the quote says arrives on the destination chain.
    pub buy_amount: String,
    /// The bridge's fee in the sell token, when it states one.
    pub fee: Option<String>,
    /// How long the bridge says it takes, when it says.
    pub duration_seconds: Option<u32>,
    /// When the quote expires (RFC 3339, server time): the passkey never signs it after.
    pub quote_expires_at: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnerFacts {
    /// The owner's address (its WebAuthn signer contract, EIP-55).
    #[specta(type = String)]
    pub owner: Address,
    /// The name given when this wallet added it.
    pub label: Option<String>,
    /// This device's own passkey.
    pub this_device: bool,
    pub threshold_before: u32,
    /// The threshold once the operation executes.
    pub threshold: u32,
    /// How many owners the Safe has afterwards.
    pub owners_after: u32,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdFacts {
    pub before: u32,
    pub after: u32,
    /// The Safe's owners (unchanged).
    pub owners: u32,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultFacts {
    pub provider: VaultProvider,
    /// The vault's name as IBEx lists it.
    pub vault: String,
    /// The pool or vault contract (EIP-55).
    #[specta(type = String)]
    pub address: Address,
    pub asset: SwapToken,
    /// Exact decimal text in whole asset tokens.
    pub amount: String,
    /// Percent per year as IBEx states it.
    pub apy: Option<String>,
    /// A withdrawal of everything: what becomes of the interest earned between this review and
    /// the execution.
    pub remainder: Option<Remainder>,
}

/// What a "withdraw everything" leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Remainder {
    /// Every vault share is redeemed: the interest earned until execution comes out too, so
    /// slightly more than the amount shown may arrive.
    Redeemed,
    /// The exact amount shown is withdrawn (IBEx documents no "max"): the interest earned
    /// after this review, a tiny amount, stays in the vault.
    StaysInVault,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapFacts {
    pub aggregator: Aggregator,
    pub sell: SwapToken,
    /// Exact decimal text in whole tokens: what leaves the Safe.
    pub sell_amount: String,
    pub buy: SwapToken,
    /// What the quote promised (net of the aggregator's fee).
    pub buy_amount: String,
    /// The least the order accepts: `buy_amount` less the slippage, rounded down.
    pub minimum_received: String,
    /// Percent, as the user set it.
    pub slippage: String,
    /// The aggregator's fee in the sell token, when it states one.
    pub fee: Option<String>,
    pub quote_id: String,
    /// When the quote expires (RFC 3339, server time): the passkey never signs it after.
    pub quote_expires_at: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageFacts {
    /// Exactly the text that is signed (UTF-8, no trimming).
    pub message: String,
    /// Its EIP-191 hash (`keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message)`), 0x-hex:
    /// what the Safe approves and what EIP-1271's `isValidSignature` is asked about.
    pub hash: String,
    /// Its length in UTF-8 bytes (the length EIP-191 prefixes).
    pub bytes: u32,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferFacts {
    /// EIP-55.
    #[specta(type = String)]
    pub to: Address,
    /// The contact, recent recipient or own Safe this address is, if the user knows it.
    pub recipient: Option<KnownRecipient>,
    /// EIP-55; the zero address is the chain's native coin.
    #[specta(type = String)]
    pub token_address: Address,
    pub symbol: String,
    /// Exact decimal text in whole tokens.
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryIdentity {
    /// The identity as it will be registered (trimmed).
    pub identity: PersonalData,
}

impl Reviewed {
    /// The transfer's recipient, for the recent-recipients list once approved.
    pub(crate) fn recipient(&self) -> Option<Address> {
        match self {
            Self::Transfer(t) => Some(t.to),
            Self::EnableRecovery(_)
            | Self::CancelRecovery
            | Self::Swap(_)
            | Self::SignMessage(_)
            | Self::VaultDeposit(_)
            | Self::VaultWithdraw(_)
            | Self::OpenIban(_)
            | Self::SepaPayment(_)
            | Self::Route(_)
            | Self::AddOwner(_)
            | Self::RemoveOwner(_)
            | Self::ChangeThreshold(_) => None,
        }
    }
}
