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

use crate::account::{
    Account, NoticeAccount, NoticeKind, Persistence, SessionInfo, SessionNotice, SignerKind,
};
use crate::error::{AppError, Context, ErrorCode};
use crate::events::{AuthStep, CoreEvent, EventSink};
use crate::i18n::CurrentLocale;
use crate::messages::Msg;
use crate::passkey::ceremony::{check_client_data, random_id, ClientDataType};
use crate::passkey::{NativeBackend, ProviderKind};
use crate::pin::{self, Pin};
use crate::secrets::SecretStores;
use crate::session::filing::{self, Filed, Filing, Registry};
use crate::session::resume::{self, Attempts, ResumeBackoff};
use crate::store::KvStore;
use crate::sync::lock;
use ibex::models::ChainId;

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

impl AuthIntent {
    /// The ceremony a browser would run for it.
    fn client_data_type(self) -> ClientDataType {
        match self {
            AuthIntent::SignUp => ClientDataType::Create,
            AuthIntent::SignIn => ClientDataType::Get,
        }
    }
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

/// One signed-in account.
struct Active {
    /// IBEx's `externalUserId` (see [`filing::Filed::id`]).
    id: String,
    session: Session,
    account: Account,
    persistence: Persistence,
    locked: bool,
    /// What the user named and picked (the index's copy, kept here for `info`).
    filed: Filed,
}

impl Active {
    /// The Safe operations act for: the one the user picked, else the primary one.
    fn safe(&self) -> Result<ibex::Address, AppError> {
        let picked = self
            .filed
            .safe
            .filter(|s| self.account.wallets.iter().any(|w| w.address == *s));
        match picked {
            Some(safe) => Ok(safe),
            None => primary_safe(&self.account),
        }
    }

    /// The account as the UI sees it: names and the picked Safe filled in.
    fn view(&self) -> Account {
        let mut account = self.account.clone();
        let picked = self.safe().ok();
        for w in &mut account.wallets {
            w.name = self
                .filed
                .safe_names
                .get(&w.address.to_checksum().to_ascii_lowercase())
                .cloned();
            w.selected = Some(w.address) == picked;
        }
        account.id = self.id.clone();
        account.name = self.filed.name.clone();
        account.label = account_label(&self.filed, &self.account);
        account
    }
}

/// The user's name for the account, else its primary Safe, shortened.
fn account_label(filed: &Filed, account: &Account) -> String {
    filing::label(filed.name.as_deref(), primary_safe(account).ok(), &filed.id)
}

/// A session the user is told about (see [`SessionNotice`]); its text is rendered when asked,
/// in the language of that moment.
struct Notice {
    id: u32,
    kind: NoticeKind,
    account: Option<NoticeAccount>,
    message: Msg,
    /// A not-resumed session's: what trying it again takes.
    resume: Option<Resume>,
}

/// A filed account to resume (`filed` `None`: the network's session from before several
/// accounts), and the signer it signed in with.
#[derive(Clone)]
struct Resume {
    filed: Option<Filed>,
    signer: SignerKind,
}

/// The notices of one network, newest last.
#[derive(Default)]
struct Notices {
    list: Vec<Notice>,
    next_id: u32,
}

/// Every signed-in account of the network, and which one the commands act for.
#[derive(Default)]
struct Signed {
    list: Vec<Active>,
    current: Option<String>,
}

impl Signed {
    fn current(&self) -> Option<&Active> {
        let id = self.current.as_deref()?;
        self.list.iter().find(|a| a.id == id)
    }
}

/// What the background duties need of one account, current or not.
pub(crate) struct Watched {
    pub id: String,
    /// How notifications name it.
    pub label: String,
    pub session: Session,
    pub safes: Vec<ibex::Address>,
    pub current: bool,
}

/// One line of the account switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountEntry {
    /// What the switcher's commands take: the network and the account (two IBEx deployments
    /// may hand out the same account id).
    pub handle: String,
    /// The network it is signed in on ("Local sandbox", a tenant's host).
    pub network: String,
    pub id: String,
    /// The user's name for it, else its primary Safe shortened.
    pub label: String,
    pub name: Option<String>,
    pub signer: SignerKind,
    pub safes: u32,
    pub current: bool,
    pub locked: bool,
}

/// Authentication state of one connection: every account signed in on it.
pub(crate) struct AuthState {
    client: Client,
    /// Names this network's keychain items (see `Connection::identity`).
    identity: String,
    events: Arc<dyn EventSink>,
    pending: Mutex<Option<Pending>>,
    /// A passkey sign-in that grants one more Safe (`intent: safe_provision`), and its chain.
    provision: Mutex<Option<(Pending, ChainId, Option<String>)>>,
    signed: Mutex<Signed>,
    registry: Registry,
    /// Sessions that ended or were not resumed without the user signing out.
    notices: Mutex<Notices>,
    /// The language `info()` speaks.
    locale: Arc<CurrentLocale>,
    /// The attempts at resuming a stored session again, one per account at a time.
    attempts: Attempts,
    backoff: ResumeBackoff,
}

impl AuthState {
    pub fn new(
        client: Client,
        identity: String,
        events: Arc<dyn EventSink>,
        locale: Arc<CurrentLocale>,
        store: Arc<dyn KvStore>,
        backoff: ResumeBackoff,
    ) -> Arc<Self> {
        let registry = Registry::new(store, &client.config().rp_id, &identity);
        Arc::new(Self {
            client,
            identity,
            events,
            pending: Mutex::new(None),
            provision: Mutex::new(None),
            signed: Mutex::new(Signed::default()),
            registry,
            notices: Mutex::new(Notices::default()),
            locale,
            attempts: Attempts::default(),
            backoff,
        })
    }

