//! The `echo_*` fixtures put the client's secrets on the wire exactly as documented.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use mcp_probe_testkit::{FixtureServer, Mode};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

const ACCEPT: &str = "application/json, text/event-stream";
const TOKEN: &str = "Bearer sekrit-token";
const API_KEY: &str = "key-123";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "testkit-test", "version": "0"}
    }})
}

/// POSTs `body` with the secrets (and the session id, if any).
async fn post(url: &str, session: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = client()
        .post(url)
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .header("authorization", TOKEN)
        .header("x-api-key", API_KEY)
        .header("cookie", "sid=cookie-secret")
        .body(body.to_string());
    if let Some(session) = session {
        request = request
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-06-18");
    }
    request.send().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers[name].to_str().unwrap()
}

/// Initializes `mode` and returns the session id.
async fn session(url: &str) -> String {
    let response = post(url, None, &initialize()).await;
    assert_eq!(response.status(), 200);
    header(response.headers(), "mcp-session-id").to_owned()
}

/// The echoed lines are there; the headers that are never echoed are not.
fn assert_echoes_lines(text: &str, session: Option<&str>) {
    for line in [
        format!("authorization: {TOKEN}\n"),
        format!("x-api-key: {API_KEY}\n"),
        "cookie: sid=cookie-secret\n".to_owned(),
    ] {
        assert!(text.contains(&line), "{line:?} missing in {text:?}");
    }
    if let Some(session) = session {
        assert!(
            text.contains(&format!("mcp-session-id: {session}\n")),
            "{text:?}"
        );
    }
    for hidden in ["accept:", "content-type:", "content-length:", "host:"] {
        assert!(!text.contains(hidden), "{hidden} echoed in {text:?}");
    }
}

#[tokio::test]
async fn echo_error_body_is_a_500_with_the_headers() {
    let server = FixtureServer::start().await.unwrap();
    let response = post(&server.url(Mode::EchoErrorBody), None, &initialize()).await;
    assert_eq!(response.status(), 500);
    assert!(header(response.headers(), "content-type").starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(text.starts_with("internal server error\n"), "{text:?}");
    assert_echoes_lines(&text, None);
}

#[tokio::test]
async fn echo_unauthorized_quotes_the_token_in_its_challenge() {
    let server = FixtureServer::start().await.unwrap();
    let response = post(&server.url(Mode::EchoUnauthorized), None, &initialize()).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        header(response.headers(), "www-authenticate"),
        format!("Bearer error=\"invalid_token\", error_description=\"rejected {TOKEN}\"")
    );
    assert!(header(response.headers(), "content-type").starts_with("text/plain"));
    assert_echoes_lines(&response.text().await.unwrap(), None);
}

#[tokio::test]
async fn echo_rpc_error_echoes_the_session_in_message_and_data() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::EchoRpcError);
    let sid = session(&url).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(&url, Some(&sid), &initialized).await.status(), 202);
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let response = post(&url, Some(&sid), &list).await;
    assert_eq!(response.status(), 200);
    let reply = json_of(response).await;
    assert_eq!(reply["id"], 2);
    assert_eq!(reply["error"]["code"], -32603);
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(!message.contains('\n'), "{message:?}");
    assert!(message.starts_with("internal error; request headers: "));
    for part in [
        format!("authorization: {TOKEN}"),
        format!("x-api-key: {API_KEY}"),
        format!("mcp-session-id: {sid}"),
    ] {
        assert!(message.contains(&part), "{part:?} missing in {message:?}");
    }
    let headers = &reply["error"]["data"]["headers"];
    assert_eq!(headers["authorization"], TOKEN);
    assert_eq!(headers["x-api-key"], API_KEY);
    assert_eq!(headers["mcp-session-id"], sid.as_str());
    assert_eq!(headers["cookie"], "sid=cookie-secret");
    assert!(headers.get("accept").is_none() && headers.get("host").is_none());
}

#[tokio::test]
async fn echo_tool_error_lists_normally_and_fails_calls_with_the_headers() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::EchoToolError);
    let sid = session(&url).await;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let tools = json_of(post(&url, Some(&sid), &list).await).await;
    assert_eq!(tools["result"]["tools"][0]["name"], "add");
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
    let reply = json_of(post(&url, Some(&sid), &call).await).await;
    assert_eq!(reply["result"]["isError"], true);
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("tool failed; request headers:\n"));
    assert_echoes_lines(text, Some(&sid));
}

