//! The shared middle of every native backend: IBEx's options (WebAuthn L3 JSON) parsed once
//! into plain requests the OS calls take, and the authenticator's raw answer written back as
//! the browser's `RegistrationResponseJSON` / `AuthenticationResponseJSON`. A backend file only
//! translates these to its API (CTAP2 library, webauthn.dll) and back.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::client_data::ClientData;
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::passkey::ceremony::decode_b64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Preferred,
    Discouraged,
}

impl Requirement {
    fn parse(value: Option<&Value>, default: Self) -> Self {
        match value.and_then(Value::as_str) {
            Some("required") => Self::Required,
            Some("preferred") => Self::Preferred,
            Some("discouraged") => Self::Discouraged,
            _ => default,
        }
    }
}

/// PRF inputs (`extensions.prf.eval`), the hmac-secret salts' source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prf {
    pub first: Vec<u8>,
    pub second: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    pub rp_id: String,
    pub rp_name: Option<String>,
    pub user_id: Vec<u8>,
    pub user_name: Option<String>,
    pub user_display_name: Option<String>,
    /// COSE algorithms in the server's order of preference (ES256 -7, RS256 -257, …).
    pub algorithms: Vec<i32>,
    pub exclude: Vec<Vec<u8>>,
    pub user_verification: Requirement,
    pub resident_key: Requirement,
    pub timeout: Duration,
    pub prf: Option<Prf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRequest {
    pub rp_id: String,
    pub allow: Vec<Vec<u8>>,
    pub user_verification: Requirement,
    pub timeout: Duration,
    pub prf: Option<Prf>,
}

/// What an authenticator returned for a registration, before it becomes JSON.
#[derive(Debug, Clone, Default)]
pub struct Attestation {
    pub credential_id: Vec<u8>,
    pub attestation_object: Vec<u8>,
    pub auth_data: Vec<u8>,
    /// SubjectPublicKeyInfo DER and COSE algorithm, when the backend knows them.
    pub public_key: Option<(Vec<u8>, i64)>,
    pub transports: Vec<&'static str>,
    pub attachment: &'static str,
    pub prf_enabled: Option<bool>,
    pub prf_results: Option<Prf>,
}

#[derive(Debug, Clone, Default)]
pub struct Assertion {
    pub credential_id: Vec<u8>,
    pub auth_data: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
    pub attachment: &'static str,
    pub prf_results: Option<Prf>,
}

