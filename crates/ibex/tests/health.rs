//! The client against a real sandbox on loopback.

use ibex::{Client, Config};
use ibex_sandbox::{Sandbox, SandboxConfig};

#[tokio::test]
async fn health_round_trip() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let client = Client::new(Config::new(&sandbox.base_url(), "localhost").unwrap()).unwrap();
    let health = client.health().await.unwrap();
    assert_eq!(health.status, "ok");
    assert!(
        time_like(&health.timestamp),
        "timestamp {:?}",
        health.timestamp
    );
    sandbox.stop().await;
}

fn time_like(s: &str) -> bool {
    s.len() >= 20 && s.as_bytes()[4] == b'-' && s.contains('T')
}
