//! stdio transport: the server runs as a child process and speaks newline-delimited
//! JSON-RPC on its stdin and stdout; whatever it writes to stderr is its log.
//!
//! Shutdown follows the specification (2025-11-25, "Transports → stdio"): close the
//! server's stdin, wait, then SIGTERM, then SIGKILL, all within the clean-up deadline.
//!
//! On Unix the server runs in a process group of its own, and the signals go to the whole
//! group: a server started through a wrapper (`sh -c`, `npx`, `uv run`) ends with everything
//! it started, and no process of the group outlives the probe. (A process that leaves the
//! group on purpose — `setsid`, a daemon — is beyond reach, as is cleaning up after the
//! probe itself is killed with SIGKILL.)

mod failure;
mod process;
mod read;

use crate::clock::Deadline;
use crate::http::body::too_large;
use crate::http::log::StepLog;
use crate::model::{SessionClose, WarningCode};
use std::fmt;
use std::io;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{timeout_at, Instant};

use self::failure::{idle_timeout, not_json, stdin_unusable, write_timeout, Closed, During};
use self::process::{Pipes, Process};
use self::read::{drain_stderr, read_lines, Line, StderrTail};
use super::wait::{wait_for, Inbox, LateWarning, Next, Tally};
use super::{answer_for, AbandonedIds, ANSWER_BUDGET};
use crate::jsonrpc::{self, RpcOutcome};
use crate::model::{CommandSpec, Limits};
use crate::model::{Failure, ServerMessage, ServerMessageKind};

/// How long the end of stderr is waited for after the server's process group ended.
const STDERR_GRACE: Duration = Duration::from_millis(250);

/// Messages read ahead of the probe before the reader waits (and the server with it).
const LINE_QUEUE: usize = 8;
/// Longest a probe waits for the exit status (and the last stderr) of a server that closed
/// its stdout or stdin.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// Longest shown program name.
const PROGRAM_CHARS: usize = 200;

/// Why a message could not be written.
#[derive(Debug)]
enum WriteError {
    /// stdin was closed earlier by the probe, or blocked by an earlier write.
    Unusable,
    /// The write failed (the server closed its stdin or exited).
    Io(io::Error),
    /// The server did not take the message in time.
    TimedOut,
}

/// A server running as a child process, spoken to over its stdin and stdout.
pub(crate) struct Stdio {
    program: String,
    process: Process,
    stdin: Option<ChildStdin>,
    /// An earlier write did not complete in time: stdin holds a partial message.
    stdin_blocked: bool,
    lines: mpsc::Receiver<Line>,
    reader: JoinHandle<()>,
    stderr_drain: Option<JoinHandle<()>>,
    stderr: StderrTail,
    max_line: u64,
    /// Ids of requests that failed; their responses may still arrive.
    abandoned: AbandonedIds,
}

impl fmt::Debug for Stdio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdio")
            .field("program", &self.program)
            .field("pid", &self.process.child.id())
            .field("stdin_open", &self.stdin.is_some())
            .finish_non_exhaustive()
    }
}

