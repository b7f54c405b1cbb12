//! The local HTTP+JSON API: what the CLI and national systems talk to.
//!
//! Loopback by default, every request needs `Authorization: Bearer <DIR/api.token>`, bodies are
//! limited to [`MAX_API_REQUEST_BYTES`], and every error is JSON `{"error": "..."}` with a
//! fitting status. Store work runs on blocking threads.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bureau_core::RecordKey;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::output::RecordOut;
use crate::publish::Draft;
use crate::replica::{Published, Replica, Status};
use crate::search::SearchRequest;

/// Largest request body the API reads.
pub const MAX_API_REQUEST_BYTES: usize = 256 * 1024;

/// Largest bulk-import request: a batch of [`crate::import::IMPORT_BATCH_RECORDS`] records.
pub const MAX_IMPORT_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub replica: Arc<Replica>,
    pub net: bureau_net::Handle,
    pub token: Arc<String>,
    /// Asks the daemon to stop (`POST /v1/shutdown`).
    pub shutdown: mpsc::Sender<()>,
}

/// An error as the API returns it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: self.message,
            }),
        )
            .into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        ApiError::new(rejection.status(), rejection.body_text())
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Runs store work off the async threads; its errors are the caller's (400), a dead worker is ours.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(ApiError::new(StatusCode::BAD_REQUEST, format!("{error:#}"))),
        Err(error) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            error.to_string(),
        )),
    }
}

/// The node's status: the replica's plus the network's.
#[derive(Debug, Serialize, Deserialize)]
pub struct NodeStatus {
    #[serde(flatten)]
    pub replica: Status,
    pub peer_id: String,
    /// Connected peers.
    pub peers: usize,
    /// Connected peers whose certificates checked out.
    pub members_connected: usize,
    pub listen: Vec<String>,
    pub counters: serde_json::Value,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        write!(f, "ApiState({})", self.replica.member())
    }
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/v1/status", get(status))
        .route("/v1/peers", get(peers))
        .route("/v1/records", post(publish))
        .route("/v1/records/{database}/{owner}/{id}", get(record))
        .route("/v1/records/{database}/{owner}/{id}/cancel", post(cancel))
        .route("/v1/records/{database}/{owner}/{id}/block", post(block))
        .route("/v1/records/{database}/{owner}/{id}/extend", post(extend))
        .route("/v1/search", post(search))
        .route(
            "/v1/import",
            post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_REQUEST_BYTES)),
        )
        .route("/v1/members", get(members))
        .route("/v1/messages", get(mail).post(send_message))
        .route("/v1/hits", get(hits))
        .route("/v1/hits/{id}/answer", post(answer_hit))
        .route("/v1/erase", post(erase))
        .route("/v1/review/{within_days}", get(review))
        .route("/v1/admit", post(admit))
        .route("/v1/revoke", post(revoke))
        .route("/v1/shutdown", post(shutdown))
        .merge(case_routes())
        .layer(middleware::from_fn_with_state(state.clone(), authorise))
        .layer(DefaultBodyLimit::max(MAX_API_REQUEST_BYTES))
        .with_state(state)
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
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token (see DIR/api.token)",
        )
        .into_response();
    }
    next.run(request).await
}

async fn status(State(state): State<ApiState>) -> ApiResult<NodeStatus> {
    let replica = Arc::clone(&state.replica);
    let mut status = blocking(move || replica.status()).await?;
    let info = state.net.info().await.map_err(unavailable)?;
    // A revoked node may never receive the revocation itself: its peers refuse it first, and
    // say why.
    if status.revoked.is_none() {
        status.revoked = info
            .refused_by_network
            .clone()
            .filter(|reason| reason.contains("revoked"));
    }
    let peers = state.net.peers().await.map_err(unavailable)?;
    Ok(Json(NodeStatus {
        replica: status,
        peer_id: info.peer_id,
        peers: peers.len(),
        members_connected: info.members_connected,
        listen: info.listen,
        counters: serde_json::to_value(info.counters).unwrap_or_default(),
    }))
}

fn unavailable(error: bureau_net::Error) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
}

async fn peers(State(state): State<ApiState>) -> ApiResult<Vec<bureau_net::PeerInfo>> {
    Ok(Json(state.net.peers().await.map_err(unavailable)?))
}

