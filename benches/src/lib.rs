//! The contenders of mcp-probe's side-by-side comparison, each doing the same work per probe
//! against a Streamable HTTP MCP server: the handshake (`initialize`, then
//! `notifications/initialized`), `tools/list` (which must list `add`), `tools/call` of `add`
//! with `{"a": 2, "b": 3}` (whose text must be `5`), and the session's `DELETE`.
//!
//! - [`McpProbe`]: mcp-probe's library, one [`Prober`] for every probe.
//! - [`Rmcp`]: the official Rust SDK's client, with its default HTTP client (a new one per
//!   probe, no idle connections kept) or sharing one pooled `reqwest` client.
//! - [`Floor`]: the five HTTP exchanges written by hand over hyper's HTTP/1.1 client, with a new
//!   connection per probe or keeping connections alive: the floor any client can reach. The
//!   same exchanges through a new `reqwest` client per probe ([`Floor::over_reqwest`]) are the
//!   floor of a client built on reqwest, as mcp-probe is.
//!
//! [`fleet`] runs many probes at once through one contender; [`sequential`] runs them one after
//! another. The `compare` binary measures them side by side.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, ACCEPT, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use mcp_probe_core::{Prober, Scenario};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use tokio::net::TcpStream;

/// A boxed error: the benches only report what went wrong.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The protocol version the floor asks for (the newest of the handshake era).
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// The scenario every mcp-probe probe runs: handshake, `tools/list`, `add(2, 3)` answering `5`.
pub fn scenario(url: &str) -> Scenario {
    Scenario::for_url(url)
        .call_tool("add", json!({"a": 2, "b": 3}))
        .expect_text("5")
}

/// mcp-probe's library: one [`Prober`] (and so one HTTP client) for every probe.
#[derive(Debug)]
pub struct McpProbe {
    prober: Prober,
    scenario: Scenario,
}

impl McpProbe {
    /// A contender probing `url`.
    pub fn new(url: &str) -> McpProbe {
        McpProbe {
            prober: Prober::new(),
            scenario: scenario(url),
        }
    }

    /// One full check; `Err` unless the report is ok.
    pub async fn probe(&self) -> Result<(), Error> {
        let report = self.prober.check(&self.scenario).await?;
        if report.ok {
            Ok(())
        } else {
            Err(format!("mcp-probe: the check failed: {:?}", report.failure).into())
        }
    }
}

/// The official Rust SDK's client (`rmcp`) over Streamable HTTP.
#[derive(Debug, Clone)]
pub struct Rmcp {
    url: Arc<str>,
    /// `None`: the transport's default HTTP client, built per probe.
    pooled: Option<rmcp_reqwest::Client>,
}

impl Rmcp {
    /// With rmcp's default HTTP client: a new client per probe (`from_uri`), which keeps no
    /// idle connection.
    pub fn default_client(url: &str) -> Rmcp {
        Rmcp {
            url: url.into(),
            pooled: None,
        }
    }

    /// Sharing one `reqwest` client with its default connection pool across probes.
    pub fn pooled(url: &str) -> Rmcp {
        Rmcp {
            url: url.into(),
            pooled: Some(rmcp_reqwest::Client::new()),
        }
    }

    /// One full probe: connect and initialize, list tools, call `add`, close (which deletes the
    /// session).
    pub async fn probe(&self) -> Result<(), Error> {
        let transport = match &self.pooled {
            None => StreamableHttpClientTransport::from_uri(Arc::clone(&self.url)),
            Some(client) => StreamableHttpClientTransport::with_client(
                client.clone(),
                StreamableHttpClientTransportConfig::with_uri(Arc::clone(&self.url)),
            ),
        };
        let client = ().serve(transport).await?;
        let tools = client.list_tools(None).await?;
        if !tools.tools.iter().any(|t| t.name == "add") {
            return Err("rmcp: tools/list does not list add".into());
        }
        let mut arguments = serde_json::Map::new();
        arguments.insert("a".into(), json!(2));
        arguments.insert("b".into(), json!(3));
        let result = client
            .call_tool(CallToolRequestParams::new("add").with_arguments(arguments))
            .await?;
        let text = result
            .content
            .first()
            .and_then(|c| c.as_text())
            .map(|t| t.text.as_str());
        if result.is_error == Some(true) || text != Some("5") {
            return Err(format!("rmcp: add answered {text:?}").into());
        }
        client.cancel().await?;
        Ok(())
    }
}

