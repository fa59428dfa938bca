//! Windows: Windows Hello (face, fingerprint, PIN), security keys and phones through
//! webauthn.dll, the OS's own prompt. Only the OS calls live here; the client data (built by
//! the core, passed as raw bytes so the origin is ours: `https://<rpId>`, no trailing slash),
//! the options, the JSON and the checks are shared with the other backends.
//!
//! Not compiled or run on the development machine (Linux); CI builds it on windows-2025.
#![allow(unsafe_code)]

use std::sync::Mutex;
use std::time::Duration;

use windows::core::{BOOL, GUID, HSTRING, PCWSTR};
use windows::Win32::Networking::WindowsWebServices::*;
use windows::Win32::UI::WindowsAndMessaging::GetForegroundWindow;

use super::client_data::ClientData;
use super::request::{
    challenge, windows_outcome, Assertion, Attestation, CreateRequest, GetRequest, Prf, Requirement,
};
use super::verify;
use crate::error::AppError;
use crate::messages::Msg;
use crate::passkey::ceremony::ClientDataType;
use crate::passkey::native::ProviderKind;
use crate::passkey::native::{origin_for, Answer, BoxFuture, NativeBackend};
use crate::sync::lock;

pub struct WindowsHello {
    timeout: Duration,
    /// The running call's cancellation id, for `cancel`.
    running: Mutex<Option<GUID>>,
}

impl WindowsHello {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            running: Mutex::new(None),
        }
    }

    /// The webauthn.dll API version (1 on the first Windows 10 builds; 4 brings hmac-secret
    /// salts at assertion, 6 PRF at creation).
    pub fn api_version() -> u32 {
        // SAFETY: takes no arguments and only reads the DLL's version.
        unsafe { WebAuthNGetApiVersionNumber() }
    }

    fn cancellation(&self) -> Option<GUID> {
        // SAFETY: writes a fresh GUID into the returned value.
        let id = unsafe { WebAuthNGetCancellationId() }.ok();
        *lock(&self.running) = id;
        id
    }
}

fn user_verification(r: Requirement) -> u32 {
    match r {
        Requirement::Required => WEBAUTHN_USER_VERIFICATION_REQUIREMENT_REQUIRED,
        Requirement::Preferred => WEBAUTHN_USER_VERIFICATION_REQUIREMENT_PREFERRED,
        Requirement::Discouraged => WEBAUTHN_USER_VERIFICATION_REQUIREMENT_DISCOURAGED,
    }
}

fn len(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).unwrap_or(u32::MAX)
}

/// Credential descriptors pointing into `ids`, which must outlive them.
fn credentials(ids: &mut [Vec<u8>]) -> Vec<WEBAUTHN_CREDENTIAL> {
    ids.iter_mut()
        .map(|id| WEBAUTHN_CREDENTIAL {
            dwVersion: WEBAUTHN_CREDENTIAL_CURRENT_VERSION,
            cbId: len(id),
            pbId: id.as_mut_ptr(),
            pwszCredentialType: WEBAUTHN_CREDENTIAL_TYPE_PUBLIC_KEY,
        })
        .collect()
}

/// Our clientDataJSON for the OS to hash as it is (pointing into `json`, which must outlive it).
fn raw_client_data(json: &mut [u8]) -> WEBAUTHN_CLIENT_DATA {
    WEBAUTHN_CLIENT_DATA {
        dwVersion: WEBAUTHN_CLIENT_DATA_CURRENT_VERSION,
        cbClientDataJSON: len(json),
        pbClientDataJSON: json.as_mut_ptr(),
        pwszHashAlgId: WEBAUTHN_HASH_ALGORITHM_SHA_256,
    }
}

/// Copies an OS-owned buffer.
///
/// SAFETY: `ptr` is null or points to `count` readable bytes.
unsafe fn copy(ptr: *const u8, count: u32) -> Vec<u8> {
    if ptr.is_null() || count == 0 {
        return Vec::new();
    }
    unsafe { std::slice::from_raw_parts(ptr, count as usize) }.to_vec()
}

