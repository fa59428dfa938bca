//! WebAuthn options as IBEx sends them and the credential JSON posted back (docs/api/auth.md §3).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Creation (sign-up) or request (sign-in, operations) options. IBEx uses the key
/// `credentialRequestOptions` for both (docs/api/gaps.md G1); which ceremony to run follows from the
/// endpoint, confirmed by [`WebAuthnOptions::is_creation`]. Binary members stay base64url text.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebAuthnOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp: Option<RelyingParty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<WebAuthnUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pub_key_cred_params: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_credentials: Option<Vec<CredentialDescriptor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<Vec<CredentialDescriptor>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// Non-standard member batch-intent puts inside the options (docs/api/gaps.md G4); never passed to
    /// the authenticator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<OperationRef>,
}

impl WebAuthnOptions {
    /// Creation options carry `rp`, `user` and `pubKeyCredParams`.
    pub fn is_creation(&self) -> bool {
        self.rp.is_some() || self.user.is_some() || self.pub_key_cred_params.is_some()
    }

    /// The options as the authenticator must see them (`data` stripped).
    pub fn for_authenticator(&self) -> Value {
        let mut clean = self.clone();
        clean.data = None;
        serde_json::to_value(clean).unwrap_or(Value::Null)
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RelyingParty {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnUser {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CredentialDescriptor {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
}

/// `{ userOpHash }`, where IBEx reports the hash a ceremony signs.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRef {
    pub user_op_hash: String,
}

/// The credential JSON an authenticator produced (`PublicKeyCredential.toJSON()`: `id`,
/// `rawId`, `type`, `response`, `clientExtensionResults`…). The wallet never builds it field by
/// field; it is posted exactly as the ceremony returned it.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credential(pub Map<String, Value>);

impl Credential {
    /// The credential id, when present.
    pub fn id(&self) -> Option<&str> {
        self.0.get("id").and_then(Value::as_str)
    }
}