impl Stdio {
    /// Starts the server. Must be called within a Tokio runtime (the pipes are read by tasks).
    ///
    /// A program that cannot be started (not found, not executable, missing working
    /// directory) is a [`FailureCode::Connect`](crate::model::FailureCode::Connect) failure.
    pub(crate) fn spawn(command: &CommandSpec, limits: Limits) -> Result<Stdio, Failure> {
        let program = crate::text::truncate(&command.program, PROGRAM_CHARS);
        let (process, pipes) = Process::start(command, &program)?;
        let Pipes {
            stdin,
            stdout,
            stderr,
        } = pipes;
        let max_line = usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX);
        let (tx, lines) = mpsc::channel(LINE_QUEUE);
        let reader = tokio::spawn(read_lines(stdout, max_line, tx));
        let tail = StderrTail::new();
        let stderr_drain = tokio::spawn(drain_stderr(stderr, tail.clone()));
        Ok(Stdio {
            program,
            process,
            stdin: Some(stdin),
            stdin_blocked: false,
            lines,
            reader,
            stderr_drain: Some(stderr_drain),
            stderr: tail,
            max_line: limits.max_body_bytes,
            abandoned: AbandonedIds::default(),
        })
    }

    /// The server's process id, while it has not been reaped.
    #[cfg(test)]
    pub(crate) fn pid(&self) -> Option<u32> {
        self.process.child.id()
    }

    /// The last (at most 8 KiB) bytes the server wrote to stderr, lossily decoded.
    pub(crate) fn stderr_tail(&self) -> String {
        self.stderr.text()
    }

    /// Sends a request and waits for its response, answering server requests and recording
    /// notifications on the way.
    pub(crate) async fn request(
        &mut self,
        id: i64,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let expected = json!(id);
        let result = self
            .exchange(id, &expected, method, params, deadline, log)
            .await;
        if result.is_err() {
            // Its response may still come; it must not be taken for a later one's.
            self.abandoned.push(expected);
        }
        result
    }

    async fn exchange(
        &mut self,
        id: i64,
        expected: &Value,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let message = jsonrpc::request(id, method, params);
        self.send(&message, method, deadline, During::Request, log)
            .await?;
        wait_for(self, expected, method, deadline, log).await
    }

    /// Sends a notification (written to stdin; nothing comes back).
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        let message = jsonrpc::notification(method, params);
        self.send(&message, method, deadline, During::Notification, log)
            .await
    }

    /// Stops the server: closes its stdin and waits for it to exit, then sends SIGTERM, then
    /// SIGKILL, all by `deadline`. Says how it ended: `exited (code N)`, `exited (signal N)`,
    /// `terminated` (after SIGTERM) or `killed`.
    pub(crate) async fn close(&mut self, deadline: Deadline) -> Option<SessionClose> {
        self.stdin = None;
        let outcome = self.process.stop(deadline.at).await;
        self.reader.abort();
        // The group has ended, so stderr is at its end: take what is left in it, so the
        // report holds everything the server wrote (a process that escaped the group and
        // keeps the pipe open gets a short grace, within the clean-up budget).
        if let Some(mut drain) = self.stderr_drain.take() {
            let until = deadline.at.min(Instant::now() + STDERR_GRACE);
            if timeout_at(until, &mut drain).await.is_err() {
                drain.abort();
            }
        }
        Some(SessionClose::Process(outcome))
    }

    /// Writes a message, counting it; write failures become the matching [`Failure`].
    async fn send(
        &mut self,
        message: &Value,
        what: &str,
        deadline: Deadline,
        during: During,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        log.requests = log.requests.saturating_add(1);
        if deadline.passed() {
            return Err(write_timeout(&deadline, what));
        }
        match self.write_line(message, deadline.at).await {
            Ok(()) => Ok(()),
            Err(WriteError::TimedOut) => Err(write_timeout(&deadline, what)),
            Err(WriteError::Io(e)) => Err(self
                .gone(what, Closed::Stdin, &deadline, during)
                .await
                .with("writeError", e.to_string())),
            Err(WriteError::Unusable) => Err(stdin_unusable(what, self.stdin_blocked)),
        }
    }

    /// Writes one message as a line of compact JSON (serde_json escapes every newline inside
    /// strings, so the message is one line) and flushes it, by `at`.
    async fn write_line(&mut self, message: &Value, at: Instant) -> Result<(), WriteError> {
        let mut line = serde_json::to_vec(message).unwrap_or_default();
        line.push(b'\n');
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(WriteError::Unusable);
        };
        let write = async {
            stdin.write_all(&line).await?;
            stdin.flush().await
        };
        match timeout_at(at, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.stdin = None;
                Err(WriteError::Io(e))
            }
            Err(_) => {
                // Part of the message may be in the pipe: nothing more can follow it.
                self.stdin = None;
                self.stdin_blocked = true;
                Err(WriteError::TimedOut)
            }
        }
    }

    /// The failure for a server that closed a pipe: how it exited (waiting briefly for the
    /// status) and what it last wrote to stderr.
    async fn gone(
        &mut self,
        what: &str,
        closed: Closed,
        deadline: &Deadline,
        during: During,
    ) -> Failure {
        let until = (Instant::now() + EXIT_GRACE).min(deadline.at);
        // Polled once even when `until` has passed: an exited child answers at once.
        let status = match timeout_at(until, self.process.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => None,
        };
        if status.is_some() {
            // The last stderr lines may still be in the pipe.
            if let Some(drain) = self.stderr_drain.as_mut() {
                if timeout_at(until, drain).await.is_ok() {
                    self.stderr_drain = None;
                }
            }
        }
        failure::gone(what, closed, during, status, &self.stderr_tail())
    }
}

