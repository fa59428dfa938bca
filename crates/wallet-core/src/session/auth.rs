//! Sign-up, sign-in, restore and sign-out for one network.
//!
//! A passkey ceremony runs in two steps so the UI's provider can sit in the middle:
//! [`AuthState::begin`] fetches IBEx's options and remembers the challenge;
//! [`AuthState::complete`] checks that the credential answers that challenge, posts it, starts
//! the session (refresh token to the keychain first) and waits out the wallet's 204 window.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ibex::models::auth::{ChallengeRequest, SignInRequest, SignUpRequest, WalletKind};
use ibex::models::webauthn::{Credential, WebAuthnOptions};
use ibex::{Client, Session, SessionConfig, SessionState};
use serde::{Deserialize, Serialize};

use crate::account::{Account, Persistence, SessionInfo, SignerKind};
use crate::error::{AppError, Context, ErrorCode};
use crate::events::{AuthStep, CoreEvent, EventSink};
use crate::i18n::CurrentLocale;
use crate::messages::Msg;
use crate::passkey::ceremony::{check_client_data, random_id, ClientDataType};
use crate::passkey::{NativeBackend, ProviderKind};
use crate::pin::{self, Pin};
use crate::secrets::{SecretItem, SecretStores};
use crate::sync::lock;

/// How long a ceremony may wait for the authenticator before its challenge is dropped.
const CEREMONY_TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AuthIntent {
    /// Create a wallet with a new passkey.
    SignUp,
    /// Use an existing passkey (discoverable: no user name needed).
    SignIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum CeremonyKind {
    /// `navigator.credentials.create`.
    Create,
    /// `navigator.credentials.get`.
    Get,
}

/// What a provider needs to run a ceremony. The options are WebAuthn L3 JSON (binary fields
/// base64url), sent as JSON text: their numbers are the server's, not ours to narrow.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Ceremony {
    pub id: String,
    pub kind: CeremonyKind,
    pub rp_id: String,
    pub options_json: String,
}

struct Pending {
    id: String,
    intent: AuthIntent,
    challenge: String,
    /// What the authenticator is given (for providers the core runs itself).
    options: serde_json::Value,
    rp_id: String,
    started: Instant,
}

struct Active {
    session: Session,
    account: Account,
    persistence: Persistence,
    locked: bool,
}

/// Authentication state of one connection.
pub(crate) struct AuthState {
    client: Client,
    /// Names this network's keychain item (see `Connection::identity`).
    identity: String,
    events: Arc<dyn EventSink>,
    pending: Mutex<Option<Pending>>,
    active: Mutex<Option<Active>>,
    /// Why the last session ended, when the user should know.
    last_end: Mutex<Option<Msg>>,
    /// The language `info()` speaks.
    locale: Arc<CurrentLocale>,
    /// This device's passkey key, as far as its ceremonies tell (which Safe owner it is).
    pub device: crate::owners::DeviceKeys,
}

impl AuthState {
    pub fn new(
        client: Client,
        identity: String,
        events: Arc<dyn EventSink>,
        locale: Arc<CurrentLocale>,
    ) -> Arc<Self> {
        Arc::new(Self {
            client,
            identity,
            events,
            pending: Mutex::new(None),
            active: Mutex::new(None),
            last_end: Mutex::new(None),
            locale,
            device: crate::owners::DeviceKeys::default(),
        })
    }

    /// Whether a sign-up or sign-in is waiting for its passkey (an update's restart waits).
    pub(crate) fn ceremony_open(&self) -> bool {
        lock(&self.pending)
            .as_ref()
            .is_some_and(|p| p.started.elapsed() <= CEREMONY_TTL)
    }

    pub fn info(&self) -> SessionInfo {
        match &*lock(&self.active) {
            Some(a) => SessionInfo::SignedIn {
                account: a.account.clone(),
                persistence: a.persistence.clone(),
                locked: a.locked,
            },
            None => SessionInfo::SignedOut {
                reason: lock(&self.last_end)
                    .as_ref()
                    .map(|m| m.render(self.locale.get())),
            },
        }
    }

    /// The live session and the primary Safe, or a clear "sign in first".
    pub fn signed_in(&self) -> Result<(Session, ibex::Address), AppError> {
        let active = lock(&self.active);
        let active = active
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        if active.locked {
            return Err(AppError::new(ErrorCode::Locked, Msg::WalletLocked));
        }
        Ok((active.session.clone(), primary_safe(&active.account)?))
    }

