//! Sessions: issuing JWT pairs, the bearer-token extractor, and tenant (rpId) resolution.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::jwt::{self, Claims, JwtError, Kind};
use crate::state::{AppState, Shared};
use crate::store::Store;

/// Issues an access + refresh pair for `user`/`signer` and returns the common response fields
/// (docs/api/README.md §4): tokens, `token_type`, `expires_in`, `issuer`, `audience`, `subject`, `roles`.
pub fn issue(state: &AppState, store: &mut Store, user: &str, signer: &str) -> Value {
    let rp_id = &state.settings.rp_id;
    json!({
        "access_token": sign(state, store, user, signer, Kind::Access, jwt::ACCESS_TTL_S),
        "refresh_token": sign(state, store, user, signer, Kind::Refresh, jwt::REFRESH_TTL_S),
        "token_type": "Bearer",
        "expires_in": jwt::ACCESS_TTL_S,
        "issuer": rp_id,
        "audience": rp_id,
        "subject": user,
        "roles": ["USER"],
    })
}

/// One signed token of `typ` living `ttl_s` seconds from now.
pub fn sign(
    state: &AppState,
    store: &mut Store,
    user: &str,
    signer: &str,
    typ: Kind,
    ttl_s: i64,
) -> String {
    let now_s = state.now() / 1000;
    state.jwt.sign(&Claims {
        iss: state.settings.rp_id.clone(),
        aud: state.settings.rp_id.clone(),
        sub: user.to_owned(),
        sid: signer.to_owned(),
        roles: vec!["USER".into()],
        iat: now_s,
        exp: now_s + ttl_s,
        jti: store.next(),
        typ,
    })
}

/// Verifies an access token, including the forced-expiry fault; shared by HTTP and WebSocket.
pub fn verify_access(state: &AppState, token: &str) -> Result<Claims, JwtError> {
    let claims = state
        .jwt
        .verify(token, Kind::Access, &state.settings.rp_id, state.now())?;
    if claims.jti <= state.control.borrow().revoked_through {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

/// An authenticated request: the verified access-token claims.
#[derive(Debug)]
pub struct Session(pub Claims);

impl FromRequestParts<Shared> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Self> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let token = header("authorization")
            .or_else(|| header("x-ibex-auth"))
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let claims =
            verify_access(state, token).map_err(|e| ApiError::unauthorized(e.to_string()))?;
        // Consistency chain (docs/api/README.md §3): an explicit rpId must equal the token issuer.
        if let Some(rp_id) = requested_rp_id(&parts.headers, &query(parts)) {
            if rp_id != claims.iss {
                return Err(ApiError::unauthorized(
                    "rpId does not match the token issuer",
                ));
            }
        }
        if !state.store().users.contains_key(&claims.sub) {
            return Err(ApiError::unauthorized("user no longer exists"));
        }
        Ok(Session(claims))
    }
}

/// The tenant of a public auth request; missing or unknown → `400 Unknown domain/rpId`.
#[derive(Debug)]
pub struct Tenant;

impl FromRequestParts<Shared> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Self> {
        match requested_rp_id(&parts.headers, &query(parts)) {
            Some(rp_id) if rp_id == state.settings.rp_id => Ok(Tenant),
            _ => Err(ApiError::unknown_rp_id()),
        }
    }
}

fn query(parts: &Parts) -> HashMap<String, String> {
    Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

/// rpId by precedence (docs/api/README.md §3, docs/api/gaps.md G25): `X-RpId`, `X-Rp-Id`, `?rpId=`, then the host of
/// `Origin` or `Referer`. Loopback hosts map to `localhost` as on IBEx dev environments.
pub fn requested_rp_id(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    header("x-rpid")
        .or_else(|| header("x-rp-id"))
        .or_else(|| query.get("rpId").cloned())
        .or_else(|| {
            header("origin")
                .or_else(|| header("referer"))
                .and_then(|url| host(&url))
        })
        .map(|rp| match rp.as_str() {
            "127.0.0.1" | "[::1]" => "localhost".to_owned(),
            _ => rp,
        })
}

fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().map(str::to_owned);
    }
    authority.split(':').next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rp_id_precedence() {
        let mut headers = HeaderMap::new();
        headers.insert("origin", "http://localhost:5173".parse().unwrap());
        assert_eq!(
            requested_rp_id(&headers, &HashMap::new()).as_deref(),
            Some("localhost")
        );
        let query = HashMap::from([("rpId".to_owned(), "foo.domain".to_owned())]);
        assert_eq!(
            requested_rp_id(&headers, &query).as_deref(),
            Some("foo.domain")
        );
        headers.insert("x-rpid", "bar.domain".parse().unwrap());
        assert_eq!(
            requested_rp_id(&headers, &query).as_deref(),
            Some("bar.domain")
        );
        let mut loopback = HeaderMap::new();
        loopback.insert("referer", "http://127.0.0.1:8787/page".parse().unwrap());
        assert_eq!(
            requested_rp_id(&loopback, &HashMap::new()).as_deref(),
            Some("localhost")
        );
    }
}
