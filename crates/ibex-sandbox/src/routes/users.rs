//! `/v1.2/users/*` and the KYC routes (docs/api/account.md §1–§10).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::Direction;
use crate::routes::extract::{Body, Chain, Fields, Params};
use crate::state::{frame, AppState, Event, Shared};
use crate::store::{Safe, Store};
use crate::tokens::Session;
use crate::views::{self, BalanceQuery, TxQuery};

/// The Safes a balance/transaction read covers: every Safe of the signer, or the one named by
/// `walletAddress` (which must be the user's: 400 otherwise, and with `iban` too).
pub fn scope<'a>(
    state: &AppState,
    store: &'a Store,
    session: &Session,
    params: &Params,
) -> ApiResult<(Vec<&'a Safe>, bool)> {
    if params.has("walletAddress") && params.has("iban") {
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
    let safe = session
        .safe(store, wallet)
        .map_err(|_| ApiError::bad_request("walletAddress is not owned by the user"))?;
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
        session.user(&store),
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
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let data = body.object("data")?;
    let mut store = state.store();
    let user = session.user_mut(&mut store);
    crate::routes::userdata::apply(&mut user.userdata, data)?;
    Ok(Json(json!({ "success": true })))
}

pub async fn address(State(state): State<Shared>, session: Session, params: Params) -> Response {
    let store = state.store();
    match views::addresses(
        &store,
        &state.settings.rp_id,
        &session.0.sub,
        &session.0.sid,
        state.now(),
        params.flag("includeDerived", false),
    ) {
        Some(body) => Json(body).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

pub async fn balances(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    if let (Some(iban), false) = (params.get("iban"), params.has("walletAddress")) {
        let account = own_iban(&store, &session, iban)?;
        let fiat = json!({ "type": "fiat", "identifier": account.iban, "timestamp": iso(state.now()), "balance": { "amount": crate::sepa::cents(account.balance_cents), "currency": "EUR" } });
        return Ok(Json(fiat));
    }
    let (safes, scoped) = scope(&state, &store, &session, &params)?;
    let q = BalanceQuery {
        chain: chain.0,
        include_zero: params.flag("includeZero", false),
        include_prices: params.flag("includePrices", true),
        books: &store.books,
    };
    if scoped {
        return Ok(Json(views::wallet_balances(safes[0], &q, state.now())));
    }
    let mut out = views::balances(&safes, &q, state.now());
    add_fiat(&mut out, &store, &session);
    Ok(Json(out))
}

/// The user's IBAN named by `iban` (spaces and case ignored), else 400.
fn own_iban<'a>(
    store: &'a Store,
    session: &Session,
    iban: &str,
) -> ApiResult<&'a crate::sepa::Account> {
    store
        .sepa
        .ibans
        .get(&crate::iban::normalize(iban))
        .filter(|a| a.user == session.0.sub)
        .ok_or_else(|| ApiError::bad_request("iban is not an IBAN of the user"))
}

/// The aggregated balances' `fiat` section (IBAN → EUR balance) and the totals with it.
fn add_fiat(out: &mut Value, store: &Store, session: &Session) {
    let accounts: Vec<_> = store.sepa.of_user(&session.0.sub).collect();
    let fiat_cents: u128 = accounts.iter().map(|a| a.balance_cents).sum();
    out["fiat"] = Value::Object(
        accounts
            .iter()
            .map(|a| (a.iban.clone(), json!({ "balance": { "amount": crate::sepa::cents(a.balance_cents), "currency": "EUR" }, "provider": a.provider, "safeAddress": a.safe })))
            .collect(),
    );
    let totals = &mut out["totals"];
    let cents = |key: &str| {
        totals[key]
            .as_str()
            .and_then(|t| crate::amount::parse(t, 2))
            .unwrap_or(0)
    };
    // 4-decimal fixed point: cents × 100.
    let fiat_usd = crate::amount::value(fiat_cents, 2, crate::ledger::EUR_USD * 100) / 100;
    let (crypto_eur, crypto_usd) = (
        cents("crypto_total_value_eur"),
        cents("crypto_total_value_usd"),
    );
    totals["fiat_total_value_eur"] = json!(crate::sepa::cents(fiat_cents));
    totals["fiat_total_value_usd"] = json!(crate::sepa::cents(fiat_usd));
    totals["grand_total_value_eur"] = json!(crate::sepa::cents(crypto_eur + fiat_cents));
    totals["grand_total_value_usd"] = json!(crate::sepa::cents(crypto_usd + fiat_usd));
}

/// The `fiat` part of `/users/me/transactions`: the user's SEPA rows in the date window (and
/// direction), newest first, paginated like the crypto part.
fn fiat_history(
    store: &Store,
    session: &Session,
    q: &TxQuery,
    iban: Option<&str>,
    now: i64,
) -> Value {
    let ibans: Vec<String> = store
        .sepa
        .of_user(&session.0.sub)
        .map(|a| a.iban.clone())
        .filter(|i| iban.is_none_or(|w| crate::iban::normalize(w) == *i))
        .collect();
    let rows: Vec<Value> = store
        .sepa
        .transactions
        .iter()
        .rev()
        .filter(|t| ibans.contains(&t.iban))
        .filter(|t| {
            let day = &iso(t.created_at)[..10];
            day >= q.start.as_str() && day <= q.end.as_str()
        })
        .filter(|t| match q.direction {
            None => true,
            Some(Direction::In) => t.kind == crate::sepa::TxType::In,
            Some(Direction::Out) => t.kind == crate::sepa::TxType::Out,
        })
        .map(|t| t.json(now))
        .collect();
    let total = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip((q.page - 1) * q.limit)
        .take(q.limit)
        .collect();
    json!({ "ibans": ibans, "total": total, "page": q.page, "limit": q.limit, "data": data, "filters": { "startDate": q.start, "endDate": q.end } })
}

pub async fn transactions(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let (safes, _) = scope(&state, &store, &session, &params)?;
    let (page, limit) = (
        params.number::<usize>("page", 1)?.max(1),
        params.number::<usize>("limit", 50)?,
    );
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("limit must be within 1–100"));
    }
    let scope = params.get("scope").unwrap_or("mixed").to_owned();
    if !["mixed", "crypto", "fiat"].contains(&scope.as_str()) {
        return Err(ApiError::bad_request("scope must be mixed, crypto or fiat"));
    }
    let direction = match params.get("direction") {
        None => None,
        Some("IN") => Some(Direction::In),
        Some("OUT") => Some(Direction::Out),
        Some(_) => return Err(ApiError::bad_request("direction must be IN or OUT")),
    };
    let tomorrow = iso(state.now() + 86_400_000)[..10].to_owned();
    let q = TxQuery {
        chain: chain.0,
        scope,
        direction,
        token: params
            .get("tokenAddress")
            .map(|t| t.split(',').map(str::to_owned).collect()),
        hash: params.get("hash").map(str::to_owned),
        start: params.get("startDate").unwrap_or("2025-01-01").to_owned(),
        end: params.get("endDate").map_or(tomorrow, str::to_owned),
        page,
        limit,
        include_prices: params.flag("includePrices", true),
    };
    if let Some(iban) = params.get("iban") {
        own_iban(&store, &session, iban)?;
    }
    let mut out = views::transactions(&safes, &q, state.now());
    if out.get("fiat").is_some() {
        out["fiat"] = fiat_history(&store, &session, &q, params.get("iban"), state.now());
    }
    Ok(Json(out))
}

