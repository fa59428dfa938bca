//! The operation pipeline every kind goes through (transfer, recovery, and the kinds to come):
//! **prepare** on IBEx and file the operation with its typed [`OperationReview`] → **approve**
//! with any provider (the WebView's assertion or a backend the core runs) → **track** it to a
//! final status → the **outcome** (an event, and an OS notification when the window is hidden).
//!
//! Each kind only builds its IBEx operations and its decoded review part ([`Reviewed`]); the
//! signing facts, the checks and the approval are the same for all.
//!
//! The passkey signs the userOpHash: before anything is shown, the core checks that the
//! challenge IBEx put in the options *is* that hash, so a server cannot slip a different
//! operation under the user's fingerprint.
//!
//! A bank action (a SEPA payment, an IBAN the tenant wants approved) is not a Safe operation:
//! IBEx answers an approval (`approvalId`, `approvalHash`, request options) that the passkey's
//! assertion confirms by `PUT`. It goes through the same review and approval; IBEx does not
//! document how the approval hash commits to the payment, and the review says so.

mod review;
mod track;
mod verify;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ibex::models::operations::{ExecuteRequest, Operation, PrepareRequest};
use ibex::models::webauthn::Credential;
use ibex::models::ChainId;
use ibex::{Address, Session};

use crate::error::{AppError, Context, ErrorCode};
use crate::events::{CoreEvent, EventSink};
use crate::live::Live;
use crate::messages::Msg;
use crate::passkey::ceremony::{check_client_data, decode_b64, random_id, ClientDataType};
use crate::passkey::{NativeBackend, ProviderKind};
use crate::sync::lock;
pub use review::{
    Approves, MessageFacts, OpenIbanFacts, OperationReview, OwnerFacts, RecoveryIdentity,
    Remainder, Reviewed, RouteFacts, SepaPaymentFacts, Signing, SwapFacts, ThresholdFacts,
    TransferFacts, VaultFacts,
};
pub(crate) use track::{op_status, wait_for_signal};
pub use track::{OpStatus, OperationUpdate};
pub use verify::Difference;

/// How long a reviewed operation may wait for the passkey (IBEx's intents live ~5 min).
const REVIEW_TTL: Duration = Duration::from_secs(240);

/// The operations of one kind to prepare, and what the review shows of them.
pub(crate) struct Draft {
    pub safe: Address,
    pub chain: ChainId,
    pub operations: Vec<Operation>,
    pub reviewed: Reviewed,
    /// When what the review shows stops holding (a swap quote's `validTo`, Unix seconds on
    /// IBEx's clock): the passkey is not asked after it, the user reviews a new quote.
    pub valid_until: Option<i64>,
}

/// A reviewed operation waiting for the passkey.
struct PendingOp {
    review: OperationReview,
    /// The session it was prepared in: only that account may approve it.
    session: Session,
    challenge: String,
    options: serde_json::Value,
    rp_id: String,
    started: Instant,
    valid_until: Option<i64>,
    /// A bank approval to confirm instead of a Safe operation to execute.
    bank: Option<(BankAction, String)>,
}

/// Which bank approval a reviewed bank action confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BankAction {
    /// `PUT /v1.2/sepa/payments`.
    Payment,
    /// `PUT /v1.2/sepa/iban/add`.
    AddIban,
}

