//! `mcp-probe snapshot`, `mcp-probe diff` and `check --expect-surface` against the fixture
//! server.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::{json, Value};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
}

/// Runs the CLI off the async runtime so the in-process fixture keeps serving.
async fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || bin().args(&args).output().expect("the binary runs"))
        .await
        .expect("the blocking task ran")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-probe-surface-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fixture's surface in `Mode::Paginated` (the mode that advertises resources and
/// prompts): what `snapshot` must write.
fn paginated_surface() -> Value {
    json!({
        "snapshotVersion": 1,
        "surfaceHash": "sha256:d908326b31501495009a27fc9becb4b4edc40efceddb74e7ba321fd107e838c3",
        "tools": [
            {
                "name": "add",
                "title": "Add",
                "description": "Add two numbers and return the sum as text.",
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "number", "description": "First addend"},
                        "b": {"type": "number", "description": "Second addend"}
                    },
                    "required": ["a", "b"],
                    "additionalProperties": false
                },
                "annotations": {"readOnlyHint": true, "openWorldHint": false}
            },
            {
                "name": "echo",
                "title": "Echo",
                "description": "Return the given text unchanged.",
                "inputSchema": {
                    "type": "object",
                    "properties": {"text": {"type": "string", "description": "Text to return"}},
                    "required": ["text"],
                    "additionalProperties": false
                },
                "annotations": {"readOnlyHint": true, "openWorldHint": false}
            },
            {
                "name": "fail",
                "title": "Fail",
                "description": "Always fails the way a tool whose upstream API is down does.",
                "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}
            }
        ],
        "resources": [
            {"uri": "fixture://config", "name": "config", "mimeType": "application/json"},
            {"uri": "fixture://readme", "name": "readme", "title": "Read me", "mimeType": "text/plain"}
        ],
        "resourceTemplates": [
            {
                "uriTemplate": "fixture://notes/{id}",
                "name": "note",
                "description": "A note by its number.",
                "mimeType": "text/plain"
            }
        ],
        "prompts": [
            {
                "name": "greet",
                "title": "Greet",
                "description": "A greeting for someone.",
                "arguments": [{"name": "who", "description": "Whom to greet", "required": true}]
            }
        ]
    })
}

