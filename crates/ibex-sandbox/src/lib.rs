//! A local IBEx: the same HTTP/WebSocket contract as `shared/ibex-api`, on loopback.
//!
//! Start it in-process with [`Sandbox::start`] (the app and the tests do) or as the
//! `ibex-sandbox` binary.

mod routes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to bind. Defaults to 127.0.0.1 on a free port; binding anything that is not
    /// loopback must be asked for explicitly with [`SandboxConfig::allow_non_loopback`].
    pub addr: SocketAddr,
    pub allow_non_loopback: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            allow_non_loopback: false,
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
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving; returns once the socket accepts connections.
    pub async fn start(config: SandboxConfig) -> Result<Self, StartError> {
        if !config.addr.ip().is_loopback() && !config.allow_non_loopback {
            return Err(StartError::NotLoopback(config.addr));
        }
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
        let (tx, rx) = oneshot::channel::<()>();
        let app = routes::router();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "sandbox listening");
        Ok(Self {
            addr,
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

    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) {
        self.signal_stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn signal_stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.signal_stop();
    }
}
