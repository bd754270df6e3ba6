//! Exit codes: stable, one per failure family, documented in the README.

use std::process::ExitCode;

use mcp_probe_core::FailureFamily;

/// The server is healthy.
pub(crate) const OK: u8 = 0;
/// mcp-probe itself failed (a bug or the environment, not the server).
pub(crate) const INTERNAL: u8 = 1;
/// The command line or scenario is wrong.
pub(crate) const USAGE: u8 = 2;
/// DNS failed, the connection was refused, unreachable or reset.
const UNREACHABLE: u8 = 3;
/// A phase timed out.
const TIMEOUT: u8 = 4;
/// TLS could not be established.
const TLS: u8 = 5;
/// An unexpected HTTP status or a redirect.
const HTTP: u8 = 6;
/// The server requires credentials or refused them.
const AUTH: u8 = 7;
/// Not MCP, malformed, too large, session lost, no common protocol version, JSON-RPC error.
const PROTOCOL: u8 = 8;
/// The tool reported an error or an expectation did not hold.
const TOOL: u8 = 9;
/// `diff`: the new surface has a breaking change.
pub(crate) const BREAKING: u8 = 10;

/// `load`: a threshold (`--max-error-rate`, `--max-p99`) was broken.
pub(crate) const THRESHOLD: u8 = 11;

/// The exit code for a failure family.
pub(crate) fn for_family(family: FailureFamily) -> u8 {
    match family {
        FailureFamily::Unreachable => UNREACHABLE,
        FailureFamily::Timeout => TIMEOUT,
        FailureFamily::Tls => TLS,
        FailureFamily::Http => HTTP,
        FailureFamily::Auth => AUTH,
        FailureFamily::Protocol => PROTOCOL,
        FailureFamily::Tool => TOOL,
        _ => INTERNAL,
    }
}

/// The exit code of several probes: the most fundamental failure's, i.e. the lowest non-zero
/// code (a target that cannot be reached outranks one whose tool failed); 0 when all passed.
pub(crate) fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    codes.into_iter().filter(|c| *c != OK).min().unwrap_or(OK)
}

/// Prints a command-line error as one line (help and version go to stdout) and picks the code.
pub(crate) fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(USAGE)
            } else {
                ExitCode::from(OK)
            }
        }
        _ => {
            // clap's message spans lines up to the blank line before "Usage:"; keep it on one.
            let rendered = e.render().to_string();
            let message = rendered
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.trim_start_matches("error: ");
            let message = if message.is_empty() {
                "invalid command line"
            } else {
                message
            };
            eprintln!("mcp-probe: {message} (see `mcp-probe --help`)");
            ExitCode::from(USAGE)
        }
    }
}

/// Prints a one-line usage error of our own.
pub(crate) fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("mcp-probe: {message}");
    ExitCode::from(USAGE)
}

/// SIGINT (Ctrl-C) and SIGTERM, caught from the moment this is made (before a probe starts,
/// so a stdio server never runs without them being caught).
pub(crate) struct Interrupts {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Interrupts {
    /// Starts catching the signals (on a runtime). Where they cannot be caught, the default
    /// actions stay and [`Interrupts::recv`] never resolves.
    pub(crate) fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                _ => None,
            };
            Interrupts { signals }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Waits for a signal; says so on stderr and gives the conventional exit code (128 + the
    /// signal's number: 130, 143).
    pub(crate) async fn recv(&mut self) -> ExitCode {
        #[cfg(unix)]
        {
            let Some((int, term)) = self.signals.as_mut() else {
                return std::future::pending().await;
            };
            let (name, code) = tokio::select! {
                _ = int.recv() => ("SIGINT", 130),
                _ = term.recv() => ("SIGTERM", 143),
            };
            eprintln!("mcp-probe: interrupted by {name}; the probe was stopped");
            ExitCode::from(code)
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                return std::future::pending().await;
            }
            eprintln!("mcp-probe: interrupted; the probe was stopped");
            ExitCode::from(130)
        }
    }
}
