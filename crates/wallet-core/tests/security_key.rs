//! A CTAP2 security key signing for a tenant: the real core against a sandbox started for
//! rpId `wallet.example.test`, through the security-key backend with a software key on the
//! virtual port (the same CTAP2 client code as USB keys). Sign-up, sign-out, sign-in, a
//! transfer and a recovery, the PIN asked through the core's prompt; then every bad outcome
//! with its own error code and nothing posted to IBEx.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibex_sandbox::{Sandbox, SandboxConfig};
use ibex_wallet_core::passkey::ctap2::KeyPrompt;
use ibex_wallet_core::passkey::soft_keys::SoftKeys;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::recovery::PersonalData;
use ibex_wallet_core::secrets::MemorySecrets;
use ibex_wallet_core::send::TransferDraft;
use ibex_wallet_core::store::MemoryStore;
use ibex_wallet_core::{
    AuthIntent, Core, CoreDeps, CoreEvent, ErrorCode, EventSink, NetworkChoice, SessionInfo,
};
use passkey_soft::ctap2::{SoftKey, Touch, PIN_RETRIES};
use serde_json::Value;

const RP_ID: &str = "wallet.example.test";
const PIN: &str = "424242";

/// Answers the key's PIN prompts from a script, as a user at the prompt would.
struct User {
    prompts: Mutex<Vec<KeyPrompt>>,
    pins: Mutex<Vec<String>>,
    core: Mutex<Option<std::sync::Weak<Core>>>,
    /// Prompts arrive on the key's status thread; the answer goes through the runtime.
    runtime: tokio::runtime::Handle,
}

impl EventSink for User {
    fn emit(&self, event: CoreEvent) {
        let CoreEvent::SecurityKey { prompt } = event else {
            return;
        };
        self.prompts.lock().unwrap().push(prompt.clone());
        if matches!(prompt, KeyPrompt::Pin { .. }) {
            let core = self.core.lock().unwrap().clone();
            let pin = {
                let mut pins = self.pins.lock().unwrap();
                (!pins.is_empty()).then(|| pins.remove(0))
            };
            let Some(core) = core.and_then(|c| c.upgrade()) else {
                return;
            };
            // From another task, as the UI's command arrives while the key waits.
            self.runtime.spawn(async move {
                match pin {
                    Some(pin) => assert!(core.passkey_key_pin(pin).await.unwrap()),
                    None => assert!(core.passkey_cancel().await.unwrap()),
                }
            });
        }
    }
}

impl User {
    fn will_type(&self, pins: &[&str]) {
        *self.pins.lock().unwrap() = pins.iter().map(|p| (*p).to_owned()).collect();
    }

    fn take_prompts(&self) -> Vec<KeyPrompt> {
        std::mem::take(&mut *self.prompts.lock().unwrap())
    }
}

struct World {
    _sandbox: Sandbox,
    base: String,
    core: Arc<Core>,
    user: Arc<User>,
    keys: SoftKeys,
    http: reqwest::Client,
}

