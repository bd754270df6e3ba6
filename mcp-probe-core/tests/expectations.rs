//! The `expect` block of every step against the fixture: each kind passes on a healthy
//! server and fails with `expectation_failed`, the step and an exact message; tools'
//! output schemas are checked (never fetching a `$ref`), invalid input schemas warn or,
//! with `strictSchemas`, fail; keys a step cannot take are refused before anything is sent.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{
    check, ErrorKind, Failure, FailureCode, Report, Scenario, StepStatus, WarningCode,
};
use mcp_probe_testkit::{FixtureServer, Mode, REMOTE_SCHEMA_URL};
use serde_json::json;

/// A scenario document for `url` with these steps (YAML).
fn document(url: &str, steps: &str) -> Scenario {
    Scenario::from_yaml(&format!(
        "target: {{url: \"{url}\"}}\ntimeouts: {{total: 10s}}\nsteps:\n{steps}"
    ))
    .unwrap()
}

/// The probe's failure, after checking it is `expectation_failed` on `step` for
/// `expectation`.
fn failure<'a>(report: &'a Report, step: &str, expectation: &str) -> &'a Failure {
    let f = report
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("no failure: {}", report.to_json_pretty()));
    assert_eq!(f.code, FailureCode::ExpectationFailed, "{}", f.message);
    assert_eq!(f.step.as_deref(), Some(step), "{}", f.message);
    assert_eq!(
        f.details["expectation"],
        json!(expectation),
        "{}",
        f.message
    );
    f
}

#[tokio::test]
async fn every_kind_of_expectation_passes_on_a_healthy_server() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Schemas);
    let scenario = document(
        &url,
        r#"
  - step: listTools
    expect:
      toolsPresent: [sum]
      toolsAbsent: [drop_database]
      toolsExactly: [add, echo, fail, sum, sum_text, remote_schema, loose]
      jsonExists: [/tools/3/outputSchema]
      json: {/tools/0/name: add}
  - step: callTool
    name: sum
    arguments: {a: 2, b: 3}
    expect: {textEquals: "5", textMatches: "^[0-9]+$", json: {/structuredContent/sum: 5.0}, maxMs: 10000}
  - step: readResource
    uri: fixture://readme
    expect: {textContains: fixture server, json: {/contents/0/mimeType: text/plain}}
  - step: getPrompt
    name: greet
    arguments: {who: Ada}
    expect: {textEquals: Say hello to Ada.}
  - step: request
    method: resources/read
    params: {uri: "fixture://notes/7"}
    expect: {textContains: '"text":"Note 7"', jsonExists: [/contents/0/uri]}
  - step: listResources
    expect: {json: {/resources/1/name: config}}
  - step: listPrompts
    expect: {jsonExists: [/prompts/0/arguments]}
  - step: listResourceTemplates
    expect: {json: {/resourceTemplates/0/name: note}, maxMs: 10000}
  - step: ping
    expect: {maxMs: 10000}
expect: {maxMs: 60000}
"#,
    );
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    // `loose` has an invalid input schema: a warning, not a failure.
    let warned: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.code == WarningCode::InvalidInputSchema)
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", report.warnings);
    assert!(
        warned[0].message.starts_with(
            r#"tools/list: the inputSchema of the tool "loose" is not a valid JSON Schema: "#
        ),
        "{}",
        warned[0].message
    );
    assert_eq!(warned[0].step.as_deref(), Some("tools/list"));
    assert_eq!(report.steps[1].status, StepStatus::Warn);
    assert!(report.steps[2..]
        .iter()
        .all(|s| s.status == StepStatus::Pass));
}

#[tokio::test]
async fn a_wrong_value_at_a_json_pointer_fails_the_call() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::Schemas))
        .call_tool("sum", json!({"a": 2, "b": 2}))
        .expect_json("/structuredContent/sum", json!(5))
        .timeout(Duration::from_secs(10));
    let report = check(&scenario).await.unwrap();
    let f = failure(&report, "tools/call", "json");
    assert_eq!(
        f.message,
        "tools/call sum: /structuredContent/sum is 4, expected 5"
    );
    assert_eq!(f.details["expected"], json!(5));
    assert_eq!(f.details["actual"], json!(4));
    assert_eq!(f.details["pointer"], json!("/structuredContent/sum"));
    assert_eq!(report.steps.last().unwrap().status, StepStatus::Fail);
}

