//! macOS: Touch ID / iCloud Keychain passkeys (and phones over hybrid) through
//! `ASAuthorizationPlatformPublicKeyCredentialProvider`, the OS's own prompt over the wallet's
//! window. Only the OS calls live here; the options, the browser JSON, the error meanings and
//! the checks are shared with the other backends (request.rs, verify.rs) and tested on Linux.
//!
//! macOS serves only rpIds listed in the signed app's `com.apple.developer.associated-domains`
//! entitlement (`webcredentials:<rpId>`) that the tenant's apple-app-site-association confirms
//! (docs/tenant-macos.md); providers.rs offers this backend only for those.
//!
//! Unlike webauthn.dll, ASAuthorization builds the clientDataJSON itself (origin
//! `https://<rpId>`), so this backend hands it the challenge, not our bytes; the core checks
//! the JSON it returns (`check_client_data` against `https://<rpId>`) as for every native answer.
//!
//! Not compiled or run on the development machine (Linux); CI builds it on macos-15.
#![allow(unsafe_code)]

use std::cell::RefCell;

use dispatch2::{run_on_main, DispatchQueue};
use objc2::rc::Retained;
use objc2::runtime::{AnyObject, NSObject, NSObjectProtocol, ProtocolObject};
use objc2::{available, define_class, AnyThread, DefinedClass, MainThreadMarker, MainThreadOnly};
use objc2_app_kit::NSApplication;
use objc2_authentication_services::*;
use objc2_foundation::{NSArray, NSData, NSError, NSString};
use tokio::sync::oneshot;

use super::client_data::ClientData;
use super::request::{
    auth_data_of, challenge, macos_outcome, Assertion, Attestation, CreateRequest, GetRequest, Prf,
    Requirement,
};
use super::verify;
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::passkey::ceremony::decode_b64;
use crate::passkey::native::{origin_for, Answer, BoxFuture, NativeBackend, ProviderKind};

/// What the OS answered, copied out of its objects on the main thread.
enum Raw {
    Registration(Attestation, Vec<u8>),
    Assertion(Assertion, Vec<u8>),
}

type Done = oneshot::Sender<Result<Raw, AppError>>;

thread_local! {
    /// The running ceremony's controller and delegate (the controller holds its delegate
    /// weakly); main thread only. Replaced by the next ceremony.
    static RUNNING: RefCell<Option<(Retained<ASAuthorizationController>, Retained<Delegate>)>> =
        const { RefCell::new(None) };
}

struct Ivars {
    done: RefCell<Option<Done>>,
    window: Retained<NSObject>,
}

define_class!(
    // SAFETY: NSObject has no subclassing requirements; `Delegate` does not implement Drop.
    #[unsafe(super(NSObject))]
    #[thread_kind = MainThreadOnly]
    #[name = "IbexWalletPasskeyDelegate"]
    #[ivars = Ivars]
    struct Delegate;

    unsafe impl NSObjectProtocol for Delegate {}

    unsafe impl ASAuthorizationControllerDelegate for Delegate {
        #[unsafe(method(authorizationController:didCompleteWithAuthorization:))]
        fn did_complete(&self, _c: &ASAuthorizationController, authorization: &ASAuthorization) {
            self.finish(read(authorization));
        }

        #[unsafe(method(authorizationController:didCompleteWithError:))]
        fn did_fail(&self, _c: &ASAuthorizationController, error: &NSError) {
            // SAFETY: an immutable NSString the framework exports.
            let ours = error
                .domain()
                .isEqualToString(unsafe { ASAuthorizationErrorDomain });
            self.finish(Err(macos_outcome(if ours { error.code() } else { 0 })));
        }
    }

    unsafe impl ASAuthorizationControllerPresentationContextProviding for Delegate {
        #[unsafe(method_id(presentationAnchorForAuthorizationController:))]
        fn anchor(&self, _c: &ASAuthorizationController) -> Retained<ASPresentationAnchor> {
            self.ivars().window.clone()
        }
    }
);

