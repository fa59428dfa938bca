//! The account's WebSocket (docs/api/realtime.md): IBEx allows one per user, so the core keeps exactly
//! one per signed-in account and fans its news out to whoever tracks something — the operation
//! tracker wakes on a new on-chain transaction instead of waiting for its next poll, and the UI
//! hears that balances changed. When the socket is down, everything falls back to HTTP polling.

use std::sync::{Arc, Mutex};

use ibex::models::realtime::ServerMessage;
use ibex::realtime::{RealtimeConfig, RealtimeEvent};
use ibex::Session;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::events::{CoreEvent, EventSink};

/// What the socket told us, for the core's own trackers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signal {
    /// A transaction of this account landed on chain.
    NewTransaction { hash: String },
    /// A balance changed.
    BalanceChanged,
}

struct Running {
    session: Session,
    signals: broadcast::Sender<Signal>,
    task: JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The one realtime connection of a [`crate::network::Connection`].
pub(crate) struct Live {
    events: Arc<dyn EventSink>,
    config: RealtimeConfig,
    running: Mutex<Option<Running>>,
}

impl Live {
    pub fn new(events: Arc<dyn EventSink>) -> Self {
        Self {
            events,
            config: RealtimeConfig::default(),
            running: Mutex::new(None),
        }
    }

    /// Signals of this session's socket, opening it unless it is open. A socket belongs to one
    /// sign-in: it ends with the session, and a new sign-in opens a new one.
    pub fn subscribe(&self, session: &Session) -> broadcast::Receiver<Signal> {
        let mut running = crate::sync::lock(&self.running);
        if let Some(r) = running
            .as_ref()
            .filter(|r| r.session.same_as(session) && !r.task.is_finished())
        {
            return r.signals.subscribe();
        }
        // Close the old socket first: a second one for the same user would be refused (4003).
        *running = None;
        let (signals, receiver) = broadcast::channel(64);
        let task = match session.realtime(self.config.clone()) {
            Ok(socket) => tokio::spawn(pump(
                socket,
                session.clone(),
                signals.clone(),
                self.events.clone(),
            )),
            Err(e) => {
                tracing::warn!(error = %e, "realtime unavailable; polling only");
                tokio::spawn(async {})
            }
        };
        *running = Some(Running {
            session: session.clone(),
            signals,
            task,
        });
        receiver
    }
}

async fn pump(
    mut socket: ibex::realtime::Realtime,
    session: Session,
    signals: broadcast::Sender<Signal>,
    events: Arc<dyn EventSink>,
) {
    let mut state = session.subscribe();
    loop {
        let event = tokio::select! {
            event = socket.next() => match event {
                Some(event) => event,
                None => return,
            },
            // Signed out or expired: close now, so the next sign-in's socket is not refused as
            // a duplicate session.
            changed = state.changed() => {
                if changed.is_err() || state.borrow().is_ended() {
                    events.emit(CoreEvent::Realtime { connected: false });
                    return;
                }
                continue;
            }
        };
        let signal = match event {
            RealtimeEvent::Connected => {
                events.emit(CoreEvent::Realtime { connected: true });
                continue;
            }
            RealtimeEvent::Frame(frame) => match frame.message {
                ServerMessage::NewTransaction(t) => Signal::NewTransaction {
                    hash: t.new_transaction.hash,
                },
                ServerMessage::BalanceUpdate(_) => Signal::BalanceChanged,
                _ => continue,
            },
            RealtimeEvent::Disconnected { .. } => {
                events.emit(CoreEvent::Realtime { connected: false });
                continue;
            }
            RealtimeEvent::DuplicateSession
            | RealtimeEvent::GaveUp(_)
            | RealtimeEvent::SessionEnded => {
                tracing::info!(?event, "realtime stopped; polling only");
                events.emit(CoreEvent::Realtime { connected: false });
                return;
            }
        };
        events.emit(CoreEvent::WalletChanged);
        // Nobody tracking anything is fine.
        let _ = signals.send(signal);
    }
}