#[tokio::test]
async fn text_expectations_fail_with_the_step_and_its_text() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let cases = [
        (
            "  - step: callTool\n    name: add\n    arguments: {a: 2, b: 3}\n    expect: {textMatches: '^[a-z]+$'}\n",
            "tools/call",
            "textMatches",
            r#"tools/call add: the result text "5" does not match "^[a-z]+$""#,
        ),
        (
            "  - step: readResource\n    uri: fixture://readme\n    expect: {textEquals: nope}\n",
            "resources/read",
            "textEquals",
            r#"resources/read fixture://readme: the result text is "This is the fixture server.", expected "nope""#,
        ),
        (
            "  - step: getPrompt\n    id: greeting\n    name: greet\n    arguments: {who: Ada}\n    expect: {textContains: Bob}\n",
            "greeting",
            "textContains",
            r#"prompts/get greet: the result text "Say hello to Ada." does not contain "Bob""#,
        ),
        (
            "  - step: request\n    method: resources/read\n    params: {uri: \"fixture://notes/7\"}\n    expect: {json: {/contents/0/text: Note 8}}\n",
            "resources/read",
            "json",
            r#"resources/read: /contents/0/text is "Note 7", expected "Note 8""#,
        ),
        (
            "  - step: listResources\n    expect: {jsonExists: [/resources/5]}\n",
            "resources/list",
            "jsonExists",
            "resources/list: /resources/5 is missing",
        ),
        (
            "  - step: listTools\n    expect: {toolsExactly: [add]}\n",
            "tools/list",
            "toolsExactly",
            r#"tools/list: the tools listed are not exactly the expected ones: not expected "echo", "fail""#,
        ),
        (
            "  - step: listTools\n    expect: {toolsAbsent: [fail]}\n",
            "tools/list",
            "toolsAbsent",
            r#"tools/list: the tool "fail" is listed, expected it absent"#,
        ),
    ];
    for (steps, step, expectation, message) in cases {
        let report = check(&document(&url, steps)).await.unwrap();
        assert_eq!(failure(&report, step, expectation).message, message);
    }
}

#[tokio::test]
async fn a_slow_step_or_probe_fails_its_max_ms() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let report = check(&document(&url, "  - step: ping\n    expect: {maxMs: 0}\n"))
        .await
        .unwrap();
    let f = failure(&report, "ping", "maxMs");
    assert!(f.message.starts_with("ping: took "), "{}", f.message);
    assert!(
        f.message.ends_with(" ms, expected at most 0 ms"),
        "{}",
        f.message
    );
    assert_eq!(f.details["expected"], json!(0));

    let report = check(&document(
        &url,
        "  - step: handshake\n    expect: {maxMs: 0}\n",
    ))
    .await
    .unwrap();
    let f = failure(&report, "handshake", "maxMs");
    assert!(f.message.starts_with("handshake: took "), "{}", f.message);

    let scenario = Scenario::for_url(&url)
        .ping()
        .expect_probe_max_ms(0)
        .timeout(Duration::from_secs(10));
    let report = check(&scenario).await.unwrap();
    let f = failure(&report, "probe", "maxMs");
    assert!(f.message.starts_with("probe: took "), "{}", f.message);
    assert!(
        f.message.ends_with(" ms, expected at most 0 ms"),
        "{}",
        f.message
    );
    assert!(!report.ok);
    // Every step passed; the probe as a whole was too slow.
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));
}

