//! The failures of a stdio exchange: a lost server, a blocked or closed stdin, a line that
//! is not JSON, and timeouts worded for pipes.

use std::process::ExitStatus;

use super::process::describe_exit;
use crate::clock::Deadline;
use crate::model::{Failure, FailureCode, FailureReason, TimeoutPhase};
use crate::text::snippet;

/// Most characters of stderr put into a failure's details.
const STDERR_DETAIL_CHARS: usize = 2000;

/// Which side of the pipes the server closed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Closed {
    Stdout,
    Stdin,
}

/// Whether a lost server was lost while a request or a notification was under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum During {
    Request,
    Notification,
}

/// The failure for a server that closed a pipe: how it exited (`None`: it is still running)
/// and the last line of its stderr `tail`.
pub(super) fn gone(
    what: &str,
    closed: Closed,
    during: During,
    status: Option<ExitStatus>,
    tail: &str,
) -> Failure {
    let after = match during {
        During::Request => " before answering",
        During::Notification => "; the notification was not delivered",
    };
    let mut failure = match status {
        Some(status) => {
            let (how, key, value) = describe_exit(status);
            Failure::new(
                FailureCode::ConnectionReset,
                format!("{what}: the server process {how}{after}"),
            )
            .with(key, value)
        }
        None => {
            let pipe = match closed {
                Closed::Stdout => "closed its stdout",
                Closed::Stdin => "closed its stdin",
            };
            Failure::new(
                FailureCode::ConnectionReset,
                format!("{what}: the server {pipe}{after} (the process is still running)"),
            )
        }
    };
    if let Some(last) = tail.lines().rev().find(|l| !l.trim().is_empty()) {
        failure.message.push_str(&format!(
            "; its last stderr line: {}",
            snippet(last.as_bytes(), 200)
        ));
        failure = failure.with("stderrTail", last_chars(tail, STDERR_DETAIL_CHARS));
    }
    failure
}

/// The failure for a write to a stdin the probe can no longer use: `blocked` when an earlier
/// write did not complete in time, closed otherwise.
pub(super) fn stdin_unusable(what: &str, blocked: bool) -> Failure {
    if blocked {
        Failure::new(
            FailureCode::ConnectionReset,
            format!(
                "{what}: cannot write to the server: an earlier message was not taken in time (the server does not read its stdin)"
            ),
        )
        .with_reason(FailureReason::StdinBlocked)
    } else {
        Failure::new(
            FailureCode::ConnectionReset,
            format!("{what}: cannot write to the server: its stdin is already closed"),
        )
        .with_reason(FailureReason::StdinClosed)
    }
}

/// The failure for a line on stdout that is not JSON (a banner, a log line).
pub(super) fn not_json(what: &str, snippet: String) -> Failure {
    Failure::new(
        FailureCode::NotMcp,
        format!(
            "{what}: the server wrote a line that is not JSON to stdout: `{snippet}` (stdout must carry only MCP messages; logs belong on stderr)"
        ),
    )
    .with_reason(FailureReason::NotJson)
    .with("lineSnippet", snippet)
}

/// A timeout failure whose wording says what the probe was doing.
fn timed_out(deadline: &Deadline, phase: TimeoutPhase, what: &str, doing: &str) -> Failure {
    let mut failure = deadline.timeout(phase, what);
    if let Some(i) = failure.message.rfind(" while ") {
        failure.message.truncate(i);
        failure.message.push_str(" while ");
        failure.message.push_str(doing);
    }
    failure
}

pub(super) fn idle_timeout(deadline: &Deadline, what: &str, lines_read: u64) -> Failure {
    timed_out(
        deadline,
        TimeoutPhase::StreamIdle,
        what,
        "waiting for the response on the server's stdout",
    )
    .with("linesRead", lines_read)
}

pub(super) fn write_timeout(deadline: &Deadline, what: &str) -> Failure {
    timed_out(
        deadline,
        TimeoutPhase::Write,
        what,
        "writing to the server's stdin (the server does not read its input)",
    )
}

/// The last `max` characters of `text`, marked when cut.
fn last_chars(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().skip(count - max).collect();
    format!("…{cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_details_mark_the_cut() {
        assert_eq!(last_chars("abcdef", 3), "…def");
        assert_eq!(last_chars("abc", 3), "abc");
    }
}
