//! `mcp-probe-stdio-fixture`: a small MCP server speaking newline-delimited JSON-RPC on
//! stdin/stdout, healthy or misbehaving as its one argument says.
//!
//! Modes:
//! - `healthy`: `initialize`, `ping`, `tools/list` (`add`, `echo`, `fail`), `tools/call`; logs
//!   one line to stderr at start; exits 0 when stdin reaches end-of-file.
//! - `exit_early`: prints a line to stderr and exits 3 before reading anything.
//! - `garbage`: prints a banner line that is not JSON to stdout, then behaves like `healthy`.
//! - `hang`: reads requests and never answers; keeps running after stdin is closed (SIGTERM
//!   ends it).
//! - `ignore_stdin_eof`: behaves like `healthy` while stdin is open, then keeps running after
//!   it is closed and ignores SIGTERM (only SIGKILL ends it).
//! - `chatty`: like `healthy`, but before each response sends a `ping` request (and waits
//!   for its answer; a wrong answer exits 4) and a `notifications/message` notification.
//! - `echo_env`: echoes secrets: writes `NAME=value` to stderr for every environment variable
//!   whose name starts with `MCP_PROBE_SECRET` (sorted by name, one line each), then behaves
//!   like `healthy` except that every `tools/call` returns `isError: true` with those same
//!   lines as its text.
//!
//! The initialize result carries the value of `MCP_PROBE_FIXTURE_TITLE` as `serverInfo.title`
//! and the working directory as `instructions` (`cwd=<dir>`), so a client can check the
//! environment and directory it started the server with. Every mode that keeps running on its
//! own gives up after two minutes. With `MCP_PROBE_FIXTURE_PIDFILE` set, it writes its process
//! id to that file at start.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const USAGE: &str =
    "usage: mcp-probe-stdio-fixture healthy|exit_early|garbage|hang|ignore_stdin_eof|chatty|echo_env";
/// The prefix of the environment variables `echo_env` echoes.
const SECRET_PREFIX: &str = "MCP_PROBE_SECRET";
/// Longest any mode keeps running without a client.
const LIFETIME: Duration = Duration::from_secs(120);
const LATEST_VERSION: &str = "2025-11-25";
const SUPPORTED_VERSIONS: [&str; 3] = ["2025-03-26", "2025-06-18", "2025-11-25"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Healthy,
    ExitEarly,
    Garbage,
    Hang,
    IgnoreStdinEof,
    Chatty,
    EchoEnv,
}

impl Mode {
    fn parse(name: &str) -> Option<Mode> {
        Some(match name {
            "healthy" => Mode::Healthy,
            "exit_early" => Mode::ExitEarly,
            "garbage" => Mode::Garbage,
            "hang" => Mode::Hang,
            "ignore_stdin_eof" => Mode::IgnoreStdinEof,
            "chatty" => Mode::Chatty,
            "echo_env" => Mode::EchoEnv,
            _ => return None,
        })
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.as_slice() {
        [one] => Mode::parse(one),
        _ => None,
    };
    let Some(mode) = mode else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    // Lets a test find this process after the probe is done, to prove it is gone.
    if let Some(path) = std::env::var_os("MCP_PROBE_FIXTURE_PIDFILE") {
        if let Err(e) = std::fs::write(&path, std::process::id().to_string()) {
            eprintln!("mcp-probe-stdio-fixture: cannot write the pid file: {e}");
            return ExitCode::from(1);
        }
    }
    if mode == Mode::ExitEarly {
        eprintln!("mcp-probe-stdio-fixture: fatal: configuration missing, exiting");
        return ExitCode::from(3);
    }
    if mode == Mode::Garbage && say_raw("Starting fixture server v0.1 on stdio...").is_err() {
        return ExitCode::from(1);
    }
    // Keeps the SIGTERM handler installed for the life of the process.
    let _guard = match mode {
        Mode::IgnoreStdinEof => match ignore_sigterm() {
            Ok(guard) => Some(guard),
            Err(e) => {
                eprintln!("mcp-probe-stdio-fixture: cannot ignore SIGTERM: {e}");
                return ExitCode::from(1);
            }
        },
        _ => None,
    };
    eprintln!("mcp-probe-stdio-fixture: starting (mode {})", args[0]);
    let secrets = if mode == Mode::EchoEnv {
        let secrets = secret_lines();
        eprint!("{secrets}");
        Some(secrets)
    } else {
        None
    };
    match serve(mode, secrets.as_deref()) {
        Ok(code) => {
            if matches!(mode, Mode::Hang | Mode::IgnoreStdinEof) {
                linger(started);
            }
            code
        }
        Err(e) => {
            eprintln!("mcp-probe-stdio-fixture: {e}");
            ExitCode::from(1)
        }
    }
}

/// `NAME=value` lines (each ending in `\n`) of the variables whose name starts with
/// [`SECRET_PREFIX`], sorted by name; names and values that are not UTF-8 are converted lossily.
fn secret_lines() -> String {
    let mut secrets: Vec<(String, String)> = std::env::vars_os()
        .map(|(name, value)| {
            (
                name.to_string_lossy().into_owned(),
                value.to_string_lossy().into_owned(),
            )
        })
        .filter(|(name, _)| name.starts_with(SECRET_PREFIX))
        .collect();
    secrets.sort();
    secrets
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect()
}

/// Reads messages until end-of-file, answering them as `mode` says; `secrets` is the text of
/// every `tools/call` answer in `echo_env`.
fn serve(mode: Mode, secrets: Option<&str>) -> io::Result<ExitCode> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    let mut pings = 0u64;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(ExitCode::SUCCESS);
        }
        if line.trim().is_empty() {
            continue;
        }
        if mode == Mode::Hang {
            continue;
        }
        let message: Value = match serde_json::from_str(line.trim()) {
            Ok(v) => v,
            Err(e) => {
                say(&error(&Value::Null, -32700, &format!("Parse error: {e}")))?;
                continue;
            }
        };
        let Some(id) = message.get("id").filter(|id| !id.is_null()).cloned() else {
            continue; // a notification or a stray response
        };
        let Some(method) = message.get("method").and_then(Value::as_str) else {
            continue; // a response to nothing this fixture asked
        };
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        if mode == Mode::Chatty {
            pings += 1;
            let ping_id = format!("s-{pings}");
            say(&json!({"jsonrpc": "2.0", "id": ping_id, "method": "ping"}))?;
            say(&json!({
                "jsonrpc": "2.0",
                "method": "notifications/message",
                "params": {"level": "info", "data": format!("working on {method}")}
            }))?;
            if let Err(why) = await_ping_answer(&mut input, &ping_id) {
                eprintln!("mcp-probe-stdio-fixture: {why}");
                return Ok(ExitCode::from(4));
            }
        }
        let reply = match secrets {
            Some(text) if method == "tools/call" => result(&id, text_content(text, true)),
            _ => respond(&id, method, &params),
        };
        say(&reply)?;
    }
}

