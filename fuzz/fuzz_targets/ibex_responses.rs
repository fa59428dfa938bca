//! Every IBEx response model, read the way the client reads a body (`ibex::decode`): any
//! bytes give a value or a `Decode` error, never a panic. The first byte picks the model.
#![no_main]

use ibex::models::account::{
    AddressBook, Balances, GlobalWallets, KybEnrollment, KycIframe, KycStatus, Me,
    OperationHistory, Pools, SignerList, TransactionRow, Transactions, UserChains, UserData,
    WalletList,
};
use ibex::models::auth::{
    AuthChallenge, AuthSession, AuthTokens, EmailRecovery, ErrorBody, SafeProvision,
    WellKnownWebAuthn,
};
use ibex::models::catalog::{ChainInfo, TokenList, Vault};
use ibex::models::operations::{
    AutomationUpdated, BatchExecuted, Executed, OperationState, Prepared, SafeWallets, SwapQuote,
};
use ibex::models::recovery::RecoveryStatus;
use ibex::models::{Ack, Health, Page};
use libfuzzer_sys::fuzz_target;

fn read<T: serde::de::DeserializeOwned>(body: &[u8]) {
    let _ = ibex::decode::<T>(body, "fuzz");
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let models: [fn(&[u8]); 35] = [
        read::<Ack>,
        read::<AddressBook>,
        read::<AuthChallenge>,
        read::<AuthSession>,
        read::<AuthTokens>,
        read::<AutomationUpdated>,
        read::<Balances>,
        read::<BatchExecuted>,
        read::<EmailRecovery>,
        read::<ErrorBody>,
        read::<Executed>,
        read::<GlobalWallets>,
        read::<Health>,
        read::<KybEnrollment>,
        read::<KycIframe>,
        read::<KycStatus>,
        read::<Me>,
        read::<OperationHistory>,
        read::<OperationState>,
        read::<Page<TransactionRow>>,
        read::<Pools>,
        read::<Prepared>,
        read::<RecoveryStatus>,
        read::<SafeProvision>,
        read::<SafeWallets>,
        read::<SignerList>,
        read::<SwapQuote>,
        read::<TokenList>,
        read::<Transactions>,
        read::<UserChains>,
        read::<UserData>,
        read::<Vec<ChainInfo>>,
        read::<Vec<Vault>>,
        read::<WalletList>,
        read::<WellKnownWebAuthn>,
    ];
    models[pick as usize % models.len()](body);
});
