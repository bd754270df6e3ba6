//! The 2026-07-28 ("modern") era, served at `/{mode}/mcp` for [`Mode::Modern`],
//! [`Mode::ModernVersionMismatch`] and [`Mode::Dual`].
//!
//! A modern request is a POST whose `params._meta` carries the envelope
//! (`io.modelcontextprotocol/protocolVersion`, `io.modelcontextprotocol/clientCapabilities`)
//! and whose headers repeat what the body says: `MCP-Protocol-Version` (= the envelope's
//! version), `Mcp-Method` (= `method`), `Mcp-Name` (= `params.name` on `tools/call`) and
//! `Mcp-Param-<Name>` for arguments whose schema carries `x-mcp-header`. Header values that
//! are not visible ASCII arrive as `=?base64?…?=` and are decoded before comparing. There are
//! no sessions, no GET stream and no DELETE (405). JSON-RPC errors come with an HTTP status:
//! 404 for an unknown method, 400 for the others.
//!
//! [`Mode::Modern`] speaks only this era. [`Mode::Dual`] and [`Mode::ModernVersionMismatch`]
//! route like the Python SDK: a request whose `MCP-Protocol-Version` is not a handshake-era
//! version takes the modern path, everything else is served as [`Mode::Json`] by the
//! handshake-era endpoint (with the mode's own sessions and log entries).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Map, Value};

use crate::endpoint::{self, MAX_REQUEST_BODY};
use crate::protocol::{self, Message};
use crate::state::Shared;
use crate::{body, Mode, Received};

/// The protocol version of the modern era.
const MODERN_VERSION: &str = "2026-07-28";
/// Versions that keep a [`Mode::Dual`] or [`Mode::ModernVersionMismatch`] request on the
/// handshake-era path.
const HANDSHAKE_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
/// What [`Mode::ModernVersionMismatch`] says it supports.
const MISMATCH_SUPPORTED: &str = "2025-11-25";

const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";

const VERSION_HEADER: &str = "mcp-protocol-version";
const METHOD_HEADER: &str = "mcp-method";
const NAME_HEADER: &str = "mcp-name";
/// The header `region_info`'s `region` argument is mirrored into (`x-mcp-header: Region`).
const REGION_HEADER: &str = "mcp-param-region";

/// A header does not match the body (2026-07-28).
const HEADER_MISMATCH: i64 = -32020;
/// The requested protocol version is not supported (2026-07-28).
const UNSUPPORTED_VERSION: i64 = -32022;

/// The `requestState` of `book`'s `input_required` result.
const REQUEST_STATE: &str = "opaque-state-1";
/// How many `input_required` request ids are remembered.
const MAX_ASKED: usize = 1000;
/// Cache hints of the `server/discover` result.
const DISCOVER_TTL_MS: u64 = 60_000;
/// Cache hints of the `tools/list` result.
const LIST_TTL_MS: u64 = 30_000;
const CACHE_SCOPE: &str = "public";

/// The routes `/{mode}/mcp` of the modern modes (static paths, so they take precedence over
/// the handshake-era `/{mode}/mcp` route).
pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    let modern = Arc::new(Modern {
        shared,
        asked: Mutex::default(),
        discovers: AtomicU64::new(0),
    });
    let mut router = Router::new();
    for &mode in Mode::all().iter().filter(|m| m.is_modern()) {
        router = router.route(
            &format!("/{}/mcp", mode.as_str()),
            any(move |State(modern): State<Arc<Modern>>, request: Request| {
                modern.serve(mode, request)
            }),
        );
    }
    router.with_state(modern)
}

/// The modern modes' state.
struct Modern {
    shared: Arc<Shared>,
    /// Request ids (as JSON text) of `book` calls answered `input_required`, oldest first: a
    /// retry must come with a new id.
    asked: Mutex<VecDeque<String>>,
    /// `server/discover` requests seen by [`Mode::ModernRefusesOnce`].
    discovers: AtomicU64,
}

