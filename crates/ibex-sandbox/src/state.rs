//! Shared server state: settings, clock, the store behind one lock, fault settings, counters and
//! the event bus the WebSocket sessions listen on.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::{broadcast, watch};

use crate::clock::{Clock, Millis};
use crate::counters::Counters;
use crate::faults::{ActiveFaults, Faults};
use crate::jwt;
use crate::operations;
use crate::store::Store;
use crate::webauthn::OriginPolicy;

pub type Shared = Arc<AppState>;

/// Fixed behaviour of one sandbox run (see [`crate::SandboxConfig`] for the knobs).
#[derive(Debug, Clone)]
pub struct Settings {
    pub rp_id: String,
    pub origins: OriginPolicy,
    pub seed: u64,
    /// WebAuthn `timeout` and challenge lifetime.
    pub challenge_ttl_ms: Millis,
    /// The documented 204 window after sign-up before `/users/me/address` lists the Safe.
    pub address_ready_ms: Millis,
    pub execute_after_ms: Millis,
    pub confirm_after_ms: Millis,
    pub recovery_delay_s: i64,
    pub intent_ttl_ms: Millis,
}

/// A frame for one user's WebSocket sessions.
#[derive(Debug, Clone)]
pub struct Event {
    pub user: String,
    pub frame: Value,
}

/// What live WebSocket sessions must react to besides events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Control {
    /// Bumped to drop every open socket without a close frame.
    pub drop_generation: u64,
    /// Access tokens with `jti` up to this are expired.
    pub revoked_through: u64,
}

#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub clock: Clock,
    store: Mutex<Store>,
    pub faults: Mutex<ActiveFaults>,
    pub counters: Counters,
    pub events: broadcast::Sender<Event>,
    pub control: watch::Sender<Control>,
    pub jwt: jwt::Key,
    pub state_file: Option<PathBuf>,
    /// Live WebSocket sessions: externalUserId → connection id (one per user and rpId).
    pub sockets: Mutex<HashMap<String, String>>,
}

impl AppState {
    pub fn new(
        settings: Settings,
        clock: Clock,
        store: Store,
        faults: Faults,
        jwt: jwt::Key,
        state_file: Option<PathBuf>,
    ) -> Shared {
        let (events, _) = broadcast::channel(1024);
        let control = Control {
            drop_generation: 0,
            revoked_through: store.access_revoked_through,
        };
        Arc::new(Self {
            settings,
            clock,
            store: Mutex::new(store),
            faults: Mutex::new(ActiveFaults::new(faults)),
            counters: Counters::default(),
            events,
            control: watch::Sender::new(control),
            jwt,
            state_file,
            sockets: Mutex::new(HashMap::new()),
        })
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// The store, with every operation transition that is due by now already applied (so a read
    /// right after a clock jump sees the new state) and its events published.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.now();
        crate::defi::accrue(&mut store.books, now);
        let mut reverts = || self.faults().reverts_next();
        for event in operations::tick(&mut store, &self.settings, now, &mut reverts) {
            self.publish(event);
        }
        store
    }

    pub fn publish(&self, event: Event) {
        // No subscribers is fine: nobody is connected.
        let _ = self.events.send(event);
    }

    pub fn faults(&self) -> MutexGuard<'_, ActiveFaults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The WebSocket envelope `{type, data, timestamp}` (docs/api/realtime.md §4).
pub fn frame(kind: &str, data: Value, at: Millis) -> Value {
    serde_json::json!({ "type": kind, "data": data, "timestamp": crate::clock::iso(at) })
}