fn bad(what: &str) -> AppError {
    AppError::new(
        ErrorCode::BadResponse,
        Msg::PasskeyOptionsBad {
            detail: what.to_owned(),
        },
    )
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn binary(value: Option<&Value>, what: &str) -> Result<Vec<u8>, AppError> {
    value
        .and_then(Value::as_str)
        .and_then(decode_b64)
        .ok_or_else(|| bad(&format!("{what} is not base64url")))
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

pub fn challenge(options: &Value) -> Result<&str, AppError> {
    options
        .get("challenge")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no challenge"))
}

/// The options' `timeout` (ms) when it is sensible, never longer than `limit`.
fn timeout(options: &Value, limit: Duration) -> Duration {
    options
        .get("timeout")
        .and_then(Value::as_u64)
        .filter(|ms| *ms >= 10_000)
        .map_or(limit, |ms| Duration::from_millis(ms).min(limit))
}

fn ids(list: Option<&Value>) -> Result<Vec<Vec<u8>>, AppError> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|d| binary(d.get("id"), "a credential id"))
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

fn prf(options: &Value) -> Result<Option<Prf>, AppError> {
    let Some(eval) = options.pointer("/extensions/prf/eval") else {
        return Ok(None);
    };
    Ok(Some(Prf {
        first: binary(eval.get("first"), "extensions.prf.eval.first")?,
        second: eval
            .get("second")
            .map(|s| binary(Some(s), "extensions.prf.eval.second"))
            .transpose()?,
    }))
}

impl CreateRequest {
    pub fn parse(options: &Value, rp_id: &str, limit: Duration) -> Result<Self, AppError> {
        let user = options.get("user").ok_or_else(|| bad("no user"))?;
        let algorithms: Vec<i32> = options
            .get("pubKeyCredParams")
            .and_then(Value::as_array)
            .map(|params| {
                params
                    .iter()
                    .filter_map(|p| i32::try_from(p.get("alg")?.as_i64()?).ok())
                    .collect()
            })
            .unwrap_or_default();
        if algorithms.is_empty() {
            return Err(bad("no signature algorithm"));
        }
        let selection = options.get("authenticatorSelection");
        let field = |k: &str| selection.and_then(|s| s.get(k));
        let resident_key = match field("residentKey") {
            Some(v) => Requirement::parse(Some(v), Requirement::Preferred),
            None if field("requireResidentKey").and_then(Value::as_bool) == Some(true) => {
                Requirement::Required
            }
            // IBEx signs in without a user name: a discoverable credential is what it needs.
            None => Requirement::Preferred,
        };
        Ok(Self {
            rp_id: rp_id.to_owned(),
            rp_name: options
                .pointer("/rp/name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            user_id: binary(user.get("id"), "user.id")?,
            user_name: text(user, "name"),
            user_display_name: text(user, "displayName"),
            algorithms,
            exclude: ids(options.get("excludeCredentials"))?,
            user_verification: Requirement::parse(
                field("userVerification"),
                Requirement::Preferred,
            ),
            resident_key,
            timeout: timeout(options, limit),
            prf: prf(options)?,
        })
    }
}

impl GetRequest {
    pub fn parse(options: &Value, rp_id: &str, limit: Duration) -> Result<Self, AppError> {
        Ok(Self {
            rp_id: rp_id.to_owned(),
            allow: ids(options.get("allowCredentials"))?,
            user_verification: Requirement::parse(
                options.get("userVerification"),
                Requirement::Preferred,
            ),
            timeout: timeout(options, limit),
            prf: prf(options)?,
        })
    }
}

fn prf_json(enabled: Option<bool>, results: Option<&Prf>) -> Map<String, Value> {
    let mut extensions = Map::new();
    if enabled.is_none() && results.is_none() {
        return extensions;
    }
    let mut out = Map::new();
    if let Some(enabled) = enabled {
        out.insert("enabled".into(), json!(enabled));
    }
    if let Some(results) = results {
        let mut r = Map::new();
        r.insert("first".into(), json!(b64(&results.first)));
        if let Some(second) = &results.second {
            r.insert("second".into(), json!(b64(second)));
        }
        out.insert("results".into(), Value::Object(r));
    }
    extensions.insert("prf".into(), Value::Object(out));
    extensions
}

impl Attestation {
    /// `RegistrationResponseJSON`, as a browser's `toJSON()` writes it.
    pub fn to_json(&self, client_data: &ClientData) -> Value {
        let id = b64(&self.credential_id);
        let mut response = json!({
            "clientDataJSON": client_data.encoded(),
            "attestationObject": b64(&self.attestation_object),
            "authenticatorData": b64(&self.auth_data),
            "transports": self.transports,
        });
        if let Some((spki, alg)) = &self.public_key {
            response["publicKey"] = json!(b64(spki));
            response["publicKeyAlgorithm"] = json!(alg);
        }
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": self.attachment,
            "response": response,
            "clientExtensionResults": prf_json(self.prf_enabled, self.prf_results.as_ref()),
        })
    }
}

impl Assertion {
    /// `AuthenticationResponseJSON`, as a browser's `toJSON()` writes it.
    pub fn to_json(&self, client_data: &ClientData) -> Value {
        let id = b64(&self.credential_id);
        let mut response = json!({
            "clientDataJSON": client_data.encoded(),
            "authenticatorData": b64(&self.auth_data),
            "signature": b64(&self.signature),
        });
        if let Some(handle) = &self.user_handle {
            response["userHandle"] = json!(b64(handle));
        }
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": self.attachment,
            "response": response,
            "clientExtensionResults": prf_json(None, self.prf_results.as_ref()),
        })
    }
}