impl Modern {
    fn asked(&self) -> MutexGuard<'_, VecDeque<String>> {
        self.asked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn serve(self: Arc<Self>, mode: Mode, request: Request) -> Response {
        let modern_path = mode.is_modern_only()
            || header_text(request.headers(), VERSION_HEADER)
                .is_some_and(|v| !HANDSHAKE_VERSIONS.contains(&v.as_str()));
        if !modern_path {
            return endpoint::serve(Arc::clone(&self.shared), mode, request).await;
        }
        let (parts, request_body) = request.into_parts();
        let headers = parts.headers;
        if parts.method != Method::POST {
            self.record(mode, &parts.method, &headers, None);
            let mut response = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                &Value::Null,
                protocol::SERVER_ERROR,
                "Method not allowed: a 2026-07-28 server takes POST only",
                None,
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let read = tokio::select! {
            () = self.shared.shutdown() => return Response::new(body::abort()),
            read = axum::body::to_bytes(request_body, MAX_REQUEST_BODY) => read,
        };
        let parsed = read
            .as_ref()
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok());
        self.record(mode, &parts.method, &headers, parsed.as_ref());

        if read.is_err() {
            return error_response(
                StatusCode::BAD_REQUEST,
                &Value::Null,
                protocol::INVALID_REQUEST,
                "Bad Request: unreadable or too large body",
                None,
            );
        }
        if !endpoint::accepts_json_and_sse(&headers) {
            return error_response(
                StatusCode::NOT_ACCEPTABLE,
                &Value::Null,
                protocol::INVALID_REQUEST,
                "Not Acceptable: Client must accept both application/json and text/event-stream",
                None,
            );
        }
        if !endpoint::is_json_content(&headers) {
            return error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &Value::Null,
                protocol::INVALID_REQUEST,
                "Unsupported Media Type: Content-Type must be application/json",
                None,
            );
        }
        let Some(value) = parsed else {
            return error_response(
                StatusCode::BAD_REQUEST,
                &Value::Null,
                protocol::PARSE_ERROR,
                "Parse error: invalid JSON",
                None,
            );
        };
        match protocol::classify(&value) {
            Err(why) => error_response(
                StatusCode::BAD_REQUEST,
                &Value::Null,
                protocol::INVALID_REQUEST,
                &format!("Invalid Request: {why}"),
                None,
            ),
            // Notifications (e.g. notifications/cancelled) and answers need no reply.
            Ok(Message::Notification | Message::Response { .. }) => {
                StatusCode::ACCEPTED.into_response()
            }
            Ok(Message::Request { id, method, .. })
                if method == "server/discover" && self.refuses_discover(mode) =>
            {
                error_response(
                    StatusCode::BAD_REQUEST,
                    &id,
                    UNSUPPORTED_VERSION,
                    "Unsupported protocol version",
                    Some(json!({
                        "supported": [MODERN_VERSION],
                        "requested": header_text(&headers, VERSION_HEADER),
                    })),
                )
            }
            Ok(Message::Request { id, params, .. }) if mode == Mode::ModernVersionMismatch => {
                let requested = params
                    .get("_meta")
                    .and_then(|m| m.get(META_VERSION))
                    .cloned()
                    .or_else(|| header_text(&headers, VERSION_HEADER).map(Value::String))
                    .unwrap_or(Value::Null);
                error_response(
                    StatusCode::BAD_REQUEST,
                    &id,
                    UNSUPPORTED_VERSION,
                    "Unsupported protocol version",
                    Some(json!({"supported": [MISMATCH_SUPPORTED], "requested": requested})),
                )
            }
            Ok(Message::Request { id, method, params }) => {
                self.answer(mode, &headers, &id, &method, &params)
            }
        }
    }

    /// Whether this `server/discover` is refused with -32022: every one for
    /// [`Mode::ModernRefusesAlways`], every other one for [`Mode::ModernRefusesOnce`].
    fn refuses_discover(&self, mode: Mode) -> bool {
        match mode {
            Mode::ModernRefusesAlways => true,
            Mode::ModernRefusesOnce => self
                .discovers
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(2),
            _ => false,
        }
    }

    fn record(&self, mode: Mode, method: &Method, headers: &HeaderMap, parsed: Option<&Value>) {
        self.shared.log.push(Received {
            mode,
            http_method: method.to_string(),
            headers: endpoint::header_pairs(headers),
            rpc_method: parsed
                .and_then(|v| v.get("method"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            id: parsed.and_then(|v| v.get("id")).cloned(),
            body: parsed.cloned(),
        });
    }

    /// Answers a request on the modern path.
    fn answer(
        &self,
        mode: Mode,
        headers: &HeaderMap,
        id: &Value,
        method: &str,
        params: &Value,
    ) -> Response {
        // A modern-only server knows nothing of `initialize` or `ping`: unknown methods are
        // answered before anything else is looked at.
        if !matches!(method, "server/discover" | "tools/list" | "tools/call")
            && !crate::features::handles(method)
        {
            return error_response(
                StatusCode::NOT_FOUND,
                id,
                protocol::METHOD_NOT_FOUND,
                "Method not found",
                Some(Value::String(method.to_owned())),
            );
        }
        if let Some(response) = rejection(headers, id, method, params) {
            return response;
        }
        match method {
            "server/discover" => complete(
                id,
                mode,
                json!({
                    "supportedVersions": [MODERN_VERSION],
                    "capabilities": {"tools": {}},
                    "ttlMs": DISCOVER_TTL_MS,
                    "cacheScope": CACHE_SCOPE,
                }),
            ),
            "tools/list" => list_tools(id, mode, params),
            "tools/call" => self.call_tool(id, mode, headers, params),
            _ => modern_reply(
                id,
                mode,
                &crate::features::respond(Mode::Json, id, method, params),
            ),
        }
    }

    fn call_tool(&self, id: &Value, mode: Mode, headers: &HeaderMap, params: &Value) -> Response {
        match params.get("name").and_then(Value::as_str).unwrap_or("") {
            "region_info" => region_info(id, mode, headers, params),
            "book" => self.book(id, mode, params),
            // add, echo, fail, and unknown tools (-32602) as the handshake-era fixture does.
            _ => {
                let reply = protocol::respond(Mode::Json, id, "tools/call", params);
                modern_reply(id, mode, &reply)
            }
        }
    }

    /// `book`: `input_required` (an elicitation `confirm`) until a retry with a new id
    /// brings `inputResponses.confirm` and the unchanged `requestState`.
    fn book(&self, id: &Value, mode: Mode, params: &Value) -> Response {
        let answered = params
            .get("inputResponses")
            .and_then(|r| r.get("confirm"))
            .is_some();
        let state_kept = params.get("requestState").and_then(Value::as_str) == Some(REQUEST_STATE);
        let key = id.to_string();
        let mut asked = self.asked();
        if answered && state_kept && !asked.contains(&key) {
            return complete(id, mode, json!({"content": text_content("booked")}));
        }
        if asked.len() >= MAX_ASKED {
            asked.pop_front();
        }
        asked.push_back(key);
        with_server_info(
            id,
            mode,
            json!({
                "resultType": "input_required",
                "inputRequests": {
                    "confirm": {"method": "elicitation/create", "params": {"message": "Book it?"}}
                },
                "requestState": REQUEST_STATE,
            }),
        )
    }
}

/// Checks the envelope and the headers that must repeat the body; the 400 answer if one is
/// wrong.
fn rejection(headers: &HeaderMap, id: &Value, method: &str, params: &Value) -> Option<Response> {
    let meta = params.get("_meta");
    let version = meta
        .and_then(|m| m.get(META_VERSION))
        .and_then(Value::as_str);
    let capabilities = meta
        .and_then(|m| m.get(META_CAPABILITIES))
        .is_some_and(Value::is_object);
    let Some(version) = version.filter(|_| capabilities) else {
        return Some(error_response(
            StatusCode::BAD_REQUEST,
            id,
            protocol::INVALID_PARAMS,
            "params._meta must be an object carrying the required 'io.modelcontextprotocol/protocolVersion' and 'io.modelcontextprotocol/clientCapabilities' envelope keys",
            None,
        ));
    };
    let mismatch = |what: &str| {
        error_response(
            StatusCode::BAD_REQUEST,
            id,
            HEADER_MISMATCH,
            &format!("header mismatch: {what}"),
            None,
        )
    };
    if header_text(headers, VERSION_HEADER).as_deref() != Some(version) {
        return Some(mismatch(
            "the MCP-Protocol-Version header does not match the request envelope's protocol version",
        ));
    }
    if version != MODERN_VERSION {
        return Some(error_response(
            StatusCode::BAD_REQUEST,
            id,
            UNSUPPORTED_VERSION,
            "Unsupported protocol version",
            Some(json!({"supported": [MODERN_VERSION], "requested": version})),
        ));
    }
    if header_text(headers, METHOD_HEADER).as_deref() != Some(method) {
        return Some(mismatch(
            "the Mcp-Method header does not match the request body's method",
        ));
    }
    let named = match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        _ => None,
    };
    if let Some(field) = named {
        let name = params.get(field).and_then(Value::as_str);
        if name.is_none() || header_text(headers, NAME_HEADER).as_deref() != name {
            return Some(mismatch(&format!(
                "the Mcp-Name header does not match the request body's '{field}' parameter"
            )));
        }
    }
    None
}

