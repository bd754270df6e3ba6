//! Starts the third-party MCP servers that the interop tests probe.
//!
//! * the official Python SDK (`interop/python/server.py`, tools `add`, `echo`, `fail`),
//! * the TypeScript reference server `@modelcontextprotocol/server-everything`,
//! * an in-process rmcp (Rust SDK) Streamable HTTP server (tools `add`, `echo`, `fail`).
//!
//! The Python and Node servers come from `interop/setup.sh`. Each child process is
//! killed and reaped when its [`Peer`] is dropped; the rmcp server stops when its
//! [`RmcpPeer`] is dropped.
#![allow(dead_code)] // every test file uses only some of these helpers

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};

/// How long a peer may take to announce its port.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of a peer's stderr is kept for failure messages.
const STDERR_KEEP: usize = 64 * 1024;

/// A running third-party MCP server in a child process.
///
/// Dropping it kills the child and waits for it, so no server outlives its test.
pub(crate) struct Peer {
    /// The URL a client connects to: the Streamable HTTP endpoint, or the legacy
    /// HTTP+SSE GET endpoint.
    pub(crate) url: String,
    child: Child,
    /// Held open so that servers started with "exit on stdin EOF" die with the test
    /// process even if this value is never dropped.
    _stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl Peer {
    /// What the server wrote on stderr so far (at most the first 64 KiB), for
    /// assertion messages.
    pub(crate) fn stderr(&self) -> String {
        snapshot(&self.stderr)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // The child may already have exited; both calls then fail harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the Python server answers POSTed requests.
pub(crate) enum PyAnswers {
    /// One `application/json` body per request (`--json-response`).
    Json,
    /// A `text/event-stream` body carrying the response (the SDK's default).
    Sse,
}

/// The repository root (the workspace directory).
pub(crate) fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// Starts the Python SDK server with the Streamable HTTP transport; `url` ends in `/mcp`.
///
/// Panics with a hint to run `interop/setup.sh` when the virtual environment is missing.
pub(crate) fn start_python(answers: PyAnswers) -> Peer {
    let mut args = vec!["--transport", "streamable-http"];
    if let PyAnswers::Json = answers {
        args.push("--json-response");
    }
    spawn_python(&args, "/mcp")
}

/// Starts the Python SDK server with the legacy 2024-11-05 HTTP+SSE transport;
/// `url` is the GET endpoint (`/sse`).
pub(crate) fn start_python_legacy_sse() -> Peer {
    spawn_python(&["--transport", "sse"], "/sse")
}

/// Starts `@modelcontextprotocol/server-everything` in `mode` `"streamableHttp"`
/// (`url` ends in `/mcp`) or `"sse"` (legacy HTTP+SSE, `url` ends in `/sse`).
///
/// The server is preloaded with `interop/node/listen-loopback.mjs`, which binds it to
/// 127.0.0.1 and makes it print `PORT=<n>` once it listens.
pub(crate) fn start_everything(mode: &str) -> Peer {
    let path = match mode {
        "streamableHttp" => "/mcp",
        "sse" => "/sse",
        other => {
            panic!("start_everything: unknown mode {other:?} (use \"streamableHttp\" or \"sse\")")
        }
    };
    let node_dir = repo_root().join("interop").join("node");
    let entry = node_dir
        .join("node_modules")
        .join("@modelcontextprotocol")
        .join("server-everything")
        .join("dist")
        .join("index.js");
    if !entry.is_file() {
        panic!("{} is missing: run interop/setup.sh first", entry.display());
    }
    let mut command = Command::new("node");
    command
        .current_dir(&node_dir)
        .arg("--import")
        .arg("./listen-loopback.mjs")
        .arg(&entry)
        .arg(mode)
        .env("PORT", "0")
        .env("INTEROP_EXIT_ON_STDIN_EOF", "1");
    spawn_announcing(command, &format!("server-everything {mode}"), path)
}

/// The interop Python interpreter (`$MCP_PROBE_PYTHON` or `interop/.venv/bin/python`).
pub(crate) fn python_bin() -> PathBuf {
    match std::env::var_os("MCP_PROBE_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => {
            let venv_python = repo_root()
                .join("interop")
                .join(".venv")
                .join("bin")
                .join("python");
            if !venv_python.exists() {
                panic!(
                    "{} is missing: run interop/setup.sh first (or set MCP_PROBE_PYTHON)",
                    venv_python.display()
                );
            }
            venv_python
        }
    }
}

/// The Python SDK server as a stdio command: (program, arguments).
pub(crate) fn python_stdio_command() -> (String, Vec<String>) {
    let script = repo_root().join("interop").join("python").join("server.py");
    (
        python_bin().to_string_lossy().into_owned(),
        vec![
            script.to_string_lossy().into_owned(),
            "--transport".into(),
            "stdio".into(),
        ],
    )
}

/// The TypeScript reference server as a stdio command: (program, arguments).
pub(crate) fn everything_stdio_command() -> (String, Vec<String>) {
    let entry = repo_root()
        .join("interop/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    if !entry.is_file() {
        panic!("{} is missing: run interop/setup.sh first", entry.display());
    }
    (
        "node".into(),
        vec![entry.to_string_lossy().into_owned(), "stdio".into()],
    )
}

/// A binary built in this workspace's target directory (`target/<profile>/<name>`), found
/// next to the running test executable; built with `cargo build` when missing.
pub(crate) fn workspace_binary(package: &str, kind: &str, name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    // …/target/<profile>/deps/<test binary> → …/target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps")
        .to_path_buf();
    let path = match kind {
        "example" => profile_dir.join("examples").join(name),
        _ => profile_dir.join(name),
    };
    // Built once per test process even when it exists: a stale binary from an earlier build
    // would test yesterday's fixture (cargo makes this a quick no-op when it is fresh).
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !built.iter().any(|b| b == name) {
        built.push(name.to_owned());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(repo_root())
            .args([
                "build",
                "--quiet",
                "-p",
                package,
                &format!("--{kind}"),
                name,
            ])
            .status()
            .expect("cargo runs");
        assert!(
            status.success(),
            "cargo build -p {package} --{kind} {name} failed"
        );
    }
    path
}

fn spawn_python(args: &[&str], path: &str) -> Peer {
    let python = python_bin();
    let script = repo_root().join("interop").join("python").join("server.py");
    let mut command = Command::new(python);
    command
        .arg(script)
        .args(args)
        .args(["--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"])
        .env("PYTHONUNBUFFERED", "1");
    spawn_announcing(command, &format!("python {}", args.join(" ")), path)
}

/// Spawns `command`, waits (at most [`START_TIMEOUT`]) for the `PORT=<n>` line on its
/// stdout and builds the peer's URL from it.
fn spawn_announcing(mut command: Command, name: &str, path: &str) -> Peer {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {name} ({command:?}): {err}"));
    let stdin = child.stdin.take();

    let stderr = Arc::new(Mutex::new(Vec::new()));
    let (stderr_done_tx, stderr_done_rx) = mpsc::channel::<()>();
    if let Some(mut pipe) = child.stderr.take() {
        let keep = Arc::clone(&stderr);
        thread::spawn(move || {
            // Drain to EOF so the server never blocks on a full pipe.
            let mut chunk = [0_u8; 4096];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = keep.lock() {
                    let room = STDERR_KEEP.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
            let _ = stderr_done_tx.send(());
        });
    }

    let (port_tx, port_rx) = mpsc::channel::<u16>();
    if let Some(pipe) = child.stdout.take() {
        thread::spawn(move || {
            // Find the announcement, then keep draining stdout (servers log there).
            let mut port_tx = Some(port_tx);
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                if let Some(tx) = port_tx.as_ref() {
                    let text = String::from_utf8_lossy(&line);
                    if let Some(Ok(port)) = text.trim().strip_prefix("PORT=").map(str::parse::<u16>)
                    {
                        let _ = tx.send(port);
                        port_tx = None;
                    }
                }
                line.clear();
            }
        });
    }

    match port_rx.recv_timeout(START_TIMEOUT) {
        Ok(port) => Peer {
            url: format!("http://127.0.0.1:{port}{path}"),
            child,
            _stdin: stdin,
            stderr,
        },
        Err(err) => {
            let what = match err {
                mpsc::RecvTimeoutError::Timeout => {
                    format!("did not print PORT=<n> within {START_TIMEOUT:?}")
                }
                mpsc::RecvTimeoutError::Disconnected => {
                    String::from("closed its stdout without printing PORT=<n>")
                }
            };
            let _ = child.kill();
            let status = child
                .wait()
                .map(|status| status.to_string())
                .unwrap_or_else(|err| format!("status unknown: {err}"));
            // The pipe closes with the child; give the reader a moment to finish.
            let _ = stderr_done_rx.recv_timeout(Duration::from_secs(2));
            panic!(
                "{name} {what} ({status}); is interop/setup.sh done?\n--- stderr ---\n{}",
                snapshot(&stderr)
            );
        }
    }
}

fn snapshot(buffer: &Mutex<Vec<u8>>) -> String {
    match buffer.lock() {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::from("<stderr buffer unavailable>"),
    }
}

/// An in-process rmcp (Rust SDK) Streamable HTTP server on 127.0.0.1.
///
/// Tools: `add(a, b)` (text of the sum, e.g. `"5"`), `echo(text)` (the text) and
/// `fail()` (a result with `isError: true`). POSTed requests are answered with
/// `text/event-stream`. Dropping it stops the server.
pub(crate) struct RmcpPeer {
    /// The Streamable HTTP endpoint, `http://127.0.0.1:<port>/mcp`.
    pub(crate) url: String,
    cancel: Box<dyn Fn() + Send + Sync>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RmcpPeer {
    fn drop(&mut self) {
        (self.cancel)();
        self.task.abort();
    }
}

/// Starts the rmcp server on the current Tokio runtime.
pub(crate) async fn start_rmcp() -> RmcpPeer {
    let config = StreamableHttpServerConfig::default();
    let token = config.cancellation_token.clone();
    let service: StreamableHttpService<InteropTools, LocalSessionManager> =
        StreamableHttpService::new(|| Ok(InteropTools), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("cannot bind 127.0.0.1:0 for the rmcp peer: {err}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|err| panic!("rmcp peer listener has no address: {err}"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    RmcpPeer {
        url: format!("http://{addr}/mcp"),
        cancel: Box::new(move || token.cancel()),
        task,
    }
}

/// The rmcp peer's tool set, written against [`ServerHandler`] directly.
#[derive(Clone)]
pub(crate) struct InteropTools;

fn object_schema(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

fn integer_argument(arguments: Option<&JsonObject>, name: &str) -> Result<i64, ErrorData> {
    arguments
        .and_then(|arguments| arguments.get(name))
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            ErrorData::invalid_params(format!("argument {name:?} must be an integer"), None)
        })
}

impl ServerHandler for InteropTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("mcp-probe-interop-rmcp", "1.0.0"))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let add = Tool::new(
            "add",
            "Add two integers.",
            object_schema(json!({
                "type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                "required": ["a", "b"]
            })),
        );
        let echo = Tool::new(
            "echo",
            "Return the text unchanged.",
            object_schema(json!({
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"]
            })),
        );
        let fail = Tool::new(
            "fail",
            "Always fail: the tool runs and reports an error result.",
            object_schema(json!({"type": "object", "properties": {}})),
        );
        Ok(ListToolsResult::with_all_items(vec![add, echo, fail]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = request.arguments.as_ref();
        let result = match request.name.as_ref() {
            "add" => {
                let a = integer_argument(arguments, "a")?;
                let b = integer_argument(arguments, "b")?;
                let sum = a
                    .checked_add(b)
                    .ok_or_else(|| ErrorData::invalid_params("the sum overflows", None))?;
                CallToolResult::success(vec![ContentBlock::text(sum.to_string())])
            }
            "echo" => {
                let text = arguments
                    .and_then(|arguments| arguments.get("text"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        ErrorData::invalid_params("argument \"text\" must be a string", None)
                    })?;
                CallToolResult::success(vec![ContentBlock::text(text)])
            }
            "fail" => CallToolResult::error(vec![ContentBlock::text("this tool always fails")]),
            other => {
                return Err(ErrorData::invalid_params(
                    format!("unknown tool {other:?}"),
                    None,
                ));
            }
        };
        Ok(result.into())
    }
}
