//! Extra derived addresses: `POST /v1.2/users/me/wallets/global` (docs/api/account.md §9) and
//! `POST /v1.2/safes/{safe}/wallets` (docs/api/operations.md §11).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::routes::extract::{Body, Fields};
use crate::state::Shared;
use crate::tokens::Session;
use crate::views::{self, derived_address, derived_lists, FAMILIES};

const MAX_INDEX: u32 = 100;
const MAX_COUNT: u32 = 10;
const MIN_GAP_MS: Millis = 5_000;

/// Parses `{add: [{family, count?}]}` and extends `counts`; returns the added rows.
fn extend(
    body: &Value,
    counts: &mut BTreeMap<String, u32>,
    seed: u64,
    scope: &str,
) -> ApiResult<Vec<Value>> {
    let requests = body
        .get("add")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad_request("add must be a non-empty array"))?;
    let mut added = Vec::new();
    for request in requests {
        let family = request.text("family")?;
        if !FAMILIES.contains(&family) {
            return Err(ApiError::bad_request(format!(
                "family {family} is not supported (supported: {})",
                FAMILIES.join(", ")
            )));
        }
        let count = match request.get("count") {
            None => 1,
            Some(c) => c
                .as_u64()
                .filter(|c| (1..=u64::from(MAX_COUNT)).contains(c))
                .ok_or_else(|| ApiError::bad_request("count must be 1–10"))?
                as u32,
        };
        let have = counts.get(family).copied().unwrap_or(1).max(1);
        if have + count > MAX_INDEX {
            return Err(ApiError::bad_request(format!(
                "MAX_INDEX_PER_FAMILY exceeded for {family}"
            )));
        }
        for index in have..have + count {
            added.push(json!({ "family": family, "index": index, "address": derived_address(seed, family, scope, index) }));
        }
        counts.insert(family.to_owned(), have + count);
    }
    Ok(added)
}

fn throttle(last: &mut Millis, now: Millis) -> ApiResult<()> {
    if now - *last < MIN_GAP_MS {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "one derivation per signer every ~5 s",
        );
        error.retry_after = Some(((MIN_GAP_MS - (now - *last) + 999) / 1000) as u64);
        return Err(error);
    }
    *last = now;
    Ok(())
}

pub async fn global(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let seed = store.seed;
    let signer = store
        .signers
        .get_mut(&session.0.sid)
        .ok_or_else(|| ApiError::unauthorized("the token has no signer (sid)"))?;
    throttle(&mut signer.last_derivation, now)?;
    let scope = format!("global:{}", signer.id);
    let mut counts = signer.derived.clone();
    let added = extend(&body, &mut counts, seed, &scope)?;
    signer.derived = counts.clone();
    let indexed = derived_lists(seed, &scope, &counts);
    let eoa: Vec<Value> = FAMILIES
        .iter()
        .flat_map(|f| {
            indexed[*f]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |a| json!({ "type": f, "address": a }))
        })
        .collect();
    Ok(Json(json!({
        "added": added, "globalIndexed": indexed, "globalEoaAddresses": eoa,
        "limits": { "maxIndexPerFamily": MAX_INDEX, "maxCountPerRequest": MAX_COUNT, "supportedFamilies": FAMILIES },
    })))
}

pub async fn per_safe(
    State(state): State<Shared>,
    session: Session,
    Path(address): Path<String>,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let seed = store.seed;
    let key = address.to_ascii_lowercase();
    if store
        .safes
        .get(&key)
        .is_none_or(|s| s.signer != session.0.sid)
    {
        return Err(ApiError::not_found("Safe not owned by the signer"));
    }
    let signer = store
        .signers
        .get_mut(&session.0.sid)
        .ok_or_else(|| ApiError::unauthorized("the token has no signer (sid)"))?;
    throttle(&mut signer.last_derivation, now)?;
    let safe = store.safes.get_mut(&key).expect("checked above");
    let scope = format!("safe:{key}");
    let added = extend(&body, &mut safe.derived, seed, &scope)?;
    Ok(Json(
        json!({ "safeAddress": safe.address, "added": added, "perSafe": views::derived_lists(seed, &scope, &safe.derived) }),
    ))
}