    /// The session and primary Safe even while locked, for background reads that never sign
    /// (the recovery check); `None` when signed out.
    pub fn watched(&self) -> Option<(Session, ibex::Address)> {
        let active = lock(&self.active);
        let active = active.as_ref()?;
        Some((active.session.clone(), primary_safe(&active.account).ok()?))
    }

    pub async fn begin(&self, intent: AuthIntent) -> Result<Ceremony, AppError> {
        let req = ChallengeRequest::passkeys();
        let challenge = match intent {
            AuthIntent::SignUp => self.client.sign_up_challenge(&req).await,
            AuthIntent::SignIn => self.client.sign_in_challenge(&req).await,
        }
        .map_err(|e| self.unknown_rp_id(e))?;
        let options: WebAuthnOptions = challenge
            .credential_request_options
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoPasskeyOptions))?;
        let expected = match intent {
            AuthIntent::SignUp => CeremonyKind::Create,
            AuthIntent::SignIn => CeremonyKind::Get,
        };
        let kind = if options.is_creation() {
            CeremonyKind::Create
        } else {
            CeremonyKind::Get
        };
        if kind != expected {
            return Err(AppError::new(
                ErrorCode::BadResponse,
                Msg::WrongPasskeyOptions,
            ));
        }
        let challenge = options
            .challenge
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoPasskeyChallenge))?;
        let named = options
            .rp
            .as_ref()
            .map(|rp| rp.id.as_str())
            .or(options.rp_id.as_deref());
        let what = match intent {
            AuthIntent::SignUp => crate::passkey::rp::Signing::SignUp,
            AuthIntent::SignIn => crate::passkey::rp::Signing::SignIn,
        };
        let rp_id = crate::passkey::rp::check(named, &self.client.config().rp_id, what)?;
        let id = random_id();
        let options = options.for_authenticator();
        *lock(&self.pending) = Some(Pending {
            id: id.clone(),
            intent,
            challenge,
            options: options.clone(),
            rp_id: rp_id.clone(),
            started: Instant::now(),
        });
        Ok(Ceremony {
            id,
            kind,
            rp_id,
            options_json: options.to_string(),
        })
    }

    /// IBEx answers `UNKNOWN_RP_ID` when the network's rpId is not one of its tenants'.
    fn unknown_rp_id(&self, e: ibex::Error) -> AppError {
        AppError::from_ibex(
            &e,
            &Context {
                rp_id: Some(&self.client.config().rp_id),
                ..Context::default()
            },
        )
    }

    /// Creates a PIN wallet; returns the new `externalUserId` with the session (the device
    /// remembers it: signing in with a PIN needs it).
    pub async fn pin_sign_up(
        self: &Arc<Self>,
        pin: &Pin,
        secrets: &dyn SecretStores,
    ) -> Result<(SessionInfo, String), AppError> {
        let material = self
            .client
            .sign_up_challenge(&ChallengeRequest::Kdf {
                external_user_id: None,
            })
            .await?;
        let user = material
            .external_user_id
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoAccountId))?;
        let pending = material.tokens.as_ref().map(|t| t.access_token.clone());
        let body = SignUpRequest {
            wallet: Some(WalletKind::Kdf),
            external_user_id: Some(user.clone()),
            kdf_proof: Some(self.pin_proof(pin, &material, &user).await?),
            ..SignUpRequest::default()
        };
        self.events.emit(CoreEvent::AuthProgress {
            step: AuthStep::Verifying,
        });
        let tokens = self
            .client
            .sign_up(&body, pending.as_ref())
            .await
            .map_err(rejected_pin)?
            .tokens;
        Ok((self.start(&tokens, SignerKind::Pin, secrets).await?, user))
    }

    pub async fn pin_sign_in(
        self: &Arc<Self>,
        pin: &Pin,
        user: &str,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let material = self
            .client
            .sign_in_challenge(&ChallengeRequest::Kdf {
                external_user_id: Some(user.to_owned()),
            })
            .await?;
        let body = SignInRequest {
            wallet: Some(WalletKind::Kdf),
            external_user_id: Some(user.to_owned()),
            kdf_proof: Some(self.pin_proof(pin, &material, user).await?),
            ..SignInRequest::default()
        };
        self.events.emit(CoreEvent::AuthProgress {
            step: AuthStep::Verifying,
        });
        let tokens = self
            .client
            .sign_in(&body)
            .await
            .map_err(rejected_pin)?
            .tokens;
        self.start(&tokens, SignerKind::Pin, secrets).await
    }

    /// Argon2id takes seconds and tens of MiB: it runs on a blocking thread so the async
    /// workers (events, the socket, other commands) keep going meanwhile.
    async fn pin_proof(
        &self,
        pin: &Pin,
        material: &ibex::models::auth::AuthChallenge,
        user: &str,
    ) -> Result<ibex::models::auth::KdfProof, AppError> {
        let app_id = self.client.config().rp_id.clone();
        let (pin, material, user) = (pin.clone(), material.clone(), user.to_owned());
        tokio::task::spawn_blocking(move || {
            let key = pin::derive_key(&pin, &material, &app_id, &user)?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            pin::proof(&key, &material, &app_id, &user, now)
        })
        .await
        .map_err(|e| {
            AppError::internal(Msg::PinDerivationStopped {
                error: e.to_string(),
            })
        })?
    }

    /// Completes with a credential the WebView's provider produced.
    pub async fn complete(
        self: &Arc<Self>,
        ceremony_id: &str,
        credential_json: &str,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let pending = self.take_pending(ceremony_id)?;
        let credential: serde_json::Value = serde_json::from_str(credential_json).map_err(|e| {
            AppError::validation(Msg::PasskeyResponseNotJson {
                error: e.to_string(),
            })
        })?;
        self.finish(pending, credential, None, secrets).await
    }

    /// Runs the pending ceremony on a provider the core drives (the credential, PRF output
    /// included, never leaves Rust), then completes it.
    pub async fn complete_native(
        self: &Arc<Self>,
        ceremony_id: &str,
        backend: &dyn NativeBackend,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let pending = self.take_pending(ceremony_id)?;
        let uv = crate::passkey::verify::requires_uv(&pending.options);
        let answer = match pending.intent {
            AuthIntent::SignUp => {
                let answer = backend.create(&pending.options, &pending.rp_id).await?;
                crate::passkey::verify::registration(&answer.credential, &pending.rp_id, uv)?;
                answer
            }
            AuthIntent::SignIn => {
                let answer = backend.get(&pending.options, &pending.rp_id).await?;
                crate::passkey::verify::assertion(&answer.credential, &pending.rp_id, uv, None)?;
                answer
            }
        };
        self.finish(pending, answer.credential, Some(&answer.origin), secrets)
            .await
    }

    async fn finish(
        self: &Arc<Self>,
        pending: Pending,
        credential: serde_json::Value,
        origin: Option<&str>,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let expected_type = match pending.intent {
            AuthIntent::SignUp => ClientDataType::Create,
            AuthIntent::SignIn => ClientDataType::Get,
        };
        let signed_for = check_client_data(&credential, expected_type, &pending.challenge, origin)?;
        self.device.forget();
        self.device.learn(&credential, expected_type);
        let credential: Credential = serde_json::from_value(credential).map_err(|e| {
            AppError::validation(Msg::PasskeyResponseNotCredential {
                error: e.to_string(),
            })
        })?;
        self.events.emit(CoreEvent::AuthProgress {
            step: AuthStep::Verifying,
        });
        let tokens = match pending.intent {
            AuthIntent::SignUp => {
                let body = SignUpRequest {
                    wallet: Some(WalletKind::Passkeys),
                    credential: Some(credential),
                    ..SignUpRequest::default()
                };
                self.client
                    .sign_up(&body, None)
                    .await
                    .map_err(|e| rejected_passkey(e, &signed_for))?
                    .tokens
            }
            AuthIntent::SignIn => {
                let body = SignInRequest {
                    wallet: Some(WalletKind::Passkeys),
                    credential: Some(credential),
                    ..SignInRequest::default()
                };
                self.client
                    .sign_in(&body)
                    .await
                    .map_err(|e| rejected_passkey(e, &signed_for))?
                    .tokens
            }
        };
        self.start(&tokens, SignerKind::Passkey, secrets).await
    }

    /// Starts the session from fresh tokens (refresh token stored first) and loads the wallet:
    /// every way in (passkey, PIN, e-mail, EOA) ends here.
    pub(crate) async fn start(
        self: &Arc<Self>,
        tokens: &ibex::models::auth::AuthTokens,
        signer: SignerKind,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let (store, persistence) = self.open_store(secrets);
        let session =
            Session::start(self.client.clone(), store, tokens, SessionConfig::default()).await?;
        self.activate(session, persistence, signer).await
    }

    /// Resumes the session whose refresh token is in the store, if any; `signer` is what
    /// signed in last time on this network.
    pub async fn restore(self: &Arc<Self>, secrets: &dyn SecretStores, signer: SignerKind) {
        let (store, persistence) = self.open_store(secrets);
        match Session::restore(self.client.clone(), store, SessionConfig::default()).await {
            Ok(session) => {
                if let Err(e) = self.activate(session, persistence, signer).await {
                    tracing::warn!(error = %e, "restored session has no wallet yet");
                }
            }
            Err(ibex::Error::SessionExpired(_)) => {}
            Err(e) => {
                tracing::info!(error = %e, "stored session could not be resumed");
                // The reason is said in the language of the moment it failed (at start).
                let why = AppError::from(e).localized(self.locale.get());
                *lock(&self.last_end) = Some(Msg::SessionNotResumed { error: why.message });
            }
        }
    }

    /// Locks the wallet until the next passkey sign-in; the session itself stays alive.
    pub fn lock(&self) -> SessionInfo {
        if let Some(active) = lock(&self.active).as_mut() {
            active.locked = true;
        }
        let info = self.info();
        self.events.emit(CoreEvent::SessionChanged {
            session: info.clone(),
        });
        info
    }

    pub async fn sign_out(&self) -> Result<SessionInfo, AppError> {
        let active = lock(&self.active).take();
        *lock(&self.last_end) = None;
        self.device.forget();
        if let Some(active) = active {
            active.session.sign_out().await?;
        }
        let info = self.info();
        self.events.emit(CoreEvent::SessionChanged {
            session: info.clone(),
        });
        Ok(info)
    }

    fn take_pending(&self, ceremony_id: &str) -> Result<Pending, AppError> {
        let pending = lock(&self.pending).take();
        match pending {
            Some(p) if p.id == ceremony_id && p.started.elapsed() <= CEREMONY_TTL => Ok(p),
            Some(p) if p.id == ceremony_id => Err(AppError::new(
                ErrorCode::Conflict,
                Msg::PasskeyRequestExpired,
            )),
            _ => Err(AppError::new(
                ErrorCode::Conflict,
                Msg::PasskeyRequestClosed,
            )),
        }
    }

    fn open_store(&self, secrets: &dyn SecretStores) -> (Arc<dyn ibex::SecretStore>, Persistence) {
        let rp_id = &self.client.config().rp_id;
        match secrets.open(SecretItem::RefreshToken, &self.identity, rp_id) {
            Ok(store) => (store, Persistence::Keychain),
            Err(reason) => (
                Arc::new(ibex::MemoryStore::new()),
                Persistence::MemoryOnly { reason },
            ),
        }
    }

    async fn activate(
        self: &Arc<Self>,
        session: Session,
        persistence: Persistence,
        signer: SignerKind,
    ) -> Result<SessionInfo, AppError> {
        self.events.emit(CoreEvent::AuthProgress {
            step: AuthStep::PreparingWallet,
        });
        let wallets = session.address(false).await?;
        let account = Account::from_wallets(wallets, signer);
        self.watch_end(&session);
        session.spawn_refresher();
        // A fresh sign-in (also the way to unlock) replaces the previous session. It is
        // dropped, not signed out: signing out would clear the keychain item the new session
        // just wrote.
        drop(lock(&self.active).replace(Active {
            session,
            account,
            persistence,
            locked: false,
        }));
        *lock(&self.last_end) = None;
        let info = self.info();
        self.events.emit(CoreEvent::SessionChanged {
            session: info.clone(),
        });
        Ok(info)
    }

    /// Tells the UI when the session's keychain copy is lost or back (the keychain stopped
    /// answering), and once when IBEx ends the session (refresh rejected).
    fn watch_end(self: &Arc<Self>, session: &Session) {
        let mut rx = session.subscribe();
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let state = rx.borrow_and_update().clone();
                let Some(auth) = weak.upgrade() else { return };
                let ended = state.is_ended();
                // Only this session changes: a newer sign-in that replaced it stays (an old
                // session still running a call or a socket can end after the swap).
                let changed = {
                    let mut active = lock(&auth.active);
                    let ours = active
                        .as_ref()
                        .is_some_and(|a| a.session.subscribe().same_channel(&rx));
                    match (&state, active.as_mut()) {
                        (_, Some(_)) if !ours => false,
                        (_, None) => false,
                        (SessionState::Ended(_), Some(_)) => active.take().is_some(),
                        (SessionState::Unsaved(reason), Some(a)) => {
                            let reason = reason.clone();
                            a.persistence = Persistence::Unsaved { reason };
                            true
                        }
                        (SessionState::Active, Some(a)) => {
                            a.persistence = Persistence::Keychain;
                            true
                        }
                    }
                };
                if let (true, SessionState::Ended(reason)) = (changed, &state) {
                    let why = format!("{reason:?}");
                    *lock(&auth.last_end) =
                        Some(end_message(reason).unwrap_or(Msg::Unexpected { detail: why }));
                }
                if changed {
                    auth.events.emit(CoreEvent::SessionChanged {
                        session: auth.info(),
                    });
                }
                if ended {
                    return;
                }
            }
        });
    }
}