/// What a failed webauthn.dll call means (its HRESULTs, from webauthn.h), as the outcome the
/// wallet shows. Nothing was sent to IBEx in any of them.
#[cfg_attr(not(windows), allow(dead_code))] // called by windows.rs; tested here
pub fn windows_outcome(hresult: u32) -> AppError {
    match hresult {
        // NTE_USER_CANCELLED: the user closed the Windows Security dialog, or it timed out.
        0x8009_0036 => AppError::new(ErrorCode::PasskeyCancelled, Msg::WindowsPromptClosed),
        // NTE_NOT_FOUND: no passkey on this device or key for this wallet.
        0x8009_0011 => AppError::new(ErrorCode::KeyNotRegistered, Msg::WindowsNoPasskey),
        // NTE_EXISTS: an excluded credential is already on the authenticator.
        0x8009_000F => AppError::new(ErrorCode::Conflict, Msg::PasskeyAlreadyRegistered),
        // NTE_DEVICE_NOT_FOUND
        0x8009_0035 => AppError::new(ErrorCode::KeyNotFound, Msg::WindowsNoAuthenticator),
        // HRESULT_FROM_WIN32(ERROR_TIMEOUT)
        0x8007_05B4 => AppError::new(ErrorCode::PasskeyTimedOut, Msg::WindowsPromptTimedOut),
        other => AppError::new(
            ErrorCode::PasskeyUnsupported,
            Msg::WindowsRefused {
                hresult: format!("0x{other:08X}"),
            },
        ),
    }
}

/// The authenticator data inside an attestation object (CBOR `authData`), for an OS that
/// returns only the object (macOS).
#[cfg_attr(not(target_os = "macos"), allow(dead_code))] // called by macos.rs; tested here
pub fn auth_data_of(attestation_object: &[u8]) -> Result<Vec<u8>, AppError> {
    let unreadable = || {
        AppError::new(
            ErrorCode::BadResponse,
            Msg::AttestationNoAuthDataNothingSent,
        )
    };
    match serde_cbor::from_slice(attestation_object).map_err(|_| unreadable())? {
        serde_cbor::Value::Map(map) => match map.get(&serde_cbor::Value::Text("authData".into())) {
            Some(serde_cbor::Value::Bytes(data)) => Ok(data.clone()),
            _ => Err(unreadable()),
        },
        _ => Err(unreadable()),
    }
}