    /// Whether a sign-up or sign-in is waiting for its passkey (an update's restart waits).
    pub(crate) fn ceremony_open(&self) -> bool {
        lock(&self.pending)
            .as_ref()
            .is_some_and(|p| p.started.elapsed() <= CEREMONY_TTL)
    }

    /// The current account's session state, with the notices.
    pub fn info(&self) -> SessionInfo {
        let locale = self.locale.get();
        let notices = lock(&self.notices)
            .list
            .iter()
            .map(|n| SessionNotice {
                id: n.id,
                kind: n.kind,
                account: n.account.clone(),
                message: n.message.render(locale),
            })
            .collect();
        match lock(&self.signed).current() {
            Some(a) => SessionInfo::SignedIn {
                account: a.view(),
                persistence: a.persistence.clone(),
                locked: a.locked,
                notices,
            },
            None => SessionInfo::SignedOut { notices },
        }
    }

    /// Tells the user about account `filed`'s session (`None`: the network's session from
    /// before several accounts), replacing what was told of that account before (the same
    /// kind keeps its id: the UI keeps its place, and the focus, on it).
    fn notify(
        &self,
        kind: NoticeKind,
        filed: Option<&Filed>,
        error: Option<String>,
        resume: Option<Resume>,
    ) {
        let label = filed.map(Filed::label);
        let message = match (kind, label.clone(), error) {
            (NoticeKind::NotResumed, Some(label), error) => Msg::SessionNotResumedFor {
                label,
                error: error.unwrap_or_default(),
            },
            (NoticeKind::NotResumed, None, error) => Msg::SessionNotResumed {
                error: error.unwrap_or_default(),
            },
            (NoticeKind::EndedWhileClosed, Some(label), _) => {
                Msg::SessionEndedWhileClosed { label }
            }
            (NoticeKind::EndedWhileClosed, None, _) => Msg::LastSessionEndedWhileClosed,
            (NoticeKind::Ended, label, _) => Msg::SessionEndedFor {
                label: label.unwrap_or_default(),
            },
        };
        let account = filed.zip(label).map(|(f, label)| NoticeAccount {
            id: f.id.clone(),
            label,
            signer: f.signer,
        });
        let mut notices = lock(&self.notices);
        let same = account.as_ref().map(|a| a.id.clone());
        let of_same = |n: &Notice| n.account.as_ref().map(|a| &a.id) == same.as_ref();
        let id = match notices.list.iter().find(|n| of_same(n) && n.kind == kind) {
            Some(told) => told.id,
            None => {
                notices.next_id += 1;
                notices.next_id - 1
            }
        };
        notices.list.retain(|n| !of_same(n));
        notices.list.push(Notice {
            id,
            kind,
            account,
            message,
            resume,
        });
    }

    /// Forgets what was told of account `id` (signed in again, or signed out); a sign-in also
    /// answers the notice of the session from before several accounts.
    fn forget_notices(&self, id: &str) {
        lock(&self.notices)
            .list
            .retain(|n| n.account.as_ref().is_some_and(|a| a.id != id));
    }

    /// The user read notice `id`.
    pub fn dismiss(&self, id: u32) -> SessionInfo {
        lock(&self.notices).list.retain(|n| n.id != id);
        self.changed()
    }

    /// The current account's live session and the Safe operations act for (the one the user
    /// picked, else the primary one), or a clear "sign in first". A command takes both once,
    /// at its start: switching accounts meanwhile does not move it to the other account.
    pub fn signed_in(&self) -> Result<(Session, ibex::Address), AppError> {
        let signed = lock(&self.signed);
        let active = signed
            .current()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        if active.locked {
            return Err(AppError::new(ErrorCode::Locked, Msg::WalletLocked));
        }
        Ok((active.session.clone(), active.safe()?))
    }

    /// As [`Self::signed_in`], for preparing an operation: refused at once, before IBEx is
    /// asked, when the account's signer cannot approve it. IBEx's execute takes a WebAuthn
    /// assertion only (operations.md §1.2), so e-mail, Ethereum-account and PIN accounts would
    /// otherwise reach a passkey prompt that cannot answer for them.
    pub fn signing(&self) -> Result<(Session, ibex::Address), AppError> {
        let refused = match lock(&self.signed).current().map(|a| a.account.signer) {
            Some(SignerKind::Email) => Some(Msg::SignerCannotApproveEmail),
            Some(SignerKind::Eoa) => Some(Msg::SignerCannotApproveEoa),
            Some(SignerKind::Pin) => Some(Msg::SignerCannotApprovePin),
            Some(SignerKind::Passkey) | None => None,
        };
        match refused {
            Some(text) => Err(AppError::new(ErrorCode::SignerCannotApprove, text)),
            None => self.signed_in(),
        }
    }

    /// The current account's session and Safe even while locked, for background reads that
    /// never sign; `None` when signed out.
    pub fn watched(&self) -> Option<(Session, ibex::Address)> {
        let signed = lock(&self.signed);
        let active = signed.current()?;
        Some((active.session.clone(), active.safe().ok()?))
    }

