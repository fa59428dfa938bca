//! The WebSocket (`/ws`, docs/api/realtime.md): `auth` first, typed server frames, reconnect with capped
//! exponential backoff, `TOKEN_EXPIRED` → refresh and reconnect, never reconnect after a
//! duplicate-session rejection (close 4003). When it gives up, the caller falls back to HTTP
//! ([`Session::wait_for_operation`], balances, transactions).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use url::Url;

use crate::models::realtime::{ClientMessage, ServerFrame, ServerMessage};
use crate::models::ChainId;
use crate::retry::jittered_backoff;
use crate::{Error, Secret, Session};

/// Close code of a duplicate session: the other session must be closed first.
const DUPLICATE_SESSION: u16 = 4003;
/// Close code after an authentication failure.
const AUTH_FAILED: u16 = 4002;
/// How long to wait for the server's close after an `auth_error` (it closes ~500 ms later).
const CLOSE_GRACE: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct RealtimeConfig {
    /// Sent as `?blockchainId=` (only the query, so header/query precedence never matters).
    pub chain: Option<ChainId>,
    pub client_name: Option<String>,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Consecutive failed connections before giving up (then [`RealtimeEvent::GaveUp`]).
    pub max_attempts: u32,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            chain: None,
            client_name: Some("IBEx Wallet".into()),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

/// What the connection reports to the wallet.
#[derive(Clone, Debug, PartialEq)]
pub enum RealtimeEvent {
    /// `auth_success` received; the connection is live.
    Connected,
    Frame(Box<ServerFrame>),
    /// The socket closed; a reconnect is scheduled after `retry_in`.
    Disconnected {
        code: Option<u16>,
        retry_in: Duration,
    },
    /// Another session of this user is connected (`ALREADY_CONNECTED` / close 4003): no
    /// automatic reconnect.
    DuplicateSession,
    /// Too many failed attempts: use HTTP polling.
    GaveUp(String),
    /// The session ended; the socket will not come back.
    SessionEnded,
}

/// A running realtime connection. Dropping it stops the connection task.
pub struct Realtime {
    commands: mpsc::UnboundedSender<ClientMessage>,
    events: mpsc::UnboundedReceiver<RealtimeEvent>,
    task: JoinHandle<()>,
}

impl Realtime {
    /// Sends `get_balance` / `get_transactions` (queued while reconnecting).
    pub fn send(&self, message: ClientMessage) -> Result<(), Error> {
        self.commands
            .send(message)
            .map_err(|_| Error::Realtime("the connection has stopped".into()))
    }

    /// The next event, or `None` once the connection task has finished.
    pub async fn next(&mut self) -> Option<RealtimeEvent> {
        self.events.recv().await
    }
}

impl Drop for Realtime {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why one connection ended.
enum Ended {
    /// Reconnect after a backoff; `live` says whether auth had succeeded (resets the count).
    Retry {
        code: Option<u16>,
        live: bool,
    },
    /// The server said the token expired: refresh, then reconnect at once.
    TokenExpired(Secret),
    Stop(RealtimeEvent),
}

impl Session {
    /// Opens the WebSocket and keeps it open until the session ends, a duplicate session is
    /// reported, or `max_attempts` connections in a row fail.
    pub fn realtime(&self, config: RealtimeConfig) -> Result<Realtime, Error> {
        let url = ws_url(&self.client().config().base_url, config.chain)?;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(self.clone(), url, config, command_rx, event_tx));
        Ok(Realtime {
            commands,
            events,
            task,
        })
    }
}

fn ws_url(base: &Url, chain: Option<ChainId>) -> Result<Url, Error> {
    let mut url = base
        .join("/ws")
        .map_err(|e| Error::Config(format!("websocket URL: {e}")))?;
    let scheme = if base.scheme() == "https" {
        "wss"
    } else {
        "ws"
    };
    url.set_scheme(scheme)
        .map_err(|_| Error::Config("cannot derive the websocket scheme".into()))?;
    if let Some(chain) = chain {
        url.query_pairs_mut()
            .append_pair("blockchainId", &chain.to_string());
    }
    Ok(url)
}

async fn run(
    session: Session,
    url: Url,
    config: RealtimeConfig,
    mut commands: mpsc::UnboundedReceiver<ClientMessage>,
    events: mpsc::UnboundedSender<RealtimeEvent>,
) {
    let mut failures: u32 = 0;
    loop {
        let token = match session.access_token().await {
            Ok(t) => t,
            Err(Error::SessionExpired(_) | Error::SecretStore(_)) => {
                let _ = events.send(RealtimeEvent::SessionEnded);
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "realtime: no access token");
                failures += 1;
                if !pause(&config, failures, None, &events).await {
                    return;
                }
                continue;
            }
        };
        match connect_once(&session, &url, &config, token, &mut commands, &events).await {
            Ended::Stop(event) => {
                let _ = events.send(event);
                return;
            }
            Ended::TokenExpired(token) => {
                if let Err(e) = session.refresh_after_rejection(&token).await {
                    tracing::warn!(error = %e, "realtime: refresh after TOKEN_EXPIRED failed");
                    failures += 1;
                }
            }
            Ended::Retry { code, live } => {
                failures = if live { 1 } else { failures + 1 };
                if !pause(&config, failures, code, &events).await {
                    return;
                }
            }
        }
    }
}