#[tokio::test]
async fn echo_redirect_puts_the_secrets_in_the_location() {
    let server = FixtureServer::start().await.unwrap();
    let response = client()
        .post(server.url(Mode::EchoRedirect))
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .header("authorization", "Bearer a/b c%")
        .header("x-api-key", "k&y=1")
        .body(initialize().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 307);
    let location = header(response.headers(), "location").to_owned();
    assert_eq!(
        location,
        "/echo_redirect/Bearer%20a%2Fb%20c%25/mcp?key=k%26y%3D1"
    );

    let bare = client()
        .post(server.url(Mode::EchoRedirect))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 307);
    assert_eq!(
        header(bare.headers(), "location"),
        "/echo_redirect/-/mcp?key="
    );

    // The target exists only to be recorded: it answers 404.
    let target = client()
        .post(format!("http://{}{location}", server.addr()))
        .header("authorization", "Bearer a/b c%")
        .body(initialize().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(target.status(), 404);
    let log = server.log();
    let last = log.last().unwrap();
    assert_eq!(last.mode, Mode::EchoRedirect);
    assert_eq!(last.rpc_method.as_deref(), Some("initialize"));
    assert_eq!(last.header("authorization"), Some("Bearer a/b c%"));
    assert_eq!(log.len(), 3);
}

#[tokio::test]
async fn echo_session_error_quotes_the_session_id() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::EchoSessionError);
    let sid = session(&url).await;
    for body in [
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    ] {
        let response = post(&url, Some(&sid), &body).await;
        assert_eq!(response.status(), 400);
        assert!(header(response.headers(), "content-type").starts_with("text/plain"));
        assert_eq!(
            response.text().await.unwrap(),
            format!("unknown session {sid}")
        );
    }
}

#[tokio::test]
async fn echo_token_is_discoverable_and_echoes_client_credentials() {
    let server = FixtureServer::start().await.unwrap();
    let base = format!("http://{}", server.addr());
    let token_url = format!("{base}/as/echo_token/token");

    // Protected; no token gets through; discovery leads to the echoing token endpoint.
    let unauthenticated = client()
        .post(server.url(Mode::EchoToken))
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .body(initialize().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    assert_eq!(
        header(unauthenticated.headers(), "www-authenticate"),
        format!("Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/echo_token/mcp\", scope=\"mcp:read\"")
    );
    let with_token = post(&server.url(Mode::EchoToken), None, &initialize()).await;
    assert_eq!(with_token.status(), 401);
    assert!(header(with_token.headers(), "www-authenticate")
        .starts_with("Bearer error=\"invalid_token\""));
    let metadata = json_of(
        client()
            .get(format!(
                "{base}/.well-known/oauth-authorization-server/as/echo_token"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(metadata["token_endpoint"], token_url.as_str());
    assert!(metadata["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("client_credentials")));

    // client_secret_basic: the Authorization header comes back.
    let form = "grant_type=client_credentials&scope=mcp%3Aread";
    let basic = client()
        .post(&token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .basic_auth("probe-client", Some("basic-secret"))
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 400);
    let sent = server.log().last().unwrap().clone();
    assert_eq!(sent.mode, Mode::EchoToken);
    let authorization = sent.header("authorization").unwrap().to_owned();
    assert_eq!(
        authorization, "Basic cHJvYmUtY2xpZW50OmJhc2ljLXNlY3JldA==",
        "base64(probe-client:basic-secret)"
    );
    let reply = json_of(basic).await;
    assert_eq!(reply["error"], "invalid_client");
    assert_eq!(
        reply["error_description"],
        format!("bad credentials: {authorization} {form}")
    );

    // client_secret_post: the raw form body (secret included) comes back.
    let form = "grant_type=client_credentials&client_id=probe-client&client_secret=post%2Bsecret";
    let posted = client()
        .post(&token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 400);
    let reply = json_of(posted).await;
    assert_eq!(
        reply["error_description"],
        format!("bad credentials:  {form}")
    );
}

#[test]
fn stdio_echo_env_writes_the_secrets_to_stderr_and_tool_results() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-probe-stdio-fixture"))
        .arg("echo_env")
        .env_clear()
        .env("MCP_PROBE_SECRET_TOKEN", "tok-1")
        .env("MCP_PROBE_SECRET", "bare")
        .env("OTHER_SECRET", "not-echoed")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let requests = [
        initialize(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for request in requests {
        writeln!(stdin, "{request}").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());

    let expected = "MCP_PROBE_SECRET=bare\nMCP_PROBE_SECRET_TOKEN=tok-1\n";
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(expected), "{stderr:?}");
    assert!(!stderr.contains("not-echoed"));
    let replies: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(replies.len(), 3);
    assert_eq!(replies[1]["result"]["tools"][0]["name"], "add");
    assert_eq!(replies[2]["result"]["isError"], true);
    assert_eq!(replies[2]["result"]["content"][0]["text"], expected);
}

#[test]
fn stdio_echo_env_without_secrets_echoes_nothing() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-probe-stdio-fixture"))
        .arg("echo_env")
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        stderr,
        "mcp-probe-stdio-fixture: starting (mode echo_env)\n"
    );
}