    /// Every signed-in account (locked too), for the duties that run for all of them: the
    /// recovery check, deadline alerts.
    pub fn every_account(&self) -> Vec<Watched> {
        let signed = lock(&self.signed);
        signed
            .list
            .iter()
            .map(|a| Watched {
                id: a.id.clone(),
                label: account_label(&a.filed, &a.account),
                session: a.session.clone(),
                safes: a.account.wallets.iter().map(|w| w.address).collect(),
                current: signed.current.as_deref() == Some(a.id.as_str()),
            })
            .collect()
    }

    /// Whether any account is signed in here.
    pub fn has_accounts(&self) -> bool {
        !lock(&self.signed).list.is_empty()
    }

    /// The account id a switcher handle names, when it names one of this network's.
    pub fn account_of<'k>(&self, handle: &'k str) -> Option<&'k str> {
        let (network, id) = handle.split_once('|')?;
        (network == self.network_id() && lock(&self.signed).list.iter().any(|a| a.id == id))
            .then_some(id)
    }

    /// This network as switcher handles name it: rpId and identity.
    fn network_id(&self) -> String {
        format!("{}@{}", self.client.config().rp_id, self.identity)
    }

    /// The account switcher's list, in the order the accounts were added; `network` names
    /// this connection's network, `shown`: whether it is the current network.
    pub fn entries(&self, network: &str, shown: bool) -> Vec<AccountEntry> {
        let signed = lock(&self.signed);
        signed
            .list
            .iter()
            .map(|a| AccountEntry {
                handle: format!("{}|{}", self.network_id(), a.id),
                network: network.to_owned(),
                id: a.id.clone(),
                label: account_label(&a.filed, &a.account),
                name: a.filed.name.clone(),
                signer: a.account.signer,
                safes: u32::try_from(a.account.wallets.len()).unwrap_or(u32::MAX),
                current: shown && signed.current.as_deref() == Some(a.id.as_str()),
                locked: a.locked,
            })
            .collect()
    }

    /// The current account's id, if any.
    pub fn current_id(&self) -> Option<String> {
        lock(&self.signed).current.clone()
    }

    /// Makes `id` the account the commands act for. What already runs for the previous one
    /// finishes there; a review prepared for it can no longer be approved (see `Operations`).
    pub fn switch(&self, id: &str) -> Result<SessionInfo, AppError> {
        {
            let mut signed = lock(&self.signed);
            if !signed.list.iter().any(|a| a.id == id) {
                return Err(AppError::validation(Msg::AccountUnknown));
            }
            signed.current = Some(id.to_owned());
        }
        self.registry.edit(|i| i.current = Some(id.to_owned()));
        Ok(self.changed())
    }

    /// Changes what the user named or picked for account `id` (the index and the live copy).
    pub fn edit_filed(
        &self,
        id: &str,
        change: impl Fn(&mut Filed, &Account) -> Result<(), AppError>,
    ) -> Result<SessionInfo, AppError> {
        self.file(id, |filed, account| change(filed, account).map(|()| true))?;
        Ok(self.changed())
    }

    /// Changes account `id`'s filing, live and in the index (when `change` says it changed).
    fn file(
        &self,
        id: &str,
        change: impl FnOnce(&mut Filed, &Account) -> Result<bool, AppError>,
    ) -> Result<(), AppError> {
        let mut signed = lock(&self.signed);
        let active = signed
            .list
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::validation(Msg::AccountUnknown))?;
        if change(&mut active.filed, &active.account)? {
            let filed = active.filed.clone();
            self.registry.edit(
                |index| match index.accounts.iter_mut().find(|a| a.id == id) {
                    Some(known) => *known = filed,
                    None => index.accounts.push(filed),
                },
            );
        }
        Ok(())
    }

    /// The account a session is signed in for (a command's session, taken at its start).
    pub fn account_with(&self, session: &Session) -> Option<String> {
        lock(&self.signed)
            .list
            .iter()
            .find(|a| a.session.same_as(session))
            .map(|a| a.id.clone())
    }

    /// Learns this device's passkey key for account `id` from a ceremony's credential, and
    /// files it with the account.
    fn learn_device(&self, id: &str, credential: &serde_json::Value, kind: ClientDataType) {
        let learnt = self.file(id, |filed, _| {
            Ok(crate::owners::learn(
                &mut filed.device_keys,
                credential,
                kind,
            ))
        });
        if let Err(e) = learnt {
            tracing::debug!(error = %e, "device key not filed: the account is gone");
        }
    }

    /// [`Self::learn_device`] for the account `session` signs for (an approval's assertion).
    pub fn learn_device_for(&self, session: &Session, credential: &serde_json::Value) {
        if let Some(id) = self.account_with(session) {
            self.learn_device(&id, credential, ClientDataType::Get);
        }
    }

    /// This device's passkey key as far as it is known for the account `session` signs for.
    pub fn device_keys(&self, session: &Session) -> Vec<crate::owners::DeviceKey> {
        lock(&self.signed)
            .list
            .iter()
            .find(|a| a.session.same_as(session))
            .map(|a| a.filed.device_keys.clone())
            .unwrap_or_default()
    }

    /// [`Self::edit_filed`] for the current account.
    pub fn edit_current(
        &self,
        change: impl Fn(&mut Filed, &Account) -> Result<(), AppError>,
    ) -> Result<SessionInfo, AppError> {
        let id = self
            .current_id()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        self.edit_filed(&id, change)
    }

    /// Reads account `id`'s Safes again (after one was added, or while IBEx registers a new one
    /// chain by chain); whether they changed.
    pub async fn reload_wallets(&self, id: &str, session: &Session) -> Result<bool, AppError> {
        let wallets = session.address(false).await?;
        let mut signed = lock(&self.signed);
        let Some(active) = signed.list.iter_mut().find(|a| a.id == id) else {
            return Ok(false);
        };
        let reloaded = Account::from_wallets(wallets, active.account.signer);
        let changed = reloaded != active.account;
        active.account = reloaded;
        Ok(changed)
    }

    /// The chains account `id`'s primary Safe is on, while `session` is its session.
    pub(crate) fn primary_chains(
        &self,
        id: &str,
        session: &Session,
    ) -> Option<std::collections::BTreeSet<u64>> {
        let signed = lock(&self.signed);
        let active = signed
            .list
            .iter()
            .find(|a| a.id == id && a.session.same_as(session))?;
        let primary = primary_safe(&active.account).ok()?;
        let wallet = active
            .account
            .wallets
            .iter()
            .find(|w| w.address == primary)?;
        Some(wallet.chain_ids.iter().map(|&c| u64::from(c)).collect())
    }

    /// Tells the UI the current session changed and returns it.
    pub(crate) fn changed(&self) -> SessionInfo {
        let info = self.info();
        self.events.emit(CoreEvent::SessionChanged {
            session: info.clone(),
        });
        info
    }

    pub async fn begin(&self, intent: AuthIntent) -> Result<Ceremony, AppError> {
        let (pending, ceremony) = self.challenge(intent).await?;
        *lock(&self.pending) = Some(pending);
        Ok(ceremony)
    }

    /// IBEx's options for a passkey ceremony, checked, and what completing it needs.
    async fn challenge(&self, intent: AuthIntent) -> Result<(Pending, Ceremony), AppError> {
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
        let ceremony = Ceremony {
            id: id.clone(),
            kind,
            rp_id: rp_id.clone(),
            options_json: options.to_string(),
        };
        let pending = Pending {
            id,
            intent,
            challenge,
            options,
            rp_id,
            started: Instant::now(),
        };
        Ok((pending, ceremony))
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
        let pending = take(&self.pending, ceremony_id)?;
        let (credential, origin) = answer(&pending, Answer::Json(credential_json)).await?;
        self.finish(pending, credential, origin.as_deref(), secrets)
            .await
    }

    /// Runs the pending ceremony on a provider the core drives (the credential, PRF output
    /// included, never leaves Rust), then completes it.
    pub async fn complete_native(
        self: &Arc<Self>,
        ceremony_id: &str,
        backend: &dyn NativeBackend,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let pending = take(&self.pending, ceremony_id)?;
        let (credential, origin) = answer(&pending, Answer::Native(backend)).await?;
        self.finish(pending, credential, origin.as_deref(), secrets)
            .await
    }

    async fn finish(
        self: &Arc<Self>,
        pending: Pending,
        credential: serde_json::Value,
        origin: Option<&str>,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let raw = credential.clone();
        let (credential, signed_for) = checked_credential(&pending, credential, origin)?;
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
        let info = self.start(&tokens, SignerKind::Passkey, secrets).await?;
        // This passkey is the account's on this device: filed with it (the account is known
        // only now), so another account's key never marks an owner of this one.
        if let SessionInfo::SignedIn { account, .. } = &info {
            self.learn_device(&account.id, &raw, pending.intent.client_data_type());
        }
        Ok(info)
    }

    /// Step 1 of adding a Safe: a passkey sign-in of the current account that asks IBEx for a
    /// `safe_provision_token` (docs/api/auth.md §9). `name`: what to call the new Safe.
    pub async fn begin_provision(
        &self,
        chain: ChainId,
        name: Option<String>,
    ) -> Result<Ceremony, AppError> {
        if self.current_id().is_none() {
            return Err(AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst));
        }
        let (pending, ceremony) = self.challenge(AuthIntent::SignIn).await?;
        *lock(&self.provision) = Some((pending, chain, name));
        Ok(ceremony)
    }

    /// Step 2: the passkey's answer → the grant → the new Safe (the next free `saltNonce` on
    /// that chain). The grant must be the current account's: another account's passkey creates
    /// nothing. Returns the account with the new Safe, picked.
    pub async fn complete_provision(
        &self,
        ceremony_id: &str,
        how: Answer<'_>,
    ) -> Result<SessionInfo, AppError> {
        let (pending, chain, name) = {
            let mut slot = lock(&self.provision);
            match slot.take() {
                Some((p, chain, name)) if p.id == ceremony_id => (p, chain, name),
                other => {
                    *slot = other;
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        Msg::PasskeyRequestClosed,
                    ));
                }
            }
        };
        if pending.started.elapsed() > CEREMONY_TTL {
            return Err(AppError::new(
                ErrorCode::Conflict,
                Msg::PasskeyRequestExpired,
            ));
        }
        let (id, session) = {
            let signed = lock(&self.signed);
            let a = signed
                .current()
                .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
            if a.account.signer != SignerKind::Passkey {
                return Err(AppError::validation(Msg::SafeProvisionPasskeyOnly));
            }
            (a.id.clone(), a.session.clone())
        };
        let (credential, origin) = answer(&pending, how).await?;
        let raw = credential.clone();
        let (credential, signed_for) = checked_credential(&pending, credential, origin.as_deref())?;
        let granted = self
            .client
            .sign_in(&SignInRequest {
                wallet: Some(WalletKind::Passkeys),
                credential: Some(credential),
                intent: Some("safe_provision".to_owned()),
                ..SignInRequest::default()
            })
            .await
            .map_err(|e| rejected_passkey(e, &signed_for))?;
        // The sign-in's own tokens are not kept: the account's session goes on as it was.
        let owner = granted
            .external_user_id
            .clone()
            .or_else(|| filing::subject(&granted.tokens));
        if owner.as_deref() != Some(id.as_str()) {
            return Err(AppError::validation(Msg::SafeProvisionOtherAccount));
        }
        self.learn_device(&id, &raw, ClientDataType::Get);
        let token = granted
            .safe_provision_token
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::SafeProvisionNoGrant))?;
        let salt = self.next_salt(&id, chain);
        let created = self
            .client
            .safe_provision(
                &token,
                &ibex::models::auth::SafeProvisionRequest {
                    blockchain_id: chain,
                    salt_nonce: salt.to_string(),
                },
            )
            .await;
        // Used or not, this slot is not offered again (a conflict means another device took it).
        let record = |f: &mut Filed, _: &Account| {
            f.salts.insert(chain.0, salt);
            Ok(())
        };
        self.edit_filed(&id, record)?;
        let created = created.map_err(|e| match e {
            ibex::Error::Conflict { .. } => AppError::new(ErrorCode::Conflict, Msg::SafeSlotTaken),
            other => AppError::from(other),
        })?;
        self.reload_wallets(&id, &session).await?;
        let address = created.address;
        self.edit_filed(&id, |f, account| {
            if !account.wallets.iter().any(|w| w.address == address) {
                return Err(AppError::new(
                    ErrorCode::NotReady,
                    Msg::SafeNotListedYet {
                        address: address.to_checksum(),
                    },
                ));
            }
            f.safe = Some(address);
            if let Some(name) = &name {
                f.safe_names
                    .insert(address.to_checksum().to_ascii_lowercase(), name.clone());
            }
            Ok(())
        })
    }

    /// The `saltNonce` to ask for: past every Safe the account has on `chain` and every slot
    /// this device already used there (the primary Safe uses the default salt).
    fn next_salt(&self, id: &str, chain: ChainId) -> u64 {
        let signed = lock(&self.signed);
        let Some(a) = signed.list.iter().find(|a| a.id == id) else {
            return 1;
        };
        let on_chain = a
            .account
            .wallets
            .iter()
            .filter(|w| w.chain_ids.iter().any(|&c| u64::from(c) == chain.0))
            .count() as u64;
        let used = a.filed.salts.get(&chain.0).copied().unwrap_or(0);
        on_chain.max(used + 1).max(1)
    }

    /// Starts the session from fresh tokens (refresh token stored first, in the account's own
    /// keychain item) and loads the wallet: every way in (passkey, PIN, e-mail, EOA) ends here.
    /// The account joins the others and becomes current.
    pub(crate) async fn start(
        self: &Arc<Self>,
        tokens: &ibex::models::auth::AuthTokens,
        signer: SignerKind,
        secrets: &dyn SecretStores,
    ) -> Result<SessionInfo, AppError> {
        let id = filing::subject(tokens);
        let rp_id = self.client.config().rp_id.clone();
        let (store, persistence) = filing::open(secrets, &self.identity, &rp_id, id.as_deref());
        let filing = Filing::new(store, id.as_deref());
        let session = Session::start(
            self.client.clone(),
            filing.clone(),
            tokens,
            SessionConfig::default(),
        )
        .await?;
        self.activate(session, filing, persistence, signer, secrets, true)
            .await
    }

    /// Resumes every account filed for this network, each from its own keychain item (see
    /// [`Self::resume_one`]); a session from before several accounts (the network's single
    /// item) is resumed and moved to its account's item. `signer`: what signed in last on this
    /// network (for that one). The index's current account is not written here: a start-up
    /// killed part-way leaves it as the user chose it.
    pub async fn restore(self: &Arc<Self>, secrets: &Arc<dyn SecretStores>, signer: SignerKind) {
        let index = self.registry.load();
        let mut items: Vec<(Option<&Filed>, SignerKind)> =
            index.accounts.iter().map(|a| (Some(a), a.signer)).collect();
        if items.is_empty() {
            items.push((None, signer));
        }
        // No attempt runs for these yet: the loops of automatic tries start from here.
        for (filed, signer) in items {
            if let Some(why) = self.resume_one(filed, signer, secrets).await {
                let resume = Resume {
                    filed: filed.cloned(),
                    signer,
                };
                self.notify(NoticeKind::NotResumed, filed, Some(why), Some(resume));
                self.keep_trying(filed.map(|f| f.id.clone()), secrets.clone());
            }
        }
        // The account that was current before the restart, if it came back (else the first
        // that did).
        if let Some(wanted) = index.current {
            let mut signed = lock(&self.signed);
            if signed.list.iter().any(|a| a.id == wanted) {
                signed.current = Some(wanted);
            }
        }
        self.changed();
    }

    /// Resumes one filed account (`None`: the network's session from before several accounts)
    /// from its keychain item. Back: it joins the list (current only while none is). Refused
    /// by IBEx (its single-use refresh token spent by a start that died before saving the
    /// next, or by a quit while the keychain was down), or never saved on this device: it is
    /// unfiled, and the user told which. Not now (IBEx or the keychain not answering): it stays
    /// filed, and the reason is returned, for the user, in the language of the moment. The
    /// caller makes sure no other attempt runs for it.
    async fn resume_one(
        self: &Arc<Self>,
        filed: Option<&Filed>,
        signer: SignerKind,
        secrets: &Arc<dyn SecretStores>,
    ) -> Option<String> {
        let rp_id = self.client.config().rp_id.clone();
        let id = filed.map(|f| f.id.as_str());
        let (store, persistence) = filing::open(secrets.as_ref(), &self.identity, &rp_id, id);
        let filing = Filing::new(store, id);
        let restored = Session::restore(
            self.client.clone(),
            filing.clone(),
            SessionConfig::default(),
        )
        .await;
        let locale = self.locale.get();
        let why = match (restored, &persistence) {
            (Ok(Some(session)), _) => {
                let back = self
                    .activate(
                        session,
                        filing,
                        persistence,
                        signer,
                        secrets.as_ref(),
                        false,
                    )
                    .await;
                match back {
                    Ok(_) => return None,
                    // Its first call refused: IBEx ended it after all.
                    Err(e) if e.code == ErrorCode::SessionExpired => {
                        self.refused(filed);
                        return None;
                    }
                    // Its rotated token is saved: the next try starts from that one.
                    Err(e) => {
                        tracing::info!(error = %e, "resumed session's wallet not read");
                        e.localized(locale).message
                    }
                }
            }
            // Nothing was ever filed here (a first start), or is any more (the token of the
            // session from before several accounts moved to its account's item meanwhile).
            (Ok(None), _) if filed.is_none() => {
                lock(&self.notices).list.retain(|n| n.account.is_some());
                return None;
            }
            // No keychain answers: the token may well be there, for the next try.
            (Ok(None), Persistence::MemoryOnly { reason }) => {
                tracing::info!(%reason, "stored session not read: no keychain");
                reason.clone()
            }
            // Refused by IBEx, or never saved on this device (a session in memory only).
            (Ok(None) | Err(ibex::Error::SessionExpired(_)), _) => {
                self.refused(filed);
                return None;
            }
            (Err(e), _) => {
                tracing::info!(error = %e, "stored session could not be resumed");
                AppError::from(e).localized(locale).message
            }
        };
        Some(why)
    }

    /// A stored session IBEx refused: its account is unfiled, and the user told.
    fn refused(&self, filed: Option<&Filed>) {
        if let Some(f) = filed {
            self.registry.remove(&f.id);
        }
        self.notify(NoticeKind::EndedWhileClosed, filed, None, None);
    }

    /// What trying account `key` again takes, while its not-resumed notice stands.
    fn resume_of(&self, key: &resume::Key) -> Option<Resume> {
        lock(&self.notices)
            .list
            .iter()
            .find(|n| n.account.as_ref().map(|a| &a.id) == key.as_ref())
            .and_then(|n| n.resume.clone())
    }

    /// Tries notice `notice`'s session again now (a not-resumed one; any other, or one already
    /// answered, is left as it is). An attempt already running for that account — a double
    /// click, the automatic try — is waited for, and answers this call too.
    pub async fn retry(
        self: &Arc<Self>,
        notice: u32,
        secrets: &Arc<dyn SecretStores>,
    ) -> SessionInfo {
        let key = lock(&self.notices)
            .list
            .iter()
            .find(|n| n.id == notice && n.resume.is_some())
            .map(|n| n.account.as_ref().map(|a| a.id.clone()));
        if let Some(key) = key {
            self.try_again(&key, secrets).await;
        }
        self.info()
    }

    /// One attempt for account `key`, unless one runs already: its outcome is this one's.
    async fn try_again(self: &Arc<Self>, key: &resume::Key, secrets: &Arc<dyn SecretStores>) {
        let Some(_turn) = self.attempts.turn(key).await else {
            return;
        };
        // Read under the turn: the attempt that ran meanwhile may have answered it.
        let Some(resume) = self.resume_of(key) else {
            return;
        };
        let filed = resume.filed.clone();
        if let Some(why) = self
            .resume_one(filed.as_ref(), resume.signer, secrets)
            .await
        {
            // The new reason, unless the user dismissed the notice (or signed the account in)
            // meanwhile: that choice stands, and the loop of automatic tries ends with it.
            if self.resume_of(key).is_some() {
                self.notify(
                    NoticeKind::NotResumed,
                    filed.as_ref(),
                    Some(why),
                    Some(resume),
                );
            }
        }
        self.changed();
    }

    /// Tries account `key` again on the core's own, waiting longer each time
    /// ([`ResumeBackoff`]), while its not-resumed notice stands: it ends once the session is
    /// back, refused, the notice dismissed, the account signed in again, or the network's
    /// connection gone (the app quit, the network left). One loop per account.
    fn keep_trying(self: &Arc<Self>, key: resume::Key, secrets: Arc<dyn SecretStores>) {
        if !self.attempts.start_loop(&key) {
            return;
        }
        let weak = Arc::downgrade(self);
        let backoff = self.backoff;
        tokio::spawn(async move {
            let mut n = 0u32;
            loop {
                tokio::time::sleep(backoff.delay(n)).await;
                let Some(auth) = weak.upgrade() else { return };
                if !auth.attempts.go_on(&key, || auth.resume_of(&key).is_some()) {
                    return;
                }
                n = n.saturating_add(1);
                tracing::info!(attempt = n, "trying a stored session again");
                auth.try_again(&key, &secrets).await;
            }
        });
    }

    /// Locks every account until its passkey signs in again; the sessions stay alive.
    pub fn lock(&self) -> SessionInfo {
        for active in &mut lock(&self.signed).list {
            active.locked = true;
        }
        self.changed()
    }

    /// Signs the current account out (`None`) or account `id`; the others stay signed in, and
    /// the first of them becomes current if the current one left.
    pub async fn sign_out(&self, id: Option<&str>) -> Result<SessionInfo, AppError> {
        let active = {
            let mut signed = lock(&self.signed);
            let id = match id {
                Some(id) => id.to_owned(),
                None => signed.current.clone().unwrap_or_default(),
            };
            let at = signed.list.iter().position(|a| a.id == id);
            let active = at.map(|at| signed.list.remove(at));
            if signed.current.as_deref() == Some(id.as_str()) {
                signed.current = signed.list.first().map(|a| a.id.clone());
            }
            active
        };
        if let Some(id) = active.as_ref().map(|a| a.id.as_str()).or(id) {
            self.forget_notices(id);
        }
        if let Some(active) = active {
            self.registry.remove(&active.id);
            active.session.sign_out().await?;
        }
        Ok(self.changed())
    }

    /// Loads the wallet of a running session, files it under its account (moving a token from
    /// the network's old item) and makes it the current account when `current` (a sign-in;
    /// a restored one is current only while none is). A fresh sign-in of an account already
    /// here (also the way to unlock it) replaces its previous session.
    async fn activate(
        self: &Arc<Self>,
        session: Session,
        filing: Arc<Filing>,
        mut persistence: Persistence,
        signer: SignerKind,
        secrets: &dyn SecretStores,
        current: bool,
    ) -> Result<SessionInfo, AppError> {
        self.events.emit(CoreEvent::AuthProgress {
            step: AuthStep::PreparingWallet,
        });
        let wallets = session.address(false).await?;
        let account = Account::from_wallets(wallets, signer);
        let id = match &account.external_user_id {
            Some(id) if !id.is_empty() => id.clone(),
            _ => primary_safe(&account)?.to_checksum().to_ascii_lowercase(),
        };
        if persistence == Persistence::Keychain && !filing.files(&id) {
            // A restored old item, or a sign-in whose subject was not its externalUserId.
            let rp_id = self.client.config().rp_id.clone();
            let (item, kind) = filing::open(secrets, &self.identity, &rp_id, Some(&id));
            if let Err(e) = filing.move_to(item, &id) {
                tracing::warn!(error = %e.0, "session not moved to its account's keychain item");
                persistence = kind;
            }
        }
        let filed = self
            .registry
            .add(&id, signer, primary_safe(&account).ok(), current);
        self.watch_end(&session, &id);
        session.spawn_refresher();
        // EOA (7702) wallets are not expanded to other chains; e-mail wallets are not Safes
        // IBEx registers this way (auth.md §7).
        if matches!(signer, SignerKind::Passkey | SignerKind::Pin) {
            super::expansion::follow(self, &session, &id);
        }
        let replaced = {
            let mut signed = lock(&self.signed);
            let active = Active {
                id: id.clone(),
                session: session.clone(),
                account,
                persistence,
                locked: false,
                filed,
            };
            let replaced = match signed.list.iter_mut().find(|a| a.id == id) {
                Some(old) => Some(std::mem::replace(old, active).session),
                None => {
                    signed.list.push(active);
                    None
                }
            };
            if current || signed.current.is_none() {
                signed.current = Some(id.clone());
            }
            replaced
        };
        self.forget_notices(&id);
        let info = self.changed();
        if let Some(old) = replaced {
            retire(old, session).await;
        }
        Ok(info)
    }

    /// Tells the UI when a session's keychain copy is lost or back (the keychain stopped
    /// answering), and once when IBEx ends the session (refresh rejected): that account leaves
    /// the list, the others stay.
    fn watch_end(self: &Arc<Self>, session: &Session, id: &str) {
        let mut rx = session.subscribe();
        let weak = Arc::downgrade(self);
        let id = id.to_owned();
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let state = rx.borrow_and_update().clone();
                let Some(auth) = weak.upgrade() else { return };
                let ended = state.is_ended();
                // Only this session changes: a newer sign-in that replaced it stays (an old
                // session still running a call or a socket can end after the swap).
                let (changed, gone) = {
                    let mut signed = lock(&auth.signed);
                    let was_current = signed.current.as_deref() == Some(id.as_str());
                    let mut gone = None;
                    let at = signed
                        .list
                        .iter()
                        .position(|a| a.id == id && a.session.subscribe().same_channel(&rx));
                    let changed = match (&state, at) {
                        (_, None) => false,
                        (SessionState::Ended(_), Some(at)) => {
                            gone = Some(signed.list.remove(at).filed);
                            if was_current {
                                signed.current = signed.list.first().map(|a| a.id.clone());
                            }
                            true
                        }
                        (SessionState::Unsaved(reason), Some(at)) => {
                            let reason = reason.clone();
                            signed.list[at].persistence = Persistence::Unsaved { reason };
                            true
                        }
                        (SessionState::Active, Some(at)) => {
                            signed.list[at].persistence = Persistence::Keychain;
                            true
                        }
                    };
                    (changed, gone)
                };
                if let (Some(filed), SessionState::Ended(reason)) = (gone, &state) {
                    auth.registry.remove(&id);
                    // Signed out, or replaced: the user did it; refused: they must hear it.
                    if *reason == ibex::EndReason::RefreshRejected {
                        auth.notify(NoticeKind::Ended, Some(&filed), None, None);
                    }
                }
                if changed {
                    auth.changed();
                }
                if ended {
                    return;
                }
            }
        });
    }
}

