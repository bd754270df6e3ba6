//! The server's child process: starting it in a process group of its own, ending it (and
//! whatever it started in that group), and saying how it ended.

use std::io;
use std::process::{ExitStatus, Stdio as Piped};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::time::{timeout_at, Instant};

use crate::model::{CommandSpec, Failure, FailureCode};

/// How often the server's process group is looked at while its members are given time to end.
const GROUP_POLL: Duration = Duration::from_millis(10);

/// The signals a probe sends to a server's process group.
#[derive(Debug, Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

/// What was left of a server's process group after the server itself ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupEnd {
    /// Nothing.
    Empty,
    /// Processes that ended after SIGTERM.
    Terminated,
    /// Processes that had to be killed.
    Killed,
}

/// The server's standard streams, as taken from the started child.
pub(super) struct Pipes {
    pub(super) stdin: ChildStdin,
    pub(super) stdout: ChildStdout,
    pub(super) stderr: ChildStderr,
}

/// The server's child process and its process group.
pub(super) struct Process {
    pub(super) child: Child,
    /// The server's process group (its own pid), while the group may still have members.
    group: Option<u32>,
}

impl Process {
    /// Starts `command` (shown as `program`) with piped standard streams, in a process group
    /// of its own on Unix. A program that cannot be started is a [`FailureCode::Connect`]
    /// failure.
    pub(super) fn start(command: &CommandSpec, program: &str) -> Result<(Process, Pipes), Failure> {
        if command.program.trim().is_empty() {
            return Err(Failure::new(
                FailureCode::Connect,
                "could not start the server: no program given",
            ));
        }
        if let Some(dir) = &command.cwd {
            if !dir.is_dir() {
                return Err(Failure::new(
                    FailureCode::Connect,
                    format!(
                        "could not start `{program}`: the working directory {} does not exist",
                        dir.display()
                    ),
                )
                .with("program", program));
            }
        }
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .envs(&command.env)
            .stdin(Piped::piped())
            .stdout(Piped::piped())
            .stderr(Piped::piped())
            .kill_on_drop(true);
        // A group of its own, so that everything the server starts can be ended with it.
        #[cfg(unix)]
        cmd.process_group(0);
        if let Some(dir) = &command.cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().map_err(|e| spawn_failure(program, &e))?;
        let group = if cfg!(unix) { child.id() } else { None };
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(Failure::new(
                FailureCode::Connect,
                format!("could not start `{program}`: its standard streams could not be opened"),
            )
            .with("program", program));
        };
        let pipes = Pipes {
            stdin,
            stdout,
            stderr,
        };
        Ok((Process { child, group }, pipes))
    }

    /// Ends the server and its group by `at`: end-of-input (already given), then SIGTERM,
    /// then SIGKILL. Says how it ended.
    pub(super) async fn stop(&mut self, at: Instant) -> String {
        let start = Instant::now();
        let left = at.saturating_duration_since(start);
        let leader = self.stop_leader(start, left, at).await;
        // The server is gone; whatever it started in its group must go too.
        match self.end_group(start + left * 4 / 5, at).await {
            GroupEnd::Empty => leader,
            GroupEnd::Terminated => format!("{leader}; its remaining processes were terminated"),
            GroupEnd::Killed => format!("{leader}; its remaining processes were killed"),
        }
    }

    /// Ends the server process itself: end-of-input, then SIGTERM, then SIGKILL (each sent to
    /// its whole group).
    async fn stop_leader(&mut self, start: Instant, left: Duration, at: Instant) -> String {
        if let Ok(Some(status)) = self.child.try_wait() {
            return exited(status);
        }
        // Half of the budget for a clean exit on end-of-input…
        if let Ok(Ok(status)) = timeout_at(start + left / 2, self.child.wait()).await {
            return exited(status);
        }
        // …most of the rest after SIGTERM, and a fifth for SIGKILL.
        if self.signal_group(Signal::Term) {
            if let Ok(Ok(_)) = timeout_at(start + left * 4 / 5, self.child.wait()).await {
                return "terminated".to_owned();
            }
        }
        self.signal_group(Signal::Kill);
        // An error here means it is already gone; wait() then has the status.
        let _ = self.child.start_kill();
        match timeout_at(at, self.child.wait()).await {
            Ok(Ok(status)) if !was_killed(status) => exited(status),
            _ => "killed".to_owned(),
        }
    }

    /// Ends what is left of the server's process group once the server itself has exited:
    /// SIGTERM, a wait until `term_until`, then SIGKILL.
    async fn end_group(&mut self, term_until: Instant, at: Instant) -> GroupEnd {
        if !self.group_alive() {
            self.group = None;
            return GroupEnd::Empty;
        }
        self.signal_group(Signal::Term);
        // The group's other members are not this process's children: they cannot be waited
        // for, only looked for (every 10 ms, within the deadline).
        let until = term_until.min(at);
        while Instant::now() < until {
            if !self.group_alive() {
                self.group = None;
                return GroupEnd::Terminated;
            }
            tokio::time::sleep(GROUP_POLL).await;
        }
        self.signal_group(Signal::Kill);
        // SIGKILL cannot be refused, but takes effect when the kernel next runs them.
        while Instant::now() < at && self.group_alive() {
            tokio::time::sleep(GROUP_POLL).await;
        }
        self.group = None;
        GroupEnd::Killed
    }

    /// Kills the whole group, if it may still have members (a probe ending without closing);
    /// the child itself is also killed (and later reaped by Tokio) through `kill_on_drop`.
    pub(super) fn kill_group(&mut self) {
        if self.group.is_some() {
            self.signal_group(Signal::Kill);
        }
    }

    /// Sends `signal` to the server's process group (to the server alone where there are no
    /// groups); says whether it was sent.
    #[cfg(unix)]
    fn signal_group(&self, signal: Signal) -> bool {
        use rustix::process::{kill_process_group, Pid};
        let sig = match signal {
            Signal::Term => rustix::process::Signal::TERM,
            Signal::Kill => rustix::process::Signal::KILL,
        };
        let Some(pid) = self
            .group
            .and_then(|p| i32::try_from(p).ok())
            .and_then(Pid::from_raw)
        else {
            return false;
        };
        kill_process_group(pid, sig).is_ok()
    }

    /// No process groups outside Unix: SIGKILL is the child's kill; there is no SIGTERM.
    #[cfg(not(unix))]
    fn signal_group(&mut self, signal: Signal) -> bool {
        match signal {
            Signal::Term => false,
            Signal::Kill => self.child.start_kill().is_ok(),
        }
    }

    /// Whether any process of the server's group still exists.
    #[cfg(unix)]
    fn group_alive(&self) -> bool {
        use rustix::process::{test_kill_process_group, Pid};
        self.group
            .and_then(|p| i32::try_from(p).ok())
            .and_then(Pid::from_raw)
            .is_some_and(|pid| test_kill_process_group(pid).is_ok())
    }

    #[cfg(not(unix))]
    fn group_alive(&self) -> bool {
        false
    }
}

