//! `mcp-probe diff OLD NEW`: compare two surfaces (snapshot files or live servers) and
//! classify every change as breaking or compatible.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use mcp_probe_core::{ChangeKind, CheckOptions, Surface, SurfaceChange};
use serde_json::json;

use crate::args::{self, ConnectionArgs};
use crate::exit;
use crate::output::terminal_safe;
use crate::snapshot::probe_surface;

/// Arguments of `mcp-probe diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 no breaking change, 10 a breaking change, 2 usage or unreadable \
                  snapshot; probing a live server fails with the exit codes of `check`.\n\
                  Examples:\n  mcp-probe diff surface.json https://mcp.example.com/mcp\n  \
                  mcp-probe diff old.json new.json --format json"
)]
pub(crate) struct DiffArgs {
    /// The old surface: a snapshot file (`mcp-probe snapshot`) or a server URL (http/https)
    /// to probe.
    #[arg(value_name = "OLD")]
    old: String,

    /// The new surface: a snapshot file or a server URL to probe.
    #[arg(value_name = "NEW")]
    new: String,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text, help_heading = "Output")]
    format: DiffFormat,

    #[command(flatten)]
    connection: ConnectionArgs,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// The changes for people, breaking ones first.
    Text,
    /// `{old, new, breaking, compatible, changes: [{kind, path, message}]}`.
    Json,
}

/// One side of the comparison: its surface and how it is shown.
struct Side {
    shown: String,
    surface: Surface,
}

/// Runs `diff` and returns the process exit code.
pub(crate) async fn run(args: DiffArgs) -> ExitCode {
    let old = match load(&args.old, &args.connection).await {
        Ok(side) => side,
        Err(code) => return code,
    };
    let new = match load(&args.new, &args.connection).await {
        Ok(side) => side,
        Err(code) => return code,
    };
    let changes = old.surface.diff(&new.surface);
    let rendered = match args.format {
        DiffFormat::Text => text(&old, &new, &changes),
        DiffFormat::Json => json_text(&old, &new, &changes),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush());
    if changes.iter().any(|c| c.kind == ChangeKind::Breaking) {
        ExitCode::from(exit::BREAKING)
    } else {
        ExitCode::from(exit::OK)
    }
}

/// A side's surface: probed when `source` is an http(s) URL, else read from the file.
async fn load(source: &str, connection: &ConnectionArgs) -> Result<Side, ExitCode> {
    let lower = source.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return match Surface::from_path(source) {
            Ok(surface) => Ok(Side {
                shown: source.to_owned(),
                surface,
            }),
            Err(e) => Err(exit::usage(terminal_safe(&e.to_string()))),
        };
    }
    let mut options = CheckOptions::default();
    options.url = Some(source.to_owned());
    if let Err(message) = connection.apply(&mut options) {
        return Err(exit::usage(message));
    }
    let scenario = options
        .into_scenario()
        .map_err(|e| exit::usage(e.message_with(args::flag)))?;
    let (report, surface) = probe_surface(&scenario).await?;
    Ok(Side {
        shown: report.target,
        surface,
    })
}

fn count(changes: &[SurfaceChange], kind: ChangeKind) -> usize {
    changes.iter().filter(|c| c.kind == kind).count()
}

/// The changes for people: a summary line, then the breaking and the compatible ones.
fn text(old: &Side, new: &Side, changes: &[SurfaceChange]) -> String {
    let mut out = format!(
        "old: {} ({})\nnew: {} ({})\n",
        terminal_safe(&old.shown),
        old.surface.hash(),
        terminal_safe(&new.shown),
        new.surface.hash()
    );
    if changes.is_empty() {
        out.push_str("no changes\n");
        return out;
    }
    let (breaking, compatible) = (
        count(changes, ChangeKind::Breaking),
        count(changes, ChangeKind::Compatible),
    );
    out.push_str(&format!(
        "{breaking} breaking change{}, {compatible} compatible change{}\n",
        plural(breaking),
        plural(compatible)
    ));
    for (kind, heading) in [
        (ChangeKind::Breaking, "Breaking"),
        (ChangeKind::Compatible, "Compatible"),
    ] {
        let mut group = changes.iter().filter(|c| c.kind == kind).peekable();
        if group.peek().is_none() {
            continue;
        }
        out.push_str(&format!("\n{heading}:\n"));
        for c in group {
            out.push_str(&format!(
                "  {}: {}\n",
                terminal_safe(&c.path),
                terminal_safe(&c.message)
            ));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The changes as pretty JSON.
fn json_text(old: &Side, new: &Side, changes: &[SurfaceChange]) -> String {
    let doc = json!({
        "old": {"source": old.shown, "surfaceHash": old.surface.hash()},
        "new": {"source": new.shown, "surfaceHash": new.surface.hash()},
        "breaking": count(changes, ChangeKind::Breaking),
        "compatible": count(changes, ChangeKind::Compatible),
        "changes": changes,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
