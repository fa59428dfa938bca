//! The update flow through the real core, with the platform's updater replaced by a scripted
//! one: what is offered, what is refused, what each failure tells the user, progress, and a
//! restart that waits for an open passkey prompt and an operation in flight.

use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibex_wallet_core::notify::NoNotifications;
use ibex_wallet_core::passkey::native::BoxFuture;
use ibex_wallet_core::secrets::MemorySecrets;
use ibex_wallet_core::store::MemoryStore;
use ibex_wallet_core::updates::{
    Blocker, Failure, ProblemCode, Progress, Release, UpdateSource, UpdateState, UpdateStatus,
};
use ibex_wallet_core::{Core, CoreDeps, CoreEvent, EventSink};

/// The platform's updater, scripted: what the server answers and what each step does.
struct Scripted {
    check: Mutex<Result<Option<Release>, Failure>>,
    download: Mutex<Result<(), Failure>>,
    install: Mutex<Result<(), Failure>>,
    free: Option<u64>,
    downloads: AtomicUsize,
    installed: AtomicBool,
    restarted: AtomicBool,
}

impl Scripted {
    fn offering(version: &str) -> Arc<Self> {
        Self::with_free(version, None)
    }

    fn with_free(version: &str, free: Option<u64>) -> Arc<Self> {
        Arc::new(Self {
            check: Mutex::new(Ok(Some(release(version)))),
            download: Mutex::new(Ok(())),
            install: Mutex::new(Ok(())),
            free,
            downloads: AtomicUsize::new(0),
            installed: AtomicBool::new(false),
            restarted: AtomicBool::new(false),
        })
    }

    fn answer(&self, answer: Result<Option<Release>, Failure>) {
        *self.check.lock().unwrap() = answer;
    }
}

fn release(version: &str) -> Release {
    Release {
        version: version.into(),
        notes: Some("Faster portfolio.".into()),
        date: Some("2026-12-01T10:00:00Z".into()),
        size: Some(3_000_000),
    }
}

impl UpdateSource for Scripted {
    fn current_version(&self) -> String {
        "0.1.0".into()
    }

    fn check(&self) -> BoxFuture<'_, Result<Option<Release>, Failure>> {
        let answer = self.check.lock().unwrap().clone();
        Box::pin(async move { answer })
    }

    fn download<'a>(
        &'a self,
        _: &'a str,
        mut progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            self.downloads.fetch_add(1, Ordering::SeqCst);
            for received in [1_000_000, 2_000_000, 3_000_000] {
                progress(received, Some(3_000_000));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            self.download.lock().unwrap().clone()
        })
    }

    fn install(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async move {
            let result = self.install.lock().unwrap().clone();
            self.installed.store(result.is_ok(), Ordering::SeqCst);
            result
        })
    }

    fn restart(&self) {
        self.restarted.store(true, Ordering::SeqCst);
    }

    fn free_space(&self) -> Option<u64> {
        self.free
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<UpdateStatus>>);

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        if let CoreEvent::UpdateChanged { status } = event {
            self.0.lock().unwrap().push(status);
        }
    }
}

