//! CTAP2 security keys through Mozilla's `authenticator` crate (the CTAP2 client Firefox
//! uses): the core builds clientDataJSON and hands the key only its SHA-256, asks for the
//! key's PIN in the wallet's own UI (with the retries left), lets the user pick a key when
//! several are plugged in (touch the one to use), and checks the answer before it is posted.
//!
//! The transport is the only thing that differs between a real key and the test key: USB HID
//! ([`UsbKeys`], the library's device discovery and key selection) or the software key of
//! `passkey-soft` (test builds). Both run the library's same CTAP2 client code
//! (`ctap2::register` / `ctap2::sign`: PIN protocol, pre-flight, extensions) and everything
//! in this file.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use authenticator::authenticatorservice::{RegisterArgs, SignArgs};
use authenticator::ctap2::commands::StatusCode;
use authenticator::ctap2::server::{
    AuthenticationExtensionsClientInputs, AuthenticationExtensionsClientOutputs,
    AuthenticationExtensionsPRFInputs, AuthenticationExtensionsPRFValues,
    PublicKeyCredentialDescriptor, PublicKeyCredentialParameters, PublicKeyCredentialUserEntity,
    RelyingParty, ResidentKeyRequirement, UserVerificationRequirement,
};
use authenticator::errors::{AuthenticatorError, CommandError, HIDError, PinError};
use authenticator::statecallback::StateCallback;
use authenticator::{Pin, RegisterResult, SignResult, StatusPinUv, StatusUpdate};
use p256::ecdsa::VerifyingKey;
use serde::Serialize;
use serde_json::Value;

use super::client_data::ClientData;
use super::request::{
    challenge, Assertion, Attestation, CreateRequest, GetRequest, Prf, Requirement,
};
use super::verify;
use crate::error::{AppError, ErrorCode};
use crate::events::{CoreEvent, EventSink};
use crate::messages::Msg;
use crate::passkey::ceremony::ClientDataType;
use crate::passkey::native::ProviderKind;
use crate::passkey::native::{origin_for, Answer, BoxFuture, NativeBackend};
use crate::sync::lock;

/// How long a ceremony waits for a key (a browser gives about as long).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub type Callback<T> = StateCallback<authenticator::Result<T>>;

/// Where CTAP2 requests go: real keys over USB HID, or the test key.
pub trait KeyTransport: Send + Sync {
    fn register(
        &self,
        timeout: Duration,
        args: RegisterArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<RegisterResult>,
    ) -> Result<(), AuthenticatorError>;
    fn sign(
        &self,
        timeout: Duration,
        args: SignArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<SignResult>,
    ) -> Result<(), AuthenticatorError>;
    fn cancel(&self);
}

/// What the key needs from the user right now, for the wallet's prompt.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum KeyPrompt {
    /// Several keys are plugged in: touch the one to use.
    SelectKey,
    /// Touch the key (it blinks).
    Touch,
    /// Enter the key's PIN (`passkey_key_pin`); after a wrong one, with the retries left.
    Pin {
        wrong: bool,
        #[serde(rename = "attemptsLeft")]
        attempts_left: Option<u8>,
    },
    /// The key is done (signed, refused or gone): close the prompt; the command that
    /// started the ceremony reports the outcome.
    Finished,
}

/// What the status thread saw during one ceremony, for naming the outcome.
#[derive(Default)]
struct Progress {
    /// A key answered at all (asked for a touch, a PIN, a selection).
    key_seen: AtomicBool,
    pin_blocked: AtomicBool,
}

pub struct SecurityKeyBackend {
    transport: Box<dyn KeyTransport>,
    events: Arc<dyn EventSink>,
    timeout: Duration,
    /// The key waiting for a PIN, if any (set by the status thread).
    pin: Arc<Mutex<Option<Sender<Pin>>>>,
    cancelled: Arc<AtomicBool>,
    /// A ceremony is waiting on a key.
    active: AtomicBool,
    /// Public keys of credentials registered through this backend, by raw id: their
    /// assertions are signature-checked before they are posted.
    known: Mutex<HashMap<Vec<u8>, VerifyingKey>>,
}