async fn publish(
    State(state): State<ApiState>,
    draft: Result<Json<Draft>, JsonRejection>,
) -> ApiResult<Published> {
    let Json(draft) = draft?;
    act(&state, move |replica| {
        replica.publish(&draft.local_id, draft.access, draft.review_date, draft.data)
    })
    .await
}

fn key_of(database: &str, owner: &str, id: &str) -> Result<RecordKey, ApiError> {
    format!("{database}/{owner}/{id}")
        .parse()
        .map_err(|error: bureau_core::record::RecordError| {
            ApiError::new(StatusCode::BAD_REQUEST, error.to_string())
        })
}

async fn record(
    State(state): State<ApiState>,
    Path((database, owner, id)): Path<(String, String, String)>,
    context: Result<
        axum::extract::Query<crate::cli::SearchContext>,
        axum::extract::rejection::QueryRejection,
    >,
) -> ApiResult<bureau_store::RecordView> {
    let key = key_of(&database, &owner, &id)?;
    let context = context
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.body_text()))?
        .0;
    let replica = Arc::clone(&state.replica);
    let lookup = key.clone();
    match blocking(move || replica.get_for(&lookup, &context)).await? {
        Some(view) => Ok(Json(view)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no record {key} in this replica"),
        )),
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CancelBody {
    pub reason: String,
}

async fn cancel(
    State(state): State<ApiState>,
    Path((database, owner, id)): Path<(String, String, String)>,
    body: Result<Json<CancelBody>, JsonRejection>,
) -> ApiResult<Published> {
    let Json(body) = body?;
    let key = key_of(&database, &owner, &id)?;
    act(&state, move |replica| replica.cancel(&key, &body.reason)).await
}

async fn search(
    State(state): State<ApiState>,
    request: Result<Json<SearchRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = request?;
    let replica = Arc::clone(&state.replica);
    let found = blocking(move || replica.search(&request)).await?;
    Ok(Json(found).into_response())
}

/// A batch of a bulk import: published in one transaction. Only the batch's last entry is
/// gossiped; peers see the gap it leaves and sync the rest, which is much cheaper than a
/// gossip message per record.
async fn import(
    State(state): State<ApiState>,
    drafts: Result<Json<Vec<Draft>>, JsonRejection>,
) -> ApiResult<Vec<Result<Published, String>>> {
    let Json(drafts) = drafts?;
    if drafts.len() > crate::import::IMPORT_BATCH_RECORDS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "at most {} records per import batch",
                crate::import::IMPORT_BATCH_RECORDS
            ),
        ));
    }
    let replica = Arc::clone(&state.replica);
    let (results, mut entries) = blocking(move || replica.publish_batch(drafts)).await?;
    if let Some(last) = entries.pop() {
        state.net.publish(last).await.map_err(unavailable)?;
    }
    Ok(Json(results))
}

/// A message to send.
#[derive(Debug, Serialize, Deserialize)]
pub struct MessageBody {
    pub to: bureau_core::MemberCode,
    pub handling: crate::mail::Handling,
    pub subject: String,
    pub text: String,
}

async fn send_message(
    State(state): State<ApiState>,
    body: Result<Json<MessageBody>, JsonRejection>,
) -> ApiResult<crate::mail::Message> {
    let Json(body) = body?;
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.send_message(body)).await?))
}

async fn mail(State(state): State<ApiState>) -> ApiResult<crate::mail::Mail> {
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.mail()).await?))
}

async fn hits(State(state): State<ApiState>) -> ApiResult<crate::mail::Hits> {
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.hits()).await?))
}

/// The owner's answer to a hit.
#[derive(Debug, Serialize, Deserialize)]
pub struct HitAnswerBody {
    pub confirmed: bool,
    pub action: String,
}

async fn answer_hit(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Json<HitAnswerBody>, JsonRejection>,
) -> ApiResult<crate::mail::Message> {
    let Json(body) = body?;
    let replica = Arc::clone(&state.replica);
    Ok(Json(
        blocking(move || replica.answer_hit(&id, body.confirmed, &body.action)).await?,
    ))
}

async fn shutdown(State(state): State<ApiState>) -> StatusCode {
    let _ = state.shutdown.try_send(());
    StatusCode::ACCEPTED
}

async fn members(State(state): State<ApiState>) -> ApiResult<Vec<crate::replica::MemberInfo>> {
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.members()).await?))
}

/// A certificate to announce, as the hex of its file.
#[derive(Debug, Serialize, Deserialize)]
pub struct AdmitBody {
    pub certificate: String,
}

