//! Report renderers: one module per `--format`.

pub(crate) mod json;
pub(crate) mod text;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One line per step for humans.
    Text,
    /// The report as JSON (docs/report-schema.md).
    Json,
}
