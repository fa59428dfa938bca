//! `/v1.2/sepa/*` (13 routes) and the provider-agnostic `/v1.2/iban/*` stubs (docs/api/account.md §17,
//! docs/api/gaps.md G43). Every answer is `{success, data, …}`; payments (and, with the tenant flag, IBAN
//! creation) are an approval whose WebAuthn challenge is the approval hash, confirmed by a PUT
//! with the assertion.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::iban;
use crate::ids;
use crate::routes::auth::{live_challenge, verify_passkey};
use crate::routes::extract::{Body, Chain, Fields, Params};
use crate::sepa::{self, Approval, ApprovalKind, Payment};
use crate::state::{AppState, Shared};
use crate::store::{Purpose, Store};
use crate::tokens::Session;
use crate::views;
use crate::webauthn::{ClientData, WebauthnError};

fn ok(data: Value) -> Json<Value> {
    Json(json!({ "success": true, "data": data }))
}

/// A normalised IBAN with a valid checksum, else a 400 naming `field` and what is wrong.
fn valid_iban(field: &str, text: &str) -> ApiResult<String> {
    iban::validate(text).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_IBAN",
            format!("{field}: {e}"),
        )
    })
}

/// The user's IBAN `text` (any spacing/case), else 400.
fn own_iban(store: &Store, session: &Session, field: &str, text: &str) -> ApiResult<String> {
    let iban = valid_iban(field, text)?;
    store
        .sepa
        .ibans
        .get(&iban)
        .filter(|a| a.user == session.0.sub)
        .map(|a| a.iban.clone())
        .ok_or_else(|| ApiError::bad_request(format!("{field} is not an IBAN of this user")))
}

/// An approval's challenge options (the approval hash is what the passkey signs).
fn approval_options(
    state: &AppState,
    store: &mut Store,
    session: &Session,
    kind: ApprovalKind,
) -> Value {
    let now = state.now();
    let id = ids::uuid(&store.new_id("approval"));
    let hash = ids::sha256(&[
        id.as_bytes(),
        ids::canonical_json(&json!(format!("{kind:?}"))).as_bytes(),
    ]);
    let expires_at = now + sepa::APPROVAL_TTL_MS;
    let challenge = store.issue_challenge(
        &hash,
        Purpose::Approval {
            approval_id: id.clone(),
        },
        expires_at,
    );
    let allow: Vec<Value> = store
        .signers
        .get(&session.0.sid)
        .and_then(|s| s.credential_id.clone())
        .map(|id| json!({ "id": id, "type": "public-key", "transports": ["internal"] }))
        .into_iter()
        .collect();
    store.sepa.approvals.insert(
        id.clone(),
        Approval {
            hash: ids::hex(&hash),
            user: session.0.sub.clone(),
            signer: session.0.sid.clone(),
            expires_at,
            consumed: false,
            kind,
        },
    );
    json!({
        "approvalId": id, "approvalHash": ids::hex(&hash), "expiresAt": iso(expires_at),
        "credentialRequestOptions": {
            "challenge": challenge, "timeout": state.settings.challenge_ttl_ms,
            "rpId": state.settings.rp_id, "userVerification": "required", "allowCredentials": allow,
        },
    })
}

/// Checks `{approvalId, credential}`: the approval exists for this user (404), is live and
/// unused (409), and the assertion signs its challenge with the user's passkey. Consumes it.
fn confirm(
    state: &AppState,
    store: &mut Store,
    session: &Session,
    body: &Value,
) -> ApiResult<(String, Approval)> {
    let id = body.text("approvalId")?.to_owned();
    let credential = body
        .get("credential")
        .ok_or_else(|| ApiError::bad_request("credential is required"))?;
    let approval = store
        .sepa
        .approvals
        .get(&id)
        .filter(|a| a.user == session.0.sub)
        .cloned()
        .ok_or_else(|| ApiError::not_found("unknown approvalId"))?;
    let now = state.now();
    if approval.consumed {
        return Err(ApiError::conflict("approval already used"));
    }
    if approval.expires_at <= now {
        return Err(ApiError::conflict("approval expired; start again"));
    }
    let client = ClientData::from_credential(credential)?;
    match live_challenge(store, &client.challenge, now) {
        Ok(Purpose::Approval { approval_id }) if approval_id == id => {}
        Err(WebauthnError::ChallengeExpired) => {
            return Err(ApiError::conflict("approval expired; start again"))
        }
        _ => return Err(WebauthnError::ChallengeUnknown.into()),
    }
    verify_passkey(state, store, credential, &client, Some(&approval.signer))?;
    store.take_challenge(&client.challenge);
    if let Some(a) = store.sepa.approvals.get_mut(&id) {
        a.consumed = true;
    }
    Ok((id, approval))
}

