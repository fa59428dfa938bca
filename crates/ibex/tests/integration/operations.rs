//! Safe operations end to end with a software passkey: prepare → sign → execute → status,
//! batches, recovery, swaps, Bitcoin and Solana.

use std::sync::Arc;
use std::time::Duration;

use ibex::models::account::Scope;
use ibex::models::bitcoin::{BitcoinSend, BroadcastRequest, Network};
use ibex::models::operations::{
    BatchExecuteRequest, BatchIntentRequest, ExecuteRequest, Operation, OperationStatus,
    PrepareRequest, Prepared, SwapQuoteRequest,
};
use ibex::models::ChainId;
use ibex::{Address, Decimal, Error, MemoryStore, Session, SessionConfig};
use ibex_sandbox::SandboxConfig;
use passkey_soft::Authenticator;

use crate::auth::{credential, passkey_user};
use crate::harness::{Harness, ORIGIN};

pub(crate) struct User {
    pub(crate) session: Session,
    pub(crate) authenticator: Authenticator,
    pub(crate) safe: Address,
    pub(crate) chain: ChainId,
}

pub(crate) async fn user(h: &Harness) -> User {
    let (client, authenticator, auth) = passkey_user(h).await;
    assert!(auth.safe_address.is_some());
    let session = Session::start(
        client,
        Arc::new(MemoryStore::new()),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    // Right after sign-up the wallet is still being created (204): `address` retries.
    let wallets = session.address(false).await.unwrap();
    let wallet = &wallets.wallets[0];
    let (safe, chain) = (wallet.safe_address, wallet.chain_ids[0]);
    User {
        session,
        authenticator,
        safe,
        chain,
    }
}

impl User {
    pub(crate) fn sign(&self, prepared: &Prepared) -> ibex::models::webauthn::Credential {
        self.sign_options(&prepared.credential_request_options)
    }

    /// An assertion over any WebAuthn request options (SEPA approvals too).
    pub(crate) fn sign_options(
        &self,
        options: &ibex::models::webauthn::WebAuthnOptions,
    ) -> ibex::models::webauthn::Credential {
        let options = options.for_authenticator();
        credential(self.authenticator.get(&options, ORIGIN).unwrap())
    }

    pub(crate) async fn run(&self, operations: Vec<Operation>) -> String {
        self.run_on(self.chain, operations).await
    }

    /// Prepares, signs and executes `operations` on `chain`; returns the userOpHash.
    pub(crate) async fn run_on(&self, chain: ChainId, operations: Vec<Operation>) -> String {
        let mut body = PrepareRequest::new(self.safe, operations);
        body.chain_id = Some(chain);
        let prepared = self.session.prepare(&body).await.unwrap();
        let executed = self
            .session
            .execute(&ExecuteRequest {
                credential: self.sign(&prepared),
                chain_id: Some(chain),
            })
            .await
            .unwrap();
        if let Some(hash) = prepared.user_op_hash() {
            assert_eq!(hash, executed.user_op_hash);
        }
        executed.user_op_hash
    }

    /// A token the Safe holds on its chain, with its decimals.
    async fn held_token(&self) -> (Address, u8) {
        let balances = self
            .session
            .balances(&Scope {
                chain_id: Some(self.chain),
                ..Default::default()
            })
            .await
            .unwrap();
        balances.crypto[&self.chain.to_string()]
            .values()
            .flat_map(|w| w.tokens.iter())
            .find(|t| t.balance.to_base_units(t.decimals.unwrap_or(18)).unwrap() > 0)
            .map(|t| (t.token_address.unwrap(), t.decimals.unwrap_or(18)))
            .expect("the seeded Safe holds a token")
    }
}

/// New wallets answer 204 for 300 ms: short, but long enough to exercise the retry.
pub(crate) fn wallet_ready_soon() -> SandboxConfig {
    SandboxConfig {
        address_ready: Duration::from_millis(300),
        ..Default::default()
    }
}

fn recipient() -> Address {
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        .parse()
        .unwrap()
}

#[tokio::test]
async fn transfer_is_signed_executed_and_confirmed() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    let (token, _) = u.held_token().await;
    let hash = u
        .run(vec![Operation::TransferToken {
            token_address: token.into(),
            to: recipient().into(),
            amount: "0.01".parse().unwrap(),
            decimals: None,
        }])
        .await;
    let state = u.session.operation_status(&hash).await.unwrap();
    assert!(
        matches!(
            state.status,
            OperationStatus::Signed | OperationStatus::Executed | OperationStatus::Confirmed
        ),
        "{state:?}"
    );
    h.advance(600).await;
    let done = u
        .session
        .wait_for_operation(&hash, Duration::from_millis(20), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.status, OperationStatus::Confirmed, "{done:?}");
    let history = u.session.operation_history(None, None, None).await.unwrap();
    assert!(history.data.values().flatten().any(|op| op
        .safe_operation
        .as_ref()
        .is_some_and(|s| s.user_op_hash == hash)));
}

