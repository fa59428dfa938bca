//! Sign-up, sign-in, refresh, safe-provision, email recovery, EOA wallet sign-in (docs/api/auth.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::account::{Balances, Transactions};
use super::common::{ChainId, EoaAddress, WalletMode};
use super::webauthn::{Credential, WebAuthnOptions};
use crate::{Address, Secret};

/// The four auth modes (`wallet=`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum WalletKind {
    #[serde(rename = "passkeys")]
    Passkeys,
    #[serde(rename = "kdf")]
    Kdf,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "7702")]
    Eip7702,
}

impl WalletKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WalletKind::Passkeys => "passkeys",
            WalletKind::Kdf => "kdf",
            WalletKind::Email => "email",
            WalletKind::Eip7702 => "7702",
        }
    }
}

/// `authMethod` values seen in auth responses.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthMethod {
    Passkey,
    PinKdf,
    PinKdfPending,
    Email,
    EmailTokenPending,
    Sms,
    #[serde(other)]
    Unknown,
}

/// The token pair every auth response carries (docs/api/README.md §4). Only `access_token`,
/// `refresh_token` and `expires_in` are relied on (docs/api/gaps.md G24).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AuthTokens {
    pub access_token: Secret,
    pub refresh_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Seconds; absent in the 7702 example, where the documented default of 3600 applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The `externalUserId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl AuthTokens {
    /// Documented access-token lifetime when the server omits `expires_in`.
    pub const DEFAULT_EXPIRES_IN: u64 = 3600;

    pub fn expires_in(&self) -> u64 {
        self.expires_in.unwrap_or(Self::DEFAULT_EXPIRES_IN)
    }
}

/// Query of `GET /v1.2/auth/sign-up` and `GET /v1.2/auth/sign-in` for each mode.
#[derive(Clone, PartialEq, Debug)]
pub enum ChallengeRequest {
    Passkeys {
        user_name: Option<String>,
        user_display_name: Option<String>,
        key_name: Option<String>,
        key_display_name: Option<String>,
    },
    /// Sign-in needs the `external_user_id`; sign-up creates it.
    Kdf { external_user_id: Option<String> },
    /// Sign-up sends the OTP to `email`; sign-in to the account of `external_user_id`.
    Email {
        email: Option<String>,
        external_user_id: Option<String>,
    },
    Eip7702 {
        address: Address,
        chain_id: Option<ChainId>,
    },
}

impl ChallengeRequest {
    pub fn passkeys() -> Self {
        ChallengeRequest::Passkeys {
            user_name: None,
            user_display_name: None,
            key_name: None,
            key_display_name: None,
        }
    }

    pub fn wallet(&self) -> WalletKind {
        match self {
            ChallengeRequest::Passkeys { .. } => WalletKind::Passkeys,
            ChallengeRequest::Kdf { .. } => WalletKind::Kdf,
            ChallengeRequest::Email { .. } => WalletKind::Email,
            ChallengeRequest::Eip7702 { .. } => WalletKind::Eip7702,
        }
    }

    /// Query pairs besides `rpId`.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("wallet", self.wallet().as_str().to_owned())];
        let mut opt = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((k, v.clone()));
            }
        };
        match self {
            ChallengeRequest::Passkeys {
                user_name,
                user_display_name,
                key_name,
                key_display_name,
            } => {
                opt("userName", user_name);
                opt("userDisplayName", user_display_name);
                opt("keyName", key_name);
                opt("keyDisplayName", key_display_name);
            }
            ChallengeRequest::Kdf { external_user_id } => opt("externalUserId", external_user_id),
            ChallengeRequest::Email {
                email,
                external_user_id,
            } => {
                opt("email", email);
                opt("externalUserId", external_user_id);
            }
            ChallengeRequest::Eip7702 { address, chain_id } => {
                q.push(("address", address.to_string()));
                if let Some(c) = chain_id {
                    q.push(("chainId", c.to_string()));
                }
            }
        }
        q
    }
}

/// Step 1 of sign-up / sign-in: whatever the mode needs to produce a proof. Passkeys get
/// WebAuthn options; kdf/email get derivation material (and, on sign-up, a pending token
/// pair); 7702 gets a SIWE-like `challenge { message, nonce }`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthChallenge {
    /// Creation options on sign-up, request options on sign-in (docs/api/gaps.md G1: either key name).
    #[serde(default, alias = "credentialCreationOptions")]
    pub credential_request_options: Option<WebAuthnOptions>,
    #[serde(default)]
    pub email_validation_required: Option<bool>,
    /// kdf/email: a base64 nonce; 7702: `{ message, nonce }`.
    #[serde(default)]
    pub challenge: Option<Challenge>,
    #[serde(default)]
    pub challenge_expires_at: Option<String>,
    #[serde(default)]
    pub server_signature: Option<String>,
    #[serde(default)]
    pub server_key_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub external_user_id: Option<String>,
    #[serde(default)]
    pub wallet: Option<String>,
    #[serde(default)]
    pub flow: Option<String>,
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    #[serde(default)]
    pub has_passkey: Option<bool>,
    #[serde(default)]
    pub salt: Option<String>,
    #[serde(default)]
    pub salt_version: Option<u32>,
    #[serde(default)]
    pub kdf: Option<KdfParams>,
    #[serde(default)]
    pub kdf_params_version: Option<u32>,
    #[serde(default)]
    pub opaque: Option<Value>,
    #[serde(default)]
    pub email_otp_expires_at: Option<String>,
    /// Echoed by test environments only.
    #[serde(default)]
    pub email_otp: Option<Secret>,
    /// kdf/email sign-up and legacy `passkeys=FALSE` issue a token pair at step 1.
    #[serde(flatten)]
    pub tokens: Option<AuthTokens>,
}

/// The kdf/email nonce or the 7702 SIWE-like message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Challenge {
    Siwe { message: String, nonce: String },
    Nonce(String),
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KdfParams {
    pub algo: String,
    pub memory: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// The kdf/email proof fields (docs/api/auth.md §5); names as documented for kdf.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfProof {
    pub public_key: String,
    pub signature: String,
    pub challenge: String,
    pub challenge_expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_id: Option<String>,
    pub salt_version: u32,
    pub kdf_params_version: u32,
    pub nonce: String,
    /// Unix seconds (checked against the server clock, ±5 min).
    pub timestamp: u64,
    pub server_signature: String,
    pub server_key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque_login_request: Option<Value>,
}

impl KdfProof {
    /// The bytes the derived key signs: canonical JSON (keys sorted, no whitespace) of
    /// `{appId, challenge, challengeExpiresAt, challengeId?, externalUserId, kdfParamsVersion,
    /// nonce, saltVersion, timestamp}` (docs/api/auth.md §5, §13).
    pub fn signing_message(&self, app_id: &str, external_user_id: &str) -> String {
        let mut fields: BTreeMap<&str, Value> = BTreeMap::new();
        fields.insert("appId", app_id.into());
        fields.insert("challenge", self.challenge.clone().into());
        fields.insert(
            "challengeExpiresAt",
            self.challenge_expires_at.clone().into(),
        );
        if let Some(id) = &self.challenge_id {
            fields.insert("challengeId", id.clone().into());
        }
        fields.insert("externalUserId", external_user_id.into());
        fields.insert("kdfParamsVersion", self.kdf_params_version.into());
        fields.insert("nonce", self.nonce.clone().into());
        fields.insert("saltVersion", self.salt_version.into());
        fields.insert("timestamp", self.timestamp.into());
        serde_json::to_string(&fields).unwrap_or_default()
    }
}