/// `POST /v1.2/sepa/iban/add` `{holderName, safeAddress?, blockchainId?, label?}`: a new IBAN
/// (at most 2 per user → 429); with the tenant's WebAuthn flag, an approval to confirm by PUT.
pub async fn iban_add(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let holder = body.text("holderName")?.to_owned();
    let label = body.opt_text("label").map(str::to_owned);
    let chain = chain.with_body(&body, "blockchainId")?;
    let mut store = state.store();
    let safe = match body.opt_text("safeAddress") {
        Some(a) => session.safe(&store, a)?.address.clone(),
        None => views::signer_safes(&store, &session.0.sid)
            .first()
            .map(|s| s.address.clone())
            .ok_or_else(|| ApiError::bad_request("the user has no Safe"))?,
    };
    if store.sepa.of_user(&session.0.sub).count() >= sepa::MAX_IBANS_PER_USER {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "IBAN_QUOTA",
            format!("at most {} IBANs per user", sepa::MAX_IBANS_PER_USER),
        );
        e.retry_after = None;
        return Err(e);
    }
    if store.sepa.iban_add_webauthn {
        let kind = ApprovalKind::IbanAdd {
            holder_name: holder,
            label,
            safe,
            chain,
        };
        return Ok(ok(approval_options(&state, &mut store, &session, kind)));
    }
    let account = open(
        &state,
        &mut store,
        &session.0.sub,
        &holder,
        label,
        &safe,
        chain,
        "IBEXFIAPI",
    );
    Ok(ok(account))
}

/// Opens an IBAN and lists it in `/users/me/ibans` too.
#[allow(clippy::too_many_arguments)]
fn open(
    state: &AppState,
    store: &mut Store,
    user: &str,
    holder: &str,
    label: Option<String>,
    safe: &str,
    chain: u64,
    provider: &str,
) -> Value {
    let now = state.now();
    let account = store
        .sepa
        .open(store.seed, user, holder, label, safe, chain, provider, now);
    if let Some(u) = store.users.get_mut(user) {
        u.ibans.push(json!({
            "iban": account.iban, "bic": account.bic, "safeAddress": safe, "blockchainId": chain,
            "status": "approved", "provider": provider, "createdAt": iso(now), "updatedAt": iso(now),
        }));
    }
    account.json()
}

/// `PUT /v1.2/sepa/iban/add` `{approvalId, credential}`.
pub async fn iban_add_confirm(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let (id, approval) = confirm(&state, &mut store, &session, &body)?;
    let ApprovalKind::IbanAdd {
        holder_name,
        label,
        safe,
        chain,
    } = approval.kind
    else {
        return Err(ApiError::bad_request("approvalId is not an IBAN approval"));
    };
    let account = open(
        &state,
        &mut store,
        &session.0.sub,
        &holder_name,
        label,
        &safe,
        chain,
        "IBEXFIAPI",
    );
    Ok(ok(
        json!({ "approvalId": id, "approvalHash": approval.hash, "iban": account }),
    ))
}

/// `PATCH /v1.2/sepa/iban/modify` `{iban, label}`.
pub async fn iban_modify(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let label = body.text("label")?.to_owned();
    let mut store = state.store();
    let iban = own_iban(&store, &session, "iban", body.text("iban")?)?;
    store
        .sepa
        .ibans
        .get_mut(&iban)
        .expect("own_iban found it")
        .label = Some(label.clone());
    Ok(ok(json!({ "iban": iban, "label": label })))
}

/// `GET /v1.2/sepa/iban`.
pub async fn iban_list(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    ok(json!(store
        .sepa
        .of_user(&session.0.sub)
        .map(sepa::Account::json)
        .collect::<Vec<_>>()))
}

fn party(body: &Value, field: &str) -> ApiResult<(String, String)> {
    let p = body
        .get(field)
        .filter(|p| p.is_object())
        .ok_or_else(|| ApiError::bad_request(format!("{field} is required")))?;
    let name = p
        .text("name")
        .map_err(|_| ApiError::bad_request(format!("{field}.name is required")))?;
    let iban = valid_iban(
        &format!("{field}.iban"),
        p.text("iban")
            .map_err(|_| ApiError::bad_request(format!("{field}.iban is required")))?,
    )?;
    Ok((name.to_owned(), iban))
}

