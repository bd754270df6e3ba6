//! Secrets never reach the output: canary values given as a bearer token, a header value and
//! an OAuth client secret, the access token the fixture issues and the session ids it hands
//! out are looked for in everything the CLI prints (stdout and stderr), in every output
//! format and with `--quiet`, against healthy and failing servers.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::Value;

const CANARY_BEARER: &str = "canary-7f3a9c1e-bearer";
const CANARY_HEADER: &str = "canary-7f3a9c1e-header";
const CANARY_SECRET: &str = "canary-7f3a9c1e-secret";
/// What the fixture's authorization server (`auth_client_credentials`) accepts and issues.
const FIXTURE_CLIENT: &str = "fixture-client";
const FIXTURE_SECRET: &str = "fixture-secret";
const FIXTURE_TOKEN: &str = "fixture-access-token";

/// Environment variables for the child process.
type Envs = Vec<(&'static str, String)>;

const BEARER_VAR: &str = "MCP_PROBE_CANARY_BEARER";
const SECRET_VAR: &str = "MCP_PROBE_CANARY_SECRET";

/// Runs the CLI off the async runtime (so the in-process fixture keeps serving), with `envs`
/// and with every log level switched on, should logging ever be added.
async fn run(args: Vec<String>, envs: Envs) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
            .args(&args)
            .envs(envs)
            .env("RUST_LOG", "trace")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the blocking task ran")
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// The three ways a report is printed: text, JSON, and `--quiet` (the reason only).
fn every_output(base: &[String]) -> Vec<(&'static str, Vec<String>)> {
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(strings(extra));
        args
    };
    vec![
        ("text", with(&["--format", "text"])),
        ("json", with(&["--format", "json"])),
        ("quiet", with(&["--quiet"])),
    ]
}