impl Delegate {
    fn new(mtm: MainThreadMarker, done: Done, window: Retained<NSObject>) -> Retained<Self> {
        let this = Self::alloc(mtm).set_ivars(Ivars {
            done: RefCell::new(Some(done)),
            window,
        });
        // SAFETY: NSObject's designated initialiser.
        unsafe { objc2::msg_send![super(this), init] }
    }

    fn finish(&self, result: Result<Raw, AppError>) {
        if let Some(done) = self.ivars().done.borrow_mut().take() {
            let _ = done.send(result);
        }
    }
}

fn bytes(data: &NSData) -> Vec<u8> {
    data.to_vec()
}

fn prf_of(first: Option<Retained<NSData>>, second: Option<Retained<NSData>>) -> Option<Prf> {
    first.map(|first| Prf {
        first: bytes(&first),
        second: second.map(|s| bytes(&s)),
    })
}

fn attachment(kind: ASAuthorizationPublicKeyCredentialAttachment) -> &'static str {
    if kind == ASAuthorizationPublicKeyCredentialAttachment::CrossPlatform {
        "cross-platform"
    } else {
        "platform"
    }
}

/// Copies the credential out of the OS's answer.
fn read(authorization: &ASAuthorization) -> Result<Raw, AppError> {
    // SAFETY: plain getters on the finished authorization; `attachment` (macOS 13.5) and
    // `prf` (macOS 15) only where the OS has them.
    unsafe {
        let credential = authorization.credential();
        let any: &AnyObject = AsRef::<AnyObject>::as_ref(&*credential);
        if let Some(r) =
            any.downcast_ref::<ASAuthorizationPlatformPublicKeyCredentialRegistration>()
        {
            let object = r
                .rawAttestationObject()
                .map(|o| bytes(&o))
                .ok_or_else(|| macos_outcome(ASAuthorizationError::InvalidResponse.0))?;
            let attachment = if available!(macos = 13.5) {
                attachment(r.attachment())
            } else {
                "platform"
            };
            let prf = available!(macos = 15.0).then(|| r.prf()).flatten();
            let attestation = Attestation {
                credential_id: bytes(&r.credentialID()),
                auth_data: auth_data_of(&object)?,
                attestation_object: object,
                public_key: None,
                // iCloud Keychain passkeys also sign from a phone nearby; a phone's own is hybrid only.
                transports: if attachment == "platform" {
                    vec!["hybrid", "internal"]
                } else {
                    vec!["hybrid"]
                },
                attachment,
                prf_enabled: prf.as_ref().map(|p| p.isSupported()),
                prf_results: prf.and_then(|p| prf_of(p.first(), p.second())),
            };
            return Ok(Raw::Registration(
                attestation,
                bytes(&r.rawClientDataJSON()),
            ));
        }
        if let Some(a) = any.downcast_ref::<ASAuthorizationPlatformPublicKeyCredentialAssertion>() {
            let user = bytes(&a.userID());
            let assertion = Assertion {
                credential_id: bytes(&a.credentialID()),
                auth_data: bytes(&a.rawAuthenticatorData()),
                signature: bytes(&a.signature()),
                user_handle: (!user.is_empty()).then_some(user),
                attachment: if available!(macos = 13.5) {
                    attachment(a.attachment())
                } else {
                    "platform"
                },
                prf_results: if available!(macos = 15.0) {
                    a.prf().and_then(|p| prf_of(Some(p.first()), p.second()))
                } else {
                    None
                },
            };
            return Ok(Raw::Assertion(assertion, bytes(&a.rawClientDataJSON())));
        }
        Err(macos_outcome(ASAuthorizationError::InvalidResponse.0))
    }
}

