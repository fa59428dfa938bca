//! Routes in flight, tracked like operations: filed in the settings store when the source leg
//! is approved, followed until they arrive or fail — after a reload or a restart too (resumed
//! when the network opens) — and what arrived compared with the quote. Activity lists them.
//!
//! IBEx's route status says *that* a route arrived, not *what* arrived (docs/api/operations.md
//! §5: `{ routeId, status, mode, sourceUserOpHash, transactionHash }`). What the bridge
//! credited is read from the Safe's history on the destination chain: the incoming row of the
//! bought token that was not there when the route was approved (the status's
//! `transactionHash`, when it names one of them, is taken first).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ibex::models::account::{Direction, Scope, TransactionFilter, TransactionRow};
use ibex::models::ChainId;
use ibex::{Address, Decimal, Session};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::{describe, RouteStatus, RouteUpdate};
use crate::events::{CoreEvent, EventSink};
use crate::live::Signal;
use crate::operations::RouteFacts;
use crate::store::KvStore;
use crate::swap::SwapToken;
use crate::sync::lock;

/// One run of following a route lasts this long (a bridge may take a while); a route still on
/// its way is followed again at the next start, until [`GIVE_UP_S`].
const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A route not arrived a day after its approval is no longer followed (Activity shows it).
const GIVE_UP_S: i64 = 24 * 3600;
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// How often the destination history is read for the credit once the route says it arrived
/// (IBEx indexes a transaction a few seconds after it lands).
const CREDIT_READS: u32 = 6;
/// Finished routes kept for Activity, per network.
const KEPT_FINISHED: usize = 20;
/// Incoming rows read to tell the bridge's credit from what was there before.
const HISTORY_ROWS: u32 = 50;

/// A route whose source leg was approved, as Activity shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteFlight {
    pub route_id: String,
    /// The source operation's userOpHash.
    pub user_op_hash: String,
    /// The Safe it left from (EIP-55).
    #[specta(type = String)]
    pub safe: Address,
    pub provider: String,
    pub source_chain_id: u32,
    pub destination_chain_id: u32,
    pub sell: SwapToken,
    /// Exactly what left the Safe.
    pub sell_amount: String,
    pub buy: SwapToken,
    /// What the quote said arrives (IBEx's route quote states no minimum).
    pub quoted: String,
    /// When the source leg was approved (RFC 3339, IBEx's clock).
    pub approved_at: String,
    pub status: RouteStatus,
    /// What the bridge credited, once the route arrived and the history shows it.
    pub arrival: Option<Arrival>,
    /// Why it failed, when it did.
    pub error: Option<String>,
}

/// What arrived on the destination chain, compared with the quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Arrival {
    /// Exactly what was credited (decimal text in whole tokens).
    pub amount: String,
    /// The destination chain's transaction that credited it.
    pub tx_hash: Option<String>,
    /// How much less than quoted arrived (exact), when less; `None`: at least the quote.
    pub shortfall: Option<String>,
}

/// A flight as filed: what Activity shows, and what following it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Filed {
    pub flight: RouteFlight,
    /// The account it was approved for.
    pub account: String,
    /// Unix seconds on IBEx's clock at approval.
    pub approved: i64,
    /// The incoming rows of the bought token on the destination chain before the route
    /// arrived (`None`: not read yet).
    #[serde(default)]
    pub seen: Option<Vec<String>>,
}

impl Filed {
    /// The flight of a route approved at `approved` (Unix seconds, IBEx's clock).
    pub fn new(
        facts: &RouteFacts,
        user_op_hash: &str,
        safe: Address,
        account: String,
        approved: i64,
    ) -> Self {
        Self {
            flight: RouteFlight {
                route_id: facts.route_id.clone(),
                user_op_hash: user_op_hash.to_owned(),
                safe,
                provider: facts.provider.clone(),
                source_chain_id: facts.source_chain_id,
                destination_chain_id: facts.destination_chain_id,
                sell: facts.sell.clone(),
                sell_amount: facts.sell_amount.clone(),
                buy: facts.buy.clone(),
                quoted: facts.buy_amount.clone(),
                approved_at: crate::operations::rfc3339(approved),
                status: RouteStatus::Created,
                arrival: None,
                error: None,
            },
            account,
            approved,
            seen: None,
        }
    }

    fn finished(&self) -> bool {
        self.flight.status.is_final()
    }
}

/// The routes of one network, in the settings store (not secret: amounts and hashes).
pub(crate) struct Flights {
    store: Arc<dyn KvStore>,
    key: String,
    guard: Mutex<()>,
}