#[tokio::test]
async fn structured_content_must_match_the_output_schema() {
    let server = FixtureServer::start().await.unwrap();
    let call = |tool: &str| {
        Scenario::for_url(server.url(Mode::Schemas))
            .call_tool(tool, json!({"a": 2, "b": 3}))
            .timeout(Duration::from_secs(10))
    };
    let report = check(&call("sum")).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());

    let report = check(&call("sum_text")).await.unwrap();
    let f = failure(&report, "tools/call", "outputSchema");
    assert_eq!(
        f.message,
        r#"tools/call sum_text: structuredContent does not match the tool's outputSchema at /sum: "5" is not of type "number""#
    );
    assert_eq!(f.details["actual"], json!({"sum": "5"}));

    // The `$ref` is not fetched: the schema cannot be used.
    let report = check(&call("remote_schema")).await.unwrap();
    let f = failure(&report, "tools/call", "outputSchema");
    assert!(
        f.message.starts_with(
            "tools/call remote_schema: the tool's outputSchema is not a usable JSON Schema: "
        ),
        "{}",
        f.message
    );
    assert!(f.message.contains(REMOTE_SCHEMA_URL), "{}", f.message);

    // Without a listing in the same probe there is no schema to check against.
    let unlisted = document(
        &server.url(Mode::Schemas),
        "  - step: callTool\n    name: sum_text\n    arguments: {a: 2, b: 3}\n",
    );
    let report = check(&unlisted).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
}

#[tokio::test]
async fn invalid_input_schemas_fail_with_strict_schemas() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::Schemas))
        .strict_schemas(true)
        .timeout(Duration::from_secs(10));
    let report = check(&scenario).await.unwrap();
    let f = failure(&report, "tools/list", "inputSchema");
    assert!(
        f.message.starts_with(
            r#"tools/list: the inputSchema of the tool "loose" is not a valid JSON Schema: "#
        ),
        "{}",
        f.message
    );
    assert_eq!(f.details["tool"], json!("loose"));
    // The healthy fixture's schemas are all valid.
    let scenario = Scenario::for_url(server.url(Mode::Json)).strict_schemas(true);
    let report = check(&scenario).await.unwrap();
    assert!(
        report.ok && report.warnings.is_empty(),
        "{}",
        report.to_json_pretty()
    );
}

#[tokio::test]
async fn keys_a_step_cannot_take_are_caller_errors() {
    let url = "http://127.0.0.1:9/mcp";
    let cases = [
        (
            "  - step: ping\n    expect: {textEquals: pong}\n",
            "step `ping`: a `ping` step cannot expect `textEquals` (it can expect: maxMs)",
        ),
        (
            "  - step: listPrompts\n    id: prompts\n    expect: {toolsPresent: [a]}\n",
            "step `prompts`: a `listPrompts` step cannot expect `toolsPresent` (it can expect: json, jsonExists, maxMs)",
        ),
        (
            "  - step: callTool\n    name: add\n    expect: {jsonExists: [structuredContent]}\n",
            "step `tools/call`: \"structuredContent\" is not a JSON pointer (it must be empty or start with `/`)",
        ),
    ];
    for (steps, message) in cases {
        let e = check(&document(url, steps)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidScenario);
        assert_eq!(e.to_string(), message);
    }
    let e = check(&document(
        url,
        "  - step: request\n    method: x\n    expect: {textMatches: '(unclosed'}\n",
    ))
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("step `x`: `textMatches` is not a valid regular expression: "),
        "{e}"
    );
    let top = Scenario::from_yaml(&format!(
        "target: {{url: \"{url}\"}}\nexpect: {{textEquals: x}}\n"
    ))
    .unwrap();
    assert_eq!(
        check(&top).await.unwrap_err().to_string(),
        "the scenario's top-level `expect` can only hold `maxMs`, not `textEquals`"
    );
}

/// The scenario documents of the expectations guide and of the README parse and validate.
#[test]
fn the_documented_scenarios_are_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (file, after) in [
        ("docs/expectations.md", "# Expectations"),
        ("README.md", "A scenario file (YAML or JSON"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let from = text.find(after).unwrap();
        let start = text[from..].find("```yaml\n").unwrap() + from + "```yaml\n".len();
        let end = text[start..].find("```").unwrap() + start;
        let scenario =
            Scenario::from_yaml(&text[start..end]).unwrap_or_else(|e| panic!("{file}: {e}"));
        scenario
            .validate()
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}