pub async fn tokens(_: Session, chain: Chain) -> Json<Value> {
    Json(crate::routes::catalog::token_catalog(chain.0))
}

pub async fn signers(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::signers(&store, session.user(&store)))
}

pub async fn ibans(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::ibans(session.user(&store)))
}

pub async fn kyc_status(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::kyc(session.user(&store)))
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
    params: Params,
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
    let user = session.user_mut(&mut store);
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
    Body(body): Body,
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
    let user = session.user_mut(&mut store);
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

pub async fn addressbook(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    Json(views::addressbook(session.user(&store)))
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
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = body.text("name")?;
    if body.get("iban").is_some() != body.get("respondingPspBic").is_some() {
        return Err(ApiError::bad_request(
            "iban and respondingPspBic must come together",
        ));
    }
    let crypto = crypto_rows(&body)?;
    let iban = body
        .opt_text("iban")
        .map(|i| {
            crate::iban::validate(i).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_IBAN",
                    format!("iban: {e}"),
                )
            })
        })
        .transpose()?;
    let mut store = state.store();
    let now_ms = state.now();
    let now = iso(now_ms);
    let id = ids::uuid(&store.new_id("addressbook"));
    let mut ibans = Vec::new();
    if let Some(iban) = iban {
        let taken = session.user(&store).addressbook.values().any(|e| {
            e["ibans"]
                .as_array()
                .is_some_and(|l| l.iter().any(|r| r["iban"] == iban))
        });
        if taken {
            return Err(ApiError::conflict(
                "this IBAN is already in the address book",
            ));
        }
        let matched = verify_payee(&mut store, &session, &iban, name, now_ms)?;
        ibans.push(json!({ "iban": iban, "vop": true, "vopResult": "MTCH", "matchedName": matched, "respondingPspBic": body["respondingPspBic"], "verifiedAt": now, "createdAt": now }));
    }
    let entry = json!({
        "id": id, "name": name, "label": body.get("label").cloned().unwrap_or(Value::Null),
        "userValidated": body.get("userValidated").cloned().unwrap_or(json!(true)),
        "crypto": crypto, "ibans": ibans, "createdAt": now, "updatedAt": now,
    });
    let book = &mut session.user_mut(&mut store).addressbook;
    if book.len() >= 500 {
        return Err(ApiError::bad_request("address book is full (500 entries)"));
    }
    book.insert(id, entry.clone());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": entry })),
    ))
}