impl SecurityKeyBackend {
    pub fn new(
        transport: Box<dyn KeyTransport>,
        events: Arc<dyn EventSink>,
        timeout: Duration,
    ) -> Self {
        Self {
            transport,
            events,
            timeout,
            pin: Arc::new(Mutex::new(None)),
            cancelled: Arc::new(AtomicBool::new(false)),
            active: AtomicBool::new(false),
            known: Mutex::new(HashMap::new()),
        }
    }

    /// The PIN the user typed for the key that asked; false when no key is waiting for one.
    pub fn submit_pin(&self, pin: &str) -> bool {
        lock(&self.pin)
            .take()
            .is_some_and(|tx| tx.send(Pin::new(pin)).is_ok())
    }

    /// Runs one ceremony on the transport; the status thread turns the library's updates
    /// into prompts until the transaction ends.
    async fn run<T: Send + 'static>(
        &self,
        start: impl FnOnce(Sender<StatusUpdate>, Callback<T>) -> Result<(), AuthenticatorError>,
    ) -> Result<T, AppError> {
        self.cancelled.store(false, Ordering::SeqCst);
        let progress = Arc::new(Progress::default());
        let (status_tx, status_rx) = channel::<StatusUpdate>();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let callback = StateCallback::new(Box::new(move |result| {
            let _ = done_tx.send(result);
        }));
        let watcher = StatusWatcher {
            events: self.events.clone(),
            progress: progress.clone(),
            pin: self.pin.clone(),
        };
        std::thread::spawn(move || watcher.watch(status_rx));
        start(status_tx, callback).map_err(|e| describe(e, &progress, false))?;
        self.active.store(true, Ordering::SeqCst);
        let result = done_rx.await;
        self.active.store(false, Ordering::SeqCst);
        lock(&self.pin).take();
        self.events.emit(CoreEvent::SecurityKey {
            prompt: KeyPrompt::Finished,
        });
        let cancelled = self.cancelled.load(Ordering::SeqCst);
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(describe(e, &progress, cancelled)),
            Err(_) => Err(AppError::internal(Msg::KeyNoAnswer)),
        }
    }
}

struct StatusWatcher {
    events: Arc<dyn EventSink>,
    progress: Arc<Progress>,
    pin: Arc<Mutex<Option<Sender<Pin>>>>,
}

impl StatusWatcher {
    fn watch(self, updates: std::sync::mpsc::Receiver<StatusUpdate>) {
        // Ends when the transaction drops its sender.
        for update in updates {
            let prompt = match update {
                StatusUpdate::SelectDeviceNotice => KeyPrompt::SelectKey,
                StatusUpdate::PresenceRequired => KeyPrompt::Touch,
                StatusUpdate::PinUvError(StatusPinUv::PinRequired(tx)) => {
                    *lock(&self.pin) = Some(tx);
                    KeyPrompt::Pin {
                        wrong: false,
                        attempts_left: None,
                    }
                }
                StatusUpdate::PinUvError(StatusPinUv::InvalidPin(tx, left)) => {
                    *lock(&self.pin) = Some(tx);
                    KeyPrompt::Pin {
                        wrong: true,
                        attempts_left: left,
                    }
                }
                StatusUpdate::PinUvError(StatusPinUv::PinBlocked | StatusPinUv::PinAuthBlocked) => {
                    self.progress.pin_blocked.store(true, Ordering::SeqCst);
                    continue;
                }
                StatusUpdate::SelectResultNotice(tx, _accounts) => {
                    // One wallet per tenant: the key's newest account for this rpId.
                    let _ = tx.send(Some(0));
                    continue;
                }
                _ => continue,
            };
            self.progress.key_seen.store(true, Ordering::SeqCst);
            self.events.emit(CoreEvent::SecurityKey { prompt });
        }
    }
}

