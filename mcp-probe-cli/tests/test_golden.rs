//! Golden reports: what `mcp-probe check` prints, in JSON and in text, for every fixture mode
//! and a set of option combinations, recorded in `tests/golden/`. A change to what the probe
//! reports shows up here as a diff; a refactoring must leave these files untouched.
//!
//! Timings, ports and dates are masked. To record them anew after an intended change:
//! `MCP_PROBE_UPDATE_GOLDEN=1 cargo test -p mcp-probe-cli --test test_golden`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

use mcp_probe_testkit::{FixtureServer, Mode, RawBehaviour, RawServer};
use serde_json::Value;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn stdio_fixture() -> std::path::PathBuf {
    mcp_probe_testkit::stdio_fixture_bin()
}

/// Keys whose values vary from run to run.
const VOLATILE_KEYS: &[&str] = &[
    "startedAt",
    "durationMs",
    "dnsMs",
    "connectMs",
    "tlsMs",
    "ttfbMs",
    "bodyMs",
    "totalMs",
    "reusedConnection",
    "bytesRead",
    "eventsRead",
    "linesRead",
    "values",
    "objects",
];

/// Keys that are present or not from run to run: left out.
const RACY_KEYS: &[&str] = &[
    // Whether a dying stdio server still took the request is a race.
    "writeError",
];

fn mask_text(text: &str) -> String {
    // The stdio fixture's path (it depends on where the workspace is built), ports of
    // 127.0.0.1, and numbers followed by a unit of time.
    let text = text.replace(&stdio_fixture().display().to_string(), "<stdio-fixture>");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        out.push_str("PORT");
        rest = &rest[digits..];
    }
    out.push_str(rest);
    mask_flood_count(&mask_durations(&out))
}

