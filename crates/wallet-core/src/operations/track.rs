//! Tracking an executed operation to its final status, announcing each change (the outcome
//! becomes an OS notification in `notify`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ibex::models::operations::OperationStatus;
use ibex::Session;
use serde::Serialize;
use tokio::sync::broadcast;

use super::review::{Reviewed, Signing, TransferFacts};
use super::verify::check_transfer;
use crate::events::{CoreEvent, EventSink};
use crate::live::{Live, Signal};

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

/// Follows the status until it is final, announcing each change. IBEx's WebSocket pushes
/// no operation status, but it does push the on-chain transaction: that wakes the tracker
/// at once; HTTP polling covers the other steps and a socket that is down.
/// A confirmed transfer is then checked against its review ([`super::verify`]).
pub(crate) fn track(
    events: Arc<dyn EventSink>,
    live: &Live,
    session: Session,
    user_op_hash: String,
    signing: Signing,
    reviewed: Reviewed,
) {
    let mut signals = Some(live.subscribe(&session));
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
                        // (A route's arrival is followed by `route::flight`.)
                        if let (OpStatus::Confirmed, Some(tx), Reviewed::Transfer(facts)) =
                            (status, &state.transaction_hash, &reviewed)
                        {
                            verify_transfer(&*events, &session, &signing, tx, facts).await;
                        }
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "operation status check failed"),
            }
            wait_for_signal(&mut signals, POLL_INTERVAL).await;
        }
    });
}

async fn verify_transfer(
    events: &dyn EventSink,
    session: &Session,
    signing: &Signing,
    tx_hash: &str,
    facts: &TransferFacts,
) {
    let found = check_transfer(session, signing.chain_id, signing.safe, tx_hash, facts).await;
    if let Some(differences) = found.filter(|d| !d.is_empty()) {
        tracing::error!(
            ?differences,
            tx_hash,
            "the executed transfer is not the reviewed one"
        );
        events.emit(CoreEvent::OperationMismatch {
            user_op_hash: signing.user_op_hash.clone(),
            tx_hash: tx_hash.to_owned(),
            differences,
        });
    }
}

/// Waits `interval` for the next poll, or less when the WebSocket reports a transaction or
/// balance.
pub(crate) async fn wait_for_signal(
    signals: &mut Option<broadcast::Receiver<Signal>>,
    interval: Duration,
) {
    let Some(rx) = signals.as_mut() else {
        return tokio::time::sleep(interval).await;
    };
    tokio::select! {
        () = tokio::time::sleep(interval) => {}
        signal = rx.recv() => {
            if matches!(signal, Err(broadcast::error::RecvError::Closed)) {
                *signals = None; // the socket is gone for good: poll only
            }
        }
    }
}

/// A SEPA status as the pipeline's: `completed` is final and good; `cancelled`, `failed`,
/// `rejected` final and bad; `ask` waits for approval; `pending` is with the banks.
fn bank_status(status: &str) -> OpStatus {
    match status.to_ascii_lowercase().as_str() {
        "completed" => OpStatus::Confirmed,
        "cancelled" | "failed" | "rejected" => OpStatus::Failed,
        "pending" => OpStatus::Executed,
        "ask" => OpStatus::Signed,
        _ => OpStatus::Pending,
    }
}

/// Confirms a bank approval with the passkey's assertion, announces the first status and, for
/// a payment not yet settled, follows `GET /v1.2/sepa/transactions/{id}` to its end.
pub(crate) async fn confirm_bank(
    events: Arc<dyn EventSink>,
    session: &Session,
    action: super::BankAction,
    approval_id: &str,
    credential: ibex::models::webauthn::Credential,
    hash: String,
) -> Result<OperationUpdate, ibex::Error> {
    let body = ibex::models::sepa::ApprovalConfirmation {
        approval_id: approval_id.to_owned(),
        credential,
    };
    let (status, transaction) = match action {
        super::BankAction::AddIban => {
            session.confirm_iban(&body).await?;
            (OpStatus::Confirmed, None)
        }
        super::BankAction::Payment => {
            let done = session.confirm_payment(&body).await?;
            let state = done.payment.data;
            (bank_status(&state.status), Some(state.transaction_id))
        }
    };
    let first = OperationUpdate {
        user_op_hash: hash.clone(),
        status,
        tx_hash: None,
        error: None,
    };
    events.emit(CoreEvent::OperationUpdated {
        update: first.clone(),
    });
    if let (Some(id), false) = (transaction, is_final(status)) {
        let session = session.clone();
        tokio::spawn(async move {
            // A plain SEPA transfer settles within a business day; the wallet follows it while
            // it runs, and Activity shows it later either way.
            let deadline = Instant::now() + BANK_TRACK_TIMEOUT;
            let mut last = status;
            while Instant::now() < deadline {
                tokio::time::sleep(BANK_POLL_INTERVAL).await;
                let Ok(row) = session.sepa_transaction(&id).await else {
                    continue;
                };
                let now = bank_status(&row.status);
                if now != last {
                    last = now;
                    events.emit(CoreEvent::OperationUpdated {
                        update: OperationUpdate {
                            user_op_hash: hash.clone(),
                            status: now,
                            tx_hash: None,
                            error: (now == OpStatus::Failed).then(|| row.status.clone()),
                        },
                    });
                }
                if is_final(now) {
                    break;
                }
            }
        });
    }
    Ok(first)
}

const BANK_POLL_INTERVAL: Duration = Duration::from_secs(2);
const BANK_TRACK_TIMEOUT: Duration = Duration::from_secs(600);

fn is_final(status: OpStatus) -> bool {
    matches!(status, OpStatus::Confirmed | OpStatus::Failed)
}
