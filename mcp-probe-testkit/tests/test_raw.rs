//! The raw TCP fixture writes the documented malformed bytes, serves many connections, never
//! waits forever and stops when dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mcp_probe_testkit::{RawBehaviour, RawServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(10);
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;

/// Sends an initialize POST and returns every byte until the server closes.
async fn exchange(addr: SocketAddr) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{INITIALIZE}",
        INITIALIZE.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    answer
}

/// The head's lines and the parsed body of an HTTP answer.
fn split(answer: &[u8]) -> (Vec<&[u8]>, Value) {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let lines = answer[..end].split(|&b| b == b'\n').collect();
    (lines, serde_json::from_slice(&answer[end + 4..]).unwrap())
}

fn assert_initialize_body(body: &Value) {
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["id"], 7);
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
}

fn line(text: &str) -> Vec<u8> {
    format!("{text}\r").into_bytes()
}

#[tokio::test]
async fn ssh_banner_is_not_http() {
    let server = RawServer::start(RawBehaviour::SshBanner).await.unwrap();
    assert_eq!(exchange(server.addr()).await, b"SSH-2.0-OpenSSH_9.6\r\n");
}

#[tokio::test]
async fn many_headers_sends_two_hundred_distinct_headers() {
    let server = RawServer::start(RawBehaviour::ManyHeaders).await.unwrap();
    let answer = exchange(server.addr()).await;
    let (lines, body) = split(&answer);
    assert_eq!(lines[0], line("HTTP/1.1 200 OK"));
    assert_eq!(lines[1], line("Content-Type: application/json"));
    for n in 1..=200 {
        assert_eq!(lines[1 + n], line(&format!("X-H{n}: v")));
    }
    assert!(lines[202].starts_with(b"Content-Length: "));
    assert_eq!(lines.len(), 204);
    assert_initialize_body(&body);
}

#[tokio::test]
async fn huge_header_sends_one_400_kib_value() {
    let server = RawServer::start(RawBehaviour::HugeHeader).await.unwrap();
    let answer = exchange(server.addr()).await;
    let (lines, body) = split(&answer);
    let huge = lines.iter().find(|l| l.starts_with(b"X-Huge: ")).unwrap();
    let value = &huge[8..huge.len() - 1];
    assert_eq!(value.len(), 400 * 1024);
    assert!(value.iter().all(|&b| b == b'a'));
    assert_initialize_body(&body);
}

#[tokio::test]
async fn control_char_header_sends_a_raw_0x01() {
    let server = RawServer::start(RawBehaviour::ControlCharHeader)
        .await
        .unwrap();
    let answer = exchange(server.addr()).await;
    let (lines, body) = split(&answer);
    assert!(lines.contains(&&b"X-Note: ok\x01bad\r"[..]));
    assert_initialize_body(&body);
}

#[tokio::test]
async fn obs_fold_continues_a_header_on_the_next_line() {
    let server = RawServer::start(RawBehaviour::ObsFold).await.unwrap();
    let answer = exchange(server.addr()).await;
    let (lines, body) = split(&answer);
    let at = lines
        .iter()
        .position(|l| *l == &b"X-Folded: first\r"[..])
        .unwrap();
    assert_eq!(lines[at + 1], b" second\r");
    assert_initialize_body(&body);
}

#[tokio::test]
async fn huge_session_id_is_one_mib_of_visible_ascii() {
    let server = RawServer::start(RawBehaviour::HugeSessionId).await.unwrap();
    let answer = exchange(server.addr()).await;
    let (lines, body) = split(&answer);
    let header = lines
        .iter()
        .find(|l| l.starts_with(b"Mcp-Session-Id: "))
        .unwrap();
    let value = &header[16..header.len() - 1];
    assert_eq!(value.len(), 1024 * 1024);
    assert!(value.iter().all(u8::is_ascii_graphic));
    assert_initialize_body(&body);
}

/// What a common HTTP client (reqwest on hyper, default limits) makes of each behaviour: all
/// but the 400 KiB header are refused.
#[tokio::test]
async fn a_common_client_refuses_the_malformed_answers() {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    for &behaviour in RawBehaviour::all() {
        let server = RawServer::start(behaviour).await.unwrap();
        let outcome = tokio::time::timeout(
            BOUND,
            client
                .post(server.url())
                .header("content-type", "application/json")
                .body(INITIALIZE)
                .send(),
        )
        .await
        .expect("answered or refused within the bound");
        match behaviour {
            RawBehaviour::HugeHeader => assert_eq!(outcome.unwrap().status(), 200),
            _ => assert!(outcome.is_err(), "{behaviour}: {outcome:?}"),
        }
        assert_eq!(server.connections(), 1, "{behaviour}");
    }
}

#[tokio::test]
async fn many_connections_are_served_at_once() {
    let server = RawServer::start(RawBehaviour::ObsFold).await.unwrap();
    let addr = server.addr();
    let exchanges: Vec<_> = (0..64).map(|_| tokio::spawn(exchange(addr))).collect();
    for exchange in exchanges {
        let answer = exchange.await.unwrap();
        assert_initialize_body(&split(&answer).1);
    }
    assert_eq!(server.connections(), 64);
}

#[tokio::test]
async fn a_silent_client_gets_the_answer_after_the_read_timeout() {
    let server = RawServer::start(RawBehaviour::ControlCharHeader)
        .await
        .unwrap();
    let started = Instant::now();
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(b"POST /mcp HTTP/1.1\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut answer))
        .await
        .expect("the server does not wait forever")
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
    // Without a request body the answer still has an id: 1.
    assert_eq!(split(&answer).1["id"], 1);
}

#[tokio::test]
async fn dropping_the_server_closes_connections_and_the_port() {
    let server = RawServer::start(RawBehaviour::HugeSessionId).await.unwrap();
    let addr = server.addr();
    let mut open = TcpStream::connect(addr).await.unwrap();
    // Wait (bounded) until the server has accepted it, then drop the server.
    let accepted = tokio::time::timeout(BOUND, async {
        while server.connections() < 1 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(accepted.is_ok(), "the server never accepted the connection");
    assert_eq!(server.connections(), 1);
    drop(server);
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(1), open.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "the open connection is closed at once");
    assert!(rest.is_empty());
    let refused = tokio::time::timeout(BOUND, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "the port is released");
}

#[test]
fn binary_serves_a_raw_behaviour() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-probe-fixture"))
        .args(["--raw", "ssh-banner", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut port = String::new();
    stdout.read_line(&mut port).unwrap();
    let port: u16 = port.trim_end().parse().unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(BOUND)).unwrap();
    stream.write_all(b"GET /mcp HTTP/1.1\r\n\r\n").unwrap();
    let mut banner = Vec::new();
    stream.read_to_end(&mut banner).unwrap();
    assert_eq!(banner, b"SSH-2.0-OpenSSH_9.6\r\n");
    drop(child.stdin.take());
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the fixture did not exit on stdin EOF");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());

    let refused = Command::new(env!("CARGO_BIN_EXE_mcp-probe-fixture"))
        .args(["--raw", "nope"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unknown raw behaviour \"nope\""));
}
