//! Linux's native passkey path: hand the ceremony to the system browser (docs/passkeys.md §2).
//!
//! Linux has no platform authenticator API and WebKitGTK no WebAuthn, but any browser signs for
//! rpId `localhost` from an `http://localhost:<port>` page. So the core serves a one-time page
//! on a loopback port, opens it in the default browser, and waits for the page to POST the
//! credential back with the random `state` it was given (RFC 8252's loopback redirect, §7.3 and
//! §8.9). A tenant rpId cannot work this way: only the tenant's own origin may use it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::error::{AppError, ErrorCode};
use crate::i18n::{CurrentLocale, Locale};
use crate::messages::Msg;
use crate::passkey::native::{Answer, BoxFuture, NativeBackend, ProviderKind};
use crate::sync::lock;

mod server;

use server::LoopbackServer;
pub use server::{parse_answer, AnswerError, Reply};

/// How long the browser may take by default before the ceremony gives up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);

/// Why the hand-off cannot sign for `rp_id`, or `None` when it can.
pub fn unavailable_reason(rp_id: &str) -> Option<Msg> {
    (!rp_id.eq_ignore_ascii_case("localhost")).then(|| Msg::HandoffTenantUnsupported {
        rp_id: rp_id.to_owned(),
    })
}

/// Opens a URL in the user's browser.
pub type Opener = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

pub struct HandoffBackend {
    timeout: Duration,
    open: Opener,
    /// Ends the ceremony in progress, if any (the UI's Cancel button).
    cancel: Mutex<Option<oneshot::Sender<()>>>,
    /// The page of the ceremony in progress, for a user whose browser did not open it.
    page: Mutex<Option<String>>,
    /// The language of the page.
    locale: Arc<CurrentLocale>,
}

impl HandoffBackend {
    /// Opens pages with `$BROWSER` or `xdg-open`.
    pub(crate) fn new(timeout: Duration, locale: Arc<CurrentLocale>) -> Self {
        Self {
            locale,
            ..Self::with_opener(timeout, Arc::new(crate::browser::open))
        }
    }

    pub fn with_opener(timeout: Duration, open: Opener) -> Self {
        Self {
            timeout,
            open,
            cancel: Mutex::new(None),
            page: Mutex::new(None),
            locale: Arc::default(),
        }
    }

    async fn ceremony(
        &self,
        kind: &'static str,
        options: &serde_json::Value,
        rp_id: &str,
    ) -> Result<Answer, AppError> {
        if let Some(reason) = unavailable_reason(rp_id) {
            return Err(AppError::new(ErrorCode::PasskeyUnsupported, reason));
        }
        let mut server = LoopbackServer::start(kind, options, self.locale.get()).await?;
        let (cancel_tx, cancel_rx) = oneshot::channel();
        // A newer ceremony replaces (and thereby cancels) an older one.
        drop(lock(&self.cancel).replace(cancel_tx));
        *lock(&self.page) = Some(server.url.clone());
        // A browser that fails to start is not the end: the UI offers the page's address to
        // open by hand, and the ceremony waits for it as usual.
        if let Err(e) = (self.open)(&server.url) {
            tracing::warn!(error = %e, "the browser did not open; waiting for a manual open");
        }
        let outcome = tokio::select! {
            reply = &mut server.reply => reply.map_err(|_| internal_gone()).and_then(Reply::into_result),
            _ = cancel_rx => Err(AppError::new(ErrorCode::PasskeyCancelled, Msg::PasskeyCancelledByYou)),
            () = tokio::time::sleep(self.timeout) => Err(AppError::new(
                ErrorCode::PasskeyTimedOut,
                Msg::BrowserTimedOut {
                    within: human_duration(self.timeout, self.locale.get()),
                },
            )),
        };
        lock(&self.page).take();
        lock(&self.cancel).take();
        let origin = server.origin.clone();
        server.close().await;
        outcome.map(|credential| Answer { credential, origin })
    }
}

impl NativeBackend for HandoffBackend {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Native
    }

    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(self.ceremony("create", options, rp_id))
    }

    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        Box::pin(self.ceremony("get", options, rp_id))
    }

    fn page(&self) -> Option<String> {
        lock(&self.page).clone()
    }

    fn cancel(&self) -> bool {
        lock(&self.cancel)
            .take()
            .is_some_and(|tx| tx.send(()).is_ok())
    }
}