impl NativeBackend for SecurityKeyBackend {
    fn kind(&self) -> ProviderKind {
        ProviderKind::SecurityKey
    }

    fn create<'a>(
        &'a self,
        options: &'a Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let origin = origin_for(rp_id);
            let client_data =
                ClientData::build(ClientDataType::Create, challenge(options)?, &origin)?;
            let request = CreateRequest::parse(options, rp_id, self.timeout)?;
            let args = register_args(&request, &origin, client_data.hash);
            let result = self
                .run(|status, callback| {
                    self.transport
                        .register(request.timeout, args, status, callback)
                })
                .await?;
            let credential = attestation(&result)?.to_json(&client_data);
            if let Some(key) =
                verify::registration(&credential, rp_id, verify::requires_uv(options))?
            {
                if let Some(data) = &result.att_obj.auth_data.credential_data {
                    lock(&self.known).insert(data.credential_id.clone(), key);
                }
            }
            Ok(Answer { credential, origin })
        })
    }

    fn get<'a>(
        &'a self,
        options: &'a Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let origin = origin_for(rp_id);
            let client_data = ClientData::build(ClientDataType::Get, challenge(options)?, &origin)?;
            let request = GetRequest::parse(options, rp_id, self.timeout)?;
            let args = sign_args(&request, &origin, client_data.hash);
            let result = self
                .run(|status, callback| {
                    self.transport.sign(request.timeout, args, status, callback)
                })
                .await?;
            let answer = assertion(&result, &request.allow)?;
            let credential = answer.to_json(&client_data);
            let uv_required = request.user_verification == Requirement::Required;
            if uv_required && !verify::user_verified(&credential) {
                return Err(AppError::new(ErrorCode::KeyPinNotSet, Msg::KeyPinNotSet));
            }
            let key = lock(&self.known).get(&answer.credential_id).copied();
            verify::assertion(&credential, rp_id, uv_required, key.as_ref())?;
            Ok(Answer { credential, origin })
        })
    }

    fn cancel(&self) -> bool {
        if !self.active.load(Ordering::SeqCst) {
            return false;
        }
        self.cancelled.store(true, Ordering::SeqCst);
        // Dropping the PIN request's sender ends a ceremony waiting on the PIN prompt.
        drop(lock(&self.pin).take());
        self.transport.cancel();
        true
    }
}

fn descriptors(ids: &[Vec<u8>]) -> Vec<PublicKeyCredentialDescriptor> {
    ids.iter()
        .map(|id| PublicKeyCredentialDescriptor {
            id: id.clone(),
            transports: vec![],
        })
        .collect()
}

fn user_verification(r: Requirement) -> UserVerificationRequirement {
    match r {
        Requirement::Required => UserVerificationRequirement::Required,
        Requirement::Preferred => UserVerificationRequirement::Preferred,
        Requirement::Discouraged => UserVerificationRequirement::Discouraged,
    }
}

/// The library turns PRF inputs into hmac-secret salts (and back).
fn extensions(prf: Option<&Prf>) -> AuthenticationExtensionsClientInputs {
    AuthenticationExtensionsClientInputs {
        prf: prf.map(|p| AuthenticationExtensionsPRFInputs {
            eval: Some(AuthenticationExtensionsPRFValues {
                first: p.first.clone(),
                second: p.second.clone(),
            }),
            eval_by_credential: None,
        }),
        ..AuthenticationExtensionsClientInputs::default()
    }
}