#[tokio::test]
async fn an_amount_beyond_the_balance_or_a_replayed_signature_is_refused() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    let (token, _) = u.held_token().await;
    let mut body = PrepareRequest::new(
        u.safe,
        vec![Operation::TransferToken {
            token_address: token.into(),
            to: recipient().into(),
            amount: "1000000000".parse().unwrap(),
            decimals: None,
        }],
    );
    body.chain_id = Some(u.chain);
    let err = u.session.prepare(&body).await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 400, .. }), "{err:?}");

    body.operations = vec![Operation::SignMessage {
        message: "hello".into(),
    }];
    let prepared = u.session.prepare(&body).await.unwrap();
    let signed = u.sign(&prepared);
    let execute = ExecuteRequest {
        credential: signed,
        chain_id: Some(u.chain),
    };
    u.session.execute(&execute).await.unwrap();
    let replay = u.session.execute(&execute).await.unwrap_err();
    assert!(
        matches!(
            replay,
            Error::Conflict { .. } | Error::Status { status: 400, .. }
        ),
        "{replay:?}"
    );
}

#[tokio::test]
async fn recovery_is_enabled_and_a_started_recovery_reports_its_deadline() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    let hash = u
        .run(vec![Operation::EnableRecovery {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            birth_date: "1990-01-01".into(),
            birth_city: "Paris".into(),
            birth_country: "France".into(),
            new_owners: None,
            threshold: None,
        }])
        .await;
    h.advance(600).await;
    u.session
        .wait_for_operation(&hash, Duration::from_millis(20), Duration::from_secs(5))
        .await
        .unwrap();
    let status = u
        .session
        .recovery_status(&u.safe, Some(u.chain))
        .await
        .unwrap();
    assert!(status.recovery_enabled, "{status:?}");
    assert!(!status.pending_recovery);
    h.start_recovery(&u.safe.to_string()).await;
    let pending = u
        .session
        .recovery_status(&u.safe, Some(u.chain))
        .await
        .unwrap();
    assert!(pending.pending_recovery);
    assert!(pending.execute_after.is_some());
    u.run(vec![Operation::CancelRecovery]).await;
}

