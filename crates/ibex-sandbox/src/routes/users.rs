//! `/v1.2/users/*` and the KYC routes (docs/api/account.md §1–§10).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::Direction;
use crate::state::{frame, AppState, Event, Shared};
use crate::store::{Safe, Store, User};
use crate::tokens::Session;
use crate::views::{self, BalanceQuery, TxQuery};

type Params = Query<HashMap<String, String>>;

fn user<'a>(store: &'a Store, session: &Session) -> &'a User {
    &store.users[&session.0.sub]
}

/// The chain a request selects: `X-Blockchain-Id` header, else `blockchainId` query.
pub fn chain_of(headers: &HeaderMap, params: &HashMap<String, String>) -> ApiResult<Option<u64>> {
    let raw = headers
        .get("x-blockchain-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| params.get("blockchainId").cloned());
    raw.map(|r| {
        r.parse()
            .map_err(|_| ApiError::bad_request("blockchainId must be a number"))
    })
    .transpose()
}

fn flag(params: &HashMap<String, String>, name: &str, default: bool) -> bool {
    params.get(name).map_or(default, |v| v == "true")
}

/// The Safes a balance/transaction read covers: every Safe of the signer, or the one named by
/// `walletAddress` (which must be the user's: 400 otherwise, and with `iban` too).
fn scope<'a>(
    state: &AppState,
    store: &'a Store,
    session: &Session,
    params: &HashMap<String, String>,
) -> ApiResult<(Vec<&'a Safe>, bool)> {
    if params.contains_key("walletAddress") && params.contains_key("iban") {
        return Err(ApiError::bad_request(
            "ambiguous scope: walletAddress and iban are exclusive",
        ));
    }
    let safes = views::signer_safes(store, &session.0.sid);
    let Some(wallet) = params.get("walletAddress") else {
        let primary = safes.first().map(|s| s.address.clone());
        if primary.is_some_and(|p| state.faults().not_indexed(&p)) {
            return Err(ApiError::not_found(
                "wallet address not indexed yet; retry in 5–10 s",
            ));
        }
        return Ok((safes, false));
    };
    let safe = store
        .safes
        .get(&wallet.to_ascii_lowercase())
        .filter(|s| s.user == session.0.sub)
        .ok_or_else(|| ApiError::bad_request("walletAddress is not owned by the user"))?;
    if state.faults().not_indexed(wallet) {
        return Err(ApiError::not_found(
            "wallet address not indexed yet; retry in 5–10 s",
        ));
    }
    Ok((vec![safe], true))
}

pub async fn me(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    let sections = views::user_sections(
        &store,
        &state.settings.rp_id,
        user(&store, &session),
        &session.0.sid,
        state.now(),
    );
    Json(Value::Object(
        sections
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    ))
}

/// `POST /v1.2/users/me` `{data: {k: v}}`; `null` deletes, `private.*` keys are write-only.
pub async fn write_me(
    State(state): State<Shared>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let data = body
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("data must be an object"))?;
    let mut store = state.store();
    let user = store.users.get_mut(&session.0.sub).expect("session user");
    crate::routes::userdata::apply(&mut user.userdata, data)?;
    Ok(Json(json!({ "success": true })))
}

