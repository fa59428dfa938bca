//! Measures the in-process sandbox: start-up time and sustained requests/s on loopback.
//!
//! `cargo run --release -p ibex-sandbox --example load [-- SECONDS CONNECTIONS]` (defaults 3 s,
//! 16 connections). Loopback only; a hand-rolled HTTP/1.1 keep-alive client keeps the load
//! generator cheap so the numbers are the server's.

use std::time::{Duration, Instant};

use ibex_sandbox::{Sandbox, SandboxConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    async fn open(addr: std::net::SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Self {
            stream: BufReader::new(stream),
        }
    }

    /// One request on the kept-alive connection; returns status and body.
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, String) {
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nX-RpId: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream
            .get_mut()
            .write_all(head.as_bytes())
            .await
            .expect("write");
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("status line");
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

async fn hammer(
    addr: std::net::SocketAddr,
    path: &'static str,
    token: Option<String>,
    connections: usize,
    duration: Duration,
) -> f64 {
    let deadline = Instant::now() + duration;
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let token = token.clone();
            tokio::spawn(async move {
                let mut connection = Connection::open(addr).await;
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let (status, _) = connection.request("GET", path, token.as_deref(), "").await;
                    assert_eq!(status, 200, "{path}");
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker");
    }
    total as f64 / duration.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3);
    let connections: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(16);

    let mut startups = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let sandbox = Sandbox::start(SandboxConfig::default())
            .await
            .expect("start");
        let mut probe = Connection::open(sandbox.addr()).await;
        assert_eq!(probe.request("GET", "/health", None, "").await.0, 200);
        startups.push(started.elapsed());
        sandbox.stop().await;
    }
    startups.sort();
    println!(
        "startup (start → first /health answered): median {:?}, max {:?} over {} runs",
        startups[startups.len() / 2],
        startups[startups.len() - 1],
        startups.len()
    );

    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start");
    let (_, session) = Connection::open(sandbox.addr())
        .await
        .request("POST", "/__sandbox/session", None, "{}")
        .await;
    let token = session
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("token")
        .to_owned();
    let duration = Duration::from_secs(seconds);
    for (path, token) in [
        ("/health", None),
        ("/v1.2/users/me/signers", Some(token.clone())),
        ("/v1.2/users/me/balances", Some(token)),
    ] {
        let rate = hammer(sandbox.addr(), path, token, connections, duration).await;
        println!(
            "{path}: {rate:.0} requests/s ({connections} keep-alive connections, {seconds} s)"
        );
    }
    sandbox.stop().await;
}
