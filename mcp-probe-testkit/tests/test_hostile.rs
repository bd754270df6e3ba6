//! The terminal-injection and memory/count-abuse fixtures put the documented bytes on the wire.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use mcp_probe_testkit::{FixtureServer, Mode};
use serde::Deserialize;
use serde_json::{json, Value};

const ACCEPT: &str = "application/json, text/event-stream";
const BOUND: Duration = Duration::from_secs(30);

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "testkit-test", "version": "0"}
    }})
}

fn list(id: u64, cursor: Option<&str>) -> Value {
    match cursor {
        Some(cursor) => {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": {"cursor": cursor}})
        }
        None => json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}),
    }
}

fn call(name: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": name, "arguments": {"a": 2, "b": 3}}})
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

async fn bytes_of(response: reqwest::Response) -> Vec<u8> {
    tokio::time::timeout(BOUND, response.bytes())
        .await
        .unwrap()
        .unwrap()
        .to_vec()
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&bytes_of(response).await).unwrap()
}

/// Initializes and returns the session id.
async fn session(url: &str) -> String {
    let response = post(url, None, &initialize()).await;
    assert_eq!(response.status(), 200);
    response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn control_chars_carries_terminal_sequences() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::ControlChars);
    let response = post(&url, None, &initialize()).await;
    let sid = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let wire = bytes_of(response).await;
    // JSON escapes C0 controls; the C1 CSI travels as raw UTF-8 (C2 9B).
    assert!(contains(
        &wire,
        br#""name":"evil\u001b[2K\r\u001b[32mOK: healthy\u001b[0m""#
    ));
    assert!(contains(&wire, b"\\u0007\xc2\x9b31m"));
    let init: Value = serde_json::from_slice(&wire).unwrap();
    let info = &init["result"]["serverInfo"];
    assert_eq!(
        info["name"],
        "evil\u{1b}[2K\r\u{1b}[32mOK: healthy\u{1b}[0m"
    );
    let version = info["version"].as_str().unwrap();
    assert!(version.contains('\u{7}') && version.contains("\u{9b}31m"));

    let tools = json_of(post(&url, Some(&sid), &list(2, None)).await).await;
    let tools = tools["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 2);
    assert_eq!(tools[0]["name"], "add");
    for field in ["name", "description"] {
        let text = tools[1][field].as_str().unwrap();
        assert!(
            text.contains("\u{1b}]0;owned\u{7}") && text.contains("\r\n"),
            "{text:?}"
        );
    }

    let sum = json_of(post(&url, Some(&sid), &call("add")).await).await;
    assert_eq!(sum["result"]["content"][0]["text"], "\u{1b}[2J5");
    assert!(sum["result"].get("isError").is_none());
    let evil = tools[1]["name"].as_str().unwrap();
    let evil = json_of(post(&url, Some(&sid), &call(evil)).await).await;
    assert!(evil["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;owned\u{7}"));
}

#[tokio::test]
async fn many_numbers_streams_a_valid_fifteen_megabyte_initialize() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::ManyNumbers);
    let response = post(&url, None, &initialize()).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("content-length").is_none(),
        "streamed"
    );
    let sid = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let wire = bytes_of(response).await;
    assert!(
        wire.len() > 15_500_000 && wire.len() < 15_600_000,
        "{}",
        wire.len()
    );
    // Valid JSON throughout, checked without building the tree.
    serde_json::from_slice::<serde::de::IgnoredAny>(&wire).unwrap();
    let start = wire
        .windows(11)
        .position(|w| w == br#""numbers":["#)
        .unwrap();
    let (head, numbers) = wire.split_at(start);
    let rest: Value = serde_json::from_slice(&[&head[..head.len() - 1], b"}}"].concat()).unwrap();
    assert_eq!(rest["id"], 1);
    assert_eq!(rest["result"]["protocolVersion"], "2025-06-18");
    let numbers = &numbers[11..numbers.len() - 3];
    assert_eq!(numbers.len(), 2 * 7_750_001 - 1);
    assert!(numbers
        .iter()
        .enumerate()
        .all(|(i, &b)| b == if i % 2 == 0 { b'1' } else { b',' }));
    assert!(wire.ends_with(b"1]}}"));

    // The session works like json's.
    let tools = json_of(post(&url, Some(&sid), &list(2, None)).await).await;
    assert_eq!(tools["result"]["tools"][0]["name"], "add");
}

#[derive(Deserialize)]
struct Page {
    result: Tools,
}