pub async fn address(
    State(state): State<Shared>,
    session: Session,
    Query(params): Params,
) -> Response {
    let store = state.store();
    match views::addresses(
        &store,
        &state.settings.rp_id,
        &session.0.sub,
        &session.0.sid,
        state.now(),
        flag(&params, "includeDerived", false),
    ) {
        Some(body) => Json(body).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

pub async fn balances(
    State(state): State<Shared>,
    session: Session,
    headers: HeaderMap,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if params.contains_key("iban") && !params.contains_key("walletAddress") {
        let fiat = json!({ "type": "fiat", "identifier": params["iban"].replace(' ', "").to_uppercase(), "balance": { "amount": "0.00", "currency": "EUR" } });
        return Ok(Json(fiat));
    }
    let (safes, scoped) = scope(&state, &store, &session, &params)?;
    let q = BalanceQuery {
        chain: chain_of(&headers, &params)?,
        include_zero: flag(&params, "includeZero", false),
        include_prices: flag(&params, "includePrices", true),
    };
    Ok(Json(if scoped {
        views::wallet_balances(safes[0], &q, state.now())
    } else {
        views::balances(&safes, &q, state.now())
    }))
}

pub async fn transactions(
    State(state): State<Shared>,
    session: Session,
    headers: HeaderMap,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let (safes, _) = scope(&state, &store, &session, &params)?;
    let number = |name: &str, default: usize| {
        params.get(name).map_or(Ok(default), |v| {
            v.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("{name} must be a positive integer")))
        })
    };
    let (page, limit) = (number("page", 1)?.max(1), number("limit", 50)?);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("limit must be within 1–100"));
    }
    let scope = params
        .get("scope")
        .cloned()
        .unwrap_or_else(|| "mixed".into());
    if !["mixed", "crypto", "fiat"].contains(&scope.as_str()) {
        return Err(ApiError::bad_request("scope must be mixed, crypto or fiat"));
    }
    let direction = match params.get("direction").map(String::as_str) {
        None => None,
        Some("IN") => Some(Direction::In),
        Some("OUT") => Some(Direction::Out),
        Some(_) => return Err(ApiError::bad_request("direction must be IN or OUT")),
    };
    let tomorrow = iso(state.now() + 86_400_000)[..10].to_owned();
    let q = TxQuery {
        chain: chain_of(&headers, &params)?,
        scope,
        direction,
        token: params
            .get("tokenAddress")
            .map(|t| t.split(',').map(str::to_owned).collect()),
        hash: params.get("hash").cloned(),
        start: params
            .get("startDate")
            .cloned()
            .unwrap_or_else(|| "2025-01-01".into()),
        end: params.get("endDate").cloned().unwrap_or(tomorrow),
        page,
        limit,
        include_prices: flag(&params, "includePrices", true),
    };
    Ok(Json(views::transactions(&safes, &q, state.now())))
}

pub async fn pools(
    State(state): State<Shared>,
    session: Session,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let (safes, _) = scope(&state, &store, &session, &params)?;
    let include_zero = flag(&params, "includeZero", false);
    let now = state.now();
    let rows: Vec<Value> = safes
        .iter()
        .flat_map(|safe| {
            safe.registered(now)
                .into_iter()
                .map(move |chain| views::pool_positions(safe, chain, include_zero, now))
        })
        .collect();
    Ok(Json(json!(rows)))
}

pub async fn tokens(
    _: Session,
    headers: HeaderMap,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    Ok(Json(crate::routes::catalog::token_catalog(chain_of(
        &headers, &params,
    )?)))
}

pub async fn signers(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::signers(&store, user(&store, &session)))
}

pub async fn ibans(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::ibans(user(&store, &session)))
}

pub async fn kyc_status(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::kyc(user(&store, &session)))
}

pub async fn chainid(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::chainid(
        &views::signer_safes(&store, &session.0.sid),
        state.now(),
    ))
}

/// `GET /v1.2/users/me/operations`, newest first, grouped by Safe (docs/api/account.md §6).
pub async fn operations(
    State(state): State<Shared>,
    session: Session,
    Query(params): Params,
) -> Json<Value> {
    let store = state.store();
    let mut by_safe: HashMap<String, Vec<Value>> = HashMap::new();
    let mut ops: Vec<_> = store
        .operations
        .values()
        .filter(|o| {
            store
                .safes
                .get(&o.safe)
                .is_some_and(|s| s.user == session.0.sub)
        })
        .collect();
    ops.sort_by_key(|o| std::cmp::Reverse(o.created_at));
    let wanted = params.get("status").map(|s| s.to_ascii_uppercase());
    for op in ops
        .into_iter()
        .filter(|o| wanted.as_ref().is_none_or(|w| json!(o.status) == json!(w)))
    {
        let safe = store.safes[&op.safe].address.clone();
        for (index, item) in op.items.iter().enumerate() {
            by_safe.entry(safe.clone()).or_default().push(json!({
                "id": format!("op_{}_{index}", &op.user_op_hash[2..18]),
                "createdAt": iso(op.created_at), "updatedAt": iso(op.updated_at), "index": index,
                "type": item.get("type"), "data": item,
                "safeOperation": {
                    "userOpHash": op.user_op_hash, "createdAt": iso(op.created_at), "updatedAt": iso(op.updated_at),
                    "paymaster": "SPONSORED", "status": op.status, "error": op.error, "safeAddress": safe,
                    "transactionHash": op.transaction_hash,
                    "signatures": op.signed_at.map_or_else(Vec::new, |at| vec![json!({ "createdAt": iso(at), "data": {}, "signerId": op.signer })]),
                },
            }));
        }
    }
    Json(json!({ "data": by_safe }))
}

