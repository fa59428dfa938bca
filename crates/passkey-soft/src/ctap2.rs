//! A software CTAP2 security key: what a FIDO2 key does on the other end of USB, answering
//! Mozilla's `authenticator` CTAP2 client (the code that drives real keys) as a virtual device.
//! ES256 credentials (discoverable), a client PIN with retries and lock-out, user presence
//! that can be given, refused or never come, and key selection among several keys.
//!
//! The PIN protocol's shared secret is the one the client established on this same device
//! object (`set_shared_secret`), so the key decrypts the PIN hash with it as a real key would
//! with its half of the ECDH exchange.

use std::sync::{Arc, Mutex, MutexGuard};

use authenticator::crypto::{COSEAlgorithm, COSEEC2Key, COSEKey, COSEKeyType, Curve, SharedSecret};
use authenticator::ctap2::attestation::{
    AAGuid, AttestationObject, AttestationStatement, AttestationStatementPacked,
    AttestedCredentialData, AuthenticatorData, AuthenticatorDataFlags, Extension,
};
use authenticator::ctap2::client_data::ClientDataHash;
use authenticator::ctap2::commands::client_pin::{ClientPIN, ClientPinResponse, PINSubcommand};
use authenticator::ctap2::commands::get_assertion::{
    GetAssertion, GetAssertionResponse, GetAssertionResult,
};
use authenticator::ctap2::commands::get_info::{
    AuthenticatorInfo, AuthenticatorOptions, AuthenticatorVersion,
};
use authenticator::ctap2::commands::get_version::{GetVersion, U2FInfo};
use authenticator::ctap2::commands::make_credentials::{MakeCredentials, MakeCredentialsResult};
use authenticator::ctap2::commands::reset::Reset;
use authenticator::ctap2::commands::selection::Selection;
use authenticator::ctap2::commands::{CommandError, RequestCtap1, RequestCtap2, StatusCode};
use authenticator::ctap2::preflight::CheckKeyHandle;
use authenticator::ctap2::server::{
    AuthenticatorAttachment, PublicKeyCredentialDescriptor, PublicKeyCredentialUserEntity,
    RelyingParty,
};
use authenticator::errors::HIDError;
use authenticator::{FidoDevice, FidoDeviceIO, FidoProtocol, VirtualFidoDevice};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// This key model's AAGUID ("ibex-soft-ctap2!").
const AAGUID: AAGuid = AAGuid(*b"ibex-soft-ctap2!");
/// PIN attempts a key allows before it locks (CTAP 2.1 §6.5.2.1).
pub const PIN_RETRIES: u8 = 8;

/// What the person at the key does when it blinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// Touches it.
    Accept,
    /// Presses "no" (a key with a display) or the ceremony is denied: `OPERATION_DENIED`.
    Decline,
    /// Walks away: the key gives up with `USER_ACTION_TIMEOUT`.
    Ignore,
}

struct Credential {
    id: Vec<u8>,
    rp_id: String,
    user_handle: Vec<u8>,
    key: SigningKey,
    counter: u32,
}

struct KeyState {
    /// LEFT(SHA-256(PIN), 16), as a key stores it.
    pin_hash: Option<Vec<u8>>,
    retries: u8,
    touch: Touch,
    pin_token: [u8; 32],
    credentials: Vec<Credential>,
}

/// One security key; clones are the same key (plug it into a [`crate::ctap2`] transport).
#[derive(Clone)]
pub struct SoftKey(Arc<Mutex<KeyState>>);

impl std::fmt::Debug for SoftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("SoftKey")
            .field("pin_set", &state.pin_hash.is_some())
            .field("retries", &state.retries)
            .field("credentials", &state.credentials.len())
            .finish()
    }
}

impl Default for SoftKey {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftKey {
    /// A key with no PIN that the user touches.
    pub fn new() -> Self {
        let mut pin_token = [0u8; 32];
        OsRng.fill_bytes(&mut pin_token);
        Self(Arc::new(Mutex::new(KeyState {
            pin_hash: None,
            retries: PIN_RETRIES,
            touch: Touch::Accept,
            pin_token,
            credentials: Vec::new(),
        })))
    }

    /// Sets the key's PIN (the key's own set-up, done once by its owner).
    pub fn with_pin(self, pin: &str) -> Self {
        self.state().pin_hash = Some(Sha256::digest(pin.as_bytes())[..16].to_vec());
        self
    }

    pub fn set_touch(&self, touch: Touch) {
        self.state().touch = touch;
    }

    pub fn pin_retries(&self) -> u8 {
        self.state().retries
    }