/// Reads the next message and checks it is the `{}` answer to the ping `ping_id`.
fn await_ping_answer(input: &mut impl BufRead, ping_id: &str) -> Result<(), String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) => return Err(format!("stdin closed before the answer to ping {ping_id}")),
        Ok(_) => {}
        Err(e) => return Err(format!("reading the answer to ping {ping_id}: {e}")),
    }
    let answer: Value = serde_json::from_str(line.trim())
        .map_err(|e| format!("the answer to ping {ping_id} is not JSON: {e}"))?;
    if answer.get("id").and_then(Value::as_str) != Some(ping_id)
        || answer.get("result") != Some(&json!({}))
    {
        return Err(format!(
            "expected the answer to ping {ping_id}, got {answer}"
        ));
    }
    Ok(())
}

fn respond(id: &Value, method: &str, params: &Value) -> Value {
    match method {
        "initialize" => {
            let requested = params.get("protocolVersion").and_then(Value::as_str);
            let version = SUPPORTED_VERSIONS
                .iter()
                .copied()
                .find(|v| Some(*v) == requested)
                .unwrap_or(LATEST_VERSION);
            let mut server_info = json!({
                "name": "mcp-probe-stdio-fixture",
                "version": env!("CARGO_PKG_VERSION"),
            });
            if let Ok(title) = std::env::var("MCP_PROBE_FIXTURE_TITLE") {
                server_info["title"] = Value::String(title);
            }
            let cwd = std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            result(
                id,
                json!({
                    "protocolVersion": version,
                    "capabilities": {"tools": {"listChanged": false}},
                    "serverInfo": server_info,
                    "instructions": format!("cwd={cwd}"),
                }),
            )
        }
        "ping" => result(id, json!({})),
        "tools/list" => result(id, json!({"tools": tools()})),
        "tools/call" => call_tool(id, params),
        _ => error(id, -32601, &format!("Method not found: {method}")),
    }
}

fn tools() -> Value {
    json!([
        {
            "name": "add",
            "description": "Add two numbers and return the sum as text.",
            "inputSchema": {
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }
        },
        {
            "name": "echo",
            "description": "Return the given text unchanged.",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"]
            }
        },
        {
            "name": "fail",
            "description": "Always fails the way a tool whose upstream API is down does.",
            "inputSchema": {"type": "object", "properties": {}}
        }
    ])
}

fn call_tool(id: &Value, params: &Value) -> Value {
    let args = params.get("arguments").cloned().unwrap_or(json!({}));
    match params.get("name").and_then(Value::as_str) {
        Some("add") => {
            let a = args.get("a").and_then(Value::as_f64);
            let b = args.get("b").and_then(Value::as_f64);
            match (a, b) {
                (Some(a), Some(b)) => result(id, text_content(&format_number(a + b), false)),
                _ => error(id, -32602, "add needs numbers a and b"),
            }
        }
        Some("echo") => match args.get("text").and_then(Value::as_str) {
            Some(text) => result(id, text_content(text, false)),
            None => error(id, -32602, "echo needs a string text"),
        },
        Some("fail") => result(id, text_content("upstream API unavailable", true)),
        Some(other) => error(id, -32602, &format!("Unknown tool: {other}")),
        None => error(id, -32602, "tools/call needs a tool name"),
    }
}

/// `5` rather than `5.0` for whole numbers.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

fn text_content(text: &str, is_error: bool) -> Value {
    json!({"content": [{"type": "text", "text": text}], "isError": is_error})
}

fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Writes one message as a line of compact JSON.
fn say(message: &Value) -> io::Result<()> {
    say_raw(&message.to_string())
}

fn say_raw(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Stays alive (without a client) until [`LIFETIME`] has passed since the start.
fn linger(started: Instant) {
    while let Some(left) = LIFETIME.checked_sub(started.elapsed()) {
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_secs(1)));
    }
}

/// Installs a SIGTERM handler that does nothing, so SIGTERM no longer ends the process.
/// The returned runtime must stay alive.
#[cfg(unix)]
fn ignore_sigterm() -> io::Result<(tokio::runtime::Runtime, tokio::signal::unix::Signal)> {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let handler = runtime.block_on(async { signal(SignalKind::terminate()) })?;
    Ok((runtime, handler))
}

/// Without Unix signals there is nothing to ignore.
#[cfg(not(unix))]
fn ignore_sigterm() -> io::Result<()> {
    Ok(())
}
