//! The OpenAPI 3.1 document of the API, generated from the service's catalogue of operations:
//! one path item per route, with its method, operation id, summary, parameters, request body and
//! answer. Served at `GET /v1/openapi.json` and checked in as `docs/openapi.json`.
//!
//! The schemas are derived from the request and answer types with schemars (JSON Schema 2020-12,
//! the dialect of OpenAPI 3.1); every named type is one entry of `components/schemas`. They
//! describe what the node reads (schemars' deserialize contract): what it writes always fits
//! them, with fields that have defaults and `null` options merely always present.
//!
//! A request's fields are split as the server reads them: those named in the path are path
//! parameters, the rest of a `GET` are query parameters, the rest of a `POST` its JSON body.

use std::collections::BTreeMap;

use bureau_service::operation::path_fields;
use bureau_service::{ErrorKind, Method, Operation, Visitor};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// Where the generated schemas live, and so the prefix of every `$ref` to them.
const SCHEMAS_PATH: &str = "/components/schemas";

/// The error answer's name in `components/schemas`.
const ERROR_SCHEMA: &str = "Error";

/// JSON types a query parameter may have: the server reads each one from text.
const QUERY_TYPES: [&str; 4] = ["string", "integer", "number", "boolean"];

/// The document.
pub fn document() -> Value {
    let mut catalogue = Catalogue::new();
    bureau_service::ops::visit_all(&mut catalogue);
    catalogue.shutdown();
    let mut schemas = catalogue.generator.take_definitions(true);
    let clash = schemas.insert(ERROR_SCHEMA.to_owned(), error_schema());
    assert!(
        clash.is_none(),
        "a request or answer type is named {ERROR_SCHEMA}, as the error answer is: rename it"
    );
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
        "paths": catalogue.paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
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

/// The path items, by path, and the generator that collects the named schemas they refer to.
struct Catalogue {
    paths: BTreeMap<String, BTreeMap<&'static str, Value>>,
    generator: SchemaGenerator,
}

impl Catalogue {
    fn new() -> Catalogue {
        let settings = SchemaSettings::draft2020_12().with(|settings| {
            settings.definitions_path = SCHEMAS_PATH.into();
            settings.meta_schema = None;
        });
        Catalogue {
            paths: BTreeMap::new(),
            generator: settings.into_generator(),
        }
    }

    fn shutdown(&mut self) {
        self.paths
            .entry("/v1/shutdown".to_owned())
            .or_default()
            .insert(
                "post",
                json!({
                    "operationId": "shutdown",
                    "summary": "Ask the node to stop",
                    "responses": {"202": {"description": "the node stops"}},
                }),
            );
    }
}

impl Visitor for Catalogue {
    fn visit<O: Operation>(&mut self) {
        // The request's own schema, inline, so its fields can be split between path, query and
        // body; the types it refers to still become named schemas.
        let request = O::json_schema(&mut self.generator).to_value();
        let in_path: Vec<&str> = path_fields(O::PATH).collect();
        let mut parameters: Vec<Value> = in_path
            .iter()
            .map(|name| parameter(name, "path", true, property(&request, name)))
            .collect();
        let mut operation = json!({
            "operationId": O::NAME,
            "summary": O::SUMMARY,
        });
        if let Some(description) = request.get("description") {
            operation["description"] = description.clone();
        }
        let method = match O::METHOD {
            Method::Get => {
                parameters.extend(query_parameters::<O>(&request, &in_path));
                "get"
            }
            Method::Post => {
                let fields = without_fields(request, &in_path);
                let required = !may_be_empty(&fields);
                let body = if in_path.is_empty() {
                    self.generator.subschema_for::<O>().to_value()
                } else {
                    fields
                };
                operation["requestBody"] = request_body(body, required);
                "post"
            }
        };
        operation["parameters"] = Value::Array(parameters);
        let answer = self.generator.subschema_for::<O::Answer>().to_value();
        operation["responses"] = responses(answer);
        self.paths
            .entry(O::PATH.to_owned())
            .or_default()
            .insert(method, operation);
    }
}

/// The schema of one field of an object schema; a string when the request has no such field.
fn property(object: &Value, name: &str) -> Value {
    object
        .pointer(&format!("/properties/{name}"))
        .cloned()
        .unwrap_or_else(|| json!({"type": "string"}))
}

/// Whether an object schema lists `name` as required.
fn is_required(object: &Value, name: &str) -> bool {
    object["required"]
        .as_array()
        .is_some_and(|required| required.iter().any(|field| field == name))
}

/// A parameter, its schema's description lifted to the parameter.
fn parameter(name: &str, location: &str, required: bool, mut schema: Value) -> Value {
    let description = schema
        .as_object_mut()
        .and_then(|schema| schema.remove("description"));
    let mut parameter =
        json!({"name": name, "in": location, "required": required, "schema": schema});
    if let Some(description) = description {
        parameter["description"] = description;
    }
    parameter
}

/// A `GET` request's fields outside its path, as query parameters. Each is read from text, so
/// it must be a scalar (`null` aside: an absent parameter is the null).
fn query_parameters<O: Operation>(request: &Value, in_path: &[&str]) -> Vec<Value> {
    let Some(properties) = request["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .filter(|(name, _)| !in_path.contains(&name.as_str()))
        .map(|(name, schema)| {
            let schema = scalar(schema).unwrap_or_else(|| {
                panic!(
                    "{}: field {name} of a GET request is not a scalar, so it cannot be a query \
                     parameter: make the operation a POST",
                    O::NAME
                )
            });
            parameter(name, "query", is_required(request, name), schema)
        })
        .collect()
}

/// `schema` without `null` among its types, if what is left is one scalar type.
fn scalar(schema: &Value) -> Option<Value> {
    let mut schema = schema.clone();
    let scalar_type = match &schema["type"] {
        Value::String(name) => name.clone(),
        Value::Array(types) => {
            let types: Vec<&Value> = types.iter().filter(|name| *name != "null").collect();
            match types[..] {
                [Value::String(name)] => name.clone(),
                _ => return None,
            }
        }
        _ => return None,
    };
    if !QUERY_TYPES.contains(&scalar_type.as_str()) {
        return None;
    }
    schema["type"] = Value::String(scalar_type);
    if schema["default"].is_null() {
        schema.as_object_mut()?.remove("default");
    }
    Some(schema)
}

/// An object schema without the named fields (those the path carries), and without its
/// description (the operation's).
fn without_fields(mut object: Value, names: &[&str]) -> Value {
    let Some(schema) = object.as_object_mut() else {
        return object;
    };
    schema.remove("description");
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.retain(|name, _| !names.contains(&name.as_str()));
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        required.retain(|name| !names.iter().any(|path_name| name == *path_name));
        if required.is_empty() {
            schema.remove("required");
        }
    }
    object
}

/// Whether `{}` fits a schema: an object with no required field and no alternatives. The
/// server reads an empty body as `{}`, so such a body may be left out.
fn may_be_empty(schema: &Value) -> bool {
    schema["type"] == "object"
        && ["required", "oneOf", "anyOf", "allOf"]
            .iter()
            .all(|keyword| schema.get(keyword).is_none())
}

/// A JSON request body.
fn request_body(schema: Value, required: bool) -> Value {
    json!({"required": required, "content": {"application/json": {"schema": schema}}})
}

/// The answer on success, and the error answer of each kind.
fn responses(answer: Value) -> Value {
    let mut responses = Map::new();
    responses.insert(
        "200".to_owned(),
        json!({"description": "done", "content": {"application/json": {"schema": answer}}}),
    );
    let error = json!({"$ref": format!("#{SCHEMAS_PATH}/{ERROR_SCHEMA}")});
    for kind in ErrorKind::ALL {
        responses.insert(
            kind.http_status().to_string(),
            json!({"description": kind.as_str(), "content": {"application/json": {"schema": error}}}),
        );
    }
    Value::Object(responses)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` in `value`, recursively.
    fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    found.push(reference);
                }
                map.values().for_each(|value| references(value, found));
            }
            Value::Array(values) => values.iter().for_each(|value| references(value, found)),
            _ => {}
        }
    }

    /// The document is the same on every run, and every schema reference names a component
    /// (so the checked-in file is stable and no schema dangles).
    #[test]
    fn the_document_is_stable_and_its_references_resolve() {
        let document = document();
        assert_eq!(document, super::document());
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(found.len() > 100, "the schemas are referenced, not inlined");
        let prefix = format!("#{SCHEMAS_PATH}/");
        for reference in found {
            let name = reference
                .strip_prefix(&prefix)
                .expect("a component reference");
            assert!(
                document["components"]["schemas"][name].is_object(),
                "{reference} names no component"
            );
        }
    }
}
