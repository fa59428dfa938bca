//! The user's default web browser, for pages the wallet cannot show itself (the passkey
//! hand-off, IBEx's identity-verification flow).

use std::process::{Command, Stdio};

use crate::passkey::providers::Platform;

/// The program and arguments that open `url` in the default browser on `platform`:
/// `$BROWSER` (its first entry) wins everywhere; else `xdg-open` on Linux, `open` on macOS,
/// and on Windows the URL protocol handler through rundll32 (no shell, so `&` in a query
/// string is not a command separator, as it is for `cmd /c start`).
fn command_for(platform: Platform, browser: Option<&str>, url: &str) -> (String, Vec<String>) {
    if let Some(program) = browser.and_then(|b| b.split(':').map(str::trim).find(|c| !c.is_empty()))
    {
        return (program.to_owned(), vec![url.to_owned()]);
    }
    match platform {
        Platform::Linux => ("xdg-open".to_owned(), vec![url.to_owned()]),
        Platform::MacOs => ("open".to_owned(), vec![url.to_owned()]),
        Platform::Windows => (
            "rundll32".to_owned(),
            vec!["url.dll,FileProtocolHandler".to_owned(), url.to_owned()],
        ),
    }
}

/// Opens `url`; the command is spawned and reaped on a blocking thread, so the async runtime
/// never waits on it.
pub(crate) fn open(url: &str) -> Result<(), String> {
    let browser = std::env::var("BROWSER").ok();
    let (program, args) = command_for(Platform::current(), browser.as_deref(), url);
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    tokio::task::spawn_blocking(move || child.wait());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://kyc.example/start?a=1&b=2";

    #[test]
    fn each_os_opens_links_with_its_own_handler() {
        let linux = command_for(Platform::Linux, None, URL);
        assert_eq!(linux, ("xdg-open".into(), vec![URL.into()]));
        let mac = command_for(Platform::MacOs, None, URL);
        assert_eq!(mac, ("open".into(), vec![URL.into()]));
        let windows = command_for(Platform::Windows, None, URL);
        assert_eq!(
            windows,
            (
                "rundll32".into(),
                vec!["url.dll,FileProtocolHandler".into(), URL.into()]
            )
        );
    }

    #[test]
    fn browser_variable_wins_and_takes_its_first_entry() {
        let (program, args) = command_for(Platform::Windows, Some(" :firefox:chromium"), URL);
        assert_eq!((program.as_str(), args), ("firefox", vec![URL.to_owned()]));
        assert_eq!(
            command_for(Platform::MacOs, Some(""), URL).0,
            "open",
            "an empty $BROWSER is ignored"
        );
    }
}