pub async fn iframe(State(state): State<Shared>, session: Session) -> Json<Value> {
    let mut store = state.store();
    let session_id = ids::hex(&store.new_id("kyc")[..12]);
    let user = store.users.get_mut(&session.0.sub).expect("session user");
    let already = user.kyc_level >= 1;
    // Opening the KYC flow marks it submitted; the sandbox approves on the next call.
    user.kyc_level = (user.kyc_level + 1).min(2);
    let signal = frame("user_ky_updated", json!({ "ky": "changed" }), state.now());
    state.publish(Event {
        user: session.0.sub.clone(),
        frame: signal,
    });
    let url = "https://kyc.sandbox.invalid/chat";
    Json(
        json!({ "chatbotURL": url, "sessionId": session_id, "chatbotFullURL": format!("{url}?session={session_id}"), "alreadySent": already }),
    )
}

/// `POST /v1.2/auth/enroll` (docs/api/account.md §10): business KYB; one per user (409 after).
pub async fn enroll(
    State(state): State<Shared>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    body.get("email")
        .and_then(Value::as_str)
        .filter(|e| e.contains('@'))
        .ok_or_else(|| ApiError::bad_request("email is required"))?;
    body.get("companyRegistrationNumber")
        .and_then(Value::as_str)
        .filter(|n| n.len() == 9 && n.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| {
            ApiError::bad_request("companyRegistrationNumber must be a 9-digit SIREN")
        })?;
    let mut store = state.store();
    let session_id = ids::hex(&store.new_id("kyb")[..12]);
    let user = store.users.get_mut(&session.0.sub).expect("session user");
    if user.kyb.is_some() {
        return Err(ApiError::conflict("a KYB enrollment already exists"));
    }
    let url = "https://kyb.sandbox.invalid/chat";
    let enrollment = json!({
        "userId": user.user_id, "status": "pending_submit", "sessionId": session_id,
        "chatbotURL": url, "chatbotFullURL": format!("{url}?session={session_id}"),
    });
    user.kyb = Some(enrollment.clone());
    Ok(Json(enrollment))
}

/// Verification codes from `validate-email` live 15 minutes ("typically 10–15 min").
const EMAIL_CODE_TTL_MS: i64 = 15 * 60_000;

/// `POST /v1.2/users/me/validate-email`: mails a code (see `/__sandbox/mailbox`).
pub async fn validate_email(
    State(state): State<Shared>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| e.contains('@'))
        .ok_or_else(|| ApiError::bad_request("email is required"))?;
    state
        .store()
        .mail_code(email, &session.0.sub, state.now() + EMAIL_CODE_TTL_MS);
    Ok(Json(json!({})))
}

/// `POST /v1.2/users/me/confirm-email`: stores the address. The code is required but not yet
/// checked against the mailbox: the docs give no error for a wrong one (the response is an
/// upstream passthrough) and current client tests confirm with a fixed code.
pub async fn confirm_email(
    State(state): State<Shared>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("{k} is required")))
    };
    let (email, _code) = (field("email")?, field("code")?);
    let mut store = state.store();
    let key = body
        .get("userDataName")
        .and_then(Value::as_str)
        .unwrap_or("marketing.email")
        .to_owned();
    store
        .users
        .get_mut(&session.0.sub)
        .expect("session user")
        .userdata
        .insert(key, json!(email));
    Ok(Json(json!({})))
}

pub async fn addressbook(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::addressbook(user(&store, &session)))
}

