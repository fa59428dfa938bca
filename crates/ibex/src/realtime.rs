//! The WebSocket (`/ws`, docs/api/realtime.md): `auth` first, typed server frames, reconnect with capped
//! exponential backoff, `TOKEN_EXPIRED` → refresh and reconnect, never reconnect after a
//! duplicate-session rejection (close 4003). When it gives up, the caller falls back to HTTP
//! ([`Session::wait_for_operation`], balances, transactions).
//!
//! A hostile or broken server cannot make it spin or hang: one refresh per run of refused
//! connections (a server that refuses every token gets backoff, then polling — never a
//! rotation per reconnect), a deadline on connect + handshake and on `auth_success`, pings with
//! idle detection, bounded queues and a frame size cap.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
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
/// Events not yet taken by the wallet; a slow reader slows the socket (TCP back-pressure)
/// instead of growing memory.
const EVENT_QUEUE: usize = 256;
/// Requests queued while reconnecting; more is a caller bug or a dead socket.
const COMMAND_QUEUE: usize = 32;

#[derive(Clone, Debug)]
pub struct RealtimeConfig {
    /// Sent as `?blockchainId=` (only the query, so header/query precedence never matters).
    pub chain: Option<ChainId>,
    pub client_name: Option<String>,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Consecutive failed connections before giving up (then [`RealtimeEvent::GaveUp`]).
    pub max_attempts: u32,
    /// TCP connect + TLS + WebSocket upgrade, together.
    pub connect_timeout: Duration,
    /// From sending `auth` to `auth_success` (the server allows 30 s for `auth` itself).
    pub auth_timeout: Duration,
    /// A ping goes out this often; a connection silent for `idle_timeout` (no frame, no pong)
    /// is dead, even if TCP has not noticed.
    pub ping_interval: Duration,
    pub idle_timeout: Duration,
    /// Largest message (and frame) accepted; a bigger one drops the connection.
    pub max_message_bytes: usize,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            chain: None,
            client_name: Some("IBEx Wallet".into()),
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_attempts: 8,
            connect_timeout: Duration::from_secs(10),
            auth_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(50),
            max_message_bytes: 1 << 20,
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
    commands: mpsc::Sender<ClientMessage>,
    events: mpsc::Receiver<RealtimeEvent>,
    task: JoinHandle<()>,
}

