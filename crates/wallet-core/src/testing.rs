//! [`TestCore`]: a real core for tests in a few lines — in-memory settings, cache and keychain,
//! a recording event sink and notifier, the embedded sandbox (a real IBEx on loopback) and, with
//! `soft-passkey`, the software passkey. Compiled for this crate's tests and with the `testing`
//! feature (dev-dependencies only: never in the app).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::notify::Notifier;
use crate::secrets::MemorySecrets;
use crate::store::MemoryStore;
use crate::sync::lock;
use crate::{Core, CoreDeps, CoreEvent, EventSink};

/// Every event the core emitted, in order.
#[derive(Default)]
pub struct RecordingEvents(Mutex<Vec<CoreEvent>>);

impl EventSink for RecordingEvents {
    fn emit(&self, event: CoreEvent) {
        lock(&self.0).push(event);
    }
}

impl RecordingEvents {
    pub fn all(&self) -> Vec<CoreEvent> {
        lock(&self.0).clone()
    }

    pub fn seen(&self, pred: impl Fn(&CoreEvent) -> bool) -> bool {
        lock(&self.0).iter().any(pred)
    }

    /// Waits up to 30 s for an event matching `pred`; panics naming `what` and listing the
    /// events seen.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&CoreEvent) -> bool) {
        for _ in 0..600 {
            if self.seen(&pred) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never saw {what}: {:?}", self.all());
    }

    pub fn clear(&self) {
        lock(&self.0).clear();
    }
}

/// The OS notification centre, as far as the core can tell: `title: body` of each.
#[derive(Default)]
pub struct RecordingNotifier(Mutex<Vec<String>>);

impl Notifier for RecordingNotifier {
    fn notify(&self, title: &str, body: &str) {
        lock(&self.0).push(format!("{title}: {body}"));
    }
}

impl RecordingNotifier {
    pub fn shown(&self) -> Vec<String> {
        lock(&self.0).clone()
    }
}

/// A core on the embedded sandbox with everything it touches in memory and on record.
pub struct TestCore {
    pub core: Core,
    pub events: Arc<RecordingEvents>,
    pub notifier: Arc<RecordingNotifier>,
    pub store: Arc<MemoryStore>,
    pub secrets: Arc<MemorySecrets>,
}

impl std::ops::Deref for TestCore {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}

impl TestCore {
    pub fn new() -> Self {
        Self::with(Arc::default(), Arc::default(), None)
    }

    /// A core sharing `store` and `secrets` (settings and keychain survive, as across an app
    /// restart) and keeping the sandbox's accounts in `sandbox_state`, if given.
    pub fn with(
        store: Arc<MemoryStore>,
        secrets: Arc<MemorySecrets>,
        sandbox_state: Option<PathBuf>,
    ) -> Self {
        let events = Arc::new(RecordingEvents::default());
        let notifier = Arc::new(RecordingNotifier::default());
        let mut core = Core::new(CoreDeps {
            store: store.clone(),
            events: events.clone(),
            secrets: secrets.clone(),
            cache: Arc::new(MemoryStore::default()),
            notifier: notifier.clone(),
        });
        if let Some(file) = sandbox_state {
            core = core.with_sandbox_state(file);
        }
        Self {
            core,
            events,
            notifier,
            store,
            secrets,
        }
    }

    /// The same core, trying a session not resumed at start again after these waits.
    pub fn with_resume_backoff(mut self, backoff: crate::ResumeBackoff) -> Self {
        self.core = self.core.with_resume_backoff(backoff);
        self
    }

    /// Creates a wallet with the software passkey and returns the signed-in session.
    #[cfg(feature = "soft-passkey")]
    pub async fn sign_up(&self) -> crate::SessionInfo {
        let ceremony = self
            .core
            .auth_begin(crate::AuthIntent::SignUp)
            .await
            .expect("sign-up options");
        self.core
            .auth_complete_native(ceremony.id, crate::passkey::ProviderKind::Soft)
            .await
            .expect("sign-up with the software passkey")
    }

    /// Prepares a transfer of `amount` of the first token the signed-in Safe holds to `to`.
    pub async fn prepare_transfer(
        &self,
        to: &str,
        amount: &str,
    ) -> crate::operations::OperationReview {
        let holding = self
            .core
            .wallet_holdings()
            .await
            .expect("holdings")
            .into_iter()
            .find(|h| h.balance.as_str() != "0")
            .expect("the sandbox seeds a balance");
        self.core
            .send_prepare(crate::send::TransferDraft {
                chain_id: holding.chain_id,
                token_address: holding.token_address.to_string(),
                to: to.to_owned(),
                amount: amount.to_owned(),
                look_alike_confirmed: false,
            })
            .await
            .expect("the transfer is prepared")
    }

    /// The embedded sandbox's base URL (for its `/__sandbox/*` controls).
    pub async fn sandbox_url(&self) -> String {
        let base = self.core.network_status().await.expect("network").base_url;
        base.trim_end_matches('/').to_owned()
    }
}

impl Default for TestCore {
    fn default() -> Self {
        Self::new()
    }
}