/// Body of `POST /v1.2/auth/sign-up` for every mode; set the fields the mode uses.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<WalletKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_ids: Option<Vec<ChainId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning: Option<Value>,
    /// Legacy email-validation code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_code: Option<Secret>,
    /// Email mode: the one-time code mailed at step 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_otp: Option<Secret>,
    /// 7702: the EOA, its signature of the challenge message, and the challenge nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(flatten)]
    pub kdf_proof: Option<KdfProof>,
    /// Email mode's undocumented backup fields (docs/api/gaps.md G6) are passed through verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST /v1.2/auth/sign-in`.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<WalletKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
    /// `"safe_provision"` to also receive a `safe_provision_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_salt_nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_balance: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_transactions: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_userdata: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_data: Option<bool>,
    /// 7702 sign-in: `address`, `signature`, `nonce` as on sign-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(flatten)]
    pub kdf_proof: Option<KdfProof>,
    /// Email mode: the one-time code mailed at step 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_otp: Option<Secret>,
    /// Other email-mode proof fields are not documented by name (docs/api/auth.md §7); passed verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Step 2 of sign-up / sign-in (and `wallet-signin`): tokens plus account data.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthSession {
    #[serde(flatten)]
    pub tokens: AuthTokens,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub external_user_id: Option<String>,
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    #[serde(default)]
    pub has_passkey: Option<bool>,
    #[serde(default)]
    pub email_validation_required: Option<bool>,
    #[serde(default)]
    pub chain_id: Option<ChainId>,
    /// Passkey/kdf: chain id → Safe (docs/api/gaps.md G30: never a string).
    #[serde(default)]
    pub safe_address: Option<BTreeMap<String, Address>>,
    /// 7702: the EOA itself.
    #[serde(default)]
    pub safe: Option<Address>,
    #[serde(default)]
    pub delegation: Option<Delegation>,
    #[serde(default)]
    pub delegations: Option<Vec<Delegation>>,
    #[serde(default)]
    pub wallet_mode: Option<WalletMode>,
    #[serde(default)]
    pub eoa_address: Option<Address>,
    #[serde(default)]
    pub eoa_addresses: Vec<EoaAddress>,
    #[serde(default)]
    pub key_name: Option<String>,
    #[serde(default)]
    pub key_display_name: Option<String>,
    #[serde(default)]
    pub prf_capable: Option<bool>,
    #[serde(default)]
    pub flow: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
    #[serde(default)]
    pub signer_version: Option<u32>,
    #[serde(default)]
    pub signer_bound: Option<bool>,
    #[serde(default, rename = "safe_provision_token")]
    pub safe_provision_token: Option<Secret>,
    #[serde(default, rename = "safe_provision_expires_in")]
    pub safe_provision_expires_in: Option<u64>,
    #[serde(default)]
    pub data_request_id: Option<String>,
    #[serde(default)]
    pub data_status: Option<DataStatus>,
    /// Enrichment (`include*` flags): the payloads of `/users/me/balances` and
    /// `/users/me/transactions`. `userdata` is the aggregated profile in the reference but the
    /// flat IBEX Safe map in the IBExSafe guide, so it stays JSON until the caller picks one.
    #[serde(default)]
    pub balance: Option<Balances>,
    #[serde(default)]
    pub transactions: Option<Transactions>,
    #[serde(default)]
    pub userdata: Option<Value>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delegation {
    #[serde(default)]
    pub implementation: Option<Address>,
    pub chain_id: ChainId,
}

