//! The IBEX Safe userdata proxy (docs/api/account.md §15), backed by the same key/value map as
//! `POST /v1.2/users/me`. `private.*` keys are stored but never read back.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::routes::extract::{Body, Fields};
use crate::state::Shared;
use crate::store::User;
use crate::tokens::Session;

fn readable(user: &User) -> Map<String, Value> {
    user.userdata
        .iter()
        .filter(|(k, _)| !k.starts_with("private."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The session may only touch its own `externalUserId`.
fn own(session: &Session, external_user_id: &str) -> ApiResult<()> {
    if session.0.sub == external_user_id {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "externalUserId is not the session's user",
        ))
    }
}

/// `GET /v1.2/ibexsafe/userdata/external/{externalUserId}` → flat map, or 204 when empty.
pub async fn read(
    State(state): State<Shared>,
    session: Session,
    Path(external_user_id): Path<String>,
) -> ApiResult<Response> {
    own(&session, &external_user_id)?;
    let store = state.store();
    let data = readable(&store.users[&session.0.sub]);
    Ok(if data.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Json(Value::Object(data)).into_response()
    })
}

/// `POST /v{1.1,1.2}/ibexsafe/userdata` `{externalUserId, data}`: empty `data` reads (the
/// documented read fallback), otherwise writes (`null` deletes) → `{success: true}`.
pub async fn write(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let external_user_id = body.text("externalUserId")?;
    own(&session, external_user_id)?;
    let data = body.object("data")?;
    let mut store = state.store();
    let user = store.users.get_mut(&session.0.sub).expect("session user");
    if data.is_empty() {
        return Ok(Json(Value::Object(readable(user))));
    }
    apply(&mut user.userdata, data)?;
    Ok(Json(json!({ "success": true })))
}

/// Writes `data` into a user's key/values: `null` deletes; values are scalars.
pub fn apply(userdata: &mut BTreeMap<String, Value>, data: &Map<String, Value>) -> ApiResult<()> {
    if let Some((key, _)) = data.iter().find(|(_, v)| v.is_array() || v.is_object()) {
        return Err(ApiError::bad_request(format!(
            "{key}: values must be string, number, boolean or null"
        )));
    }
    for (key, value) in data {
        if value.is_null() {
            userdata.remove(key);
        } else {
            userdata.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}