/// `POST /v1.2/sepa/payments`: the payment intent, checked (channel, EUR, an amount with at most
/// 2 decimals, the debtor IBAN the user's, both IBANs valid, funds) → an approval to confirm.
pub async fn payment_intent(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let reference = body.text("reference")?.to_owned();
    let instant = match body.text("channel")? {
        "SEPA" => false,
        "SEPAINSTANT" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "channel {other} is not SEPA or SEPAINSTANT"
            )))
        }
    };
    if body.text("currency")? != "EUR" {
        return Err(ApiError::bad_request("currency must be EUR"));
    }
    let amount_text = match body.get("amount") {
        Some(Value::Number(n)) => n.to_string(),
        _ => body.text("amount")?.to_owned(),
    };
    let amount_cents = sepa::parse_cents(&amount_text).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_AMOUNT",
            "amount must be a positive euro amount with at most 2 decimals",
        )
    })?;
    let (debtor_name, debtor) = party(&body, "debtor")?;
    let (creditor_name, creditor_iban) = party(&body, "creditor")?;
    let mut store = state.store();
    let debtor_iban = own_iban(&store, &session, "debtor.iban", &debtor)?;
    if debtor_iban == creditor_iban {
        return Err(ApiError::bad_request(
            "debtor and creditor are the same IBAN",
        ));
    }
    let available = store.sepa.ibans[&debtor_iban].balance_cents;
    if available < amount_cents {
        return Err(ApiError::bad_request(format!(
            "insufficient funds: {} EUR available",
            sepa::cents(available)
        )));
    }
    let payment = Payment {
        reference,
        instant,
        amount_cents,
        remittance: body.opt_text("remittanceInfo").map(str::to_owned),
        debtor_name,
        debtor_iban,
        creditor_name,
        creditor_iban,
    };
    Ok(ok(approval_options(
        &state,
        &mut store,
        &session,
        ApprovalKind::Payment(payment),
    )))
}

/// `PUT /v1.2/sepa/payments` `{approvalId, credential}` → the booked payment.
pub async fn payment_confirm(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let (id, approval) = confirm(&state, &mut store, &session, &body)?;
    let ApprovalKind::Payment(payment) = approval.kind else {
        return Err(ApiError::bad_request(
            "approvalId is not a payment approval",
        ));
    };
    let seed = store.seed;
    let now = state.now();
    let row = store
        .sepa
        .book(seed, &payment, now)
        .map_err(ApiError::bad_request)?;
    let (status, code) = row.status(now);
    Ok(ok(json!({
        "approvalId": id, "approvalHash": approval.hash,
        "payment": { "success": true, "message": "Payment processed", "data": { "transactionId": row.id, "reference": row.reference, "status": status, "statusCode": code } },
    })))
}

/// `GET /v1.2/sepa/transactions?iban&type&status&statusCode&search&page&limit` (20, ≤ 200).
pub async fn transactions(
    State(state): State<Shared>,
    session: Session,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let now = state.now();
    let iban = params
        .get("iban")
        .map(|i| own_iban(&store, &session, "iban", i))
        .transpose()?;
    let (page, limit) = (
        params.number::<usize>("page", 1)?.max(1),
        params.number::<usize>("limit", 20)?,
    );
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("limit must be within 1–200"));
    }
    let search = params.get("search").map(str::to_lowercase);
    let mine: Vec<String> = store
        .sepa
        .of_user(&session.0.sub)
        .map(|a| a.iban.clone())
        .collect();
    let rows: Vec<Value> = store
        .sepa
        .transactions
        .iter()
        .rev()
        .filter(|t| mine.contains(&t.iban) && iban.as_ref().is_none_or(|i| *i == t.iban))
        .map(|t| t.json(now))
        .filter(|row| params.get("type").is_none_or(|k| row["type"] == k))
        .filter(|row| params.get("status").is_none_or(|k| row["status"] == k))
        .filter(|row| {
            params
                .get("statusCode")
                .is_none_or(|k| row["statusCode"] == k)
        })
        .filter(|row| {
            search.as_ref().is_none_or(|s| {
                [
                    "reference",
                    "remittanceInfo",
                    "senderName",
                    "beneficiaryName",
                ]
                .iter()
                .any(|k| {
                    row[*k]
                        .as_str()
                        .is_some_and(|v| v.to_lowercase().contains(s))
                })
            })
        })
        .collect();
    let total = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    Ok(Json(
        json!({ "success": true, "data": data, "pagination": { "total": total, "page": page, "limit": limit, "pages": total.div_ceil(limit) } }),
    ))
}