/// Status of asynchronous sign-in data.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DataStatus {
    Pending,
    Ready,
    #[serde(other)]
    Unknown,
}

/// `GET /v1.2/auth/sign-in/data/{dataRequestId}` (docs/api/gaps.md G8: shape inferred).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInData {
    #[serde(default)]
    pub data_request_id: Option<String>,
    #[serde(alias = "status")]
    pub data_status: DataStatus,
    #[serde(default)]
    pub balance: Option<Balances>,
    #[serde(default)]
    pub transactions: Option<Transactions>,
    #[serde(default)]
    pub userdata: Option<Value>,
}

/// `POST /v1.2/auth/refresh` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: Secret,
}

/// `POST /v1.2/auth/sign-in/safe-provision` body (bearer = `safe_provision_token`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeProvisionRequest {
    pub blockchain_id: ChainId,
    /// Decimal string ≥ 1, unique per signer and chain.
    pub salt_nonce: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeProvision {
    pub address: Address,
    pub blockchain_id: ChainId,
    #[serde(default)]
    pub salt_nonce: Option<String>,
    #[serde(default)]
    pub deploy_salt_nonce: Option<String>,
    #[serde(default, rename = "safe_provision_expires_in")]
    pub safe_provision_expires_in: Option<u64>,
}

/// `POST /v1.2/auth/email/recover` body (docs/api/gaps.md G9: `email` optional).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmailRecoverRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_otp: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Default, Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmailRecovery {
    pub external_user_id: Option<String>,
    pub wallet: Option<String>,
    pub encrypted_private_key: Option<Secret>,
    pub backup_salt: Option<String>,
    pub backup_kdf: Option<Value>,
    pub challenge: Option<String>,
    pub challenge_expires_at: Option<String>,
    pub server_signature: Option<String>,
    pub server_key_id: Option<String>,
}

