//! The API's contract as a national system sees it: every error is JSON with a kind and the
//! status of that kind, whatever the route, method or path; the OpenAPI document is served and
//! matches the one checked in; an operation answers the same in-process and over HTTP.

use std::net::SocketAddr;

use serde_json::Value;

use crate::net_harness::TestNet;

/// A raw HTTP client: sends what a test says, returns the status and the JSON body.
pub struct Raw {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Raw {
    pub fn new(addr: SocketAddr, token: &str) -> Raw {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        Raw {
            base: format!("http://{addr}"),
            token: token.to_owned(),
            agent,
        }
    }

    fn finish(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
        let mut response = response.expect("the node answers");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().expect("a body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("status {status}: the body is not JSON: {text:?}"));
        (status, body)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        Raw::finish(
            self.agent
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {}", self.token))
                .call(),
        )
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        Raw::finish(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {}", self.token))
                .send_json(body),
        )
    }

    /// Any method, with raw body bytes.
    pub fn send(&self, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .expect("a request");
        Raw::finish(self.agent.run(request))
    }
}

/// Asserts an error answer: the status, the kind, and a message.
fn assert_error(answer: &(u16, Value), status: u16, kind: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["error"]["kind"], kind, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Wrong methods, unknown routes, non-UTF-8 and non-numeric path parts, bad JSON, unknown
/// records and cases: each answers JSON with the kind and status that fit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_is_json_with_a_kind() {
    let net = TestNet::start("api-errors", 2).await;
    let node = net.node(1);
    let (addr, token) = (node.api_addr, node.token.clone());
    tokio::task::spawn_blocking(move || {
        let api = Raw::new(addr, &token);
        assert_error(&api.get("/v1/nothing-here"), 404, "not_found");
        assert_error(&api.get("/"), 404, "not_found");
        assert_error(
            &api.send("DELETE", "/v1/status", b""),
            405,
            "method_not_allowed",
        );
        assert_error(&api.get("/v1/records"), 405, "method_not_allowed");
        assert_error(
            &api.send("PUT", "/v1/search", b"{}"),
            405,
            "method_not_allowed",
        );
        // Non-numeric and huge look-aheads are refused, never wrapped or panicking.
        assert_error(&api.get("/v1/review/soon"), 400, "invalid_input");
        assert_error(&api.get("/v1/review/99999999999999"), 400, "invalid_input");
        assert_error(&api.get("/v1/review/-1"), 400, "invalid_input");
        // A path part that is not UTF-8 once decoded.
        assert_error(
            &api.get("/v1/records/sltd/FRA/%FF%FE"),
            400,
            "invalid_input",
        );
        assert_error(&api.get("/v1/records/nodb/FRA/x"), 400, "invalid_input");
        assert_error(&api.get("/v1/records/sltd/FRA/.."), 400, "invalid_input");
        assert_error(&api.get("/v1/records/sltd/FRA/absent"), 404, "not_found");
        assert_error(
            &api.send("POST", "/v1/search", b"{not json"),
            400,
            "invalid_input",
        );
        assert_error(
            &api.send("POST", "/v1/search", &[0xff, 0xfe]),
            400,
            "invalid_input",
        );
        assert_error(
            &api.post("/v1/search", &serde_json::json!({"database": "unicorns"})),
            400,
            "invalid_input",
        );
        // Acting on cases that do not exist signs nothing.
        let reason = serde_json::json!({"reason": "test"});
        assert_error(
            &api.post("/v1/diffusions/FRA/none/flag", &reason),
            404,
            "not_found",
        );
        assert_error(
            &api.post("/v1/diffusions/FRA/none/burn", &reason),
            400,
            "invalid_input",
        );
        assert_error(
            &api.post("/v1/notices/FRA/none/cancel", &reason),
            404,
            "not_found",
        );
        let review = serde_json::json!({"decision": "publish", "reason": "x"});
        assert_error(
            &api.post("/v1/notices/FRA/none/review", &review),
            404,
            "not_found",
        );
        assert_error(&api.get("/v1/notices/FRA/none"), 404, "not_found");
        assert_error(
            &api.post(
                "/v1/hits/none/answer",
                &serde_json::json!({"confirmed": true, "action": "x"}),
            ),
            404,
            "not_found",
        );
        // A member acting on another's record is forbidden, not a bad request.
        assert_error(
            &api.post("/v1/records/sltd/DEU/x/cancel", &reason),
            403,
            "forbidden",
        );
    })
    .await
    .expect("API checks");
    net.shutdown().await;
}

/// The OpenAPI document the node serves is the one checked in as docs/openapi.json
/// (regenerate it with `cargo run -- openapi > docs/openapi.json`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_openapi_document_is_the_checked_in_one() {
    let net = TestNet::start("api-openapi", 1).await;
    let node = net.node(0);
    let (addr, token) = (node.api_addr, node.token.clone());
    let served =
        tokio::task::spawn_blocking(move || Raw::new(addr, &token).get("/v1/openapi.json"))
            .await
            .expect("request");
    net.shutdown().await;
    assert_eq!(served.0, 200);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let text = std::fs::read_to_string(&path).expect("docs/openapi.json is checked in");
    let checked_in: Value = serde_json::from_str(&text).expect("docs/openapi.json is JSON");
    assert!(
        served.1 == checked_in,
        "docs/openapi.json differs from what the node serves: run `cargo run -- openapi > docs/openapi.json`"
    );
    assert_eq!(served.1["openapi"], "3.1.0");
    for path in [
        "/v1/records",
        "/v1/search",
        "/v1/status",
        "/v1/records/{database}/{owner}/{id}",
    ] {
        assert!(served.1["paths"][path].is_object(), "{path} is documented");
    }
}

/// The same operation gives the same answer in-process (the CLI without a daemon) and over HTTP
/// (the CLI and national systems with one): the typed client and server agree on every shape,
/// a list body (an import batch) and path fields included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_and_http_answers_agree() {
    use bureau_node::http::client::Client;
    use bureau_service::ops::{GetRecord, ImportBatch, ListMembers, RecordPath};
    use bureau_service::query::SearchContext;

