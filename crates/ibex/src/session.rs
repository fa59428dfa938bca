//! The session: access token in memory, refresh token in a [`SecretStore`], refresh ahead of
//! expiry and on 401 — single-flight, so any number of concurrent callers cause one refresh.
//!
//! Invariants:
//! - the refresh token is rotated on every use (IBEx revokes the old one), so the new one is
//!   saved to the store *before* any caller can see the new access token;
//! - if the store cannot save it (the keychain stopped answering), the session keeps running
//!   on the token in memory, says so ([`SessionState::Unsaved`]) and saves it as soon as the
//!   store answers again: ending it would lose the session just the same, and the work with it;
//! - a refresh refused because another instance of the app sharing the store rotated the token
//!   first continues with that instance's fresh token (read back from the store), once;
//! - a refresh the server rejects (consumed or expired token) ends the session with
//!   [`SessionState::Ended`], once; later calls fail fast with [`Error::SessionExpired`].

use std::future::Future;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::sync::{watch, Mutex};
use tokio::time::Instant;

use crate::client::Request;
use crate::models::auth::AuthTokens;
use crate::{Client, Error, Secret, SecretStore};

/// What the UI needs to know about the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    Active,
    /// Running, but its current refresh token is in memory only: the store refused it (the
    /// reason). Retried in the background; a restart before it is saved needs a new sign-in.
    Unsaved(String),
    Ended(EndReason),
}

impl SessionState {
    pub fn is_ended(&self) -> bool {
        matches!(self, Self::Ended(_))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The user signed out.
    SignedOut,
    /// IBEx rejected the refresh token (used or older than 24 h): sign in again.
    RefreshRejected,
    /// No refresh token was stored (nothing to restore).
    NoStoredToken,
    /// A newer sign-in of the same account took over (see [`Session::retire`]).
    Replaced,
}

/// Session tuning.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Refresh this long before the access token expires (documented: 300 s). Capped at half
    /// the token lifetime so short-lived tokens are not refreshed on every call.
    pub refresh_margin: Duration,
    /// The soonest a proactive refresh may follow the previous one, whatever `expires_in`
    /// says: a server answering `expires_in: 0` must not spend a single-use rotation on every
    /// call (an access token that really expired is refreshed once on its 401 instead).
    pub min_refresh_interval: Duration,
    /// The first wait before saving again a refresh token the store refused; each failure
    /// doubles it, up to [`MAX_SAVE_RETRY`].
    pub save_retry: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            refresh_margin: Duration::from_secs(300),
            min_refresh_interval: Duration::from_secs(30),
            save_retry: Duration::from_secs(1),
        }
    }
}

/// The longest wait between two attempts to save an unsaved refresh token (one keychain call).
pub const MAX_SAVE_RETRY: Duration = Duration::from_secs(10);

/// The longest access-token lifetime believed (the refresh token's own 24 h): a larger
/// `expires_in` (up to `u64::MAX`) would overflow `Instant` and never refresh.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

struct Tokens {
    access: Secret,
    refresh: Secret,
    /// Bumped on every rotation; tells a caller whether someone refreshed since it looked.
    generation: u64,
    refresh_at: Instant,
}

struct Inner {
    client: Client,
    store: Arc<dyn SecretStore>,
    config: SessionConfig,
    tokens: RwLock<Option<Tokens>>,
    refresh_lock: Mutex<()>,
    state: watch::Sender<SessionState>,
}

