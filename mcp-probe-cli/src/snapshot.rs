//! `mcp-probe snapshot`: probe a server, list everything it advertises (tools, resources,
//! resource templates, prompts) and write its canonical surface with its hash.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use mcp_probe_core::{Prober, Report, Scenario, Surface};

use crate::args::{self, ListingArgs};
use crate::exit;
use crate::output;

/// Arguments of `mcp-probe snapshot`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: those of `check` (0 when the snapshot was written).\n\
                  Examples:\n  mcp-probe snapshot https://mcp.example.com/mcp --output surface.json\n  \
                  mcp-probe snapshot --stdio -- python server.py > surface.json"
)]
pub(crate) struct SnapshotArgs {
    #[command(flatten)]
    probe: ListingArgs,

    /// Write the snapshot to FILE instead of stdout.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,
}

/// Runs `snapshot` and returns the process exit code.
pub(crate) async fn run(args: SnapshotArgs) -> ExitCode {
    let scenario = match args.probe.options() {
        Err(message) => return exit::usage(message),
        Ok(options) => match options.into_scenario() {
            Ok(s) => s,
            Err(e) => return exit::usage(e.message_with(args::flag)),
        },
    };
    if scenario.target.is_none() {
        return exit::usage(
            "no URL given: `mcp-probe snapshot URL`, `--stdio -- COMMAND`, or a scenario file with a target",
        );
    }
    let surface = match probe_surface(&scenario).await {
        Ok((_, surface)) => surface,
        Err(code) => return code,
    };
    let text = surface.to_snapshot_json();
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!(
                    "mcp-probe: cannot write the snapshot to {}: {e}",
                    output::terminal_safe(&path.display().to_string())
                );
                return ExitCode::from(exit::INTERNAL);
            }
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush());
        }
    }
    ExitCode::from(exit::OK)
}

/// Probes `scenario`, listing everything the server advertises. A failing probe prints its
/// reason as `check --quiet` does and gives `check`'s exit code; warnings go to stderr.
pub(crate) async fn probe_surface(scenario: &Scenario) -> Result<(Report, Surface), ExitCode> {
    let mut interrupts = exit::Interrupts::install();
    let prober = Prober::new();
    let (report, surface) = tokio::select! {
        probed = prober.snapshot(scenario) => match probed {
            Ok(r) => r,
            Err(e) => return Err(exit::usage(e)),
        },
        signal = interrupts.recv() => return Err(signal),
    };
    if let Some(f) = &report.failure {
        eprintln!(
            "mcp-probe: {} ({})",
            output::terminal_safe(&f.message),
            f.code
        );
        return Err(ExitCode::from(exit::for_family(f.family)));
    }
    for w in &report.warnings {
        eprintln!(
            "mcp-probe: warning: {} ({})",
            output::terminal_safe(&w.message),
            w.code
        );
    }
    Ok((report, surface))
}