fn transport(flags: u32) -> (&'static str, &'static str) {
    match flags {
        WEBAUTHN_CTAP_TRANSPORT_INTERNAL => ("internal", "platform"),
        WEBAUTHN_CTAP_TRANSPORT_NFC => ("nfc", "cross-platform"),
        WEBAUTHN_CTAP_TRANSPORT_BLE => ("ble", "cross-platform"),
        WEBAUTHN_CTAP_TRANSPORT_HYBRID => ("hybrid", "cross-platform"),
        _ => ("usb", "cross-platform"),
    }
}

fn make_credential(
    r: &CreateRequest,
    client_data: &[u8],
    api: u32,
    cancel: Option<GUID>,
) -> Result<Attestation, AppError> {
    let rp_id = HSTRING::from(r.rp_id.as_str());
    let rp_name = HSTRING::from(r.rp_name.as_deref().unwrap_or(&r.rp_id));
    let rp = WEBAUTHN_RP_ENTITY_INFORMATION {
        dwVersion: WEBAUTHN_RP_ENTITY_INFORMATION_CURRENT_VERSION,
        pwszId: PCWSTR(rp_id.as_ptr()),
        pwszName: PCWSTR(rp_name.as_ptr()),
        pwszIcon: PCWSTR::null(),
    };
    let mut user_id = r.user_id.clone();
    let name = HSTRING::from(r.user_name.as_deref().unwrap_or_default());
    let display = HSTRING::from(
        r.user_display_name
            .as_deref()
            .or(r.user_name.as_deref())
            .unwrap_or_default(),
    );
    let user = WEBAUTHN_USER_ENTITY_INFORMATION {
        dwVersion: WEBAUTHN_USER_ENTITY_INFORMATION_CURRENT_VERSION,
        cbId: len(&user_id),
        pbId: user_id.as_mut_ptr(),
        pwszName: PCWSTR(name.as_ptr()),
        pwszIcon: PCWSTR::null(),
        pwszDisplayName: PCWSTR(display.as_ptr()),
    };
    // ES256 and RS256 (Windows Hello keys may be RSA-2048), in the server's order.
    let mut params: Vec<WEBAUTHN_COSE_CREDENTIAL_PARAMETER> = r
        .algorithms
        .iter()
        .filter(|alg| matches!(alg, -7 | -257))
        .map(|&alg| WEBAUTHN_COSE_CREDENTIAL_PARAMETER {
            dwVersion: WEBAUTHN_COSE_CREDENTIAL_PARAMETER_CURRENT_VERSION,
            pwszCredentialType: WEBAUTHN_CREDENTIAL_TYPE_PUBLIC_KEY,
            lAlg: alg,
        })
        .collect();
    let cose = WEBAUTHN_COSE_CREDENTIAL_PARAMETERS {
        cCredentialParameters: u32::try_from(params.len()).unwrap_or(0),
        pCredentialParameters: params.as_mut_ptr(),
    };
    let mut json = client_data.to_vec();
    let client = raw_client_data(&mut json);
    let mut exclude_ids = r.exclude.clone();
    let mut exclude = credentials(&mut exclude_ids);
    let mut cancel_id = cancel.unwrap_or_default();
    let options = WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS {
        // The newest layout this OS reads (webauthn.h): v6 has bEnablePrf (API 6).
        dwVersion: match api {
            0..=2 => WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS_VERSION_3,
            3 => WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS_VERSION_4,
            4 | 5 => WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS_VERSION_5,
            _ => WEBAUTHN_AUTHENTICATOR_MAKE_CREDENTIAL_OPTIONS_VERSION_6,
        },
        dwTimeoutMilliseconds: u32::try_from(r.timeout.as_millis()).unwrap_or(u32::MAX),
        CredentialList: WEBAUTHN_CREDENTIALS {
            cCredentials: u32::try_from(exclude.len()).unwrap_or(0),
            pCredentials: exclude.as_mut_ptr(),
        },
        dwAuthenticatorAttachment: WEBAUTHN_AUTHENTICATOR_ATTACHMENT_ANY,
        bRequireResidentKey: BOOL::from(r.resident_key == Requirement::Required),
        bPreferResidentKey: BOOL::from(r.resident_key == Requirement::Preferred),
        dwUserVerificationRequirement: user_verification(r.user_verification),
        dwAttestationConveyancePreference: WEBAUTHN_ATTESTATION_CONVEYANCE_PREFERENCE_NONE,
        pCancellationId: if cancel.is_some() {
            &mut cancel_id
        } else {
            std::ptr::null_mut()
        },
        bEnablePrf: BOOL::from(api >= WEBAUTHN_API_VERSION_6 && r.prf.is_some()),
        ..Default::default()
    };
    // SAFETY: every pointer above points into a local that outlives the call; the result is
    // freed with its own free function after its buffers are copied.
    unsafe {
        let hwnd = GetForegroundWindow();
        let att = WebAuthNAuthenticatorMakeCredential(
            hwnd,
            &rp,
            &user,
            &cose,
            &client,
            Some(&options as *const _),
        )
        .map_err(|e| windows_outcome(e.code().0 as u32))?;
        let a = &*att;
        let (transport, attachment) = if a.dwVersion >= WEBAUTHN_CREDENTIAL_ATTESTATION_VERSION_3 {
            transport(a.dwUsedTransport)
        } else {
            ("usb", "cross-platform")
        };
        let out = Attestation {
            credential_id: copy(a.pbCredentialId, a.cbCredentialId),
            attestation_object: copy(a.pbAttestationObject, a.cbAttestationObject),
            auth_data: copy(a.pbAuthenticatorData, a.cbAuthenticatorData),
            public_key: None,
            transports: vec![transport],
            attachment,
            prf_enabled: (a.dwVersion >= WEBAUTHN_CREDENTIAL_ATTESTATION_VERSION_6)
                .then(|| a.bPrfEnabled.as_bool()),
            prf_results: None,
        };
        WebAuthNFreeCredentialAttestation(Some(att as *const _));
        Ok(out)
    }
}

