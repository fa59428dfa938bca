//! The Safe's owners and threshold (docs/api/operations.md §3.4): listed on-chain through IBEx's
//! JSON-RPC proxy (`getOwners`, `getThreshold`; no REST route lists them), changed by
//! `ADD_OWNER`, `REMOVE_OWNER` and `CHANGE_THRESHOLD` operations on the one pipeline.
//!
//! A passkey owns a Safe through a WebAuthn signer contract whose address Safe's factory
//! computes from the passkey's P-256 key (`getSigner(x, y, verifiers)`, docs/api/auth.md §3.5).
//! So the core can say **which owner is this device**: it learns this device's key when the
//! passkey is registered here (the attestation carries it) or recovers it from any assertion
//! (an ECDSA signature gives two candidate keys; the factory's answer for the right one is an
//! owner). A new owner is a real WebAuthn registration through the app's providers; its key
//! becomes the owner address the same way.
//!
//! The rules a careful wallet keeps, in the core and not only in the UI: never remove the last
//! owner, a threshold between 1 and the number of owners, and removing this device's own
//! passkey (or an owner the core cannot tell from it) only with an explicit confirmation.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ibex::models::operations::Operation;
use ibex::models::ChainId;
use ibex::{Address, Session};
use p256::ecdsa::{Signature, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::network::Connection;
use crate::operations::{Draft, OperationReview, OwnerFacts, Reviewed, ThresholdFacts};
use crate::passkey::ceremony::{check_client_data, decode_b64, random_id, ClientDataType};
use crate::passkey::{NativeBackend, ProviderKind};
use crate::session::{Ceremony, CeremonyKind};
use crate::sync::lock;

/// How long the new owner's passkey prompt may stay open.
const CEREMONY_TTL: Duration = Duration::from_secs(300);
/// The longest owner label, in characters.
const MAX_LABEL: usize = 64;
/// Where the owners' labels are kept (cache store: they are the user's names, not secrets).
const LABELS_KEY: &str = "ownerLabels";

/// A P-256 public key as the factory takes it.
type Point = ([u8; 32], [u8; 32]);

fn point(key: &VerifyingKey) -> Point {
    let encoded = key.to_encoded_point(false);
    let mut x = [0u8; 32];
    let mut y = [0u8; 32];
    x.copy_from_slice(encoded.x().map(|x| x.as_slice()).unwrap_or(&[0; 32]));
    y.copy_from_slice(encoded.y().map(|y| y.as_slice()).unwrap_or(&[0; 32]));
    (x, y)
}

/// This device's passkey key for one account: known exactly from a registration here, or as
/// the (at most two) keys an assertion's signature admits. A public key, kept in the account's
/// filing (`Filed::device_keys`) so the Owners page still knows it after a restart or a switch;
/// each account has its own (its own passkey), forgotten with the account at sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeviceKey(Point);

impl Serialize for DeviceKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (x, y) = &self.0;
        s.serialize_str(&format!(
            "{}{}",
            crate::hex::encode(x),
            crate::hex::encode(y)
        ))
    }
}

impl<'de> Deserialize<'de> for DeviceKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = crate::hex::decode(&text)
            .filter(|b| b.len() == 64)
            .ok_or_else(|| serde::de::Error::custom("a device key is 64 bytes of hex (x ‖ y)"))?;
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&bytes[..32]);
        y.copy_from_slice(&bytes[32..]);
        Ok(Self((x, y)))
    }
}

/// Learns this device's key from a sign-up's attestation (`create`) or any assertion (`get`)
/// into what `known` held; returns whether it changed. Two assertions narrow two candidates to
/// the one key both admit.
pub(crate) fn learn(
    known: &mut Vec<DeviceKey>,
    credential: &serde_json::Value,
    kind: ClientDataType,
) -> bool {
    let found: Vec<DeviceKey> = match kind {
        ClientDataType::Create => registered_key(credential).into_iter().collect(),
        ClientDataType::Get => recovered_keys(credential),
    }
    .into_iter()
    .map(DeviceKey)
    .collect();
    if found.is_empty() {
        return false;
    }
    let both: Vec<DeviceKey> = known
        .iter()
        .filter(|k| found.contains(k))
        .copied()
        .collect();
    let learnt = if both.is_empty() { found } else { both };
    let changed = *known != learnt;
    *known = learnt;
    changed
}

