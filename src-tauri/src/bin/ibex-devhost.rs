//! `ibex-devhost`: the UI and the real core for a browser on loopback (tests only).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ibex_wallet_core::recovery::RecoveryCheck;
use ibex_wallet_core::secrets::MemorySecrets;
use ibex_wallet_core::store::JsonFileStore;
use ibex_wallet_core::{Core, CoreDeps, ResumeBackoff};
use ibex_wallet_lib::devhost::{self, BroadcastEvents, RecordingNotifier};

const USAGE: &str =
    "usage: ibex-devhost [--port N] [--dist DIR] [--data-dir DIR] [--recovery-check-seconds N]
                    [--resume-retry-seconds N]

Serves the built UI (default ui/dist) and the wallet's commands on 127.0.0.1.
Prints `IBEX_DEVHOST_URL=<url>` once ready; open that URL (it carries the per-run secret).
Settings live in DATA_DIR/devhost.json, snapshots in DATA_DIR/cache.json (default: a fresh
temporary directory). CSV exports go to IBEX_DOWNLOAD_DIR when set.
IBEX_HANDOFF_TIMEOUT_SECS shortens the browser hand-off's wait (tests of its timeout).
--recovery-check-seconds paces the background recovery check (tests: 1).
--resume-retry-seconds: the first wait before a session not resumed is tried again on its own
(then doubling, up to 5 min or N); tests of the user's Try again set it long.";

struct Args {
    port: u16,
    dist: PathBuf,
    data_dir: Option<PathBuf>,
    recovery_check: Option<u64>,
    resume_retry: Option<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        dist: PathBuf::from("ui/dist"),
        data_dir: None,
        recovery_check: None,
        resume_retry: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--dist" => args.dist = value()?.into(),
            "--data-dir" => args.data_dir = Some(value()?.into()),
            "--recovery-check-seconds" => {
                let secs = value()?
                    .parse()
                    .map_err(|e| format!("--recovery-check-seconds: {e}"))?;
                args.recovery_check = Some(secs);
            }
            "--resume-retry-seconds" => {
                let secs = value()?
                    .parse()
                    .map_err(|e| format!("--resume-retry-seconds: {e}"))?;
                args.resume_retry = Some(secs);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    ibex_wallet_lib::init_logging();
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if msg.is_empty() { 0 } else { 2 });
        }
    };
    if !args.dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: build the UI first (npm --prefix ui run build)",
            args.dist.display()
        )
        .into());
    }
    let temp;
    let data_dir = match args.data_dir {
        Some(d) => d,
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&data_dir)?;
    let events = BroadcastEvents::new();
    let store = JsonFileStore::open(data_dir.join("devhost.json"));
    let cache = JsonFileStore::open(data_dir.join("cache.json"));
    // Test host: sessions stay in memory (a browser test must not touch the user's keychain).
    let notifications = RecordingNotifier::new(events.clone());
    let mut core = Core::new(CoreDeps {
        store: Arc::new(store),
        events: Arc::new(events.clone()),
        secrets: Arc::new(MemorySecrets::default()),
        cache: Arc::new(cache),
        notifier: Arc::new(notifications.clone()),
    })
    .with_sandbox_state(data_dir.join("sandbox-state.json"));
    if let Ok(secs) = std::env::var("IBEX_HANDOFF_TIMEOUT_SECS") {
        let secs: u64 = secs
            .parse()
            .map_err(|e| format!("IBEX_HANDOFF_TIMEOUT_SECS: {e}"))?;
        core = core.with_handoff_timeout(std::time::Duration::from_secs(secs));
    }
    if let Some(secs) = args.resume_retry {
        let first = Duration::from_secs(secs.max(1));
        core = core.with_resume_backoff(ResumeBackoff {
            first,
            max: first.max(ResumeBackoff::DEFAULT.max),
        });
    }
    let core = Arc::new(core);
    if let Some(secs) = args.recovery_check {
        let every = Duration::from_secs(secs.max(1));
        core.set_recovery_check(RecoveryCheck {
            every,
            near_every: every,
        });
    }
    core.warm_up().await;
    tokio::spawn(core.clone().run_recovery_watch());
    let host = devhost::start(core, events, notifications, args.dist, args.port).await?;
    println!("IBEX_DEVHOST_URL={}", host.url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
