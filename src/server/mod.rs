//! `tmm serve`: one shared memory for a team, over HTTP (axum on tokio).
//!
//! - `/api/v1/…`: JSON lookups, concordance, import and export (streamed), units, origins
//!   and statistics; errors are `application/problem+json` (RFC 9457);
//! - `/tmserver/…`: the tmserver/amaGama protocol that Virtaal, Pootle and Weblate speak;
//! - `/`: the translator's page, its assets embedded in the binary;
//! - `/openapi.json` (the OpenAPI 3 description of all of it) and `/healthz`.
//!
//! The server holds no domain logic: every route calls the library ([`crate::matching`],
//! [`crate::store`], [`crate::corpus`]) on a blocking thread, and serialises the library's
//! own structs. Reads run on the store's read pool and are never blocked by an import;
//! writes wait for the one writer a bounded time and then answer 503 with `Retry-After`.

// A `Problem` is the answer to a request: its size matters nothing beside the request's.
#![allow(clippy::result_large_err)]

mod api;
pub mod auth;
mod page;
pub mod problem;
mod tmserver;
mod transfer;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::de::DeserializeOwned;

use crate::matching::Matcher;
use crate::store::{Role, Store};
use auth::Caller;
use problem::Problem;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The one origin allowed to read the tmserver routes from a browser (CORS).
    pub cors: Option<String>,
    /// Reads need no token.
    pub open_read: bool,
    /// The largest JSON request body, in bytes.
    pub json_limit: usize,
    /// The largest import body, in bytes.
    pub import_limit: u64,
    /// How long a write waits for the one writer before answering 503.
    pub write_wait: Duration,
    /// How long a request may take (imports and exports: how long the client may stall).
    pub timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cors: None,
            open_read: false,
            json_limit: 1 << 20,
            import_limit: 1 << 30,
            write_wait: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Store,
    pub matcher: Matcher,
    pub config: Arc<Config>,
}

impl AppState {
    /// Checks the caller's role on a blocking thread (the token is looked up in the store).
    pub async fn authorize(&self, headers: &HeaderMap, needed: Role) -> Result<Caller, Problem> {
        let (store, headers, open) = (self.store.clone(), headers.clone(), self.config.open_read);
        blocking(move || auth::authorize(&store, &headers, needed, open)).await
    }
}

/// Runs `f` on tokio's blocking pool: SQLite and matching never stall the event loop.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(Problem::internal(&e)),
    }
}

/// The router of the whole server on `store`.
pub fn router(store: Store, config: Config) -> Router {
    let state = AppState {
        matcher: Matcher::new(&store),
        store,
        config: Arc::new(config),
    };
    let config = state.config.clone();
    let timeout = tower_http::timeout::TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.timeout,
    );
    // Streams may run long: their stalls are timed instead, frame by frame.
    let streams = transfer::routes().layer(DefaultBodyLimit::disable()).layer(
        tower_http::timeout::RequestBodyTimeoutLayer::new(config.timeout),
    );
    let json = api::routes()
        .merge(page::routes())
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(config.json_limit))
        .layer(timeout);
    let tmserver = tmserver::routes(config.cors.as_deref()).layer(timeout);
    Router::new()
        .merge(json)
        .merge(streams)
        .merge(tmserver)
        .fallback(tmserver::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(guard))
        .with_state(state)
}

/// Serves `store` until SIGTERM or Ctrl-C, then finishes the requests in flight. `ready`
/// is called with the address bound (port 0 picks a free one).
///
/// # Errors
/// When the address cannot be bound.
pub fn serve(store: Store, config: Config, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        ready(listener.local_addr()?);
        let app = router(store, config);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("tmm serve: stopping: finishing the requests in flight");
}

/// Logs one line per request (method, path, status, time; never the query string or a
/// header, where secrets and texts live) and refuses tokens in query strings.
async fn guard(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = match auth::refuse_query_token(request.uri().query()) {
        Err(p) => p.into_response(),
        Ok(()) => next.run(request).await,
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let shown: String = path.chars().take(200).collect();
    eprintln!(
        "{} {method} {shown} {} {ms:.1}ms",
        jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        response.status().as_u16()
    );
    response
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    let store = state.store.clone();
    match blocking(move || store.unit_count().map_err(Problem::from)).await {
        Ok(units) => {
            axum::Json(serde_json::json!({"status": "ok", "units": units})).into_response()
        }
        Err(mut p) => {
            p.status = 503;
            p.into_response()
        }
    }
}

/// The OpenAPI 3 description of this server.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this method is not allowed here (see /openapi.json)",
    )
}

/// A JSON body whose rejections are problems.
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

fn json_problem(r: JsonRejection) -> Problem {
    let status = r.status();
    let detail = match &r {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with `Content-Type: application/json`".to_string()
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
            "the JSON body is over the server's limit (1 MiB unless set otherwise)".to_string()
        }
        _ => r.body_text(),
    };
    Problem::new(status, detail).field("body")
}

/// Query parameters whose rejections are problems.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_problem(r)),
        }
    }
}

fn query_problem(r: QueryRejection) -> Problem {
    Problem::bad_request(r.body_text()).field("query")
}

/// A JSON response of `value`.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}