/// IBEx refusing a credential (400/401/403) is about the passkey, not the connection: say so,
/// precisely when IBEx named why. `origin` is the page the passkey signed for.
fn rejected_passkey(e: ibex::Error, origin: &str) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            origin: Some(origin),
            refused: Some((ErrorCode::Unauthorized, Msg::PasskeyRefused)),
            ..Context::default()
        },
    )
}

/// A refused PIN proof is almost always a wrong PIN (the derived key differs).
fn rejected_pin(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            refused: Some((ErrorCode::Unauthorized, Msg::WrongPin)),
            ..Context::default()
        },
    )
}

fn end_message(reason: &ibex::EndReason) -> Option<Msg> {
    match reason {
        ibex::EndReason::SignedOut => None,
        ibex::EndReason::RefreshRejected => Some(Msg::SessionExpired),
        ibex::EndReason::NoStoredToken => None,
    }
}

/// The account's primary Safe (or its first one).
fn primary_safe(account: &Account) -> Result<ibex::Address, AppError> {
    let wallet = account
        .wallets
        .iter()
        .find(|w| w.primary)
        .or_else(|| account.wallets.first())
        .ok_or_else(|| AppError::new(ErrorCode::NotReady, Msg::WalletPreparing))?;
    Ok(wallet.address)
}