/// The ES256 key of an attestation, if it has one.
fn registered_key(credential: &serde_json::Value) -> Option<Point> {
    crate::passkey::verify::attested_key(credential).map(|k| point(&k))
}

/// The keys an assertion's ECDSA signature over `authenticatorData ‖ SHA-256(clientDataJSON)`
/// admits (public-key recovery; one of them is the credential's).
fn recovered_keys(credential: &serde_json::Value) -> Vec<Point> {
    let field = |name: &str| {
        credential
            .pointer(&format!("/response/{name}"))
            .and_then(|v| v.as_str())
            .and_then(decode_b64)
    };
    let (Some(auth_data), Some(client_data), Some(signature)) = (
        field("authenticatorData"),
        field("clientDataJSON"),
        field("signature"),
    ) else {
        return Vec::new();
    };
    let Ok(signature) =
        Signature::from_der(&signature).or_else(|_| Signature::from_slice(&signature))
    else {
        return Vec::new();
    };
    let mut message = auth_data;
    message.extend_from_slice(&Sha256::digest(&client_data));
    let prehash = Sha256::digest(&message);
    (0u8..2)
        .filter_map(|id| {
            let id = ecdsa::RecoveryId::from_byte(id)?;
            VerifyingKey::recover_from_prehash(&prehash, &signature, id).ok()
        })
        .map(|k| point(&k))
        .collect()
}

