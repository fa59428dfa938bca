//! HTTP routes of the sandbox.

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn router() -> Router {
    Router::new().route("/health", get(health))
}

/// `GET /health` → `{"status":"ok","timestamp":"<RFC 3339>"}` (README §1).
async fn health() -> Json<Value> {
    let now = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    Json(json!({ "status": "ok", "timestamp": now }))
}
