//! The local API server: one generic route per operation, built from the service's catalogue.
//!
//! A request's path fields, query parameters and JSON body are merged into one JSON object and
//! read as the operation's request type, which the service runs. Loopback by default; every
//! request needs `Authorization: Bearer <DIR/api.token>`; bodies are limited per operation.
//! Every error, unknown routes, wrong methods, malformed paths and oversized bodies included,
//! is JSON with a kind.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection, RawPathParamsRejection};
use axum::extract::{DefaultBodyLimit, Query, RawPathParams, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use bureau_service::{Error, ErrorKind, Method, Operation, Service, Visitor};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::shared::ErrorBody;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub service: Service,
    pub token: Arc<String>,
    /// Asks the daemon to stop (`POST /v1/shutdown`).
    pub shutdown: mpsc::Sender<()>,
    /// Where request durations are counted.
    pub metrics: crate::metrics::NodeMetrics,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        write!(f, "ApiState({})", self.service.replica().member())
    }
}

/// An error as the API answers it.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(kind = %self.0.kind, error = %self.0.message, "API request failed");
        }
        (status, Json(ErrorBody { error: self.0 })).into_response()
    }
}

/// The router: every operation of the catalogue, the shutdown route, JSON fallbacks, the token
/// check and the body limit; `/healthz` and `/readyz` without the token.
pub fn router(state: ApiState) -> Router {
    let mut routes = Routes(Router::new());
    bureau_service::ops::visit_all(&mut routes);
    let health = crate::metrics::health_routes(state.service.clone());
    routes
        .0
        .route("/v1/shutdown", post(shutdown))
        .route("/v1/openapi.json", get(openapi))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(state.clone(), authorise))
        .with_state(state)
        .merge(health)
        .route(DASHBOARD_PATH, get(dashboard))
}

/// Where the dashboard is served.
pub const DASHBOARD_PATH: &str = "/dashboard";
/// The dashboard: one static page, no external assets. It holds no data and needs no token to
/// load; its script reads everything from the API with the token (given in the address's
/// fragment, `#token=...`, which browsers never send, or typed in), so what it shows stays
/// behind the token.
const DASHBOARD: &str = include_str!("dashboard.html");

async fn dashboard() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        DASHBOARD,
    )
        .into_response()
}

/// Adds one route per operation.
struct Routes(Router<ApiState>);

impl Visitor for Routes {
    fn visit<O: Operation>(&mut self) {
        let handler: MethodRouter<ApiState> = match O::METHOD {
            Method::Get => get(handle::<O>),
            Method::Post => post(handle::<O>),
        };
        let routes = std::mem::take(&mut self.0);
        self.0 = routes.route(
            O::PATH,
            handler.layer(DefaultBodyLimit::max(O::MAX_REQUEST_BYTES)),
        );
    }
}

/// The one handler: reads the request from path, query and body, and runs it.
async fn handle<O: Operation>(
    State(state): State<ApiState>,
    path: Result<RawPathParams, RawPathParamsRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<O::Answer>, ApiError> {
    let path: Vec<(String, String)> = match path {
        Ok(params) => params
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        // A route without path fields.
        Err(RawPathParamsRejection::MissingPathParams(_)) => Vec::new(),
        Err(rejection) => {
            return Err(ApiError(Error::invalid(format!(
                "malformed path: {}",
                rejection.body_text()
            ))));
        }
    };
    let Query(query) = query.map_err(|rejection| {
        ApiError(Error::invalid(format!(
            "malformed query: {}",
            rejection.body_text()
        )))
    })?;
    let body = body.map_err(|rejection| {
        ApiError(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::new(
                ErrorKind::TooLarge,
                format!("the body is larger than {} bytes", O::MAX_REQUEST_BYTES),
            )
        } else {
            Error::invalid(format!("unreadable body: {}", rejection.body_text()))
        })
    })?;
    let request: O = read_request(&path, &query, &body).map_err(ApiError)?;
    let started = std::time::Instant::now();
    let answer = state.service.call(request).await;
    let outcome = match &answer {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.kind.to_string(),
    };
    state
        .metrics
        .observe_request(O::NAME, &outcome, started.elapsed());
    Ok(Json(answer.map_err(ApiError)?))
}

/// Merges the parts of an HTTP request into the operation's request type.
fn read_request<O: Operation>(
    path: &[(String, String)],
    query: &[(String, String)],
    body: &[u8],
) -> Result<O, Error> {
    let mut value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|error| Error::invalid(format!("the body is not JSON: {error}")))?
    };
    if !path.is_empty() || !query.is_empty() {
        let Value::Object(fields) = &mut value else {
            return Err(Error::invalid("the body must be a JSON object"));
        };
        // Query first, so a path field always wins over a query parameter of the same name.
        for (name, text) in query.iter().chain(path) {
            fields.insert(name.clone(), Value::String(text.clone()));
        }
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let at = error.path().to_string();
        let inner = error.into_inner();
        if at == "." {
            Error::invalid(format!("bad request: {inner}"))
        } else {
            Error::invalid(format!("bad request at {at}: {inner}"))
        }
    })
}

async fn authorise(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let matches = presented.is_some_and(|token| {
        // Compare every byte, so timing does not tell how much of a guess was right.
        token.len() == state.token.len()
            && token
                .bytes()
                .zip(state.token.bytes())
                .fold(0, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !matches {
        return ApiError(Error::unauthorised(
            "missing or wrong bearer token (see DIR/api.token)",
        ))
        .into_response();
    }
    next.run(request).await
}

async fn shutdown(State(state): State<ApiState>) -> (StatusCode, Json<Value>) {
    let _ = state.shutdown.try_send(());
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"stopping": true})),
    )
}

/// The OpenAPI document, built once: it depends only on the types.
static OPENAPI: std::sync::LazyLock<Value> = std::sync::LazyLock::new(super::openapi::document);

async fn openapi() -> Json<Value> {
    Json(OPENAPI.clone())
}

async fn unknown_route(request: Request) -> ApiError {
    ApiError(Error::not_found(format!(
        "no route {} {} (see GET /v1/openapi.json)",
        request.method(),
        request.uri().path()
    )))
}

async fn wrong_method(request: Request) -> Response {
    let error = Error::new(
        ErrorKind::MethodNotAllowed,
        format!(
            "{} is not served on {} (see GET /v1/openapi.json)",
            request.method(),
            request.uri().path()
        ),
    );
    ApiError(error).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bureau_service::ops::{ListHits, ListMail};

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    /// A page of messages or hits comes from the query string (`?limit=&before=`); an absent or
    /// empty parameter means none, and a word where a number belongs names the field.
    #[test]
    fn pages_come_from_the_query_string() {
        let query = pairs(&[("limit", "5"), ("before", "1767225600000")]);
        let request: ListMail = read_request(&[], &query, b"").expect("page");
        assert_eq!(
            (request.page.limit, request.page.before),
            (Some(5), Some(1_767_225_600_000))
        );
        let request: ListHits = read_request(&[], &pairs(&[("limit", "")]), b"").expect("page");
        assert_eq!((request.page.limit, request.page.before), (None, None));
        let error = read_request::<ListMail>(&[], &pairs(&[("limit", "ten")]), b"")
            .expect_err("not a number");
        assert!(error.message.contains("ten"), "{}", error.message);
    }
}
