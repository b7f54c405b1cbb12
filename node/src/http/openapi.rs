//! The OpenAPI 3.1 document of the API, generated from the service's catalogue of operations:
//! one path item per route, with its method, operation id, summary and path parameters.
//! Served at `GET /v1/openapi.json` and checked in as `docs/openapi.json`.

use std::collections::BTreeMap;

use bureau_service::operation::path_fields;
use bureau_service::{ErrorKind, Method, Operation, Visitor};
use serde_json::{Value, json};

/// The document.
pub fn document() -> Value {
    let mut paths = Paths::default();
    bureau_service::ops::visit_all(&mut paths);
    paths.shutdown();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Bureau node API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The local HTTP+JSON API of a Bureau node. Every request needs \
                `Authorization: Bearer <DIR/api.token>`. Every error is JSON \
                `{\"error\": {\"kind\": ..., \"message\": ...}}` with the status of its kind.",
        },
        "servers": [{"url": "http://127.0.0.1:7100", "description": "a node's API (see DIR/api.addr)"}],
        "security": [{"bearer": []}],
        "paths": paths.0,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": error_schema()},
        },
    })
}

/// The error answer's schema.
fn error_schema() -> Value {
    let kinds: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.as_str()).collect();
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["kind", "message"],
            "properties": {
                "kind": {"type": "string", "enum": kinds},
                "message": {"type": "string"},
            },
        }},
    })
}

/// Path items, by path.
#[derive(Default)]
struct Paths(BTreeMap<String, BTreeMap<&'static str, Value>>);

impl Paths {
    fn shutdown(&mut self) {
        self.0.entry("/v1/shutdown".to_owned()).or_default().insert(
            "post",
            json!({
                "operationId": "shutdown",
                "summary": "Ask the node to stop",
                "responses": {"202": {"description": "the node stops"}},
            }),
        );
    }
}

impl Visitor for Paths {
    fn visit<O: Operation>(&mut self) {
        let parameters: Vec<Value> = path_fields(O::PATH)
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let errors: BTreeMap<String, Value> = ErrorKind::ALL
            .iter()
            .map(|kind| {
                (
                    kind.http_status().to_string(),
                    json!({"description": kind.as_str(), "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
                )
            })
            .collect();
        let mut responses = json!({"200": {"description": "done", "content": {"application/json": {}}}});
        if let Value::Object(map) = &mut responses {
            map.extend(errors);
        }
        let mut operation = json!({
            "operationId": O::NAME,
            "summary": O::SUMMARY,
            "parameters": parameters,
            "responses": responses,
        });
        let method = match O::METHOD {
            Method::Get => "get",
            Method::Post => {
                operation["requestBody"] =
                    json!({"required": true, "content": {"application/json": {}}});
                "post"
            }
        };
        self.0
            .entry(O::PATH.to_owned())
            .or_default()
            .insert(method, operation);
    }
}
