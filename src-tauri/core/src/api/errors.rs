//! Turning every way the gateway or Kling can answer into one classified error (API reference §5:
//! transport, redirect, Kling `code`, gateway `error{}`, not JSON; first match wins).

use std::time::Duration;

use serde_json::Value;

use crate::problem::{Kind, Problem};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The connection could not be made: nothing reached the server, so nothing was created.
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The connection broke after the request went out: the server may have acted on it.
    #[error("network: {0}")]
    Network(String),
    #[error("timed out")]
    Timeout,
    /// A 3xx or a non-JSON page outside 5xx: the base URL or path is wrong.
    #[error("HTTP {status}: not the CometAPI answer we expected")]
    Misrouted { status: u16 },
    /// Kling's business error: the code decides, not the HTTP status.
    #[error("HTTP {status}, Kling code {code}: {message}")]
    Kling {
        status: u16,
        code: i64,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// CometAPI's own `{"error": {...}}` envelope, or a string `code`.
    #[error("HTTP {status}, gateway {code}: {message}")]
    Gateway {
        status: u16,
        code: String,
        message: String,
        retry_after: Option<Duration>,
    },
    /// 5xx or 524 with a body that is not JSON (an HTML error page from a proxy).
    #[error("HTTP {status} from the server")]
    Server { status: u16, retry_after: Option<Duration> },
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    #[error("the answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl ApiError {
    pub fn kind(&self) -> Kind {
        match self {
            ApiError::Unreachable(_) | ApiError::Network(_) => Kind::Network,
            ApiError::Timeout => Kind::Timeout,
            ApiError::Misrouted { .. } => Kind::BadGatewayConfig,
            ApiError::Kling { code, message, .. } => match code {
                1000..=1004 => Kind::KeyRejected,
                1100 | 1101 => Kind::AccountProblem,
                1102 => Kind::BalanceUsedUp,
                1103 => Kind::NoAccess,
                1200 | 1201 => Kind::InvalidRequest,
                1202 | 1203 if message.to_lowercase().contains("model") => Kind::UnknownModel,
                1202 | 1203 => Kind::TaskNotFound,
                1300 | 1301 => Kind::PolicyRefused,
                1302 => Kind::RateLimited,
                1303 => Kind::ConcurrencyLimit,
                5000..=5999 => Kind::ServerError,
                _ => Kind::UnexpectedResponse,
            },
            ApiError::Gateway { status, code, .. } => match (status, code.as_str()) {
                (_, "model_not_found") => Kind::UnknownModel,
                (401, _) => Kind::KeyRejected,
                (403, _) => Kind::NoAccess,
                (429, _) => Kind::RateLimited,
                (400, _) => Kind::InvalidRequest,
                (404, _) => Kind::TaskNotFound,
                (500..=599, _) => Kind::ServerError,
                _ => Kind::UnexpectedResponse,
            },
            ApiError::Server { .. } => Kind::ServerError,
            ApiError::Unexpected(_) | ApiError::TooLarge { .. } => Kind::UnexpectedResponse,
        }
    }

    pub fn problem(&self) -> Problem {
        let problem = Problem::new(self.kind());
        match self {
            ApiError::Kling { code, message, .. } => problem.param("code", *code).param("detail", message.as_str()),
            ApiError::Gateway { code, message, .. } => {
                problem.param("code", code.as_str()).param("detail", message.as_str())
            }
            ApiError::Server { status, .. } | ApiError::Misrouted { status } => problem.param("status", *status),
            _ => problem,
        }
    }

    /// What the provider said in its own words, kept for the "Details" disclosure.
    pub fn provider_message(&self) -> Option<String> {
        match self {
            ApiError::Kling {
                code,
                message,
                request_id,
                ..
            } => Some(match request_id {
                Some(id) => format!("{code}: {message} (request id: {id})"),
                None => format!("{code}: {message}"),
            }),
            ApiError::Gateway { code, message, .. } => Some(format!("{code}: {message}")),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind() == Kind::TaskNotFound
    }

    /// The create call may or may not have made a task: the answer was lost or meaningless.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::Timeout | ApiError::Server { .. } | ApiError::TooLarge { .. }
        ) || matches!(self, ApiError::Unexpected(_))
            || self.kind() == Kind::ServerError
    }

    /// A transport failure of any kind: the app may be offline.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            ApiError::Unreachable(_) | ApiError::Network(_) | ApiError::Timeout
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Kling { retry_after, .. }
            | ApiError::Gateway { retry_after, .. }
            | ApiError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Classifies a response that was not a success (§5, steps 2–5). `body` is the capped body text.
