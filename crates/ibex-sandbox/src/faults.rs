//! Fault injection: latency, random 5xx, 429 with Retry-After, 404 "not indexed yet" for the
//! first reads of an address, a longer 204 window for new wallets, forced access-token expiry and
//! dropped WebSockets. Set by CLI flags or `POST /__sandbox/faults`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::ApiError;
use crate::state::Shared;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u64,
    /// Window length; also the `Retry-After` upper bound.
    pub retry_after_seconds: u64,
}

/// The active faults; every field is optional and absent means "off".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Probability in 0.0–1.0 that an API request answers 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_error_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// The first N balance/transaction/pool reads of each address answer 404.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_indexed_reads: Option<u32>,
    /// New wallets stay invisible (204 on `/users/me/address`) this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_ready_seconds: Option<u64>,
    /// A new Safe's other chains complete this long after its first one (default 1 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expansion_seconds: Option<u64>,
    /// Expire every access token issued so far (refresh still works).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_access_tokens: Option<bool>,
    /// Drop every WebSocket now, and each new one right after its initial burst.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_web_sockets: Option<bool>,
    /// Hold every new WebSocket's opening handshake unanswered (a stalled proxy or server).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stall_web_sockets: Option<bool>,
    /// The next N operations to execute revert on chain (FAILED, "execution reverted").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_operations: Option<u32>,
    /// A compromised IBEx: the next prepared transfer pays this address instead of the one the
    /// client asked for (the userOpHash covers the substituted operation, so the signature is
    /// valid). Consumed by that one transfer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute_recipient: Option<String>,
    /// The next N executions (`PUT /v1.2/safes/operations`, the signed approval) answer 500
    /// before the signature is read: nothing is submitted, and the operation stays prepared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_executions: Option<u32>,
    /// Bridges quoted while set deliver this many basis points (0–10000) less than they quoted
    /// (slippage on the way, as real bridges may).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge_shortfall_bps: Option<u32>,
}

impl Faults {
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.bridge_shortfall_bps.is_some_and(|bps| bps > 10_000) {
            return Err(ApiError::bad_request(
                "bridgeShortfallBps must be within 0–10000",
            ));
        }
        match self.server_error_rate {
            Some(rate) if !(0.0..=1.0).contains(&rate) => Err(ApiError::bad_request(
                "serverErrorRate must be within 0.0–1.0",
            )),
            _ => Ok(()),
        }
    }
}

/// The faults in force plus the counters they need.
#[derive(Debug, Default)]
pub struct ActiveFaults {
    pub config: Faults,
    window: Option<(Millis, u64)>,
    reads: BTreeMap<String, u32>,
    reverted: u32,
    failed_executions: u32,
}

impl ActiveFaults {
    pub fn new(config: Faults) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Overlays the fields `update` sets; resets the counters of the faults it changes.
    pub fn merge(&mut self, update: Faults) {
        macro_rules! take {
            ($($field:ident),*) => { $( if update.$field.is_some() { self.config.$field = update.$field; } )* };
        }
        take!(
            latency_ms,
            server_error_rate,
            rate_limit,
            not_indexed_reads,
            not_ready_seconds,
            expansion_seconds,
            expire_access_tokens,
            drop_web_sockets,
            stall_web_sockets,
            revert_operations,
            substitute_recipient,
            fail_executions,
            bridge_shortfall_bps
        );
        if update.revert_operations.is_some() {
            self.reverted = 0;
        }
        if update.fail_executions.is_some() {
            self.failed_executions = 0;
        }
        if update.rate_limit.is_some() {
            self.window = None;
        }
        if update.not_indexed_reads.is_some() {
            self.reads.clear();
        }
    }

    /// Counts a read of `address`; true while it is still "not indexed".
    pub fn not_indexed(&mut self, address: &str) -> bool {
        let Some(limit) = self.config.not_indexed_reads else {
            return false;
        };
        let reads = self.reads.entry(address.to_ascii_lowercase()).or_default();
        *reads += 1;
        *reads <= limit
    }

