//! The user's default web browser, for pages the wallet cannot show itself (the passkey
//! hand-off, IBEx's identity-verification flow).

use std::process::{Command, Stdio};

/// Opens `url` with `$BROWSER` (its first entry, as a command) if set, else `xdg-open`. The
/// command is spawned and reaped on a blocking thread, so the async runtime never waits on it.
pub(crate) fn open(url: &str) -> Result<(), String> {
    let browser = std::env::var("BROWSER").ok();
    let program = browser
        .as_deref()
        .and_then(|b| b.split(':').map(str::trim).find(|c| !c.is_empty()))
        .unwrap_or("xdg-open");
    let mut child = Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    tokio::task::spawn_blocking(move || child.wait());
    Ok(())
}