impl Inbox for Stdio {
    type Hold = ();
    const LATE: LateWarning = LateWarning::EveryOne;
    const WHERE: Option<&'static str> = None;

    /// The next line on stdout; the end of stdout, a read error, a line over the limit or
    /// one that is not a JSON-RPC message ends the wait.
    async fn next(
        &mut self,
        what: &str,
        deadline: &Deadline,
        tally: &mut Tally,
        _log: &mut StepLog,
    ) -> Next<()> {
        // Checked on every turn: a server flooding notifications must not outlast it.
        if deadline.passed() {
            return Next::Fail(idle_timeout(deadline, what, tally.read));
        }
        let Ok(line) = timeout_at(deadline.at, self.lines.recv()).await else {
            return Next::Fail(idle_timeout(deadline, what, tally.read));
        };
        tally.read += 1;
        Next::Fail(match line {
            None | Some(Line::Eof) => {
                self.gone(what, Closed::Stdout, deadline, During::Request)
                    .await
            }
            Some(Line::Failed(error)) => self
                .gone(what, Closed::Stdout, deadline, During::Request)
                .await
                .with("readError", error),
            Some(Line::TooLarge) => too_large(what, "stdout line", self.max_line),
            Some(Line::NotJson { snippet }) => not_json(what, snippet),
            Some(Line::TooBig(mut failure)) => {
                failure.message = format!("{what}{}", failure.message);
                failure
            }
            Some(Line::Message(message)) => return Next::Message(message, ()),
        })
    }

    /// Answers a server request that arrived while waiting: `ping` gets `{}`, anything else
    /// "method not found" (a probe offers no client capabilities).
    async fn answer(
        &mut self,
        id: &Value,
        method: &str,
        params: &Value,
        deadline: Deadline,
        log: &mut StepLog,
    ) {
        if !log.may_answer(method) {
            return;
        }
        let (body, answer) = answer_for(id, method, params, log.elicitation.as_ref());
        let budget = deadline.capped(ANSWER_BUDGET);
        log.requests = log.requests.saturating_add(1);
        let outcome = match self.write_line(&body, budget.at).await {
            Ok(()) => answer.to_owned(),
            Err(_) => {
                log.warn(
                    WarningCode::ServerRequestAnswerFailed,
                    format!("the answer to the server's {method} request could not be delivered"),
                );
                "unanswered".to_owned()
            }
        };
        log.record(ServerMessage {
            kind: ServerMessageKind::Request,
            method: method.to_owned(),
            answer: Some(outcome),
        });
    }

    fn abandoned(&mut self) -> &mut AbandonedIds {
        &mut self.abandoned
    }
}

