//! The operation pipeline every kind (transfer, recovery) goes through: prepare on IBEx, file
//! the operation for approval, approve it with any provider, then track it to a final status.
//!
//! The passkey signs the userOpHash: before anything is shown, the core checks that the
//! challenge IBEx put in the options *is* that hash, so a server cannot slip a different
//! operation under the user's fingerprint.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ibex::models::operations::{ExecuteRequest, Operation, OperationStatus, PrepareRequest};
use ibex::models::webauthn::Credential;
use ibex::models::ChainId;
use ibex::{Address, Session};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::error::{server_message, AppError, ErrorCode};
use crate::events::{CoreEvent, EventSink};
use crate::live::{Live, Signal};
use crate::messages::Msg;
use crate::passkey::ceremony::{check_client_data, decode_b64, random_id, ClientDataType};
use crate::passkey::{NativeBackend, ProviderKind};

/// Waits for the next poll, or less when the WebSocket reports a transaction or balance.
async fn next_check(signals: &mut Option<broadcast::Receiver<Signal>>) {
    let Some(rx) = signals.as_mut() else {
        return tokio::time::sleep(POLL_INTERVAL).await;
    };
    tokio::select! {
        () = tokio::time::sleep(POLL_INTERVAL) => {}
        signal = rx.recv() => {
            if matches!(signal, Err(broadcast::error::RecvError::Closed)) {
                *signals = None; // the socket is gone for good: poll only
            }
        }
    }
}

/// How long a reviewed operation may wait for the passkey (IBEx's intents live ~5 min).
const REVIEW_TTL: Duration = Duration::from_secs(240);
const POLL_INTERVAL: Duration = Duration::from_millis(750);
const TRACK_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum OpStatus {
    Created,
    Signed,
    Executed,
    Confirmed,
    Failed,
    /// A state IBEx reports that this version does not know yet.
    Pending,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OperationUpdate {
    pub user_op_hash: String,
    pub status: OpStatus,
    pub tx_hash: Option<String>,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// A prepared operation waiting for the passkey, whatever it does.
pub(crate) struct PreparedOperation {
    /// The review id the approve commands take.
    pub id: String,
    /// The hash the passkey signs (0x-hex), checked against the options' challenge.
    pub user_op_hash: String,
    pub expires_at: Option<String>,
    /// Request options for the WebView provider (JSON text).
    pub options_json: String,
}

struct PendingOp {
    id: String,
    user_op_hash: String,
    challenge: String,
    options: serde_json::Value,
    rp_id: String,
    chain: ChainId,
    started: Instant,
}

/// Operation state of one connection.
pub(crate) struct Operations {
    events: Arc<dyn EventSink>,
    live: Live,
    pending: Mutex<Option<PendingOp>>,
}

impl Operations {
    pub fn new(events: Arc<dyn EventSink>) -> Self {
        Self {
            live: Live::new(events.clone()),
            events,
            pending: Mutex::new(None),
        }
    }

    /// Opens the account's WebSocket if it is not open, so the UI hears of new transactions.
    pub fn go_live(&self, session: &Session) {
        drop(self.live.subscribe(session));
    }

    /// Prepares any operations on `chain` and files them for approval, after checking the
    /// challenge is their userOpHash. Each feature builds its own review around the result.
    pub(crate) async fn prepare_operations(
        &self,
        session: &Session,
        safe: Address,
        rp_id: &str,
        chain: ChainId,
        operations: Vec<Operation>,
    ) -> Result<PreparedOperation, AppError> {
        let mut request = PrepareRequest::new(safe, operations);
        request.chain_id = Some(chain);
        let prepared = session.prepare(&request).await.map_err(refused)?;
        let options = prepared.credential_request_options.clone();
        let challenge = options
            .challenge
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoOperationChallenge))?;
        let user_op_hash = prepared
            .user_op_hash()
            .map(str::to_owned)
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoUserOpHash))?;
        check_challenge_is_hash(&challenge, &user_op_hash)?;
        let id = random_id();
        let options_json = options.for_authenticator();
        *lock(&self.pending) = Some(PendingOp {
            id: id.clone(),
            user_op_hash: user_op_hash.clone(),
            challenge,
            options: options_json.clone(),
            rp_id: options.rp_id.clone().unwrap_or_else(|| rp_id.to_owned()),
            chain,
            started: Instant::now(),
        });
        Ok(PreparedOperation {
            id,
            user_op_hash,
            expires_at: prepared.expires_at.clone(),
            options_json: options_json.to_string(),
        })
    }

    /// Executes the reviewed operation with a WebView credential.
    pub async fn approve(
        &self,
        session: &Session,
        review_id: &str,
        credential_json: &str,
    ) -> Result<OperationUpdate, AppError> {
        let op = self.take(review_id)?;
        let credential: serde_json::Value = serde_json::from_str(credential_json).map_err(|e| {
            AppError::validation(Msg::PasskeyResponseNotJson {
                error: e.to_string(),
            })
        })?;
        self.execute(session, op, credential, None).await
    }

    /// Executes the reviewed operation, signing with a provider the core runs.
    pub async fn approve_native(
        &self,
        session: &Session,
        review_id: &str,
        backend: &dyn NativeBackend,
    ) -> Result<OperationUpdate, AppError> {
        let op = self.take(review_id)?;
        let answer = backend.get(&op.options, &op.rp_id).await?;
        self.execute(session, op, answer.credential, Some(&answer.origin))
            .await
    }

    async fn execute(
        &self,
        session: &Session,
        op: PendingOp,
        credential: serde_json::Value,
        origin: Option<&str>,
    ) -> Result<OperationUpdate, AppError> {
        check_client_data(&credential, ClientDataType::Get, &op.challenge, origin)?;
        let credential: Credential = serde_json::from_value(credential).map_err(|e| {
            AppError::validation(Msg::PasskeyResponseNotCredential {
                error: e.to_string(),
            })
        })?;
        let executed = session
            .execute(&ExecuteRequest {
                credential,
                chain_id: Some(op.chain),
            })
            .await
            .map_err(refused)?;
        let first = OperationUpdate {
            user_op_hash: op.user_op_hash.clone(),
            status: executed.status.as_ref().map_or(OpStatus::Signed, op_status),
            tx_hash: executed.tx_hash.clone(),
            error: None,
        };
        self.events.emit(CoreEvent::OperationUpdated {
            update: first.clone(),
        });
        self.track(session.clone(), op.user_op_hash);
        Ok(first)
    }

    /// Follows the status until it is final, announcing each change. IBEx's WebSocket pushes
    /// no operation status, but it does push the on-chain transaction: that wakes the tracker
    /// at once; HTTP polling covers the other steps and a socket that is down.
    fn track(&self, session: Session, user_op_hash: String) {
        let events = self.events.clone();
        let mut signals = Some(self.live.subscribe(&session));
        tokio::spawn(async move {
            let deadline = Instant::now() + TRACK_TIMEOUT;
            let mut last = None;
            while Instant::now() < deadline {
                match session.operation_status(&user_op_hash).await {
                    Ok(state) => {
                        let status = op_status(&state.status);
                        if last != Some(status) {
                            last = Some(status);
                            events.emit(CoreEvent::OperationUpdated {
                                update: OperationUpdate {
                                    user_op_hash: user_op_hash.clone(),
                                    status,
                                    tx_hash: state.transaction_hash.clone(),
                                    error: state.error.as_ref().map(describe_failure),
                                },
                            });
                        }
                        if state.status.is_final() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "operation status check failed"),
                }
                next_check(&mut signals).await;
            }
        });
    }

    fn take(&self, review_id: &str) -> Result<PendingOp, AppError> {
        match lock(&self.pending).take() {
            Some(op) if op.id == review_id && op.started.elapsed() <= REVIEW_TTL => Ok(op),
            Some(op) if op.id == review_id => {
                Err(AppError::new(ErrorCode::Conflict, Msg::ReviewExpired))
            }
            _ => Err(AppError::new(ErrorCode::Conflict, Msg::NotAwaitingApproval)),
        }
    }
}

