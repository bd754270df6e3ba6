//! `--format junit`: JUnit XML for CI test reports. One testsuite per target, one testcase
//! per step; a failed step carries a `<failure>` whose type is the failure code; the report
//! JSON is the suite's `system-out`.

use std::time::Duration;

use mcp_probe_core::{Report, StepStatus};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

/// The report as a JUnit XML document (server text made terminal-safe first).
pub(crate) fn render(report: &Report) -> String {
    render_all(std::slice::from_ref(report))
}

/// Several reports as one JUnit XML document, one testsuite each.
pub(crate) fn render_all(reports: &[Report]) -> String {
    let mut junit = quick_junit::Report::new("mcp-probe");
    let mut total_ms = 0.0;
    for report in reports {
        junit.add_test_suite(suite(report));
        total_ms += report.duration_ms;
    }
    junit.set_time(seconds(total_ms));
    match junit.to_string() {
        Ok(mut xml) => {
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        // Serializing into memory only fails on a bug in the serializer.
        Err(e) => format!("<!-- mcp-probe: cannot write JUnit XML: {e} -->\n"),
    }
}

/// The testsuite of one report.
fn suite(report: &Report) -> TestSuite {
    let safe = super::terminal_safe_report(report);
    let report = &safe;
    let mut suite = TestSuite::new(report.target.as_str());
    suite.set_time(seconds(report.duration_ms));
    for step in &report.steps {
        let status = match (&step.status, &step.failure) {
            (StepStatus::Skip, _) => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("not run: an earlier step failed");
                s
            }
            (StepStatus::Fail, failure) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                if let Some(f) = failure.as_ref().or(report.failure.as_ref()) {
                    s.set_type(f.code.to_string());
                    s.set_message(f.message.as_str());
                }
                s
            }
            (StepStatus::Pass | StepStatus::Warn, _) => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(step.name.as_str(), status);
        case.set_classname(format!("mcp-probe.{}", report.target));
        case.set_time(seconds(step.duration_ms));
        let warnings: Vec<String> = step
            .warnings
            .iter()
            .map(|w| format!("warning {}: {}", w.code, w.message))
            .collect();
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        suite.add_test_case(case);
    }
    suite.set_system_out(report.to_json_pretty());
    suite
}

/// Milliseconds as a duration (negative or not-a-number values as zero).
fn seconds(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_step_has_a_typed_failure() {
        let xml = render(&super::super::hostile_report());
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
        assert!(xml.contains(r#"type="tool_error""#), "{xml}");
        assert!(xml.contains(r#"time="0.031""#), "{xml}");
        assert!(
            xml.contains("warning cert_expiring: expires in 3 days"),
            "{xml}"
        );
        assert!(!xml.contains('\u{1b}'), "{xml}");
    }
}
