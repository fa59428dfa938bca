//! A software WebAuthn authenticator plus the browser glue around it.
//!
//! [`Authenticator::create`] and [`Authenticator::get`] take the options JSON a server sends
//! (binary fields as base64 strings) and the page origin, and return the
//! `RegistrationResponseJSON` / `AuthenticationResponseJSON` a browser's `toJSON()` produces:
//! ES256 keys, discoverable credentials, a sign counter, the PRF extension and
//! `clientDataJSON` byte-identical to Chromium's. It is for tests and test builds only: keys
//! live in memory.

mod authdata;
mod b64;
#[cfg(feature = "ctap2")]
pub mod ctap2;
mod prf;

use std::fmt;
use std::sync::Mutex;

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use rand_core::{OsRng, RngCore};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

pub use authdata::AAGUID;
pub use prf::evaluate as prf_evaluate;

/// Why a ceremony failed, named after the `DOMException` a browser would throw.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("TypeError: {0}")]
    Type(String),
    #[error("SecurityError: {0}")]
    Security(String),
    #[error("NotSupportedError: {0}")]
    NotSupported(String),
    #[error("InvalidStateError: a credential in excludeCredentials is already registered")]
    InvalidState,
    #[error("NotAllowedError: {0}")]
    NotAllowed(String),
}

pub type Result<T> = std::result::Result<T, Error>;

struct Credential {
    id: Vec<u8>,
    rp_id: String,
    user_handle: Vec<u8>,
    key: SigningKey,
    prf_secret: [u8; 32],
    counter: u32,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &b64::encode(&self.id))
            .field("rp_id", &self.rp_id)
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

/// An authenticator holding discoverable credentials in memory. Cheap to share behind `&`.
#[derive(Debug, Default)]
pub struct Authenticator {
    credentials: Mutex<Vec<Credential>>,
    /// Report signCount 0 from now on, as authenticators that do not count do.
    stopped_counting: std::sync::atomic::AtomicBool,
}

impl Authenticator {
    pub fn new() -> Self {
        Self::default()
    }

    /// `navigator.credentials.create({publicKey: options})` on a page at `origin`.
    ///
    /// `options` is `PublicKeyCredentialCreationOptionsJSON`, bare or wrapped in `publicKey`,
    /// `credentialCreationOptions` or IBEx's `credentialRequestOptions` (docs/api/gaps.md G1).
    pub fn create(&self, options: &Value, origin: &str) -> Result<Value> {
        let options = unwrap_options(options);
        let rp_id = match options.pointer("/rp/id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => host_of(origin)?.to_owned(),
        };
        check_origin(origin, &rp_id)?;
        let challenge = binary(options, "/challenge")?;
        let user_handle = binary(options, "/user/id")?;
        let es256 = options
            .get("pubKeyCredParams")
            .and_then(Value::as_array)
            .is_some_and(|params| params.iter().any(|p| p.get("alg") == Some(&json!(-7))));
        if !es256 {
            return Err(Error::NotSupported(
                "pubKeyCredParams must offer ES256 (-7)".into(),
            ));
        }

        let mut credentials = self.credentials.lock().expect("credential store poisoned");
        let excluded = ids(options.get("excludeCredentials"))?;
        if credentials
            .iter()
            .any(|c| c.rp_id == rp_id && excluded.contains(&c.id))
        {
            return Err(Error::InvalidState);
        }
        // A discoverable credential replaces an older one for the same account and rpId.
        credentials.retain(|c| !(c.rp_id == rp_id && c.user_handle == user_handle));

        let mut id = vec![0u8; 32];
        OsRng.fill_bytes(&mut id);
        let mut prf_secret = [0u8; 32];
        OsRng.fill_bytes(&mut prf_secret);
        let credential = Credential {
            id,
            rp_id,
            user_handle,
            key: SigningKey::random(&mut OsRng),
            prf_secret,
            counter: 0,
        };
        let public_key = credential.key.verifying_key();
        let auth_data = authdata::build(
            &credential.rp_id,
            presence_flags(),
            credential.counter,
            Some((&credential.id, public_key)),
        );
        let spki = public_key
            .to_public_key_der()
            .expect("a P-256 key always encodes as SPKI");
        let client_data = client_data_json("webauthn.create", &challenge, origin);

        let mut extensions = Map::new();
        if let Some(prf) = options.pointer("/extensions/prf") {
            let mut result = Map::new();
            result.insert("enabled".into(), json!(true));
            if let Some(results) = prf
                .get("eval")
                .and_then(|e| prf::results(&credential.prf_secret, e))
            {
                result.insert("results".into(), results);
            }
            extensions.insert("prf".into(), Value::Object(result));
        }
        let id = b64::encode(&credential.id);
        let response = json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64::encode(client_data.as_bytes()),
                "attestationObject": b64::encode(&authdata::none_attestation(auth_data.clone())),
                "authenticatorData": b64::encode(&auth_data),
                "transports": ["internal"],
                "publicKey": b64::encode(spki.as_bytes()),
                "publicKeyAlgorithm": -7,
            },
            "clientExtensionResults": extensions,
        });
        credentials.push(credential);
        Ok(response)
    }

    /// `navigator.credentials.get({publicKey: options})` on a page at `origin`.
    ///
    /// `options` is `PublicKeyCredentialRequestOptionsJSON`, bare or wrapped like in
    /// [`Authenticator::create`]. An empty `allowCredentials` picks the newest discoverable
    /// credential for the rpId, as a user choosing the first account would.
    pub fn get(&self, options: &Value, origin: &str) -> Result<Value> {
        let options = unwrap_options(options);
        let rp_id = match options.get("rpId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => host_of(origin)?.to_owned(),
        };
        check_origin(origin, &rp_id)?;
        let challenge = binary(options, "/challenge")?;
        let allowed = ids(options.get("allowCredentials"))?;

        let mut credentials = self.credentials.lock().expect("credential store poisoned");
        let credential = credentials
            .iter_mut()
            .rev()
            .find(|c| c.rp_id == rp_id && (allowed.is_empty() || allowed.contains(&c.id)))
            .ok_or_else(|| Error::NotAllowed(format!("no credential for rpId {rp_id}")))?;
        credential.counter += 1;
        let counter = if self
            .stopped_counting
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            0
        } else {
            credential.counter
        };
        let auth_data = authdata::build(&rp_id, presence_flags(), counter, None);
        let client_data = client_data_json("webauthn.get", &challenge, origin);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: DerSignature = credential.key.sign(&signed);

        let id = b64::encode(&credential.id);
        let mut extensions = Map::new();
        if let Some(results) = options
            .pointer("/extensions/prf")
            .and_then(|p| prf::inputs_for(p, &id))
            .and_then(|inputs| prf::results(&credential.prf_secret, inputs))
        {
            extensions.insert("prf".into(), json!({ "results": results }));
        }
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64::encode(client_data.as_bytes()),
                "authenticatorData": b64::encode(&auth_data),
                "signature": b64::encode(signature.as_bytes()),
                "userHandle": b64::encode(&credential.user_handle),
            },
            "clientExtensionResults": extensions,
        }))
    }

    /// From now on every assertion reports signCount 0, like an authenticator that does not
    /// count (or stopped counting once its passkey was synced).
    pub fn stop_counting(&self) {
        self.stopped_counting
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Ids (base64url) of the credentials held for `rp_id`, oldest first.
    pub fn credential_ids(&self, rp_id: &str) -> Vec<String> {
        let credentials = self.credentials.lock().expect("credential store poisoned");
        credentials
            .iter()
            .filter(|c| c.rp_id == rp_id)
            .map(|c| b64::encode(&c.id))
            .collect()
    }
}