/// `GET /v1.2/sepa/transactions/{id}`.
pub async fn transaction(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let mine: Vec<String> = store
        .sepa
        .of_user(&session.0.sub)
        .map(|a| a.iban.clone())
        .collect();
    store
        .sepa
        .transactions
        .iter()
        .find(|t| t.id == id && mine.contains(&t.iban))
        .map(|t| ok(t.json(state.now())))
        .ok_or_else(|| ApiError::not_found("unknown transaction"))
}

/// `POST /v1.2/sepa/mandates`: forward `percent` of what reaches `sourceIban` (all transfers,
/// or those every whitelist rule admits) to `destinationIban`; the signed mandate text rides
/// along (`signature {message, signature, safeOperationUserOpHash?}`).
pub async fn mandate_create(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let percent = body
        .get("percent")
        .and_then(Value::as_u64)
        .filter(|p| (1..=100).contains(p))
        .ok_or_else(|| ApiError::bad_request("percent must be a whole number from 1 to 100"))?
        as u32;
    let trigger = body
        .get("trigger")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("trigger is required"))?;
    match trigger.opt_text("mode") {
        Some("all") => {}
        Some("whitelist") if trigger.get("whitelistRules").is_some_and(Value::is_array) => {}
        _ => {
            return Err(ApiError::bad_request(
                "trigger.mode must be all, or whitelist with whitelistRules",
            ))
        }
    }
    let signature = body
        .get("signature")
        .filter(|s| s.is_object())
        .ok_or_else(|| ApiError::bad_request("signature is required"))?;
    let message = signature
        .text("message")
        .map_err(|_| ApiError::bad_request("signature.message is required"))?;
    let signed = signature
        .text("signature")
        .map_err(|_| ApiError::bad_request("signature.signature is required"))?;
    let destination = valid_iban("destinationIban", body.text("destinationIban")?)?;
    let destination_name = body.text("destinationName")?.to_owned();
    let now = state.now();
    let mut store = state.store();
    let source = own_iban(&store, &session, "sourceIban", body.text("sourceIban")?)?;
    if source == destination {
        return Err(ApiError::bad_request(
            "sourceIban and destinationIban are the same",
        ));
    }
    let user_op = signature.opt_text("safeOperationUserOpHash");
    if let Some(hash) = user_op {
        let known = store
            .operations
            .get(&hash.to_ascii_lowercase())
            .is_some_and(|o| {
                store
                    .safes
                    .get(&o.safe)
                    .is_some_and(|s| s.user == session.0.sub)
            });
        if !known {
            return Err(ApiError::bad_request(
                "signature.safeOperationUserOpHash is not an operation of this user",
            ));
        }
    }
    let id = ids::uuid(&store.new_id("mandate"));
    let position = store
        .sepa
        .mandates
        .values()
        .filter(|m| m.source_iban == source)
        .count() as u64
        + 1;
    let mandate = sepa::Mandate {
        id: id.clone(),
        user: session.0.sub.clone(),
        status: "validated".into(),
        position,
        source_name: store.sepa.ibans[&source].holder_name.clone(),
        source_iban: source,
        destination_iban: destination,
        destination_name,
        destination_bic: body.opt_text("destinationBic").map(str::to_owned),
        percent,
        trigger,
        signature: json!({
            "message": message, "messageHash": ids::hex(&ids::sha256(&[message.as_bytes()])),
            "signatureHash": ids::hex(&ids::sha256(&[signed.as_bytes()])),
            "safeOperationUserOpHash": user_op, "signatureCapturedAt": iso(now),
        }),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let out = mandate.json();
    store.sepa.mandates.insert(id, mandate);
    Ok(Json(
        json!({ "success": true, "data": out, "sepaSync": { "success": true } }),
    ))
}

/// `GET /v1.2/sepa/mandates`.
pub async fn mandate_list(State(state): State<Shared>, session: Session) -> Json<Value> {
    let store = state.store();
    ok(json!(store
        .sepa
        .mandates
        .values()
        .filter(|m| m.user == session.0.sub)
        .map(sepa::Mandate::json)
        .collect::<Vec<_>>()))
}