impl Recorder {
    async fn wait_for(&self, what: &str, pred: impl Fn(&UpdateState) -> bool) {
        for _ in 0..600 {
            if self.0.lock().unwrap().iter().any(|s| pred(&s.state)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never saw {what}: {:?}", self.0.lock().unwrap());
    }
}

fn core_with(source: Arc<Scripted>) -> (Arc<Core>, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let core = Core::new(CoreDeps {
        store: Arc::new(MemoryStore::default()),
        events: events.clone(),
        secrets: Arc::new(MemorySecrets::default()),
        cache: Arc::new(MemoryStore::default()),
        notifier: Arc::new(NoNotifications),
    })
    .with_updates(source);
    (Arc::new(core), events)
}

fn problem(status: &UpdateStatus) -> (ProblemCode, String) {
    match &status.state {
        UpdateState::Failed { problem, .. } => (problem.code, problem.message.clone()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn checks_at_start_and_later_asks_again_next_start() {
    let source = Scripted::offering("0.2.0");
    let (core, events) = core_with(source.clone());
    assert_eq!(core.app_info().await.unwrap().version, "0.1.0");
    assert_eq!(
        core.update_status().await.unwrap().state,
        UpdateState::NotChecked
    );

    // The background schedule checks as soon as it starts.
    let schedule = tokio::spawn({
        let core = core.clone();
        async move { core.run_update_schedule().await }
    });
    events
        .wait_for("the start-up check's offer", |s| {
            matches!(s, UpdateState::Available { .. })
        })
        .await;
    schedule.abort();
    let status = core.update_status().await.unwrap();
    let UpdateState::Available { offer, postponed } = status.state else {
        panic!("{status:?}")
    };
    assert_eq!(
        (
            offer.version.as_str(),
            offer.notes.as_deref(),
            offer.size,
            postponed
        ),
        ("0.2.0", Some("Faster portfolio."), Some(3_000_000), false)
    );

    // "Later" holds for the same version in this run…
    let later = core.update_later().await.unwrap();
    assert!(matches!(
        later.state,
        UpdateState::Available {
            postponed: true,
            ..
        }
    ));
    let again = core.update_check().await.unwrap();
    assert!(
        matches!(
            again.state,
            UpdateState::Available {
                postponed: true,
                ..
            }
        ),
        "{again:?}"
    );
    // …not for a newer one…
    source.answer(Ok(Some(release("0.3.0"))));
    let newer = core.update_check().await.unwrap();
    assert!(
        matches!(&newer.state, UpdateState::Available { offer, postponed: false } if offer.version == "0.3.0")
    );
    // …and the next start asks again.
    let (next_start, _) = core_with(Scripted::offering("0.3.0"));
    let asked = next_start.update_check().await.unwrap();
    assert!(matches!(
        asked.state,
        UpdateState::Available {
            postponed: false,
            ..
        }
    ));
    assert_eq!(source.downloads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_older_or_equal_version_is_never_installed() {
    let source = Scripted::offering("0.0.9");
    let (core, _) = core_with(source.clone());
    let status = core.update_check().await.unwrap();
    let (code, message) = problem(&status);
    assert_eq!(code, ProblemCode::OlderVersion);
    assert!(
        message.contains("0.0.9") && message.contains("0.1.0"),
        "{message}"
    );
    let refused = core.update_install().await.unwrap_err();
    assert!(
        refused.message.contains("no update to install"),
        "{refused:?}"
    );
    assert_eq!(source.downloads.load(Ordering::SeqCst), 0);

    source.answer(Ok(Some(release("0.1.0-rc.2"))));
    assert_eq!(
        problem(&core.update_check().await.unwrap()).0,
        ProblemCode::OlderVersion
    );
    source.answer(Ok(Some(release("0.1.0"))));
    assert!(matches!(
        core.update_check().await.unwrap().state,
        UpdateState::UpToDate { .. }
    ));
    source.answer(Ok(None));
    assert!(matches!(
        core.update_check().await.unwrap().state,
        UpdateState::UpToDate { .. }
    ));
    source.answer(Ok(Some(release("next"))));
    assert_eq!(
        problem(&core.update_check().await.unwrap()).0,
        ProblemCode::ServerError
    );
    assert!(!source.installed.load(Ordering::SeqCst));
}

#[tokio::test]
async fn offline_and_server_errors_are_told_apart() {
    let source = Scripted::offering("0.2.0");
    let (core, _) = core_with(source.clone());
    source.answer(Err(Failure::Unreachable("connection refused".into())));
    let (code, message) = problem(&core.update_check().await.unwrap());
    assert_eq!(code, ProblemCode::Offline);
    assert!(message.contains("could not be reached"), "{message}");
    source.answer(Err(Failure::BadResponse {
        status: Some(502),
        detail: "bad gateway".into(),
    }));
    let (code, message) = problem(&core.update_check().await.unwrap());
    assert_eq!(code, ProblemCode::ServerError);
    assert!(message.contains("HTTP 502"), "{message}");

    // A background failure does not hide an offer already on screen.
    source.answer(Ok(Some(release("0.2.0"))));
    core.update_check().await.unwrap();
    source.answer(Err(Failure::Unreachable("offline".into())));
    let schedule = tokio::spawn({
        let core = core.clone();
        async move { core.run_update_schedule().await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    schedule.abort();
    assert!(matches!(
        core.update_status().await.unwrap().state,
        UpdateState::Available { .. }
    ));
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_nothing_is_installed() {
    let source = Scripted::offering("0.2.0");
    *source.download.lock().unwrap() = Err(Failure::Signature("key id mismatch".into()));
    let (core, _) = core_with(source.clone());
    core.update_check().await.unwrap();
    let status = core.update_install().await.unwrap();
    let (code, message) = problem(&status);
    assert_eq!(code, ProblemCode::BadSignature);
    assert_eq!(
        message,
        "This update is not signed with IBEx Wallet's key and was refused."
    );
    // The refused release is not offered for another try.
    assert!(matches!(
        status.state,
        UpdateState::Failed { offer: None, .. }
    ));
    assert!(!source.installed.load(Ordering::SeqCst) && !source.restarted.load(Ordering::SeqCst));
}

#[tokio::test]
async fn not_enough_disk_is_found_before_downloading() {
    let source = Scripted::with_free("0.2.0", Some(10_000_000));
    let (core, _) = core_with(source.clone());
    core.update_check().await.unwrap();
    let status = core.update_install().await.unwrap();
    let (code, message) = problem(&status);
    assert_eq!(code, ProblemCode::NoSpace);
    assert!(message.contains("10.0 MB are available"), "{message}");
    assert_eq!(source.downloads.load(Ordering::SeqCst), 0);
    // The disk filling up while the package manager runs says the same.
    let source = Scripted::offering("0.2.0");
    *source.install.lock().unwrap() = Err(Failure::Io {
        kind: ErrorKind::StorageFull,
        detail: "No space left on device".into(),
    });
    let (core, _) = core_with(source.clone());
    core.update_check().await.unwrap();
    let (code, _) = problem(&core.update_install().await.unwrap());
    assert_eq!(code, ProblemCode::NoSpace);
    assert!(!source.restarted.load(Ordering::SeqCst));
}

#[tokio::test]
async fn install_shows_progress_then_restarts_into_the_new_version() {
    let source = Scripted::offering("0.2.0");
    let (core, events) = core_with(source.clone());
    core.update_check().await.unwrap();
    let status = core.update_install().await.unwrap();
    assert!(
        matches!(status.state, UpdateState::Restarting { .. }),
        "{status:?}"
    );
    assert!(source.installed.load(Ordering::SeqCst) && source.restarted.load(Ordering::SeqCst));
    let seen = events.0.lock().unwrap();
    let received: Vec<(u32, Option<u32>)> = seen
        .iter()
        .filter_map(|s| match s.state {
            UpdateState::Downloading {
                received, total, ..
            } => Some((received, total)),
            _ => None,
        })
        .collect();
    assert_eq!(received.first(), Some(&(0, Some(3_000_000))));
    assert_eq!(received.last(), Some(&(3_000_000, Some(3_000_000))));
    assert!(
        received.windows(2).all(|w| w[0].0 <= w[1].0),
        "{received:?}"
    );
    let order: Vec<&str> = seen
        .iter()
        .map(|s| match s.state {
            UpdateState::Installing { .. } => "installing",
            UpdateState::Restarting { .. } => "restarting",
            _ => "",
        })
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(order, ["installing", "restarting"]);
}

/// The restart waits while a passkey prompt is open, and while a sent operation is not
/// confirmed; the wallet's own sandbox and software passkey make both real.
#[cfg(all(feature = "sandbox", feature = "soft-passkey"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_restart_waits_for_the_passkey_prompt_and_the_operation() {
    use ibex_wallet_core::passkey::ProviderKind;
    use ibex_wallet_core::send::TransferDraft;
    use ibex_wallet_core::AuthIntent;

    let source = Scripted::offering("0.2.0");
    let (core, events) = core_with(source.clone());
    core.update_check().await.unwrap();

    // A sign-up waiting for its passkey holds the restart.
    let ceremony = core.auth_begin(AuthIntent::SignUp).await.unwrap();
    let install = tokio::spawn({
        let core = core.clone();
        async move { core.update_install().await }
    });
    events
        .wait_for("waiting for the passkey", |s| {
            matches!(
                s,
                UpdateState::Waiting {
                    blocker: Blocker::Passkey,
                    ..
                }
            )
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !source.installed.load(Ordering::SeqCst),
        "installed during the ceremony"
    );
    core.auth_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap();
    let status = install.await.unwrap().unwrap();
    assert!(
        matches!(status.state, UpdateState::Restarting { .. }),
        "{status:?}"
    );

    // A transfer being approved and then tracked to CONFIRMED holds it too.
    let source = Scripted::offering("0.2.0");
    let core = Arc::new(
        Arc::try_unwrap(core)
            .unwrap_or_else(|_| panic!("the core is still shared"))
            .with_updates(source.clone()),
    );
    core.update_check().await.unwrap();
    let holding = core
        .wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.balance.as_str() != "0")
        .expect("the sandbox seeds a balance");
    let review = core
        .send_prepare(TransferDraft {
            chain_id: holding.chain_id,
            token_address: holding.token_address.to_string(),
            to: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359".into(),
            amount: "0.0001".into(),
            look_alike_confirmed: false,
        })
        .await
        .unwrap();
    events.0.lock().unwrap().clear();
    let install = tokio::spawn({
        let core = core.clone();
        async move { core.update_install().await }
    });
    events
        .wait_for("waiting for the approval", |s| {
            matches!(
                s,
                UpdateState::Waiting {
                    blocker: Blocker::Passkey,
                    ..
                }
            )
        })
        .await;
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    let status = install.await.unwrap().unwrap();
    assert!(
        matches!(status.state, UpdateState::Restarting { .. }),
        "{status:?}"
    );
    let seen = events.0.lock().unwrap();
    let waited_for_operation = seen.iter().any(|s| {
        matches!(
            s.state,
            UpdateState::Waiting {
                blocker: Blocker::Operation,
                ..
            }
        )
    });
    assert!(waited_for_operation, "{seen:?}");
}