/// What an admission or revocation published.
#[derive(Debug, Serialize, Deserialize)]
pub struct Announced {
    pub member: bureau_core::MemberCode,
    pub serials: Vec<u64>,
    pub entries: Vec<u64>,
}

async fn admit(
    State(state): State<ApiState>,
    body: Result<Json<AdmitBody>, JsonRejection>,
) -> ApiResult<Announced> {
    let Json(body) = body?;
    let bytes = hex::decode(body.certificate.trim())
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "certificate is not hex"))?;
    let certificate = bureau_core::Certificate::from_bytes(&bytes)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))?;
    act(&state, move |replica| {
        let (member, serial) = (certificate.member(), certificate.body.serial);
        let entry = replica.admit(certificate)?;
        let done = Announced {
            member,
            serials: vec![serial],
            entries: vec![entry.header.seq],
        };
        Ok((done, entry))
    })
    .await
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RevokeBody {
    pub member: bureau_core::MemberCode,
    /// Only this certificate (key rotation); all current ones when absent.
    #[serde(default)]
    pub serial: Option<u64>,
    pub reason: String,
}

async fn revoke(
    State(state): State<ApiState>,
    body: Result<Json<RevokeBody>, JsonRejection>,
) -> ApiResult<Announced> {
    let Json(body) = body?;
    let replica = Arc::clone(&state.replica);
    let member = body.member;
    let entries = blocking(move || replica.revoke(body.member, body.serial, &body.reason)).await?;
    let mut announced = Announced {
        member,
        serials: Vec::new(),
        entries: Vec::new(),
    };
    for entry in entries {
        if let Some(bureau_core::Body::Revoke(revoke)) = &entry.body {
            announced.serials.push(revoke.serial);
        }
        announced.entries.push(entry.header.seq);
        state.net.publish(entry).await.map_err(unavailable)?;
    }
    Ok(Json(announced))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BlockBody {
    /// True to block, false to unblock.
    pub blocked: bool,
    pub reason: String,
}

/// What a block or unblock published.
#[derive(Debug, Serialize, Deserialize)]
pub struct Blocked {
    #[serde(rename = "ref")]
    pub reference: String,
    pub blocked: bool,
    pub seq: u64,
}

async fn block(
    State(state): State<ApiState>,
    Path((database, owner, id)): Path<(String, String, String)>,
    body: Result<Json<BlockBody>, JsonRejection>,
) -> ApiResult<Blocked> {
    let Json(body) = body?;
    let key = key_of(&database, &owner, &id)?;
    act(&state, move |replica| {
        let entry = replica.block(&key, body.blocked, &body.reason)?;
        let done = Blocked {
            reference: key.to_string(),
            blocked: body.blocked,
            seq: entry.header.seq,
        };
        Ok((done, entry))
    })
    .await
}

/// Runs a case action on the replica, gossips its entry, returns what it did.
/// Runs a change on the replica (off the async threads), gossips the entry it signed, and
/// returns what it did: the shape of every write the API serves.
async fn act<T: Send + 'static>(
    state: &ApiState,
    work: impl FnOnce(&Replica) -> anyhow::Result<(T, bureau_core::Entry)> + Send + 'static,
) -> ApiResult<T> {
    let replica = Arc::clone(&state.replica);
    let (done, entry) = blocking(move || work(&replica)).await?;
    state.net.publish(entry).await.map_err(unavailable)?;
    Ok(Json(done))
}

fn case_of(owner: &str, id: &str) -> Result<bureau_core::case::CaseRef, ApiError> {
    format!("{owner}/{id}")
        .parse()
        .map_err(|error: bureau_core::schema::SchemaError| {
            ApiError::new(StatusCode::BAD_REQUEST, error.to_string())
        })
}

/// A review or cancellation.
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseBody {
    /// For notice reviews: publish, refuse or more-info.
    #[serde(default)]
    pub decision: Option<bureau_core::case::Decision>,
    #[serde(default)]
    pub reason: String,
}

pub fn case_routes() -> Router<ApiState> {
    Router::new()
        .route("/v1/notices", get(list_notices).post(request_notice))
        .route("/v1/notices/{owner}/{id}", get(show_notice))
        .route("/v1/notices/{owner}/{id}/review", post(review_notice))
        .route("/v1/notices/{owner}/{id}/cancel", post(cancel_notice))
        .route("/v1/diffusions", get(list_diffusions).post(send_diffusion))
        .route(
            "/v1/diffusions/{owner}/{id}/{action}",
            post(review_diffusion),
        )
}