/// A handshake-era JSON-RPC reply as a 2026-07-28 answer: a complete result, or the error
/// with its HTTP status.
fn modern_reply(id: &Value, mode: Mode, reply: &Value) -> Response {
    match reply.get("result") {
        Some(result) => complete(id, mode, result.clone()),
        None => {
            let code = reply
                .get("error")
                .and_then(|e| e.get("code"))
                .and_then(Value::as_i64)
                .unwrap_or(protocol::INTERNAL_ERROR);
            endpoint::json_response(status_for(code), reply)
        }
    }
}

/// `tools/list`: the handshake-era tools plus `region_info` and `book`, one page.
fn list_tools(id: &Value, mode: Mode, params: &Value) -> Response {
    if params.get("cursor").is_some_and(|c| !c.is_null()) {
        return error_response(
            StatusCode::BAD_REQUEST,
            id,
            protocol::INVALID_PARAMS,
            "Invalid cursor",
            None,
        );
    }
    let mut tools = protocol::respond(Mode::Json, id, "tools/list", &Value::Null)["result"]
        ["tools"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    tools.push(json!({
        "name": "region_info",
        "title": "Region info",
        "description": "Say which region the request was routed to (the region argument is mirrored into the Mcp-Param-Region header).",
        "inputSchema": {
            "type": "object",
            "properties": {
                "region": {"type": "string", "description": "Region name", "x-mcp-header": "Region"}
            },
            "required": ["region"],
            "additionalProperties": false
        },
        "annotations": {"readOnlyHint": true, "openWorldHint": false}
    }));
    tools.push(json!({
        "name": "book",
        "title": "Book",
        "description": "Book something after the user confirms (asks for input first).",
        "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}
    }));
    complete(
        id,
        mode,
        json!({"tools": tools, "ttlMs": LIST_TTL_MS, "cacheScope": CACHE_SCOPE}),
    )
}

/// `region_info`: "region=<the decoded Mcp-Param-Region header>"; the header must be there
/// and equal the `region` argument.
fn region_info(id: &Value, mode: Mode, headers: &HeaderMap, params: &Value) -> Response {
    let Some(region) = params
        .get("arguments")
        .and_then(|a| a.get("region"))
        .and_then(Value::as_str)
    else {
        return complete(
            id,
            mode,
            json!({"content": text_content("argument region must be a string"), "isError": true}),
        );
    };
    match header_text(headers, REGION_HEADER) {
        Some(header) if header == region => complete(
            id,
            mode,
            json!({"content": text_content(&format!("region={header}"))}),
        ),
        _ => error_response(
            StatusCode::BAD_REQUEST,
            id,
            HEADER_MISMATCH,
            "header mismatch: the Mcp-Param-Region header does not match the 'region' argument",
            None,
        ),
    }
}

fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

/// A 200 answer whose result is `complete` and names the server.
fn complete(id: &Value, mode: Mode, mut result: Value) -> Response {
    if let Some(obj) = result.as_object_mut() {
        obj.insert("resultType".into(), "complete".into());
    }
    with_server_info(id, mode, result)
}

/// A 200 answer with `_meta.serverInfo` added to `result`.
fn with_server_info(id: &Value, mode: Mode, mut result: Value) -> Response {
    let name = if mode.is_modern_only() {
        "mcp-probe-fixture-modern"
    } else {
        "mcp-probe-fixture"
    };
    if let Some(obj) = result.as_object_mut() {
        let mut meta = Map::new();
        meta.insert(
            META_SERVER_INFO.into(),
            json!({"name": name, "version": env!("CARGO_PKG_VERSION")}),
        );
        obj.insert("_meta".into(), Value::Object(meta));
    }
    endpoint::json_response(StatusCode::OK, &protocol::result(id, result))
}

fn error_response(
    status: StatusCode,
    id: &Value,
    code: i64,
    message: &str,
    data: Option<Value>,
) -> Response {
    endpoint::json_response(status, &protocol::error(id, code, message, data))
}

/// The HTTP status a 2026-07-28 JSON-RPC error comes with.
fn status_for(code: i64) -> StatusCode {
    match code {
        protocol::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        protocol::INTERNAL_ERROR => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// A header's text, with the 2026-07-28 `=?base64?…?=` form decoded; `None` when absent or
/// undecodable.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = String::from_utf8_lossy(headers.get(name)?.as_bytes()).into_owned();
    match raw
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    {
        Some(encoded) => String::from_utf8(decode_base64(encoded)?).ok(),
        None => Some(raw),
    }
}

/// Standard base64 (RFC 4648 §4, padding optional); `None` on any other character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::FixtureServer;

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("esO8cmljaA==").unwrap(), "zürich".as_bytes());
        assert_eq!(decode_base64("Z3LDvMOfZQ").unwrap(), "grüße".as_bytes());
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("a b").is_none());
        let mut h = HeaderMap::new();
        h.insert("x", HeaderValue::from_static("=?base64?esO8cmljaA==?="));
        assert_eq!(header_text(&h, "x").as_deref(), Some("zürich"));
        h.insert("x", HeaderValue::from_static("=?base64?!!?="));
        assert_eq!(header_text(&h, "x"), None);
        h.insert("x", HeaderValue::from_static("plain"));
        assert_eq!(header_text(&h, "x").as_deref(), Some("plain"));
    }

    fn envelope(extra: Value) -> Value {
        let mut params = json!({"_meta": {
            META_VERSION: MODERN_VERSION,
            META_CAPABILITIES: {},
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
        }});
        if let (Some(p), Value::Object(extra)) = (params.as_object_mut(), extra) {
            p.extend(extra);
        }
        params
    }

    struct Wire {
        client: reqwest::Client,
        url: String,
    }

    impl Wire {
        /// POSTs `method` with `params` and `headers` (name, value); (status, body).
        async fn post(
            &self,
            id: u64,
            method: &str,
            params: Value,
            headers: &[(&str, &str)],
        ) -> (u16, Value) {
            let mut rb = self
                .client
                .post(&self.url)
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .body(
                    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                        .to_string(),
                );
            for (name, value) in headers {
                rb = rb.header(*name, *value);
            }
            let resp = rb.send().await.unwrap();
            let status = resp.status().as_u16();
            (
                status,
                serde_json::from_str(&resp.text().await.unwrap()).unwrap(),
            )
        }

        /// POSTs `method` with the envelope and the matching headers.
        async fn modern(
            &self,
            id: u64,
            method: &str,
            params: Value,
            extra: &[(&str, &str)],
        ) -> (u16, Value) {
            let mut headers = vec![(VERSION_HEADER, MODERN_VERSION), (METHOD_HEADER, method)];
            let name = params
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(name) = &name {
                headers.push((NAME_HEADER, name.as_str()));
            }
            headers.extend_from_slice(extra);
            self.post(id, method, envelope(params), &headers).await
        }
    }

    #[tokio::test]
    async fn modern_wire() {
        let server = FixtureServer::start().await.unwrap();
        let w = Wire {
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
            url: server.url(Mode::Modern),
        };
        let (status, discover) = w.modern(1, "server/discover", json!({}), &[]).await;
        assert_eq!(status, 200, "{discover}");
        let result = &discover["result"];
        assert_eq!(result["supportedVersions"], json!([MODERN_VERSION]));
        assert_eq!(result["resultType"], "complete");
        assert_eq!(result["ttlMs"], 60_000);
        assert_eq!(result["cacheScope"], "public");
        assert_eq!(
            result["_meta"][META_SERVER_INFO]["name"],
            "mcp-probe-fixture-modern"
        );

        let (status, list) = w.modern(2, "tools/list", json!({}), &[]).await;
        assert_eq!(status, 200);
        let names: Vec<&str> = list["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["add", "echo", "fail", "region_info", "book"]);

        let add = json!({"name": "add", "arguments": {"a": 2, "b": 3}});
        let (status, sum) = w.modern(3, "tools/call", add.clone(), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(sum["result"]["content"][0]["text"], "5");
        assert_eq!(sum["result"]["resultType"], "complete");

        // Header checks, in order.
        let (status, e) = w
            .post(
                4,
                "tools/list",
                json!({}),
                &[
                    (VERSION_HEADER, MODERN_VERSION),
                    (METHOD_HEADER, "tools/list"),
                ],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32602)));
        let (status, e) = w
            .post(
                5,
                "tools/list",
                envelope(json!({})),
                &[(METHOD_HEADER, "tools/list")],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32020)));
        let mut old = envelope(json!({}));
        old["_meta"][META_VERSION] = json!("2099-01-01");
        let (status, e) = w
            .post(
                6,
                "tools/list",
                old,
                &[
                    (VERSION_HEADER, "2099-01-01"),
                    (METHOD_HEADER, "tools/list"),
                ],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32022)));
        assert_eq!(
            e["error"]["data"],
            json!({"supported": [MODERN_VERSION], "requested": "2099-01-01"})
        );
        assert_eq!(e["id"], 6);
        let (status, e) = w
            .post(
                7,
                "tools/list",
                envelope(json!({})),
                &[
                    (VERSION_HEADER, MODERN_VERSION),
                    (METHOD_HEADER, "tools/call"),
                ],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32020)));
        let (status, e) = w
            .post(
                8,
                "tools/call",
                envelope(add),
                &[
                    (VERSION_HEADER, MODERN_VERSION),
                    (METHOD_HEADER, "tools/call"),
                    (NAME_HEADER, "echo"),
                ],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32020)));
        let (status, e) = w
            .modern(
                9,
                "tools/call",
                json!({"name": "nope", "arguments": {}}),
                &[],
            )
            .await;
        assert_eq!((status, &e["error"]["code"]), (400, &json!(-32602)));

        // Unknown methods, handshake-era ones included.
        for method in ["initialize", "ping"] {
            let (status, e) = w.post(10, method, json!({}), &[]).await;
            assert_eq!(
                (status, &e["error"]["code"]),
                (404, &json!(-32601)),
                "{method}"
            );
        }

        // Mirrored argument headers, base64 decoded.
        let region = |r: &str| json!({"name": "region_info", "arguments": {"region": r}});
        let (status, r) = w
            .modern(
                11,
                "tools/call",
                region("eu-west"),
                &[("mcp-param-region", "eu-west")],
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(r["result"]["content"][0]["text"], "region=eu-west");
        let (status, r) = w
            .modern(
                12,
                "tools/call",
                region("zürich"),
                &[("mcp-param-region", "=?base64?esO8cmljaA==?=")],
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(r["result"]["content"][0]["text"], "region=zürich");
        let (status, r) = w.modern(13, "tools/call", region("eu-west"), &[]).await;
        assert_eq!((status, &r["error"]["code"]), (400, &json!(-32020)));

        // input_required, then a retry with a new id.
        let book = json!({"name": "book", "arguments": {}});
        let (_, first) = w.modern(14, "tools/call", book, &[]).await;
        assert_eq!(first["result"]["resultType"], "input_required");
        assert_eq!(first["result"]["requestState"], REQUEST_STATE);
        assert_eq!(
            first["result"]["inputRequests"]["confirm"]["method"],
            "elicitation/create"
        );
        let retry = json!({"name": "book", "arguments": {}, "requestState": REQUEST_STATE,
            "inputResponses": {"confirm": {"action": "accept"}}});
        let (_, same_id) = w.modern(14, "tools/call", retry.clone(), &[]).await;
        assert_eq!(same_id["result"]["resultType"], "input_required");
        let mut lost_state = retry.clone();
        lost_state["requestState"] = json!("other");
        let (_, no_state) = w.modern(15, "tools/call", lost_state, &[]).await;
        assert_eq!(no_state["result"]["resultType"], "input_required");
        let (_, booked) = w.modern(16, "tools/call", retry, &[]).await;
        assert_eq!(booked["result"]["resultType"], "complete");
        assert_eq!(booked["result"]["content"][0]["text"], "booked");

        // POST only, no sessions.
        for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
            let resp = w.client.request(method, &w.url).send().await.unwrap();
            assert_eq!(resp.status(), 405);
            assert_eq!(resp.headers()["allow"], "POST");
        }
        let log = server.log();
        assert!(log.iter().all(|r| r.mode == Mode::Modern));
        assert!(log.iter().all(|r| r.header("mcp-session-id").is_none()));
        assert_eq!(log.iter().filter(|r| r.http_method == "GET").count(), 1);
    }

    #[tokio::test]
    async fn dual_and_version_mismatch_wire() {
        let server = FixtureServer::start().await.unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let dual = Wire {
            client: client.clone(),
            url: server.url(Mode::Dual),
        };
        let (status, discover) = dual.modern(1, "server/discover", json!({}), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(
            discover["result"]["supportedVersions"],
            json!([MODERN_VERSION])
        );
        assert_eq!(
            discover["result"]["_meta"][META_SERVER_INFO]["name"],
            "mcp-probe-fixture"
        );
        let init = json!({"protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"}});
        let (status, answer) = dual.post(2, "initialize", init.clone(), &[]).await;
        assert_eq!(status, 200);
        assert_eq!(answer["result"]["protocolVersion"], "2025-11-25");
        // The handshake era's rules apply on its path: no session id → 400.
        let (status, _) = dual
            .post(
                3,
                "tools/list",
                json!({}),
                &[(VERSION_HEADER, "2025-11-25")],
            )
            .await;
        assert_eq!(status, 400);

        let mismatch = Wire {
            client,
            url: server.url(Mode::ModernVersionMismatch),
        };
        let (status, e) = mismatch.modern(1, "server/discover", json!({}), &[]).await;
        assert_eq!(status, 400);
        assert_eq!(e["error"]["code"], -32022);
        assert_eq!(
            e["error"]["data"],
            json!({"supported": ["2025-11-25"], "requested": MODERN_VERSION})
        );
        let (status, answer) = mismatch.post(2, "initialize", init, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(answer["result"]["serverInfo"]["name"], "mcp-probe-fixture");

        let log = server.log();
        assert_eq!(log.len(), 5);
        assert_eq!(log.iter().filter(|r| r.mode == Mode::Dual).count(), 3);
        assert!(log.iter().all(|r| r.rpc_method.is_some()));
    }
}
