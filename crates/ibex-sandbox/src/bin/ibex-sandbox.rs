use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use ibex_sandbox::{Faults, RateLimit, Sandbox, SandboxConfig};
use tracing_subscriber::{filter::Targets, prelude::*};

/// A local IBEx Wallet API server (HTTP + WebSocket) for development and tests.
///
/// Serves the documented /v1.2 (and /v1.1 alias) API with real WebAuthn, KDF, e-mail OTP and
/// EIP-7702 verification, a deterministic multi-chain ledger, and test routes under
/// /__sandbox (counters, clock, faults, mailbox, recovery/start, session, blank).
#[derive(Parser, Debug)]
#[command(name = "ibex-sandbox", version, about, long_about)]
struct Args {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to bind. Only loopback addresses are accepted unless --allow-non-loopback.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Allow binding a non-loopback address (exposes the sandbox to the network).
    #[arg(long)]
    allow_non_loopback: bool,
    /// Ledger seed: the same seed gives the same balances and transaction history.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Clock speed relative to wall time (e.g. 3600 makes an hour pass every second).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Tenant rpId: WebAuthn rpId and JWT issuer.
    #[arg(long, default_value = "localhost")]
    rp_id: String,
    /// Exact WebAuthn origin to accept (repeatable). Default: https://<rpId>[:port], plus
    /// http://localhost[:port] for rpId localhost.
    #[arg(long = "origin")]
    origins: Vec<String>,
    /// Load state from FILE at start (if present) and save it there on exit.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Seconds /v1.2/users/me/address answers 204 after sign-up.
    #[arg(long, default_value_t = 2)]
    address_ready_seconds: u64,
    /// Fault: added latency per API request, in milliseconds.
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Fault: probability (0.0–1.0) that an API request answers 500.
    #[arg(long, value_name = "RATE")]
    server_error_rate: Option<f64>,
    /// Fault: allow N API requests per window, then 429 with Retry-After (N/SECONDS).
    #[arg(long, value_name = "N/SECONDS", value_parser = parse_rate_limit)]
    rate_limit: Option<RateLimit>,
    /// Fault: the first N balance/transaction/pool reads of each address answer 404.
    #[arg(long, value_name = "N")]
    not_indexed_reads: Option<u32>,
    /// Fault: new wallets answer 204 on /users/me/address for this many seconds.
    #[arg(long, value_name = "SECONDS")]
    not_ready_seconds: Option<u64>,
    /// Fault: drop every WebSocket right after its initial burst.
    #[arg(long)]
    drop_websockets: bool,
}

fn parse_rate_limit(text: &str) -> Result<RateLimit, String> {
    let (requests, seconds) = text
        .split_once('/')
        .ok_or("expected N/SECONDS, e.g. 10/5")?;
    Ok(RateLimit {
        requests: requests.parse().map_err(|_| "N must be an integer")?,
        retry_after_seconds: seconds.parse().map_err(|_| "SECONDS must be an integer")?,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG as `target=level` lists (`info,ibex_sandbox=debug`), like the app's.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .init();
    let args = Args::parse();
    let faults = Faults {
        latency_ms: args.latency_ms,
        server_error_rate: args.server_error_rate,
        rate_limit: args.rate_limit,
        not_indexed_reads: args.not_indexed_reads,
        not_ready_seconds: args.not_ready_seconds,
        drop_web_sockets: args.drop_websockets.then_some(true),
        ..Faults::default()
    };
    let sandbox = Sandbox::start(SandboxConfig {
        addr: SocketAddr::new(args.bind, args.port),
        allow_non_loopback: args.allow_non_loopback,
        seed: args.seed,
        time_scale: args.time_scale,
        rp_id: args.rp_id,
        allowed_origins: args.origins,
        faults,
        state_file: args.state,
        address_ready: Duration::from_secs(args.address_ready_seconds),
        ..SandboxConfig::default()
    })
    .await?;
    println!("ibex-sandbox listening on {}", sandbox.base_url());
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
