//! After execution, what happened is checked against what the user reviewed.
//!
//! IBEx builds the UserOperation and returns only its hash, so the wallet cannot recompute
//! what the passkey signs: a compromised or buggy IBEx could prepare a transfer to another
//! address and the signature would still be valid. What the wallet *can* do is read the
//! transfer's on-chain effect (IBEx's history row for the transaction: token, recipient,
//! amount, chain) and compare it with the review; a difference is raised loudly (an in-app
//! alert and an OS notification, whatever the window's focus).

use std::time::Duration;

use ibex::models::account::{Scope, TransactionFilter, TransactionRow};
use ibex::models::ChainId;
use ibex::{Address, Session};
use serde::Serialize;

use super::review::TransferFacts;

/// History is indexed a little after confirmation: look this many times, this far apart.
const LOOKUPS: u32 = 6;
const LOOKUP_INTERVAL: Duration = Duration::from_secs(1);

/// A reviewed fact the chain contradicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    /// `recipient`, `token`, `amount` or `chain`.
    pub field: String,
    pub reviewed: String,
    pub on_chain: String,
}

/// The outgoing history row of `tx_hash` on `chain`, once IBEx has indexed it.
async fn history_row(
    session: &Session,
    chain: ChainId,
    safe: Address,
    tx_hash: &str,
) -> Option<TransactionRow> {
    let filter = TransactionFilter {
        scope: Scope {
            chain_id: Some(chain),
            ..Scope::default()
        },
        kind: Some("crypto".to_owned()),
        hash: Some(tx_hash.to_owned()),
        ..TransactionFilter::default()
    };
    for attempt in 0..LOOKUPS {
        if attempt > 0 {
            tokio::time::sleep(LOOKUP_INTERVAL).await;
        }
        let Ok(found) = session.transactions(&filter).await else {
            continue;
        };
        let pages = found.crypto.map(|c| c.transactions).unwrap_or_default();
        let rows = pages
            .into_values()
            .flat_map(|p| p.data)
            .chain(found.data.unwrap_or_default());
        let ours = |r: &TransactionRow| {
            r.transaction_hash
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(tx_hash))
                && r.from.is_none_or(|from| from == safe)
        };
        if let Some(row) = rows.into_iter().find(ours) {
            return Some(row);
        }
    }
    None
}

/// What differs between the reviewed transfer and its history row (empty: it did what was
/// reviewed). `None` when IBEx never showed the transaction (logged; nothing to compare).
pub(crate) async fn check_transfer(
    session: &Session,
    chain: ChainId,
    safe: Address,
    tx_hash: &str,
    reviewed: &TransferFacts,
) -> Option<Vec<Difference>> {
    let Some(row) = history_row(session, chain, safe, tx_hash).await else {
        tracing::warn!(
            tx_hash,
            "executed transfer not in the history; not verified"
        );
        return None;
    };
    Some(differences(chain, reviewed, &row))
}

pub(crate) fn differences(
    chain: ChainId,
    reviewed: &TransferFacts,
    row: &TransactionRow,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut differ = |field: &str, reviewed: String, on_chain: String| {
        out.push(Difference {
            field: field.to_owned(),
            reviewed,
            on_chain,
        });
    };
    let shown = |a: Option<Address>| a.map_or_else(|| "(none)".to_owned(), |a| a.to_checksum());
    if row.to != Some(reviewed.to) {
        differ("recipient", reviewed.to.to_checksum(), shown(row.to));
    }
    // The native coin's rows may omit the token address; the review names it as 0x0.
    let token = row.token_address.unwrap_or(Address::ZERO);
    if token != reviewed.token_address {
        differ(
            "token",
            reviewed.token_address.to_checksum(),
            token.to_checksum(),
        );
    }
    let amount = row.value_formatted.as_ref().map(|d| d.as_str().to_owned());
    if amount.as_deref().map(canonical) != Some(canonical(&reviewed.amount)) {
        differ(
            "amount",
            reviewed.amount.clone(),
            amount.unwrap_or_else(|| "(none)".to_owned()),
        );
    }
    if let Some(on) = row.blockchain_id.filter(|c| *c != chain) {
        differ("chain", chain.to_string(), on.to_string());
    }
    out
}

/// `001.500` and `1.5` are the same amount.
fn canonical(decimal: &str) -> String {
    let (int, frac) = decimal.split_once('.').unwrap_or((decimal, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    match (int.is_empty(), frac.is_empty()) {
        (true, true) => "0".to_owned(),
        (true, false) => format!("0.{frac}"),
        (false, true) => int.to_owned(),
        (false, false) => format!("{int}.{frac}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewed() -> TransferFacts {
        TransferFacts {
            to: "0x52908400098527886E0F7030069857D2E4169EE7"
                .parse()
                .unwrap(),
            recipient: None,
            token_address: "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430"
                .parse()
                .unwrap(),
            symbol: "EURe".into(),
            amount: "1.5".into(),
        }
    }

    fn row(to: &str, amount: &str) -> TransactionRow {
        serde_json::from_value(serde_json::json!({
            "transactionHash": "0xaa", "to": to, "valueFormatted": amount,
            "tokenAddress": "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430", "blockchainId": 100,
        }))
        .unwrap()
    }

    #[test]
    fn the_same_transfer_has_no_difference_and_another_recipient_is_named() {
        let chain = ChainId(100);
        let same = row("0x52908400098527886e0f7030069857d2e4169ee7", "1.500");
        assert!(differences(chain, &reviewed(), &same).is_empty());

        let thief = "0x8617e340b3d01fa5f11f306f4090fd50e238070d";
        let found = differences(chain, &reviewed(), &row(thief, "1.5"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "recipient");
        let thief: Address = thief.parse().unwrap();
        assert_eq!(found[0].on_chain, thief.to_checksum());

        let more = row("0x52908400098527886e0f7030069857d2e4169ee7", "15");
        assert_eq!(differences(chain, &reviewed(), &more)[0].field, "amount");
        assert_eq!(
            differences(ChainId(8453), &reviewed(), &same)[0].field,
            "chain"
        );
    }
}
