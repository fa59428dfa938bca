//! Chaos, with figures (issue 12, item 8): the real core in real processes on the real Secret
//! Service (run under scripts/with-keyring.sh; scripts/chaos.sh), against a sandbox IBEx that
//! outlives them. Each case kills or breaks something, restarts what a user would restart, and
//! counts the sessions lost (per account: a PIN and a passkey wallet are signed in side by
//! side) and anything else that went missing: settings, the PIN account, the tenant API key.
//! Prints the table the README quotes and fails unless each case loses exactly the sessions it
//! must: the one account's whose rotated token died unsaved (the lost-reply window, a quit while
//! the Secret Service is down), none elsewhere, and nothing else anywhere.
//!
//! A plain `main` (harness = false): this binary is the test and, with `IBEX_CHAOS_CHILD` set,
//! the wallet process the test starts and kills (`child` below).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const PIN: &str = "chaos-135790";
const API_KEY: &str = "chaos-tenant-key";

fn main() {
    // reqwest has no TLS provider of its own (one stack: ring); the parent's bare client needs it.
    ibex::install_crypto_provider();
    if std::env::var_os("IBEX_CHAOS_CHILD").is_some() {
        child::run();
        return;
    }
    if let Err(reason) = ibex_wallet_lib::keychain::Keychain::probe() {
        assert!(
            std::env::var_os("IBEX_EXPECT_KEYCHAIN").is_none(),
            "a keychain was expected here: {reason}"
        );
        println!("chaos: skipped, no Secret Service ({reason}); run scripts/chaos.sh");
        return;
    }
    parent::run();
}

/// The wallet process: the app's core (settings file, keychain) on a custom network, driven
/// one command per stdin line, one JSON answer per stdout line. `IBEX_CHAOS_PAUSE` names the
/// point of one account's start-up refresh (`IBEX_CHAOS_ACCOUNT`) where it stops for good,
/// printing `PAUSED <point> <account>`, so the test can kill it there.
mod child {
    use std::io::{BufRead, Write};
    use std::sync::{Arc, Mutex};

    use ibex::{Secret, SecretStore, StoreError};
    use ibex_wallet_core::operations::OpStatus;
    use ibex_wallet_core::passkey::ProviderKind;
    use ibex_wallet_core::secrets::{SecretItem, SecretStores};
    use ibex_wallet_core::settings::Theme;
    use ibex_wallet_core::store::JsonFileStore;
    use ibex_wallet_core::testing::{RecordingEvents, RecordingNotifier};
    use ibex_wallet_core::{AuthIntent, Core, CoreDeps, CoreEvent, NetworkChoice};
    use ibex_wallet_lib::keychain::KeychainSecrets;
    use serde_json::{json, Value};

