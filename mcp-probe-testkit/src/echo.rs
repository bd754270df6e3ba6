//! The `echo_*` modes: servers that put the client's secrets (headers, session id, client
//! credentials) back on the wire, so a probe's scrubbing of what it reports can be tested.
//!
//! "The headers" are every request header except [`NOT_ECHOED`], in arrival order, names in
//! lower case, values as sent (bytes that are not UTF-8 replaced).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::protocol;

/// Request headers left out of every echo (they carry nothing secret).
const NOT_ECHOED: [&str; 6] = [
    "accept",
    "content-type",
    "content-length",
    "host",
    "user-agent",
    "accept-encoding",
];

/// The header whose value [`Mode::EchoRedirect`](crate::Mode::EchoRedirect) puts in the query.
const API_KEY_HEADER: &str = "x-api-key";

/// The echoed headers as `(name, value)` pairs.
fn echoed(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| !NOT_ECHOED.contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The echoed headers as `name: value` lines, each ending in `\n`.
fn header_lines(headers: &HeaderMap) -> String {
    echoed(headers)
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}

/// The echoed headers on one line: `name: value; name: value`.
fn header_line(headers: &HeaderMap) -> String {
    echoed(headers)
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn text_plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The raw value of the first header `name`, or nothing.
fn raw_header(headers: &HeaderMap, name: impl header::AsHeaderName) -> &[u8] {
    headers.get(name).map_or(&[], HeaderValue::as_bytes)
}

/// [`Mode::EchoErrorBody`](crate::Mode::EchoErrorBody): 500 echoing the headers.
pub(crate) fn error_body(headers: &HeaderMap) -> Response {
    text_plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal server error\n{}", header_lines(headers)),
    )
}

/// [`Mode::EchoUnauthorized`](crate::Mode::EchoUnauthorized): 401 whose challenge quotes the
/// `Authorization` header and whose body echoes the headers.
pub(crate) fn unauthorized(headers: &HeaderMap) -> Response {
    let mut challenge = b"Bearer error=\"invalid_token\", error_description=\"rejected ".to_vec();
    challenge.extend_from_slice(raw_header(headers, header::AUTHORIZATION));
    challenge.push(b'"');
    let mut response = text_plain(
        StatusCode::UNAUTHORIZED,
        format!("unauthorized\n{}", header_lines(headers)),
    );
    // The value came from a header value, so it is one; the check only guards the type.
    if let Ok(value) = HeaderValue::from_bytes(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// [`Mode::EchoRpcError`](crate::Mode::EchoRpcError): JSON-RPC error -32603 echoing the
/// headers in its message and as `data.headers`.
pub(crate) fn rpc_error(id: &Value, headers: &HeaderMap) -> Value {
    let mut by_name = Map::new();
    for (name, value) in echoed(headers) {
        let joined = match by_name.get(&name).and_then(Value::as_str) {
            Some(earlier) => format!("{earlier}, {value}"),
            None => value,
        };
        by_name.insert(name, Value::from(joined));
    }
    protocol::error(
        id,
        protocol::INTERNAL_ERROR,
        &format!("internal error; request headers: {}", header_line(headers)),
        Some(json!({ "headers": by_name })),
    )
}

/// [`Mode::EchoToolError`](crate::Mode::EchoToolError): a `tools/call` result with
/// `isError: true` echoing the headers.
pub(crate) fn tool_error(headers: &HeaderMap) -> Value {
    protocol::tool_error(&format!(
        "tool failed; request headers:\n{}",
        header_lines(headers)
    ))
}

/// [`Mode::EchoRedirect`](crate::Mode::EchoRedirect): 307 to a path holding the
/// `Authorization` value and a query holding the `X-Api-Key` value.
pub(crate) fn redirect(headers: &HeaderMap) -> Response {
    let authorization = match raw_header(headers, header::AUTHORIZATION) {
        [] => "-".to_owned(),
        value => percent_encode(value),
    };
    let key = percent_encode(raw_header(headers, API_KEY_HEADER));
    let location = format!("/echo_redirect/{authorization}/mcp?key={key}");
    let mut response = text_plain(
        StatusCode::TEMPORARY_REDIRECT,
        "Temporary Redirect\n".to_owned(),
    );
    // Percent-encoding leaves only visible ASCII.
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Where [`redirect`] sends the client: not found.
pub(crate) fn redirect_target() -> Response {
    text_plain(StatusCode::NOT_FOUND, "Not Found\n".to_owned())
}

/// [`Mode::EchoSessionError`](crate::Mode::EchoSessionError): 400 quoting the session id.
pub(crate) fn session_error(headers: &HeaderMap) -> Response {
    let session = String::from_utf8_lossy(raw_header(headers, "mcp-session-id")).into_owned();
    text_plain(
        StatusCode::BAD_REQUEST,
        format!("unknown session {session}"),
    )
}

/// [`Mode::EchoToken`](crate::Mode::EchoToken)'s token endpoint: 400 `invalid_client` quoting
/// the `Authorization` header and the raw form body.
pub(crate) fn token_error(headers: &HeaderMap, body: &[u8]) -> Response {
    let authorization = String::from_utf8_lossy(raw_header(headers, header::AUTHORIZATION));
    let body = String::from_utf8_lossy(body);
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({
            "error": "invalid_client",
            "error_description": format!("bad credentials: {authorization} {body}"),
        })
        .to_string(),
    )
        .into_response()
}

/// Percent-encodes everything but the RFC 3986 unreserved characters, so the result is one
/// path segment or one query value.
fn percent_encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        assert_eq!(
            percent_encode(b"Bearer a/b+c=d?e#f~g.h_i-j"),
            "Bearer%20a%2Fb%2Bc%3Dd%3Fe%23f~g.h_i-j"
        );
        assert_eq!(percent_encode("é".as_bytes()), "%C3%A9");
    }

    #[test]
    fn echo_leaves_out_the_boring_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("*/*"));
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        headers.insert("user-agent", HeaderValue::from_static("x"));
        headers.append("x-api-key", HeaderValue::from_static("k1"));
        headers.append("x-api-key", HeaderValue::from_static("k2"));
        assert_eq!(
            header_lines(&headers),
            "authorization: Bearer t\nx-api-key: k1\nx-api-key: k2\n"
        );
        assert_eq!(
            header_line(&headers),
            "authorization: Bearer t; x-api-key: k1; x-api-key: k2"
        );
        let error = rpc_error(&Value::from(3), &headers);
        assert_eq!(
            error["error"]["data"]["headers"],
            json!({"authorization": "Bearer t", "x-api-key": "k1, k2"})
        );
    }
}
