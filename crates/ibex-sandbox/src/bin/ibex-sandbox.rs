use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use ibex_sandbox::{Sandbox, SandboxConfig};

/// A local IBEx Wallet API server for development and tests.
#[derive(Parser, Debug)]
#[command(name = "ibex-sandbox", version, about)]
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
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let sandbox = Sandbox::start(SandboxConfig {
        addr: SocketAddr::new(args.bind, args.port),
        allow_non_loopback: args.allow_non_loopback,
    })
    .await?;
    println!("ibex-sandbox listening on {}", sandbox.base_url());
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