#[derive(Deserialize)]
struct Tools {
    tools: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[tokio::test]
async fn many_tools_lists_two_hundred_thousand_with_add_last() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::ManyTools);
    let sid = session(&url).await;
    let wire = bytes_of(post(&url, Some(&sid), &list(2, None)).await).await;
    assert!(
        wire.len() > 10_000_000 && wire.len() < 11_000_000,
        "{}",
        wire.len()
    );
    assert!(contains(
        &wire[..200],
        br#"{"name":"t000000","inputSchema":{"type":"object"}},"#
    ));
    let page: Page = serde_json::from_slice(&wire).unwrap();
    let names: Vec<&str> = page.result.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 200_000);
    assert_eq!(names[0], "t000000");
    assert_eq!(names[199_998], "t199998");
    assert_eq!(names[199_999], "add");
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), 200_000);
    let sum = json_of(post(&url, Some(&sid), &call("add")).await).await;
    assert_eq!(sum["result"]["content"][0]["text"], "5");
}

#[tokio::test]
async fn huge_cursors_issue_a_new_four_megabyte_cursor_per_page() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::HugeCursors);
    let sid = session(&url).await;

    let first = json_of(post(&url, Some(&sid), &list(2, None)).await).await;
    assert_eq!(first["result"]["tools"][0]["name"], "add");
    let cursor = first["result"]["nextCursor"].as_str().unwrap().to_owned();
    assert_eq!(cursor.len(), 4_000_000);
    assert!(cursor.starts_with("001-xxx"));

    let second = json_of(post(&url, Some(&sid), &list(3, Some(&cursor))).await).await;
    assert_eq!(second["result"]["tools"][0]["name"], "p002");
    let next = second["result"]["nextCursor"].as_str().unwrap();
    assert_eq!(next.len(), 4_000_000);
    assert!(next.starts_with("002-") && next != cursor);

    // The cursor of page 100 leads to the last page, which has none.
    let last_cursor = format!("100-{}", &cursor[4..]);
    let last = json_of(post(&url, Some(&sid), &list(4, Some(&last_cursor))).await).await;
    assert_eq!(last["result"]["tools"][0]["name"], "p101");
    assert!(last["result"].get("nextCursor").is_none());

    let bogus = json_of(post(&url, Some(&sid), &list(5, Some("001-x"))).await).await;
    assert_eq!(bogus["error"]["code"], -32602);
}

/// Reads SSE `data:` payloads from `response` until `count` arrived.
async fn read_events(response: &mut reqwest::Response, count: usize) -> Vec<Value> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    tokio::time::timeout(BOUND, async {
        while events.len() < count {
            let chunk = response.chunk().await.unwrap().expect("the flood goes on");
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    events.push(serde_json::from_str(data).unwrap());
                }
            }
        }
    })
    .await
    .expect("events arrive");
    events
}

#[tokio::test]
async fn ping_flood_sends_pings_and_never_the_response() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::PingFlood);
    let sid = session(&url).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(&url, Some(&sid), &initialized).await.status(), 202);

    let mut flood = post(&url, Some(&sid), &list(2, None)).await;
    assert_eq!(flood.headers()["content-type"], "text/event-stream");
    let events = read_events(&mut flood, 5_000).await;
    let mut ids = HashSet::new();
    for event in &events {
        assert_eq!(event["method"], "ping");
        assert!(event.get("result").is_none());
        assert!(ids.insert(event["id"].as_str().unwrap().to_owned()));
    }
    // The client's answer to a ping is accepted; the flood goes on regardless.
    let pong = json!({"jsonrpc": "2.0", "id": events[0]["id"], "result": {}});
    assert_eq!(post(&url, Some(&sid), &pong).await.status(), 202);
    assert_eq!(read_events(&mut flood, 100).await.len(), 100);
    drop(flood);

    // Every request floods, with ids of its own; dropping the server ends the stream.
    let mut again = post(&url, Some(&sid), &call("add")).await;
    let more = read_events(&mut again, 10).await;
    assert!(more
        .iter()
        .all(|e| !ids.contains(e["id"].as_str().unwrap())));
    drop(server);
    let ended = tokio::time::timeout(BOUND, async {
        while let Ok(Some(_)) = again.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the flood outlived its server");
}

#[tokio::test]
async fn tool_past_cap_hides_the_needle_after_eleven_thousand_tools() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::ToolPastCap);
    let sid = session(&url).await;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = json_of(post(&url, Some(&sid), &list(2, cursor.as_deref())).await).await;
        pages += 1;
        let tools = page["result"]["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 1_000);
        names.extend(tools.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        match page["result"].get("nextCursor") {
            Some(next) => cursor = Some(next.as_str().unwrap().to_owned()),
            None => break,
        }
        assert!(pages < 20, "pagination must end");
    }
    assert_eq!(pages, 11);
    assert_eq!(names.len(), 11_000);
    assert_eq!(names.first().map(String::as_str), Some("add"));
    assert_eq!(names.last().map(String::as_str), Some("needle"));
    assert!(!names[..10_000].iter().any(|n| n == "needle"));
    let found = json_of(post(&url, Some(&sid), &call("needle")).await).await;
    assert_eq!(found["result"]["content"][0]["text"], "found the needle");
    let sum = json_of(post(&url, Some(&sid), &call("add")).await).await;
    assert_eq!(sum["result"]["content"][0]["text"], "5");
}
