//! `mcp-probe check`: turn flags (and an optional scenario file) into a scenario, run it,
//! print the report, exit with the failure family's code.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use crate::args::{self, ProbeArgs};
use crate::exit;
use crate::output::{self, Format, OutputFile};

/// Arguments of `mcp-probe check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 healthy, 2 usage, 3 unreachable, 4 timeout, 5 TLS, 6 HTTP status, \
                  7 auth required, 8 protocol, 9 tool error, failed expectation or breaking surface change, 1 internal error.\n\
                  Examples:\n  mcp-probe check https://mcp.example.com/mcp\n  \
                  mcp-probe check http://127.0.0.1:8000/mcp --tool add --args '{\"a\":2,\"b\":3}' --expect-text 5 --format json"
)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    probe: ProbeArgs,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    format: Format,

    /// Also write the report in FORMAT (text, json, junit, github, tap, prometheus) to FILE;
    /// repeatable.
    #[arg(
        long = "output",
        value_name = "FORMAT:FILE",
        value_parser = output::parse_output_file,
        help_heading = "Output"
    )]
    outputs: Vec<OutputFile>,

    /// Print nothing on success; on failure print only the reason (to stderr).
    #[arg(long, short, help_heading = "Output")]
    quiet: bool,

    /// With several targets (URLs or --scenario files): how many to probe at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4,
        value_parser = clap::value_parser!(u16).range(1..=256),
        help_heading = "Target"
    )]
    concurrency: u16,
}

/// Runs `check` and returns the process exit code.
pub(crate) async fn run(args: CheckArgs) -> ExitCode {
    let targets = match args.probe.targets() {
        Err(message) => return exit::usage(message),
        Ok(targets) => targets,
    };
    let mut scenarios = Vec::with_capacity(targets.len());
    for options in targets {
        match options.into_scenario() {
            Ok(s) if s.target.is_some() => scenarios.push(s),
            Ok(_) => {
                return exit::usage(
                    "no URL given: `mcp-probe check URL`, `--stdio -- COMMAND`, or a scenario file with a target",
                )
            }
            Err(e) => return exit::usage(e.message_with(args::flag)),
        }
    }
    // An interrupt stops the probes: dropping them ends what they opened (a stdio server's
    // whole process group is killed), then the exit code says which signal it was.
    let mut interrupts = exit::Interrupts::install();
    let reports = tokio::select! {
        checked = check_all(&scenarios, usize::from(args.concurrency)) => match checked {
            Ok(r) => r,
            Err(e) => return exit::usage(e),
        },
        signal = interrupts.recv() => return signal,
    };
    let code = exit::worst(reports.iter().map(|r| match &r.failure {
        None => exit::OK,
        Some(f) => exit::for_family(f.family),
    }));
    if args.quiet {
        for (report, f) in reports
            .iter()
            .filter_map(|r| r.failure.as_ref().map(|f| (r, f)))
        {
            let target = if reports.len() > 1 {
                format!("{}: ", output::terminal_safe(&report.target))
            } else {
                String::new()
            };
            eprintln!(
                "mcp-probe: {target}{} ({})",
                output::terminal_safe(&f.message),
                f.code
            );
        }
    } else {
        let rendered = output::render_all(args.format, &reports);
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (e.g. `| head`) must not turn a verdict into a panic; the files and
        // the exit code still follow.
        let _ = stdout
            .write_all(rendered.as_bytes())
            .and_then(|()| stdout.flush());
    }
    let mut written_ok = true;
    for out in &args.outputs {
        let rendered = output::render_all(out.format, &reports);
        if let Err(e) = std::fs::write(&out.path, rendered) {
            eprintln!(
                "mcp-probe: cannot write the {} report to {}: {e}",
                out.format.name(),
                output::terminal_safe(&out.path.display().to_string())
            );
            written_ok = false;
        }
    }
    let github = !args.quiet && args.format == Format::Github
        || args.outputs.iter().any(|o| o.format == Format::Github);
    if github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let summary: String = reports.iter().map(output::github::summary).collect();
            if let Err(e) = append(path.as_ref(), &summary) {
                eprintln!(
                    "mcp-probe: cannot append the job summary to {}: {e}",
                    output::terminal_safe(&std::path::Path::new(&path).display().to_string())
                );
                written_ok = false;
            }
        }
    }
    if !written_ok {
        return ExitCode::from(exit::INTERNAL);
    }
    ExitCode::from(code)
}

/// Probes every scenario, at most `concurrency` at once; the reports in the scenarios' order.
/// A caller's mistake in any of them (an unreadable token file, …) is the error.
async fn check_all(
    scenarios: &[mcp_probe_core::Scenario],
    concurrency: usize,
) -> Result<Vec<mcp_probe_core::Report>, mcp_probe_core::Error> {
    use futures_util::stream::{self, StreamExt, TryStreamExt};
    stream::iter(scenarios)
        .map(mcp_probe_core::check)
        .buffered(concurrency.max(1))
        .try_collect()
        .await
}

/// Appends `text` to the file at `path`, creating it.
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}
