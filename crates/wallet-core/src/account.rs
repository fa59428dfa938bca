//! The signed-in account as the UI sees it, the session state it travels in, and the signers
//! (passkeys, keys) IBEx knows can approve for it.

use ibex::models::account::{Signer, SignerKind as IbexSignerKind};
use ibex::models::WalletMode;
use serde::Serialize;

use crate::error::AppError;
use crate::i18n::Locale;
use crate::messages::Msg;

/// One Safe of the account; the address is the same on each chain listed (counterfactual).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SafeWallet {
    /// EIP-55 checksummed.
    #[specta(type = String)]
    pub address: ibex::Address,
    pub chain_ids: Vec<u32>,
    pub primary: bool,
    /// The name the user gave it on this device (IBEx keeps none).
    pub name: Option<String>,
    /// The Safe operations act for now (the user's pick, else the primary one).
    pub selected: bool,
}

/// What signs for this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum SignerKind {
    Passkey,
    /// IBEx's KDF signer, derived from a PIN on this device.
    Pin,
    /// An e-mail wallet: a key sealed with a passphrase, its backup at IBEx, a code to sign in.
    Email,
    /// An existing Ethereum account (EIP-7702), imported here or signing in another wallet.
    Eoa,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// How this device files the account: IBEx's `externalUserId`, else its primary Safe.
    pub id: String,
    /// The name the user gave it on this device.
    pub name: Option<String>,
    /// The name, else the primary Safe shortened (`0x1234…cdef`).
    pub label: String,
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
    /// The keychain stopped answering (the reason) after the session rotated its refresh
    /// token: it runs from memory and is saved as soon as the keychain answers again.
    Unsaved { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SessionInfo {
    SignedOut {
        /// Sessions that ended or could not be resumed without the user signing out.
        notices: Vec<SessionNotice>,
    },
    SignedIn {
        account: Account,
        persistence: Persistence,
        /// Locked after inactivity: every wallet command waits for a fresh passkey assertion.
        locked: bool,
        /// The other accounts' sessions that ended or could not be resumed meanwhile.
        notices: Vec<SessionNotice>,
    },
}

impl SessionInfo {
    /// The sessions the user has to hear about, signed in or not.
    pub fn notices(&self) -> &[SessionNotice] {
        match self {
            SessionInfo::SignedOut { notices } | SessionInfo::SignedIn { notices, .. } => notices,
        }
    }
}

/// A session that left without the user signing it out, told until the user signs that
/// account in again or dismisses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionNotice {
    /// What `session_dismiss` takes.
    pub id: u32,
    pub kind: NoticeKind,
    /// The account, as the switcher named it (`None`: a session from before several
    /// accounts, whose account was never known here).
    pub account: Option<NoticeAccount>,
    /// What happened and what to do, in the user's language.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NoticeAccount {
    pub id: String,
    /// The user's name for it, else its primary Safe shortened.
    pub label: String,
    pub signer: SignerKind,
}

/// Why a notice is there (the UI branches on this, never on the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum NoticeKind {
    /// IBEx refused the saved session at start (its single-use refresh token was already
    /// spent, or too old), or none was saved: the account left; sign in again.
    EndedWhileClosed,
    /// IBEx refused the session's refresh while the wallet ran: the account left.
    Ended,
    /// IBEx or the keychain did not answer at start: the account stays filed, and the core
    /// tries it again on its own until it is back or refused (`session_retry` tries now).
    NotResumed,
}

impl Account {
    pub(crate) fn from_wallets(
        list: ibex::models::account::WalletList,
        signer: SignerKind,
    ) -> Self {
        Self {
            signer,
            id: String::new(),
            name: None,
            label: String::new(),
            external_user_id: list.external_user_id,
            wallets: list
                .wallets
                .into_iter()
                .map(|w| SafeWallet {
                    address: w.safe_address,
                    chain_ids: w
                        .chain_ids
                        .iter()
                        .filter_map(|c| u32::try_from(c.0).ok())
                        .collect(),
                    primary: w.primary,
                    name: None,
                    selected: false,
                })
                .collect(),
        }
    }
}

/// One device or key that can sign for the account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignerView {
    pub id: String,
    /// "Passkey", "Wallet key", "Email code", or IBEx's own description.
    pub kind: String,
    /// "Safe (ERC-4337)" or "EIP-7702 account"; None when IBEx does not say.
    pub wallet_mode: Option<String>,
    /// The name the authenticator or user gave it.
    pub name: Option<String>,
    /// ISO 8601, as IBEx sent it.
    pub created_at: Option<String>,
    pub safes: Option<u32>,
}

fn signer_view(s: Signer, locale: Locale) -> SignerView {
    let kind = match s.kind {
        IbexSignerKind::Passkey => Msg::SignerPasskey.render(locale),
        IbexSignerKind::Eoa => Msg::SignerWalletKey.render(locale),
        IbexSignerKind::EmailToken => Msg::SignerEmailCode.render(locale),
        IbexSignerKind::Unknown => s
            .type_description
            .unwrap_or_else(|| Msg::SignerOther.render(locale)),
    };
    let wallet_mode = s.wallet_mode.and_then(|m| match m {
        WalletMode::Safe4337 => Some("Safe (ERC-4337)".to_owned()),
        WalletMode::Eoa7702 => Some(Msg::Eip7702Account.render(locale)),
        WalletMode::Unknown => None,
    });
    SignerView {
        id: s.id,
        kind,
        wallet_mode,
        name: s.key_display_name.or(s.key_name),
        created_at: s.created_at,
        safes: s.safes_count,
    }
}

/// The account commands.
impl crate::Core {
    /// The passkeys and keys that can approve operations for this account.
    pub async fn account_signers(&self) -> Result<Vec<SignerView>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        Ok(session
            .signers()
            .await?
            .signers
            .into_iter()
            .map(|s| signer_view(s, self.locale()))
            .collect())
    }
}