/// Snapshots the fixture in `mode` into `dir/name` and returns the document.
async fn snapshot_to(server: &FixtureServer, mode: Mode, path: &std::path::Path) -> Value {
    let out = run(&[
        "snapshot",
        &server.url(mode),
        "--output",
        path.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "with --output nothing goes to stdout");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Writes `doc` as a snapshot file.
fn write(path: &std::path::Path, doc: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_writes_the_canonical_surface_with_its_hash() {
    let server = FixtureServer::start().await.unwrap();
    let out = run(&["snapshot", &server.url(Mode::Paginated)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let doc: Value = serde_json::from_str(&text).unwrap();
    // The hash (the SHA-256 of the canonical JSON) is pinned: a change to the canonical form
    // would change every stored hash.
    assert_eq!(doc, paginated_surface());
    // Keys are sorted in the file, so snapshots diff cleanly in version control.
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "prompts",
            "resourceTemplates",
            "resources",
            "snapshotVersion",
            "surfaceHash",
            "tools"
        ]
    );
    assert!(text.find("\"description\"").unwrap() < text.find("\"inputSchema\"").unwrap());

    // A server that advertises only tools: only tools are listed.
    let out = run(&["snapshot", &server.url(Mode::Json)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["snapshotVersion", "surfaceHash", "tools"]);
    assert_eq!(doc["tools"], paginated_surface()["tools"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_snapshot_exits_like_check() {
    let server = FixtureServer::start().await.unwrap();
    let out = run(&["snapshot", &server.url(Mode::BadGateway)]).await;
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).ends_with("(http_status)\n"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_of_files_a_removed_tool_is_breaking() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("removed");
    let old_path = dir.join("old.json");
    let old = snapshot_to(&server, Mode::Paginated, &old_path).await;
    let mut new = old.clone();
    new["tools"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["name"] != "echo");
    let new_path = dir.join("new.json");
    write(&new_path, &new);

    let out = run(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("1 breaking change, 0 compatible changes\n\nBreaking:\n  tools.echo: tool \"echo\" was removed\n"),
        "{text}"
    );
    assert!(!text.contains("Compatible:"), "{text}");

    let out = run(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(10));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["breaking"], 1);
    assert_eq!(doc["compatible"], 0);
    assert_eq!(
        doc["changes"],
        json!([{"kind": "breaking", "path": "tools.echo", "message": "tool \"echo\" was removed"}])
    );
    assert_eq!(doc["old"]["surfaceHash"], old["surfaceHash"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_of_files_a_description_change_is_compatible() {
    let dir = temp_dir("description");
    let old = paginated_surface();
    let mut new = old.clone();
    new["tools"][0]["description"] = json!("Adds two numbers.");
    let (old_path, new_path) = (dir.join("old.json"), dir.join("new.json"));
    write(&old_path, &old);
    write(&new_path, &new);
    let out = run(&[
        "diff",
        old_path.to_str().unwrap(),
        new_path.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("0 breaking changes, 1 compatible change\n\nCompatible:\n  tools.add.description: description changed\n"),
        "{text}"
    );
    // The same file twice: no changes.
    let out = run(&[
        "diff",
        old_path.to_str().unwrap(),
        old_path.to_str().unwrap(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).ends_with("no changes\n"), "{}", stdout(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_of_a_file_and_a_live_server() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("live");
    let path = dir.join("old.json");
    let mut old = paginated_surface();
    // The server used to have a prompt it no longer lists, and `greet`'s argument was optional.
    old["prompts"][0]["arguments"][0]["required"] = json!(false);
    old["prompts"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "farewell"}));
    write(&path, &old);
    let url = server.url(Mode::Paginated);
    let out = run(&["diff", path.to_str().unwrap(), &url]).await;
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "2 breaking changes, 0 compatible changes\n\nBreaking:\n  \
             prompts.farewell: prompt \"farewell\" was removed\n  \
             prompts.greet.arguments.who: argument \"who\" became required\n"
        ),
        "{text}"
    );
    assert!(text.contains(&format!("new: {url} (sha256:")), "{text}");

    // A live server against its own snapshot: no changes.
    let path = dir.join("same.json");
    snapshot_to(&server, Mode::Paginated, &path).await;
    let out = run(&["diff", &url, path.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("no changes\n"), "{}", stdout(&out));

    // An unreadable snapshot is a usage error.
    let out = run(&["diff", dir.join("missing.json").to_str().unwrap(), &url]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the snapshot"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_expect_surface_fails_on_a_breaking_change() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("check-breaking");
    let path = dir.join("expected.json");
    let mut expected = paginated_surface();
    expected["tools"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "refund"}));
    expected["resources"]
        .as_array_mut()
        .unwrap()
        .push(json!({"uri": "fixture://gone"}));
    expected["tools"][0]["description"] = json!("Old words.");
    write(&path, &expected);
    let out = run(&[
        "check",
        &server.url(Mode::Paginated),
        "--expect-surface",
        path.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let failure = &report["failure"];
    assert_eq!(failure["code"], "surface_changed");
    assert_eq!(failure["family"], "tool");
    assert_eq!(
        failure["message"],
        "the surface changed in a breaking way: tools.refund: tool \"refund\" was removed \
         (2 breaking changes, 3 in all)"
    );
    assert_eq!(failure["details"]["firstChange"], "tools.refund");
    assert_eq!(failure["details"]["breaking"], 2);
    // Every listing ran (the server advertises them all); the verdict is on the last one.
    let steps: Vec<(&str, &str)> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("handshake", "pass"),
            ("tools/list", "pass"),
            ("resources/list", "pass"),
            ("resources/templates/list", "pass"),
            ("prompts/list", "fail")
        ]
    );
    assert!(report["surfaceHash"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_expect_surface_warns_on_a_compatible_change() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("check-compatible");
    let path = dir.join("expected.json");
    let mut expected = paginated_surface();
    expected["tools"].as_array_mut().unwrap().remove(2);
    write(&path, &expected);
    let out = run(&[
        "check",
        &server.url(Mode::Paginated),
        "--expect-surface",
        path.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        report["warnings"],
        json!([{
            "code": "surface_changed_compatible",
            "step": "prompts/list",
            "message": "the surface changed compatibly: tools.fail: tool \"fail\" was added (1 change)"
        }])
    );

    // The server's own snapshot: no warning, and the report's hash is the snapshot's.
    let path = dir.join("same.json");
    let snapshot = snapshot_to(&server, Mode::Paginated, &path).await;
    let out = run(&[
        "check",
        &server.url(Mode::Paginated),
        "--expect-surface",
        path.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["warnings"], json!([]));
    assert_eq!(report["surfaceHash"], snapshot["surfaceHash"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_the_surface_hash_and_its_metric() {
    let server = FixtureServer::start().await.unwrap();
    let out = run(&["check", &server.url(Mode::Json), "--format", "prometheus"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("mcp_probe_surface_info{"))
        .unwrap_or_else(|| panic!("{text}"));
    // The tools-only server: `check` lists what `snapshot` lists, so the hashes agree.
    let snap = run(&["snapshot", &server.url(Mode::Json)]).await;
    let doc: Value = serde_json::from_str(&stdout(&snap)).unwrap();
    let hash = doc["surfaceHash"].as_str().unwrap();
    assert!(line.ends_with(&format!(",hash=\"{hash}\"}} 1.0")), "{line}");
}

fn stdio_fixture() -> std::path::PathBuf {
    mcp_probe_testkit::stdio_fixture_bin()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_of_a_stdio_server() {
    let fixture = stdio_fixture();
    let out = run(&[
        "snapshot",
        "--stdio",
        "--",
        fixture.to_str().unwrap(),
        "healthy",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = doc["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["add", "echo", "fail"]);
    // The stdio fixture advertises only tools.
    assert!(
        doc.get("resources").is_none() && doc.get("prompts").is_none(),
        "{doc}"
    );
    // One target only.
    let out = run(&["snapshot", "http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "mcp-probe: give one URL (or one --scenario file)\n"
    );
}
