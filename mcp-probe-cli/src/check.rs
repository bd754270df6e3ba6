//! `mcp-probe check`: turn flags (and an optional scenario file) into a scenario, run it,
//! print the report, exit with the failure family's code.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use crate::args::{self, ProbeArgs};
use crate::exit;
use crate::output::{self, Format};

/// Arguments of `mcp-probe check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 healthy, 2 usage, 3 unreachable, 4 timeout, 5 TLS, 6 HTTP status, \
                  7 auth required, 8 protocol, 9 tool error or failed expectation, 1 internal error.\n\
                  Examples:\n  mcp-probe check https://mcp.example.com/mcp\n  \
                  mcp-probe check http://127.0.0.1:8000/mcp --tool add --args '{\"a\":2,\"b\":3}' --expect-text 5 --format json"
)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    probe: ProbeArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    format: Format,

    /// Print nothing on success; on failure print only the reason (to stderr).
    #[arg(long, short, help_heading = "Output")]
    quiet: bool,
}

/// Runs `check` and returns the process exit code.
pub(crate) async fn run(args: CheckArgs) -> ExitCode {
    let scenario = match args.probe.options() {
        Err(message) => return exit::usage(message),
        Ok(options) => match options.into_scenario() {
            Ok(s) => s,
            Err(e) => return exit::usage(e.message_with(args::flag)),
        },
    };
    if scenario.target.is_none() {
        return exit::usage(
            "no URL given: `mcp-probe check URL`, `--stdio -- COMMAND`, or a scenario file with a target",
        );
    }
    // An interrupt stops the probe: dropping it ends what it opened (a stdio server's whole
    // process group is killed), then the exit code says which signal it was.
    let mut interrupts = exit::Interrupts::install();
    let report = tokio::select! {
        checked = mcp_probe_core::check(&scenario) => match checked {
            Ok(r) => r,
            Err(e) => return exit::usage(e),
        },
        signal = interrupts.recv() => return signal,
    };
    let code = match &report.failure {
        None => exit::OK,
        Some(f) => exit::for_family(f.family),
    };
    if args.quiet {
        if let Some(f) = &report.failure {
            eprintln!(
                "mcp-probe: {} ({})",
                output::terminal_safe(&f.message),
                f.code
            );
        }
        return ExitCode::from(code);
    }
    let rendered = match args.format {
        Format::Text => output::text::render(&report),
        Format::Json => output::json::render(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // A closed pipe (e.g. `| head`) must not turn a verdict into a panic.
        return ExitCode::from(code);
    }
    ExitCode::from(code)
}