#[tokio::test]
async fn batches_swaps_bitcoin_and_solana() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;

    let batch = BatchIntentRequest {
        prepare: PrepareRequest {
            chain_id: Some(u.chain),
            ..PrepareRequest::new(
                u.safe,
                vec![
                    Operation::SignMessage {
                        message: "one".into(),
                    },
                    Operation::ChangeThreshold { threshold: 1 },
                ],
            )
        },
        idempotency_key: Some("k-1".into()),
        options: None,
    };
    let intent = u.session.batch_intent(&batch).await.unwrap();
    let executed = u
        .session
        .batch_execute(&BatchExecuteRequest {
            batch_id: intent.batch_id.clone().expect("batch id"),
            credential: u.sign(&intent),
        })
        .await
        .unwrap();
    assert!(!executed.user_op_hash.is_empty());
    let batch = u
        .session
        .batch_status(intent.batch_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(batch.batch_id, intent.batch_id.clone().unwrap());

    let tokens = u.session.tokens(Some(u.chain)).await.unwrap();
    let all = tokens.tokens();
    let (sell, _) = u.held_token().await;
    let buy = all.iter().find(|t| t.address != sell).expect("two tokens");
    let quote = u
        .session
        .swap_quote(&SwapQuoteRequest {
            sell_token_address: sell,
            buy_token_address: buy.address,
            amount: "0.01".parse().unwrap(),
            chain_id: Some(u.chain),
            safe_address: Some(u.safe),
            provider: None,
        })
        .await
        .unwrap();
    assert!(quote.buy_amount.to_base_units(buy.decimals).unwrap() > 0);

    let info = u
        .session
        .bitcoin_info(Some(Network::Testnet))
        .await
        .unwrap();
    assert_eq!(info.network, Network::Testnet);
    let fees = u.session.bitcoin_fees(None).await.unwrap();
    assert!(fees.fee_rate_sat_vb.fast.as_str().parse::<u64>().unwrap() > 0);
    // The signer's derived testnet P2WPKH address holds the sandbox's coins.
    let wallets = u.session.address(true).await.unwrap();
    let from = wallets.wallets[0]
        .derived
        .as_ref()
        .and_then(|d| d.global.as_ref())
        .into_iter()
        .flat_map(|g| g.eoa_addresses.iter())
        .find(|a| a.family == "BITCOIN_P2WPKH_TESTNET")
        .map(|a| a.address.clone())
        .expect("a derived testnet Bitcoin address");
    let from = from.as_str();
    assert!(from.starts_with("tb1q"), "{from}");
    let utxos = u
        .session
        .bitcoin_utxos(from, Some(Network::Testnet))
        .await
        .unwrap();
    assert!(!utxos.utxos.is_empty());
    let send = BitcoinSend {
        from: from.into(),
        to: from.into(),
        amount_sat: Some(50_000),
        send_all: None,
        fee_profile: Some("standard".into()),
        network: Some(Network::Testnet),
        external_fee_sponsor: None,
    };
    let plan = u.session.bitcoin_send_prepare(&send).await.unwrap();
    assert_eq!(plan.amount_sat, 50_000);
    let mut op = PrepareRequest::new(u.safe, vec![Operation::BitcoinSend(send)]);
    op.chain_id = Some(u.chain);
    let prepared = u.session.prepare(&op).await.unwrap();
    assert!(prepared.prepared.and_then(|p| p.bitcoin).is_some());
    let tx = u
        .session
        .bitcoin_broadcast(&BroadcastRequest {
            rawtx: "0200000001".into(),
            network: Some(Network::Testnet),
        })
        .await
        .unwrap();
    assert!(!tx.txid.is_empty());

    let solana = u
        .session
        .solana(
            u.safe,
            u.chain,
            Operation::SolanaPrepare {
                instructions: vec!["AQID".into()],
                payer: "5tUYndEfq8hFwsQTtcwg9Zugu4hPf6sw6sggrXkSpWn3".into(),
                recent_blockhash: "GHtXQBsoZHVnNFa9YevAzFr17DJjgHXk3ycTKD5xD3Zi".into(),
                last_valid_block_height: 265_000_000,
                compute_unit_price_micro_lamports: None,
                compute_unit_limit: None,
                sponsored: None,
            },
        )
        .await
        .unwrap();
    let meta = solana.prepared.and_then(|p| p.meta).expect("solana meta");
    assert_eq!(meta.expires_at_block, 265_000_000);
    let not_solana = u
        .session
        .solana(u.safe, u.chain, Operation::CancelRecovery)
        .await;
    assert!(matches!(not_solana, Err(Error::Invalid(_))));
    let _: Decimal = "1".parse().unwrap();
}

