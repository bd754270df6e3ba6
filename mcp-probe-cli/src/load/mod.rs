//! `mcp-probe load`: the scenario that gates a deploy, run as a load profile — latency
//! percentiles per step under a fixed arrival rate or a number of virtual clients.

mod exporter;
mod render;
mod run;
mod stats;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use crate::args::{self, ProbeArgs};
use crate::exit;
use run::{Model, Plan, Sessions};

/// The most probes one run may start.
const MAX_PROBES: u64 = 100_000_000;
/// The longest run.
const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);
/// After an interrupt, the longest wait for the reused sessions to close.
const STOP_LIMIT: Duration = Duration::from_secs(3);

/// Arguments of `mcp-probe load`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 the thresholds held (or none were given), 11 a threshold was broken, 2 usage, \
130/143 interrupted (what was measured is still printed).\n\
Thresholds may also come from the scenario document: `load: {maxErrorRate: 1%, maxP99: 200ms}`; \
the command line wins.\n\
Examples:\n  \
mcp-probe load https://mcp.example.com/mcp --tool search --args '{\"q\":\"x\"}' --rate 50/s --duration 30s --max-probes 2000\n  \
mcp-probe load --scenario smoke.yaml --clients 20 --duration 5m --max-probes 100000 --max-error-rate 1% --max-p99 200ms\n  \
mcp-probe load --scenario smoke.yaml --clients 20 --sessions reuse --duration 1m --max-probes 1000000")]
pub(crate) struct LoadArgs {
    #[command(flatten)]
    probe: ProbeArgs,

    /// Open model: start probes at this rate, e.g. 50/s, 600/m, 50 (per second). Latency
    /// counts from when each probe was due.
    #[arg(long, value_name = "N/s", value_parser = parse_rate, required_unless_present = "clients", help_heading = "Load")]
    rate: Option<f64>,

    /// Closed model: this many virtual clients, each starting its next probe when the last
    /// one ended.
    #[arg(long = "clients", visible_alias = "vus", value_name = "C", value_parser = clap::value_parser!(u32).range(1..=100_000), conflicts_with = "rate", help_heading = "Load")]
    clients: Option<u32>,

    /// How long to generate load (required), e.g. 30s, 5m.
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration, help_heading = "Load")]
    duration: Duration,

    /// Ramp up over this long: the rate grows linearly from 0 (open model), or the clients
    /// start one after the other (closed model).
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration, help_heading = "Load")]
    ramp: Option<Duration>,

    /// The most probes to start (required): a cap on what the run may send.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_PROBES), help_heading = "Load")]
    max_probes: u64,

    /// What each probe speaks over. With `reuse` the handshake row counts the sessions
    /// opened, and a session that fails other than by a tool error or an expectation is
    /// counted, closed and replaced.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Sessions::Fresh, help_heading = "Load")]
    sessions: Sessions,

    /// Open model: the most probes running at once (a due probe waits for a slot; its latency
    /// still counts from when it was due).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000), help_heading = "Load")]
    max_in_flight: u32,

    /// Exit 11 when more than this share of probes failed, e.g. 1% or 0.5% (default: the
    /// scenario's `load.maxErrorRate`).
    #[arg(long, value_name = "PERCENT", value_parser = mcp_probe_core::parse_percent, help_heading = "Thresholds")]
    max_error_rate: Option<f64>,

    /// Exit 11 when the whole probe's 99th percentile latency is above this, e.g. 200ms
    /// (default: the scenario's `load.maxP99`).
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration, help_heading = "Thresholds")]
    max_p99: Option<Duration>,

    /// Serve the running load's metrics for Prometheus at this address (e.g. 127.0.0.1:9465),
    /// path /metrics.
    #[arg(long, value_name = "ADDR", help_heading = "Output")]
    prometheus_listen: Option<SocketAddr>,

    /// Output format on stdout: text (a table) or json.
    #[arg(long, value_enum, default_value_t = render::Format::Text, help_heading = "Output")]
    format: render::Format,

    /// Also write the results as JSON to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,

    /// No progress line on stderr.
    #[arg(long, short, help_heading = "Output")]
    quiet: bool,
}

