//! What handlers pull out of a request, in one place: query parameters, the selected chain, a
//! JSON body and its fields, and the signed-in user's records. Each rejects with the sandbox's
//! error envelope (`{message, code}`), never axum's plain-text rejections.

use std::collections::HashMap;
use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::ledger;
use crate::state::Shared;
use crate::store::{Safe, Store, User};
use crate::tokens::Session;

/// The query string as text pairs (the last value wins for a repeated key).
#[derive(Debug, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        Ok(Self::of(parts))
    }
}

impl Params {
    pub fn of(parts: &Parts) -> Self {
        Params(
            Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
                .map(|q| q.0)
                .unwrap_or_default(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn require(&self, name: &str) -> ApiResult<&str> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("{name} is required")))
    }

    /// The first of `names` present (documented aliases, e.g. `sellTokenAddress` / `from`);
    /// the error names the first.
    pub fn require_any(&self, names: &[&str]) -> ApiResult<&str> {
        names
            .iter()
            .find_map(|n| self.get(n).filter(|v| !v.is_empty()))
            .ok_or_else(|| ApiError::bad_request(format!("{} is required", names[0])))
    }

    /// `"true"` / `"false"` flags (anything but `"true"` is false).
    pub fn flag(&self, name: &str, default: bool) -> bool {
        self.get(name).map_or(default, |v| v == "true")
    }

    /// A number parameter, `default` when absent, 400 when malformed.
    pub fn number<T: FromStr>(&self, name: &str, default: T) -> ApiResult<T> {
        self.get(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| ApiError::bad_request(format!("{name} must be a number")))
        })
    }
}

/// The chain a request selects: `X-Blockchain-Id`, else `?blockchainId=` (README §2); `None`
/// when it names none.
#[derive(Debug, Clone, Copy)]
pub struct Chain(pub Option<u64>);

impl<S: Send + Sync> FromRequestParts<S> for Chain {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> ApiResult<Self> {
        let raw = parts
            .headers
            .get("x-blockchain-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| Params::of(parts).get("blockchainId").map(str::to_owned));
        raw.map(|r| {
            r.trim()
                .parse()
                .map_err(|_| ApiError::bad_request("blockchainId must be a number"))
        })
        .transpose()
        .map(Chain)
    }
}

impl Chain {
    /// The selected chain, else the server default.
    pub fn or_default(self) -> u64 {
        self.0.unwrap_or(ledger::DEFAULT_CHAIN)
    }

    /// A body's `field` (number or numeric string) wins over the header/query selection.
    pub fn with_body(self, body: &Value, field: &str) -> ApiResult<u64> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(self.or_default()),
            Some(v) => v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .ok_or_else(|| ApiError::bad_request(format!("{field} must be a number"))),
        }
    }
}

/// A JSON body of any shape. Parsed whatever the `Content-Type` says (IBEx's clients do not all
/// send one); an empty body reads as `{}`; anything else that is not JSON is a 400.
#[derive(Debug)]
pub struct Body(pub Value);

impl FromRequest<Shared> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Shared) -> ApiResult<Self> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("cannot read the body: {e}")))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Value::Object(Map::new())));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::bad_request(format!("body is not valid JSON: {e}")))
    }
}

/// Typed reads of a JSON object's fields, each with its own 400 message.
pub trait Fields {
    /// A non-empty string field.
    fn text(&self, field: &str) -> ApiResult<&str>;
    /// A string field that may be absent.
    fn opt_text(&self, field: &str) -> Option<&str>;
    /// An object field.
    fn object(&self, field: &str) -> ApiResult<&Map<String, Value>>;
}

impl Fields for Value {
    fn text(&self, field: &str) -> ApiResult<&str> {
        self.opt_text(field)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("{field} is required")))
    }

    fn opt_text(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(Value::as_str)
    }

    fn object(&self, field: &str) -> ApiResult<&Map<String, Value>> {
        self.get(field)
            .and_then(Value::as_object)
            .ok_or_else(|| ApiError::bad_request(format!("{field} must be an object")))
    }
}

impl Session {
    /// The signed-in user (the extractor checked it exists).
    pub fn user<'a>(&self, store: &'a Store) -> &'a User {
        &store.users[&self.0.sub]
    }

    pub fn user_mut<'a>(&self, store: &'a mut Store) -> &'a mut User {
        store
            .users
            .get_mut(&self.0.sub)
            .expect("the Session extractor checked the user exists")
    }

    /// One of the user's Safes by address (any case), else 400 "unknown safe address"
    /// (docs/api/operations.md §1.1).
    pub fn safe<'a>(&self, store: &'a Store, address: &str) -> ApiResult<&'a Safe> {
        store
            .safes
            .get(&address.to_ascii_lowercase())
            .filter(|s| s.user == self.0.sub)
            .ok_or_else(|| ApiError::bad_request("unknown safe address"))
    }
}