/// What a failed ASAuthorization request means (`ASAuthorizationError` codes, domain
/// `ASAuthorizationErrorDomain`; 0 for an error of another domain), as the outcome the wallet
/// shows. Nothing was sent to IBEx in any of them.
#[cfg_attr(not(target_os = "macos"), allow(dead_code))] // called by macos.rs; tested here
pub fn macos_outcome(code: isize) -> AppError {
    match code {
        // Canceled: the user closed the prompt (or the wallet cancelled it).
        1001 => AppError::new(ErrorCode::PasskeyCancelled, Msg::MacPromptClosed),
        // InvalidResponse
        1002 => AppError::new(ErrorCode::BadResponse, Msg::MacUnreadableAnswer),
        // NotHandled: no passkey of this wallet's on this Mac, iCloud Keychain or a phone.
        1003 => AppError::new(ErrorCode::KeyNotRegistered, Msg::MacNoPasskey),
        // Failed: most often the app is not associated with the rpId (entitlement or
        // apple-app-site-association missing).
        1004 => AppError::new(ErrorCode::PasskeyUnsupported, Msg::MacNotAssociated),
        // NotInteractive: the prompt could not be shown (the app is not in front).
        1005 => AppError::new(ErrorCode::PasskeyUnsupported, Msg::MacNotInteractive),
        // MatchedExcludedCredential
        1006 => AppError::new(ErrorCode::Conflict, Msg::PasskeyAlreadyRegistered),
        // DeviceNotConfiguredForPasskeyCreation: no iCloud Keychain / passcode on this Mac.
        1010 => AppError::new(ErrorCode::KeyNotFound, Msg::MacNotSetUp),
        other => AppError::new(
            ErrorCode::PasskeyUnsupported,
            Msg::MacRefused {
                error: other.to_string(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passkey::ceremony::ClientDataType;

    const LIMIT: Duration = Duration::from_secs(60);

    #[test]
    fn ibex_creation_options_parse_into_one_request() {
        let options = json!({
            "rp": {"id": "wallet.example.test", "name": "Wallet"},
            "user": {"id": "AQID", "name": "ada", "displayName": "Ada"},
            "challenge": "AAAA",
            "pubKeyCredParams": [{"alg": -7, "type": "public-key"}, {"alg": -257, "type": "public-key"}],
            "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
            "excludeCredentials": [{"id": "BAU", "type": "public-key"}],
            "timeout": 300000,
            "extensions": {"prf": {"eval": {"first": "+/8"}}},
        });
        let r = CreateRequest::parse(&options, "wallet.example.test", LIMIT).unwrap();
        assert_eq!(r.user_id, vec![1, 2, 3]);
        assert_eq!(r.algorithms, vec![-7, -257]);
        assert_eq!(r.exclude, vec![vec![4, 5]]);
        assert_eq!(r.resident_key, Requirement::Preferred);
        assert_eq!(r.timeout, LIMIT, "never longer than the backend allows");
        assert_eq!(r.prf.unwrap().first, vec![0xfb, 0xff]);
        let e = CreateRequest::parse(&json!({"user": {"id": "AQ"}}), "x", LIMIT).unwrap_err();
        assert!(e.message.contains("no signature algorithm"));
        let required = CreateRequest::parse(
            &json!({"user": {"id": "AQ"}, "pubKeyCredParams": [{"alg": -7}],
                    "authenticatorSelection": {"requireResidentKey": true}}),
            "x",
            LIMIT,
        )
        .unwrap();
        assert_eq!(required.resident_key, Requirement::Required);
    }

    #[test]
    fn windows_failures_are_named() {
        assert_eq!(
            windows_outcome(0x8009_0036).code,
            ErrorCode::PasskeyCancelled
        );
        assert_eq!(
            windows_outcome(0x8009_0011).code,
            ErrorCode::KeyNotRegistered
        );
        assert_eq!(windows_outcome(0x8009_000F).code, ErrorCode::Conflict);
        assert_eq!(
            windows_outcome(0x8007_05B4).code,
            ErrorCode::PasskeyTimedOut
        );
        assert!(windows_outcome(0x8000_4005).message.contains("0x80004005"));
    }

    #[test]
    fn request_options_parse_and_answers_become_browser_json() {
        let options = json!({"challenge": "AAAA", "rpId": "wallet.example.test",
            "userVerification": "required", "allowCredentials": [], "timeout": 20000});
        let r = GetRequest::parse(&options, "wallet.example.test", LIMIT).unwrap();
        assert_eq!(r.user_verification, Requirement::Required);
        assert!(r.allow.is_empty());
        assert_eq!(r.timeout, Duration::from_secs(20));

        let cd =
            ClientData::build(ClientDataType::Get, "AAAA", "https://wallet.example.test").unwrap();
        let json = Assertion {
            credential_id: vec![9],
            auth_data: vec![1],
            signature: vec![2],
            user_handle: Some(vec![3]),
            attachment: "cross-platform",
            prf_results: Some(Prf {
                first: vec![4],
                second: None,
            }),
        }
        .to_json(&cd);
        assert_eq!(json["id"], "CQ");
        assert_eq!(json["rawId"], "CQ");
        assert_eq!(json["response"]["userHandle"], "Aw");
        assert_eq!(json["response"]["clientDataJSON"], cd.encoded());
        assert_eq!(
            json["clientExtensionResults"]["prf"]["results"]["first"],
            "BA"
        );
        let reg = Attestation {
            credential_id: vec![9],
            attestation_object: vec![5],
            auth_data: vec![6],
            public_key: Some((vec![7], -7)),
            transports: vec!["usb"],
            attachment: "cross-platform",
            prf_enabled: Some(true),
            prf_results: None,
        }
        .to_json(&cd);
        assert_eq!(reg["response"]["publicKeyAlgorithm"], -7);
        assert_eq!(reg["response"]["transports"], json!(["usb"]));
        assert_eq!(reg["clientExtensionResults"]["prf"]["enabled"], true);
    }

    #[test]
    fn macos_failures_are_named() {
        assert_eq!(macos_outcome(1001).code, ErrorCode::PasskeyCancelled);
        assert_eq!(macos_outcome(1002).code, ErrorCode::BadResponse);
        assert_eq!(macos_outcome(1003).code, ErrorCode::KeyNotRegistered);
        assert!(macos_outcome(1004).message.contains("not associated"));
        assert!(macos_outcome(1005)
            .message
            .contains("bring the wallet to the front"));
        assert_eq!(macos_outcome(1006).code, ErrorCode::Conflict);
        assert_eq!(macos_outcome(1010).code, ErrorCode::KeyNotFound);
        // Another domain's error (0) or an unknown code is named with its number.
        assert!(macos_outcome(0).message.contains("error 0"));
        assert_eq!(macos_outcome(1000).code, ErrorCode::PasskeyUnsupported);
    }

    #[test]
    fn an_os_built_registration_becomes_browser_json_the_checks_accept() {
        use crate::passkey::ceremony::check_client_data;
        use p256::ecdsa::SigningKey;
        use serde_cbor::Value as Cbor;
        use sha2::Digest;
        use std::collections::BTreeMap;

        // What ASAuthorization returns: its own clientDataJSON (with a field we do not write)
        // and a "none" attestation object around authenticator data for a new credential.
        let client_json = br#"{"type":"webauthn.create","challenge":"AQID","origin":"https://wallet.example.test","crossOrigin":false,"other_keys_can_be_added_here":"x"}"#;
        let rp_hash: [u8; 32] = sha2::Sha256::digest(b"wallet.example.test").into();
        let point = SigningKey::from_slice(&[7; 32])
            .unwrap()
            .verifying_key()
            .to_encoded_point(false);
        let mut cose = BTreeMap::new();
        cose.insert(Cbor::Integer(1), Cbor::Integer(2));
        cose.insert(Cbor::Integer(3), Cbor::Integer(-7));
        cose.insert(Cbor::Integer(-1), Cbor::Integer(1));
        cose.insert(Cbor::Integer(-2), Cbor::Bytes(point.x().unwrap().to_vec()));
        cose.insert(Cbor::Integer(-3), Cbor::Bytes(point.y().unwrap().to_vec()));
        let credential_id = vec![0xc1; 16];
        let mut auth_data = rp_hash.to_vec();
        auth_data.push(0x45); // UP, UV, AT
        auth_data.extend([0, 0, 0, 0]);
        auth_data.extend([0; 16]); // AAGUID
        auth_data.extend((credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&credential_id);
        auth_data.extend(serde_cbor::to_vec(&Cbor::Map(cose)).unwrap());
        let mut object = BTreeMap::new();
        object.insert(Cbor::Text("fmt".into()), Cbor::Text("none".into()));
        object.insert(Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new()));
        object.insert(
            Cbor::Text("authData".into()),
            Cbor::Bytes(auth_data.clone()),
        );
        let object = serde_cbor::to_vec(&Cbor::Map(object)).unwrap();

        assert_eq!(auth_data_of(&object).unwrap(), auth_data);
        assert_eq!(
            auth_data_of(b"not cbor").unwrap_err().code,
            ErrorCode::BadResponse
        );
        let client_data = ClientData::from_os(client_json.to_vec());
        let json = Attestation {
            credential_id: credential_id.clone(),
            auth_data: auth_data_of(&object).unwrap(),
            attestation_object: object,
            transports: vec!["hybrid", "internal"],
            attachment: "platform",
            prf_enabled: Some(true),
            ..Default::default()
        }
        .to_json(&client_data);
        assert_eq!(
            json["response"]["clientDataJSON"],
            URL_SAFE_NO_PAD.encode(client_json)
        );
        assert_eq!(json["authenticatorAttachment"], "platform");
        assert_eq!(json["clientExtensionResults"]["prf"]["enabled"], true);
        // The core's checks run on it as on every native answer.
        let origin = crate::passkey::native::origin_for("wallet.example.test");
        assert_eq!(
            check_client_data(&json, ClientDataType::Create, "AQID", Some(&origin)).unwrap(),
            "https://wallet.example.test"
        );
        assert!(
            crate::passkey::verify::registration(&json, "wallet.example.test", true)
                .unwrap()
                .is_some()
        );
        // An answer for another rpId's page is refused.
        let elsewhere = crate::passkey::native::origin_for("evil.example");
        assert!(
            check_client_data(&json, ClientDataType::Create, "AQID", Some(&elsewhere)).is_err()
        );
        assert!(crate::passkey::verify::registration(&json, "evil.example", true).is_err());
    }
}
