//! Request counters tests read through `GET /__sandbox/counters`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use crate::state::Shared;

#[derive(Debug, Default)]
pub struct Counters {
    refresh: AtomicU64,
    /// Assertions accepted with signCount 0 after the credential had counted.
    sign_count_warnings: AtomicU64,
    routes: Mutex<BTreeMap<String, u64>>,
}

impl Counters {
    fn record(&self, route: String) {
        if route == "POST /v1.2/auth/refresh" {
            self.refresh.fetch_add(1, Ordering::Relaxed);
        }
        *self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(route)
            .or_default() += 1;
    }

    pub fn sign_count_warning(&self) {
        self.sign_count_warnings.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Value {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        json!({
            "refresh": self.refresh.load(Ordering::Relaxed),
            "signCountWarnings": self.sign_count_warnings.load(Ordering::Relaxed),
            "routes": routes,
        })
    }
}

/// Counts every matched request by `"<METHOD> <path template>"`, faulted ones included.
pub async fn count(State(state): State<Shared>, request: Request, next: Next) -> Response {
    if let Some(path) = request.extensions().get::<MatchedPath>() {
        state
            .counters
            .record(format!("{} {}", request.method(), path.as_str()));
    }
    next.run(request).await
}