/// A signed-in user. Cheap to clone; all clones share tokens and refreshes.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("state", &*self.inner.state.borrow())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Starts a session from a fresh auth response; the refresh token is stored first (a
    /// store that refuses it leaves the session [`SessionState::Unsaved`]).
    pub async fn start(
        client: Client,
        store: Arc<dyn SecretStore>,
        tokens: &AuthTokens,
        config: SessionConfig,
    ) -> Result<Self, Error> {
        let saved = store_blocking(&store, Some(tokens.refresh_token.clone())).await;
        let session = Self::empty(client, store, config);
        session.install(tokens, 0);
        session.note_saved(saved);
        Ok(session)
    }

    /// Restores a session from the stored refresh token (the access token is never stored):
    /// one refresh, which rotates the stored token. `None`: nothing is stored (no session to
    /// resume, which is not IBEx refusing one: that is [`Error::SessionExpired`]).
    pub async fn restore(
        client: Client,
        store: Arc<dyn SecretStore>,
        config: SessionConfig,
    ) -> Result<Option<Self>, Error> {
        let loader = store.clone();
        let stored = tokio::task::spawn_blocking(move || loader.load())
            .await
            .map_err(|e| Error::SecretStore(e.to_string()))?
            .map_err(|e| Error::SecretStore(e.0))?;
        let Some(refresh) = stored else {
            return Ok(None);
        };
        let session = Self::empty(client, store, config);
        *session.write_tokens() = Some(Tokens {
            access: Secret::new(""),
            refresh,
            generation: 0,
            refresh_at: Instant::now(),
        });
        session.refresh(0).await?;
        Ok(Some(session))
    }

    fn empty(client: Client, store: Arc<dyn SecretStore>, config: SessionConfig) -> Self {
        let (state, _) = watch::channel(SessionState::Active);
        Self {
            inner: Arc::new(Inner {
                client,
                store,
                config,
                tokens: RwLock::new(None),
                refresh_lock: Mutex::new(()),
                state,
            }),
        }
    }

    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// Whether both handles are the same sign-in (clones share it; a new sign-in does not).
    pub fn same_as(&self, other: &Session) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Session state changes (the UI's "session ended" event).
    pub fn subscribe(&self) -> watch::Receiver<SessionState> {
        self.inner.state.subscribe()
    }

    pub fn state(&self) -> SessionState {
        self.inner.state.borrow().clone()
    }

    /// Ends the session and forgets the stored refresh token.
    pub async fn sign_out(&self) -> Result<(), Error> {
        let _guard = self.inner.refresh_lock.lock().await;
        // Signing out is the user's wish for this device: whatever token is stored goes.
        self.end(EndReason::SignedOut, None).await
    }

    /// Ends a session that a newer sign-in of the same account replaced: waits out a refresh it
    /// has in flight, then takes its tokens, so that from here on it writes nothing to the store
    /// (which is the account's item, and holds the new session's token). What is left is to
    /// spend its refresh token: [`Retired::spend`]. `None`: it had already ended.
    pub async fn retire(&self) -> Option<Retired> {
        let _guard = self.inner.refresh_lock.lock().await;
        let tokens = self.write_tokens().take()?;
        self.inner
            .state
            .send_replace(SessionState::Ended(EndReason::Replaced));
        tracing::info!("replaced session ended");
        Some(Retired {
            client: self.inner.client.clone(),
            refresh: tokens.refresh,
        })
    }

    /// Saves the current refresh token again, over whatever another session sharing the store
    /// wrote (a replaced session's last rotation, finished while this one started).
    pub async fn save_again(&self) {
        let _guard = self.inner.refresh_lock.lock().await;
        let Some(token) = self.read_tokens().as_ref().map(|t| t.refresh.clone()) else {
            return;
        };
        let saved = store_blocking(&self.inner.store, Some(token)).await;
        self.note_saved(saved);
    }

    /// A valid access token, refreshing first when it is due.
    pub async fn access_token(&self) -> Result<Secret, Error> {
        self.current().await.map(|(token, _)| token)
    }

    /// Refreshes now unless someone already did since `token` was handed out (used by the
    /// WebSocket on `TOKEN_EXPIRED`).
    pub async fn refresh_after_rejection(&self, token: &Secret) -> Result<Secret, Error> {
        let generation = {
            let guard = self.read_tokens();
            let t = guard.as_ref().ok_or_else(ended)?;
            if t.access != *token {
                return Ok(t.access.clone());
            }
            t.generation
        };
        self.refresh(generation).await.map(|(token, _)| token)
    }

    /// Refreshes the access token at `expires_in − margin` in the background until the
    /// session ends or every handle is dropped.
    pub fn spawn_refresher(&self) -> tokio::task::JoinHandle<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut failures = 0;
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let session = Session { inner };
                let due = session.read_tokens().as_ref().map(|t| t.refresh_at);
                let Some(due) = due else { return };
                drop(session);
                tokio::time::sleep_until(due).await;
                let Some(inner) = weak.upgrade() else { return };
                let session = Session { inner };
                match session.current().await {
                    Ok(_) => failures = 0,
                    Err(Error::SessionExpired(_) | Error::SecretStore(_)) => return,
                    Err(e) => {
                        failures += 1;
                        let wait = session.inner.client.config().retry.backoff(failures);
                        tracing::warn!(error = %e, ?wait, "background refresh failed");
                        drop(session);
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        })
    }

    /// An authenticated call: one refresh and one replay on 401, never more. A 403 (no access
    /// to this Safe, a locked user) is not cured by a new token, so it spends no rotation.
    pub(crate) async fn call<T: DeserializeOwned>(&self, req: Request) -> Result<T, Error> {
        let client = &self.inner.client;
        self.authed(|token| {
            let req = &req;
            async move { client.call(req, Some(token.expose())).await }
        })
        .await
    }

    /// [`Session::call`] for endpoints where 204 means "nothing".
    pub(crate) async fn call_optional<T: DeserializeOwned>(
        &self,
        req: Request,
    ) -> Result<Option<T>, Error> {
        let client = &self.inner.client;
        self.authed(|token| {
            let req = &req;
            async move { client.call_optional(req, Some(token.expose())).await }
        })
        .await
    }

    async fn authed<T, F, Fut>(&self, send: F) -> Result<T, Error>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let (token, generation) = self.current().await?;
        match send(token).await {
            Err(Error::Unauthorized { status: 401, .. }) => {
                let (token, _) = self.refresh(generation).await?;
                send(token).await
            }
            other => other,
        }
    }

    /// Calls `fetch` every `interval` until `done` holds or `timeout` passes (then the last
    /// answer): the shared shape of the documented polling loops.
    pub(crate) async fn poll<T, F, Fut>(
        &self,
        interval: Duration,
        timeout: Duration,
        fetch: F,
        done: impl Fn(&T) -> bool,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            let value = fetch().await?;
            if done(&value) || Instant::now() + interval > deadline {
                return Ok(value);
            }
            tokio::time::sleep(interval).await;
        }
    }

    async fn current(&self) -> Result<(Secret, u64), Error> {
        let (token, generation, due) = {
            let guard = self.read_tokens();
            let t = guard.as_ref().ok_or_else(ended)?;
            (t.access.clone(), t.generation, t.refresh_at)
        };
        if Instant::now() >= due {
            return self.refresh(generation).await;
        }
        Ok((token, generation))
    }

    /// Single-flight refresh: the first caller for `seen` rotates; everyone queued behind it
    /// finds a newer generation and takes that token without calling IBEx.
    async fn refresh(&self, seen: u64) -> Result<(Secret, u64), Error> {
        let _guard = self.inner.refresh_lock.lock().await;
        let mut refresh_token = {
            let guard = self.read_tokens();
            let t = guard.as_ref().ok_or_else(ended)?;
            if t.generation != seen {
                return Ok((t.access.clone(), t.generation));
            }
            t.refresh.clone()
        };
        let mut adopted = false;
        let tokens = loop {
            match self.inner.client.refresh(&refresh_token).await {
                Ok(tokens) => break tokens,
                Err(Error::Unauthorized { status: 401, .. }) => {
                    if !adopted {
                        if let Some(theirs) = self.rotated_elsewhere(&refresh_token).await {
                            tracing::info!(
                                "another instance rotated the session; continuing with its token"
                            );
                            (refresh_token, adopted) = (theirs, true);
                            continue;
                        }
                    }
                    self.end(EndReason::RefreshRejected, Some(refresh_token))
                        .await?;
                    return Err(Error::SessionExpired(
                        "the refresh token was rejected; sign in again".into(),
                    ));
                }
                // Network/5xx: keep the session; the next call tries again.
                Err(e) => return Err(e),
            }
        };
        let saved = store_blocking(&self.inner.store, Some(tokens.refresh_token.clone())).await;
        let installed = self.install(&tokens, seen + 1);
        self.note_saved(saved);
        Ok(installed)
    }

    /// The token in the store when it is not `refused`: another instance of the app that shares
    /// the store rotated the session after this one last did.
    async fn rotated_elsewhere(&self, refused: &Secret) -> Option<Secret> {
        let store = self.inner.store.clone();
        let stored = tokio::task::spawn_blocking(move || store.load()).await;
        match stored {
            Ok(Ok(Some(token))) if token != *refused => Some(token),
            _ => None,
        }
    }

    /// Records whether the current refresh token is in the store. The first refusal starts
    /// saving it again in the background; a later success (here or there) makes it Active.
    fn note_saved(&self, saved: Result<(), Error>) {
        match saved {
            Ok(()) => {
                self.inner.state.send_if_modified(|state| {
                    let was_unsaved = matches!(state, SessionState::Unsaved(_));
                    if was_unsaved {
                        tracing::info!("the session's refresh token is saved again");
                        *state = SessionState::Active;
                    }
                    was_unsaved
                });
            }
            Err(e) => {
                let reason = match e {
                    Error::SecretStore(why) => why,
                    other => other.to_string(),
                };
                tracing::warn!(%reason, "refresh token not saved; the session runs in memory");
                let first = self.inner.state.send_if_modified(|state| {
                    let first = *state == SessionState::Active;
                    if first {
                        *state = SessionState::Unsaved(reason);
                    }
                    first
                });
                if first {
                    self.keep_saving();
                }
            }
        }
    }

    /// Saves the current refresh token until the store takes it, the session ends, or every
    /// handle is dropped; waits double from `save_retry` to [`MAX_SAVE_RETRY`].
    fn keep_saving(&self) {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let mut wait = self.inner.config.save_retry;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_SAVE_RETRY);
                let Some(inner) = weak.upgrade() else { return };
                let session = Session { inner };
                // No rotation meanwhile: the token saved is the current one.
                let _guard = session.inner.refresh_lock.lock().await;
                if !matches!(session.state(), SessionState::Unsaved(_)) {
                    return;
                }
                let Some(token) = session.read_tokens().as_ref().map(|t| t.refresh.clone()) else {
                    return;
                };
                let saved = store_blocking(&session.inner.store, Some(token)).await;
                let done = saved.is_ok();
                session.note_saved(saved);
                if done {
                    return;
                }
            }
        });
    }

    fn install(&self, tokens: &AuthTokens, generation: u64) -> (Secret, u64) {
        *self.write_tokens() = Some(Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
            generation,
            refresh_at: Instant::now() + self.refresh_in(tokens.expires_in()),
        });
        (tokens.access_token.clone(), generation)
    }

    /// When to refresh a token that lives `expires_in` seconds: `margin` before expiry, the
    /// lifetime bounded to [`MAX_TOKEN_LIFETIME`] and the wait to `min_refresh_interval`.
    fn refresh_in(&self, expires_in: u64) -> Duration {
        let lifetime = Duration::from_secs(expires_in).min(MAX_TOKEN_LIFETIME);
        let margin = self.inner.config.refresh_margin.min(lifetime / 2);
        (lifetime - margin).max(self.inner.config.min_refresh_interval)
    }

    /// Drops the tokens, announces the end and forgets the stored token. Callers hold
    /// `refresh_lock`. With `ours`, the store is cleared only while it still holds that token:
    /// another instance of the app that rotated since keeps its fresh one.
    async fn end(&self, reason: EndReason, ours: Option<Secret>) -> Result<(), Error> {
        *self.write_tokens() = None;
        self.inner
            .state
            .send_replace(SessionState::Ended(reason.clone()));
        tracing::info!(?reason, "session ended");
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || match ours {
            Some(token) => store.clear_if(&token).map(drop),
            None => store.clear(),
        })
        .await
        .map_err(|e| Error::SecretStore(e.to_string()))?
        .map_err(|e| Error::SecretStore(e.0))
    }

    fn read_tokens(&self) -> std::sync::RwLockReadGuard<'_, Option<Tokens>> {
        self.inner
            .tokens
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_tokens(&self) -> std::sync::RwLockWriteGuard<'_, Option<Tokens>> {
        self.inner
            .tokens
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn ended() -> Error {
    Error::SessionExpired("the session has ended; sign in again".into())
}

