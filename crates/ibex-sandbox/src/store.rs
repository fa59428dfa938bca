//! Everything the sandbox remembers: users, signers, credentials, Safes with their ledger,
//! outstanding challenges, operations, quotes, consumed refresh tokens and the OTP mailbox.
//! Serialisable as a whole so `--state FILE` can persist it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Millis;
use crate::ids;
use crate::ledger::{self, Balances, Transfer};
use crate::operations::Plan;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    pub seed: u64,
    /// Source of unique ids and JWT `jti`s.
    pub sequence: u64,
    /// Access tokens with `jti` at or below this are treated as expired (forced-expiry fault).
    pub access_revoked_through: u64,
    pub users: BTreeMap<String, User>,
    pub signers: BTreeMap<String, Signer>,
    /// By base64url credential id.
    pub credentials: BTreeMap<String, Credential>,
    /// By lower-case address.
    pub safes: BTreeMap<String, Safe>,
    /// By base64url challenge bytes; removed when used.
    pub challenges: BTreeMap<String, Challenge>,
    /// By `0x` userOpHash.
    pub operations: BTreeMap<String, Operation>,
    pub quotes: BTreeMap<String, Quote>,
    /// `jti`s of single-use tokens already spent (refresh, safe-provision).
    pub consumed_tokens: BTreeSet<u64>,
    /// Asynchronous sign-in enrichment requests by id (docs/api/auth.md §8).
    pub data_requests: BTreeMap<String, DataRequest>,
    /// Latest OTP per e-mail address.
    pub mailbox: BTreeMap<String, Otp>,
    /// Vault totals by vault id (`defi::catalog`).
    #[serde(default)]
    pub books: crate::defi::Books,
    /// Price shocks set from `/__sandbox/market`.
    #[serde(default)]
    pub market: crate::market::Shocks,
    /// Route-engine quotes by `routeId`.
    #[serde(default)]
    pub routes: BTreeMap<String, Route>,
    /// SEPA approvals, payments and mandates.
    #[serde(default)]
    pub sepa: crate::sepa::Sepa,
}

/// A route-engine quote (docs/api/operations.md §5) and its execution.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    pub safe: String,
    pub source_chain: u64,
    pub destination_chain: u64,
    pub sell: String,
    pub buy: String,
    pub sell_amount: u128,
    pub buy_amount: u128,
    pub provider: String,
    pub valid_to: Millis,
    /// The source operation, once prepared.
    pub user_op_hash: Option<String>,
    /// When the destination leg was credited.
    pub delivered_at: Option<Millis>,
    /// What the bridge will credit when it is not `buy_amount` (the `bridgeShortfallBps` fault).
    #[serde(default)]
    pub deliver_amount: Option<u128>,
}

