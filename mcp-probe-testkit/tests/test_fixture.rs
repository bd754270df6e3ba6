//! Quick checks of the fixture itself; the probe's behaviour is asserted in mcp-probe-core's tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::{json, Value};

const ACCEPT: &str = "application/json, text/event-stream";
const BOUND: Duration = Duration::from_secs(10);

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn initialize(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "testkit-test", "version": "0"}
    }})
}

async fn post(url: &str, session: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = client()
        .post(url)
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
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

#[tokio::test]
async fn an_unrecorded_server_serves_alike_and_keeps_no_log() {
    let loopback = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    let unrecorded = FixtureServer::start_unrecorded(loopback).await.unwrap();
    let recorded = FixtureServer::start().await.unwrap();
    for server in [&unrecorded, &recorded] {
        let response = post(&server.url(Mode::Json), None, &initialize(1)).await;
        assert_eq!(response.status(), 200);
        let body = json_of(response).await;
        assert_eq!(body["result"]["serverInfo"]["name"], "mcp-probe-fixture");
    }
    assert_eq!(unrecorded.log().len(), 0);
    assert_eq!(recorded.log().len(), 1);
}

#[tokio::test]
async fn missing_accept_is_406() {
    let server = FixtureServer::start().await.unwrap();
    let response = client()
        .post(server.url(Mode::Json))
        .header("content-type", "application/json")
        .body(initialize(1).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
    let body: Value = json_of(response).await;
    assert_eq!(body["jsonrpc"], "2.0");
    assert!(body["error"]["message"].is_string());
    assert_eq!(server.log().len(), 1, "rejected requests are recorded too");
}

#[tokio::test]
async fn json_handshake_list_and_call() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);

    let response = post(&url, None, &initialize(1)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let init: Value = json_of(response).await;
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(init["result"]["serverInfo"]["name"], "mcp-probe-fixture");

    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let response = post(&url, Some(&session), &initialized).await;
    assert_eq!(response.status(), 202);

    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    assert_eq!(post(&url, None, &list).await.status(), 400, "no session id");
    assert_eq!(post(&url, Some("nope"), &list).await.status(), 404);
    let tools: Value = json_of(post(&url, Some(&session), &list).await).await;
    let names: Vec<_> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["add", "echo", "fail"]);

    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
    let sum: Value = json_of(post(&url, Some(&session), &call).await).await;
    assert_eq!(sum["result"]["content"][0]["text"], "5");

    let delete = client()
        .delete(&url)
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 200);
    assert_eq!(post(&url, Some(&session), &list).await.status(), 404);

    let methods: Vec<_> = server
        .log()
        .iter()
        .map(|r| (r.http_method.clone(), r.rpc_method.clone()))
        .collect();
    assert_eq!(methods.len(), 8);
    assert_eq!(methods[0], ("POST".into(), Some("initialize".into())));
    assert_eq!(methods[6], ("DELETE".into(), None));
    assert_eq!(
        server.log()[4].header("mcp-session-id"),
        Some(session.as_str())
    );
}

#[tokio::test]
async fn sse_mode_answers_with_an_event_stream() {
    let server = FixtureServer::start().await.unwrap();
    let response = post(&server.url(Mode::Sse), None, &initialize(7)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let text = response.text().await.unwrap();
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let message: Value = serde_json::from_str(data).unwrap();
    assert_eq!(message["id"], 7);
    assert!(text.contains("event: message\n") && text.starts_with("id: "));
}

#[tokio::test]
async fn notifications_mode_waits_for_the_ping_answer() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Notifications);
    let response = post(&url, None, &initialize(1)).await;
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let mut stream = post(&url, Some(&session), &list).await;
    let mut seen = String::new();
    let mut answered = false;
    tokio::time::timeout(BOUND, async {
        while let Some(chunk) = stream.chunk().await.unwrap() {
            seen.push_str(std::str::from_utf8(&chunk).unwrap());
            if !answered && seen.contains(r#""method":"ping""#) {
                assert!(
                    !seen.contains("\"id\":2"),
                    "response must wait for the answer"
                );
                let pong = json!({"jsonrpc": "2.0", "id": "srv-1", "result": {}});
                assert_eq!(post(&url, Some(&session), &pong).await.status(), 202);
                answered = true;
            }
        }
    })
    .await
    .expect("stream ends once the ping is answered");
    assert!(answered);
    assert!(seen.contains("\n: keep-alive\n") && seen.contains("notifications/message"));
    assert!(seen.contains(r#""id":"srv-2","jsonrpc":"2.0","method":"sampling/createMessage""#));
    assert!(seen.contains(r#""id":2,"#) && !seen.contains("no response within"));
}

#[tokio::test]
async fn reset_mid_body_fails_the_body_read() {
    let server = FixtureServer::start().await.unwrap();
    let response = post(&server.url(Mode::ResetMidBody), None, &initialize(1)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], "1000");
    let read = tokio::time::timeout(BOUND, response.bytes()).await.unwrap();
    assert!(read.is_err(), "body read must fail, got {read:?}");
}

#[tokio::test]
async fn hang_is_released_when_the_server_is_dropped() {
    let server = FixtureServer::start().await.unwrap();
    let request = client()
        .post(server.url(Mode::Hang))
        .header("accept", ACCEPT)
        .header("content-type", "application/json")
        .body(initialize(1).to_string())
        .send();
    let mut pending = tokio::spawn(request);
    let early = tokio::time::timeout(Duration::from_millis(500), &mut pending).await;
    assert!(early.is_err(), "hang mode must not answer");
    assert_eq!(server.log().len(), 1, "the request reached the server");
    drop(server);
    let outcome = tokio::time::timeout(BOUND, pending)
        .await
        .expect("released within the bound")
        .unwrap();
    assert!(outcome.is_err(), "got a response: {outcome:?}");
}

#[test]
fn binary_prints_its_port_and_exits_on_stdin_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-probe-fixture"))
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let port: u16 = line.trim_end().parse().unwrap();
    assert!(port > 0);
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();

    // Closing stdin ends the process; its stdout reaching EOF tells us it is gone.
    drop(child.stdin.take());
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = stdout.read_to_end(&mut Vec::new());
        let _ = done.send(());
    });
    if exited.recv_timeout(BOUND).is_err() {
        child.kill().unwrap();
        panic!("the fixture did not exit on stdin EOF");
    }
    assert!(child.wait().unwrap().success());
}

#[tokio::test]
async fn binary_prints_a_workload_jwt_that_the_token_endpoint_grants() {
    let server = FixtureServer::start().await.unwrap();
    let issuer = format!("http://{}/as/auth_client_credentials", server.addr());
    let jwt_for = |audience: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_mcp-probe-fixture"))
            .args(["--workload-jwt", audience])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
    };
    let grant = |jwt: String| {
        client()
            .post(format!("{issuer}/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("client_id", "any-workload"),
                ("assertion", &jwt),
            ])
            .send()
    };
    let granted = grant(jwt_for(&issuer)).await.unwrap();
    assert_eq!(granted.status(), 200);
    let body: Value = serde_json::from_slice(&granted.bytes().await.unwrap()).unwrap();
    assert_eq!(body["access_token"], "fixture-access-token");
    // Made for another audience, the same kind of JWT is refused.
    let refused = grant(jwt_for("https://elsewhere.example")).await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "invalid_grant");
}
