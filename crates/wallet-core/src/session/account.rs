//! The signed-in account as the UI sees it, and the session state it travels in.

use serde::Serialize;

/// One Safe of the account; the address is the same on each chain listed (counterfactual).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SafeWallet {
    /// EIP-55 checksummed.
    pub address: String,
    pub chain_ids: Vec<u32>,
    pub primary: bool,
}

/// What signs for this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SignerKind {
    Passkey,
    /// IBEx's KDF signer, derived from a PIN on this device.
    Pin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// IBEx's `externalUserId` (the JWT `sub`).
    pub external_user_id: Option<String>,
    pub wallets: Vec<SafeWallet>,
    pub signer: SignerKind,
}

/// Where the refresh token lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Persistence {
    /// In the OS keychain: the session survives a restart.
    Keychain,
    /// No keychain here: the session ends when the app closes.
    MemoryOnly { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SessionInfo {
    SignedOut {
        /// Why the last session ended, when it did not end by signing out.
        reason: Option<String>,
    },
    SignedIn {
        account: Account,
        persistence: Persistence,
        /// Locked after inactivity: every wallet command waits for a fresh passkey assertion.
        locked: bool,
    },
}

impl Account {
    pub(crate) fn from_wallets(
        list: ibex::models::account::WalletList,
        signer: SignerKind,
    ) -> Self {
        Self {
            signer,
            external_user_id: list.external_user_id,
            wallets: list
                .wallets
                .into_iter()
                .map(|w| SafeWallet {
                    address: w.safe_address.to_checksum(),
                    chain_ids: w
                        .chain_ids
                        .iter()
                        .filter_map(|c| u32::try_from(c.0).ok())
                        .collect(),
                    primary: w.primary,
                })
                .collect(),
        }
    }
}
