//! E-mail and SMS verification of an existing account (docs/api/account.md §8): `validate-*` sends a
//! code (readable at `/__sandbox/mailbox/{address or number}`), `confirm-*` checks it — single
//! use, a lifetime, and 5 attempts before the code is burnt (`INVALID_CODE` with
//! `attemptsLeft`, `CODE_EXPIRED`).

use std::sync::MutexGuard;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::routes::extract::{Body, Fields};
use crate::state::{AppState, Shared};
use crate::store::Store;
use crate::tokens::Session;

/// "Typically 10–15 min" (v1.1 guide); the sandbox keeps e-mail codes 15 minutes.
const EMAIL_CODE_TTL_MS: Millis = 15 * 60_000;
/// SMS codes are valid 1 h (mirror).
const SMS_CODE_TTL_MS: Millis = 60 * 60_000;

/// `externalUserId` is required by both routes and must be the signed-in user.
fn same_user(body: &Value, session: &Session) -> ApiResult<()> {
    if body.text("externalUserId")? != session.0.sub {
        return Err(ApiError::bad_request(
            "externalUserId is not the signed-in user",
        ));
    }
    Ok(())
}

fn email(body: &Value) -> ApiResult<String> {
    let email = body.text("email")?;
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace) {
        return Err(ApiError::bad_request("email is not an e-mail address"));
    }
    Ok(email.to_ascii_lowercase())
}

/// An E.164 number; `phonePolicy: frMobile` (default `any`) also requires a French mobile
/// (+33 6… or +33 7…).
fn telephone(body: &Value) -> ApiResult<String> {
    let number: String = body
        .text("telephone")?
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = number.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::bad_request(
            "telephone must be an E.164 number such as +33612345678",
        ));
    }
    match body.opt_text("phonePolicy").unwrap_or("any") {
        "any" => {}
        "frMobile"
            if digits.len() == 11 && (digits.starts_with("336") || digits.starts_with("337")) => {}
        "frMobile" => {
            return Err(ApiError::bad_request(
                "telephone is not a French mobile number (+33 6… or +33 7…)",
            ))
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "phonePolicy {other} is not frMobile or any"
            )))
        }
    }
    Ok(number)
}

/// Consumes the `code` of `body` sent to `address` (400 `INVALID_CODE` / `CODE_EXPIRED`) and
/// hands back the store.
fn consume_code<'a>(
    state: &'a AppState,
    session: &Session,
    body: &Value,
    address: &str,
) -> ApiResult<MutexGuard<'a, Store>> {
    let code = body.text("code")?;
    let mut store = state.store();
    store
        .take_code(address, &session.0.sub, code, state.now())
        .map_err(|e| e.into_api(StatusCode::BAD_REQUEST))?;
    Ok(store)
}

/// `POST /v1.2/users/me/validate-email` `{email, externalUserId}` → `{}` (upstream passthrough).
pub async fn validate_email(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    same_user(&body, &session)?;
    let email = email(&body)?;
    state
        .store()
        .mail_code(&email, &session.0.sub, state.now() + EMAIL_CODE_TTL_MS);
    Ok(Json(json!({})))
}

/// `POST /v1.2/users/me/confirm-email` `{email, code, externalUserId, userDataName?}`: stores the
/// address under `userDataName` (default `marketing.email`) → `{}`; a wrong or expired code is a
/// 400.
pub async fn confirm_email(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    same_user(&body, &session)?;
    let email = email(&body)?;
    let mut store = consume_code(&state, &session, &body, &email)?;
    let key = body
        .opt_text("userDataName")
        .unwrap_or("marketing.email")
        .to_owned();
    let user = session.user_mut(&mut store);
    user.userdata.insert(key, json!(email));
    for (flag, key) in [
        ("optinNews", "optin.newsletter"),
        ("optinNotifications", "optin.notifications"),
    ] {
        if let Some(v) = body.get(flag).filter(|v| v.is_boolean()) {
            user.userdata.insert(key.into(), v.clone());
        }
    }
    Ok(Json(json!({})))
}

/// `POST /v1.2/users/me/validate-sms` `{telephone, externalUserId, phonePolicy?}` → 200 with
/// the `code` (echoed outside production, as the mirror says) and its expiry.
pub async fn validate_sms(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    same_user(&body, &session)?;
    let number = telephone(&body)?;
    let otp = state
        .store()
        .mail_code(&number, &session.0.sub, state.now() + SMS_CODE_TTL_MS);
    Ok(Json(json!({
        "success": true, "telephone": number, "code": otp.code, "expiresAt": iso(otp.expires_at),
    })))
}

/// `POST /v1.2/users/me/confirm-sms` `{telephone, code, externalUserId, phonePolicy?,
/// persistTelephoneToKyb?}` → `{smsVerified, telephone}`; 400 on a bad or expired code.
pub async fn confirm_sms(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    same_user(&body, &session)?;
    let number = telephone(&body)?;
    let mut store = consume_code(&state, &session, &body, &number)?;
    let user = session.user_mut(&mut store);
    user.userdata.insert("telephone".into(), json!(number));
    if body.get("persistTelephoneToKyb") == Some(&Value::Bool(true)) {
        if let Some(kyb) = user.kyb.as_mut() {
            kyb["telephone"] = json!(number);
        }
    }
    Ok(Json(json!({ "smsVerified": true, "telephone": number })))
}