    /// Where one account's refresh (Session::restore → refresh) stops.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Point {
        /// The stored token was read; the refresh POST is next.
        BeforePost,
        /// IBEx rotated the token and answered; the keychain write is next.
        BeforeSave,
        /// The rotated token is in the keychain.
        AfterSave,
    }

    impl Point {
        fn name(self) -> &'static str {
            match self {
                Point::BeforePost => "before-post",
                Point::BeforeSave => "before-save",
                Point::AfterSave => "after-save",
            }
        }
    }

    /// Where to stop: the point, and the account whose keychain item stops there.
    struct Pause {
        at: Point,
        account: String,
    }

    /// The app's keychain, with the refresh-token item of the paused account stopping once.
    struct Paused {
        keychain: KeychainSecrets,
        pause: Option<Pause>,
    }

    impl SecretStores for Paused {
        fn open(
            &self,
            item: SecretItem,
            base_url: &str,
            rp_id: &str,
        ) -> Result<Arc<dyn SecretStore>, String> {
            let inner = self.keychain.open(item, base_url, rp_id)?;
            // An account's refresh-token item is filed as `<network>#<account id>`
            // (session/filing.rs); the other accounts' items and other secrets never stop.
            match &self.pause {
                Some(p)
                    if item == SecretItem::RefreshToken
                        && base_url
                            .strip_suffix(p.account.as_str())
                            .is_some_and(|n| n.ends_with('#')) =>
                {
                    Ok(Arc::new(Stops {
                        inner,
                        at: p.at,
                        account: p.account.clone(),
                        loaded: Mutex::new(None),
                    }))
                }
                _ => Ok(inner),
            }
        }
    }

    /// The item of the paused account. A save is the refresh's only when it writes a token
    /// other than the one this item read before: the rotation IBEx answered. A save of a
    /// token read elsewhere (a sign-in's, a move from the network's old item, see
    /// `Filing::move_to`) never stops.
    struct Stops {
        inner: Arc<dyn SecretStore>,
        at: Point,
        account: String,
        /// The token the first load read (the one the refresh POSTs).
        loaded: Mutex<Option<Secret>>,
    }

    impl Stops {
        /// Stops this process for good (until SIGKILL) when `here` is the pause point.
        fn stop_if(&self, here: Point) {
            if self.at == here {
                println!("PAUSED {} {}", here.name(), self.account);
                let _ = std::io::stdout().flush();
                loop {
                    std::thread::park();
                }
            }
        }

        fn rotates(&self, token: &Secret) -> bool {
            let loaded = self.loaded.lock().unwrap();
            loaded.as_ref().is_some_and(|l| l != token)
        }
    }

    impl SecretStore for Stops {
        fn load(&self) -> Result<Option<Secret>, StoreError> {
            let token = self.inner.load()?;
            let first = {
                let mut loaded = self.loaded.lock().unwrap();
                let first = loaded.is_none() && token.is_some();
                if first {
                    loaded.clone_from(&token);
                }
                first
            };
            if first {
                self.stop_if(Point::BeforePost);
            }
            Ok(token)
        }
        fn save(&self, token: &Secret) -> Result<(), StoreError> {
            let rotated = self.rotates(token);
            if rotated {
                self.stop_if(Point::BeforeSave);
            }
            self.inner.save(token)?;
            if rotated {
                self.stop_if(Point::AfterSave);
            }
            Ok(())
        }
        fn clear(&self) -> Result<(), StoreError> {
            self.inner.clear()
        }
    }

    pub fn run() {
        let dir = std::path::PathBuf::from(std::env::var("IBEX_CHAOS_DIR").expect("data dir"));
        let pause = std::env::var("IBEX_CHAOS_PAUSE").ok().map(|p| Pause {
            at: [Point::BeforePost, Point::BeforeSave, Point::AfterSave]
                .into_iter()
                .find(|at| at.name() == p)
                .unwrap_or_else(|| panic!("unknown pause point {p}")),
            account: std::env::var("IBEX_CHAOS_ACCOUNT").expect("the account to pause"),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(serve(dir, pause));
    }

    async fn serve(dir: std::path::PathBuf, pause: Option<Pause>) {
        // What the app wires (src-tauri/src/lib.rs), with the keychain's refresh-token item
        // able to stop.
        let events = Arc::new(RecordingEvents::default());
        let core = Core::new(CoreDeps {
            store: Arc::new(JsonFileStore::open(dir.join("ibex-wallet.json"))),
            events: events.clone(),
            secrets: Arc::new(Paused {
                keychain: KeychainSecrets::default(),
                pause,
            }),
            cache: Arc::new(JsonFileStore::open(dir.join("cache.json"))),
            notifier: Arc::new(RecordingNotifier::default()),
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        while let Some(line) = rx.recv().await {
            let (command, arg) = line.split_once(' ').unwrap_or((&line, ""));
            let answer = match command {
                "quit" => return,
                _ => run_command(&core, &events, command, arg).await,
            };
            let line = match answer {
                Ok(value) => json!({ "ok": value }),
                Err(e) => json!({ "err": e }),
            };
            println!("{line}");
            let _ = std::io::stdout().flush();
        }
    }

    async fn run_command(
        core: &Core,
        events: &RecordingEvents,
        command: &str,
        arg: &str,
    ) -> Result<Value, String> {
        let to_json = |v: &dyn erased::Json| v.json();
        let fail = |e: ibex_wallet_core::AppError| format!("{:?}: {}", e.code, e.message);
        match command {
            "network" => core
                .settings_set_network(NetworkChoice::Custom {
                    base_url: arg.to_owned(),
                    rp_id: "localhost".into(),
                    api_key: Some(super::API_KEY.into()),
                })
                .await
                .map(|s| to_json(&s))
                .map_err(fail),
            "warm" => {
                core.warm_up().await;
                core.session_get().await.map(|s| to_json(&s)).map_err(fail)
            }
            // The ids of the accounts signed in (on every network).
            "accounts" => core
                .accounts_list()
                .await
                .map(|list| list.iter().map(|a| a.id.clone()).collect())
                .map_err(fail),
            "status" => core.session_get().await.map(|s| to_json(&s)).map_err(fail),
            "pin-sign-up" => core
                .pin_sign_up(super::PIN.into())
                .await
                .map(|s| to_json(&s))
                .map_err(fail),
            "sign-up" => {
                let ceremony = core.auth_begin(AuthIntent::SignUp).await.map_err(fail)?;
                core.auth_complete_native(ceremony.id, ProviderKind::Soft)
                    .await
                    .map(|s| to_json(&s))
                    .map_err(fail)
            }
            // A call that needs the session (and refreshes it when IBEx refuses its token).
            "use" => core
                .wallet_holdings()
                .await
                .map(|h| json!(h.len()))
                .map_err(fail),
            "theme" => {
                let theme = match arg {
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    _ => Theme::System,
                };
                core.settings_set_theme(theme)
                    .await
                    .map(|s| to_json(&s))
                    .map_err(fail)
            }
            "lock" => core
                .settings_set_lock(arg.parse().map_err(|e| format!("{e}"))?)
                .await
                .map(|s| to_json(&s))
                .map_err(fail),
            "alerts" => core
                .settings_set_recovery_alerts(vec![120, 0])
                .await
                .map(|s| to_json(&s))
                .map_err(fail),
            "notice" => core
                .app_info()
                .await
                .map(|i| json!(i.storage_notice))
                .map_err(fail),
            // A transfer approved with the software passkey, tracked to its end.
            "send" => {
                let started = std::time::Instant::now();
                events.clear();
                let holding = core
                    .wallet_holdings()
                    .await
                    .map_err(fail)?
                    .into_iter()
                    .find(|h| h.balance.as_str() != "0")
                    .ok_or("no balance")?;
                let review = core
                    .send_prepare(ibex_wallet_core::send::TransferDraft {
                        chain_id: holding.chain_id,
                        token_address: holding.token_address.to_string(),
                        to: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359".into(),
                        amount: "0.0001".into(),
                        look_alike_confirmed: false,
                    })
                    .await
                    .map_err(fail)?;
                core.operation_approve_native(review.id, ProviderKind::Soft)
                    .await
                    .map_err(fail)?;
                for _ in 0..1200 {
                    if events.seen(|e| matches!(e, CoreEvent::OperationUpdated { update } if update.status == OpStatus::Confirmed)) {
                        let socket = events.seen(|e| matches!(e, CoreEvent::Realtime { connected: true }));
                        return Ok(json!({ "seconds": started.elapsed().as_secs_f64(), "socket": socket }));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err("not confirmed within 60 s".into())
            }
            other => Err(format!("unknown command {other}")),
        }
    }

    /// Serializes what the commands return (each is `Serialize`).
    mod erased {
        pub trait Json {
            fn json(&self) -> serde_json::Value;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap_or_default()
            }
        }
    }
}

/// One wallet process and its line protocol.
struct Wallet {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

enum Answer {
    Ok(Value),
    Err(String),
    /// `PAUSED <point> <account>`: where the process stopped.
    Paused(String),
}

impl Wallet {
    /// `pause`: the point and the account whose start-up refresh stops there.
    fn start(dir: &Path, pause: Option<(&str, &str)>) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .env("IBEX_CHAOS_CHILD", "1")
            .env("IBEX_CHAOS_DIR", dir)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if let Some((point, account)) = pause {
            command
                .env("IBEX_CHAOS_PAUSE", point)
                .env("IBEX_CHAOS_ACCOUNT", account);
        }
        let mut child = command.spawn().expect("the wallet process starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
        }
    }

    fn ask(&mut self, command: &str) -> Answer {
        writeln!(self.stdin, "{command}").unwrap();
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(90))
            .unwrap_or_else(|e| panic!("no answer to {command}: {e}"));
        if let Some(at) = line.strip_prefix("PAUSED ") {
            return Answer::Paused(at.to_owned());
        }
        let mut value: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        match value.get("err") {
            Some(e) => Answer::Err(e.as_str().unwrap_or_default().to_owned()),
            None => Answer::Ok(value["ok"].take()),
        }
    }

    /// `command` must succeed; its answer.
    fn ok(&mut self, command: &str) -> Value {
        match self.ask(command) {
            Answer::Ok(v) => v,
            Answer::Err(e) => panic!("{command}: {e}"),
            Answer::Paused(at) => panic!("{command}: paused at {at}"),
        }
    }

    /// `command` must stop the process at `at` (`<point> <account>`), nowhere else.
    fn paused(&mut self, command: &str, at: &str) {
        match self.ask(command) {
            Answer::Paused(stopped) => assert_eq!(stopped, at, "{command} paused elsewhere"),
            Answer::Ok(v) => panic!("{command} did not reach {at}: {v}"),
            Answer::Err(e) => panic!("{command} did not reach {at}: {e}"),
        }
    }

    /// The ids of the accounts signed in.
    fn accounts(&mut self) -> BTreeSet<String> {
        serde_json::from_value(self.ok("accounts")).expect("a list of ids")
    }

    fn persistence(&mut self) -> String {
        self.ok("status")["persistence"]["kind"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    }

    /// SIGKILL: nothing runs after it, no destructor, no flush.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn quit(mut self) {
        writeln!(self.stdin, "quit").unwrap();
        self.child.wait().unwrap();
    }
}

/// The Secret Service of this private D-Bus session (scripts/with-keyring.sh started it).
mod secret_service {
    use std::process::{Command, Stdio};

    /// The process that owns `org.freedesktop.secrets` on the session bus.
    fn owner() -> Option<u32> {
        let out = Command::new("busctl")
            .args([
                "--user",
                "call",
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "GetConnectionUnixProcessID",
                "s",
                "org.freedesktop.secrets",
            ])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// SIGKILL to the daemon. The next caller's request makes D-Bus start a fresh one, whose
    /// keyring is locked (no password given): the service stays unusable until `restart`.
    pub fn kill() {
        let pid = owner().expect("a Secret Service owns its bus name");
        let status = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    /// Starts the daemon again on the same keyring directory, unlocked (replacing a locked one
    /// D-Bus may have started meanwhile).
    pub fn restart() {
        let keyrings = std::env::var("IBEX_TEST_KEYRINGS").expect("set by scripts/with-keyring.sh");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--replace", "--unlock", "--components=secrets"])
            .env("XDG_DATA_HOME", keyrings)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        daemon
            .stdin
            .take()
            .unwrap()
            .write_all(b"ibex-test")
            .unwrap();
        assert!(daemon.wait().unwrap().success());
        for _ in 0..50 {
            if ibex_wallet_lib::keychain::Keychain::probe().is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the Secret Service did not come back");
    }
}

struct Row {
    case: &'static str,
    /// The accounts whose session this case lost (signed in before, not after).
    lost: BTreeSet<String>,
    /// The accounts whose session it must lose: a loss elsewhere, or none where one is due
    /// (the kill no longer where the row says), fails the test.
    expected: BTreeSet<String>,
    else_lost: Vec<String>,
    note: String,
    seconds: f64,
}

mod parent {
    use super::*;
    use ibex::{Secret, SecretStore};
    use ibex_wallet_core::secrets::SecretItem;
    use ibex_wallet_lib::keychain::Keychain;

    struct World {
        _runtime: tokio::runtime::Runtime,
        http: reqwest::Client,
        handle: tokio::runtime::Handle,
        base: String,
        dir: PathBuf,
        _sandbox: ibex_sandbox::Sandbox,
        _temp: tempfile::TempDir,
        /// The settings file as it should be (updated by the cases' own changes).
        expected: serde_json::Map<String, Value>,
        pin_account: Option<String>,
        /// The accounts signed in when a wallet process last looked, and the current one.
        accounts: BTreeSet<String>,
        current: String,
    }

    impl World {
        fn faults(&self, faults: Value) {
            let url = format!("{}/__sandbox/faults", self.base);
            let http = self.http.clone();
            self.handle.block_on(async move {
                let r = http.post(url).json(&faults).send().await.unwrap();
                assert!(r.status().is_success());
            });
        }

        fn settings_file(&self) -> serde_json::Map<String, Value> {
            let bytes = std::fs::read(self.dir.join("ibex-wallet.json")).unwrap_or_default();
            serde_json::from_slice(&bytes).unwrap_or_default()
        }

        /// A keychain item of the network: the API key is filed under the URL as typed; the
        /// others under the connection's identity, the parsed URL (a refresh token under
        /// `<identity>#<account id>`, see session/filing.rs).
        fn item(&self, item: SecretItem, account: Option<&str>) -> Option<String> {
            let base = match (item, account) {
                (SecretItem::ApiKey, _) => self.base.clone(),
                (_, Some(id)) => format!("{}/#{id}", self.base),
                (_, None) => format!("{}/", self.base),
            };
            Keychain::for_network(item, &base, "localhost")
                .unwrap()
                .load()
                .unwrap()
                .map(|s: Secret| s.expose().to_owned())
        }

        /// Everything but the sessions: each settings-file key that is missing or changed,
        /// the PIN account and the API key in the keychain.
        fn else_lost(&self) -> Vec<String> {
            let now = self.settings_file();
            let mut lost: Vec<String> = self
                .expected
                .iter()
                // `accounts|…` is the list of signed-in accounts: it follows the sessions (counted
                // on their own), so a session's own bookkeeping is not "something else lost".
                .filter(|(k, v)| !k.starts_with("accounts|") && now.get(*k) != Some(v))
                .map(|(k, _)| format!("setting {k}"))
                .collect();
            if self.item(SecretItem::PinAccount, None) != self.pin_account {
                lost.push("PIN account in the keychain".into());
            }
            if self.item(SecretItem::ApiKey, None).as_deref() != Some(API_KEY) {
                lost.push("API key in the keychain".into());
            }
            lost
        }

        fn accept_settings(&mut self) {
            self.expected = self.settings_file();
        }

        /// The accounts signed in before that `w` does not have.
        fn missing(&self, w: &mut Wallet) -> BTreeSet<String> {
            self.accounts.difference(&w.accounts()).cloned().collect()
        }

        /// What `w` has signed in becomes what the next case starts from; returns the
        /// accounts lost since the last look.
        fn settle(&mut self, w: &mut Wallet) -> BTreeSet<String> {
            let now = w.accounts();
            let lost = self.accounts.difference(&now).cloned().collect();
            self.accounts = now;
            self.current = w.ok("status")["account"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            lost
        }

        /// A fresh passkey sign-in (after a case that lost the current session), then the
        /// new settings.
        fn sign_in_again(&mut self) {
            let mut w = Wallet::start(&self.dir, None);
            w.ok("sign-up");
            let lost = self.settle(&mut w);
            assert!(lost.is_empty(), "signing in lost {lost:?}");
            w.quit();
            self.accept_settings();
        }
    }

    /// The kind of account a wallet shows, as the table names it.
    fn signer(status: &Value) -> &str {
        match status["account"]["signer"].as_str() {
            Some("pin") => "PIN",
            other => other.unwrap_or("unknown"),
        }
    }

    /// The notice a restarted wallet shows about account `lost`'s session, if any.
    fn told(status: &Value, lost: &BTreeSet<String>) -> Option<String> {
        status["notices"].as_array()?.iter().find_map(|n| {
            let id = n["account"]["id"].as_str()?;
            lost.contains(id)
                .then(|| n["message"].as_str().unwrap_or_default().to_owned())
        })
    }

    /// What a restarted wallet shows, in words for the table (the lost sessions told by a
    /// notice; the test fails when one is not).
    fn shown(status: &Value, lost: &BTreeSet<String>) -> String {
        let word = match told(status, lost) {
            Some(message) => format!("tells the lost one: \"{message}\""),
            None => "with no word of the lost one".into(),
        };
        match status["status"].as_str() {
            Some("signedIn") => format!(
                "the next start opens on the {} account, still signed in, and {word}",
                signer(status)
            ),
            _ => format!("the next start is signed out and {word}"),
        }
    }

    pub fn run() {
        let started = Instant::now();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime
            .block_on(ibex_sandbox::Sandbox::start(ibex_sandbox::SandboxConfig {
                address_ready: Duration::ZERO,
                ..ibex_sandbox::SandboxConfig::default()
            }))
            .expect("sandbox");
        let temp = tempfile::tempdir().unwrap();
        let mut world = World {
            http: reqwest::Client::new(),
            handle: runtime.handle().clone(),
            base: sandbox.base_url().trim_end_matches('/').to_owned(),
            dir: temp.path().to_path_buf(),
            _runtime: runtime,
            _sandbox: sandbox,
            _temp: temp,
            expected: serde_json::Map::new(),
            pin_account: None,
            accounts: BTreeSet::new(),
            current: String::new(),
        };

        // What a user has after a while: a tenant network with its API key, a PIN wallet and
        // a passkey wallet signed in side by side (the passkey one current), settings changed.
        let t = Instant::now();
        let mut w = Wallet::start(&world.dir, None);
        w.ok(&format!("network {}", world.base));
        w.ok("pin-sign-up");
        w.ok("sign-up");
        w.ok("theme dark");
        w.ok("lock 15");
        w.ok("alerts");
        world.settle(&mut w);
        w.quit();
        assert_eq!(world.accounts.len(), 2, "two accounts signed in");
        world.accept_settings();
        world.pin_account = world.item(SecretItem::PinAccount, None);
        assert!(world.pin_account.is_some());
        println!("chaos: set-up {:.1} s", t.elapsed().as_secs_f64());

        let mut rows = vec![
            kill_at(&mut world, "before-post", "killed before the refresh POST"),
            kill_at(
                &mut world,
                "after-save",
                "killed after the rotated token is in the keychain",
            ),
            kill_at(
                &mut world,
                "before-save",
                "killed after IBEx rotated, before the keychain write (lost reply)",
            ),
        ];
        world.sign_in_again();
        rows.push(two_instances(&mut world));
        rows.push(secret_service_killed(&mut world, true));
        rows.push(secret_service_killed(&mut world, false));
        world.sign_in_again();
        rows.push(stalled_socket(&mut world));
        rows.push(half_written_settings(&mut world));

        println!();
        println!("| case | sessions lost | anything else lost | time |");
        println!("|---|---|---|---|");
        for r in &rows {
            let lost = if r.else_lost.is_empty() {
                "nothing".to_owned()
            } else {
                r.else_lost.join(", ")
            };
            let note = if r.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.note)
            };
            println!(
                "| {} | {} | {lost}{note} | {:.1} s |",
                r.case,
                r.lost.len(),
                r.seconds
            );
        }
        println!();
        println!(
            "chaos: {} cases in {:.1} s",
            rows.len(),
            started.elapsed().as_secs_f64()
        );
        let bad: Vec<_> = rows
            .iter()
            .filter(|r| r.lost != r.expected || !r.else_lost.is_empty())
            .map(|r| {
                format!(
                    "{}: lost {:?}, expected {:?}, else {:?}",
                    r.case, r.lost, r.expected, r.else_lost
                )
            })
            .collect();
        assert!(
            bad.is_empty(),
            "cases that did not measure as expected: {bad:#?}"
        );
    }

    /// Kills the wallet at `point` of the current account's refresh during start-up (the
    /// other accounts' restores run before or after it, each its own refresh), then starts it
    /// again. Only the lost-reply window (`before-save`) loses a session: that account's.
    fn kill_at(world: &mut World, point: &str, case: &'static str) -> Row {
        let t = Instant::now();
        let target = world.current.clone();
        let stored = world.item(SecretItem::RefreshToken, Some(&target));
        assert!(stored.is_some(), "{target} has a keychain item");
        let mut w = Wallet::start(&world.dir, Some((point, &target)));
        w.paused("warm", &format!("{point} {target}"));
        w.kill();
        // The kill point as the keychain tells it: the item is written only after the save.
        let written = world.item(SecretItem::RefreshToken, Some(&target)) != stored;
        assert_eq!(
            written,
            point == "after-save",
            "{point}: the keychain item was{} written before the kill",
            if written { "" } else { " not" }
        );
        let mut again = Wallet::start(&world.dir, None);
        again.ok("warm");
        let lost = world.settle(&mut again);
        let status = again.ok("status");
        again.quit();
        let expected = if point == "before-save" {
            BTreeSet::from([target.clone()])
        } else {
            BTreeSet::new()
        };
        let mut else_lost = world.else_lost();
        let note = if !lost.is_empty() {
            if told(&status, &lost).is_none() {
                else_lost.push("the word of the lost session".into());
            }
            format!(
                "IBEx consumed the stored token; its answer died with the process: that account signs in again; {}",
                shown(&status, &lost)
            )
        } else {
            String::new()
        };
        // A start killed part-way must not move the current account.
        if lost.is_empty() && world.current != target {
            else_lost.push(format!(
                "the current account (the next start opens on the {} account)",
                signer(&status)
            ));
        }
        Row {
            case,
            note,
            lost,
            expected,
            else_lost,
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Two wallet processes on one keychain (one item per account) and one settings file,
    /// each refreshing after the other rotated, each changing a setting; then both killed and
    /// one restarted.
    fn two_instances(world: &mut World) -> Row {
        let t = Instant::now();
        let mut a = Wallet::start(&world.dir, None);
        a.ok("warm");
        let mut b = Wallet::start(&world.dir, None);
        b.ok("warm"); // rotates every token `a` holds
        world.faults(json!({ "expireAccessTokens": true }));
        a.ok("use");
        b.ok("use");
        a.ok("theme light");
        b.ok("lock 30");
        let mut lost = world.missing(&mut a);
        lost.extend(world.missing(&mut b));
        a.kill();
        b.kill();
        // Each instance's change, and neither undone by the other's write.
        world.expected["settings"]["theme"] = json!("light");
        world.expected["settings"]["lockAfterMinutes"] = json!(30);
        let mut c = Wallet::start(&world.dir, None);
        c.ok("warm");
        lost.extend(world.settle(&mut c));
        c.quit();
        Row {
            case: "two instances at once (one keychain, one settings file)",
            lost,
            expected: BTreeSet::new(),
            else_lost: world.else_lost(),
            note: String::new(),
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// The Secret Service killed while the wallet runs and a refresh of the current account
    /// rotates its token; it comes back before the wallet quits (`back_first`) or after.
    fn secret_service_killed(world: &mut World, back_first: bool) -> Row {
        let t = Instant::now();
        let target = world.current.clone();
        let mut w = Wallet::start(&world.dir, None);
        w.ok("warm");
        secret_service::kill();
        world.faults(json!({ "expireAccessTokens": true }));
        let works = matches!(w.ask("use"), Answer::Ok(_));
        let said = w.persistence();
        let mut note = format!(
            "wallet {} in memory, session shown as {said}",
            if works { "kept working" } else { "STOPPED" }
        );
        if back_first {
            secret_service::restart();
            let back = Instant::now();
            while w.persistence() != "keychain" && back.elapsed() < Duration::from_secs(15) {
                std::thread::sleep(Duration::from_millis(100));
            }
            note += &format!(
                "; saved {:.1} s after the service returned",
                back.elapsed().as_secs_f64()
            );
            w.kill();
        } else {
            w.kill();
            secret_service::restart();
            note += "; quit before the service returned: the rotated token lived in memory only";
        }
        let mut again = Wallet::start(&world.dir, None);
        again.ok("warm");
        let lost = world.settle(&mut again);
        let status = again.ok("status");
        again.quit();
        let mut else_lost = world.else_lost();
        if !lost.is_empty() {
            note += &format!("; {}", shown(&status, &lost));
            if told(&status, &lost).is_none() {
                else_lost.push("the word of the lost session".into());
            }
        }
        // The kill point: the rotation happened while the service was down.
        if !works || said != "unsaved" {
            else_lost.push("the session's state (see the note)".into());
        }
        Row {
            case: if back_first {
                "Secret Service killed mid-session, back while the wallet runs"
            } else {
                "Secret Service killed mid-session, wallet quits before it is back"
            },
            lost,
            expected: if back_first {
                BTreeSet::new()
            } else {
                BTreeSet::from([target])
            },
            else_lost,
            note,
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Every WebSocket handshake left unanswered: a transfer is still tracked to CONFIRMED.
    fn stalled_socket(world: &mut World) -> Row {
        let t = Instant::now();
        world.faults(json!({ "stallWebSockets": true }));
        let mut w = Wallet::start(&world.dir, None);
        w.ok("sign-up"); // the software passkey lives in this process: it signs the transfer
        let sent = w.ok("send");
        let lost = world.settle(&mut w);
        w.quit();
        world.faults(json!({ "stallWebSockets": false }));
        world.accept_settings();
        let socket = sent["socket"].as_bool().unwrap_or(true);
        Row {
            case: "WebSocket handshake stalls",
            lost,
            expected: BTreeSet::new(),
            else_lost: if socket {
                vec!["(the socket connected: the fault did not hold)".into()]
            } else {
                Vec::new()
            },
            note: format!(
                "transfer CONFIRMED by HTTP polling in {:.1} s",
                sent["seconds"].as_f64().unwrap_or(f64::NAN)
            ),
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// The settings file cut in the middle of its JSON (another writer, a damaged disk).
    fn half_written_settings(world: &mut World) -> Row {
        let t = Instant::now();
        let path = world.dir.join("ibex-wallet.json");
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..full.len() / 2]).unwrap();
        let mut w = Wallet::start(&world.dir, None);
        let notice = w.ok("notice");
        w.ok("warm");
        let lost = world.settle(&mut w);
        w.quit();
        let mut else_lost = world.else_lost();
        if !notice
            .as_str()
            .is_some_and(|n| n.contains("copy was restored"))
        {
            else_lost.push(format!("the notice ({notice})"));
        }
        Row {
            case: "settings file half-written",
            lost,
            expected: BTreeSet::new(),
            else_lost,
            note: "restored from its copy, the notice shown".into(),
            seconds: t.elapsed().as_secs_f64(),
        }
    }
}