impl Flights {
    pub fn new(store: Arc<dyn KvStore>, rp_id: &str, network: &str) -> Arc<Self> {
        Arc::new(Self {
            store,
            key: format!("routes|{rp_id}@{network}"),
            guard: Mutex::new(()),
        })
    }

    fn load(&self) -> Vec<Filed> {
        self.store
            .get(&self.key)
            .and_then(|v| match serde_json::from_value(v) {
                Ok(list) => Some(list),
                Err(e) => {
                    tracing::warn!(error = %e, "routes in flight unreadable; starting empty");
                    None
                }
            })
            .unwrap_or_default()
    }

    /// Changes the list as one step; keeps every unfinished route and the newest finished ones.
    fn edit<T>(&self, change: impl FnOnce(&mut Vec<Filed>) -> T) -> T {
        let _g = lock(&self.guard);
        let mut list = self.load();
        let out = change(&mut list);
        let mut finished = 0;
        // Newest first: the oldest finished ones go.
        list.sort_by_key(|f| std::cmp::Reverse(f.approved));
        list.retain(|f| {
            finished += usize::from(f.finished());
            !f.finished() || finished <= KEPT_FINISHED
        });
        if let Err(e) = self
            .store
            .set(&self.key, serde_json::to_value(&list).unwrap_or_default())
        {
            tracing::warn!(error = %e, "routes in flight not saved");
        }
        out
    }

    /// Files a route just approved (replacing an earlier filing of the same route).
    pub fn file(&self, filed: Filed) {
        self.edit(|list| {
            list.retain(|f| f.flight.route_id != filed.flight.route_id);
            list.push(filed);
        });
    }

    fn update(&self, route_id: &str, change: impl FnOnce(&mut Filed)) {
        self.edit(|list| {
            if let Some(f) = list.iter_mut().find(|f| f.flight.route_id == route_id) {
                change(f);
            }
        });
    }

    fn get(&self, route_id: &str) -> Option<Filed> {
        self.load()
            .into_iter()
            .find(|f| f.flight.route_id == route_id)
    }

    /// Routes still on their way, approved less than a day before `now` (IBEx's clock).
    pub fn unfinished(&self, now: i64) -> Vec<Filed> {
        self.load()
            .into_iter()
            .filter(|f| !f.finished() && now - f.approved < GIVE_UP_S)
            .collect()
    }

    /// Account `account`'s routes, newest first.
    pub fn of(&self, account: &str) -> Vec<RouteFlight> {
        let mut list: Vec<Filed> = self
            .load()
            .into_iter()
            .filter(|f| f.account == account)
            .collect();
        list.sort_by_key(|f| std::cmp::Reverse(f.approved));
        list.into_iter().map(|f| f.flight).collect()
    }
}

