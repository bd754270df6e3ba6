//! The `mcp-probe` command as a library: argument parsing, subcommands and renderers. The
//! binary (`src/main.rs`) only calls [`main`]; the fuzz targets render reports through
//! [`render_text`]; [`serve::Serve`] runs `mcp-probe serve` in-process.

mod args;
mod check;
mod diff;
mod exit;
mod load;
mod output;
pub mod serve;
mod snapshot;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Probe Model Context Protocol servers the way an LLM client uses them.
#[derive(Debug, Parser)]
#[command(name = "mcp-probe", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Handshake, list tools and (optionally) call one; exit non-zero with the reason if anything is wrong.
    Check(Box<check::CheckArgs>),
    /// Watch MCP servers continuously: Prometheus /metrics and /probe, /health/NAME, alerts.
    Serve(Box<serve::ServeArgs>),
    /// List what a server offers (tools, resources, templates, prompts) and write it as a canonical snapshot with its hash.
    Snapshot(Box<snapshot::SnapshotArgs>),
    /// Compare two surfaces (snapshot files or live servers); exit 10 on a breaking change.
    Diff(Box<diff::DiffArgs>),
    /// Run a scenario as a load profile: latency percentiles per step under a rate or a number of clients.
    Load(Box<load::LoadArgs>),
}

/// Runs the command line of this process and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return exit::usage_error(e),
    };
    // `load` and `serve` run many probes side by side: every core. The other commands need
    // one thread.
    let mut builder = match cli.command {
        Command::Load(_) | Command::Serve(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mcp-probe: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    match cli.command {
        Command::Check(args) => runtime.block_on(check::run(*args)),
        Command::Snapshot(args) => runtime.block_on(snapshot::run(*args)),
        Command::Diff(args) => runtime.block_on(diff::run(*args)),
        Command::Load(args) => runtime.block_on(load::run(*args)),
        Command::Serve(args) => runtime.block_on(serve::run(*args)),
    }
}

/// The report as `--format text` prints it (terminal-safe). For the fuzz targets.
#[doc(hidden)]
pub fn render_text(report: &mcp_probe_core::Report) -> String {
    output::text::render(report)
}