/// `POST /v1.2/auth/wallet-challenge` body (EOA page, no published schema: SIWE-style).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletChallengeRequest {
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
}

/// `POST /v1.2/auth/wallet-challenge` answer: the message to sign and its nonce, either flat or
/// under `challenge` like the 7702 GET.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WalletChallenge {
    Nested { challenge: SiweMessage },
    Flat(SiweMessage),
}

impl WalletChallenge {
    pub fn message(&self) -> &SiweMessage {
        match self {
            WalletChallenge::Nested { challenge } | WalletChallenge::Flat(challenge) => challenge,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SiweMessage {
    pub message: String,
    pub nonce: String,
}

/// `POST /v1.2/auth/wallet-signin` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletSignInRequest {
    pub address: Address,
    pub signature: String,
    pub nonce: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainId>,
}

/// `GET /.well-known/webauthn` on a primary rpId (Related Origin Requests).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WellKnownWebAuthn {
    pub origins: Vec<String>,
}

/// The 400 body for an unknown rpId, and the lenient error body of other failures (G37).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    pub message: Option<String>,
    pub error: Option<Value>,
    pub code: Option<Value>,
    pub error_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_queries_name_the_mode_and_its_inputs() {
        let address: Address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
            .parse()
            .unwrap();
        let q = ChallengeRequest::Eip7702 {
            address,
            chain_id: Some(ChainId(11155111)),
        }
        .query();
        assert_eq!(
            q,
            vec![
                ("wallet", "7702".to_owned()),
                ("address", address.to_string()),
                ("chainId", "11155111".to_owned())
            ]
        );
        assert_eq!(
            ChallengeRequest::passkeys().query(),
            vec![("wallet", "passkeys".to_owned())]
        );
    }

    #[test]
    fn kdf_message_is_canonical_json() {
        let proof = KdfProof {
            challenge: "c".into(),
            challenge_expires_at: "2025-12-11T10:15:00Z".into(),
            salt_version: 1,
            kdf_params_version: 1,
            nonce: "n".into(),
            timestamp: 1_700_000_000,
            ..Default::default()
        };
        assert_eq!(
            proof.signing_message("app", "user-1"),
            r#"{"appId":"app","challenge":"c","challengeExpiresAt":"2025-12-11T10:15:00Z","externalUserId":"user-1","kdfParamsVersion":1,"nonce":"n","saltVersion":1,"timestamp":1700000000}"#
        );
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let tokens: AuthTokens = serde_json::from_str(
            r#"{"access_token":"eyJ.secret.a","refresh_token":"eyJ.secret.r","expires_in":60}"#,
        )
        .unwrap();
        let shown = format!("{tokens:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(tokens.expires_in(), 60);
    }
}