/// Runs `load` and returns the process exit code.
pub(crate) async fn run(args: LoadArgs) -> ExitCode {
    let mut targets = match args.probe.targets() {
        Err(message) => return exit::usage(message),
        Ok(targets) => targets,
    };
    let options = match targets.pop() {
        Some(options) if targets.is_empty() => options,
        _ => return exit::usage("load runs one target: give one URL or one --scenario"),
    };
    let scenario = match options.into_scenario() {
        Ok(s) => s,
        Err(e) => return exit::usage(e.message_with(args::flag)),
    };
    if scenario.target.is_none() {
        return exit::usage(
            "load needs a target named explicitly: a URL, `--stdio -- COMMAND`, or a scenario file with a target",
        );
    }
    if let Err(e) = scenario.validate() {
        return exit::usage(e);
    }
    if args.duration.is_zero() || args.duration > MAX_DURATION {
        return exit::usage(format!(
            "--duration must be more than 0 and at most {}",
            humantime::format_duration(MAX_DURATION)
        ));
    }
    let model = match (args.rate, args.clients) {
        (Some(rate), _) => Model::Open {
            rate,
            in_flight: args.max_in_flight as usize,
        },
        (None, Some(c)) => Model::Closed {
            clients: c as usize,
        },
        (None, None) => return exit::usage("give --rate N/s or --clients C"),
    };
    let plan = Plan {
        model,
        duration: args.duration,
        ramp: args.ramp.unwrap_or_default().min(args.duration),
        max_probes: args.max_probes,
        sessions: args.sessions,
    };
    let thresholds = render::Thresholds {
        max_error_rate: args.max_error_rate.or(scenario.load.max_error_rate),
        max_p99: args.max_p99.or(scenario.load.max_p99),
    };
    let header = render::Header::new(&scenario, &plan);
    let stats: run::Shared = Arc::new(Mutex::new(stats::Stats::default()));

    let _exporter = match args.prometheus_listen {
        None => None,
        Some(addr) => match exporter::start(addr, header.target.clone(), stats.clone()).await {
            Ok(handle) => {
                eprintln!("mcp-probe: metrics at http://{}/metrics", handle.addr);
                Some(handle)
            }
            Err(e) => return exit::usage(format!("cannot listen on {addr}: {e}")),
        },
    };

    let started = tokio::time::Instant::now();
    let progress = (!args.quiet && std::io::stderr().is_terminal())
        .then(|| render::Progress::start(stats.clone(), started, args.duration));
    let mut interrupts = exit::Interrupts::install();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let load = run::run(plan, Arc::new(scenario), stats.clone(), stopping);
    tokio::pin!(load);
    let (elapsed, interrupted) = tokio::select! {
        ran = &mut load => (ran, None),
        code = interrupts.recv() => {
            let elapsed = started.elapsed();
            // The probes stop at once; the reused sessions are closed, within a bound.
            let _ = stop.send(true);
            let _ = tokio::time::timeout(STOP_LIMIT, &mut load).await;
            (elapsed, Some(code))
        }
    };
    if let Some(p) = progress {
        p.finish();
    }

    let measured = run::stats_lock(&stats).clone();
    let summary = render::Summary::new(&header, &measured, elapsed, &thresholds);
    let rendered = match args.format {
        render::Format::Text => summary.text(),
        render::Format::Json => summary.json(),
    };
    print!("{rendered}");
    if let Some(path) = &args.output {
        if let Err(e) = std::fs::write(path, summary.json()) {
            eprintln!(
                "mcp-probe: cannot write the results to {}: {e}",
                crate::output::terminal_safe(&path.display().to_string())
            );
            return ExitCode::from(exit::INTERNAL);
        }
    }
    if let Some(code) = interrupted {
        return code;
    }
    if summary.thresholds_held() {
        ExitCode::from(exit::OK)
    } else {
        ExitCode::from(exit::THRESHOLD)
    }
}

/// `50/s`, `600/m`, `3600/h` or a bare number (per second).
fn parse_rate(text: &str) -> Result<f64, String> {
    let (number, per) = match text.split_once('/') {
        Some((n, unit)) => {
            let per = match unit.trim() {
                "s" | "sec" => 1.0,
                "m" | "min" => 60.0,
                "h" => 3600.0,
                other => return Err(format!("unknown unit `{other}` (use /s, /m or /h)")),
            };
            (n, per)
        }
        None => (text, 1.0),
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a rate like 50/s"))?;
    let rate = n / per;
    if !(rate.is_finite() && rate > 0.0 && rate <= 1_000_000.0) {
        return Err("the rate must be more than 0 and at most 1000000/s".into());
    }
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("50/s"), Ok(50.0));
        assert_eq!(parse_rate("600/m"), Ok(10.0));
        assert_eq!(parse_rate("20"), Ok(20.0));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("5/d").unwrap_err().contains("unknown unit"));
    }
}