fn internal_gone() -> AppError {
    AppError::internal(Msg::HandoffStopped)
}

fn human_duration(d: Duration, locale: Locale) -> String {
    let s = d.as_secs();
    match s {
        0..=1 => Msg::ASecond,
        2..=119 => Msg::Seconds { s },
        _ => Msg::WholeMinutes { m: s / 60 },
    }
    .render(locale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::mpsc;

    /// A backend whose "browser" is this test: opened URLs arrive on the channel.
    fn browser_test(timeout: Duration) -> (Arc<HandoffBackend>, mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let open: Opener =
            Arc::new(move |url: &str| tx.send(url.to_owned()).map_err(|e| e.to_string()));
        (Arc::new(HandoffBackend::with_opener(timeout, open)), rx)
    }

    /// One HTTP/1.1 request over a fresh connection: (status, headers+body text). A POST
    /// carries the Origin of a page on `host`, as the browser's fetch does.
    async fn http(
        port: u16,
        method: &str,
        path: &str,
        host: &str,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let origin = (method == "POST").then(|| format!("http://{host}"));
        http_from(port, method, path, host, origin.as_deref(), body).await
    }

    async fn http_from(
        port: u16,
        method: &str,
        path: &str,
        host: &str,
        origin: Option<&str>,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await?;
        let mut out = String::new();
        s.read_to_string(&mut out).await?;
        let status = out
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Ok((status, out))
    }

    fn port_and_state(url: &str) -> (u16, String) {
        let url = url::Url::parse(url).unwrap();
        assert_eq!(url.host_str(), Some("localhost"));
        let state = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        (url.port().unwrap(), state)
    }

    #[tokio::test]
    async fn serves_the_page_and_accepts_exactly_one_answer_with_the_right_state() {
        let (backend, mut opened) = browser_test(Duration::from_secs(30));
        let options = json!({"challenge": "AQID", "rpId": "localhost", "note": "</script><b>"});
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move { backend.get(&options, "localhost").await }
        });
        let url = opened.recv().await.unwrap();
        let (port, state) = port_and_state(&url);
        let host = format!("localhost:{port}");

        let (status, page) = http(port, "GET", &format!("/?state={state}"), &host, "")
            .await
            .unwrap();
        assert_eq!(status, 200);
        let csp = page
            .lines()
            .find(|l| {
                l.to_ascii_lowercase()
                    .starts_with("content-security-policy:")
            })
            .unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'nonce-"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(
            page.contains(r"\u003c/script\u003e"),
            "options cannot close the script"
        );
        assert!(!page.contains("</script><b>"));

        for (path, host) in [
            ("/?state=wrong".to_owned(), host.clone()),
            ("/".to_owned(), host.clone()),
            (format!("/?state={state}"), format!("evil.example:{port}")),
            (format!("/?state={state}"), "localhost:1".to_owned()),
            (format!("/?state={state}"), format!("127.0.0.1:{port}")),
        ] {
            let (status, _) = http(port, "GET", &path, &host, "").await.unwrap();
            assert!(matches!(status, 403 | 421), "{path} {host}: {status}");
        }

        // A wrong or missing state is refused and the ceremony keeps waiting.
        let credential = json!({"id": "AQ", "response": {"clientDataJSON": "e30"}});
        for body in [
            json!({"state": "guess", "credential": credential}),
            json!({"credential": credential}),
        ] {
            let (status, _) = http(port, "POST", "/callback", &host, &body.to_string())
                .await
                .unwrap();
            assert_eq!(status, 403);
        }
        let (status, _) = http(port, "POST", "/callback", &host, "not json")
            .await
            .unwrap();
        assert_eq!(status, 400);

        // The right state without the page's Origin (or with another) is not the page.
        let good = json!({"state": state, "credential": credential}).to_string();
        for origin in [None, Some("http://127.0.0.1"), Some("http://evil.example")] {
            let (status, _) = http_from(port, "POST", "/callback", &host, origin, &good)
                .await
                .unwrap();
            assert_eq!(status, 403, "{origin:?}");
        }
        assert!(!ceremony.is_finished());

        let (status, _) = http(port, "POST", "/callback", &host, &good).await.unwrap();
        assert_eq!(status, 200);
        // A second answer is refused (or finds the listener already gone).
        if let Ok((status, _)) = http(port, "POST", "/callback", &host, &good).await {
            assert_eq!(status, 410);
        }
        let answer = ceremony.await.unwrap().unwrap();
        assert_eq!(answer.credential, credential);
        assert_eq!(answer.origin, format!("http://localhost:{port}"));
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err(),
            "the listener is shut down after the answer"
        );
    }

    #[tokio::test]
    async fn the_port_is_held_on_both_loopback_addresses_localhost_names() {
        let (backend, mut opened) = browser_test(Duration::from_secs(30));
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move { backend.get(&json!({"challenge": "AA"}), "localhost").await }
        });
        let (port, _) = port_and_state(&opened.recv().await.unwrap());
        if std::net::TcpListener::bind(("::1", 0)).is_ok() {
            // Another process cannot take [::1]:port and answer a browser that tries it first.
            assert!(tokio::net::TcpListener::bind(("::1", port)).await.is_err());
            assert!(tokio::net::TcpStream::connect(("::1", port)).await.is_ok());
        }
        assert!(tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .is_err());
        assert!(backend.cancel());
        assert!(ceremony.await.unwrap().is_err());
    }

    #[tokio::test]
    async fn a_dom_exception_from_the_page_is_a_typed_cancellation() {
        let (backend, mut opened) = browser_test(Duration::from_secs(30));
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move {
                backend
                    .create(&json!({"challenge": "AA"}), "localhost")
                    .await
            }
        });
        let (port, state) = port_and_state(&opened.recv().await.unwrap());
        let body =
            json!({"state": state, "error": {"name": "NotAllowedError", "message": "denied"}});
        let (status, _) = http(
            port,
            "POST",
            "/callback",
            &format!("localhost:{port}"),
            &body.to_string(),
        )
        .await
        .unwrap();
        assert_eq!(status, 200);
        let e = ceremony.await.unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::PasskeyCancelled);
        assert!(e.message.contains("closed or timed out"), "{}", e.message);
    }

    #[tokio::test]
    async fn cancel_and_timeout_end_the_wait_and_close_the_port() {
        let (backend, mut opened) = browser_test(Duration::from_secs(30));
        assert!(!backend.cancel(), "nothing to cancel yet");
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move { backend.get(&json!({"challenge": "AA"}), "localhost").await }
        });
        let (port, _) = port_and_state(&opened.recv().await.unwrap());
        assert!(backend.cancel());
        let e = ceremony.await.unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::PasskeyCancelled);
        assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err());

        let (backend, mut opened) = browser_test(Duration::from_millis(300));
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move { backend.get(&json!({"challenge": "AA"}), "localhost").await }
        });
        let (port, _) = port_and_state(&opened.recv().await.unwrap());
        let e = ceremony.await.unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::PasskeyTimedOut);
        assert!(
            e.message.contains("did not answer within a second"),
            "{}",
            e.message
        );
        assert!(tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err());
    }

    #[tokio::test]
    async fn a_browser_that_fails_to_start_leaves_the_page_to_open_by_hand() {
        let open: Opener = Arc::new(|_: &str| Err("no-such-browser: not found".to_owned()));
        let backend = Arc::new(HandoffBackend::with_opener(Duration::from_secs(30), open));
        assert_eq!(backend.page(), None);
        let ceremony = tokio::spawn({
            let backend = backend.clone();
            async move { backend.get(&json!({"challenge": "AA"}), "localhost").await }
        });
        let page = loop {
            if let Some(page) = backend.page() {
                break page;
            }
            tokio::task::yield_now().await;
        };
        // The user opens the address by hand and cancels there: the ceremony was still waiting.
        let (port, state) = port_and_state(&page);
        let body = json!({"state": state, "error": {"name": "AbortError", "message": "closed"}});
        let (status, _) = http(
            port,
            "POST",
            "/callback",
            &format!("localhost:{port}"),
            &body.to_string(),
        )
        .await
        .unwrap();
        assert_eq!(status, 200);
        let e = ceremony.await.unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::PasskeyCancelled);
        assert_eq!(backend.page(), None, "no page once the ceremony is over");
    }

    #[tokio::test]
    async fn a_tenant_rp_id_is_refused_before_anything_opens() {
        let (backend, mut opened) = browser_test(Duration::from_secs(30));
        let e = backend
            .get(&json!({"challenge": "AA"}), "wallet.example")
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::PasskeyUnsupported);
        assert!(e.message.contains("wallet.example's own sign-in page"));
        assert!(opened.try_recv().is_err());
    }
}