/// Waits the backoff for `failures`; false when the attempts are exhausted.
async fn pause(
    config: &RealtimeConfig,
    failures: u32,
    code: Option<u16>,
    events: &mpsc::UnboundedSender<RealtimeEvent>,
) -> bool {
    if failures > config.max_attempts {
        let _ = events.send(RealtimeEvent::GaveUp(format!(
            "{} failed connection attempts",
            failures - 1
        )));
        return false;
    }
    let retry_in = jittered_backoff(
        config.backoff_base,
        config.backoff_max,
        failures.saturating_sub(1),
    );
    let _ = events.send(RealtimeEvent::Disconnected { code, retry_in });
    tokio::time::sleep(retry_in).await;
    true
}

async fn connect_once(
    session: &Session,
    url: &Url,
    config: &RealtimeConfig,
    token: Secret,
    commands: &mut mpsc::UnboundedReceiver<ClientMessage>,
    events: &mpsc::UnboundedSender<RealtimeEvent>,
) -> Ended {
    let retry = Ended::Retry {
        code: None,
        live: false,
    };
    let Ok(mut request) = url.as_str().into_client_request() else {
        return Ended::Stop(RealtimeEvent::GaveUp(format!("bad websocket URL {url}")));
    };
    if let Ok(rp) = HeaderValue::from_str(&session.client().config().rp_id) {
        request.headers_mut().insert("X-RpId", rp);
    }
    let (socket, _) = match tokio_tungstenite::connect_async(request).await {
        Ok(ok) => ok,
        Err(e) => {
            tracing::debug!(error = %e, "realtime: connect failed");
            return retry;
        }
    };
    let (mut sink, mut stream) = socket.split();
    let auth = ClientMessage::Auth {
        token: token.clone(),
        client_name: config.client_name.clone(),
    };
    if send(&mut sink, &auth).await.is_err() {
        return retry;
    }
    let mut live = false;
    loop {
        tokio::select! {
            command = commands.recv(), if live => {
                let Some(command) = command else { return Ended::Stop(RealtimeEvent::SessionEnded) };
                if send(&mut sink, &command).await.is_err() {
                    return Ended::Retry { code: None, live };
                }
            }
            frame = stream.next() => {
                let message = match frame {
                    Some(Ok(m)) => m,
                    Some(Err(_)) | None => return Ended::Retry { code: None, live },
                };
                match message {
                    Message::Text(text) => {
                        let frame: ServerFrame = match serde_json::from_str(text.as_str()) {
                            Ok(f) => f,
                            Err(e) => {
                                tracing::warn!(error = %e, "realtime: unreadable frame ignored");
                                continue;
                            }
                        };
                        match &frame.message {
                            ServerMessage::AuthSuccess(_) => {
                                live = true;
                                let _ = events.send(RealtimeEvent::Connected);
                            }
                            ServerMessage::AuthError(e) => {
                                let ended = match e.error_code.as_deref() {
                                    Some("TOKEN_EXPIRED") => Ended::TokenExpired(token),
                                    Some("ALREADY_CONNECTED") => {
                                        Ended::Stop(RealtimeEvent::DuplicateSession)
                                    }
                                    _ => Ended::Retry { code: None, live },
                                };
                                let _ = events.send(RealtimeEvent::Frame(Box::new(frame)));
                                // The server closes right after `auth_error`; only one session
                                // per user may exist, so wait for that before reconnecting.
                                drain(&mut stream).await;
                                return ended;
                            }
                            _ => {}
                        }
                        let _ = events.send(RealtimeEvent::Frame(Box::new(frame)));
                    }
                    Message::Close(close) => {
                        let code = close.map(|c| u16::from(c.code));
                        return match code {
                            Some(DUPLICATE_SESSION) => Ended::Stop(RealtimeEvent::DuplicateSession),
                            // The token was refused: a refresh may cure it.
                            Some(AUTH_FAILED) if !live => Ended::TokenExpired(token),
                            _ => Ended::Retry { code, live },
                        };
                    }
                    // Pings are answered by tungstenite itself.
                    _ => {}
                }
            }
        }
    }
}

/// Reads until the server closes the socket (bounded: a silent server is not waited on).
async fn drain<S>(stream: &mut S)
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let closed = async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, closed).await;
}

async fn send<S>(sink: &mut S, message: &ClientMessage) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(message).map_err(|_| ())?;
    sink.send(Message::Text(text.into())).await.map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_url_follows_the_base() {
        let https = Url::parse("https://api.ibex.fi").unwrap();
        assert_eq!(
            ws_url(&https, Some(ChainId(421614))).unwrap().as_str(),
            "wss://api.ibex.fi/ws?blockchainId=421614"
        );
        let http = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            ws_url(&http, None).unwrap().as_str(),
            "ws://127.0.0.1:8080/ws"
        );
    }
}