/// Saves (`Some`) or clears (`None`) the refresh token off the async worker threads.
/// A replaced session's refresh token, held only to be spent (see [`Session::retire`]).
pub struct Retired {
    client: Client,
    refresh: Secret,
}

impl std::fmt::Debug for Retired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retired").finish_non_exhaustive()
    }
}

impl Retired {
    /// Spends the refresh token at IBEx so that nobody can use it again. IBEx documents no
    /// sign-out or revoke endpoint; a refresh token is single-use, so refreshing it is the one
    /// documented way to revoke it. The pair that refresh returns is dropped (zeroized) unseen
    /// and never stored. The old access token stays valid until it expires (≤ 1 h: a JWT
    /// cannot be recalled).
    ///
    /// An `Err` means the token may still be live at IBEx until its 24 h run out; nothing on
    /// the device holds it any more. A 401 means it was already spent: that is success.
    pub async fn spend(self) -> Result<(), Error> {
        // Retrying is safe: a reply lost after IBEx spent the token makes the retry a 401.
        let retry = &self.client.config().retry;
        let mut failures = 0;
        loop {
            match self.client.refresh(&self.refresh).await {
                Ok(unused) => {
                    drop(unused);
                    return Ok(());
                }
                Err(Error::Unauthorized { status: 401, .. }) => return Ok(()),
                Err(e) if e.is_transient() && failures < retry.transient_attempts => {
                    failures += 1;
                    tokio::time::sleep(retry.backoff(failures)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

async fn store_blocking(store: &Arc<dyn SecretStore>, token: Option<Secret>) -> Result<(), Error> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || match token {
        Some(t) => store.save(&t),
        None => store.clear(),
    })
    .await
    .map_err(|e| Error::SecretStore(e.to_string()))?
    .map_err(|e| Error::SecretStore(e.0))
}