fn get_assertion(
    r: &GetRequest,
    client_data: &[u8],
    api: u32,
    cancel: Option<GUID>,
) -> Result<Assertion, AppError> {
    let rp_id = HSTRING::from(r.rp_id.as_str());
    let mut json = client_data.to_vec();
    let client = raw_client_data(&mut json);
    let mut allow_ids = r.allow.clone();
    let mut allow = credentials(&mut allow_ids);
    // PRF inputs as given (no HMAC_SECRET_VALUES flag): the OS hashes them into the
    // hmac-secret salts as the PRF extension defines.
    let mut first = r.prf.as_ref().map(|p| p.first.clone()).unwrap_or_default();
    let mut second = r
        .prf
        .as_ref()
        .and_then(|p| p.second.clone())
        .unwrap_or_default();
    let mut salt = WEBAUTHN_HMAC_SECRET_SALT {
        cbFirst: len(&first),
        pbFirst: first.as_mut_ptr(),
        cbSecond: len(&second),
        pbSecond: if second.is_empty() {
            std::ptr::null_mut()
        } else {
            second.as_mut_ptr()
        },
    };
    let mut salts = WEBAUTHN_HMAC_SECRET_SALT_VALUES {
        pGlobalHmacSalt: &mut salt,
        cCredWithHmacSecretSaltList: 0,
        pCredWithHmacSecretSaltList: std::ptr::null_mut(),
    };
    let with_prf = r.prf.is_some() && api >= WEBAUTHN_API_VERSION_4;
    let mut cancel_id = cancel.unwrap_or_default();
    let options = WEBAUTHN_AUTHENTICATOR_GET_ASSERTION_OPTIONS {
        dwVersion: match api {
            0..=2 => WEBAUTHN_AUTHENTICATOR_GET_ASSERTION_OPTIONS_VERSION_3,
            3 => WEBAUTHN_AUTHENTICATOR_GET_ASSERTION_OPTIONS_VERSION_4,
            _ => WEBAUTHN_AUTHENTICATOR_GET_ASSERTION_OPTIONS_VERSION_6,
        },
        dwTimeoutMilliseconds: u32::try_from(r.timeout.as_millis()).unwrap_or(u32::MAX),
        CredentialList: WEBAUTHN_CREDENTIALS {
            cCredentials: u32::try_from(allow.len()).unwrap_or(0),
            pCredentials: allow.as_mut_ptr(),
        },
        dwAuthenticatorAttachment: WEBAUTHN_AUTHENTICATOR_ATTACHMENT_ANY,
        dwUserVerificationRequirement: user_verification(r.user_verification),
        pCancellationId: if cancel.is_some() {
            &mut cancel_id
        } else {
            std::ptr::null_mut()
        },
        pHmacSecretSaltValues: if with_prf {
            &mut salts
        } else {
            std::ptr::null_mut()
        },
        ..Default::default()
    };
    // SAFETY: as in `make_credential`.
    unsafe {
        let hwnd = GetForegroundWindow();
        let assertion = WebAuthNAuthenticatorGetAssertion(
            hwnd,
            PCWSTR(rp_id.as_ptr()),
            &client,
            Some(&options as *const _),
        )
        .map_err(|e| windows_outcome(e.code().0 as u32))?;
        let a = &*assertion;
        let prf_results = (a.dwVersion >= WEBAUTHN_ASSERTION_VERSION_3 && !a.pHmacSecret.is_null())
            .then(|| {
                let s = &*a.pHmacSecret;
                let second = copy(s.pbSecond, s.cbSecond);
                Prf {
                    first: copy(s.pbFirst, s.cbFirst),
                    second: (!second.is_empty()).then_some(second),
                }
            });
        let attachment = if a.dwVersion >= WEBAUTHN_ASSERTION_VERSION_3 {
            transport(a.dwUsedTransport).1
        } else {
            "cross-platform"
        };
        let user_handle = copy(a.pbUserId, a.cbUserId);
        let out = Assertion {
            credential_id: copy(a.Credential.pbId, a.Credential.cbId),
            auth_data: copy(a.pbAuthenticatorData, a.cbAuthenticatorData),
            signature: copy(a.pbSignature, a.cbSignature),
            user_handle: (!user_handle.is_empty()).then_some(user_handle),
            attachment,
            prf_results,
        };
        WebAuthNFreeAssertion(assertion);
        Ok(out)
    }
}