/// The failure for a program that could not be started.
fn spawn_failure(program: &str, err: &io::Error) -> Failure {
    let why = match err.kind() {
        io::ErrorKind::NotFound => "the program was not found".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied (is it executable?)".to_owned(),
        _ => err.to_string(),
    };
    Failure::new(
        FailureCode::Connect,
        format!("could not start `{program}`: {why}"),
    )
    .with("program", program)
    .with("error", err.to_string())
}

/// How a process ended, as a phrase and a detail.
pub(super) fn describe_exit(status: ExitStatus) -> (String, &'static str, Value) {
    if let Some(code) = status.code() {
        return (format!("exited (code {code})"), "exitCode", json!(code));
    }
    match signal_of(status) {
        Some(signal) => (
            format!("was ended by signal {signal}"),
            "signal",
            json!(signal),
        ),
        None => ("exited".to_owned(), "exitStatus", json!(status.to_string())),
    }
}

/// How a process ended on its own, for [`Process::stop`].
fn exited(status: ExitStatus) -> String {
    match (status.code(), signal_of(status)) {
        (Some(code), _) => format!("exited (code {code})"),
        (None, Some(signal)) => format!("exited (signal {signal})"),
        (None, None) => "exited".to_owned(),
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> Option<i32> {
    None
}

/// Whether the status is that of a SIGKILL (on Unix) or of any end by kill (elsewhere).
fn was_killed(status: ExitStatus) -> bool {
    if cfg!(unix) {
        signal_of(status) == Some(9)
    } else {
        !status.success()
    }
}