async fn list_notices(State(state): State<ApiState>) -> ApiResult<Vec<bureau_core::case::Notice>> {
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.notices()).await?))
}

async fn show_notice(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
) -> ApiResult<bureau_core::case::Notice> {
    let case = case_of(&owner, &id)?;
    let replica = Arc::clone(&state.replica);
    let lookup = case.clone();
    match blocking(move || replica.notice(&lookup)).await? {
        Some(notice) => Ok(Json(notice)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no notice {case} visible here"),
        )),
    }
}

async fn request_notice(
    State(state): State<ApiState>,
    draft: Result<Json<crate::cases::NoticeDraft>, JsonRejection>,
) -> ApiResult<crate::cases::CaseDone> {
    let Json(draft) = draft?;
    act(&state, move |replica| replica.request_notice(draft)).await
}

async fn review_notice(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
    body: Result<Json<CaseBody>, JsonRejection>,
) -> ApiResult<crate::cases::CaseDone> {
    let Json(body) = body?;
    let case = case_of(&owner, &id)?;
    let decision = body.decision.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "a review needs a decision: publish, refuse or more-info",
        )
    })?;
    act(&state, move |replica| {
        replica.review_notice(&case, decision, &body.reason)
    })
    .await
}

async fn cancel_notice(
    State(state): State<ApiState>,
    Path((owner, id)): Path<(String, String)>,
    body: Result<Json<CaseBody>, JsonRejection>,
) -> ApiResult<crate::cases::CaseDone> {
    let Json(body) = body?;
    let case = case_of(&owner, &id)?;
    act(&state, move |replica| {
        replica.cancel_notice(&case, &body.reason)
    })
    .await
}

async fn list_diffusions(
    State(state): State<ApiState>,
) -> ApiResult<Vec<bureau_core::case::Diffusion>> {
    let replica = Arc::clone(&state.replica);
    Ok(Json(blocking(move || replica.diffusions()).await?))
}

async fn send_diffusion(
    State(state): State<ApiState>,
    draft: Result<Json<crate::cases::DiffusionDraft>, JsonRejection>,
) -> ApiResult<crate::cases::CaseDone> {
    let Json(draft) = draft?;
    act(&state, move |replica| replica.send_diffusion(draft)).await
}

async fn review_diffusion(
    State(state): State<ApiState>,
    Path((owner, id, action)): Path<(String, String, String)>,
    body: Result<Json<CaseBody>, JsonRejection>,
) -> ApiResult<crate::cases::CaseDone> {
    let Json(body) = body?;
    let case = case_of(&owner, &id)?;
    let withdraw = match action.as_str() {
        "flag" => false,
        "withdraw" => true,
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "a diffusion is flagged or withdrawn",
            ));
        }
    };
    act(&state, move |replica| {
        replica.review_diffusion(&case, withdraw, &body.reason)
    })
    .await
}

async fn review(
    State(state): State<ApiState>,
    Path(within_days): Path<i64>,
) -> Result<Response, ApiError> {
    let replica = Arc::clone(&state.replica);
    let due = blocking(move || replica.due_for_review(within_days)).await?;
    Ok(Json(RecordOut::list(&due)).into_response())
}

/// What `POST /v1/erase` did.
#[derive(Debug, Serialize, Deserialize)]
pub struct Erased {
    /// `Erase` entries published.
    pub erase_entries: usize,
}

async fn erase(State(state): State<ApiState>) -> ApiResult<Erased> {
    let erase_entries = crate::daemon::erase_and_gossip(&state.replica, &state.net)
        .await
        .map_err(|error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{error:#}")))?;
    Ok(Json(Erased { erase_entries }))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExtendBody {
    pub review_date: bureau_core::Date,
    pub reason: String,
}

async fn extend(
    State(state): State<ApiState>,
    Path((database, owner, id)): Path<(String, String, String)>,
    body: Result<Json<ExtendBody>, JsonRejection>,
) -> ApiResult<Published> {
    let Json(body) = body?;
    let key = key_of(&database, &owner, &id)?;
    act(&state, move |replica| {
        replica.extend(&key, body.review_date, &body.reason)
    })
    .await
}
