//! The misbehaving answers: what broken servers, proxies and gateways put on the wire.

use std::io;
use std::net::SocketAddr;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use crate::body;
use crate::protocol;
use crate::sse;
use crate::state::Shared;
use crate::Mode;

const MIB: usize = 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// Size of the JSON string answered in [`Mode::Oversized`].
const OVERSIZED_BODY: usize = 24 * MIB;
/// Size of the data line answered in [`Mode::OversizedSseEvent`].
const OVERSIZED_EVENT: usize = 8 * MIB;

/// Never answers: resolves (with an aborted connection) only when the server shuts down.
pub(crate) async fn hang(shared: &Shared) -> Response {
    shared.shutdown().await;
    Response::new(body::abort())
}

/// 200 with SSE headers, then silence until the server shuts down.
pub(crate) fn sse_silence(shared: &Shared) -> Response {
    let silence = stream::pending::<io::Result<Bytes>>();
    (
        [(header::CONTENT_TYPE, sse::CONTENT_TYPE)],
        body::until_shutdown(silence, shared.shutdown()),
    )
        .into_response()
}

/// What nginx answers when the upstream is down.
pub(crate) fn bad_gateway() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [
            (header::CONTENT_TYPE, "text/html"),
            (header::SERVER, "nginx/1.27.4"),
        ],
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
         <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.27.4</center>\r\n\
         </body>\r\n</html>\r\n",
    )
        .into_response()
}

/// What a server still starting up (or its load balancer) answers.
pub(crate) fn not_ready() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain")],
        "not ready\n",
    )
        .into_response()
}

/// What [`crate::Mode::Switch`] answers while switched off.
pub(crate) fn switched_off() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain")],
        "switched off\n",
    )
        .into_response()
}

/// What an SSO proxy in front of the server answers.
pub(crate) fn login_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Sign in</title></head>\n\
         <body>\n<h1>Sign in to continue</h1>\n<form method=\"post\" action=\"/login\">\n\
         <label>Email <input type=\"email\" name=\"email\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\"></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n</body>\n</html>\n",
    )
        .into_response()
}

/// A JSON body cut off in the middle.
pub(crate) fn truncated_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"jsonrpc":"2.0","id":1,"result":{"#,
    )
        .into_response()
}

/// 401 with an RFC 6750 / RFC 9728 challenge pointing at this server's metadata URL.
pub(crate) fn unauthorized(addr: SocketAddr) -> Response {
    let challenge = format!(
        "Bearer realm=\"mcp\", error=\"invalid_token\", resource_metadata=\"{}\"",
        resource_metadata_url(addr)
    );
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"invalid_token","error_description":"Missing or invalid access token"}"#,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Where [`Mode::Unauthorized`]'s challenge says its protected resource metadata lives.
pub(crate) fn resource_metadata_url(addr: SocketAddr) -> String {
    format!(
        "http://{addr}/.well-known/oauth-protected-resource/{}/mcp",
        Mode::Unauthorized.as_str()
    )
}

/// RFC 9728 metadata for [`Mode::Unauthorized`], so the challenge's URL resolves.
pub(crate) fn resource_metadata(addr: SocketAddr) -> Value {
    serde_json::json!({
        "resource": format!("http://{addr}/{}/mcp", Mode::Unauthorized.as_str()),
        "authorization_servers": [format!("http://{addr}")],
        "bearer_methods_supported": ["header"],
        "scopes_supported": ["mcp"],
    })
}

/// `count` copies of one shared chunk (cheap clones of one allocation).
fn repeated(chunk: &Bytes, count: usize) -> impl stream::Stream<Item = io::Result<Bytes>> {
    stream::iter(std::iter::repeat_n(chunk.clone(), count).map(Ok))
}

/// 200 application/json whose body is a 24 MiB JSON string, streamed in 64 KiB chunks.
pub(crate) fn oversized_json(shared: &Shared) -> Response {
    let filler = Bytes::from(vec![b'a'; CHUNK]);
    let quote = Bytes::from_static(b"\"");
    let chunks = stream::once(async { Ok(Bytes::from_static(b"\"")) })
        .chain(repeated(&filler, OVERSIZED_BODY / CHUNK))
        .chain(stream::once(async move { Ok(quote) }));
    (
        [(header::CONTENT_TYPE, "application/json")],
        body::until_shutdown(chunks, shared.shutdown()),
    )
        .into_response()
}

/// 200 text/event-stream with one event whose data line (a JSON string) is 8 MiB long.
pub(crate) fn oversized_sse_event(shared: &Shared) -> Response {
    let filler = Bytes::from(vec![b'a'; CHUNK]);
    let head = Bytes::from(format!(
        "id: {}-1\nevent: message\ndata: \"",
        shared.next_number()
    ));
    let chunks = stream::once(async move { Ok(head) })
        .chain(repeated(&filler, OVERSIZED_EVENT / CHUNK))
        .chain(stream::once(async { Ok(Bytes::from_static(b"\"\n\n")) }));
    (
        [(header::CONTENT_TYPE, sse::CONTENT_TYPE)],
        body::until_shutdown(chunks, shared.shutdown()),
    )
        .into_response()
}

/// 200 application/json announcing 1000 bytes, sending the first 100 of a real
/// `initialize` response, then aborting the connection.
pub(crate) fn reset_mid_body(id: &Value) -> Response {
    const ANNOUNCED: usize = 1000;
    const SENT: usize = 100;
    let full = protocol::result(
        id,
        protocol::initialize_result(protocol::LATEST_VERSION, Mode::ResetMidBody),
    );
    let mut bytes = full.to_string().into_bytes();
    bytes.resize(ANNOUNCED.max(bytes.len()), b' ');
    bytes.truncate(SENT);
    let mut response = Response::new(body::fail_after(Bytes::from(bytes)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(ANNOUNCED));
    response
}