/// A Safe's owners on one chain, as the Owners page shows them.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnersView {
    pub chain_id: u32,
    /// The Safe (EIP-55).
    pub safe: String,
    pub owners: Vec<OwnerView>,
    /// How many owners must approve an operation.
    pub threshold: u32,
    /// Whether the wallet knows this device's passkey (from a sign-in, sign-up or approval
    /// since the app started), so `thisDevice` can be trusted when false.
    pub device_known: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnerView {
    /// EIP-55.
    pub address: String,
    /// The name given when this wallet added it, if it did.
    pub label: Option<String>,
    /// This device's passkey.
    pub this_device: bool,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRemoveDraft {
    pub chain_id: u32,
    pub owner: String,
    /// The threshold after the removal.
    pub threshold: u32,
    /// The user confirmed removing this device's own passkey (or one the wallet cannot tell
    /// from it).
    pub confirm_this_device: bool,
}

/// A new owner's registration, between its options and the authenticator's answer.
struct PendingOwner {
    id: String,
    chain: ChainId,
    label: String,
    challenge: String,
    options: serde_json::Value,
    rp_id: String,
    started: Instant,
}

/// The owners state of one connection: the new owner's ceremony in progress.
#[derive(Default)]
pub(crate) struct NewOwners(Mutex<Option<PendingOwner>>);

impl NewOwners {
    fn take(&self, id: &str) -> Result<PendingOwner, AppError> {
        match lock(&self.0).take() {
            Some(p) if p.id == id && p.started.elapsed() <= CEREMONY_TTL => Ok(p),
            Some(p) if p.id == id => Err(AppError::new(
                ErrorCode::Conflict,
                Msg::PasskeyRequestExpired,
            )),
            _ => Err(AppError::new(
                ErrorCode::Conflict,
                Msg::PasskeyRequestClosed,
            )),
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Creation options for a new owner's passkey. IBEx has no route for this registration (its
/// sign-up creates a new account); the challenge is the core's own and the core checks the
/// answer. A fresh `user.id`, so the authenticator keeps the account's own passkey beside it;
/// ES256 only: Safe's WebAuthn signer verifies P-256.
fn creation_options(rp_id: &str, label: &str) -> (serde_json::Value, String) {
    let mut challenge = [0u8; 32];
    let mut user = [0u8; 16];
    rand::rng().fill_bytes(&mut challenge);
    rand::rng().fill_bytes(&mut user);
    let challenge = b64(&challenge);
    let options = serde_json::json!({
        "rp": { "id": rp_id, "name": rp_id },
        "user": { "id": b64(&user), "name": label, "displayName": label },
        "challenge": challenge,
        "pubKeyCredParams": [{ "alg": -7, "type": "public-key" }],
        "authenticatorSelection": { "residentKey": "preferred", "userVerification": "required" },
        "attestation": "none",
        "timeout": 120_000,
    });
    (options, challenge)
}

fn check_label(label: &str) -> Result<String, AppError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(AppError::validation(Msg::OwnerLabelEmpty));
    }
    if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(AppError::validation(Msg::OwnerLabelTooLong {
            max: MAX_LABEL,
        }));
    }
    Ok(label.to_owned())
}

/// `threshold` for a Safe that will have `owners` owners.
fn check_threshold(threshold: u32, owners: usize) -> Result<(), AppError> {
    if threshold == 0 {
        return Err(AppError::validation(Msg::ThresholdZero));
    }
    if threshold as usize > owners {
        return Err(AppError::validation(Msg::ThresholdAboveOwners {
            threshold,
            owners: owners as u32,
        }));
    }
    Ok(())
}

fn chain(chain_id: u32) -> ChainId {
    ChainId(u64::from(chain_id))
}

impl crate::Core {
    fn owner_labels(&self) -> BTreeMap<String, String> {
        self.cache
            .get(LABELS_KEY)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    fn save_owner_label(&self, owner: &Address, label: &str) {
        let key = owner.to_checksum().to_ascii_lowercase();
        let label = label.to_owned();
        let result = self.cache.update(LABELS_KEY, &mut |current| {
            let mut labels: BTreeMap<String, String> = current
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            labels.insert(key.clone(), label.clone());
            serde_json::to_value(labels).unwrap_or_default()
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "owner label not saved");
        }
    }

    /// The owners and threshold on `chain`, and which owner is this device.
    async fn read_owners(
        &self,
        conn: &Connection,
        session: &Session,
        safe: &Address,
        chain: ChainId,
    ) -> Result<(ibex::SafeOwners, Option<Address>), AppError> {
        let owners = session.safe_owners(chain, safe).await?;
        if owners.owners.is_empty() {
            return Err(AppError::new(
                ErrorCode::NotReady,
                Msg::SafeNotOnChain {
                    chain: chain.0.to_string(),
                },
            ));
        }
        let mut device = None;
        for DeviceKey((x, y)) in conn.auth.device_keys(session) {
            let owner = session.webauthn_signer(chain, &x, &y).await?;
            if owners.owners.contains(&owner) {
                device = Some(owner);
                break;
            }
        }
        Ok((owners, device))
    }

    /// The Safe's owners and threshold on `chain_id`.
    pub async fn owners_list(&self, chain_id: u32) -> Result<OwnersView, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let (owners, device) = self
            .read_owners(&conn, &session, &safe, chain(chain_id))
            .await?;
        let labels = self.owner_labels();
        Ok(OwnersView {
            chain_id,
            safe: safe.to_checksum(),
            threshold: owners.threshold,
            device_known: !conn.auth.device_keys(&session).is_empty(),
            owners: owners
                .owners
                .iter()
                .map(|o| OwnerView {
                    address: o.to_checksum(),
                    label: labels.get(&o.to_checksum().to_ascii_lowercase()).cloned(),
                    this_device: device.as_ref() == Some(o),
                })
                .collect(),
        })
    }

    /// Step 1 of adding an owner: creation options for a new passkey (another device's, or a
    /// security key) named `label`, for the provider.
    pub async fn owners_add_begin(
        &self,
        chain_id: u32,
        label: String,
    ) -> Result<Ceremony, AppError> {
        let label = check_label(&label)?;
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        // The Safe must be there before a passkey is made for it.
        self.read_owners(&conn, &session, &safe, chain(chain_id))
            .await?;
        let rp_id = conn.client.config().rp_id.clone();
        let (options, challenge) = creation_options(&rp_id, &label);
        let id = random_id();
        *lock(&conn.owners.0) = Some(PendingOwner {
            id: id.clone(),
            chain: chain(chain_id),
            label,
            challenge,
            options: options.clone(),
            rp_id: rp_id.clone(),
            started: Instant::now(),
        });
        Ok(Ceremony {
            id,
            kind: CeremonyKind::Create,
            rp_id,
            options_json: options.to_string(),
        })
    }

    /// Step 2 with the WebView's credential: checks the new passkey and prepares `ADD_OWNER`
    /// with the threshold after the addition.
    pub async fn owners_add_prepare(
        &self,
        ceremony_id: String,
        credential_json: String,
        threshold: u32,
    ) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let pending = conn.owners.take(&ceremony_id)?;
        let credential: serde_json::Value =
            serde_json::from_str(&credential_json).map_err(|e| {
                AppError::validation(Msg::PasskeyResponseNotJson {
                    error: e.to_string(),
                })
            })?;
        self.add_owner(&conn, pending, credential, None, threshold)
            .await
    }

    /// Step 2 on a provider the core runs (a security key, the OS authenticator, the test key).
    pub async fn owners_add_prepare_native(
        &self,
        ceremony_id: String,
        provider: ProviderKind,
        threshold: u32,
    ) -> Result<OperationReview, AppError> {
        let backend = self.native(provider)?;
        let conn = self.connection().await?;
        let pending = conn.owners.take(&ceremony_id)?;
        let answer = run_create(backend.as_ref(), &pending).await?;
        self.add_owner(&conn, pending, answer.0, Some(answer.1), threshold)
            .await
    }

    async fn add_owner(
        &self,
        conn: &Connection,
        pending: PendingOwner,
        credential: serde_json::Value,
        origin: Option<String>,
        threshold: u32,
    ) -> Result<OperationReview, AppError> {
        check_client_data(
            &credential,
            ClientDataType::Create,
            &pending.challenge,
            origin.as_deref(),
        )?;
        let key = crate::passkey::verify::registration(&credential, &pending.rp_id, true)?
            .ok_or_else(|| AppError::validation(Msg::OwnerKeyNotP256))?;
        let (x, y) = point(&key);
        let (session, safe) = conn.auth.signing()?;
        let owner = session.webauthn_signer(pending.chain, &x, &y).await?;
        let (current, _) = self
            .read_owners(conn, &session, &safe, pending.chain)
            .await?;
        if current.owners.contains(&owner) {
            return Err(AppError::validation(Msg::OwnerAlready));
        }
        let owners_after = current.owners.len() + 1;
        check_threshold(threshold, owners_after)?;
        self.save_owner_label(&owner, &pending.label);
        let draft = Draft {
            safe,
            chain: pending.chain,
            operations: vec![Operation::AddOwner { owner, threshold }],
            reviewed: Reviewed::AddOwner(OwnerFacts {
                owner,
                label: Some(pending.label),
                this_device: false,
                threshold_before: current.threshold,
                threshold,
                owners_after: owners_after as u32,
            }),
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }

    /// Prepares `REMOVE_OWNER`: never the last owner, a threshold the remaining owners can
    /// meet, and this device's own passkey only when the user confirmed it.
    pub async fn owners_remove_prepare(
        &self,
        draft: OwnerRemoveDraft,
    ) -> Result<OperationReview, AppError> {
        let owner: Address = draft
            .owner
            .trim()
            .parse()
            .map_err(|_| AppError::validation(Msg::OwnerAddressInvalid))?;
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let chain = chain(draft.chain_id);
        let (current, device) = self.read_owners(&conn, &session, &safe, chain).await?;
        if !current.owners.contains(&owner) {
            return Err(AppError::validation(Msg::OwnerNotOwner));
        }
        if current.owners.len() == 1 {
            return Err(AppError::validation(Msg::OwnerLast));
        }
        let owners_after = current.owners.len() - 1;
        check_threshold(draft.threshold, owners_after)?;
        // Unknown device: this owner may be this device's passkey; ask as if it were.
        let this_device = device.is_none_or(|d| d == owner);
        if this_device && !draft.confirm_this_device {
            return Err(AppError::new(
                ErrorCode::ConfirmationNeeded,
                if device.is_some() {
                    Msg::OwnerThisDeviceConfirm
                } else {
                    Msg::OwnerDeviceUnknownConfirm
                },
            ));
        }
        let label = self
            .owner_labels()
            .get(&owner.to_checksum().to_ascii_lowercase())
            .cloned();
        let draft = Draft {
            safe,
            chain,
            operations: vec![Operation::RemoveOwner {
                owner,
                threshold: draft.threshold,
            }],
            reviewed: Reviewed::RemoveOwner(OwnerFacts {
                owner,
                label,
                this_device: device == Some(owner),
                threshold_before: current.threshold,
                threshold: draft.threshold,
                owners_after: owners_after as u32,
            }),
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }

    /// Prepares `CHANGE_THRESHOLD` to a value between 1 and the number of owners.
    pub async fn owners_threshold_prepare(
        &self,
        chain_id: u32,
        threshold: u32,
    ) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let chain = chain(chain_id);
        let (current, _) = self.read_owners(&conn, &session, &safe, chain).await?;
        check_threshold(threshold, current.owners.len())?;
        if threshold == current.threshold {
            return Err(AppError::validation(Msg::ThresholdUnchanged { threshold }));
        }
        let draft = Draft {
            safe,
            chain,
            operations: vec![Operation::ChangeThreshold { threshold }],
            reviewed: Reviewed::ChangeThreshold(ThresholdFacts {
                before: current.threshold,
                after: threshold,
                owners: current.owners.len() as u32,
            }),
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }
}

/// Runs the new owner's registration on a provider the core drives, checked as a sign-up is.
async fn run_create(
    backend: &dyn NativeBackend,
    pending: &PendingOwner,
) -> Result<(serde_json::Value, String), AppError> {
    let answer = backend.create(&pending.options, &pending.rp_id).await?;
    Ok((answer.credential, answer.origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::SigningKey;

    #[test]
    fn an_assertion_yields_its_key_among_two_candidates_and_two_narrow_to_it() {
        let key = SigningKey::from_slice(&[9; 32]).unwrap();
        let assertion = |client_data: &[u8]| {
            let auth = [7u8; 37];
            let mut message = auth.to_vec();
            message.extend_from_slice(&Sha256::digest(client_data));
            let signature: p256::ecdsa::DerSignature = key.sign(&message);
            serde_json::json!({ "response": {
                "authenticatorData": b64(&auth),
                "clientDataJSON": b64(client_data),
                "signature": b64(signature.as_bytes()),
            }})
        };
        let mine = point(key.verifying_key());
        let first = recovered_keys(&assertion(b"one"));
        assert!(first.contains(&mine));
        assert!(first.len() <= 2);
        let mut device = Vec::new();
        assert!(learn(&mut device, &assertion(b"one"), ClientDataType::Get));
        assert!(learn(&mut device, &assertion(b"two"), ClientDataType::Get));
        assert_eq!(device, vec![DeviceKey(mine)]);
        assert!(!learn(
            &mut device,
            &assertion(b"three"),
            ClientDataType::Get
        ));
        assert!(!learn(
            &mut device,
            &serde_json::json!({}),
            ClientDataType::Get
        ));
        assert_eq!(
            device,
            vec![DeviceKey(mine)],
            "nothing learnt keeps what was known"
        );
        let filed = serde_json::to_value(&device).unwrap();
        assert_eq!(filed[0].as_str().map(str::len), Some(128), "{filed}");
        let back: Vec<DeviceKey> = serde_json::from_value(filed).unwrap();
        assert_eq!(back, device);
        assert!(serde_json::from_value::<DeviceKey>(serde_json::json!("00ff")).is_err());
        assert!(recovered_keys(&serde_json::json!({})).is_empty());
    }

    #[test]
    fn thresholds_and_labels_are_checked() {
        assert!(check_threshold(0, 2)
            .unwrap_err()
            .message
            .contains("at least 1"));
        let above = check_threshold(3, 2).unwrap_err();
        assert!(above.message.contains("3") && above.message.contains("owners (2)"));
        assert!(check_threshold(2, 2).is_ok());
        assert!(check_label("  ").is_err());
        assert!(check_label(&"k".repeat(65)).is_err());
        assert_eq!(check_label(" YubiKey 5C ").unwrap(), "YubiKey 5C");
    }
}
