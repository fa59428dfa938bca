//! Chaos, with figures (issue 12, item 8): the real core in real processes on the real Secret
//! Service (run under scripts/with-keyring.sh; scripts/chaos.sh), against a sandbox IBEx that
//! outlives them. Each case kills or breaks something, restarts what a user would restart, and
//! counts the sessions lost and anything else that went missing: settings, the PIN account, the
//! tenant API key. Prints the table the README quotes and fails when a case loses more than it
//! is allowed to (only the lost-reply window may lose the session).
//!
//! A plain `main` (harness = false): this binary is the test and, with `IBEX_CHAOS_CHILD` set,
//! the wallet process the test starts and kills (`child` below).

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
/// point of the start-up refresh where it stops for good (printing `PAUSED <point>`) so the
/// test can kill it there.
mod child {
    use std::io::{BufRead, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

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

    /// Where the refresh (Session::restore → refresh) stops.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Point {
        /// The stored token was read; the refresh POST is next.
        BeforePost,
        /// IBEx rotated the token and answered; the keychain write is next.
        BeforeSave,
        /// The rotated token is in the keychain.
        AfterSave,
    }

    /// The app's keychain, with the refresh-token item stopping once at `pause`.
    struct Paused {
        keychain: KeychainSecrets,
        pause: Option<Point>,
    }

    impl SecretStores for Paused {
        fn open(
            &self,
            item: SecretItem,
            base_url: &str,
            rp_id: &str,
        ) -> Result<Arc<dyn SecretStore>, String> {
            let inner = self.keychain.open(item, base_url, rp_id)?;
            match (item, self.pause) {
                (SecretItem::RefreshToken, Some(at)) => Ok(Arc::new(Stops {
                    inner,
                    at,
                    armed: AtomicBool::new(true),
                })),
                _ => Ok(inner),
            }
        }
    }

    struct Stops {
        inner: Arc<dyn SecretStore>,
        at: Point,
        armed: AtomicBool,
    }

    impl Stops {
        fn stop_if(&self, here: Point) {
            if self.at == here && self.armed.swap(false, Ordering::SeqCst) {
                println!("PAUSED");
                let _ = std::io::stdout().flush();
                loop {
                    std::thread::park(); // until SIGKILL
                }
            }
        }
    }

    impl SecretStore for Stops {
        fn load(&self) -> Result<Option<Secret>, StoreError> {
            let token = self.inner.load();
            self.stop_if(Point::BeforePost);
            token
        }
        fn save(&self, token: &Secret) -> Result<(), StoreError> {
            self.stop_if(Point::BeforeSave);
            self.inner.save(token)?;
            self.stop_if(Point::AfterSave);
            Ok(())
        }
        fn clear(&self) -> Result<(), StoreError> {
            self.inner.clear()
        }
    }

    pub fn run() {
        let dir = std::path::PathBuf::from(std::env::var("IBEX_CHAOS_DIR").expect("data dir"));
        let pause = std::env::var("IBEX_CHAOS_PAUSE")
            .ok()
            .map(|p| match p.as_str() {
                "before-post" => Point::BeforePost,
                "before-save" => Point::BeforeSave,
                "after-save" => Point::AfterSave,
                other => panic!("unknown pause point {other}"),
            });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(serve(dir, pause));
    }

    async fn serve(dir: std::path::PathBuf, pause: Option<Point>) {
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
    Paused,
}

impl Wallet {
    fn start(dir: &Path, pause: Option<&str>) -> Self {
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
        if let Some(point) = pause {
            command.env("IBEX_CHAOS_PAUSE", point);
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
        if line == "PAUSED" {
            return Answer::Paused;
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
            Answer::Paused => panic!("{command}: paused"),
        }
    }

    fn paused(&mut self, command: &str) {
        assert!(
            matches!(self.ask(command), Answer::Paused),
            "{command} did not reach its pause point"
        );
    }

    fn signed_in(&mut self) -> bool {
        self.ok("status")["status"] == "signedIn"
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
    sessions_lost: u32,
    allowed: u32,
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

        fn item(&self, item: SecretItem) -> Option<String> {
            // The API key is filed under the URL as typed; the others under the connection's
            // identity, the parsed URL.
            let base = match item {
                SecretItem::ApiKey => self.base.clone(),
                _ => format!("{}/", self.base),
            };
            Keychain::for_network(item, &base, "localhost")
                .unwrap()
                .load()
                .unwrap()
                .map(|s: Secret| s.expose().to_owned())
        }

        /// Everything but the session: each settings-file key that is missing or changed, the
        /// PIN account and the API key in the keychain.
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
            if self.item(SecretItem::PinAccount) != self.pin_account {
                lost.push("PIN account in the keychain".into());
            }
            if self.item(SecretItem::ApiKey).as_deref() != Some(API_KEY) {
                lost.push("API key in the keychain".into());
            }
            lost
        }

        fn accept_settings(&mut self) {
            self.expected = self.settings_file();
        }

        /// A fresh sign-in (after a case that lost the session), then the new settings.
        fn sign_in_again(&mut self) {
            let mut w = Wallet::start(&self.dir, None);
            w.ok("sign-up");
            w.quit();
            self.accept_settings();
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
        };

        // What a user has after a while: a tenant network with its API key, a PIN wallet, a
        // passkey wallet signed in, settings changed.
        let t = Instant::now();
        let mut w = Wallet::start(&world.dir, None);
        w.ok(&format!("network {}", world.base));
        w.ok("pin-sign-up");
        w.ok("sign-up");
        w.ok("theme dark");
        w.ok("lock 15");
        w.ok("alerts");
        w.quit();
        world.accept_settings();
        world.pin_account = world.item(SecretItem::PinAccount);
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
                r.case, r.sessions_lost, r.seconds
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
            .filter(|r| r.sessions_lost > r.allowed || !r.else_lost.is_empty())
            .map(|r| r.case)
            .collect();
        assert!(bad.is_empty(), "cases that lost too much: {bad:?}");
    }