/// `105178 more server messages arrived` counts a flood that varies with scheduling.
fn mask_flood_count(text: &str) -> String {
    const TAIL: &str = " more server messages arrived";
    let Some(at) = text.find(TAIL) else {
        return text.to_owned();
    };
    let digits = text[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count();
    format!("{}<n>{}", &text[..at - digits], &text[at..])
}

/// `12.3 ms`, `1.05 s` → `<t>`.
fn mask_durations(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number = &chars[start..i];
        let is_number = number.len() > 1 && number.contains(&'.');
        let unit = |u: &str| chars[i..].iter().collect::<String>().starts_with(u);
        if is_number && (unit(" ms") || unit(" s")) {
            // The column the number was right-aligned in varies with its width.
            while out.ends_with("  ") {
                out.pop();
            }
            out.push_str("<t>");
            continue;
        }
        out.extend(number);
        if i < chars.len() && i == start {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !RACY_KEYS.contains(&key.as_str()));
            for (key, v) in map.iter_mut() {
                if VOLATILE_KEYS.contains(&key.as_str()) {
                    *v = Value::String("<masked>".into());
                } else {
                    mask(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::String(s) => *s = mask_text(s),
        _ => {}
    }
}

/// A server-messages-dropped warning counts a flood that varies with scheduling; the legacy
/// fixture's `tools/list_changed` notification arrives during whichever step is waiting.
fn mask_flood(value: &mut Value) {
    let Some(steps) = value.get_mut("steps").and_then(Value::as_array_mut) else {
        return;
    };
    for step in steps.iter_mut() {
        if let Some(Value::Array(messages)) = step.get_mut("serverMessages") {
            messages.retain(|m| m["method"] != "notifications/tools/list_changed");
        }
        let empty = step["serverMessages"].as_array().is_some_and(Vec::is_empty);
        if empty {
            step.as_object_mut().unwrap().remove("serverMessages");
        }
    }
    for step in steps {
        if let Some(Value::Array(warnings)) = step.get_mut("warnings") {
            for w in warnings {
                if w["code"] == "server_messages_dropped" {
                    w["message"] = Value::String("<masked>".into());
                }
            }
        }
    }
    if let Some(Value::Array(warnings)) = value.get_mut("warnings") {
        for w in warnings {
            if w["code"] == "server_messages_dropped" {
                w["message"] = Value::String("<masked>".into());
            }
        }
    }
}

struct Case {
    name: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

fn case(name: &str, args: &[&str]) -> Case {
    Case {
        name: name.to_owned(),
        args: args.iter().map(|s| s.to_string()).collect(),
        envs: Vec::new(),
    }
}

fn cases(server: &FixtureServer, raw: &[(RawBehaviour, String)]) -> Vec<Case> {
    let mut out = Vec::new();
    let call = [
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--timeout",
        "2s",
    ];
    for mode in Mode::all() {
        let url = server.url(*mode);
        let mut args = vec!["check", url.as_str()];
        args.extend(call);
        out.push(case(mode.as_str(), &args));
    }
    for mode in Mode::all().iter().filter(|m| m.is_auth()) {
        let url = server.url(*mode);
        out.push(case(
            &format!("check_auth.{}", mode.as_str()),
            &["check", &url, "--check-auth", "--timeout", "3s"],
        ));
    }
    let json = server.url(Mode::Json);
    for (name, extra) in [
        ("handshake_pinned", &["--protocol", "handshake"][..]),
        ("modern_pinned", &["--protocol", "modern"][..]),
        ("version_pinned", &["--protocol-version", "2025-03-26"][..]),
        (
            "expect_text_fails",
            &[
                "--tool",
                "add",
                "--args",
                r#"{"a":2,"b":3}"#,
                "--expect-text",
                "6",
            ][..],
        ),
        (
            "expect_contains",
            &[
                "--tool",
                "echo",
                "--args",
                r#"{"text":"hello"}"#,
                "--expect-contains",
                "ell",
            ][..],
        ),
        ("tool_not_listed", &["--tool", "nope"][..]),
        (
            "allow_tool_error",
            &["--tool", "add", "--args", "{}", "--allow-tool-error"][..],
        ),
        (
            "transport_sse_on_streamable",
            &["--transport", "sse", "--timeout", "2s"][..],
        ),
        (
            "redirects_same_origin",
            &["--follow-redirects", "same-origin"][..],
        ),
        ("max_body_small", &["--max-body-bytes", "64"][..]),
        ("insecure_on_http", &["--insecure"][..]),
    ] {
        let mut args = vec!["check", json.as_str()];
        args.extend(extra);
        out.push(case(&format!("options.{name}"), &args));
    }
    let legacy = server.url(Mode::Legacy);
    out.push(case(
        "options.legacy_pinned",
        &[
            "check",
            &legacy,
            "--transport",
            "sse",
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
        ],
    ));
    let token_url = format!("http://{}/as/auth_client_credentials/token", server.addr());
    let cc = server.url(Mode::AuthClientCredentials);
    for (name, extra) in [
        ("oauth_discovered_basic", vec![]),
        ("oauth_post", vec!["--oauth-method", "post"]),
        (
            "oauth_token_url",
            vec!["--oauth-token-url", token_url.as_str()],
        ),
        ("oauth_scope", vec!["--oauth-scope", "mcp:read"]),
    ] {
        let mut args = vec![
            "check",
            cc.as_str(),
            "--oauth-client-id",
            "fixture-client",
            "--oauth-client-secret-env",
            "GOLDEN_SECRET",
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
        ];
        args.extend(extra);
        let mut c = case(&format!("oauth.{name}"), &args);
        c.envs
            .push(("GOLDEN_SECRET".into(), "fixture-secret".into()));
        out.push(c);
    }
    let mut c = case(
        "oauth.refused",
        &[
            "check",
            &cc,
            "--oauth-client-id",
            "fixture-client",
            "--oauth-client-secret-env",
            "GOLDEN_SECRET",
        ],
    );
    c.envs.push(("GOLDEN_SECRET".into(), "wrong-secret".into()));
    out.push(c);
    let mut c = case(
        "bearer.auth_ok",
        &[
            "check",
            &server.url(Mode::AuthOk),
            "--bearer-env",
            "GOLDEN_TOKEN",
            "-H",
            "X-Tenant: acme",
        ],
    );
    c.envs.push(("GOLDEN_TOKEN".into(), "golden-token".into()));
    out.push(c);
    let fixture = stdio_fixture();
    let fixture = fixture.to_string_lossy().into_owned();
    for mode in [
        "healthy",
        "exit_early",
        "garbage",
        "hang",
        "ignore_stdin_eof",
        "chatty",
        "echo_env",
    ] {
        out.push(case(
            &format!("stdio.{mode}"),
            &[
                "check",
                "--tool",
                "add",
                "--args",
                r#"{"a":2,"b":3}"#,
                "--timeout",
                "2s",
                "--env",
                "MCP_PROBE_SECRET_X=golden-env-secret",
                "--stdio",
                "--",
                &fixture,
                mode,
            ],
        ));
    }
    for (behaviour, url) in raw {
        out.push(case(
            &format!("raw.{}", behaviour.as_str()),
            &["check", url, "--timeout", "2s"],
        ));
    }
    out
}

fn run(c: &Case, format: &str) -> (Option<i32>, String) {
    let mut args = c.args.clone();
    let at = args.iter().position(|a| a == "--").unwrap_or(args.len());
    args.insert(at, format.to_owned());
    args.insert(at, "--format".to_owned());
    let out = Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
        .args(&args)
        .envs(c.envs.iter().cloned())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let printed = if stdout.is_empty() { stderr } else { stdout };
    (out.status.code(), printed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_match_the_golden_files() {
    let server = FixtureServer::start().await.unwrap();
    let mut raws = Vec::new();
    for behaviour in RawBehaviour::all() {
        raws.push(RawServer::start(*behaviour).await.unwrap());
    }
    let raw: Vec<(RawBehaviour, String)> = raws.iter().map(|r| (r.behaviour(), r.url())).collect();
    let cases = cases(&server, &raw);
    let update = std::env::var_os("MCP_PROBE_UPDATE_GOLDEN").is_some();
    let dir = golden_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let results = tokio::task::spawn_blocking(move || {
        cases
            .iter()
            .map(|c| {
                let (code, json) = run(c, "json");
                let (_, text) = run(c, "text");
                (c.name.clone(), code, json, text)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let mut mismatches = Vec::new();
    for (name, code, json, text) in results {
        let rendered = match serde_json::from_str::<Value>(&json) {
            Ok(mut value) => {
                mask(&mut value);
                mask_flood(&mut value);
                serde_json::to_string_pretty(&value).unwrap()
            }
            Err(_) => mask_text(&json),
        };
        let actual = format!(
            "exit {}\n--- json\n{rendered}\n--- text\n{}",
            code.map_or("signal".to_owned(), |c| c.to_string()),
            mask_text(&text)
        );
        let path = dir.join(format!("{name}.txt"));
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            mismatches.push(format!(
                "{name}:\n--- expected\n{expected}\n--- actual\n{actual}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} golden reports differ (MCP_PROBE_UPDATE_GOLDEN=1 records them anew):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