/// Failed Verification-of-Payee checks a user may make per UTC day (then 429).
const VOP_FAILURES_PER_DAY: u32 = 10;

/// Verification of Payee: the holder of a sandbox IBAN must carry `name` (case and accents
/// aside); a name sharing a word is a close match (`CMTC`), anything else no match (`NMTC`) —
/// both refused, nothing created. IBANs outside the sandbox bank match (nobody to ask).
fn verify_payee(
    store: &mut Store,
    session: &Session,
    iban: &str,
    name: &str,
    now: crate::clock::Millis,
) -> ApiResult<String> {
    let day = iso(now)[..10].to_owned();
    let failures = session
        .user(store)
        .vop_failures
        .get(&day)
        .copied()
        .unwrap_or(0);
    if failures >= VOP_FAILURES_PER_DAY {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "VOP_LIMIT",
            "too many failed payee verifications today; try again tomorrow",
        ));
    }
    let Some(holder) = store.sepa.ibans.get(iban).map(|a| a.holder_name.clone()) else {
        return Ok(name.to_owned());
    };
    let words =
        |s: &str| -> Vec<String> { s.split_whitespace().map(|w| w.to_lowercase()).collect() };
    let (given, actual) = (words(name), words(&holder));
    if given == actual {
        return Ok(holder);
    }
    let close = given.iter().any(|w| actual.contains(w));
    *session.user_mut(store).vop_failures.entry(day).or_default() += 1;
    let (code, result) = if close {
        ("VOP_CLOSE_MATCH", "CMTC")
    } else {
        ("VOP_NO_MATCH", "NMTC")
    };
    let mut error = ApiError::new(
        StatusCode::BAD_REQUEST,
        code,
        format!("Verification of Payee: the IBAN's holder is not {name} ({result})"),
    );
    if close {
        error = error.with_details(json!({ "vopResult": result, "matchedName": holder }));
    } else {
        error = error.with_details(json!({ "vopResult": result }));
    }
    Err(error)
}

/// `DELETE /v1.2/users/me/addressbook/{id}/ibans/{iban}` (mirror; no VOP).
pub async fn addressbook_delete_iban(
    State(state): State<Shared>,
    session: Session,
    Path((id, iban)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let iban = crate::iban::normalize(&iban);
    let now = iso(state.now());
    let mut store = state.store();
    let entry = address_book_entry(&mut store, &session, &id)?;
    let rows = entry["ibans"].as_array_mut().expect("ibans is an array");
    let before = rows.len();
    rows.retain(|r| r["iban"] != iban);
    if rows.len() == before {
        return Err(ApiError::not_found("no such IBAN in this entry"));
    }
    entry["updatedAt"] = json!(now);
    Ok(Json(json!({ "success": true, "data": entry })))
}

pub async fn addressbook_update(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
    Body(body): Body,
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
    session
        .user_mut(store)
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
    session
        .user_mut(&mut store)
        .addressbook
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("unknown address book entry"))?;
    Ok(Json(json!({ "success": true })))
}

pub async fn addressbook_add_crypto(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
    Body(body): Body,
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