impl Realtime {
    /// Sends `get_balance` / `get_transactions` (queued while reconnecting, up to a bound).
    pub fn send(&self, message: ClientMessage) -> Result<(), Error> {
        self.commands.try_send(message).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                Error::Realtime("too many requests queued while reconnecting".into())
            }
            mpsc::error::TrySendError::Closed(_) => {
                Error::Realtime("the connection has stopped".into())
            }
        })
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
        let (commands, command_rx) = mpsc::channel(COMMAND_QUEUE);
        let (event_tx, events) = mpsc::channel(EVENT_QUEUE);
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
    mut commands: mpsc::Receiver<ClientMessage>,
    events: mpsc::Sender<RealtimeEvent>,
) {
    let mut failures: u32 = 0;
    // Whether this run of refused connections already spent its one refresh: a server that
    // refuses the fresh token too is not cured by another (each one is a single-use
    // rotation), so from then on a refusal is a failed attempt like any other.
    let mut refreshed = false;
    loop {
        let token = match session.access_token().await {
            Ok(t) => t,
            Err(Error::SessionExpired(_) | Error::SecretStore(_)) => {
                let _ = events.send(RealtimeEvent::SessionEnded).await;
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
                let _ = events.send(event).await;
                return;
            }
            Ended::TokenExpired(token) if !refreshed => {
                refreshed = true;
                if let Err(e) = session.refresh_after_rejection(&token).await {
                    tracing::warn!(error = %e, "realtime: refresh after TOKEN_EXPIRED failed");
                    failures += 1;
                }
            }
            Ended::TokenExpired(_) => {
                tracing::warn!("realtime: the refreshed token was refused too; backing off");
                failures += 1;
                if !pause(&config, failures, Some(AUTH_FAILED), &events).await {
                    return;
                }
            }
            Ended::Retry { code, live } => {
                if live {
                    refreshed = false;
                }
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
    events: &mpsc::Sender<RealtimeEvent>,
) -> bool {
    if failures > config.max_attempts {
        let gave_up = RealtimeEvent::GaveUp(format!("{} failed connection attempts", failures - 1));
        let _ = events.send(gave_up).await;
        return false;
    }
    let retry_in = jittered_backoff(
        config.backoff_base,
        config.backoff_max,
        failures.saturating_sub(1),
    );
    let _ = events
        .send(RealtimeEvent::Disconnected { code, retry_in })
        .await;
    tokio::time::sleep(retry_in).await;
    true
}

async fn connect_once(
    session: &Session,
    url: &Url,
    config: &RealtimeConfig,
    token: Secret,
    commands: &mut mpsc::Receiver<ClientMessage>,
    events: &mpsc::Sender<RealtimeEvent>,
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
    let limits = WebSocketConfig::default()
        .max_message_size(Some(config.max_message_bytes))
        .max_frame_size(Some(config.max_message_bytes));
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(limits), false);
    let (socket, _) = match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "realtime: connect failed");
            return retry;
        }
        Err(_) => {
            tracing::warn!(timeout = ?config.connect_timeout, "realtime: handshake stalled");
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
    let auth_deadline = Instant::now() + config.auth_timeout;
    let mut last_heard = Instant::now();
    let mut pings = tokio::time::interval(config.ping_interval);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    pings.tick().await;
    loop {
        tokio::select! {
            command = commands.recv(), if live => {
                let Some(command) = command else { return Ended::Stop(RealtimeEvent::SessionEnded) };
                if send(&mut sink, &command).await.is_err() {
                    return Ended::Retry { code: None, live };
                }
            }
            () = tokio::time::sleep_until(auth_deadline), if !live => {
                tracing::warn!(timeout = ?config.auth_timeout, "realtime: no auth_success in time");
                return Ended::Retry { code: None, live };
            }
            _ = pings.tick() => {
                if last_heard.elapsed() >= config.idle_timeout {
                    tracing::warn!(idle = ?last_heard.elapsed(), "realtime: the server went silent");
                    return Ended::Retry { code: None, live };
                }
                if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return Ended::Retry { code: None, live };
                }
            }
            frame = stream.next() => {
                let message = match frame {
                    Some(Ok(m)) => m,
                    Some(Err(_)) | None => return Ended::Retry { code: None, live },
                };
                last_heard = Instant::now();
                match message {
                    Message::Text(text) => {
                        let frame: ServerFrame = match crate::client::decode_exact(text.as_bytes()) {
                            Ok(f) => f,
                            Err(e) => {
                                tracing::warn!(error = %e, "realtime: unreadable frame ignored");
                                continue;
                            }
                        };
                        match &frame.message {
                            ServerMessage::AuthSuccess(_) => {
                                live = true;
                                let _ = events.send(RealtimeEvent::Connected).await;
                            }
                            ServerMessage::AuthError(e) => {
                                let ended = match e.error_code.as_deref() {
                                    Some("TOKEN_EXPIRED") => Ended::TokenExpired(token),
                                    Some("ALREADY_CONNECTED") => {
                                        Ended::Stop(RealtimeEvent::DuplicateSession)
                                    }
                                    _ => Ended::Retry { code: None, live },
                                };
                                let _ = events.send(RealtimeEvent::Frame(Box::new(frame))).await;
                                // The server closes right after `auth_error`; only one session
                                // per user may exist, so wait for that before reconnecting.
                                drain(&mut stream).await;
                                return ended;
                            }
                            _ => {}
                        }
                        let _ = events.send(RealtimeEvent::Frame(Box::new(frame))).await;
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
                    // Pings are answered by tungstenite itself; pongs only count as heard.
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
