//! The translator's page at `/`: one HTML file, a script and a style sheet, embedded in the
//! binary. The page calls the same `/api/v1` routes as any client and holds no domain
//! logic: segmentation, matching and diffs come from the server.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

/// No request leaves the page's own origin.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/style.css",
            get(|| async { asset(STYLE, "text/css; charset=utf-8") }),
        )
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_no_other_origin() {
        for asset in [INDEX, SCRIPT, STYLE] {
            assert!(!asset.contains("http://") && !asset.contains("https://"));
            assert!(!asset.contains("//cdn"));
        }
        for id in [
            "source-input",
            "source-lang",
            "target-lang",
            "suggest-button",
            "concordance-input",
            "token-input",
        ] {
            assert!(INDEX.contains(&format!("data-testid=\"{id}\"")), "{id}");
        }
        for id in [
            "suggestion",
            "suggestion-target",
            "accept-button",
            "concordance-result",
        ] {
            assert!(SCRIPT.contains(&format!("'{id}'")), "{id}");
        }
    }
}