impl Route {
    pub fn cross_chain(&self) -> bool {
        self.source_chain != self.destination_chain
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub external_user_id: String,
    pub user_id: String,
    pub created_at: Millis,
    pub email: Option<String>,
    pub kyc_level: u8,
    pub userdata: BTreeMap<String, Value>,
    /// By entry id.
    pub addressbook: BTreeMap<String, Value>,
    pub ibans: Vec<Value>,
    pub signers: Vec<String>,
    pub kdf: Option<KdfBinding>,
    /// Whatever an e-mail wallet uploaded at sign-up (encrypted key backup), kept verbatim.
    pub email_backup: Option<Value>,
    /// The e-mail wallet's key (compressed hex), bound by the first proof that carried one.
    #[serde(default)]
    pub email_key: Option<String>,
    /// The business (KYB) enrollment, once requested.
    #[serde(default)]
    pub kyb: Option<Value>,
    /// Failed Verification-of-Payee checks per UTC day (`YYYY-MM-DD`).
    #[serde(default)]
    pub vop_failures: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KdfBinding {
    pub salt: Vec<u8>,
    /// Hex SEC1 secp256k1 key bound at the first KDF sign-up.
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignerKind {
    #[serde(rename = "PASSKEY")]
    Passkey,
    /// A secp256k1 owner: a KDF-derived key or an EIP-7702 EOA.
    #[serde(rename = "EOA")]
    Eoa,
    #[serde(rename = "EMAIL_TOKEN")]
    EmailToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalletMode {
    #[serde(rename = "SAFE_4337")]
    Safe4337,
    #[serde(rename = "EOA_7702")]
    Eoa7702,
}

/// What kind of signer to add.
#[derive(Debug)]
pub struct SignerSpec {
    pub kind: SignerKind,
    pub wallet_mode: WalletMode,
    /// `authMethod` reported in auth responses (`PASSKEY`, `PIN_KDF`, `EMAIL`, `EOA`).
    pub auth_method: &'static str,
    pub key_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signer {
    pub id: String,
    pub user: String,
    pub kind: SignerKind,
    pub wallet_mode: WalletMode,
    pub auth_method: String,
    pub key_name: String,
    pub key_display_name: String,
    pub created_at: Millis,
    /// Lower-case address of the signer's Safe (the EOA itself in 7702 mode).
    pub safe: String,
    pub credential_id: Option<String>,
    pub prf_capable: bool,
    /// Derived global addresses per family (count, index 0 included).
    #[serde(default)]
    pub derived: BTreeMap<String, u32>,
    /// Last derivation request, for the ~5 s per-signer limit.
    #[serde(default)]
    pub last_derivation: Millis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credential {
    pub signer: String,
    pub public_key: Vec<u8>,
    pub counter: u32,
    /// WebAuthn `user.id` given at registration.
    pub user_handle: Vec<u8>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Recovery {
    pub enabled: bool,
    pub identity: Option<Value>,
    pub execute_after: Option<Millis>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Safe {
    pub address: String,
    pub user: String,
    pub signer: String,
    pub created_at: Millis,
    /// Chain → when the (background) registration on that chain completes.
    pub chains: BTreeMap<u64, Millis>,
    pub owners: Vec<String>,
    pub threshold: u32,
    pub nonce: u64,
    pub balances: Balances,
    /// Newest first.
    pub transfers: Vec<Transfer>,
    /// Vault positions by vault id (`defi::catalog`).
    #[serde(default)]
    pub vaults: BTreeMap<String, crate::defi::Position>,
    /// USDC on the Safe's Hyperliquid account (bridged in, not in a vault), base units.
    #[serde(default)]
    pub hyperliquid: u128,
    /// EIP-191 hashes of the messages the Safe signed (`SIGN_MESSAGE`), for `isValidSignature`.
    #[serde(default)]
    pub signed_messages: BTreeSet<String>,
    pub recovery: Recovery,
    pub automation: Option<Value>,
    /// Derived per-Safe addresses per family (count, index 0 included).
    #[serde(default)]
    pub derived: BTreeMap<String, u32>,
}

impl Safe {
    pub fn registered(&self, now: Millis) -> Vec<u64> {
        self.chains
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(c, _)| *c)
            .collect()
    }

    pub fn balance(&self, chain: u64, token: &str) -> u128 {
        self.balances
            .get(&chain)
            .and_then(|b| b.get(&token.to_ascii_lowercase()))
            .copied()
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Challenge {
    pub purpose: Purpose,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Purpose {
    Register {
        user_handle: Vec<u8>,
        key_name: String,
        key_display_name: String,
    },
    SignIn,
    Operation {
        user_op_hash: String,
    },
    /// A key proof (KDF signer, or an e-mail wallet's key) by this user.
    Kdf {
        external_user_id: String,
    },
    Siwe {
        address: String,
        message: String,
    },
    /// A SEPA approval (payment or IBAN creation) awaiting its passkey confirmation.
    Approval {
        approval_id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum OpStatus {
    Created,
    Signed,
    Executed,
    Confirmed,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    pub user_op_hash: String,
    pub batch_id: String,
    /// The Safe nonce the userOpHash commits to; the bundler executes in this order.
    #[serde(default)]
    pub nonce: u64,
    pub safe: String,
    pub chain: u64,
    pub signer: String,
    pub items: Vec<Value>,
    pub plans: Vec<Plan>,
    pub status: OpStatus,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub expires_at: Millis,
    pub signed_at: Option<Millis>,
    pub transaction_hash: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quote {
    pub chain: u64,
    pub safe: String,
    pub sell: String,
    pub buy: String,
    pub sell_amount: u128,
    /// The best offer's amount (net of fees).
    pub buy_amount: u128,
    pub valid_to: Millis,
    /// Whose offer `buy_amount` is.
    #[serde(default = "default_aggregator")]
    pub aggregator: crate::market::Aggregator,
}

fn default_aggregator() -> crate::market::Aggregator {
    crate::market::Aggregator::CowSwap
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataRequest {
    pub user: String,
    pub signer: String,
    /// The sign-in body, whose `include*` flags say what to return.
    pub flags: Value,
    pub created_at: Millis,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("invalid code ({attempts_left} attempts left)")]
    Invalid { attempts_left: u32 },
    #[error("code expired; ask for a new one")]
    Expired,
}

impl CodeError {
    /// The answer for a wrong or expired one-time code: `status`, code `INVALID_CODE` (with
    /// `attemptsLeft`) or `CODE_EXPIRED`.
    pub fn into_api(self, status: axum::http::StatusCode) -> crate::error::ApiError {
        let message = self.to_string();
        match self {
            CodeError::Invalid { attempts_left } => {
                crate::error::ApiError::new(status, "INVALID_CODE", message)
                    .with_details(serde_json::json!({ "attemptsLeft": attempts_left }))
            }
            CodeError::Expired => crate::error::ApiError::new(status, "CODE_EXPIRED", message),
        }
    }
}

/// Wrong codes one OTP tolerates before it is burnt.
pub const CODE_ATTEMPTS: u32 = 5;

fn code_attempts() -> u32 {
    CODE_ATTEMPTS
}

/// A one-time code mailed (or texted) to an address or phone number.
#[derive(Clone, Serialize, Deserialize)]
pub struct Otp {
    pub code: String,
    pub external_user_id: String,
    pub expires_at: Millis,
    #[serde(default = "code_attempts")]
    pub attempts_left: u32,
}

/// The code is a credential: never in logs.
impl std::fmt::Debug for Otp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Otp")
            .field("code", &"<redacted>")
            .field("external_user_id", &self.external_user_id)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// When a new Safe's registrations complete, from its creation: the default chain after
/// `first`, every other chain `expansion` later.
#[derive(Clone, Copy, Debug)]
pub struct Registration {
    pub first: Millis,
    pub expansion: Millis,
}

impl Registration {
    /// After `first`, the others a second later (at once when the first is).
    pub fn after(first: Millis) -> Self {
        Self {
            first,
            expansion: if first == 0 { 0 } else { 1000 },
        }
    }
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    pub fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// A fresh id derived from the seed and the sequence (stable across runs with one seed).
    pub fn new_id(&mut self, kind: &str) -> [u8; 32] {
        let n = self.next();
        ids::seeded(self.seed, &format!("{kind}|{n}"))
    }

    pub fn create_user(&mut self, now: Millis, external_user_id: Option<String>) -> String {
        let id = self.new_id("user");
        let external_user_id = external_user_id.unwrap_or_else(|| ids::uuid(&id));
        let user = User {
            external_user_id: external_user_id.clone(),
            user_id: ids::uuid(&id[16..]),
            created_at: now,
            email: None,
            kyc_level: 0,
            userdata: BTreeMap::new(),
            addressbook: BTreeMap::new(),
            ibans: Vec::new(),
            signers: Vec::new(),
            kdf: None,
            email_backup: None,
            email_key: None,
            kyb: None,
            vop_failures: BTreeMap::new(),
        };
        self.users.insert(external_user_id.clone(), user);
        external_user_id
    }

    /// Adds a signer and its Safe at `safe_address`, registered on its chains as `ready` says
    /// (the documented asynchronous multi-chain expansion, docs/api/account.md §3).
    pub fn add_signer(
        &mut self,
        user: &str,
        spec: SignerSpec,
        safe_address: String,
        now: Millis,
        ready: Registration,
    ) -> String {
        let signer_id = crate::b64::url(&self.new_id("signer")[..16]);
        let signer = Signer {
            id: signer_id.clone(),
            user: user.to_owned(),
            kind: spec.kind,
            wallet_mode: spec.wallet_mode,
            auth_method: spec.auth_method.to_owned(),
            key_display_name: spec.key_name.clone(),
            key_name: spec.key_name,
            created_at: now,
            safe: safe_address.to_ascii_lowercase(),
            credential_id: None,
            prf_capable: false,
            derived: BTreeMap::new(),
            last_derivation: 0,
        };
        self.signers.insert(signer_id.clone(), signer);
        if let Some(u) = self.users.get_mut(user) {
            u.signers.push(signer_id.clone());
        }
        let schedule = ledger::CHAINS
            .iter()
            .map(|c| {
                let expansion = if c.id == ledger::DEFAULT_CHAIN {
                    0
                } else {
                    ready.expansion
                };
                (c.id, now + ready.first + expansion)
            })
            .collect();
        self.add_safe(safe_address, user, &signer_id, now, schedule);
        signer_id
    }

    /// Registers a Safe (unless it exists) with its genesis ledger on the chains of `chains`
    /// (chain → when its registration completes).
    pub fn add_safe(
        &mut self,
        address: String,
        user: &str,
        signer: &str,
        now: Millis,
        chains: BTreeMap<u64, Millis>,
    ) {
        let key = address.to_ascii_lowercase();
        if self.safes.contains_key(&key) {
            return;
        }
        let mut balances = Balances::new();
        let mut transfers = Vec::new();
        for chain in chains.keys().copied() {
            for t in ledger::genesis(self.seed, &key, chain, now) {
                *balances
                    .entry(chain)
                    .or_default()
                    .entry(t.token.clone())
                    .or_default() += t.value;
                transfers.push(t);
            }
        }
        transfers.sort_by_key(|t| std::cmp::Reverse(t.at));
        let safe = Safe {
            owners: vec![ids::address_from(&[b"owner", signer.as_bytes()])],
            address,
            user: user.to_owned(),
            signer: signer.to_owned(),
            created_at: now,
            chains,
            threshold: 1,
            nonce: 0,
            balances,
            transfers,
            vaults: BTreeMap::new(),
            hyperliquid: 0,
            signed_messages: BTreeSet::new(),
            recovery: Recovery::default(),
            automation: None,
            derived: BTreeMap::new(),
        };
        self.safes.insert(key, safe);
    }

    /// Stores a single-use challenge and returns its base64url form.
    pub fn issue_challenge(
        &mut self,
        bytes: &[u8],
        purpose: Purpose,
        expires_at: Millis,
    ) -> String {
        let key = crate::b64::url(bytes);
        self.challenges.insert(
            key.clone(),
            Challenge {
                purpose,
                expires_at,
            },
        );
        key
    }

    /// Removes and returns the challenge, so a second use finds nothing.
    pub fn take_challenge(&mut self, bytes: &[u8]) -> Option<Challenge> {
        self.challenges.remove(&crate::b64::url(bytes))
    }

    /// Mails a fresh 6-digit code to `email` (readable at `/__sandbox/mailbox`), replacing the
    /// previous one.
    pub fn mail_code(&mut self, email: &str, user: &str, expires_at: Millis) -> Otp {
        let code = format!(
            "{:06}",
            u32::from_be_bytes(ids::random_bytes::<4>()) % 1_000_000
        );
        let otp = Otp {
            code,
            external_user_id: user.to_owned(),
            expires_at,
            attempts_left: CODE_ATTEMPTS,
        };
        self.mailbox.insert(email.to_owned(), otp.clone());
        otp
    }

    /// Consumes the code mailed to `email` for `user` if it matches and is still valid; a wrong
    /// code uses up an attempt, and the last one burns the code.
    pub fn take_code(
        &mut self,
        email: &str,
        user: &str,
        code: &str,
        now: Millis,
    ) -> Result<(), CodeError> {
        let Some(otp) = self
            .mailbox
            .get_mut(email)
            .filter(|o| o.external_user_id == user)
        else {
            return Err(CodeError::Invalid { attempts_left: 0 });
        };
        if otp.expires_at <= now {
            self.mailbox.remove(email);
            return Err(CodeError::Expired);
        }
        if otp.code != code {
            otp.attempts_left = otp.attempts_left.saturating_sub(1);
            let attempts_left = otp.attempts_left;
            if attempts_left == 0 {
                self.mailbox.remove(email);
            }
            return Err(CodeError::Invalid { attempts_left });
        }
        self.mailbox.remove(email);
        Ok(())
    }

    /// Forgets expired challenges so the map stays small under load.
    pub fn prune(&mut self, now: Millis) {
        self.challenges.retain(|_, c| c.expires_at > now - 60_000);
        self.quotes.retain(|_, q| q.valid_to > now - 3_600_000);
    }

    pub fn safes_of_signer(&self, signer: &str) -> impl Iterator<Item = &Safe> + '_ {
        let signer = signer.to_owned();
        self.safes.values().filter(move |s| s.signer == signer)
    }
}

impl Signer {
    /// The checksummed address of the signer's Safe.
    pub fn safe_address(&self, store: &Store) -> String {
        store
            .safes
            .get(&self.safe)
            .map_or_else(|| self.safe.clone(), |s| s.address.clone())
    }
}
