//! Reading one text frame as a [`Request`], and saying precisely what was wrong when it is not
//! one (so that the error reply names the request and the field).

use serde_json::Value;

use crate::RequestId;
use crate::client::{REQUEST_TYPES, Request};

/// Why a frame could not be read as a [`Request`], with what is known of it.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRequest {
    /// The request's `id`, when it could be read; the error reply carries it as `re`.
    pub id: Option<RequestId>,
    /// `bad_json`, `bad_request` or `unknown_type`.
    pub code: crate::ErrorCode,
    /// What was wrong, for a human.
    pub message: String,
}

/// Reads one text frame as a request. On failure, says as precisely as it can what was wrong and
/// recovers the `id` when the frame had a readable one, so the error reply can name the request.
pub fn parse_request(text: &str) -> Result<Request, BadRequest> {
    match serde_json::from_str::<Request>(text) {
        Ok(request) => Ok(request),
        Err(err) => Err(explain(text, err)),
    }
}

/// The slow path of [`parse_request`]: only taken for frames that are wrong.
fn explain(text: &str, err: serde_json::Error) -> BadRequest {
    use crate::ErrorCode;
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(json_err) => {
            return BadRequest {
                id: None,
                code: ErrorCode::BadJson,
                message: format!("not valid JSON: {json_err}"),
            };
        }
    };
    let Some(object) = value.as_object() else {
        return BadRequest {
            id: None,
            code: ErrorCode::BadRequest,
            message: "a request must be a JSON object".into(),
        };
    };
    let id = object.get("id").and_then(Value::as_u64);
    if id.is_none() {
        return BadRequest {
            id: None,
            code: ErrorCode::BadRequest,
            message: "a request needs an \"id\": a non-negative integer".into(),
        };
    }
    match object.get("type").and_then(Value::as_str) {
        None => BadRequest {
            id,
            code: ErrorCode::BadRequest,
            message: "a request needs a \"type\" string".into(),
        },
        Some(kind) if !REQUEST_TYPES.contains(&kind) => BadRequest {
            id,
            code: ErrorCode::UnknownType,
            message: format!("unknown request type {kind:?}"),
        },
        Some(kind) => BadRequest {
            id,
            code: ErrorCode::BadRequest,
            message: format!("bad fields for {kind:?}: {err}"),
        },
    }
}
