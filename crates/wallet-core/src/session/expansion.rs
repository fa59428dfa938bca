//! The chains a new Safe is still being registered on. For passkey and KDF (PIN) signers IBEx
//! registers the Safe on every Safe-capable chain *asynchronously* after the sign-in: the JWT
//! returns before it finishes, and the documented way to see the rest is to read
//! `GET /users/me/address` again "in 2–3 s if chains are missing" (auth.md §7). Without this the
//! account would list the first chain until the next sign-in, and every page that asks it for
//! chains (Activity, Send, Owners…) would miss the others.

use std::collections::BTreeSet;
use std::sync::{Arc, Weak};
use std::time::Duration;

use ibex::Session;

use super::auth::AuthState;

/// How long to wait before reading the addresses again (the documented 2–3 s).
pub(crate) const RETRY: Duration = Duration::from_millis(2500);

/// How many times to read again before giving up: a chain the catalogue lists may not take
/// Safes, and the account is right as it is then (about 30 s in all).
pub(crate) const TRIES: u32 = 12;

/// Reads account `id`'s Safes again until its primary Safe is on every chain of the network's
/// catalogue, or [`TRIES`] ran out, or the session or the account went; tells the UI each time
/// the list grew.
pub(crate) fn follow(auth: &Arc<AuthState>, session: &Session, id: &str) {
    let weak: Weak<AuthState> = Arc::downgrade(auth);
    let session = session.clone();
    let id = id.to_owned();
    tokio::spawn(async move {
        let wanted: BTreeSet<u64> = match session.chains().await {
            Ok(catalog) => catalog.iter().map(|c| c.id.0).collect(),
            Err(e) => {
                tracing::info!(error = %e, "chain catalogue not read; the Safe's chains are not followed");
                return;
            }
        };
        for _ in 0..TRIES {
            {
                let Some(auth) = weak.upgrade() else { return };
                match auth.primary_chains(&id, &session) {
                    Some(have) if !wanted.is_subset(&have) => {}
                    // Complete, or the account signed out or signed in again (that one follows).
                    _ => return,
                }
            }
            tokio::time::sleep(RETRY).await;
            let Some(auth) = weak.upgrade() else { return };
            match auth.reload_wallets(&id, &session).await {
                Ok(true) => {
                    auth.changed();
                }
                Ok(false) => {}
                Err(e) => tracing::info!(error = %e, "the Safe's chains not read again"),
            }
        }
        tracing::info!("the Safe is not on every chain of the catalogue; the account keeps the chains IBEx lists");
    });
}