    let net = TestNet::start("api-agree", 2).await;
    net.wait_meshed().await;
    let node = net.node(1);
    // Once the node knows both certificates the members list no longer changes between the
    // two calls.
    crate::net_harness::wait_until("both certificates known", || async {
        node.service
            .call(ListMembers {})
            .await
            .is_ok_and(|members| members.len() == 2)
    })
    .await;
    let client = Client::new(&node.api_addr.to_string(), &node.token);
    let draft = |n: u32| stolen_pistol(&format!("agree{n}"), &format!("AG-{n:05}"), "Beretta");
    let batch = ImportBatch(vec![draft(1), draft(2)]);
    let (client, results) = tokio::task::spawn_blocking(move || {
        let results = client.call(&batch).expect("import over HTTP");
        (client, results)
    })
    .await
    .expect("request");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let key: bureau_core::RecordKey = results[0]
        .as_ref()
        .expect("ok")
        .reference
        .parse()
        .expect("key");
    let get = GetRecord {
        record: RecordPath::from(&key),
        context: SearchContext::default(),
    };
    let local_view = node
        .service
        .call(get.clone())
        .await
        .expect("get in-process");
    let local_members = node
        .service
        .call(ListMembers {})
        .await
        .expect("members in-process");
    let (remote_view, remote_members) = tokio::task::spawn_blocking(move || {
        (
            client.call(&get).expect("get over HTTP"),
            client.call(&ListMembers {}).expect("members over HTTP"),
        )
    })
    .await
    .expect("requests");
    let json = |value: serde_json::Result<Value>| value.expect("answers serialise");
    assert_eq!(
        json(serde_json::to_value(&local_view)),
        json(serde_json::to_value(&remote_view))
    );
    assert_eq!(
        json(serde_json::to_value(&local_members)),
        json(serde_json::to_value(&remote_members))
    );
    net.shutdown().await;
}