fn crypto_rows(body: &Value) -> ApiResult<Vec<Value>> {
    let Some(rows) = body.get("crypto") else {
        return Ok(Vec::new());
    };
    rows.as_array()
        .ok_or_else(|| ApiError::bad_request("crypto must be an array"))?
        .iter()
        .map(|row| {
            let chain = row.get("chainId").and_then(|c| c.as_u64().or_else(|| c.as_str().and_then(|s| s.parse().ok()))).ok_or_else(|| ApiError::bad_request("crypto[].chainId is required"))?;
            let address = row.get("address").and_then(Value::as_str).filter(|a| ids::is_evm_address(a)).ok_or_else(|| ApiError::bad_request("crypto[].address must be 0x + 40 hex digits"))?;
            // Stored with a string chainId, as the documented GET response prints it.
            Ok(json!({ "chainId": chain.to_string(), "address": ids::checksum_address(&ids::parse_hex(address).unwrap_or_default()) }))
        })
        .collect()
}

pub async fn addressbook_create(
    State(state): State<Shared>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("name is required"))?;
    if body.get("iban").is_some() != body.get("respondingPspBic").is_some() {
        return Err(ApiError::bad_request(
            "iban and respondingPspBic must come together",
        ));
    }
    let crypto = crypto_rows(&body)?;
    let mut store = state.store();
    let now = iso(state.now());
    let id = ids::uuid(&store.new_id("addressbook"));
    let ibans: Vec<Value> = body.get("iban").and_then(Value::as_str).map(|iban| {
        json!({ "iban": iban.replace(' ', "").to_uppercase(), "vop": true, "vopResult": "MTCH", "matchedName": name, "respondingPspBic": body["respondingPspBic"], "verifiedAt": now, "createdAt": now })
    }).into_iter().collect();
    let entry = json!({
        "id": id, "name": name, "label": body.get("label").cloned().unwrap_or(Value::Null),
        "userValidated": body.get("userValidated").cloned().unwrap_or(json!(true)),
        "crypto": crypto, "ibans": ibans, "createdAt": now, "updatedAt": now,
    });
    let book = &mut store
        .users
        .get_mut(&session.0.sub)
        .expect("session user")
        .addressbook;
    if book.len() >= 500 {
        return Err(ApiError::bad_request("address book is full (500 entries)"));
    }
    book.insert(id, entry.clone());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": entry })),
    ))
}

pub async fn addressbook_update(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let now = iso(state.now());
    let entry = address_book_entry(&mut store, &session, &id)?;
    for key in ["name", "label", "userValidated"] {
        if let Some(v) = body.get(key) {
            entry[key] = v.clone();
        }
    }
    entry["updatedAt"] = json!(now);
    Ok(Json(json!({ "success": true, "data": entry })))
}

/// The signed-in user's address-book entry `id`, or 404.
fn address_book_entry<'a>(
    store: &'a mut Store,
    session: &Session,
    id: &str,
) -> ApiResult<&'a mut Value> {
    store
        .users
        .get_mut(&session.0.sub)
        .expect("session user")
        .addressbook
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("unknown address book entry"))
}

pub async fn addressbook_delete(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    store
        .users
        .get_mut(&session.0.sub)
        .expect("session user")
        .addressbook
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("unknown address book entry"))?;
    Ok(Json(json!({ "success": true })))
}

pub async fn addressbook_add_crypto(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let row = crypto_rows(&json!({ "crypto": [body] }))?.remove(0);
    let mut store = state.store();
    let entry = address_book_entry(&mut store, &session, &id)?;
    let rows = entry["crypto"].as_array_mut().expect("crypto is an array");
    if rows.len() >= 50 {
        return Err(ApiError::bad_request("at most 50 crypto rows per entry"));
    }
    rows.push(row);
    Ok(Json(json!({ "success": true, "data": entry })))
}

pub async fn addressbook_delete_crypto(
    State(state): State<Shared>,
    session: Session,
    Path((id, chain, address)): Path<(String, u64, String)>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let entry = address_book_entry(&mut store, &session, &id)?;
    let rows = entry["crypto"].as_array_mut().expect("crypto is an array");
    let before = rows.len();
    rows.retain(|r| {
        !(r["chainId"] == json!(chain.to_string())
            && r["address"]
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case(&address)))
    });
    if rows.len() == before {
        return Err(ApiError::not_found("no such crypto row"));
    }
    Ok(Json(json!({ "success": true })))
}