impl NativeBackend for WindowsHello {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Native
    }

    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let origin = origin_for(rp_id);
            let client_data =
                ClientData::build(ClientDataType::Create, challenge(options)?, &origin)?;
            let request = CreateRequest::parse(options, rp_id, self.timeout)?;
            let (json, cancel) = (client_data.json.clone(), self.cancellation());
            let api = Self::api_version();
            let answer =
                tokio::task::spawn_blocking(move || make_credential(&request, &json, api, cancel))
                    .await
                    .map_err(|e| {
                        AppError::internal(Msg::Unexpected {
                            detail: e.to_string(),
                        })
                    })??;
            let credential = answer.to_json(&client_data);
            verify::registration(&credential, rp_id, verify::requires_uv(options))?;
            Ok(Answer { credential, origin })
        })
    }

    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(async move {
            let origin = origin_for(rp_id);
            let client_data = ClientData::build(ClientDataType::Get, challenge(options)?, &origin)?;
            let request = GetRequest::parse(options, rp_id, self.timeout)?;
            let (json, cancel) = (client_data.json.clone(), self.cancellation());
            let api = Self::api_version();
            let answer =
                tokio::task::spawn_blocking(move || get_assertion(&request, &json, api, cancel))
                    .await
                    .map_err(|e| {
                        AppError::internal(Msg::Unexpected {
                            detail: e.to_string(),
                        })
                    })??;
            let credential = answer.to_json(&client_data);
            verify::assertion(&credential, rp_id, verify::requires_uv(options), None)?;
            Ok(Answer { credential, origin })
        })
    }

    fn cancel(&self) -> bool {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        running.is_some_and(|id| {
            // SAFETY: `id` came from WebAuthNGetCancellationId.
            unsafe { WebAuthNCancelCurrentOperation(&id) }.is_ok()
        })
    }
}
