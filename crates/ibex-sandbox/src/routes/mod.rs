//! The HTTP surface: documented API routes (with fault injection) plus `/__sandbox` test routes,
//! all counted.

pub mod auth;
mod bcreader;
mod catalog;
mod defi;
mod derived;
pub mod extract;
pub(crate) mod rpc;
mod safes;
mod sandbox;
mod sepa;
mod sign_in_extras;
pub mod swaps;
pub mod userdata;
pub mod users;
mod verify;

use axum::routing::{delete, get, patch, post, put};
use axum::{middleware, Json, Router};
use serde_json::{json, Value};

use crate::clock::iso;
use crate::state::Shared;
use crate::{counters, faults, ws};

pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route(
            "/v1.2/auth/sign-up",
            get(auth::sign_up_options).post(auth::sign_up),
        )
        .route(
            "/v1.2/auth/sign-in",
            get(auth::sign_in_options).post(auth::sign_in),
        )
        .route("/v1.2/auth/sign-in/data/{id}", get(sign_in_extras::data))
        .route(
            "/v1.2/auth/sign-in/safe-provision",
            post(sign_in_extras::provision),
        )
        .route("/v1.2/auth/refresh", post(auth::refresh))
        .route("/v1.2/auth/email/recover", post(auth::email_recover))
        .route("/v1.2/auth/wallet-challenge", post(auth::wallet_challenge))
        .route("/v1.2/auth/wallet-signin", post(auth::wallet_sign_in))
        .route("/v1.2/auth/iframe", post(users::iframe))
        .route("/v1.2/auth/enroll", post(users::enroll))
        .route("/v1.2/users/me", get(users::me).post(users::write_me))
        .route("/v1.2/users/me/address", get(users::address))
        .route("/v1.2/users/me/balances", get(users::balances))
        .route("/v1.2/users/me/transactions", get(users::transactions))
        .route("/v1.2/users/me/pools", get(defi::pools))
        .route("/v1.2/users/me/lending", get(defi::lending))
        .route("/v1.2/users/me/tokens", get(users::tokens))
        .route("/v1.2/users/me/signers", get(users::signers))
        .route("/v1.2/users/me/ibans", get(users::ibans))
        .route("/v1.2/users/me/chainid", get(users::chainid))
        .route("/v1.2/users/me/operations", get(users::operations))
        .route(
            "/v1.2/users/me/validate-email",
            post(verify::validate_email),
        )
        .route("/v1.2/users/me/confirm-email", post(verify::confirm_email))
        .route("/v1.2/users/me/validate-sms", post(verify::validate_sms))
        .route("/v1.2/users/me/confirm-sms", post(verify::confirm_sms))
        .route(
            "/v1.2/users/me/addressbook",
            get(users::addressbook).post(users::addressbook_create),
        )
        .route(
            "/v1.2/users/me/addressbook/{id}",
            put(users::addressbook_update).delete(users::addressbook_delete),
        )
        .route(
            "/v1.2/users/me/addressbook/{id}/crypto",
            post(users::addressbook_add_crypto),
        )
        .route(
            "/v1.2/users/me/addressbook/{id}/crypto/{chain}/{address}",
            delete(users::addressbook_delete_crypto),
        )
        .route(
            "/v1.2/users/me/addressbook/{id}/ibans/{iban}",
            delete(users::addressbook_delete_iban),
        )
        .route("/v1.2/users/kyc/status", get(users::kyc_status))
        .route("/v1.2/users/me/wallets/global", post(derived::global))
        .route("/v1.2/safes/{safe}/wallets", post(derived::per_safe))
        .route(
            "/v1.2/safes/operations/batch/{id}/status",
            get(safes::batch_status),
        )
        .route("/v1.2/ibexsafe/userdata/external/{id}", get(userdata::read))
        .route("/v1.2/ibexsafe/userdata", post(userdata::write))
        .route("/v1.1/ibexsafe/userdata", post(userdata::write))
        .route(
            "/v1.2/safes/{safe}/automation-module/config",
            put(safes::automation_config),
        )
        .route("/v1.2/chains/", get(catalog::chains))
        .route("/v1.2/chains", get(catalog::chains))
        .route("/v1.2/chain/tokens", get(catalog::chain_tokens))
        .route("/v1.2/safes/vaults", get(defi::vaults))
        .route(
            "/v1.2/safes/operations",
            post(safes::prepare).put(safes::execute),
        )
        .route(
            "/v1.1/safes/operations",
            post(safes::prepare).put(safes::execute),
        )
        .route("/v1.2/safes/operations/intent", post(safes::prepare))
        .route(
            "/v1.2/safes/operations/batch-intent",
            post(safes::batch_intent),
        )
        .route("/v1.2/safes/operations/batch-execute", put(safes::execute))
        .route("/v1.2/safes/operations/{hash}/status", get(safes::status))
        .route("/v1.2/safes/swap/quote", get(swaps::quote))
        .route("/v1.2/safes/quote", get(swaps::quote))
        .route("/v1.2/safes/routes/capabilities", get(swaps::capabilities))
        .route("/v1.2/safes/routes/quote", post(swaps::route_quote))
        .route("/v1.2/safes/routes/{id}/status", get(swaps::route_status))
        .route("/v1.2/recovery/status/{safe}", get(safes::recovery_status))
        .route("/v1.1/recovery/status/{safe}", get(safes::recovery_status))
        .route("/v1.2/safes/bitcoin/info", get(safes::bitcoin_info))
        .route("/v1.2/safes/bitcoin/fees", get(safes::bitcoin_fees))
        .route("/v1.2/safes/bitcoin/utxos", get(safes::bitcoin_utxos))
        .route(
            "/v1.2/safes/bitcoin/send/prepare",
            post(safes::bitcoin_prepare),
        )
        .route(
            "/v1.2/safes/bitcoin/psbt/build",
            post(safes::not_implemented),
        )
        .route(
            "/v1.2/safes/bitcoin/tx/broadcast",
            post(safes::bitcoin_broadcast),
        )
        .route("/v1.1/bcreader/balances", get(bcreader::native_balance))
        .route("/v1.1/bcreader/v1.1/balances", get(bcreader::balances))
        .route("/v1.2/bcreader/v1.1/balances", get(bcreader::balances))
        .route(
            "/v1.2/bcreader/v1.1/balances/{address}",
            get(bcreader::address_balance),
        )
        .route("/v1.1/bcreader/transactions", get(bcreader::transactions))
        .route("/v1.2/bcreader/transactions", get(bcreader::transactions))
        .route("/v1.1/bcreader/pools", get(bcreader::pools))
        .route("/v1.2/bcreader/pools", get(bcreader::pools))
        .route(
            "/v1.1/bcreader/pools/{address}",
            get(bcreader::address_pools),
        )
        .route(
            "/v1.2/bcreader/pools/{address}",
            get(bcreader::address_pools),
        )
        .route(
            "/v1.2/sepa/iban/add",
            post(sepa::iban_add).put(sepa::iban_add_confirm),
        )
        .route("/v1.2/sepa/iban/modify", patch(sepa::iban_modify))
        .route("/v1.2/sepa/iban", get(sepa::iban_list))
        .route(
            "/v1.2/sepa/payments",
            post(sepa::payment_intent).put(sepa::payment_confirm),
        )
        .route("/v1.2/sepa/transactions", get(sepa::transactions))
        .route("/v1.2/sepa/transactions/{id}", get(sepa::transaction))
        .route(
            "/v1.2/sepa/mandates",
            post(sepa::mandate_create).get(sepa::mandate_list),
        )
        .route("/v1.2/sepa/mandates/{id}", get(sepa::mandate_get))
        .route(
            "/v1.2/sepa/mandates/{id}/status",
            patch(sepa::mandate_status),
        )
        .route(
            "/v1.2/sepa/mandates/{id}/cancel",
            post(sepa::mandate_cancel),
        )
        .route("/v1.2/iban/transactions", get(sepa::iban_not_implemented))
        .route("/v1.2/iban/balances", get(sepa::iban_not_implemented))
        .route("/v1.2/iban/revoke", post(sepa::iban_not_implemented))
        .route("/{chain}/rpc", post(rpc::rpc))
        .route("/ws", get(ws::upgrade))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));

    let test = Router::new()
        .route("/health", get(health))
        .route("/.well-known/webauthn", get(well_known))
        .route("/__sandbox/counters", get(sandbox::counters))
        .route("/__sandbox/clock", get(sandbox::clock))
        .route("/__sandbox/clock/advance", post(sandbox::advance))
        .route(
            "/__sandbox/faults",
            get(sandbox::faults)
                .post(sandbox::set_faults)
                .delete(sandbox::clear_faults),
        )
        .route("/__sandbox/mailbox/{email}", get(sandbox::mailbox))
        .route("/__sandbox/recovery/start", post(sandbox::start_recovery))
        .route("/__sandbox/session", post(sandbox::session))
        .route("/__sandbox/ledger/transfers", post(sandbox::seed_transfers))
        .route("/__sandbox/ledger/{safe}", get(sandbox::ledger_of))
        .route("/__sandbox/blank", get(sandbox::blank))
        .route("/__sandbox/wallet/sign", post(sandbox::wallet_sign))
        .route("/__sandbox/vaults", post(defi::control_vault))
        .route("/__sandbox/market", post(defi::shock))
        .route("/__sandbox/sepa", post(sepa::control))
        .route("/__sandbox/sepa/incoming", post(sepa::incoming))
        .route("/__sandbox/sepa/accounts", post(sepa::external_account));

    api.merge(test)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            counters::count,
        ))
        .with_state(state)
}

/// `GET /health` → `{"status":"ok","timestamp":"<RFC 3339>"}` (docs/api/README.md §1), on the sandbox clock.
async fn health(axum::extract::State(state): axum::extract::State<Shared>) -> Json<Value> {
    Json(json!({ "status": "ok", "timestamp": iso(state.now()) }))
}

/// Related Origin Requests list (docs/api/README.md §3): the explicitly allowed origins.
async fn well_known(axum::extract::State(state): axum::extract::State<Shared>) -> Json<Value> {
    Json(json!({ "origins": state.settings.origins.allowed }))
}
