//! Report renderers: one module per `--format`.

use std::borrow::Cow;

use mcp_probe_core::Report;

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

/// `text` safe for a terminal: control characters (C0, DEL, C1) and the bidirectional
/// formatting characters that reorder what a terminal shows are written as `\u{…}` escapes,
/// so a server cannot move the cursor, clear a line, retitle the window or forge a verdict.
pub(crate) fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A copy of the report whose every free-text string is [`terminal_safe`].
pub(crate) fn terminal_safe_report(report: &Report) -> Report {
    let mut safe = report.clone();
    safe.visit_text_mut(&mut |s| {
        if let Cow::Owned(escaped) = terminal_safe(s) {
            *s = escaped;
        }
    });
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(terminal_safe("plain ü"), "plain ü");
        assert_eq!(
            terminal_safe("evil\u{1b}[2K\rOK\u{7}\u{9b}31m\u{202e}x\n"),
            "evil\\u{1b}[2K\\u{d}OK\\u{7}\\u{9b}31m\\u{202e}x\\u{a}"
        );
    }
}
