//! Client overhead against an in-process sandbox on loopback (not a test).
//!
//! For each concurrency (1, 16, 256 callers) the same authenticated read
//! (`GET /v1.2/users/me/signers`) runs through a bare `reqwest` call (bytes only) and through
//! `ibex::Session` (token, headers, retry wrapper, typed decode). The difference of the medians
//! is the client's own overhead per call. Then the refresh storm: 1,000 concurrent calls right
//! after every access token was revoked.
//!
//! `cargo run --release -p ibex --example bench`

use std::sync::Arc;
use std::time::{Duration, Instant};

use ibex::models::auth::AuthSession;
use ibex::{Client, Config, MemoryStore, RetryPolicy, Session, SessionConfig};
use ibex_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const CALLS: usize = 4096;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = sandbox.base_url();
    ibex::install_crypto_provider();
    let control = reqwest::Client::new();
    let auth: AuthSession = control
        .post(format!("{base}/__sandbox/session"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut config = Config::new(&base, "localhost").unwrap();
    config.retry = RetryPolicy::none();
    let session = Session::start(
        Client::new(config).unwrap(),
        Arc::new(MemoryStore::new()),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    // The bare client gets the same transport settings (timeout, user agent) as ibex's, so the
    // difference is the client's own work.
    let raw = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent("bench")
        .build()
        .unwrap();
    let url = format!("{base}/v1.2/users/me/signers");
    let token = auth.tokens.access_token.expose().to_owned();

    println!("GET /v1.2/users/me/signers, {CALLS} calls per row, sandbox in-process on loopback");
    println!(
        "{:>8} {:>8} {:>12} {:>12} {:>12}",
        "callers", "path", "median µs", "p99 µs", "req/s"
    );
    for callers in [1usize, 16, 256] {
        // Warm the pools for this concurrency.
        run(callers, 256, || bare(&raw, &url, &token)).await;
        run(callers, 256, || typed(&session)).await;
        // The machine is shared: three rounds in alternating order, best median kept per path.
        let mut bare_runs = Vec::new();
        let mut typed_runs = Vec::new();
        for round in 0..3 {
            if round % 2 == 0 {
                bare_runs.push(run(callers, CALLS, || bare(&raw, &url, &token)).await);
                typed_runs.push(run(callers, CALLS, || typed(&session)).await);
            } else {
                typed_runs.push(run(callers, CALLS, || typed(&session)).await);
                bare_runs.push(run(callers, CALLS, || bare(&raw, &url, &token)).await);
            }
        }
        let bare_stats = best(bare_runs);
        let typed_stats = best(typed_runs);
        bare_stats.print(callers, "reqwest");
        typed_stats.print(callers, "ibex");
        println!(
            "{:>8} {:>8} {:>12.1}",
            callers,
            "overhead",
            typed_stats.median_us() - bare_stats.median_us()
        );
    }

    // Refresh storm: revoke every access token, then 1,000 concurrent calls.
    let before = refreshes(&control, &base).await;
    control
        .post(format!("{base}/__sandbox/faults"))
        .json(&json!({ "expireAccessTokens": true }))
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.signers().await.is_ok() })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let refreshes = refreshes(&control, &base).await - before;
    println!(
        "refresh storm: 1000 calls across a forced expiry in {:.1} ms, {ok} ok, {refreshes} refresh(es)",
        elapsed.as_secs_f64() * 1000.0
    );
    sandbox.stop().await;
}

async fn bare(raw: &reqwest::Client, url: &str, token: &str) -> bool {
    match raw
        .get(url)
        .bearer_auth(token)
        .header("X-RpId", "localhost")
        .send()
        .await
    {
        Ok(resp) => resp.status().is_success() && resp.bytes().await.is_ok(),
        Err(_) => false,
    }
}

async fn typed(session: &Session) -> bool {
    session.signers().await.is_ok()
}

async fn refreshes(control: &reqwest::Client, base: &str) -> u64 {
    let counters: Value = control
        .get(format!("{base}/__sandbox/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    counters["refresh"].as_u64().unwrap_or(0)
}

fn best(runs: Vec<Stats>) -> Stats {
    runs.into_iter()
        .min_by(|a, b| a.median_us().total_cmp(&b.median_us()))
        .expect("at least one run")
}

struct Stats {
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i]
    }

    fn median_us(&self) -> f64 {
        self.percentile(0.5).as_secs_f64() * 1e6
    }

    fn print(&self, callers: usize, path: &str) {
        println!(
            "{:>8} {:>8} {:>12.1} {:>12.1} {:>12.0}",
            callers,
            path,
            self.median_us(),
            self.percentile(0.99).as_secs_f64() * 1e6,
            self.latencies.len() as f64 / self.wall.as_secs_f64()
        );
    }
}

/// `total` calls of `call`, spread over `callers` concurrent loops (polled together, as an
/// app's caller tasks would be); every call must succeed.
async fn run<F, Fut>(callers: usize, total: usize, call: F) -> Stats
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let per = total / callers;
    let started = Instant::now();
    let workers: Vec<_> = (0..callers)
        .map(|_| {
            let call = &call;
            async move {
                let mut out = Vec::with_capacity(per);
                for _ in 0..per {
                    let t = Instant::now();
                    assert!(call().await, "call failed");
                    out.push(t.elapsed());
                }
                out
            }
        })
        .collect();
    let mut latencies: Vec<Duration> = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect();
    let wall = started.elapsed();
    latencies.sort();
    Stats { latencies, wall }
}
