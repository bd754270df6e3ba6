//! The MCP endpoint: HTTP checks, sessions, and each mode's way of answering.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::protocol::{self, Message};
use crate::state::{Lookup, Shared};
use crate::{abuse, auth, body, echo, faults, notifications, sse, Mode, Received};

/// Largest request body read; bigger bodies are answered 400.
pub(crate) const MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;
const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";

/// `/{mode}/mcp`.
pub(crate) async fn mode_endpoint(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    match name.parse::<Mode>() {
        // Legacy HTTP+SSE servers have no Streamable HTTP endpoint.
        Ok(mode) if mode.is_legacy() => (StatusCode::NOT_FOUND, "Not Found").into_response(),
        Ok(mode) => serve(shared, mode, request).await,
        Err(unknown) => (StatusCode::NOT_FOUND, unknown.to_string()).into_response(),
    }
}

/// `/mcp`, the [`Mode::Json`] endpoint.
pub(crate) async fn default_endpoint(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response {
    serve(shared, Mode::Json, request).await
}

/// The protected resource metadata that [`Mode::Unauthorized`]'s challenge points at.
pub(crate) async fn protected_resource_metadata(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response {
    shared.log.push(Received {
        mode: Mode::Unauthorized,
        http_method: request.method().to_string(),
        headers: header_pairs(request.headers()),
        rpc_method: None,
        id: None,
        body: None,
    });
    json_response(StatusCode::OK, &faults::resource_metadata(shared.addr))
}

/// `/echo_redirect/{secret}/mcp`, where [`Mode::EchoRedirect`] sends its clients: recorded
/// (as [`Mode::EchoRedirect`]) and answered 404.
pub(crate) async fn echo_redirect_target(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response {
    let (parts, request_body) = request.into_parts();
    let read = tokio::select! {
        () = shared.shutdown() => return Response::new(body::abort()),
        read = axum::body::to_bytes(request_body, MAX_REQUEST_BODY) => read,
    };
    let parsed = read
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    shared.log.push(Received {
        mode: Mode::EchoRedirect,
        http_method: parts.method.to_string(),
        headers: header_pairs(&parts.headers),
        rpc_method: parsed
            .as_ref()
            .and_then(|v| v.get("method"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        id: parsed.as_ref().and_then(|v| v.get("id")).cloned(),
        body: parsed,
    });
    echo::redirect_target()
}

/// Serves `request` the handshake-era way of `mode` (also for the dual-era modes of
/// `modern.rs`, which hand over what is not 2026-07-28).
pub(crate) async fn serve(shared: Arc<Shared>, mode: Mode, request: Request) -> Response {
    let (parts, request_body) = request.into_parts();
    let headers = parts.headers;
    if parts.method != Method::POST {
        shared.log.push(Received {
            mode,
            http_method: parts.method.to_string(),
            headers: header_pairs(&headers),
            rpc_method: None,
            id: None,
            body: None,
        });
        if let Some(denied) = auth::gate(shared.addr, mode, &headers) {
            return denied;
        }
        return if parts.method == Method::DELETE {
            delete(&shared, mode, &headers)
        } else {
            method_not_allowed(mode)
        };
    }

    let read = tokio::select! {
        () = shared.shutdown() => return Response::new(body::abort()),
        read = axum::body::to_bytes(request_body, MAX_REQUEST_BODY) => read,
    };
    let parsed = read
        .as_ref()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok());
    shared.log.push(Received {
        mode,
        http_method: "POST".to_owned(),
        headers: header_pairs(&headers),
        rpc_method: parsed
            .as_ref()
            .and_then(|v| v.get("method"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        id: parsed.as_ref().and_then(|v| v.get("id")).cloned(),
        body: parsed.clone(),
    });

    if let Some(denied) = auth::gate(shared.addr, mode, &headers) {
        return denied;
    }
    // Faults that sit in front of the MCP server (proxies, gateways) ignore the request.
    match mode {
        Mode::Hang => return faults::hang(&shared).await,
        Mode::BadGateway => return faults::bad_gateway(),
        Mode::ReadyAfter if !shared.ready() => return faults::not_ready(),
        Mode::Switch if !shared.switch_healthy() => return faults::switched_off(),
        Mode::Html => return faults::login_page(),
        Mode::Unauthorized => return faults::unauthorized(shared.addr),
        Mode::EchoErrorBody => return echo::error_body(&headers),
        Mode::EchoUnauthorized => return echo::unauthorized(&headers),
        Mode::EchoRedirect => return echo::redirect(&headers),
        _ => {}
    }

    if read.is_err() {
        return transport_error(
            StatusCode::BAD_REQUEST,
            protocol::INVALID_REQUEST,
            "Bad Request: unreadable or too large body",
        );
    }
    if !accepts_json_and_sse(&headers) {
        return transport_error(
            StatusCode::NOT_ACCEPTABLE,
            protocol::SERVER_ERROR,
            "Not Acceptable: Client must accept both application/json and text/event-stream",
        );
    }
    if !is_json_content(&headers) {
        return transport_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            protocol::SERVER_ERROR,
            "Unsupported Media Type: Content-Type must be application/json",
        );
    }
    let Some(value) = parsed else {
        return transport_error(
            StatusCode::BAD_REQUEST,
            protocol::PARSE_ERROR,
            "Parse error: invalid JSON",
        );
    };
    let message = match protocol::classify(&value) {
        Ok(message) => message,
        Err(why) => {
            return transport_error(
                StatusCode::BAD_REQUEST,
                protocol::INVALID_REQUEST,
                &format!("Invalid Request: {why}"),
            )
        }
    };

    if let Message::Request { id, method, params } = &message {
        if method == "initialize" {
            return initialize(&shared, mode, id, params);
        }
    }
    if mode == Mode::EchoSessionError {
        return echo::session_error(&headers);
    }

    // Everything after initialize belongs to a session (in modes that have them).
    let session = if mode.has_sessions() {
        let Some(session_id) = header_str(&headers, SESSION_HEADER) else {
            return transport_error(
                StatusCode::BAD_REQUEST,
                protocol::SERVER_ERROR,
                "Bad Request: Mcp-Session-Id header is required",
            );
        };
        let Lookup::Found(session) = shared.lookup(mode, session_id) else {
            return session_not_found();
        };
        if mode == Mode::Session404 {
            return session_not_found();
        }
        Some((session_id.to_owned(), session))
    } else {
        None
    };
    if let Some(version) = header_str(&headers, VERSION_HEADER) {
        let valid = match &session {
            Some((_, session)) => version == session.version,
            None => protocol::SUPPORTED_VERSIONS.contains(&version),
        };
        if !valid {
            return transport_error(
                StatusCode::BAD_REQUEST,
                protocol::SERVER_ERROR,
                &format!("Bad Request: Unsupported protocol version: {version}"),
            );
        }
    }

    match message {
        Message::Notification => StatusCode::ACCEPTED.into_response(),
        Message::Response { id } => {
            shared.answer_arrived(&id);
            StatusCode::ACCEPTED.into_response()
        }
        Message::Request { id, method, params } => {
            let session_id = session.as_ref().map(|(id, _)| id.as_str());
            answer_request(&shared, mode, session_id, &headers, &id, &method, &params)
        }
    }
}

fn initialize(shared: &Arc<Shared>, mode: Mode, id: &Value, params: &Value) -> Response {
    match mode {
        Mode::InvalidJson => return faults::truncated_json(),
        Mode::Oversized => return faults::oversized_json(shared),
        Mode::OversizedSseEvent => return faults::oversized_sse_event(shared),
        Mode::ResetMidBody => return faults::reset_mid_body(id),
        Mode::UnsupportedVersionError => {
            let requested = params
                .get("protocolVersion")
                .cloned()
                .unwrap_or(Value::Null);
            let reply = protocol::error(
                id,
                protocol::INVALID_PARAMS,
                "Unsupported protocol version",
                Some(json!({"supported": ["2099-01-01"], "requested": requested})),
            );
            return json_response(StatusCode::OK, &reply);
        }
        _ => {}
    }
    let requested = params.get("protocolVersion").and_then(Value::as_str);
    let version = if mode == Mode::OldVersion {
        "2024-01-01"
    } else {
        protocol::negotiate(requested)
    };
    let mut reply = protocol::result(id, protocol::initialize_result(version, mode));
    if mode == Mode::WrongId {
        if let Some(obj) = reply.as_object_mut() {
            obj.insert("id".into(), different_id(id));
        }
    }
    let mut response = match mode {
        Mode::Sse | Mode::Notifications => single_event(shared, &reply),
        Mode::ManyNumbers => abuse::many_numbers(shared, id, &reply["result"]),
        _ => json_response(StatusCode::OK, &reply),
    };
    if mode.has_sessions() {
        let session_id = shared.create_session(mode, version);
        if let Ok(value) = HeaderValue::from_str(&session_id) {
            response.headers_mut().insert(SESSION_HEADER, value);
        }
    }
    response
}

fn answer_request(
    shared: &Arc<Shared>,
    mode: Mode,
    session_id: Option<&str>,
    headers: &HeaderMap,
    id: &Value,
    method: &str,
    params: &Value,
) -> Response {
    match mode {
        Mode::SseSilence => return faults::sse_silence(shared),
        Mode::InvalidJson => return faults::truncated_json(),
        Mode::SessionExpireOnce
            if method == "tools/list" && session_id.is_some_and(|sid| shared.expire_once(sid)) =>
        {
            return session_not_found();
        }
        Mode::EchoRpcError => return json_response(StatusCode::OK, &echo::rpc_error(id, headers)),
        Mode::EchoToolError if method == "tools/call" => {
            let reply = protocol::result(id, echo::tool_error(headers));
            return json_response(StatusCode::OK, &reply);
        }
        Mode::PingFlood => return abuse::ping_flood(shared),
        Mode::ManyTools if method == "tools/list" => return abuse::many_tools(shared, id),
        Mode::HugeCursors if method == "tools/list" => {
            return abuse::huge_cursor_page(shared, id, params)
        }
        _ => {}
    }
    let reply = protocol::respond(mode, id, method, params);
    match mode {
        Mode::Sse => single_event(shared, &reply),
        Mode::Notifications => notifications::respond(shared, method, reply),
        _ => json_response(StatusCode::OK, &reply),
    }
}

fn delete(shared: &Shared, mode: Mode, headers: &HeaderMap) -> Response {
    if !mode.has_sessions() {
        return method_not_allowed(mode);
    }
    let Some(session_id) = header_str(headers, SESSION_HEADER) else {
        return transport_error(
            StatusCode::BAD_REQUEST,
            protocol::SERVER_ERROR,
            "Bad Request: Mcp-Session-Id header is required",
        );
    };
    if shared.end_session(mode, session_id) && mode != Mode::Session404 {
        StatusCode::OK.into_response()
    } else {
        session_not_found()
    }
}

fn method_not_allowed(mode: Mode) -> Response {
    let allow = if mode.has_sessions() {
        "POST, DELETE"
    } else {
        "POST"
    };
    let mut response = transport_error(
        StatusCode::METHOD_NOT_ALLOWED,
        protocol::SERVER_ERROR,
        "Method not allowed.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// An id of the same kind as `id` but a different value.
fn different_id(id: &Value) -> Value {
    match id {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| n.checked_add(1000))
            .map_or_else(|| Value::from("wrong-id"), Value::from),
        Value::String(s) => Value::from(format!("{s}-wrong")),
        _ => Value::from("wrong-id"),
    }
}

fn session_not_found() -> Response {
    transport_error(
        StatusCode::NOT_FOUND,
        protocol::SESSION_NOT_FOUND,
        "Session not found",
    )
}

fn transport_error(status: StatusCode, code: i64, message: &str) -> Response {
    json_response(status, &protocol::error(&Value::Null, code, message, None))
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// `text/event-stream` carrying a priming event and one `message` event, then the end of the
/// stream.
fn single_event(shared: &Shared, reply: &Value) -> Response {
    let stream = shared.next_number();
    let mut event = sse::priming(&format!("{stream}-0")).to_vec();
    event.extend_from_slice(&sse::message(&format!("{stream}-1"), reply));
    (
        [
            (header::CONTENT_TYPE, sse::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from(event),
    )
        .into_response()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The media type of a header value, without parameters, lower-cased.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(crate) fn accepts_json_and_sse(headers: &HeaderMap) -> bool {
    let (mut json, mut sse) = (false, false);
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            match media_type(item).as_str() {
                "application/json" => json = true,
                "text/event-stream" => sse = true,
                _ => {}
            }
        }
    }
    json && sse
}

pub(crate) fn is_json_content(headers: &HeaderMap) -> bool {
    header_str(headers, header::CONTENT_TYPE.as_str())
        .is_some_and(|value| media_type(value) == "application/json")
}