    /// Counts an execution; true while it is one of the `revert_operations` to fail.
    pub fn reverts_next(&mut self) -> bool {
        let limit = self.config.revert_operations.unwrap_or(0);
        let revert = self.reverted < limit;
        self.reverted += u32::from(revert);
        revert
    }

    /// Counts an execution request; true while it is one of the `fail_executions` to refuse.
    fn fails_execution(&mut self) -> bool {
        let limit = self.config.fail_executions.unwrap_or(0);
        let fail = self.failed_executions < limit;
        self.failed_executions += u32::from(fail);
        fail
    }

    /// The recipient to put in the next prepared transfer instead of the client's, once.
    pub fn take_substitute_recipient(&mut self) -> Option<String> {
        self.config.substitute_recipient.take()
    }

    pub fn drops_websockets(&self) -> bool {
        self.config.drop_web_sockets == Some(true)
    }

    pub fn stalls_websockets(&self) -> bool {
        self.config.stall_web_sockets == Some(true)
    }

    /// Fixed-window limiter on the sandbox clock: `Some(retry_after)` when over the limit.
    fn over_limit(&mut self, now: Millis) -> Option<u64> {
        let limit = self.config.rate_limit?;
        let window_ms = (limit.retry_after_seconds.max(1) * 1000) as Millis;
        let (start, count) = self.window.get_or_insert((now, 0));
        if now - *start >= window_ms {
            *start = now;
            *count = 0;
        }
        *count += 1;
        let remaining_ms = (*start + window_ms - now).max(0);
        (*count > limit.requests).then(|| ((remaining_ms + 999) / 1000).max(1) as u64)
    }
}

/// Applies latency, rate limiting, random 5xx and failed executions to API routes.
pub async fn inject(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let execution = request.method() == axum::http::Method::PUT
        && request.uri().path().trim_end_matches('/') == "/v1.2/safes/operations";
    let (latency, limited, fail) = {
        let mut faults = state.faults();
        let limited = faults.over_limit(state.now());
        let fail = faults
            .config
            .server_error_rate
            .is_some_and(|rate| (OsRng.next_u32() as f64) < rate * f64::from(u32::MAX))
            || (execution && faults.fails_execution());
        (faults.config.latency_ms, limited, fail)
    };
    if let Some(ms) = latency {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(retry_after) = limited {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "Too many requests",
        );
        error.retry_after = Some(retry_after);
        return error.into_response();
    }
    if fail {
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Injected server error",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_window() {
        let mut f = ActiveFaults::default();
        f.merge(Faults {
            rate_limit: Some(RateLimit {
                requests: 2,
                retry_after_seconds: 10,
            }),
            ..Faults::default()
        });
        assert_eq!(f.over_limit(0), None);
        assert_eq!(f.over_limit(1000), None);
        assert_eq!(f.over_limit(2000), Some(8));
        assert_eq!(f.over_limit(10_000), None);
    }

    #[test]
    fn failed_executions_count_down() {
        let mut f = ActiveFaults::default();
        f.merge(Faults {
            fail_executions: Some(2),
            ..Faults::default()
        });
        assert!(f.fails_execution());
        assert!(f.fails_execution());
        assert!(!f.fails_execution());
        // Set again, the count starts over.
        f.merge(Faults {
            fail_executions: Some(1),
            ..Faults::default()
        });
        assert!(f.fails_execution());
        assert!(!f.fails_execution());
    }

    #[test]
    fn not_indexed_counts_per_address() {
        let mut f = ActiveFaults::new(Faults {
            not_indexed_reads: Some(1),
            ..Faults::default()
        });
        assert!(f.not_indexed("0xA"));
        assert!(!f.not_indexed("0xa"));
        assert!(f.not_indexed("0xb"));
    }
}