impl World {
    async fn start(timeout: Duration) -> Self {
        let sandbox = Sandbox::start(SandboxConfig {
            rp_id: RP_ID.into(),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let base = sandbox.base_url().trim_end_matches('/').to_owned();
        let user = Arc::new(User {
            prompts: Mutex::default(),
            pins: Mutex::default(),
            core: Mutex::default(),
            runtime: tokio::runtime::Handle::current(),
        });
        let keys = SoftKeys::new();
        let core = Arc::new(
            Core::new(CoreDeps {
                store: Arc::new(MemoryStore::default()),
                events: user.clone(),
                secrets: Arc::new(MemorySecrets::default()),
                cache: Arc::new(MemoryStore::default()),
                notifier: Arc::new(ibex_wallet_core::notify::NoNotifications),
            })
            .with_security_keys(Box::new(keys.clone()), timeout),
        );
        *user.core.lock().unwrap() = Some(Arc::downgrade(&core));
        core.settings_set_network(NetworkChoice::Custom {
            base_url: base.clone(),
            rp_id: RP_ID.into(),
            api_key: None,
        })
        .await
        .unwrap();
        Self {
            _sandbox: sandbox,
            base,
            core,
            user,
            keys,
            http: {
                ibex::install_crypto_provider();
                reqwest::Client::new()
            },
        }
    }

    /// How often IBEx was asked `route` ("POST /v1.2/auth/sign-in").
    async fn calls(&self, route: &str) -> u64 {
        let counters: Value = self
            .http
            .get(format!("{}/__sandbox/counters", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        counters["routes"][route].as_u64().unwrap_or(0)
    }

    async fn sign(&self, intent: AuthIntent) -> Result<SessionInfo, ibex_wallet_core::AppError> {
        let ceremony = self.core.auth_begin(intent).await?;
        assert_eq!(ceremony.rp_id, RP_ID);
        self.core
            .auth_complete_native(ceremony.id, ProviderKind::SecurityKey)
            .await
    }

    async fn transfer_review(&self) -> String {
        let holding = self
            .core
            .wallet_holdings()
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.balance.as_str() != "0")
            .expect("the sandbox seeds a balance");
        self.core
            .send_prepare(TransferDraft {
                chain_id: holding.chain_id,
                token_address: holding.token_address.to_string(),
                to: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359".into(),
                amount: "0.0001".into(),
                look_alike_confirmed: false,
            })
            .await
            .unwrap()
            .id
    }

    async fn approve(&self, review: String) -> Result<(), ibex_wallet_core::AppError> {
        self.core
            .operation_approve_native(review, ProviderKind::SecurityKey)
            .await
            .map(drop)
    }
}

fn signed_in(info: &SessionInfo) -> bool {
    matches!(info, SessionInfo::SignedIn { .. })
}

async fn ready(world: &World) {
    // The sandbox's brief window after sign-up, on its own clock.
    world
        .http
        .post(format!("{}/__sandbox/clock/advance", world.base))
        .json(&serde_json::json!({ "seconds": 5 }))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_security_key_signs_up_in_transfers_and_approves_recovery_for_a_tenant() {
    let w = World::start(Duration::from_secs(10)).await;
    let key = SoftKey::new().with_pin(PIN);
    w.keys.plug(key.clone());

    w.user.will_type(&[PIN]);
    let info = w.sign(AuthIntent::SignUp).await.unwrap();
    assert!(signed_in(&info), "{info:?}");
    assert_eq!(key.credential_ids(RP_ID).len(), 1);
    let prompts = w.user.take_prompts();
    assert!(
        prompts
            .iter()
            .any(|p| matches!(p, KeyPrompt::Pin { wrong: false, .. })),
        "{prompts:?}"
    );
    assert!(prompts.iter().any(|p| matches!(p, KeyPrompt::Touch)));
    ready(&w).await;

    w.core.session_sign_out().await.unwrap();
    // A wrong PIN first: the prompt comes back with the retries left, then the right one.
    w.user.will_type(&["000000", PIN]);
    let info = w.sign(AuthIntent::SignIn).await.unwrap();
    assert!(signed_in(&info), "{info:?}");
    let prompts = w.user.take_prompts();
    assert!(
        prompts.iter().any(|p| matches!(
            p,
            KeyPrompt::Pin { wrong: true, attempts_left: Some(n) } if *n == PIN_RETRIES - 1
        )),
        "{prompts:?}"
    );
    assert_eq!(
        key.pin_retries(),
        PIN_RETRIES,
        "a right PIN resets the count"
    );

    w.user.will_type(&[PIN]);
    let review = w.transfer_review().await;
    let executed = w.calls("PUT /v1.2/safes/operations").await;
    w.approve(review).await.unwrap();
    assert_eq!(w.calls("PUT /v1.2/safes/operations").await, executed + 1);

    w.user.will_type(&[PIN]);
    let review = w
        .core
        .recovery_enable(PersonalData {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            birth_date: "1985-12-10".into(),
            birth_city: "London".into(),
            birth_country: "United Kingdom".into(),
        })
        .await
        .unwrap();
    w.approve(review.id).await.unwrap();
    assert_eq!(w.calls("PUT /v1.2/safes/operations").await, executed + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_outcome_has_its_own_error_and_posts_nothing() {
    let w = World::start(Duration::from_millis(700)).await;
    let sign_ups = || w.calls("POST /v1.2/auth/sign-up");
    let sign_ins = || w.calls("POST /v1.2/auth/sign-in");

    // No key plugged in.
    let e = w.sign(AuthIntent::SignUp).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyNotFound, "{e:?}");
    assert!(e.message.contains("udev"), "{}", e.message);

    // The key is there but nobody touches it: the key gives up.
    let key = SoftKey::new().with_pin(PIN);
    w.keys.plug(key.clone());
    key.set_touch(Touch::Ignore);
    w.user.will_type(&[PIN]);
    let e = w.sign(AuthIntent::SignUp).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::PasskeyTimedOut, "{e:?}");

    // The user declines on the key, then cancels at the PIN prompt.
    key.set_touch(Touch::Decline);
    w.user.will_type(&[PIN]);
    let e = w.sign(AuthIntent::SignUp).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::PasskeyCancelled, "{e:?}");
    key.set_touch(Touch::Accept);
    w.user.will_type(&[]);
    let e = w.sign(AuthIntent::SignUp).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::PasskeyCancelled, "{e:?}");
    assert_eq!(sign_ups().await, 0, "nothing reached IBEx");

    // Signed up with this key; a second key that never registered cannot sign in.
    w.user.will_type(&[PIN]);
    w.sign(AuthIntent::SignUp).await.unwrap();
    ready(&w).await;
    w.core.session_sign_out().await.unwrap();
    w.keys.unplug_all();
    let stranger = SoftKey::new().with_pin(PIN);
    w.keys.plug(stranger.clone());
    w.user.will_type(&[PIN]);
    let e = w.sign(AuthIntent::SignIn).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyNotRegistered, "{e:?}");

    // A key without a PIN signs up (verification is only preferred there) but cannot verify
    // the user at sign-in, which IBEx requires.
    w.keys.unplug_all();
    w.keys.plug(SoftKey::new());
    w.sign(AuthIntent::SignUp).await.unwrap();
    ready(&w).await;
    w.core.session_sign_out().await.unwrap();
    let e = w.sign(AuthIntent::SignIn).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyPinNotSet, "{e:?}");