fn mandate_of<'a>(
    store: &'a mut Store,
    session: &Session,
    id: &str,
) -> ApiResult<&'a mut sepa::Mandate> {
    store
        .sepa
        .mandates
        .get_mut(id)
        .filter(|m| m.user == session.0.sub)
        .ok_or_else(|| ApiError::not_found("unknown mandate"))
}

/// `GET /v1.2/sepa/mandates/{id}`.
pub async fn mandate_get(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    Ok(ok(mandate_of(&mut store, &session, &id)?.json()))
}

fn set_status(
    state: &AppState,
    session: &Session,
    id: &str,
    status: &str,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let mandate = mandate_of(&mut store, session, id)?;
    if mandate.status == "cancelled" {
        return Err(ApiError::conflict("the mandate is cancelled (terminal)"));
    }
    mandate.status = status.to_owned();
    mandate.updated_at = now;
    mandate.version += 1;
    Ok(ok(mandate.json()))
}

/// `PATCH /v1.2/sepa/mandates/{id}/status` `{status: validated|suspended|cancelled}`.
pub async fn mandate_status(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let status = body.text("status")?;
    if !["validated", "suspended", "cancelled"].contains(&status) {
        return Err(ApiError::bad_request(
            "status must be validated, suspended or cancelled",
        ));
    }
    set_status(&state, &session, &id, status)
}

/// `POST /v1.2/sepa/mandates/{id}/cancel`.
pub async fn mandate_cancel(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    set_status(&state, &session, &id, "cancelled")
}

/// `/v1.2/iban/transactions`, `/v1.2/iban/balances`, `/v1.2/iban/revoke`: documented as 501.
pub async fn iban_not_implemented() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NOT_IMPLEMENTED",
        "Not implemented: use /v1.2/users/me/* with iban=",
    )
}

/// `POST /__sandbox/sepa` `{ibanAddWebauthn?}` (the tenant flag) and
/// `POST /__sandbox/sepa/incoming` `{iban, amount, senderName?, senderIban?, reference?}` (a
/// transfer arriving from outside, which runs the IBAN's mandates).
pub async fn control(State(state): State<Shared>, Body(body): Body) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    if let Some(flag) = body.get("ibanAddWebauthn") {
        store.sepa.iban_add_webauthn = flag
            .as_bool()
            .ok_or_else(|| ApiError::bad_request("ibanAddWebauthn must be a boolean"))?;
    }
    Ok(Json(
        json!({ "ibanAddWebauthn": store.sepa.iban_add_webauthn }),
    ))
}

/// `POST /__sandbox/sepa/accounts` `{holderName}`: an IBAN at the sandbox bank held by someone
/// outside the wallet, so that Verification of Payee has a holder to compare names with.
pub async fn external_account(
    State(state): State<Shared>,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let holder = body.text("holderName")?.to_owned();
    let mut store = state.store();
    let seed = store.seed;
    let now = state.now();
    let account = store
        .sepa
        .open(seed, "", &holder, None, "", 0, "EXTERNAL", now);
    Ok(Json(account.json()))
}

pub async fn incoming(State(state): State<Shared>, Body(body): Body) -> ApiResult<Json<Value>> {
    let creditor = valid_iban("iban", body.text("iban")?)?;
    let cents = sepa::parse_cents(body.text("amount")?)
        .ok_or_else(|| ApiError::bad_request("amount must have at most 2 decimals"))?;
    let mut store = state.store();
    let seed = store.seed;
    if !store.sepa.ibans.contains_key(&creditor) {
        return Err(ApiError::not_found("not a sandbox IBAN"));
    }
    let sender = match body.opt_text("senderIban") {
        Some(i) => valid_iban("senderIban", i)?,
        None => iban::sandbox_iban(seed, "external-sender"),
    };
    let payment = Payment {
        reference: body.opt_text("reference").unwrap_or("INCOMING").to_owned(),
        instant: true,
        amount_cents: cents,
        remittance: None,
        debtor_name: body
            .opt_text("senderName")
            .unwrap_or("External Sender")
            .to_owned(),
        debtor_iban: sender,
        creditor_name: String::new(),
        creditor_iban: creditor.clone(),
    };
    store.sepa.receive(seed, &payment, state.now(), 0);
    Ok(Json(store.sepa.ibans[&creditor].json()))
}
