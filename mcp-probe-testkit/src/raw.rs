//! Malformed HTTP: a raw TCP fixture that writes bytes axum (hyper) refuses to send.
//!
//! A [`RawServer`] accepts any number of connections; on each it reads one request (at most
//! [`MAX_REQUEST`] bytes, for at most [`READ_TIMEOUT`]: up to the end of the head and the
//! `Content-Length` body, or the last chunk of a chunked body), writes the bytes of its
//! [`RawBehaviour`], closes its side and waits briefly for the client to close (so the answer
//! is not cut by a reset). No connection lives longer than [`CONNECTION_LIMIT`].

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::{protocol, Mode};

/// Most request bytes read from one connection.
const MAX_REQUEST: usize = 1024 * 1024;
/// Longest wait for a complete request; the answer is written anyway when it passes.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest life of one connection (reading, writing and closing).
const CONNECTION_LIMIT: Duration = Duration::from_secs(30);
/// Longest wait for the client to close after the answer was written.
const LINGER: Duration = Duration::from_secs(1);
/// Pause after a failed `accept` (e.g. too many open files) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// What [`RawBehaviour::SshBanner`] writes.
const SSH_BANNER: &[u8] = b"SSH-2.0-OpenSSH_9.6\r\n";
/// Headers [`RawBehaviour::ManyHeaders`] adds.
const MANY_HEADERS: usize = 200;
/// Length of [`RawBehaviour::HugeHeader`]'s value: 400 KiB.
const HUGE_HEADER: usize = 400 * 1024;
/// Length of [`RawBehaviour::HugeSessionId`]'s session id: 1 MiB.
const HUGE_SESSION_ID: usize = 1024 * 1024;

/// What a [`RawServer`] writes on every connection, after reading the request. Except [`RawBehaviour::SshBanner`], each
/// answer is `HTTP/1.1 200 OK` with `Content-Type: application/json`, the behaviour's headers,
/// `Content-Length`, `Connection: close` and, as the body, a valid JSON-RPC `initialize`
/// response (the request's id, or 1 if the request had none; the negotiated version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawBehaviour {
    /// Not HTTP at all: `SSH-2.0-OpenSSH_9.6\r\n`, then the connection is closed. Unlike a
    /// real SSH server it speaks only after reading the request, so what an HTTP client sees
    /// does not depend on timing.
    SshBanner,
    /// 200 distinct headers `X-H1: v` … `X-H200: v` after `Content-Type`.
    ManyHeaders,
    /// One header `X-Huge` whose value is 409,600 bytes (400 KiB) of `a`.
    HugeHeader,
    /// A header value with a control character: `X-Note: ok\x01bad`.
    ControlCharHeader,
    /// Obsolete line folding: `X-Folded: first` continued by a line ` second` (leading space).
    ObsFold,
    /// A valid answer whose `Mcp-Session-Id` is 1,048,576 bytes (1 MiB) of visible ASCII
    /// (`0123456789abcdef` repeated).
    HugeSessionId,
}

const ALL_RAW: &[RawBehaviour] = &[
    RawBehaviour::SshBanner,
    RawBehaviour::ManyHeaders,
    RawBehaviour::HugeHeader,
    RawBehaviour::ControlCharHeader,
    RawBehaviour::ObsFold,
    RawBehaviour::HugeSessionId,
];

impl RawBehaviour {
    /// The kebab-case name, e.g. `"ssh-banner"` (as `mcp-probe-fixture --raw` takes it).
    pub fn as_str(self) -> &'static str {
        match self {
            RawBehaviour::SshBanner => "ssh-banner",
            RawBehaviour::ManyHeaders => "many-headers",
            RawBehaviour::HugeHeader => "huge-header",
            RawBehaviour::ControlCharHeader => "control-char-header",
            RawBehaviour::ObsFold => "obs-fold",
            RawBehaviour::HugeSessionId => "huge-session-id",
        }
    }

    /// Every behaviour.
    pub fn all() -> &'static [RawBehaviour] {
        ALL_RAW
    }

    /// A one-line description of what the behaviour writes.
    pub fn description(self) -> &'static str {
        match self {
            RawBehaviour::SshBanner => "answers the request with SSH-2.0-OpenSSH_9.6\\r\\n and closes",
            RawBehaviour::ManyHeaders => {
                "200 OK with 200 extra headers X-H1: v … X-H200: v, then a valid initialize answer"
            }
            RawBehaviour::HugeHeader => {
                "200 OK with one header X-Huge of 400 KiB, then a valid initialize answer"
            }
            RawBehaviour::ControlCharHeader => {
                "200 OK with the header X-Note: ok\\x01bad, then a valid initialize answer"
            }
            RawBehaviour::ObsFold => {
                "200 OK with X-Folded: first folded onto a second line \" second\", then a valid initialize answer"
            }
            RawBehaviour::HugeSessionId => {
                "a valid initialize answer whose Mcp-Session-Id header is 1 MiB long"
            }
        }
    }
}