/// Every session id the fixture handed out so far (as the probe sent them back).
fn session_ids(server: &FixtureServer) -> Vec<String> {
    let mut ids: Vec<String> = server
        .log()
        .iter()
        .filter_map(|r| r.header("mcp-session-id").map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Fails when stdout or stderr holds any of `secrets`; checks that a JSON report is one.
fn assert_clean(out: &Output, secrets: &[String], what: &str, format: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in secrets {
        assert!(
            !stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()),
            "{what} ({format}) printed the secret {secret:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
    }
    match format {
        "json" => {
            let report: Value = serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("{what}: not a JSON report ({e}): {stdout}{stderr}"));
            assert!(report["ok"].is_boolean(), "{what}");
        }
        "text" => assert!(
            stdout.starts_with("mcp-probe check "),
            "{what}: {stdout}{stderr}"
        ),
        _ => assert!(stdout.is_empty(), "{what}: --quiet printed {stdout}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_header_values_and_session_ids_never_appear() {
    let server = FixtureServer::start().await.unwrap();
    let modes = [
        (Mode::Json, "2s"),
        (Mode::Sse, "2s"),
        (Mode::SessionExpireOnce, "2s"),
        (Mode::ToolIsError, "2s"),
        (Mode::BadGateway, "2s"),
        (Mode::Session404, "2s"),
        (Mode::Unauthorized, "2s"),
        (Mode::WrongId, "2s"),
        (Mode::Hang, "600ms"),
    ];
    for (mode, timeout) in modes {
        let url = server.url(mode);
        let base = strings(&[
            "check",
            &url,
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
            "--header",
            &format!("X-Api-Key: {CANARY_HEADER}"),
            "--bearer-env",
            BEARER_VAR,
            "--timeout",
            timeout,
        ]);
        for (format, args) in every_output(&base) {
            let out = run(args, vec![(BEARER_VAR, CANARY_BEARER.to_owned())]).await;
            let mut secrets = strings(&[CANARY_BEARER, CANARY_HEADER]);
            secrets.extend(session_ids(&server));
            assert_clean(&out, &secrets, mode.as_str(), format);
        }
    }
    // The canaries did go out, and session ids were issued: the checks above were not vacuous.
    let log = server.log();
    assert!(log
        .iter()
        .all(|r| r.header("authorization") == Some(&format!("Bearer {CANARY_BEARER}"))));
    assert!(log
        .iter()
        .all(|r| r.header("x-api-key") == Some(CANARY_HEADER)));
    let ids = session_ids(&server);
    assert!(ids.len() >= 6, "{ids:?}");
    assert!(log
        .iter()
        .any(|r| r.mode == Mode::Session404 && r.header("mcp-session-id").is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_secrets_and_access_tokens_never_appear() {
    let server = FixtureServer::start().await.unwrap();
    let token_url = format!("http://{}/as/auth_client_credentials/token", server.addr());
    let dir = std::env::temp_dir().join(format!("mcp-probe-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("client-secret");
    std::fs::write(&secret_file, format!("{FIXTURE_SECRET}\n")).unwrap();
    let secret_file = secret_file.to_string_lossy().into_owned();

    // (what, mode, extra flags, secret in the environment)
    let cases: Vec<(&str, Mode, Vec<String>, &str)> = vec![
        // Healthy: the token is discovered, granted and accepted.
        (
            "discovered, basic",
            Mode::AuthClientCredentials,
            strings(&["--oauth-client-secret-env", SECRET_VAR]),
            FIXTURE_SECRET,
        ),
        (
            "discovered, post, file",
            Mode::AuthClientCredentials,
            strings(&[
                "--oauth-client-secret-file",
                &secret_file,
                "--oauth-method",
                "post",
            ]),
            FIXTURE_SECRET,
        ),
        // The token endpoint refuses the (canary) secret: auth_token.
        (
            "refused secret",
            Mode::AuthClientCredentials,
            strings(&["--oauth-client-secret-env", SECRET_VAR]),
            CANARY_SECRET,
        ),
        (
            "refused secret, post",
            Mode::AuthClientCredentials,
            strings(&[
                "--oauth-client-secret-env",
                SECRET_VAR,
                "--oauth-method",
                "post",
            ]),
            CANARY_SECRET,
        ),
        // A token is granted, then the server fails.
        (
            "granted, then 401",
            Mode::Unauthorized,
            strings(&[
                "--oauth-client-secret-env",
                SECRET_VAR,
                "--oauth-token-url",
                &token_url,
            ]),
            FIXTURE_SECRET,
        ),
        (
            "granted, then session 404",
            Mode::Session404,
            strings(&[
                "--oauth-client-secret-env",
                SECRET_VAR,
                "--oauth-token-url",
                &token_url,
            ]),
            FIXTURE_SECRET,
        ),
        (
            "granted, then 502",
            Mode::BadGateway,
            strings(&[
                "--oauth-client-secret-env",
                SECRET_VAR,
                "--oauth-token-url",
                &token_url,
            ]),
            FIXTURE_SECRET,
        ),
        // Discovery fails: the server names no authorization server.
        (
            "no metadata",
            Mode::AuthNoMetadata,
            strings(&["--oauth-client-secret-env", SECRET_VAR]),
            CANARY_SECRET,
        ),
    ];
    for (what, mode, extra, secret) in cases {
        let url = server.url(mode);
        let mut base = strings(&[
            "check",
            &url,
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
            "--timeout",
            "2s",
            "--oauth-client-id",
            FIXTURE_CLIENT,
        ]);
        base.extend(extra);
        for (format, args) in every_output(&base) {
            let out = run(args, vec![(SECRET_VAR, secret.to_owned())]).await;
            let mut secrets = strings(&[CANARY_SECRET, FIXTURE_SECRET, FIXTURE_TOKEN]);
            secrets.extend(session_ids(&server));
            assert_clean(&out, &secrets, what, format);
            let healthy = what.starts_with("discovered");
            assert_eq!(out.status.success(), healthy, "{what} ({format})");
        }
    }
    // The secrets and the token did go out.
    let log = server.log();
    let sent = |name: &str, value: &str| log.iter().any(|r| r.header(name) == Some(value));
    assert!(sent("authorization", &format!("Bearer {FIXTURE_TOKEN}")));
    assert!(log.iter().any(|r| r
        .body
        .as_ref()
        .is_some_and(|b| b["client_secret"] == CANARY_SECRET)));
    assert!(log.iter().any(|r| r.mode == Mode::Session404
        && r.header("authorization") == Some(&format!("Bearer {FIXTURE_TOKEN}"))));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_mistakes_do_not_echo_the_value() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let cases: Vec<(Vec<String>, Envs)> = vec![
        (
            strings(&["check", &url, "--bearer-env", BEARER_VAR]),
            vec![(BEARER_VAR, format!("{CANARY_BEARER}\nmore"))],
        ),
        (
            strings(&[
                "check",
                &url,
                "--header",
                &format!("X-Api-Key: {CANARY_HEADER}\nmore"),
            ]),
            vec![],
        ),
        (
            strings(&[
                "check",
                &url,
                "--oauth-client-id",
                FIXTURE_CLIENT,
                "--oauth-client-secret-env",
                SECRET_VAR,
                "--bearer-env",
                BEARER_VAR,
            ]),
            vec![
                (SECRET_VAR, CANARY_SECRET.to_owned()),
                (BEARER_VAR, CANARY_BEARER.to_owned()),
            ],
        ),
    ];
    for (args, envs) in cases {
        for format in ["text", "json"] {
            let mut args = args.clone();
            args.extend(strings(&["--format", format]));
            let out = run(args.clone(), envs.clone()).await;
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            for canary in [CANARY_BEARER, CANARY_HEADER, CANARY_SECRET] {
                assert!(!printed.contains(canary), "{args:?} printed {printed}");
            }
        }
    }
    assert!(
        server.log().is_empty(),
        "nothing is sent after a usage error"
    );
}

/// Servers that echo every credential back — in error bodies, challenges, JSON-RPC errors,
/// tool errors, redirects and session errors — still have them scrubbed from every output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_echoed_by_the_server_never_appear() {
    let server = FixtureServer::start().await.unwrap();
    let modes = [
        Mode::EchoErrorBody,
        Mode::EchoUnauthorized,
        Mode::EchoRpcError,
        Mode::EchoToolError,
        Mode::EchoRedirect,
        Mode::EchoSessionError,
    ];
    for mode in modes {
        let url = format!("{}#access_token=canary-7f3a9c1e-fragment", server.url(mode));
        let base = strings(&[
            "check",
            &url,
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
            "--header",
            &format!("X-Api-Key: {CANARY_HEADER}"),
            "--bearer-env",
            BEARER_VAR,
            "--timeout",
            "3s",
        ]);
        for (format, args) in every_output(&base) {
            let out = run(args, vec![(BEARER_VAR, CANARY_BEARER.to_owned())]).await;
            let mut secrets = strings(&[CANARY_BEARER, CANARY_HEADER, "canary-7f3a9c1e-fragment"]);
            secrets.extend(session_ids(&server));
            assert_clean(&out, &secrets, mode.as_str(), format);
            assert_ne!(out.status.code(), Some(0), "{mode} ({format})");
        }
    }
    // The fragment never went out; the bearer token and the key did, to every mode.
    let log = server.log();
    assert!(log
        .iter()
        .all(|r| r.header("authorization") == Some(&format!("Bearer {CANARY_BEARER}"))));
    assert!(session_ids(&server).len() >= 2);
}

/// A stdio server's stderr tail and tool text echo its `--env` secrets: scrubbed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_env_values_echoed_by_the_server_never_appear() {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(std::path::Path::parent).unwrap();
    let fixture = dir.join("mcp-probe-stdio-fixture");
    let secret = "canary-7f3a9c1e-env";
    let base = strings(&[
        "check",
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--env",
        &format!("MCP_PROBE_SECRET_TOKEN={secret}"),
        "--stdio",
        "--",
        &fixture.to_string_lossy(),
        "echo_env",
    ]);
    for (format, args) in every_output(&base) {
        let mut args = args;
        // Output flags go before `--`.
        let flags: Vec<String> = args.split_off(args.len() - if format == "quiet" { 1 } else { 2 });
        let at = args.iter().position(|a| a == "--stdio").unwrap();
        for (i, flag) in flags.into_iter().enumerate() {
            args.insert(at + i, flag);
        }
        let out = run(args, vec![]).await;
        assert_clean(&out, &strings(&[secret]), "echo_env", format);
        assert_eq!(out.status.code(), Some(9), "{format}");
    }
}