/// Follows a filed route until it arrives or fails, announcing each change from its source
/// leg's confirmation on (before that, the operation's own updates speak), and files what it
/// learns; once arrived, reads what was credited and compares it with the quote. The account's
/// WebSocket (a balance or transaction) wakes the check early.
pub(crate) async fn follow(
    events: Arc<dyn EventSink>,
    flights: Arc<Flights>,
    session: Session,
    route_id: String,
    mut signals: Option<broadcast::Receiver<Signal>>,
) {
    let deadline = Instant::now() + ARRIVAL_TIMEOUT;
    while Instant::now() < deadline {
        let Some(filed) = flights.get(&route_id) else {
            return;
        };
        if filed.seen.is_none() {
            // Before the bridge credits anything: what the destination history already holds.
            if let Ok(rows) = incoming(&session, &filed.flight).await {
                let hashes = rows
                    .into_iter()
                    .filter_map(|r| r.transaction_hash)
                    .collect();
                flights.update(&route_id, |f| f.seen = Some(hashes));
            }
        }
        match session.route_status(&route_id).await {
            Ok(state) => {
                let status = RouteStatus::parse(&state.status);
                if status != filed.flight.status {
                    let arrival = match status {
                        RouteStatus::DestCompleted => {
                            arrived(
                                &session,
                                &flights,
                                &route_id,
                                state.transaction_hash.as_deref(),
                            )
                            .await
                        }
                        _ => None,
                    };
                    let error = describe(&state);
                    flights.update(&route_id, |f| {
                        f.flight.status = status;
                        f.flight.arrival = arrival.clone();
                        f.flight.error = error.clone();
                    });
                    if announced(status) {
                        events.emit(CoreEvent::RouteUpdated {
                            update: RouteUpdate {
                                route_id: route_id.clone(),
                                user_op_hash: filed.flight.user_op_hash.clone(),
                                status,
                                error,
                                arrival,
                            },
                        });
                    }
                }
                if status.is_final() {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, "route status check failed"),
        }
        crate::operations::wait_for_signal(&mut signals, POLL_INTERVAL).await;
    }
    tracing::warn!(
        route_id,
        "route not arrived yet; followed again at the next start"
    );
}

/// The statuses the UI hears of: from the source leg's confirmation on, and a failure.
fn announced(status: RouteStatus) -> bool {
    !matches!(
        status,
        RouteStatus::Created | RouteStatus::SourcePrepared | RouteStatus::SourceSubmitted
    )
}

/// The Safe's incoming rows of the bought token on the destination chain, newest first.
async fn incoming(
    session: &Session,
    flight: &RouteFlight,
) -> Result<Vec<TransactionRow>, ibex::Error> {
    let chain = ChainId(u64::from(flight.destination_chain_id));
    let filter = TransactionFilter {
        scope: Scope {
            wallet_address: Some(flight.safe),
            chain_id: Some(chain),
            page: Some(1),
            limit: Some(HISTORY_ROWS),
            ..Scope::default()
        },
        kind: Some("crypto".to_owned()),
        direction: Some(Direction::In),
        token_address: Some(flight.buy.token_address),
        ..TransactionFilter::default()
    };
    let tx = session.transactions(&filter).await?;
    let mut rows = tx.data.unwrap_or_default();
    if let Some(crypto) = tx.crypto {
        rows.extend(crypto.transactions.into_values().flat_map(|p| p.data));
    }
    // Read leniently: the filters are the server's to apply; these are the rows that qualify.
    rows.retain(|r| {
        r.direction == Some(Direction::In)
            && r.token_address == Some(flight.buy.token_address)
            && r.blockchain_id.is_none_or(|c| c == chain)
    });
    Ok(rows)
}

/// What the bridge credited, read from the destination history (a few reads: IBEx indexes it
/// shortly after it lands); `None` when it does not show yet.
async fn arrived(
    session: &Session,
    flights: &Flights,
    route_id: &str,
    status_tx: Option<&str>,
) -> Option<Arrival> {
    let filed = flights.get(route_id)?;
    for attempt in 0..CREDIT_READS {
        if attempt > 0 {
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        match incoming(session, &filed.flight).await {
            Ok(rows) => {
                if let Some(arrival) = credit(&filed, &rows, status_tx) {
                    return Some(arrival);
                }
            }
            Err(e) => tracing::info!(error = %e, "destination history not readable yet"),
        }
    }
    tracing::warn!(
        route_id,
        "the route arrived but its credit is not in the history yet"
    );
    None
}

/// The credit among `rows`: the row the route status names, else the one new row (of several
/// new ones, the closest to the quote: another incoming transfer of the same token may have
/// landed meanwhile), compared with the quote in base units.
fn credit(filed: &Filed, rows: &[TransactionRow], status_tx: Option<&str>) -> Option<Arrival> {
    let decimals = filed.flight.buy.decimals;
    let quoted = filed
        .flight
        .quoted
        .parse::<Decimal>()
        .ok()?
        .to_base_units(decimals)
        .ok()?;
    // A row's `value` is the raw integer amount in base units (docs/api/account.md).
    let units = |r: &TransactionRow| r.value.as_ref()?.as_str().parse::<u128>().ok();
    let named = status_tx.and_then(|tx| {
        rows.iter().find(|r| {
            r.transaction_hash
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(tx))
        })
    });
    let row = named.or_else(|| {
        let seen = filed.seen.as_deref().unwrap_or_default();
        rows.iter()
            .filter(|r| {
                r.transaction_hash
                    .as_ref()
                    .is_none_or(|h| !seen.contains(h))
            })
            .filter(|r| units(r).is_some())
            .min_by_key(|r| units(r).map(|u| u.abs_diff(quoted)))
    })?;
    let amount = units(row)?;
    Some(Arrival {
        amount: Decimal::from_base_units(amount, decimals).to_string(),
        tx_hash: row.transaction_hash.clone(),
        shortfall: (amount < quoted)
            .then(|| Decimal::from_base_units(quoted - amount, decimals).to_string()),
    })
}

/// Resumes following every route of this network still on its way, for the accounts signed
/// in (each with its own session).
pub(crate) fn resume(
    events: &Arc<dyn EventSink>,
    flights: &Arc<Flights>,
    accounts: &[crate::session::auth::Watched],
    now: i64,
    signals: impl Fn(&Session) -> broadcast::Receiver<Signal>,
) {
    for filed in flights.unfinished(now) {
        let Some(account) = accounts.iter().find(|a| a.id == filed.account) else {
            continue; // followed when that account is back, at a later start
        };
        tracing::info!(route_id = %filed.flight.route_id, "resuming a route in flight");
        tokio::spawn(follow(
            events.clone(),
            flights.clone(),
            account.session.clone(),
            filed.flight.route_id,
            Some(signals(&account.session)),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filed(seen: Option<Vec<&str>>) -> Filed {
        let token = |a: &str| SwapToken {
            token_address: a.parse().unwrap(),
            symbol: "EURe".into(),
            decimals: 18,
        };
        Filed {
            flight: RouteFlight {
                route_id: "r".into(),
                user_op_hash: "0x01".into(),
                safe: "0x1111111111111111111111111111111111111111"
                    .parse()
                    .unwrap(),
                provider: "LIFI".into(),
                source_chain_id: 8453,
                destination_chain_id: 100,
                sell: token("0x2222222222222222222222222222222222222222"),
                sell_amount: "10".into(),
                buy: token("0x3333333333333333333333333333333333333333"),
                quoted: "8.5".into(),
                approved_at: String::new(),
                status: RouteStatus::DestCompleted,
                arrival: None,
                error: None,
            },
            account: "a".into(),
            approved: 0,
            seen: seen.map(|s| s.into_iter().map(str::to_owned).collect()),
        }
    }

    fn row(hash: &str, value: &str) -> TransactionRow {
        serde_json::from_value(serde_json::json!({
            "transactionHash": hash, "value": value, "direction": "IN",
            "tokenAddress": "0x3333333333333333333333333333333333333333",
        }))
        .unwrap()
    }

    #[test]
    fn the_credit_is_the_new_row_compared_with_the_quote_to_the_unit() {
        let rows = [
            row("0xnew", "8499999999999999999"),
            row("0xold", "8500000000000000000"),
        ];
        let got = credit(&filed(Some(vec!["0xold"])), &rows, None).unwrap();
        assert_eq!(got.amount, "8.499999999999999999");
        assert_eq!(got.shortfall.as_deref(), Some("0.000000000000000001"));
        assert_eq!(got.tx_hash.as_deref(), Some("0xnew"));
        // At or above the quote: no shortfall.
        let more = credit(
            &filed(Some(vec![])),
            &[row("0xa", "9000000000000000000")],
            None,
        )
        .unwrap();
        assert_eq!((more.amount.as_str(), more.shortfall), ("9", None));
        // Nothing new: not found (said so, not guessed).
        let old = [row("0xold", "8500000000000000000")];
        assert!(credit(&filed(Some(vec!["0xold"])), &old, None).is_none());
    }

    #[test]
    fn the_row_the_status_names_wins_and_of_several_new_ones_the_closest() {
        let rows = [
            row("0xb", "1000000000000000000"),
            row("0xc", "8400000000000000000"),
            row("0xd", "20000000000000000000"),
        ];
        let closest = credit(&filed(Some(vec![])), &rows, None).unwrap();
        assert_eq!(closest.tx_hash.as_deref(), Some("0xc"));
        let named = credit(&filed(Some(vec![])), &rows, Some("0xD")).unwrap();
        assert_eq!((named.amount.as_str(), named.shortfall), ("20", None));
    }

    #[test]
    fn finished_routes_are_kept_up_to_a_bound_and_unfinished_ones_always() {
        let flights = Flights::new(Arc::new(crate::store::MemoryStore::default()), "rp", "net");
        for i in 0..(KEPT_FINISHED as i64 + 5) {
            let mut f = filed(None);
            f.flight.route_id = format!("done-{i}");
            f.approved = i;
            flights.file(f);
        }
        let mut open = filed(None);
        open.flight.route_id = "open".into();
        open.flight.status = RouteStatus::DestPending;
        flights.file(open);
        let all = flights.of("a");
        assert_eq!(all.len(), KEPT_FINISHED + 1);
        assert_eq!(all[0].route_id, "done-24", "newest first");
        assert!(all.iter().any(|f| f.route_id == "open"));
        assert_eq!(flights.unfinished(10).len(), 1);
        assert!(
            flights.unfinished(GIVE_UP_S + 1).is_empty(),
            "a day later: no longer followed"
        );
        assert!(
            flights.of("b").is_empty(),
            "another account's routes are not listed"
        );
    }
}
