//! Error responses. IBEx has no uniform envelope (docs/api/gaps.md G37); the sandbox answers
//! `{"message": "...", "code": "<SYMBOL>"}`, which every documented client parser accepts.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Extra members of the body (e.g. `attemptsLeft`).
    pub details: Option<serde_json::Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
            details: None,
        }
    }

    /// Adds the members of `details` (an object) to the error body.
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    pub fn unknown_rp_id() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_RP_ID",
            "Unknown domain/rpId",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A 401's `message` is always "Unauthorized", as IBEx's (clients decide to refresh on
        // the status and that word); the sandbox's reason goes in `reason`.
        let mut body = if self.status == StatusCode::UNAUTHORIZED {
            json!({ "message": "Unauthorized", "code": self.code, "reason": self.message })
        } else {
            json!({ "message": self.message, "code": self.code })
        };
        if let (Some(map), Some(serde_json::Value::Object(extra))) =
            (body.as_object_mut(), self.details)
        {
            map.extend(extra);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