/// The options' challenge must be the base64url of the userOpHash's bytes.
fn check_challenge_is_hash(challenge: &str, user_op_hash: &str) -> Result<(), AppError> {
    let hash_bytes = hex_bytes(user_op_hash);
    let challenge_bytes = decode_b64(challenge);
    match (hash_bytes, challenge_bytes) {
        (Some(h), Some(c)) if h == c => Ok(()),
        _ => Err(AppError::new(
            ErrorCode::BadResponse,
            Msg::SignsSomethingElse,
        )),
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let hex = s.strip_prefix("0x").unwrap_or(s);
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

pub(crate) fn op_status(s: &OperationStatus) -> OpStatus {
    match s {
        OperationStatus::Created => OpStatus::Created,
        OperationStatus::Signed => OpStatus::Signed,
        OperationStatus::Executed => OpStatus::Executed,
        OperationStatus::Confirmed => OpStatus::Confirmed,
        OperationStatus::Failed => OpStatus::Failed,
        _ => OpStatus::Pending,
    }
}

/// IBEx's failure reason: a string, or an object with a `message`.
fn describe_failure(error: &serde_json::Value) -> String {
    match error {
        serde_json::Value::String(reason) => reason.clone(),
        other => other
            .get("message")
            .and_then(|m| m.as_str())
            .map_or_else(|| other.to_string(), str::to_owned),
    }
}

/// IBEx refusing the operation (400: insufficient balance, unknown Safe…) in its own words.
fn refused(e: ibex::Error) -> AppError {
    if let ibex::Error::Status { status: 400, body } = &e {
        let reason = server_message(body);
        return AppError::validation(Msg::OperationRefused { reason });
    }
    e.into()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The approve commands: any reviewed operation, whatever its kind.
impl crate::Core {
    /// Executes a reviewed operation with the WebView's assertion (JSON text).
    pub async fn operation_approve(
        &self,
        review_id: String,
        credential_json: String,
    ) -> Result<OperationUpdate, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let first = conn
            .ops
            .approve(&session, &review_id, &credential_json)
            .await?;
        self.approved(&review_id).await;
        Ok(first)
    }

    /// Executes a reviewed operation, signing with a provider the core runs.
    pub async fn operation_approve_native(
        &self,
        review_id: String,
        provider: ProviderKind,
    ) -> Result<OperationUpdate, AppError> {
        let backend = self.native(provider)?;
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let first = conn
            .ops
            .approve_native(&session, &review_id, backend.as_ref())
            .await?;
        self.approved(&review_id).await;
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_challenge_must_be_the_user_op_hash() {
        let hash = "0x00ff10";
        assert!(check_challenge_is_hash("AP8Q", hash).is_ok());
        assert!(check_challenge_is_hash("AP8Q==", hash).is_ok());
        assert!(check_challenge_is_hash("AP8R", hash).is_err());
        assert!(check_challenge_is_hash("AP8Q", "0xzz").is_err());
    }
}