pub fn classify(status: u16, body: &str, retry_after: Option<Duration>) -> ApiError {
    if (300..400).contains(&status) {
        return ApiError::Misrouted { status };
    }
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return match status {
            500.. => ApiError::Server { status, retry_after },
            // A success status with a broken body: the answer was cut short, not misrouted.
            200..300 => ApiError::Unexpected(format!("HTTP {status} with a body that is not JSON")),
            _ => ApiError::Misrouted { status },
        };
    };
    let message = |v: &Value| v.get("message").and_then(Value::as_str).unwrap_or_default().to_owned();
    // A success status is a refusal only with a numeric, non-zero code; anything else from a
    // 2xx (a code in words, or code 0 with a status other than 200) may have made a task.
    if (200..300).contains(&status) {
        match json.get("code") {
            Some(Value::Number(code)) if code.as_i64() != Some(0) => {}
            _ => return ApiError::Unexpected(format!("HTTP {status} that is neither a task nor a refusal")),
        }
    }
    match json.get("code") {
        Some(Value::Number(code)) => {
            return ApiError::Kling {
                status,
                code: code.as_i64().unwrap_or(-1),
                message: message(&json),
                request_id: json.get("request_id").and_then(Value::as_str).map(str::to_owned),
                retry_after,
            }
        }
        Some(Value::String(code)) => {
            return ApiError::Gateway {
                status,
                code: code.clone(),
                message: message(&json),
                retry_after,
            }
        }
        _ => {}
    }
    if let Some(error) = json.get("error") {
        let code = match error.get("code") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => error.get("type").and_then(Value::as_str).unwrap_or_default().to_owned(),
        };
        return ApiError::Gateway {
            status,
            code,
            message: message(error),
            retry_after,
        };
    }
    if status >= 500 {
        ApiError::Server { status, retry_after }
    } else {
        ApiError::Unexpected(format!("HTTP {status} with an unknown JSON shape"))
    }
}

/// The longest a `Retry-After` is honoured (the API reference's retry rules): a gateway asking for a day would
/// otherwise park a paid generation for that long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// `Retry-After` as seconds or as an HTTP date, at most [`MAX_RETRY_AFTER`]. Every wait that
/// honours the header (creates, queries, the queue) reads it through here.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let when = httpdate::parse_http_date(value).ok()?;
            when.duration_since(std::time::SystemTime::now()).unwrap_or_default()
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_decides_not_the_status() {
        let e = classify(200, r#"{"code":1102,"message":"resource pack exhausted"}"#, None);
        assert_eq!(e.kind(), "balance_used_up");
        let e = classify(
            429,
            r#"{"code":1303,"message":"parallel task over resource pack limit"}"#,
            None,
        );
        assert_eq!(e.kind(), "concurrency_limit");
    }

    #[test]
    fn gateway_and_html_answers_are_told_apart() {
        let e = classify(
            401,
            r#"{"error":{"message":"invalid token","type":"comet_api_error","param":"","code":""}}"#,
            None,
        );
        assert_eq!(e.kind(), "key_rejected");
        assert_eq!(
            classify(503, r#"{"error":{"message":"x","code":"model_not_found"}}"#, None).kind(),
            "unknown_model"
        );
        assert_eq!(classify(524, "<html>timeout</html>", None).kind(), "server_error");
        assert_eq!(
            classify(404, "<html>not here</html>", None).kind(),
            "bad_gateway_config"
        );
        assert_eq!(classify(301, "", None).kind(), "bad_gateway_config");
        assert!(classify(502, "<html>bad gateway</html>", None).is_ambiguous());
        assert!(!classify(400, r#"{"code":1201,"message":"prompt: empty"}"#, None).is_ambiguous());
    }

    #[test]
    fn a_success_status_without_a_numeric_refusal_is_ambiguous() {
        for (status, body) in [
            (200, r#"{"code":"0","message":"ok","data":{}}"#),
            (200, r#"{"code":"SUCCESS","data":{"task_id":"1"}}"#),
            (201, r#"{"code":0,"data":{"task_id":"1"}}"#),
            (202, r#"{"code":0,"message":"accepted"}"#),
        ] {
            assert!(classify(status, body, None).is_ambiguous(), "{status} {body}");
        }
        assert_eq!(
            classify(200, r#"{"code":1102,"message":"no balance"}"#, None).kind(),
            Kind::BalanceUsedUp
        );
    }

    #[test]
    fn retry_after_is_capped_at_five_minutes() {
        assert_eq!(parse_retry_after("999999"), Some(MAX_RETRY_AFTER));
        let next_year = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(365 * 86_400));
        assert_eq!(parse_retry_after(&next_year), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("300"), Some(Duration::from_secs(300)));
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
        let parsed = parse_retry_after(&later).unwrap();
        assert!(parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120));
    }
}