/// The sign-in commands.
impl crate::Core {
    /// Step 1 of a passkey sign-up or sign-in: the options for the provider.
    pub async fn auth_begin(&self, intent: AuthIntent) -> Result<Ceremony, AppError> {
        self.connection().await?.auth.begin(intent).await
    }

    /// Step 2: the provider's credential (WebAuthn L3 JSON text) for ceremony `ceremony_id`.
    pub async fn auth_complete(
        &self,
        ceremony_id: String,
        credential_json: String,
    ) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        let info = conn
            .auth
            .complete(&ceremony_id, &credential_json, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Step 2 on a provider the core runs itself (`soft`; `native` where built).
    pub async fn auth_complete_native(
        &self,
        ceremony_id: String,
        provider: ProviderKind,
    ) -> Result<SessionInfo, AppError> {
        let backend = self.native(provider)?;
        let conn = self.connection().await?;
        let info = conn
            .auth
            .complete_native(&ceremony_id, backend.as_ref(), self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }
}

#[cfg(all(test, feature = "sandbox"))]
mod tests {
    use super::*;

    struct NoEvents;
    impl EventSink for NoEvents {
        fn emit(&self, _: CoreEvent) {}
    }

    async fn signed_in(base_url: &str, client: &Client) -> Session {
        ibex::install_crypto_provider();
        let auth: ibex::models::auth::AuthSession = reqwest::Client::new()
            .post(format!("{base_url}/__sandbox/session"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let store = Arc::new(ibex::MemoryStore::new());
        Session::start(
            client.clone(),
            store,
            &auth.tokens,
            SessionConfig::default(),
        )
        .await
        .unwrap()
    }

    /// The watcher of a replaced session (still alive in a call or a socket when it ends)
    /// used to sign out whichever session was active by then.
    #[tokio::test]
    async fn an_old_session_ending_leaves_the_new_sign_in_alone() {
        let sandbox = ibex_sandbox::Sandbox::start(ibex_sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let base = sandbox.base_url();
        let client = Client::new(ibex::Config::new(&base, "localhost").unwrap()).unwrap();
        let state = AuthState::new(
            client.clone(),
            "test".into(),
            Arc::new(NoEvents),
            Arc::new(CurrentLocale::new(crate::i18n::Locale::En)),
        );
        let old = signed_in(&base, &client).await;
        let signer = SignerKind::Passkey;
        state
            .activate(old.clone(), Persistence::Keychain, signer)
            .await
            .unwrap();
        let new = signed_in(&base, &client).await;
        state
            .activate(new, Persistence::Keychain, signer)
            .await
            .unwrap();
        old.sign_out().await.unwrap();
        for _ in 0..20 {
            tokio::task::yield_now().await; // the watcher runs on this thread
        }
        assert!(
            matches!(state.info(), SessionInfo::SignedIn { .. }),
            "{:?}",
            state.info()
        );
    }
}