    /// Credential ids (raw) held for `rp_id`.
    pub fn credential_ids(&self, rp_id: &str) -> Vec<Vec<u8>> {
        self.state()
            .credentials
            .iter()
            .filter(|c| c.rp_id == rp_id)
            .map(|c| c.id.clone())
            .collect()
    }

    /// The device the CTAP2 client talks to for one ceremony.
    pub fn device(&self) -> SoftKeyDevice {
        SoftKeyDevice {
            key: self.clone(),
            protocol: FidoProtocol::CTAP2,
            info: None,
            shared_secret: None,
        }
    }

    fn state(&self) -> MutexGuard<'_, KeyState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A [`SoftKey`] as the CTAP2 client sees it: a `FidoDevice` whose messages are answered in
/// process instead of over HID.
#[derive(Debug)]
pub struct SoftKeyDevice {
    key: SoftKey,
    protocol: FidoProtocol,
    info: Option<AuthenticatorInfo>,
    shared_secret: Option<SharedSecret>,
}

fn status(code: StatusCode) -> HIDError {
    HIDError::Command(CommandError::StatusCode(code, None))
}

impl SoftKeyDevice {
    /// The user-presence test: a touch, a refusal, or nothing.
    fn presence(&self) -> Result<(), HIDError> {
        match self.key.state().touch {
            Touch::Accept => Ok(()),
            Touch::Decline => Err(status(StatusCode::OperationDenied)),
            Touch::Ignore => Err(status(StatusCode::UserActionTimeout)),
        }
    }

    fn pin_token_request(&self, req: &ClientPIN) -> Result<ClientPinResponse, HIDError> {
        let secret = self.shared_secret.as_ref().ok_or(HIDError::DeviceError)?;
        let mut state = self.key.state();
        let Some(stored) = state.pin_hash.clone() else {
            return Err(status(StatusCode::PinNotSet));
        };
        if state.retries == 0 {
            return Err(status(StatusCode::PinBlocked));
        }
        let offered = req
            .pin_hash_enc
            .as_deref()
            .and_then(|enc| secret.decrypt(enc).ok())
            .ok_or(status(StatusCode::PinAuthInvalid))?;
        if offered != stored {
            state.retries -= 1;
            return Err(status(if state.retries == 0 {
                StatusCode::PinBlocked
            } else {
                StatusCode::PinInvalid
            }));
        }
        state.retries = PIN_RETRIES;
        let token = secret
            .encrypt(&state.pin_token)
            .map_err(|_| HIDError::DeviceError)?;
        Ok(ClientPinResponse {
            pin_token: Some(token),
            ..ClientPinResponse::default()
        })
    }

    /// The flags every answer carries: present (touched), verified when a PIN token was used.
    fn flags(&self, verified: bool) -> AuthenticatorDataFlags {
        let mut flags = AuthenticatorDataFlags::USER_PRESENT;
        if verified {
            flags |= AuthenticatorDataFlags::USER_VERIFIED;
        }
        flags
    }

    /// A key with a PIN refuses to sign without it when the client asked for verification.
    fn verified(&self, uv_option: Option<bool>, has_pin_param: bool) -> Result<bool, HIDError> {
        if uv_option == Some(true) && !has_pin_param {
            // No built-in biometrics: "uv" can only be satisfied with a PIN token.
            return Err(status(StatusCode::InvalidOption));
        }
        Ok(has_pin_param)
    }
}

fn cose_p256(key: &p256::ecdsa::VerifyingKey, alg: COSEAlgorithm) -> COSEKey {
    let point = key.to_encoded_point(false);
    COSEKey {
        alg,
        key: COSEKeyType::EC2(COSEEC2Key {
            curve: Curve::SECP256R1,
            x: point.x().expect("uncompressed").to_vec(),
            y: point.y().expect("uncompressed").to_vec(),
        }),
    }
}

fn sign(key: &SigningKey, auth_data: &AuthenticatorData, hash: &ClientDataHash) -> Vec<u8> {
    let mut signed = auth_data.to_vec();
    signed.extend_from_slice(hash.as_ref());
    let signature: DerSignature = key.sign(&signed);
    signature.as_bytes().to_vec()
}

impl FidoDevice for SoftKeyDevice {
    fn pre_init(&mut self) -> Result<(), HIDError> {
        Ok(())
    }
    fn initialized(&self) -> bool {
        true
    }
    fn is_u2f(&mut self) -> bool {
        true
    }
    fn should_try_ctap2(&self) -> bool {
        true
    }
    fn get_authenticator_info(&self) -> Option<&AuthenticatorInfo> {
        self.info.as_ref()
    }
    fn set_authenticator_info(&mut self, info: AuthenticatorInfo) {
        self.info = Some(info);
    }
    fn get_protocol(&self) -> FidoProtocol {
        self.protocol
    }
    fn downgrade_to_ctap1(&mut self) {
        self.protocol = FidoProtocol::CTAP1;
    }
    fn get_shared_secret(&self) -> Option<&SharedSecret> {
        self.shared_secret.as_ref()
    }
    fn set_shared_secret(&mut self, secret: SharedSecret) {
        self.shared_secret = Some(secret);
    }
}

impl FidoDeviceIO for SoftKeyDevice {
    fn send_msg_cancellable<Out, Req: RequestCtap1<Output = Out> + RequestCtap2<Output = Out>>(
        &mut self,
        msg: &Req,
        keep_alive: &dyn Fn() -> bool,
    ) -> Result<Out, HIDError> {
        self.send_cbor_cancellable(msg, keep_alive)
    }