/// A stolen pistol to publish, open to all.
fn stolen_pistol(local_id: &str, serial: &str, make: &str) -> bureau_service::records::Draft {
    bureau_service::records::Draft {
        local_id: local_id.into(),
        access: bureau_core::Access::All,
        review_date: None,
        data: bureau_core::RecordData::Firearm(bureau_core::schema::Firearm {
            serial_number: serial.into(),
            make: make.into(),
            model: None,
            calibre: None,
            kind: bureau_core::schema::FirearmKind::Pistol,
            status: bureau_core::schema::FirearmStatus::Stolen,
            theft_date: None,
            theft_place: None,
        }),
    }
}

/// A plain GET without the token: the status and the body as text.
fn get_text(url: &str) -> (u16, String, String) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.get(url).call().expect("the node answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.body_mut().read_to_string().expect("a body");
    (status, content_type, text)
}

/// An operator's probes and scraper need no token and learn only counts: `/healthz` and
/// `/readyz` on the API port and the metrics port, `/metrics` with bureau's and libp2p's
/// metrics (members by connection, network counters, request durations by operation), and no
/// record data in any of it. The rest of the API still wants the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_probe_and_scrape_without_the_token_and_see_no_record_data() {
    use bureau_service::query::{Query, SearchRequest};

    let net = TestNet::start("api-metrics", 2).await;
    net.wait_meshed().await;
    let node = net.node(1);
    let secret_serial = "ZX-SECRET-4711";
    node.service
        .call(stolen_pistol("metrics1", secret_serial, "Walther"))
        .await
        .expect("publish");
    let api = node.api_addr;
    let metrics = node.metrics_addr.expect("the harness serves metrics");
    let token = node.token.clone();
    // A search over the API, so its duration is counted.
    let client = bureau_node::http::client::Client::new(&api.to_string(), &token);
    tokio::task::spawn_blocking(move || {
        let search = SearchRequest {
            query: Query::Firearm {
                serial_number: secret_serial.into(),
                make: None,
            },
            purpose: Some("metrics test".into()),
            place: None,
        };
        client.call(&search).expect("search over HTTP");
    })
    .await
    .expect("search");
    crate::net_harness::wait_until("the node reports ready", || async move {
        tokio::task::spawn_blocking(move || get_text(&format!("http://{api}/readyz")).0 == 200)
            .await
            .unwrap_or(false)
    })
    .await;
    let token_for_check = token.clone();
    tokio::task::spawn_blocking(move || {
        for base in [format!("http://{api}"), format!("http://{metrics}")] {
            assert_eq!(
                get_text(&format!("{base}/healthz")),
                (200, "text/plain; charset=utf-8".into(), "ok\n".into())
            );
            let (status, _, text) = get_text(&format!("{base}/readyz"));
            assert_eq!((status, text.as_str()), (200, "ready\n"));
        }
        let (status, content_type, text) = get_text(&format!("http://{metrics}/metrics"));
        assert_eq!(status, 200, "{text}");
        assert!(
            content_type.starts_with("application/openmetrics-text"),
            "{content_type}"
        );
        for expected in [
            "bureau_build_info{version=",
            "bureau_ready 1",
            "bureau_synced 1",
            "bureau_members_connected{connection=\"direct\"} 1",
            "bureau_members_connected{connection=\"relayed\"} 0",
            "bureau_net_gossip_accepted_total",
            "bureau_records ",
            "bureau_api_request_duration_seconds_count{operation=\"search\",outcome=\"ok\"} 1",
            "libp2p_swarm_connections_established_total",
            "libp2p_bandwidth_bytes_total",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        for secret in [secret_serial, "Walther", token_for_check.as_str()] {
            assert!(!text.contains(secret), "{secret:?} leaked into /metrics");
        }
        // The dashboard's page loads without the token and holds no data of its own.
        let (status, content_type, page) = get_text(&format!("http://{api}/dashboard"));
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(page.contains("/v1/status") && !page.contains(secret_serial));
        // Everything else still needs the token.
        let (status, _, _) = get_text(&format!("http://{api}/v1/status"));
        assert_eq!(status, 401);
    })
    .await
    .expect("probes");
    let status = node
        .service
        .call(bureau_service::ops::GetStatus {})
        .await
        .expect("status");
    assert!(status.ready, "{:?}", status.not_ready);
    assert!(status.network.is_some_and(|network| network.synced));
    net.shutdown().await;
}