    /// Kills the wallet at `point` of the refresh its start-up does, then starts it again.
    fn kill_at(world: &mut World, point: &str, case: &'static str) -> Row {
        let t = Instant::now();
        let mut w = Wallet::start(&world.dir, Some(point));
        w.paused("warm");
        w.kill();
        let mut again = Wallet::start(&world.dir, None);
        again.ok("warm");
        let signed_in = again.signed_in();
        again.quit();
        let allowed = u32::from(point == "before-save");
        Row {
            case,
            sessions_lost: u32::from(!signed_in),
            allowed,
            else_lost: world.else_lost(),
            note: if signed_in {
                String::new()
            } else {
                "IBEx consumed the stored token; its answer died with the process: sign in again"
                    .into()
            },
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// Two wallet processes on one keychain item and one settings file, each refreshing after
    /// the other rotated, each changing a setting; then both killed and one restarted.
    fn two_instances(world: &mut World) -> Row {
        let t = Instant::now();
        let mut a = Wallet::start(&world.dir, None);
        a.ok("warm");
        let mut b = Wallet::start(&world.dir, None);
        b.ok("warm"); // rotates the token `a` holds
        world.faults(json!({ "expireAccessTokens": true }));
        a.ok("use");
        b.ok("use");
        a.ok("theme light");
        b.ok("lock 30");
        let live = u32::from(!a.signed_in()) + u32::from(!b.signed_in());
        a.kill();
        b.kill();
        // Each instance's change, and neither undone by the other's write.
        world.expected["settings"]["theme"] = json!("light");
        world.expected["settings"]["lockAfterMinutes"] = json!(30);
        let mut c = Wallet::start(&world.dir, None);
        c.ok("warm");
        let on_disk = u32::from(!c.signed_in());
        c.quit();
        Row {
            case: "two instances at once (one keychain item, one settings file)",
            sessions_lost: live + on_disk,
            allowed: 0,
            else_lost: world.else_lost(),
            note: String::new(),
            seconds: t.elapsed().as_secs_f64(),
        }
    }

    /// The Secret Service killed while the wallet runs and a refresh rotates the token; it
    /// comes back before the wallet quits (`back_first`) or after.
    fn secret_service_killed(world: &mut World, back_first: bool) -> Row {
        let t = Instant::now();
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
        let lost = u32::from(!again.signed_in());
        again.quit();
        let mut else_lost = world.else_lost();
        if !works || said != "unsaved" {
            else_lost.push("the session's state (see the note)".into());
        }
        Row {
            case: if back_first {
                "Secret Service killed mid-session, back while the wallet runs"
            } else {
                "Secret Service killed mid-session, wallet quits before it is back"
            },
            sessions_lost: lost,
            allowed: u32::from(!back_first),
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
        let lost = u32::from(!w.signed_in());
        w.quit();
        world.faults(json!({ "stallWebSockets": false }));
        world.accept_settings();
        let socket = sent["socket"].as_bool().unwrap_or(true);
        Row {
            case: "WebSocket handshake stalls",
            sessions_lost: lost,
            allowed: 0,
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
        let lost = u32::from(!w.signed_in());
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
            sessions_lost: lost,
            allowed: 0,
            else_lost,
            note: "restored from its copy, the notice shown".into(),
            seconds: t.elapsed().as_secs_f64(),
        }
    }
}
