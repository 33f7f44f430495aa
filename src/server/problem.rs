//! Errors as `application/problem+json` (RFC 9457): a status, a title, a detail for people,
//! and the request field at fault when there is one. Library errors are worded here for an
//! HTTP client, naming JSON fields and query parameters rather than command-line flags.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem response.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request field or parameter at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a file that is not well-formed: where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// Seconds to wait before trying again (503).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem with `status` and a `detail` for people.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            line: None,
            column: None,
            retry_after: None,
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 422: the request is well-formed but a value in it cannot be used.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail).field(field)
    }

    /// 404 Not Found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// Names the request field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A library error, worded for an HTTP client; `field` maps the library's option names
    /// (and, for a language error, the language's role) to the request's own.
    pub fn from_error(e: &crate::Error, field: &dyn Fn(&str) -> String) -> Self {
        use crate::Error as E;
        match e {
            E::InvalidOption { option, reason } => {
                let f = field(option);
                Self::invalid(f.clone(), format!("{f}: {reason}"))
            }
            E::LanguageTag { .. } => Self::invalid(field("lang"), e.to_string()),
            E::NoSegments { .. } => {
                Self::new(StatusCode::NOT_FOUND, e.to_string()).field(field("lang"))
            }
            E::Query(m) => Self::invalid(field("text"), m.clone()),
            E::UnknownOrigin { .. } => Self::not_found(e.to_string()),
            E::Nothing(m) => Self::not_found(m.clone()),
            E::Syntax {
                line,
                column,
                message,
                path,
            } => {
                let mut p = Self::invalid(
                    "body",
                    format!(
                        "{}:{line}:{column}: {message}; nothing was stored",
                        path.display()
                    ),
                );
                p.line = Some(*line);
                p.column = Some(*column);
                p
            }
            E::Format { .. } | E::InvalidUnit { .. } | E::Output(_) => {
                Self::invalid("body", format!("{e}; nothing was stored"))
            }
            E::Cancelled => Self::bad_request(e.to_string()),
            E::Busy => {
                let mut p = Self::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string());
                p.retry_after = Some(2);
                p
            }
            // Not ported to this backend yet: the request was fine, the server cannot.
            E::Unsupported { .. } => Self::new(StatusCode::NOT_IMPLEMENTED, e.to_string()),
            _ => Self::internal(e),
        }
    }

    /// 500, for what no request could cause (a failing disk, a bug). The detail is logged,
    /// not sent: it may name server paths.
    pub fn internal(e: &dyn std::fmt::Display) -> Self {
        eprintln!("tmm serve: internal error: {e}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed; its log says why",
        )
    }
}

impl From<crate::Error> for Problem {
    fn from(e: crate::Error) -> Self {
        Problem::from_error(&e, &|o| o.to_string())
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tmm\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_writer_is_503_with_retry_after() {
        let r = Problem::from(crate::Error::Busy).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let p = Problem::from(crate::Error::Syntax {
            path: "upload.tmx".into(),
            line: 3,
            column: 7,
            message: "unclosed tag".into(),
        });
        assert_eq!((p.status, p.line, p.column), (422, Some(3), Some(7)));
        assert!(p.detail.contains("upload.tmx:3:7"), "{}", p.detail);
    }
}