    fn send_cbor_cancellable<Req: RequestCtap2>(
        &mut self,
        msg: &Req,
        keep_alive: &dyn Fn() -> bool,
    ) -> Result<Req::Output, HIDError> {
        if !keep_alive() {
            return Err(status(StatusCode::KeepaliveCancel));
        }
        msg.send_to_virtual_device(self)
    }

    fn send_ctap1_cancellable<Req: RequestCtap1>(
        &mut self,
        _msg: &Req,
        _keep_alive: &dyn Fn() -> bool,
    ) -> Result<Req::Output, HIDError> {
        Err(HIDError::UnsupportedCommand)
    }
}

impl VirtualFidoDevice for SoftKeyDevice {
    fn check_key_handle(&self, req: &CheckKeyHandle) -> Result<(), HIDError> {
        let state = self.key.state();
        let known = state
            .credentials
            .iter()
            .any(|c| c.id == req.key_handle && c.rp_id == req.rp.id);
        known.then_some(()).ok_or(HIDError::DeviceError)
    }

    fn client_pin(&self, req: &ClientPIN) -> Result<ClientPinResponse, HIDError> {
        match req.subcommand {
            PINSubcommand::GetPinRetries => Ok(ClientPinResponse {
                pin_retries: Some(self.key.state().retries),
                ..ClientPinResponse::default()
            }),
            PINSubcommand::GetKeyAgreement => {
                let key = SigningKey::random(&mut OsRng);
                Ok(ClientPinResponse {
                    key_agreement: Some(cose_p256(
                        key.verifying_key(),
                        COSEAlgorithm::ECDH_ES_HKDF256,
                    )),
                    ..ClientPinResponse::default()
                })
            }
            PINSubcommand::GetPINToken
            | PINSubcommand::GetPinUvAuthTokenUsingPinWithPermissions => {
                self.pin_token_request(req)
            }
            _ => Err(HIDError::UnsupportedCommand),
        }
    }

    fn get_assertion(&self, req: &GetAssertion) -> Result<Vec<GetAssertionResult>, HIDError> {
        let verified = self.verified(
            req.options.user_verification,
            req.pin_uv_auth_param.is_some(),
        )?;
        let presence = req.options.user_presence.unwrap_or(true);
        let rp_hash = req.rp.hash();
        let state = self.key.state();
        let position = state.credentials.iter().rposition(|c| {
            RelyingParty::from(c.rp_id.as_str()).hash() == rp_hash
                && (req.allow_list.is_empty() || req.allow_list.iter().any(|d| d.id == c.id))
        });
        let Some(index) = position else {
            return Err(status(StatusCode::NoCredentials));
        };
        if !presence {
            // The client's silent pre-flight: does this key hold one of the credentials?
            drop(state);
            let credential = &self.key.state().credentials[index];
            return Ok(vec![GetAssertionResult {
                assertion: GetAssertionResponse {
                    credentials: Some(PublicKeyCredentialDescriptor {
                        id: credential.id.clone(),
                        transports: vec![],
                    }),
                    auth_data: AuthenticatorData {
                        rp_id_hash: rp_hash,
                        flags: AuthenticatorDataFlags::empty(),
                        counter: credential.counter,
                        credential_data: None,
                        extensions: Extension::default(),
                    },
                    signature: vec![],
                    user: None,
                    number_of_credentials: Some(1),
                }
                .into(),
                attachment: AuthenticatorAttachment::CrossPlatform,
                extensions: Default::default(),
            }]);
        }
        drop(state);
        self.presence()?;
        let mut state = self.key.state();
        let credential = &mut state.credentials[index];
        credential.counter += 1;
        let auth_data = AuthenticatorData {
            rp_id_hash: rp_hash,
            flags: self.flags(verified),
            counter: credential.counter,
            credential_data: None,
            extensions: Extension::default(),
        };
        let signature = sign(&credential.key, &auth_data, &req.client_data_hash);
        Ok(vec![GetAssertionResult {
            assertion: GetAssertionResponse {
                credentials: Some(PublicKeyCredentialDescriptor {
                    id: credential.id.clone(),
                    transports: vec![],
                }),
                auth_data,
                signature,
                user: Some(PublicKeyCredentialUserEntity {
                    id: credential.user_handle.clone(),
                    ..PublicKeyCredentialUserEntity::default()
                }),
                number_of_credentials: Some(1),
            }
            .into(),
            attachment: AuthenticatorAttachment::CrossPlatform,
            extensions: Default::default(),
        }])
    }