impl Drop for Stdio {
    fn drop(&mut self) {
        // A probe that ends without closing (cancelled, dropped) takes the whole group down.
        self.process.kill_group();
        self.reader.abort();
        if let Some(drain) = self.stderr_drain.take() {
            drain.abort();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use super::*;
    use crate::model::FailureCode;
    use std::path::PathBuf;

    /// The stdio fixture binary of `mcp-probe-testkit`. `cargo test --workspace` builds it
    /// (the testkit has integration tests, so Cargo builds its binaries); a test run of this
    /// crate alone builds it here, once, when it is missing or older than its source.
    fn fixture() -> PathBuf {
        static PATH: OnceLock<PathBuf> = OnceLock::new();
        PATH.get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            // …/target/<profile>/deps/<test binary> → …/target/<profile>
            let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
            let bin = profile_dir.join(format!(
                "mcp-probe-stdio-fixture{}",
                std::env::consts::EXE_SUFFIX
            ));
            let source = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../mcp-probe-testkit/src/bin/mcp-probe-stdio-fixture.rs");
            let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
            let fresh = match (modified(&bin), modified(&source)) {
                (Some(built), Some(written)) => built >= written,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !fresh {
                let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
                let mut build = std::process::Command::new(cargo);
                build.current_dir(env!("CARGO_MANIFEST_DIR")).args([
                    "build",
                    "--quiet",
                    "-p",
                    "mcp-probe-testkit",
                    "--bin",
                    "mcp-probe-stdio-fixture",
                ]);
                match profile_dir.file_name().and_then(|n| n.to_str()) {
                    Some("debug") | None => {}
                    Some(profile) => {
                        build.args(["--profile", profile]);
                    }
                }
                let status = build.status().unwrap();
                assert!(status.success(), "building mcp-probe-stdio-fixture failed");
            }
            assert!(bin.is_file(), "no stdio fixture at {}", bin.display());
            bin
        })
        .clone()
    }

    fn spec(mode: &str) -> CommandSpec {
        CommandSpec {
            program: fixture().display().to_string(),
            args: vec![mode.to_owned()],
            ..CommandSpec::default()
        }
    }

    fn start(mode: &str) -> Stdio {
        Stdio::spawn(&spec(mode), Limits::default()).unwrap()
    }

    fn request_deadline(request: Duration) -> Deadline {
        let total = Duration::from_secs(30);
        Deadline::for_request(request, Instant::now() + total, total)
    }

    fn deadline() -> Deadline {
        request_deadline(Duration::from_secs(10))
    }

    fn cleanup(budget: Duration) -> Deadline {
        Deadline::cleanup(budget, Instant::now() + Duration::from_secs(30))
    }

    fn init_params() -> Value {
        json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "mcp-probe-tests", "version": "0"}
        })
    }

    async fn handshake(t: &mut Stdio, log: &mut StepLog) -> Value {
        let result = t
            .request(1, "initialize", Some(init_params()), deadline(), log)
            .await
            .unwrap()
            .unwrap();
        t.notify("notifications/initialized", None, deadline(), log)
            .await
            .unwrap();
        result
    }

    /// Polls `check` every 10 ms for at most 5 s.
    async fn eventually(check: impl Fn() -> bool) -> bool {
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if check() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        check()
    }

    /// Whether a process with this id exists (a zombie counts).
    #[cfg(unix)]
    fn process_exists(pid: u32) -> bool {
        let pid = rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap();
        rustix::process::test_kill_process(pid).is_ok()
    }

    #[tokio::test]
    async fn healthy_server_round_trip() {
        let mut command = spec("healthy");
        command
            .env
            .insert("MCP_PROBE_FIXTURE_TITLE".into(), "Fixture via env".into());
        let dir = std::env::temp_dir().canonicalize().unwrap();
        command.cwd = Some(dir.clone());
        let mut t = Stdio::spawn(&command, Limits::default()).unwrap();
        assert!(t.pid().is_some());
        let mut log = StepLog::default();

        let init = handshake(&mut t, &mut log).await;
        assert_eq!(init["protocolVersion"], "2025-11-25");
        assert_eq!(init["serverInfo"]["name"], "mcp-probe-stdio-fixture");
        assert_eq!(init["serverInfo"]["title"], "Fixture via env");
        assert_eq!(init["instructions"], format!("cwd={}", dir.display()));

        let pong = t.request(2, "ping", None, deadline(), &mut log).await;
        assert_eq!(pong, Ok(Ok(json!({}))));
        let tools = t
            .request(3, "tools/list", None, deadline(), &mut log)
            .await
            .unwrap()
            .unwrap();
        let names: Vec<&str> = tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["add", "echo", "fail"]);
        let sum = t
            .request(
                4,
                "tools/call",
                Some(json!({"name": "add", "arguments": {"a": 2, "b": 3}})),
                deadline(),
                &mut log,
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sum["content"][0]["text"], "5");
        assert_eq!(sum["isError"], false);
        let unknown = t
            .request(5, "resources/list", None, deadline(), &mut log)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(unknown.code, -32601);
        assert_eq!(log.requests, 6);
        assert!(log.server_messages.is_empty());
        assert!(log.warnings.is_empty(), "{:?}", log.warnings);

        assert!(
            eventually(|| t.stderr_tail().contains("starting (mode healthy)")).await,
            "stderr: {:?}",
            t.stderr_tail()
        );
        let closed = t.close(cleanup(Duration::from_secs(2))).await;
        assert_eq!(closed.as_ref().map(|c| c.as_str()), Some("exited (code 0)"));
        assert_eq!(t.pid(), None);
        // Nothing can be sent after closing.
        let after = t
            .request(6, "ping", None, deadline(), &mut log)
            .await
            .unwrap_err();
        assert_eq!(after.code, FailureCode::ConnectionReset);
        assert_eq!(after.details["reason"], "stdin_closed");
    }

    #[tokio::test]
    async fn server_exiting_early_is_a_reset_with_its_exit_code_and_stderr() {
        let mut t = start("exit_early");
        let mut log = StepLog::default();
        let f = t
            .request(1, "initialize", Some(init_params()), deadline(), &mut log)
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::ConnectionReset);
        assert!(
            f.message
                .starts_with("initialize: the server process exited (code 3) before answering"),
            "{}",
            f.message
        );
        assert!(f.message.contains("configuration missing"), "{}", f.message);
        assert_eq!(f.details["exitCode"], 3);
        assert!(f.details["stderrTail"]
            .as_str()
            .unwrap()
            .contains("fatal: configuration missing"));
        let closed = t.close(cleanup(Duration::from_secs(1))).await;
        assert_eq!(closed.as_ref().map(|c| c.as_str()), Some("exited (code 3)"));
    }

    #[tokio::test]
    async fn a_banner_on_stdout_is_not_mcp_and_the_stream_recovers() {
        let mut t = start("garbage");
        let mut log = StepLog::default();
        let f = t
            .request(1, "initialize", Some(init_params()), deadline(), &mut log)
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::NotMcp);
        assert_eq!(f.details["reason"], "not_json");
        assert_eq!(
            f.details["lineSnippet"],
            "Starting fixture server v0.1 on stdio..."
        );
        assert!(
            f.message.contains("Starting fixture server"),
            "{}",
            f.message
        );
        // The initialize response still comes; it is skipped as late, not taken for ping's.
        let mut log = StepLog::default();
        let pong = t.request(2, "ping", None, deadline(), &mut log).await;
        assert_eq!(pong, Ok(Ok(json!({}))));
        assert_eq!(log.warnings.len(), 1);
        assert_eq!(log.warnings[0].code, "late_response");
    }

    #[tokio::test]
    async fn a_silent_server_times_out_then_is_terminated() {
        let mut t = start("hang");
        let mut log = StepLog::default();
        let budget = Duration::from_millis(800);
        let started = Instant::now();
        let f = t
            .request(
                1,
                "initialize",
                Some(init_params()),
                request_deadline(budget),
                &mut log,
            )
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert_eq!(f.code, FailureCode::Timeout);
        assert_eq!(f.details["phase"], "stream_idle");
        assert_eq!(f.details["limit"], "request");
        assert!(f.message.contains("server's stdout"), "{}", f.message);
        assert!(took >= budget, "{took:?}");
        assert!(took < budget + Duration::from_millis(1500), "{took:?}");

        // It keeps running after stdin closes, but SIGTERM ends it (Unix).
        let closed = t.close(cleanup(Duration::from_secs(2))).await;
        let expected = if cfg!(unix) { "terminated" } else { "killed" };
        assert_eq!(closed.as_ref().map(|c| c.as_str()), Some(expected));
    }

    #[tokio::test]
    async fn server_requests_are_answered_and_notifications_recorded() {
        let mut t = start("chatty");
        let mut log = StepLog::default();
        handshake(&mut t, &mut log).await;
        let tools = t
            .request(2, "tools/list", None, deadline(), &mut log)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tools["tools"].as_array().unwrap().len(), 3);
        // initialize, its ping answer, initialized, tools/list, its ping answer.
        assert_eq!(log.requests, 5);
        let seen: Vec<(ServerMessageKind, &str, Option<&str>)> = log
            .server_messages
            .iter()
            .map(|m| (m.kind, m.method.as_str(), m.answer.as_deref()))
            .collect();
        let ping = (ServerMessageKind::Request, "ping", Some("result"));
        let note = (
            ServerMessageKind::Notification,
            "notifications/message",
            None,
        );
        assert_eq!(seen, [ping, note, ping, note]);
        let closed = t.close(cleanup(Duration::from_secs(2))).await;
        assert_eq!(closed.as_ref().map(|c| c.as_str()), Some("exited (code 0)"));
    }

    #[tokio::test]
    async fn a_server_ignoring_eof_and_sigterm_is_killed_within_the_deadline() {
        let mut t = start("ignore_stdin_eof");
        let mut log = StepLog::default();
        handshake(&mut t, &mut log).await;
        let pid = t.pid().unwrap();
        let budget = Duration::from_millis(1000);
        let started = Instant::now();
        let closed = t.close(cleanup(budget)).await;
        let took = started.elapsed();
        assert_eq!(closed.as_ref().map(|c| c.as_str()), Some("killed"));
        assert!(took < budget + Duration::from_millis(300), "{took:?}");
        #[cfg(unix)]
        assert!(!process_exists(pid), "process {pid} still exists");
        let _ = pid;
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn dropping_the_transport_kills_and_reaps_the_server() {
        let t = start("hang");
        let pid = t.pid().unwrap();
        assert!(process_exists(pid));
        drop(t);
        assert!(
            eventually(|| !process_exists(pid)).await,
            "process {pid} still exists (running or a zombie)"
        );
    }

    #[tokio::test]
    async fn a_line_over_the_limit_fails_the_request_and_is_skipped() {
        let mut command = spec("healthy");
        command.cwd = Some(PathBuf::from(if cfg!(unix) { "/" } else { "." }));
        let limits = Limits {
            max_body_bytes: 500,
            ..Limits::default()
        };
        let mut t = Stdio::spawn(&command, limits).unwrap();
        let mut log = StepLog::default();
        handshake(&mut t, &mut log).await;
        let f = t
            .request(2, "tools/list", None, deadline(), &mut log)
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::ResponseTooLarge);
        assert_eq!(f.details["limitBytes"], 500);
        assert_eq!(f.details["part"], "stdout line");
        let pong = t.request(3, "ping", None, deadline(), &mut log).await;
        assert_eq!(pong, Ok(Ok(json!({}))));
    }

    #[tokio::test]
    async fn programs_that_cannot_start_are_connect_failures() {
        let missing = CommandSpec {
            program: "mcp-probe-no-such-program".into(),
            ..CommandSpec::default()
        };
        let f = Stdio::spawn(&missing, Limits::default()).unwrap_err();
        assert_eq!(f.code, FailureCode::Connect);
        assert_eq!(
            f.message,
            "could not start `mcp-probe-no-such-program`: the program was not found"
        );

        #[cfg(unix)]
        {
            let not_executable = CommandSpec {
                program: concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").into(),
                ..CommandSpec::default()
            };
            let f = Stdio::spawn(&not_executable, Limits::default()).unwrap_err();
            assert_eq!(f.code, FailureCode::Connect);
            assert!(f
                .message
                .ends_with(": permission denied (is it executable?)"));
        }

        let mut no_dir = spec("healthy");
        no_dir.cwd = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("no-such-dir"));
        let f = Stdio::spawn(&no_dir, Limits::default()).unwrap_err();
        assert_eq!(f.code, FailureCode::Connect);
        assert!(f.message.contains("working directory"), "{}", f.message);

        let empty = CommandSpec::default();
        let f = Stdio::spawn(&empty, Limits::default()).unwrap_err();
        assert_eq!(f.code, FailureCode::Connect);
    }

    #[test]
    fn command_specs_need_only_a_program() {
        let spec: CommandSpec =
            serde_json::from_value(json!({"program": "node", "args": ["server.js"]})).unwrap();
        assert_eq!(spec.program, "node");
        assert_eq!(spec.args, ["server.js"]);
        assert!(spec.env.is_empty());
        assert_eq!(spec.cwd, None);
        assert!(
            serde_json::from_value::<CommandSpec>(json!({"program": "x", "shell": true})).is_err()
        );
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            json!({"program": "node", "args": ["server.js"]})
        );
    }
}