/// How long a re-sign-in waits for IBEx to spend the replaced session's refresh token.
const RETIRE_TIMEOUT: Duration = Duration::from_secs(15);

/// Ends the session a fresh sign-in of the same account replaced, after the new one is in
/// place (so a failure here never costs the new session), and spends its refresh token at
/// IBEx ([`Session::retire`]): a replaced session leaves no live refresh token behind. The
/// keychain item they share ends up holding the new session's token: the old one may have
/// rotated and saved its own while the new one started, so the new one saves again once the
/// old one can write no more. If IBEx cannot be reached, the old token stays valid there until
/// its 24 h run out, held nowhere on this device; the new session goes on regardless. Past
/// [`RETIRE_TIMEOUT`] the sign-in goes on and the rest finishes in the background, in order.
async fn retire(old: Session, new: Session) {
    let work = tokio::spawn(async move {
        let retired = old.retire().await;
        new.save_again().await;
        match retired {
            Some(retired) => retired.spend().await,
            None => Ok(()),
        }
    });
    match tokio::time::timeout(RETIRE_TIMEOUT, work).await {
        Ok(Ok(Ok(()))) => tracing::info!("the replaced session's refresh token is spent"),
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "the replaced session's refresh token could not be spent; it lapses at IBEx within 24 h")
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "retiring the replaced session failed"),
        Err(_) => tracing::warn!(
            "IBEx did not answer in time; the replaced session is retired in the background"
        ),
    }
}