    fn get_info(&self) -> Result<AuthenticatorInfo, HIDError> {
        let pin_set = self.key.state().pin_hash.is_some();
        Ok(AuthenticatorInfo {
            versions: vec![
                AuthenticatorVersion::FIDO_2_0,
                AuthenticatorVersion::FIDO_2_1,
            ],
            aaguid: AAGUID,
            options: AuthenticatorOptions {
                resident_key: true,
                client_pin: Some(pin_set),
                pin_uv_auth_token: Some(true),
                user_verification: None,
                ..AuthenticatorOptions::default()
            },
            pin_protocols: Some(vec![2, 1]),
            transports: Some(vec!["usb".into()]),
            ..AuthenticatorInfo::default()
        })
    }

    fn get_version(&self, _req: &GetVersion) -> Result<U2FInfo, HIDError> {
        Err(HIDError::UnsupportedCommand)
    }

    fn make_credentials(&self, req: &MakeCredentials) -> Result<MakeCredentialsResult, HIDError> {
        if !req
            .pub_cred_params
            .iter()
            .any(|p| p.alg == COSEAlgorithm::ES256)
        {
            return Err(status(StatusCode::UnsupportedAlgorithm));
        }
        let verified = self.verified(
            req.options.user_verification,
            req.pin_uv_auth_param.is_some(),
        )?;
        let excluded = {
            let state = self.key.state();
            req.exclude_list
                .iter()
                .any(|d| state.credentials.iter().any(|c| c.id == d.id))
        };
        if excluded {
            // CTAP 2.1 §6.1.2 step 12: a touch first, so the user sees which key it was.
            self.presence()?;
            return Err(status(StatusCode::CredentialExcluded));
        }
        self.presence()?;
        let key = SigningKey::random(&mut OsRng);
        let mut id = vec![0u8; 32];
        OsRng.fill_bytes(&mut id);
        let auth_data = AuthenticatorData {
            rp_id_hash: req.rp.hash(),
            flags: self.flags(verified) | AuthenticatorDataFlags::ATTESTED,
            counter: 0,
            credential_data: Some(AttestedCredentialData {
                aaguid: AAGUID,
                credential_id: id.clone(),
                credential_public_key: cose_p256(key.verifying_key(), COSEAlgorithm::ES256),
            }),
            extensions: Extension::default(),
        };
        let sig = sign(&key, &auth_data, &req.client_data_hash);
        let user_handle = req.user.as_ref().map(|u| u.id.clone()).unwrap_or_default();
        let mut state = self.key.state();
        // A discoverable credential replaces the key's older one for the same account.
        state
            .credentials
            .retain(|c| !(c.rp_id == req.rp.id && c.user_handle == user_handle));
        state.credentials.push(Credential {
            id,
            rp_id: req.rp.id.clone(),
            user_handle,
            key,
            counter: 0,
        });
        Ok(MakeCredentialsResult {
            att_obj: AttestationObject {
                auth_data,
                att_stmt: AttestationStatement::Packed(AttestationStatementPacked {
                    alg: COSEAlgorithm::ES256,
                    sig: sig.as_slice().into(),
                    attestation_cert: vec![],
                }),
            },
            attachment: AuthenticatorAttachment::CrossPlatform,
            extensions: Default::default(),
        })
    }

    fn reset(&self, _req: &Reset) -> Result<(), HIDError> {
        Err(HIDError::UnsupportedCommand)
    }

    fn selection(&self, _req: &Selection) -> Result<(), HIDError> {
        self.presence()
    }
}
