//! Contract test: every JSON fixture of `docs/api/examples` (both tiers) is listed here
//! and checked — responses and server frames parse into the client's types; request bodies and
//! client frames parse and re-serialise to the same JSON. A fixture missing from the table
//! (or a table row without its file) fails the test.
//!
//! Fixtures hold documentation placeholders (`"0x..."`, `"0xSAFE…"`, `"string"`, elided
//! `"..."` members). They are not data (docs/api/examples/INDEX.md), so each is replaced by a valid
//! value of its kind before checking: the client's validated types then still apply in full.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ibex::models::account::{
    AddressBook, AddressBookUpdate, Balances, ConfirmEmailRequest, DeriveRequest, GlobalWallets,
    KybEnrollRequest, KybEnrollment, KycIframe, KycIframeRequest, KycStatus, Me,
    NewAddressBookEntry, OperationHistory, Pools, SignerList, TransactionRow, Transactions,
    UserChains, UserData, UserDataWrite, ValidateEmailRequest, WalletList,
};
use ibex::models::auth::{
    AuthChallenge, AuthSession, AuthTokens, EmailRecoverRequest, EmailRecovery, ErrorBody,
    RefreshRequest, SafeProvision, SafeProvisionRequest, SignInRequest, SignUpRequest,
    WellKnownWebAuthn,
};
use ibex::models::catalog::{ChainInfo, TokenList, Vault};
use ibex::models::operations::{
    AutomationUpdated, BatchExecuteRequest, BatchExecuted, BatchIntentRequest, ExecuteRequest,
    Executed, Operation, OperationState, PrepareRequest, Prepared, SafeWallets, SwapQuote,
};
use ibex::models::realtime::{ClientMessage, ServerFrame};
use ibex::models::recovery::RecoveryStatus;
use ibex::models::sepa::{
    Approval, ApprovalConfirmation, Envelope, IbanAdded, IbanConfirmed, IbanLabel, MandateCreated,
    MandateRequest, MandateStatusChange, PaymentConfirmed, PaymentRequest, SepaIban,
    SepaTransactions,
};
use ibex::models::{Ack, Health, Page};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What a fixture is and how it is checked.
enum Check {
    Response(fn(&Value) -> Result<(), String>),
    Request(fn(&Value) -> Result<(), String>),
    /// A documentation value the client must refuse; the error must contain the text.
    Rejected(fn(&Value) -> Result<(), String>, &'static str),
    /// Not an endpoint of the end-user wallet (tenant/admin, BCReader-internal…).
    OutOfScope(&'static str),
}

use Check::{OutOfScope, Rejected, Request, Response};

const TENANT: &str = "tenant/admin endpoint (x-api-key); out of scope for the wallet";
const BCREADER: &str = "legacy BCReader proxy/route; the wallet reads /v1.2/users/me/*";

fn parse<T: DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(v.clone())
        .map_err(|e| format!("at `{}`: {}", e.path(), e.inner()))
}

/// Parses, and checks no field of the fixture was silently dropped (a misnamed optional field
/// would otherwise parse as "absent").
fn response<T: DeserializeOwned + Serialize>(v: &Value) -> Result<(), String> {
    let typed: T = parse(v)?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let mut dropped = Vec::new();
    dropped_keys(v, &back, "", &mut dropped);
    if dropped.is_empty() {
        Ok(())
    } else {
        Err(format!("fields not modelled: {dropped:?}"))
    }
}

/// Parses only: for read-only types (WebSocket frames, the `users/me` aggregate) whose
/// sections are unwrapped while reading.
fn frame<T: DeserializeOwned>(v: &Value) -> Result<(), String> {
    parse::<T>(v).map(drop)
}

fn dropped_keys(original: &Value, back: &Value, path: &str, out: &mut Vec<String>) {
    match (original, back) {
        (Value::Object(o), Value::Object(b)) => {
            for (key, value) in o {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    Some(again) => dropped_keys(value, again, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Array(o), Value::Array(b)) => {
            for (i, (x, y)) in o.iter().zip(b).enumerate() {
                dropped_keys(x, y, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn request<T: DeserializeOwned + Serialize>(v: &Value) -> Result<(), String> {
    let typed: T = parse(v)?;
    let again = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    if lower_addresses(again.clone()) == lower_addresses(v.clone()) {
        Ok(())
    } else {
        Err(format!("re-serialised as {again}"))
    }
}

fn table() -> Vec<(&'static str, Check)> {
    vec![
        (
            "auth-enroll-post-request.json",
            Request(request::<KybEnrollRequest>),
        ),
        (
            "auth-enroll-post-response.json",
            Response(response::<KybEnrollment>),
        ),
        (
            "auth-iframe-post-request.json",
            Request(request::<KycIframeRequest>),
        ),
        (
            "auth-iframe-post-response.json",
            Response(response::<KycIframe>),
        ),
        (
            "bcreader-balances-get-response.v1.json",
            OutOfScope(BCREADER),
        ),
        (
            "bcreader-pools-get-response.json",
            Response(response::<Vec<Vault>>),
        ),
        (
            "bcreader-transactions-get-response.v1.json",
            Response(response::<Page<TransactionRow>>),
        ),
        (
            "bcreader-v1.1-balances-get-response.single-chain.json",
            OutOfScope(BCREADER),
        ),
        ("domain-users-get-response.json", OutOfScope(TENANT)),
        (
            "email-recover-post-request.json",
            Request(request::<EmailRecoverRequest>),
        ),
        (
            "email-recover-post-response.json",
            Response(response::<EmailRecovery>),
        ),
        ("health-get-response.json", Response(response::<Health>)),
        (
            "ibexsafe-userdata-external-get-response.json",
            Response(response::<UserData>),
        ),
        (
            "ibexsafe-userdata-post-request.read-fallback.json",
            Request(request::<UserDataWrite>),
        ),
        (
            "ibexsafe-userdata-post-request.write.json",
            Request(request::<UserDataWrite>),
        ),
        (
            "ibexsafe-userdata-post-response.read-fallback.json",
            Response(response::<UserData>),
        ),
        (
            "ibexsafe-userdata-post-response.write.json",
            Response(response::<Ack>),
        ),
        (
            "ibexsafe-validateemail-post-request.json",
            Request(request::<ValidateEmailRequest>),
        ),
        (
            "ibexsafe-validateemail-post-response.json",
            Response(response::<Ack>),
        ),
        (
            "operation.aave-supply.by-token-address.json",
            Request(request::<Operation>),
        ),
        ("operation.aave-supply.json", Request(request::<Operation>)),
        (
            "operation.aave-withdraw.json",
            Request(request::<Operation>),
        ),
        ("operation.add-owner.json", Request(request::<Operation>)),
        (
            "operation.change-threshold.json",
            Request(request::<Operation>),
        ),
        ("operation.remove-owner.json", Request(request::<Operation>)),
        ("operation.sign-message.json", Request(request::<Operation>)),
        (
            "operation.swap-from-quote.json",
            Request(request::<Operation>),
        ),
        (
            "operation.transfer-token.json",
            Request(request::<Operation>),
        ),
        (
            "recovery-status-get-response.v1.1.json",
            Response(response::<RecoveryStatus>),
        ),
        (
            "rpid-unknown-error-response.json",
            Response(response::<ErrorBody>),
        ),
        (
            "safe-provision-post-request.json",
            Request(request::<SafeProvisionRequest>),
        ),
        (
            "safe-provision-post-response.json",
            Response(response::<SafeProvision>),
        ),
        (
            "safes-operations-post-request.cancel-recovery.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "safes-operations-post-request.enable-recovery.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "safes-operations-post-request.monerium-create-iban.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "safes-operations-post-request.solana-prepare.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "safes-operations-post-request.transfer-token.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "safes-operations-post-response.cancel-recovery.json",
            Response(response::<Prepared>),
        ),
        (
            "safes-operations-post-response.enable-recovery.json",
            Response(response::<Prepared>),
        ),
        (
            "safes-operations-post-response.solana-prepare.json",
            Response(response::<Prepared>),
        ),
        (
            "safes-operations-post-response.transfer-token.json",
            Response(response::<Prepared>),
        ),
        (
            "safes-operations-put-request.json",
            Request(request::<ExecuteRequest>),
        ),
        (
            "safes-operations-put-response.enable-recovery.json",
            Response(response::<Executed>),
        ),
        (
            "signin-post-request.passkeys.json",
            Request(request::<SignInRequest>),
        ),
        (
            "signin-post-response.passkeys.partial.json",
            Response(response::<AuthSession>),
        ),
        (
            "signin-post-response.with-userdata.json",
            Response(response::<AuthSession>),
        ),
        (
            "signup-get-response.7702.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "signup-get-response.passkeys-false-email.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "signup-get-response.passkeys-false.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "signup-post-request.7702.json",
            Request(request::<SignUpRequest>),
        ),
        (
            "signup-post-request.email-code.json",
            Request(request::<SignUpRequest>),
        ),
        (
            "signup-post-response.7702.json",
            Response(response::<AuthSession>),
        ),
        (
            "swap-quote-get-response.json",
            Response(response::<SwapQuote>),
        ),
        (
            "users-kyc-status-get-response.json",
            Response(response::<KycStatus>),
        ),
        (
            "users-me-address-get-response.json",
            Response(response::<WalletList>),
        ),
        (
            "users-me-addressbook-post-request.json",
            Request(request::<NewAddressBookEntry>),
        ),
        (
            "users-me-addressbook-put-request.json",
            Request(request::<AddressBookUpdate>),
        ),
        (
            "users-me-balances-get-response.aggregated.json",
            Response(response::<Balances>),
        ),
        (
            "users-me-balances-get-response.schema-default.json",
            Response(response::<Balances>),
        ),
        (
            "users-me-confirm-email-post-request.json",
            Request(request::<ConfirmEmailRequest>),
        ),
        (
            "users-me-confirm-email-post-response.json",
            Response(response::<Ack>),
        ),
        (
            "users-me-pools-get-response.json",
            Response(response::<Pools>),
        ),
        (
            "users-me-signers-get-response.json",
            Response(response::<SignerList>),
        ),
        (
            "users-me-transactions-get-response.aggregated.json",
            Response(response::<Transactions>),
        ),
        (
            "users-me-validate-email-post-request.json",
            Request(request::<ValidateEmailRequest>),
        ),
        (
            "users-me-validate-email-post-response.json",
            Response(response::<Ack>),
        ),
        (
            "well-known-webauthn-get-response.json",
            Response(response::<WellKnownWebAuthn>),
        ),
        ("ws-client-auth.json", Request(request::<ClientMessage>)),
        (
            "ws-server-auth_error.token-expired.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "ws-server-auth_success.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/auth-iframe-post-request.json",
            Request(request::<KycIframeRequest>),
        ),
        (
            "mirror/auth-iframe-post-response.idnow.json",
            Response(response::<KycIframe>),
        ),
        (
            "mirror/auth-tokens-minimal-response.json",
            Response(response::<AuthTokens>),
        ),
        (
            "mirror/automation-config-put-response.json",
            Response(response::<AutomationUpdated>),
        ),
        (
            "mirror/bcreader-api-pools-address-get-response.json",
            Response(response::<Pools>),
        ),
        (
            "mirror/bcreader-api-pools-get-response.json",
            Response(response::<Vec<Vault>>),
        ),
        (
            "mirror/bcreader-api-swap-order-create-post-request.json",
            OutOfScope(BCREADER),
        ),
        (
            "mirror/bcreader-api-swap-order-create-post-response.json",
            OutOfScope(BCREADER),
        ),
        (
            "mirror/bcreader-config-tokens-get-response.json",
            Response(response::<TokenList>),
        ),
        ("mirror/chain-config-get-response.json", OutOfScope(TENANT)),
        (
            "mirror/chain-tokens-get-response.single-chain.json",
            Response(response::<TokenList>),
        ),
        (
            "mirror/chains-get-response.json",
            Response(response::<Vec<ChainInfo>>),
        ),
        (
            "mirror/chains-get-response.sdk.json",
            Response(response::<Vec<ChainInfo>>),
        ),
        (
            "mirror/domain-kv-put-request.webhooks.json",
            OutOfScope(TENANT),
        ),
        (
            "mirror/ibexsafe-userdata-post-request.json",
            Request(request::<UserDataWrite>),
        ),
        (
            "mirror/operation.morpho-supply.sdk.json",
            Request(request::<Operation>),
        ),
        (
            "mirror/operation.morpho-withdraw.sdk.json",
            Request(request::<Operation>),
        ),
        (
            "mirror/operation.route-from-quote.sdk.json",
            Request(request::<Operation>),
        ),
        (
            "mirror/recovery-status-get-response.v1.2.json",
            Response(response::<RecoveryStatus>),
        ),
        (
            "mirror/refresh-post-request.json",
            Request(request::<RefreshRequest>),
        ),
        (
            "mirror/refresh-post-response.json",
            Response(response::<AuthTokens>),
        ),
        (
            "mirror/safes-operations-batch-execute-put-request.json",
            Request(request::<BatchExecuteRequest>),
        ),
        (
            "mirror/safes-operations-batch-execute-put-response.json",
            Response(response::<BatchExecuted>),
        ),
        // Its second recipient `0x9E8f0F6dF7dD…1234` is hand-written mixed case with a wrong
        // EIP-55 checksum: sending it would risk a typo'd address, so the client refuses it.
        (
            "mirror/safes-operations-batch-intent-post-request.json",
            Rejected(request::<BatchIntentRequest>, "invalid EIP-55 checksum"),
        ),
        (
            "mirror/safes-operations-batch-intent-post-response.json",
            Response(response::<Prepared>),
        ),
        (
            "mirror/safes-operations-post-request.add-owner.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.bitcoin-send.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.cancel-recovery.llms.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.change-threshold.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.enable-recovery.identity.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.hyperliquid-deposit.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.remove-owner.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.sign-message.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.swap-from-quote.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.transfer-native-xdai.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.transfer-token-eoa7702.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-request.transfer-token-erc20.json",
            Request(request::<PrepareRequest>),
        ),
        (
            "mirror/safes-operations-post-response.batchid.json",
            Response(response::<Prepared>),
        ),
        (
            "mirror/safes-operations-post-response.batchid.sdk.json",
            Response(response::<Prepared>),
        ),
        (
            "mirror/safes-operations-post-response.llms.json",
            Response(response::<Prepared>),
        ),
        (
            "mirror/safes-operations-put-request.full.json",
            Request(request::<ExecuteRequest>),
        ),
        (
            "mirror/safes-operations-put-request.json",
            Request(request::<ExecuteRequest>),
        ),
        (
            "mirror/safes-operations-put-response.eoa7702.json",
            Response(response::<Executed>),
        ),
        (
            "mirror/safes-operations-put-response.llms.json",
            Response(response::<Executed>),
        ),
        (
            "mirror/safes-operations-put-response.safe4337.json",
            Response(response::<Executed>),
        ),
        (
            "mirror/safes-operations-status-get-response.json",
            Response(response::<OperationState>),
        ),
        (
            "mirror/safes-wallets-post-request.json",
            Request(request::<DeriveRequest>),
        ),
        (
            "mirror/safes-wallets-post-response.json",
            Response(response::<SafeWallets>),
        ),
        (
            "mirror/sepa-iban-add-post-response.direct.sdk.json",
            Response(response::<Envelope<IbanAdded>>),
        ),
        (
            "mirror/sepa-iban-add-post-response.json",
            Response(response::<Envelope<IbanAdded>>),
        ),
        (
            "mirror/sepa-iban-add-post-response.webauthn.json",
            Response(response::<Envelope<IbanAdded>>),
        ),
        (
            "mirror/sepa-iban-add-put-response.json",
            Response(response::<Envelope<IbanConfirmed>>),
        ),
        (
            "mirror/sepa-iban-get-response.json",
            Response(response::<Envelope<Vec<SepaIban>>>),
        ),
        (
            "mirror/sepa-iban-get-response.sdk.json",
            Response(response::<Envelope<Vec<SepaIban>>>),
        ),
        (
            "mirror/sepa-iban-modify-patch-response.json",
            Response(response::<Envelope<IbanLabel>>),
        ),
        (
            "mirror/sepa-mandates-post-request.json",
            Request(request::<MandateRequest>),
        ),
        (
            "mirror/sepa-mandates-post-request.trigger-all.json",
            Request(request::<MandateRequest>),
        ),
        (
            "mirror/sepa-mandates-post-response.json",
            Response(response::<MandateCreated>),
        ),
        (
            "mirror/sepa-mandates-status-patch-request.json",
            Rejected(request::<MandateStatusChange>, "unknown variant"),
        ),
        (
            "mirror/sepa-payments-post-request.json",
            Request(request::<PaymentRequest>),
        ),
        (
            "mirror/sepa-payments-post-response.json",
            Response(response::<Envelope<Approval>>),
        ),
        (
            "mirror/sepa-payments-put-request.json",
            Request(request::<ApprovalConfirmation>),
        ),
        (
            "mirror/sepa-payments-put-response.json",
            Response(response::<Envelope<PaymentConfirmed>>),
        ),
        (
            "mirror/sepa-transactions-get-response.json",
            Response(response::<SepaTransactions>),
        ),
        (
            "mirror/sepa-transactions-get-response.sdk.json",
            Response(response::<SepaTransactions>),
        ),
        (
            "mirror/signin-get-response.email.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signin-get-response.kdf.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signin-get-response.llms.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signin-get-response.passkeys.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signin-get-response.passkeys.sdk.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signin-post-request.enrichment.json",
            Request(request::<SignInRequest>),
        ),
        (
            "mirror/signin-post-response.email.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signin-post-response.kdf.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signin-post-response.passkey-enriched.sdk.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signin-post-response.passkey-full.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signup-get-response.email.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signup-get-response.kdf.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signup-get-response.passkeys.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signup-get-response.prf.json",
            Response(response::<AuthChallenge>),
        ),
        (
            "mirror/signup-post-response.email-validated.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signup-post-response.kdf.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/signup-post-response.passkey.json",
            Response(response::<AuthSession>),
        ),
        (
            "mirror/users-me-address-get-response.full.json",
            Response(response::<WalletList>),
        ),
        (
            "mirror/users-me-address-get-response.include-derived.json",
            Response(response::<WalletList>),
        ),
        (
            "mirror/users-me-address-get-response.sdk.json",
            Response(response::<WalletList>),
        ),
        (
            "mirror/users-me-addressbook-get-response.json",
            Response(response::<AddressBook>),
        ),
        (
            "mirror/users-me-addressbook-post-request.json",
            Request(request::<NewAddressBookEntry>),
        ),
        (
            "mirror/users-me-chainid-get-response.json",
            Response(response::<UserChains>),
        ),
        ("mirror/users-me-get-response.json", Response(frame::<Me>)),
        (
            "mirror/users-me-get-response.llms.json",
            Response(frame::<Me>),
        ),
        (
            "mirror/users-me-get-response.partial-failure.json",
            Response(frame::<Me>),
        ),
        (
            "mirror/users-me-operations-get-response.json",
            Response(response::<OperationHistory>),
        ),
        (
            "mirror/users-me-operations-get-response.sdk.json",
            Response(response::<OperationHistory>),
        ),
        (
            "mirror/users-me-post-request.delete-key.json",
            Request(request::<UserDataWrite>),
        ),
        (
            "mirror/users-me-post-request.json",
            Request(request::<UserDataWrite>),
        ),
        (
            "mirror/users-me-post-response.json",
            Response(response::<Ack>),
        ),
        (
            "mirror/users-me-signers-get-response.sdk.json",
            Response(response::<SignerList>),
        ),
        (
            "mirror/users-me-tokens-get-response.grouped.json",
            Response(response::<TokenList>),
        ),
        (
            "mirror/users-me-tokens-get-response.sdk.json",
            Response(response::<TokenList>),
        ),
        (
            "mirror/users-me-tokens-get-response.single-chain.json",
            Response(response::<TokenList>),
        ),
        (
            "mirror/users-me-wallets-global-post-request.json",
            Request(request::<DeriveRequest>),
        ),
        (
            "mirror/users-me-wallets-global-post-response.json",
            Response(response::<GlobalWallets>),
        ),
        (
            "mirror/ws-client-auth.json",
            Request(request::<ClientMessage>),
        ),
        (
            "mirror/ws-client-get_balance.json",
            Request(request::<ClientMessage>),
        ),
        (
            "mirror/ws-client-get_transactions.json",
            Request(request::<ClientMessage>),
        ),
        (
            "mirror/ws-server-auth_error.already-connected.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-auth_error.token-expired.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-auth_success.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-balance_data.initial.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-balance_data.request.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-balance_update.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-chainid_data.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-connection_success.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-envelope.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-error.balance-fetch-failed.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-fiat_balance_update.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-fiat_transaction_update.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-new_transaction.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-recovery_data.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-transaction_data.initial.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-transaction_data.request.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-user_data.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-user_iban_updated.json",
            Response(frame::<ServerFrame>),
        ),
        (
            "mirror/ws-server-user_ky_updated.json",
            Response(frame::<ServerFrame>),
        ),
    ]
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/examples")
}

/// Every `*.json` under the examples directory, relative, `mirror/` included.
fn fixture_files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for sub in ["", "mirror"] {
        let entries = std::fs::read_dir(dir.join(sub))
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join(sub).display()));
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                out.insert(if sub.is_empty() {
                    name
                } else {
                    format!("{sub}/{name}")
                });
            }
        }
    }
    out
}

/// A valid stand-in for documentation address placeholders.
const PLACEHOLDER_ADDRESS: &str = "0x00000000000000000000000000000000000000aa";

/// `"string"`, and `0x` text that is not 40 or 64 hex digits, are placeholders.
fn is_placeholder(s: &str) -> bool {
    if s == "string" {
        return true;
    }
    match s.strip_prefix("0x") {
        Some(hex) => !(hex.bytes().all(|b| b.is_ascii_hexdigit()) && matches!(hex.len(), 40 | 64)),
        None => false,
    }
}

/// Replaces placeholders and drops elided `"..."` members and items.
fn normalise(v: Value) -> Value {
    match v {
        Value::String(s) if is_placeholder(&s) => Value::String(PLACEHOLDER_ADDRESS.into()),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter(|i| i.as_str() != Some("..."))
                .map(normalise)
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "...")
                .map(|(k, v)| (k, normalise(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Address case is not significant on the wire (the client sends EIP-55).
fn lower_addresses(v: Value) -> Value {
    match v {
        Value::String(s) if s.len() == 42 && s.starts_with("0x") => Value::String(s.to_lowercase()),
        Value::Array(items) => Value::Array(items.into_iter().map(lower_addresses).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, lower_addresses(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn every_fixture_is_listed_and_matches_the_client_types() {
    let dir = examples_dir();
    let table = table();
    let listed: BTreeSet<String> = table.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed.len(), table.len(), "a fixture is listed twice");
    let present = fixture_files(&dir);
    let unlisted: Vec<_> = present.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&present).collect();
    assert!(
        unlisted.is_empty(),
        "fixtures not in the table: {unlisted:?}"
    );
    assert!(missing.is_empty(), "table rows without a file: {missing:?}");

    let mut failures = Vec::new();
    let (mut checked, mut out_of_scope) = (0, 0);
    for (file, check) in &table {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let raw: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
        let value = normalise(raw);
        let result = match check {
            Response(f) | Request(f) => {
                checked += 1;
                f(&value)
            }
            Rejected(f, expected) => {
                checked += 1;
                match f(&value) {
                    Err(e) if e.contains(expected) => Ok(()),
                    Err(e) => Err(format!("rejected for the wrong reason: {e}")),
                    Ok(()) => Err(format!("accepted, expected rejection ({expected})")),
                }
            }
            OutOfScope(reason) => {
                out_of_scope += 1;
                eprintln!("{file}: not checked, {reason}");
                Ok(())
            }
        };
        if let Err(e) = result {
            failures.push(format!("{file}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked > 150,
        "only {checked} fixtures checked ({out_of_scope} out of scope)"
    );
}

#[test]
fn placeholders_are_recognised_and_real_values_kept() {
    assert!(is_placeholder("0x..."));
    assert!(is_placeholder("0xSAFE000000000000000000000000000000000000"));
    assert!(is_placeholder("string"));
    assert!(!is_placeholder(
        "0xd676c6188195372EC269E9C2cAf815C56436A679"
    ));
    assert!(!is_placeholder(
        "0x6cdab85147c3472499aa9859e1af51844d853f098d57ca14baf977a83c6f7400"
    ));
    assert!(!is_placeholder("tb1q..."));
}

#[test]
fn a_field_the_types_do_not_model_is_reported() {
    let err = response::<Ack>(&serde_json::json!({ "success": true, "extra": 1 })).unwrap_err();
    assert!(err.contains(".extra"), "{err}");
    let nested = serde_json::json!({ "count": 1, "signers": [{ "id": "s", "type": "PASSKEY", "nickname": "x" }] });
    let err = response::<SignerList>(&nested).unwrap_err();
    assert!(err.contains(".signers[0].nickname"), "{err}");
}