/// User present and verified, backup eligible and backed up — a synced platform passkey.
fn presence_flags() -> u8 {
    authdata::FLAG_UP | authdata::FLAG_UV | authdata::FLAG_BE | authdata::FLAG_BS
}

fn unwrap_options(options: &Value) -> &Value {
    [
        "publicKey",
        "credentialCreationOptions",
        "credentialRequestOptions",
    ]
    .iter()
    .find_map(|k| options.get(k))
    .unwrap_or(options)
}

/// Exactly the bytes Chromium serialises: `type`, `challenge`, `origin`, `crossOrigin`, in that
/// order, no spaces, challenge re-encoded as unpadded base64url.
fn client_data_json(kind: &str, challenge: &[u8], origin: &str) -> String {
    format!(
        r#"{{"type":{},"challenge":{},"origin":{},"crossOrigin":false}}"#,
        Value::from(kind),
        Value::from(b64::encode(challenge)),
        Value::from(origin),
    )
}

fn binary(options: &Value, pointer: &str) -> Result<Vec<u8>> {
    let text = options
        .pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Type(format!("{pointer} is missing or not a string")))?;
    b64::decode(text).ok_or_else(|| Error::Type(format!("{pointer} is not base64")))
}

fn ids(list: Option<&Value>) -> Result<Vec<Vec<u8>>> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|d| {
            d.get("id")
                .and_then(Value::as_str)
                .and_then(b64::decode)
                .ok_or_else(|| Error::Type("credential descriptor id is not base64".into()))
        })
        .collect()
}

fn host_of(origin: &str) -> Result<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| Error::Security(format!("{origin} is not an http(s) origin")))?;
    if rest.contains('/') {
        return Err(Error::Security(format!(
            "origin {origin} must not have a path"
        )));
    }
    Ok(rest.rsplit_once(':').map_or(rest, |(host, _port)| host))
}

/// The browser's rule: rpId is the origin's host or a registrable suffix of it, and the origin is
/// secure (`https`, or `http://localhost`).
fn check_origin(origin: &str, rp_id: &str) -> Result<()> {
    let host = host_of(origin)?;
    if origin.starts_with("http://") && host != "localhost" {
        return Err(Error::Security(format!("{origin} is not a secure context")));
    }
    if host == rp_id || host.ends_with(&format!(".{rp_id}")) {
        Ok(())
    } else {
        Err(Error::Security(format!(
            "rpId {rp_id} is not valid for origin {origin}"
        )))
    }
}