/// The OS's name for `r`; `None` (the OS's default, preferred) if the framework lacks it.
fn user_verification(r: Requirement) -> Option<&'static NSString> {
    // SAFETY: immutable NSStrings the framework exports (macOS 12).
    unsafe {
        match r {
            Requirement::Required => {
                ASAuthorizationPublicKeyCredentialUserVerificationPreferenceRequired
            }
            Requirement::Preferred => {
                ASAuthorizationPublicKeyCredentialUserVerificationPreferencePreferred
            }
            Requirement::Discouraged => {
                ASAuthorizationPublicKeyCredentialUserVerificationPreferenceDiscouraged
            }
        }
    }
}

fn prf_values(prf: &Prf) -> Retained<ASAuthorizationPublicKeyCredentialPRFAssertionInputValues> {
    let first = NSData::with_bytes(&prf.first);
    let second = prf.second.as_deref().map(NSData::with_bytes);
    // SAFETY: both inputs are NSData, as the initialiser takes.
    unsafe {
        ASAuthorizationPublicKeyCredentialPRFAssertionInputValues::initWithSaltInput1_saltInput2(
            ASAuthorizationPublicKeyCredentialPRFAssertionInputValues::alloc(),
            &first,
            second.as_deref(),
        )
    }
}

enum Request {
    Create(CreateRequest, Vec<u8>),
    Get(GetRequest, Vec<u8>),
}

/// Builds the request and starts the controller; main thread only.
fn start(mtm: MainThreadMarker, request: Request, done: Done) {
    let app = NSApplication::sharedApplication(mtm);
    let Some(window) = app.keyWindow().or_else(|| app.mainWindow()) else {
        let _ = done.send(Err(AppError::new(
            ErrorCode::PasskeyUnsupported,
            Msg::MacNoWindow,
        )));
        return;
    };
    let window: Retained<NSObject> = Retained::into_super(Retained::into_super(window));
    // SAFETY: every argument is a live object of the type the method takes; the controller
    // and its delegate stay alive in RUNNING until the next ceremony replaces them.
    unsafe {
        let rp_id = match &request {
            Request::Create(r, _) => &r.rp_id,
            Request::Get(r, _) => &r.rp_id,
        };
        let provider =
            ASAuthorizationPlatformPublicKeyCredentialProvider::initWithRelyingPartyIdentifier(
                ASAuthorizationPlatformPublicKeyCredentialProvider::alloc(),
                &NSString::from_str(rp_id),
            );
        let generic: Retained<ASAuthorizationRequest> = match &request {
            Request::Create(r, challenge) => {
                let name = r
                    .user_name
                    .as_deref()
                    .or(r.user_display_name.as_deref())
                    .unwrap_or_default();
                let req = provider.createCredentialRegistrationRequestWithChallenge_name_userID(
                    &NSData::with_bytes(challenge),
                    &NSString::from_str(name),
                    &NSData::with_bytes(&r.user_id),
                );
                if let Some(display) = &r.user_display_name {
                    req.setDisplayName(Some(&NSString::from_str(display)));
                }
                if let Some(uv) = user_verification(r.user_verification) {
                    req.setUserVerificationPreference(uv);
                }
                if r.prf.is_some() && available!(macos = 15.0) {
                    // Whether the passkey supports PRF; IBEx evaluates it at the next assertion.
                    req.setPrf(Some(
                        &ASAuthorizationPublicKeyCredentialPRFRegistrationInput::checkForSupport(),
                    ));
                }
                Retained::into_super(req)
            }
            Request::Get(r, challenge) => {
                let req = provider
                    .createCredentialAssertionRequestWithChallenge(&NSData::with_bytes(challenge));
                let allowed: Vec<_> = r
                    .allow
                    .iter()
                    .map(|id| {
                        ASAuthorizationPlatformPublicKeyCredentialDescriptor::initWithCredentialID(
                            ASAuthorizationPlatformPublicKeyCredentialDescriptor::alloc(),
                            &NSData::with_bytes(id),
                        )
                    })
                    .collect();
                req.setAllowedCredentials(&NSArray::from_retained_slice(&allowed));
                if let Some(uv) = user_verification(r.user_verification) {
                    req.setUserVerificationPreference(uv);
                }
                if let (Some(prf), true) = (&r.prf, available!(macos = 15.0)) {
                    req.setPrf(Some(
                        &ASAuthorizationPublicKeyCredentialPRFAssertionInput::initWithInputValues_perCredentialInputValues(
                            ASAuthorizationPublicKeyCredentialPRFAssertionInput::alloc(),
                            Some(&prf_values(prf)),
                            None,
                        ),
                    ));
                }
                Retained::into_super(req)
            }
        };
        let controller = ASAuthorizationController::initWithAuthorizationRequests(
            ASAuthorizationController::alloc(),
            &NSArray::from_retained_slice(&[generic]),
        );
        let delegate = Delegate::new(mtm, done, window);
        controller.setDelegate(Some(ProtocolObject::from_ref(&*delegate)));
        controller.setPresentationContextProvider(Some(ProtocolObject::from_ref(&*delegate)));
        controller.performRequests();
        RUNNING.with(|running| *running.borrow_mut() = Some((controller, delegate)));
    }
}