    // Wrong PINs until the key blocks.
    w.keys.unplug_all();
    w.keys.plug(key.clone());
    let wrong: Vec<&str> = (0..PIN_RETRIES).map(|_| "999999").collect();
    w.user.will_type(&wrong);
    let e = w.sign(AuthIntent::SignIn).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyPinBlocked, "{e:?}");
    assert_eq!(key.pin_retries(), 0);
    let prompts = w.user.take_prompts();
    assert!(prompts.iter().any(|p| matches!(
        p,
        KeyPrompt::Pin {
            wrong: true,
            attempts_left: Some(1)
        }
    )));
    assert_eq!(sign_ins().await, 0, "no sign-in reached IBEx");
    assert_eq!(sign_ups().await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_keys_the_one_touched_signs() {
    let w = World::start(Duration::from_secs(5)).await;
    let idle = SoftKey::new().with_pin(PIN);
    idle.set_touch(Touch::Ignore);
    let chosen = SoftKey::new().with_pin(PIN);
    w.keys.plug(idle.clone());
    w.keys.plug(chosen.clone());
    w.user.will_type(&[PIN]);
    w.sign(AuthIntent::SignUp).await.unwrap();
    assert!(idle.credential_ids(RP_ID).is_empty());
    assert_eq!(chosen.credential_ids(RP_ID).len(), 1);
    assert!(w
        .user
        .take_prompts()
        .iter()
        .any(|p| matches!(p, KeyPrompt::SelectKey)));
}
