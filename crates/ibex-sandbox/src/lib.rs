//! A local IBEx: the same HTTP/WebSocket contract as `docs/api`, on loopback.
//!
//! Start it in-process with [`Sandbox::start`] (the app and the tests do) or as the
//! `ibex-sandbox` binary. Test-only routes live under `/__sandbox` (see `routes/sandbox.rs`).

mod amount;
mod b64;
mod bitcoin;
mod clock;
mod counters;
mod defi;
mod error;
mod faults;
mod iban;
mod ids;
mod jwt;
mod kdf;
mod ledger;
mod market;
mod operations;
mod routes;
mod sepa;
mod signer_factory;
mod siwe;
mod solana;
mod state;
mod store;
mod tokens;
mod views;
pub mod webauthn;
mod ws;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Faults, RateLimit};

use state::{AppState, Settings};
use store::Store;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind. Defaults to 127.0.0.1 on a free port; binding anything that is not
    /// loopback must be asked for explicitly with [`SandboxConfig::allow_non_loopback`].
    pub addr: SocketAddr,
    pub allow_non_loopback: bool,
    /// Seeds the ledger: the same seed gives the same balances and history.
    pub seed: u64,
    /// How fast the sandbox clock runs relative to wall time (2.0 = twice as fast).
    pub time_scale: f64,
    /// The tenant rpId (also the WebAuthn rpId and the JWT issuer).
    pub rp_id: String,
    /// Exact page origins accepted in clientDataJSON. Empty: `https://<rpId>[:port]`, plus
    /// `http://localhost[:port]` when the rpId is `localhost`.
    pub allowed_origins: Vec<String>,
    /// Faults active from the start.
    pub faults: Faults,
    /// Load the state from this file at start (if it exists); save it within a second of each
    /// change and at stop, atomically (a crash never leaves half a file).
    pub state_file: Option<PathBuf>,
    /// How long after sign-up `/users/me/address` answers 204 (the documented brief window).
    pub address_ready: Duration,
    /// Recovery delay reported by the recovery status (documented default 86,400 s).
    pub recovery_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            allow_non_loopback: false,
            seed: 0,
            time_scale: 1.0,
            rp_id: "localhost".into(),
            allowed_origins: Vec::new(),
            faults: Faults::default(),
            state_file: None,
            address_ready: Duration::from_secs(2),
            recovery_delay: Duration::from_secs(86_400),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("refusing to bind non-loopback address {0} without allow_non_loopback")]
    NotLoopback(SocketAddr),
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot load state from {path}: {message}")]
    State { path: PathBuf, message: String },
}

/// What `--state FILE` holds.
#[derive(Serialize, Deserialize)]
struct Persisted<S> {
    jwt_key: String,
    /// The sandbox clock at save time, so a restart resumes from there.
    saved_at: i64,
    /// `Store` when loading, `&Store` when saving.
    store: S,
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving; returns once the socket accepts connections.
    pub async fn start(config: SandboxConfig) -> Result<Self, StartError> {
        if !config.addr.ip().is_loopback() && !config.allow_non_loopback {
            return Err(StartError::NotLoopback(config.addr));
        }
        if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
            return Err(StartError::Config(
                "time_scale must be a positive number".into(),
            ));
        }
        config
            .faults
            .validate()
            .map_err(|e| StartError::Config(e.message))?;
        let (store, key, saved_at) = load(&config)?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
        let settings = Settings {
            origins: webauthn::OriginPolicy {
                rp_id: config.rp_id.clone(),
                allowed: config.allowed_origins.clone(),
            },
            rp_id: config.rp_id,
            seed: config.seed,
            challenge_ttl_ms: 60_000,
            address_ready_ms: config.address_ready.as_millis() as i64,
            execute_after_ms: 2_000,
            confirm_after_ms: 6_000,
            recovery_delay_s: config.recovery_delay.as_secs() as i64,
            intent_ttl_ms: 300_000,
        };
        let state = AppState::new(
            settings,
            clock::Clock::new(config.time_scale, saved_at),
            store,
            config.faults,
            key,
            config.state_file,
        );
        let app = routes::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let ticker = state.clone();
        let saver = state.clone();
        let task = tokio::spawn(async move {
            // Pushes due status changes to WebSocket clients even when no request arrives.
            let tick = tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_millis(200));
                loop {
                    every.tick().await;
                    let now = ticker.now();
                    ticker.store().prune(now);
                }
            });
            // An app that is killed never reaches `stop`: keep the file current as we go.
            let save = tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(1));
                let mut last = Vec::new();
                loop {
                    every.tick().await;
                    match save_if_changed(&saver, &last) {
                        Ok(Some(saved)) => last = saved,
                        Ok(None) => {}
                        Err(e) => tracing::error!(error = %e, "cannot save sandbox state"),
                    }
                }
            });
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
            tick.abort();
            save.abort();
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Self {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, saves `state_file` if set, and waits for the server task.
    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn signal_stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
            if let Err(e) = self.save() {
                tracing::error!(error = %e, "cannot save sandbox state");
            }
        }
    }

    fn save(&self) -> std::io::Result<()> {
        save_if_changed(&self.state, &[]).map(drop)
    }
}

/// Writes the state file when the store's serialisation differs from `last`; returns the new
/// serialisation when it wrote. No-op without a state file.
fn save_if_changed(state: &AppState, last: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let Some(path) = &state.state_file else {
        return Ok(None);
    };
    let store = state.store();
    let current = serde_json::to_vec(&*store).map_err(std::io::Error::other)?;
    if current == last {
        return Ok(None);
    }
    let persisted = Persisted {
        jwt_key: ids::hex(&state.jwt.0),
        saved_at: state.now(),
        store: &*store,
    };
    let json = serde_json::to_vec_pretty(&persisted).map_err(std::io::Error::other)?;
    drop(store);
    write_atomically(path, &json)?;
    Ok(Some(current))
}

/// A temporary file beside `path`, flushed, then renamed over it.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn load(config: &SandboxConfig) -> Result<(Store, jwt::Key, i64), StartError> {
    let fresh = || (Store::new(config.seed), jwt::Key(ids::random_bytes()), 0);
    let Some(path) = config.state_file.as_ref().filter(|p| p.exists()) else {
        return Ok(fresh());
    };
    let error = |message: String| StartError::State {
        path: path.clone(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let persisted: Persisted<Store> =
        serde_json::from_slice(&bytes).map_err(|e| error(e.to_string()))?;
    let key = ids::parse_hex(&persisted.jwt_key)
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .ok_or_else(|| error("bad jwt_key".into()))?;
    Ok((persisted.store, jwt::Key(key), persisted.saved_at))
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.signal_stop();
    }
}