fn register_args(
    request: &CreateRequest,
    origin: &str,
    client_data_hash: [u8; 32],
) -> RegisterArgs {
    RegisterArgs {
        client_data_hash,
        relying_party: RelyingParty {
            id: request.rp_id.clone(),
            name: request.rp_name.clone(),
        },
        origin: origin.to_owned(),
        user: PublicKeyCredentialUserEntity {
            id: request.user_id.clone(),
            name: request.user_name.clone(),
            display_name: request.user_display_name.clone(),
        },
        // Algorithms the library knows (ES256, EdDSA, RS256, …), in the server's order.
        pub_cred_params: request
            .algorithms
            .iter()
            .filter_map(|alg| PublicKeyCredentialParameters::try_from(*alg).ok())
            .collect(),
        exclude_list: descriptors(&request.exclude),
        user_verification_req: user_verification(request.user_verification),
        resident_key_req: match request.resident_key {
            Requirement::Required => ResidentKeyRequirement::Required,
            Requirement::Preferred => ResidentKeyRequirement::Preferred,
            Requirement::Discouraged => ResidentKeyRequirement::Discouraged,
        },
        extensions: extensions(request.prf.as_ref()),
        pin: None,
        use_ctap1_fallback: false,
    }
}

fn sign_args(request: &GetRequest, origin: &str, client_data_hash: [u8; 32]) -> SignArgs {
    SignArgs {
        client_data_hash,
        origin: origin.to_owned(),
        relying_party_id: request.rp_id.clone(),
        allow_list: descriptors(&request.allow),
        user_verification_req: user_verification(request.user_verification),
        user_presence_req: true,
        extensions: extensions(request.prf.as_ref()),
        pin: None,
        use_ctap1_fallback: false,
    }
}

fn prf_results(outputs: &AuthenticationExtensionsClientOutputs) -> (Option<bool>, Option<Prf>) {
    let Some(prf) = &outputs.prf else {
        return (None, None);
    };
    let results = prf.results.as_ref().map(|r| Prf {
        first: r.first.clone(),
        second: r.second.clone(),
    });
    (prf.enabled, results)
}

fn attestation(result: &RegisterResult) -> Result<Attestation, AppError> {
    let auth_data = &result.att_obj.auth_data;
    let credential = auth_data
        .credential_data
        .as_ref()
        .ok_or_else(|| AppError::new(ErrorCode::PasskeyRefused, Msg::KeyNoCredential))?;
    let attestation_object = serde_cbor::to_vec(&result.att_obj).map_err(|e| {
        AppError::internal(Msg::Unexpected {
            detail: format!("attestation object: {e}"),
        })
    })?;
    let key = &credential.credential_public_key;
    let public_key =
        key.der_spki()
            .ok()
            .and_then(|spki| match serde_cbor::value::to_value(key.alg) {
                Ok(serde_cbor::Value::Integer(alg)) => Some((spki, i64::try_from(alg).ok()?)),
                _ => None,
            });
    let (prf_enabled, prf_results) = prf_results(&result.extensions);
    Ok(Attestation {
        credential_id: credential.credential_id.clone(),
        attestation_object,
        auth_data: auth_data.to_vec(),
        public_key,
        transports: vec!["usb"],
        attachment: "cross-platform",
        prf_enabled,
        prf_results,
    })
}

fn assertion(result: &SignResult, allowed: &[Vec<u8>]) -> Result<Assertion, AppError> {
    let assertion = &result.assertion;
    // CTAP 2.0 keys may omit the id when the allow list named exactly one credential.
    let credential_id = assertion
        .credentials
        .as_ref()
        .map(|d| d.id.clone())
        .or_else(|| (allowed.len() == 1).then(|| allowed[0].clone()))
        .ok_or_else(|| AppError::new(ErrorCode::PasskeyRefused, Msg::KeyNoCredentialId))?;
    Ok(Assertion {
        credential_id,
        auth_data: assertion.auth_data.to_vec(),
        signature: assertion.signature.clone(),
        user_handle: assertion.user.as_ref().map(|u| u.id.clone()),
        attachment: "cross-platform",
        prf_results: prf_results(&result.extensions).1,
    })
}