/// How the user approves: the WebView's assertion, or a provider the core runs.
pub(crate) enum Approval<'a> {
    /// `PublicKeyCredential.toJSON()` of the page's `navigator.credentials.get` (JSON text).
    Webview(&'a str),
    Native(&'a dyn NativeBackend),
}

/// Operation state of one connection.
pub(crate) struct Operations {
    events: Arc<dyn EventSink>,
    live: Live,
    /// One review waits at a time: a new one replaces it.
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

    /// Whether a prepared operation is waiting for its passkey (an update's restart waits).
    pub(crate) fn awaiting_passkey(&self) -> bool {
        lock(&self.pending)
            .as_ref()
            .is_some_and(|op| op.started.elapsed() <= REVIEW_TTL)
    }

    /// Opens the account's WebSocket if it is not open, so the UI hears of new transactions.
    pub fn go_live(&self, session: &Session) {
        drop(self.live.subscribe(session));
    }

    /// Prepares the draft's operations on IBEx, checks the challenge is their userOpHash and
    /// files them for approval; the review is what the passkey will sign.
    pub async fn prepare(
        &self,
        session: &Session,
        rp_id: &str,
        draft: Draft,
    ) -> Result<OperationReview, AppError> {
        let mut request = PrepareRequest::new(draft.safe, draft.operations);
        request.chain_id = Some(draft.chain);
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
        let rp_id = crate::passkey::rp::check(
            options.rp_id.as_deref(),
            rp_id,
            crate::passkey::rp::Signing::Operation,
        )?;
        let sponsored = sponsorship(session, &user_op_hash).await;
        let options_json = options.for_authenticator();
        let review = OperationReview {
            id: random_id(),
            signing: Signing {
                chain_id: draft.chain,
                safe: draft.safe,
                user_op_hash,
                expires_at: prepared.expires_at.clone(),
                sponsored,
                approves: Approves::UserOperation,
            },
            operation: draft.reviewed,
            options_json: options_json.to_string(),
        };
        *lock(&self.pending) = Some(PendingOp {
            review: review.clone(),
            session: session.clone(),
            challenge,
            options: options_json,
            rp_id,
            started: Instant::now(),
            valid_until: draft.valid_until,
            bank: None,
        });
        Ok(review)
    }

    /// Files IBEx's approval of a bank action for the passkey; the review shows `reviewed`.
    // (Merge fix for clippy -D warnings; a parameter struct is the owner's call.)
    #[allow(clippy::too_many_arguments)]
    pub async fn file_bank_approval(
        &self,
        session: &Session,
        rp_id: &str,
        approval: ibex::models::sepa::Approval,
        action: BankAction,
        safe: Address,
        chain: ChainId,
        reviewed: Reviewed,
    ) -> Result<OperationReview, AppError> {
        let options = approval.credential_request_options;
        let challenge = options
            .challenge
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoOperationChallenge))?;
        let rp_id = crate::passkey::rp::check(
            options.rp_id.as_deref(),
            rp_id,
            crate::passkey::rp::Signing::Operation,
        )?;
        let options_json = options.for_authenticator();
        let review = OperationReview {
            id: random_id(),
            signing: Signing {
                chain_id: chain,
                safe,
                user_op_hash: approval
                    .approval_hash
                    .clone()
                    .unwrap_or_else(|| approval.approval_id.clone()),
                expires_at: approval.expires_at.clone(),
                sponsored: None,
                approves: Approves::BankApproval,
            },
            operation: reviewed,
            options_json: options_json.to_string(),
        };
        *lock(&self.pending) = Some(PendingOp {
            review: review.clone(),
            session: session.clone(),
            challenge,
            options: options_json,
            rp_id,
            started: Instant::now(),
            valid_until: None,
            bank: Some((action, approval.approval_id)),
        });
        Ok(review)
    }

    /// Signs the reviewed operation with `approval`, executes it and starts tracking it.
    /// Returns the first status and the review it approved. `session` is the current
    /// account's: a review prepared for another account (the user switched since) is refused
    /// before the passkey is asked, so nothing is ever signed for an account not on screen.
    pub async fn approve(
        &self,
        session: &Session,
        review_id: &str,
        approval: Approval<'_>,
        auth: &crate::session::auth::AuthState,
    ) -> Result<(OperationUpdate, OperationReview), AppError> {
        let op = self.take(review_id)?;
        if !op.session.same_as(session) {
            return Err(AppError::new(
                ErrorCode::AccountChanged,
                Msg::AccountChanged,
            ));
        }
        let (credential, origin) = match approval {
            Approval::Webview(json) => {
                let credential = serde_json::from_str(json).map_err(|e| {
                    AppError::validation(Msg::PasskeyResponseNotJson {
                        error: e.to_string(),
                    })
                })?;
                (credential, None)
            }
            Approval::Native(backend) => {
                let answer = backend.get(&op.options, &op.rp_id).await?;
                crate::passkey::verify::assertion(
                    &answer.credential,
                    &op.rp_id,
                    crate::passkey::verify::requires_uv(&op.options),
                    None,
                )?;
                (answer.credential, Some(answer.origin))
            }
        };
        check_client_data(
            &credential,
            ClientDataType::Get,
            &op.challenge,
            origin.as_deref(),
        )?;
        // The assertion tells this device's key for the account it signs for.
        auth.learn_device_for(session, &credential);
        let credential: Credential = serde_json::from_value(credential).map_err(|e| {
            AppError::validation(Msg::PasskeyResponseNotCredential {
                error: e.to_string(),
            })
        })?;
        if let Some((action, approval_id)) = &op.bank {
            let first = track::confirm_bank(
                self.events.clone(),
                session,
                *action,
                approval_id,
                credential,
                op.review.signing.user_op_hash.clone(),
            )
            .await
            .map_err(refused)?;
            return Ok((first, op.review));
        }
        let executed = match session
            .execute(&ExecuteRequest {
                credential,
                chain_id: Some(op.review.signing.chain_id),
            })
            .await
        {
            Ok(executed) => executed,
            // IBEx failed while taking the approval (a 5xx, the network): nothing was
            // submitted, the operation is still prepared, so the same review can be approved
            // again (a new assertion of the same userOpHash).
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, "execution failed; the review stays open for a retry");
                *lock(&self.pending) = Some(op);
                return Err(AppError::new(ErrorCode::Server, Msg::ExecuteFailedRetry));
            }
            Err(e) => return Err(refused(e)),
        };
        let signing = &op.review.signing;
        let first = OperationUpdate {
            user_op_hash: signing.user_op_hash.clone(),
            status: executed.status.as_ref().map_or(OpStatus::Signed, op_status),
            tx_hash: executed.tx_hash.clone(),
            error: None,
        };
        self.events.emit(CoreEvent::OperationUpdated {
            update: first.clone(),
        });
        track::track(
            self.events.clone(),
            &self.live,
            session.clone(),
            signing.user_op_hash.clone(),
            signing.clone(),
            op.review.operation.clone(),
        );
        Ok((first, op.review))
    }

    /// The account's WebSocket signals (they wake trackers early).
    pub(crate) fn signals(
        &self,
        session: &Session,
    ) -> tokio::sync::broadcast::Receiver<crate::live::Signal> {
        self.live.subscribe(session)
    }

    /// When the waiting review `review_id` stops holding, if it has such a deadline.
    fn valid_until(&self, review_id: &str) -> Option<i64> {
        lock(&self.pending)
            .as_ref()
            .filter(|op| op.review.id == review_id)
            .and_then(|op| op.valid_until)
    }

    /// Drops the waiting review: nothing of it can be signed any more.
    fn discard(&self) {
        lock(&self.pending).take();
    }

    fn take(&self, review_id: &str) -> Result<PendingOp, AppError> {
        match lock(&self.pending).take() {
            Some(op) if op.review.id == review_id && op.started.elapsed() <= REVIEW_TTL => Ok(op),
            Some(op) if op.review.id == review_id => {
                Err(AppError::new(ErrorCode::Conflict, Msg::ReviewExpired))
            }
            _ => Err(AppError::new(ErrorCode::Conflict, Msg::NotAwaitingApproval)),
        }
    }
}