/// Cancels the running ceremony (its delegate then reports `Canceled`); main thread only.
fn cancel_running() -> bool {
    RUNNING.with(|running| {
        let running = running.borrow();
        let Some((controller, delegate)) = running.as_ref() else {
            return false;
        };
        let waiting = delegate.ivars().done.borrow().is_some();
        if waiting {
            // SAFETY: a live controller that is performing its requests.
            unsafe { controller.cancel() };
        }
        waiting
    })
}

pub struct TouchId;

impl TouchId {
    async fn run(&self, request: Request, timeout: std::time::Duration) -> Result<Raw, AppError> {
        let (done, answer) = oneshot::channel();
        DispatchQueue::main().exec_async(move || {
            // SAFETY: blocks on the main queue run on the main thread.
            start(unsafe { MainThreadMarker::new_unchecked() }, request, done);
        });
        match tokio::time::timeout(timeout, answer).await {
            Ok(answer) => answer.map_err(|_| AppError::internal(Msg::MacNoAnswer))?,
            Err(_) => {
                self.cancel();
                Err(AppError::new(ErrorCode::PasskeyTimedOut, Msg::MacTimedOut))
            }
        }
    }
}

fn challenge_bytes(options: &serde_json::Value) -> Result<Vec<u8>, AppError> {
    decode_b64(challenge(options)?)
        .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::PasskeyChallengeNotBase64))
}

impl NativeBackend for TouchId {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Native
    }

    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let request = CreateRequest::parse(options, rp_id, super::ctap2::DEFAULT_TIMEOUT)?;
            let timeout = request.timeout;
            let Raw::Registration(answer, client_data) = self
                .run(Request::Create(request, challenge_bytes(options)?), timeout)
                .await?
            else {
                return Err(macos_outcome(ASAuthorizationError::InvalidResponse.0));
            };
            let credential = answer.to_json(&ClientData::from_os(client_data));
            verify::registration(&credential, rp_id, verify::requires_uv(options))?;
            Ok(Answer {
                credential,
                origin: origin_for(rp_id),
            })
        })
    }

    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let request = GetRequest::parse(options, rp_id, super::ctap2::DEFAULT_TIMEOUT)?;
            let timeout = request.timeout;
            let Raw::Assertion(answer, client_data) = self
                .run(Request::Get(request, challenge_bytes(options)?), timeout)
                .await?
            else {
                return Err(macos_outcome(ASAuthorizationError::InvalidResponse.0));
            };
            let credential = answer.to_json(&ClientData::from_os(client_data));
            verify::assertion(&credential, rp_id, verify::requires_uv(options), None)?;
            Ok(Answer {
                credential,
                origin: origin_for(rp_id),
            })
        })
    }

    fn cancel(&self) -> bool {
        run_on_main(|_| cancel_running())
    }
}