/// Every operation type the sandbox implements is accepted as the client serialises it, and
/// an expired quote is a conflict (410), not a generic failure.
#[tokio::test]
async fn every_supported_operation_type_is_prepared() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let wallets = auth.safe_address.unwrap();
    let (chain, safe) = wallets
        .get("421614")
        .map(|s| ("421614".to_owned(), *s))
        .unwrap_or_else(|| wallets.into_iter().next().unwrap());
    let chain = ChainId(chain.parse().unwrap());
    let balances = session
        .balances(&Scope {
            chain_id: Some(chain),
            ..Default::default()
        })
        .await
        .unwrap();
    let held = balances.crypto[&chain.to_string()]
        .values()
        .flat_map(|w| w.tokens.iter())
        .find(|t| t.balance.to_base_units(t.decimals.unwrap_or(18)).unwrap() > 0)
        .cloned()
        .expect("a held token");
    let token = held.token_address.unwrap();
    let symbol = held.symbol.clone().unwrap();
    let tokens = session.tokens(Some(chain)).await.unwrap();
    let other = tokens
        .tokens()
        .into_iter()
        .find(|t| t.address != token)
        .cloned()
        .expect("a second token");
    let quote = session
        .swap_quote(&SwapQuoteRequest {
            sell_token_address: token,
            buy_token_address: other.address,
            amount: "0.001".parse().unwrap(),
            chain_id: Some(chain),
            safe_address: Some(safe),
            provider: Some("COWSWAP".into()),
        })
        .await
        .unwrap();
    let small: Decimal = "0.001".parse().unwrap();
    let mut operations = vec![
        Operation::TransferToken {
            token_address: token.into(),
            to: recipient().into(),
            amount: small.clone(),
            decimals: held.decimals,
        },
        Operation::SignMessage {
            message: "hello".into(),
        },
        Operation::AddOwner {
            owner: recipient(),
            threshold: 1,
        },
        Operation::ChangeThreshold { threshold: 1 },
        Operation::EnableAutomationModule {
            config: ibex::models::operations::AutomationConfig {
                target_address: Some(recipient()),
                mode: Some("PERCENT_OF_RECEIVED".into()),
                percentage: Some("25".parse().unwrap()),
                ..Default::default()
            },
        },
        Operation::AaveSupply {
            amount: small.clone(),
            asset_ticker: Some(symbol.clone()),
            token_address: None,
            decimals: None,
            referral_code: None,
            pool_address: None,
        },
        Operation::AaveSupply {
            amount: small.clone(),
            asset_ticker: None,
            token_address: Some(token),
            decimals: held.decimals,
            referral_code: Some(0),
            pool_address: None,
        },
        Operation::SwapFromQuote {
            quote_id: quote.quote_id.clone(),
            slippage: Some("0.5".parse().unwrap()),
            order_uid: None,
            aggregator: None,
            calldata: None,
            min_out: None,
            deadline: None,
        },
        Operation::MoneriumCreateIban,
        Operation::EnableRecovery {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            birth_date: "1990-01-01".into(),
            birth_city: "Paris".into(),
            birth_country: "France".into(),
            new_owners: None,
            threshold: None,
        },
    ];
    if let Some(eure) = tokens.tokens().into_iter().find(|t| t.symbol == "EURe") {
        assert!(eure.decimals > 0);
        operations.push(Operation::TransferEure {
            to: recipient(),
            amount: small.clone(),
        });
    }
    for operation in operations {
        let kind = serde_json::to_value(&operation).unwrap()["type"].clone();
        let mut body = PrepareRequest::new(safe, vec![operation]);
        body.chain_id = Some(chain);
        let prepared = session
            .prepare(&body)
            .await
            .unwrap_or_else(|e| panic!("{kind} refused: {e}"));
        assert!(
            prepared.credential_request_options.challenge.is_some(),
            "{kind}: no challenge"
        );
    }

    // Operations the Safe's state forbids are refused by validation, not silently built.
    for refused in [
        Operation::RemoveOwner {
            owner: recipient(),
            threshold: 1,
        },
        Operation::AaveWithdraw {
            amount: small.clone(),
            asset_ticker: Some(symbol.clone()),
            token_address: None,
            decimals: None,
            pool_address: None,
        },
    ] {
        let mut body = PrepareRequest::new(safe, vec![refused]);
        body.chain_id = Some(chain);
        let err = session.prepare(&body).await.unwrap_err();
        assert!(matches!(err, Error::Status { status: 400, .. }), "{err:?}");
    }

    h.advance(3600).await;
    let mut stale = PrepareRequest::new(
        safe,
        vec![Operation::SwapFromQuote {
            quote_id: quote.quote_id,
            slippage: None,
            order_uid: None,
            aggregator: None,
            calldata: None,
            min_out: None,
            deadline: None,
        }],
    );
    stale.chain_id = Some(chain);
    let err = session.prepare(&stale).await.unwrap_err();
    assert!(
        matches!(err, Error::Conflict { status: 410, .. }),
        "{err:?}"
    );
}