/// Whether IBEx's paymaster pays for the prepared operation, as IBEx's operation record says
/// (`safeOperation.paymaster`, "SPONSORED"); `None` when the record or the field is missing.
/// A failed look-up never blocks the review: it only leaves the answer unknown.
async fn sponsorship(session: &Session, user_op_hash: &str) -> Option<bool> {
    let history = match session.operation_history(Some("CREATED"), None, None).await {
        Ok(history) => history,
        Err(e) => {
            tracing::warn!(error = %e, "sponsorship of the prepared operation not known");
            return None;
        }
    };
    let record = history
        .data
        .into_values()
        .flatten()
        .filter_map(|r| r.safe_operation)
        .find(|op| op.user_op_hash.eq_ignore_ascii_case(user_op_hash))?;
    record
        .paymaster
        .map(|p| p.eq_ignore_ascii_case("SPONSORED"))
}

/// A review that would expire within this many seconds is not signed: IBEx must still accept
/// it when the signed operation arrives.
const VALIDITY_MARGIN_S: i64 = 10;

/// IBEx's clock now (Unix seconds), from `/health`.
pub(crate) async fn server_now(client: &ibex::Client) -> Result<i64, AppError> {
    let health = client.health().await?;
    time::OffsetDateTime::parse(
        &health.timestamp,
        &time::format_description::well_known::Rfc3339,
    )
    .map(time::OffsetDateTime::unix_timestamp)
    .map_err(|e| {
        AppError::new(
            ErrorCode::BadResponse,
            Msg::UnreadableTime {
                text: health.timestamp.clone(),
                error: e.to_string(),
            },
        )
    })
}