/// The floor: the five HTTP exchanges written by hand over hyper's HTTP/1.1 client, or through
/// a new `reqwest` client per probe.
#[derive(Debug, Clone)]
pub struct Floor {
    addr: SocketAddr,
    host: HeaderValue,
    path: Arc<str>,
    url: Arc<str>,
    /// Over reqwest: the TLS configuration every probe's client starts from (built once, as
    /// mcp-probe caches its own; building one per client would load the system's roots).
    reqwest_tls: Option<Arc<rustls::ClientConfig>>,
}

/// What the floor sends its exchanges over.
enum Link<'a> {
    Hyper(&'a mut SendRequest<Full<Bytes>>),
    Reqwest(&'a reqwest::Client),
}

/// A connection the floor may keep between probes.
pub type Connection = Option<SendRequest<Full<Bytes>>>;

impl Floor {
    /// A contender probing `url` (`http://IP:PORT/PATH`).
    pub fn new(url: &str) -> Result<Floor, Error> {
        let rest = url
            .strip_prefix("http://")
            .ok_or("the floor speaks plain http:// only")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        Ok(Floor {
            addr: authority.parse()?,
            host: HeaderValue::from_str(authority)?,
            path: if path.is_empty() { "/" } else { path }.into(),
            url: url.into(),
            reqwest_tls: None,
        })
    }

    /// The same exchanges through a new `reqwest` client per probe (its default settings but
    /// for a TLS configuration built once, and so a new connection per probe): what a client
    /// built on reqwest cannot go below.
    pub fn over_reqwest(url: &str) -> Result<Floor, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        Ok(Floor {
            reqwest_tls: Some(Arc::new(tls)),
            ..Floor::new(url)?
        })
    }

    /// One full probe on `connection`: opens one if there is none (or it was closed), and
    /// leaves it there for the next probe. Pass a fresh `None` for a new connection per probe.
    /// Over reqwest, `connection` is not used: every probe builds its own client.
    pub async fn probe(&self, connection: &mut Connection) -> Result<(), Error> {
        let client;
        let mut link = match &self.reqwest_tls {
            Some(tls) => {
                client = reqwest::Client::builder()
                    .use_preconfigured_tls(rustls::ClientConfig::clone(tls))
                    .build()?;
                Link::Reqwest(&client)
            }
            None => Link::Hyper(self.connected(connection).await?),
        };
        self.five_exchanges(&mut link).await
    }

    /// The connection in `connection`, opened first if there is none (or it was closed).
    async fn connected<'a>(
        &self,
        connection: &'a mut Connection,
    ) -> Result<&'a mut SendRequest<Full<Bytes>>, Error> {
        if connection.as_ref().is_none_or(|c| c.is_closed()) {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                // Ends when the sender is dropped or the server closes the connection.
                let _ = conn.await;
            });
            *connection = Some(sender);
        }
        Ok(connection.as_mut().ok_or("no connection")?)
    }

    /// The handshake, `tools/list`, `tools/call add` and the `DELETE`, each answer checked.
    async fn five_exchanges(&self, link: &mut Link<'_>) -> Result<(), Error> {
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": PROTOCOL_VERSION, "capabilities": {},
            "clientInfo": {"name": "bench-floor", "version": "0"}}});
        let (status, session, body) = self.exchange(link, Method::POST, None, Some(&init)).await?;
        let answer: Value = serde_json::from_slice(&body)?;
        if status != StatusCode::OK || !answer["result"]["protocolVersion"].is_string() {
            return Err(format!("floor: initialize answered {status}").into());
        }
        let session = session.ok_or("floor: no session id")?;

        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let (status, _, _) = self
            .exchange(link, Method::POST, Some(&session), Some(&initialized))
            .await?;
        if status != StatusCode::ACCEPTED {
            return Err(format!("floor: notifications/initialized answered {status}").into());
        }

        let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
        let (status, _, body) = self
            .exchange(link, Method::POST, Some(&session), Some(&list))
            .await?;
        let answer: Value = serde_json::from_slice(&body)?;
        let listed = answer["result"]["tools"]
            .as_array()
            .is_some_and(|tools| tools.iter().any(|t| t["name"] == "add"));
        if status != StatusCode::OK || !listed {
            return Err("floor: tools/list does not list add".into());
        }

        let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "add", "arguments": {"a": 2, "b": 3}}});
        let (status, _, body) = self
            .exchange(link, Method::POST, Some(&session), Some(&call))
            .await?;
        let answer: Value = serde_json::from_slice(&body)?;
        let result = &answer["result"];
        if status != StatusCode::OK
            || result["isError"] == true
            || result["content"][0]["text"] != "5"
        {
            return Err(format!("floor: add answered {result}").into());
        }

        let (status, _, _) = self
            .exchange(link, Method::DELETE, Some(&session), None)
            .await?;
        if !status.is_success() {
            return Err(format!("floor: DELETE answered {status}").into());
        }
        Ok(())
    }

    /// One request and its whole answer: status, `Mcp-Session-Id`, body.
    async fn exchange(
        &self,
        link: &mut Link<'_>,
        method: Method,
        session: Option<&HeaderValue>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Option<HeaderValue>, Bytes), Error> {
        let sender = match link {
            Link::Hyper(sender) => sender,
            Link::Reqwest(client) => {
                return self.exchange_reqwest(client, method, session, body).await
            }
        };
        let mut request = Request::builder()
            .method(method)
            .uri(&*self.path)
            .header(HOST, self.host.clone())
            .header(ACCEPT, "application/json, text/event-stream");
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session.clone())
                .header("mcp-protocol-version", PROTOCOL_VERSION);
        }
        let body = match body {
            Some(body) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(serde_json::to_vec(body)?))
            }
            None => Full::new(Bytes::new()),
        };
        sender.ready().await?;
        let response = sender.send_request(request.body(body)?).await?;
        let status = response.status();
        let session = response.headers().get("mcp-session-id").cloned();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, session, body))
    }

    /// [`Floor::exchange`] through reqwest.
    async fn exchange_reqwest(
        &self,
        client: &reqwest::Client,
        method: Method,
        session: Option<&HeaderValue>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Option<HeaderValue>, Bytes), Error> {
        let mut request = client
            .request(method, &*self.url)
            .header(ACCEPT, "application/json, text/event-stream");
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session.clone())
                .header("mcp-protocol-version", PROTOCOL_VERSION);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body)?);
        }
        let response = request.send().await?;
        let status = response.status();
        let session = response.headers().get("mcp-session-id").cloned();
        Ok((status, session, response.bytes().await?))
    }
}

/// Runs `n` probes with `concurrency` workers (tasks, so every core of the runtime works). Each
/// worker has its own state `W` (from `worker`), which `probe` takes and gives back. Returns the
/// elapsed time, or the first error.
pub async fn fleet<W, F, Fut>(
    n: usize,
    concurrency: usize,
    worker: impl Fn() -> W,
    probe: F,
) -> Result<Duration, Error>
where
    W: Send + 'static,
    F: Fn(W) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<W, Error>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let next = Arc::clone(&next);
        let probe = probe.clone();
        let mut state = worker();
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < n {
                state = probe(state).await?;
            }
            Ok::<(), Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
}

/// Runs `n` probes one after another; returns the elapsed time, or the first error.
pub async fn sequential<F, Fut>(n: usize, mut probe: F) -> Result<Duration, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let started = Instant::now();
    for _ in 0..n {
        probe().await?;
    }
    Ok(started.elapsed())
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