/// Names a failed ceremony for the user: each outcome its own code, and never "something
/// went wrong". Nothing reached IBEx in any of them.
fn describe(e: AuthenticatorError, progress: &Progress, cancelled: bool) -> AppError {
    // StatusCode has no PartialEq; its variants carry no data, so their names compare.
    let code = |c: StatusCode| matches!(&e, AuthenticatorError::HIDError(HIDError::Command(CommandError::StatusCode(s, _))) if format!("{s:?}") == format!("{c:?}"));
    if cancelled
        || matches!(e, AuthenticatorError::CancelledByUser)
        || code(StatusCode::OperationDenied)
        || code(StatusCode::KeepaliveCancel)
    {
        return AppError::new(ErrorCode::PasskeyCancelled, Msg::KeyCancelled);
    }
    if progress.pin_blocked.load(Ordering::SeqCst)
        || matches!(e, AuthenticatorError::PinError(PinError::PinBlocked))
    {
        return AppError::new(ErrorCode::KeyPinBlocked, Msg::KeyPinBlocked);
    }
    if matches!(e, AuthenticatorError::PinError(PinError::PinAuthBlocked)) {
        return AppError::new(ErrorCode::KeyPinBlocked, Msg::KeyPinAuthBlocked);
    }
    if matches!(e, AuthenticatorError::PinError(PinError::PinNotSet)) {
        return AppError::new(ErrorCode::KeyPinNotSet, Msg::KeyPinNotSet);
    }
    if code(StatusCode::NoCredentials) {
        return AppError::new(ErrorCode::KeyNotRegistered, Msg::KeyNotRegistered);
    }
    if matches!(e, AuthenticatorError::CredentialExcluded) || code(StatusCode::CredentialExcluded) {
        return AppError::new(ErrorCode::Conflict, Msg::KeyAlreadyRegistered);
    }
    if code(StatusCode::UserActionTimeout) {
        return AppError::new(ErrorCode::PasskeyTimedOut, Msg::KeyNotTouched);
    }
    if matches!(
        e,
        AuthenticatorError::U2FToken(authenticator::errors::U2FTokenError::NotAllowed)
    ) {
        return if progress.key_seen.load(Ordering::SeqCst) {
            AppError::new(ErrorCode::PasskeyTimedOut, Msg::KeyTooSlow)
        } else {
            AppError::new(ErrorCode::KeyNotFound, Msg::NoKeyAnswered)
        };
    }
    AppError::new(
        ErrorCode::PasskeyUnsupported,
        Msg::KeyFailed {
            error: e.to_string(),
        },
    )
}

/// Real keys over USB HID, through the library's device discovery (several keys: the one
/// touched first is used). The service starts on first use.
#[derive(Default)]
pub struct UsbKeys(Mutex<Option<authenticator::authenticatorservice::AuthenticatorService>>);

impl UsbKeys {
    fn with<T>(
        &self,
        f: impl FnOnce(
            &mut authenticator::authenticatorservice::AuthenticatorService,
        ) -> Result<T, AuthenticatorError>,
    ) -> Result<T, AuthenticatorError> {
        let mut slot = lock(&self.0);
        if slot.is_none() {
            let mut service = authenticator::authenticatorservice::AuthenticatorService::new()?;
            service.add_u2f_usb_hid_platform_transports();
            *slot = Some(service);
        }
        f(slot.as_mut().expect("just set"))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl KeyTransport for UsbKeys {
    fn register(
        &self,
        timeout: Duration,
        args: RegisterArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<RegisterResult>,
    ) -> Result<(), AuthenticatorError> {
        self.with(|s| s.register(millis(timeout), args, status, callback))
    }

    fn sign(
        &self,
        timeout: Duration,
        args: SignArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<SignResult>,
    ) -> Result<(), AuthenticatorError> {
        self.with(|s| s.sign(millis(timeout), args, status, callback))
    }

    fn cancel(&self) {
        if let Some(service) = lock(&self.0).as_mut() {
            let _ = service.cancel();
        }
    }
}