/// Unix seconds as RFC 3339 (empty if out of range).
pub(crate) fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The options' challenge must be the base64url of the userOpHash's bytes.
fn check_challenge_is_hash(challenge: &str, user_op_hash: &str) -> Result<(), AppError> {
    let hash_bytes = crate::hex::decode(user_op_hash);
    let challenge_bytes = decode_b64(challenge);
    match (hash_bytes, challenge_bytes) {
        (Some(h), Some(c)) if h == c => Ok(()),
        _ => Err(AppError::new(
            ErrorCode::BadResponse,
            Msg::SignsSomethingElse,
        )),
    }
}

/// IBEx refusing the operation (400: insufficient balance, unknown Safe…).
fn refused(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            refused: Some((ErrorCode::Validation, Msg::OperationNotAccepted)),
            ..Context::default()
        },
    )
}

/// The approve commands: any reviewed operation, whatever its kind.
impl crate::Core {
    /// Executes a reviewed operation with the WebView's assertion (JSON text).
    pub async fn operation_approve(
        &self,
        review_id: String,
        credential_json: String,
    ) -> Result<OperationUpdate, AppError> {
        self.approve(&review_id, Approval::Webview(&credential_json))
            .await
    }

    /// Executes a reviewed operation, signing with a provider the core runs.
    pub async fn operation_approve_native(
        &self,
        review_id: String,
        provider: ProviderKind,
    ) -> Result<OperationUpdate, AppError> {
        let backend = self.native(provider)?;
        self.approve(&review_id, Approval::Native(backend.as_ref()))
            .await
    }

    async fn approve(
        &self,
        review_id: &str,
        approval: Approval<'_>,
    ) -> Result<OperationUpdate, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let mut now = None;
        if let Some(until) = conn.ops.valid_until(review_id) {
            // Checked on IBEx's clock, before the passkey is asked: a stale quote is never signed.
            let at = server_now(&conn.client).await?;
            if at + VALIDITY_MARGIN_S >= until {
                conn.ops.discard();
                return Err(AppError::new(
                    ErrorCode::QuoteExpired,
                    Msg::SwapQuoteExpiredAtApproval,
                ));
            }
            now = Some(at);
        }
        let (first, review) = conn
            .ops
            .approve(&session, review_id, approval, &conn.auth)
            .await?;
        if let Some(to) = review.operation.recipient() {
            self.remember_recipient(&conn, to);
        }
        if let (Reviewed::Route(facts), Some(account)) =
            (&review.operation, conn.auth.account_with(&session))
        {
            // Filed before it is followed: a reload or a restart picks it up from here.
            let approved = now.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
            let signing = &review.signing;
            let filed = crate::route::flight::Filed::new(
                facts,
                &signing.user_op_hash,
                signing.safe,
                account,
                approved,
            );
            let route_id = filed.flight.route_id.clone();
            conn.flights.file(filed);
            tokio::spawn(crate::route::flight::follow(
                self.events.clone(),
                conn.flights.clone(),
                session.clone(),
                route_id,
                Some(conn.ops.signals(&session)),
            ));
        }
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