/// Where a passkey answer comes from.
pub(crate) enum Answer<'a> {
    /// The WebView provider's credential (WebAuthn L3 JSON text).
    Json(&'a str),
    /// A provider the core runs.
    Native(&'a dyn NativeBackend),
}

/// The credential for `pending` and the origin it was made for (native providers).
async fn answer(
    pending: &Pending,
    how: Answer<'_>,
) -> Result<(serde_json::Value, Option<String>), AppError> {
    match how {
        Answer::Json(text) => {
            let credential = serde_json::from_str(text).map_err(|e| {
                AppError::validation(Msg::PasskeyResponseNotJson {
                    error: e.to_string(),
                })
            })?;
            Ok((credential, None))
        }
        Answer::Native(backend) => {
            let uv = crate::passkey::verify::requires_uv(&pending.options);
            let answer = match pending.intent {
                AuthIntent::SignUp => {
                    let answer = backend.create(&pending.options, &pending.rp_id).await?;
                    crate::passkey::verify::registration(&answer.credential, &pending.rp_id, uv)?;
                    answer
                }
                AuthIntent::SignIn => {
                    let answer = backend.get(&pending.options, &pending.rp_id).await?;
                    crate::passkey::verify::assertion(
                        &answer.credential,
                        &pending.rp_id,
                        uv,
                        None,
                    )?;
                    answer
                }
            };
            Ok((answer.credential, Some(answer.origin)))
        }
    }
}

/// Checks that the credential answers `pending`'s challenge for the right ceremony, and reads
/// it; returns it with the page it was signed for.
fn checked_credential(
    pending: &Pending,
    credential: serde_json::Value,
    origin: Option<&str>,
) -> Result<(Credential, String), AppError> {
    let expected_type = pending.intent.client_data_type();
    let signed_for = check_client_data(&credential, expected_type, &pending.challenge, origin)?;
    let credential: Credential = serde_json::from_value(credential).map_err(|e| {
        AppError::validation(Msg::PasskeyResponseNotCredential {
            error: e.to_string(),
        })
    })?;
    Ok((credential, signed_for))
}

/// The pending ceremony `ceremony_id`, taken out of `slot`.
fn take(slot: &Mutex<Option<Pending>>, ceremony_id: &str) -> Result<Pending, AppError> {
    let pending = lock(slot).take();
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

    async fn signed_in(base_url: &str, client: &Client) -> (Session, Arc<Filing>) {
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
        let filing = Filing::new(Arc::new(ibex::MemoryStore::new()), None);
        let session = Session::start(
            client.clone(),
            filing.clone(),
            &auth.tokens,
            SessionConfig::default(),
        )
        .await
        .unwrap();
        (session, filing)
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
            Arc::new(crate::store::MemoryStore::default()),
            ResumeBackoff::DEFAULT,
        );
        let secrets = crate::secrets::MemorySecrets::default();
        let (old, filing) = signed_in(&base, &client).await;
        let signer = SignerKind::Passkey;
        state
            .activate(
                old.clone(),
                filing,
                Persistence::Keychain,
                signer,
                &secrets,
                true,
            )
            .await
            .unwrap();
        let (new, filing) = signed_in(&base, &client).await;
        state
            .activate(new, filing, Persistence::Keychain, signer, &secrets, true)
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