impl fmt::Display for RawBehaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RawBehaviour {
    type Err = UnknownRawBehaviour;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_RAW
            .iter()
            .copied()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| UnknownRawBehaviour(s.to_owned()))
    }
}

/// The error of parsing a [`RawBehaviour`] from a name that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRawBehaviour(pub String);

impl fmt::Display for UnknownRawBehaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown raw behaviour {:?}", self.0)
    }
}

impl std::error::Error for UnknownRawBehaviour {}

/// A running raw TCP fixture writing one [`RawBehaviour`] on every connection.
///
/// Dropping it stops the server: it stops accepting and every open connection is closed.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use mcp_probe_testkit::{RawBehaviour, RawServer};
///
/// let server = RawServer::start(RawBehaviour::ObsFold).await?;
/// let url = server.url(); // http://127.0.0.1:PORT/mcp
/// // ... probe `url` ...
/// assert!(server.connections() >= 1);
/// # Ok(()) }
/// ```
pub struct RawServer {
    addr: SocketAddr,
    behaviour: RawBehaviour,
    connections: Arc<AtomicUsize>,
    stop: watch::Sender<bool>,
}

impl RawServer {
    /// Starts a server on `127.0.0.1` with a port chosen by the system.
    ///
    /// Must be called within a Tokio runtime; the server runs on that runtime.
    pub async fn start(behaviour: RawBehaviour) -> io::Result<RawServer> {
        RawServer::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), behaviour).await
    }

    /// Starts a server on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr, behaviour: RawBehaviour) -> io::Result<RawServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopping) = watch::channel(false);
        let connections = Arc::new(AtomicUsize::new(0));
        tokio::spawn(accept_loop(
            listener,
            behaviour,
            Arc::clone(&connections),
            stopping,
        ));
        Ok(RawServer {
            addr,
            behaviour,
            connections,
            stop,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/mcp` (the server ignores the path).
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    /// What the server writes.
    pub fn behaviour(&self) -> RawBehaviour {
        self.behaviour
    }

    /// How many connections the server has accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for RawServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawServer")
            .field("addr", &self.addr)
            .field("behaviour", &self.behaviour)
            .finish_non_exhaustive()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// Resolves once the server is stopping (or its handle is gone).
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

async fn accept_loop(
    listener: TcpListener,
    behaviour: RawBehaviour,
    connections: Arc<AtomicUsize>,
    stopping: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            () = stopped(stopping.clone()) => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                connections.fetch_add(1, Ordering::Relaxed);
                let stop = stopped(stopping.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        () = stop => {}
                        _ = tokio::time::timeout(CONNECTION_LIMIT, serve(stream, behaviour)) => {}
                    }
                });
            }
            Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}

/// One connection: read the request, write the behaviour's bytes, close.
async fn serve(mut stream: TcpStream, behaviour: RawBehaviour) -> io::Result<()> {
    let request = read_request(&mut stream).await;
    stream.write_all(&answer(behaviour, &request)).await?;
    stream.shutdown().await?;
    // Wait for the client's close so unread request bytes do not turn ours into a reset.
    let mut sink = [0u8; 4096];
    let deadline = Instant::now() + LINGER;
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
        if n == 0 {
            break;
        }
    }
    Ok(())
}

/// Reads one request: the head and its body, bounded by [`MAX_REQUEST`] and [`READ_TIMEOUT`].
async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut request = Vec::new();
    let mut chunk = [0u8; 8192];
    while !is_complete(&request) && request.len() < MAX_REQUEST {
        let room = chunk.len().min(MAX_REQUEST - request.len());
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk[..room])).await {
            Ok(Ok(n)) if n > 0 => request.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    request
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of header `name` in a request head (first occurrence, trimmed).
fn head_value<'a>(head: &'a [u8], name: &str) -> Option<&'a str> {
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Whether `request` holds a whole head and body.
fn is_complete(request: &[u8]) -> bool {
    let Some(end) = find(request, b"\r\n\r\n") else {
        return false;
    };
    let head = &request[..end];
    let body = &request[end + 4..];
    if head_value(head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        return body.ends_with(b"0\r\n\r\n");
    }
    let length = head_value(head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    body.len() >= length
}

/// The body of every HTTP answer: an `initialize` response to the request's id.
fn initialize_answer(request: &[u8]) -> Vec<u8> {
    let body = find(request, b"\r\n\r\n").map_or(&[][..], |end| &request[end + 4..]);
    let message = serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    let id = message
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned()
        .unwrap_or(Value::from(1));
    let requested = message
        .pointer("/params/protocolVersion")
        .and_then(Value::as_str);
    let version = protocol::negotiate(requested);
    protocol::result(&id, protocol::initialize_result(version, Mode::Json))
        .to_string()
        .into_bytes()
}

/// The bytes `behaviour` writes in answer to `request`.
fn answer(behaviour: RawBehaviour, request: &[u8]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n".to_vec();
    match behaviour {
        RawBehaviour::SshBanner => return SSH_BANNER.to_vec(),
        RawBehaviour::ManyHeaders => {
            for n in 1..=MANY_HEADERS {
                out.extend_from_slice(format!("X-H{n}: v\r\n").as_bytes());
            }
        }
        RawBehaviour::HugeHeader => {
            out.extend_from_slice(b"X-Huge: ");
            out.resize(out.len() + HUGE_HEADER, b'a');
            out.extend_from_slice(b"\r\n");
        }
        RawBehaviour::ControlCharHeader => out.extend_from_slice(b"X-Note: ok\x01bad\r\n"),
        RawBehaviour::ObsFold => out.extend_from_slice(b"X-Folded: first\r\n second\r\n"),
        RawBehaviour::HugeSessionId => {
            out.extend_from_slice(b"Mcp-Session-Id: ");
            out.extend(b"0123456789abcdef".iter().cycle().take(HUGE_SESSION_ID));
            out.extend_from_slice(b"\r\n");
        }
    }
    let body = initialize_answer(request);
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_complete_after_their_body() {
        let head = b"POST /mcp HTTP/1.1\r\nHost: x\r\ncontent-length: 4\r\n\r\n";
        assert!(!is_complete(&head[..20]));
        assert!(!is_complete(head));
        assert!(is_complete(&[&head[..], b"{}{}"].concat()));
        assert!(is_complete(b"GET / HTTP/1.1\r\n\r\n"));
        let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n";
        assert!(!is_complete(chunked));
        assert!(is_complete(&[&chunked[..], b"0\r\n\r\n"].concat()));
    }

    #[test]
    fn names_round_trip() {
        for &b in RawBehaviour::all() {
            assert_eq!(b.as_str().parse::<RawBehaviour>(), Ok(b));
            assert!(!b.description().is_empty());
        }
        assert_eq!(RawBehaviour::all().len(), 6);
        assert!("nope".parse::<RawBehaviour>().is_err());
    }

    #[test]
    fn the_answer_echoes_the_request_id() {
        let request =
            b"POST /mcp HTTP/1.1\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"initialize\"}";
        let answer = answer(RawBehaviour::ObsFold, request);
        let split = find(&answer, b"\r\n\r\n").unwrap_or(answer.len());
        assert!(find(&answer[..split], b"\r\nX-Folded: first\r\n second").is_some());
        let body: Value = serde_json::from_slice(&answer[split + 4..]).unwrap_or(Value::Null);
        assert_eq!(body["id"], "a");
        assert_eq!(body["result"]["protocolVersion"], "2025-11-25");
    }
}
