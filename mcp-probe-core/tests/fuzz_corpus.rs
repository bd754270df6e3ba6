//! Replays the fuzz seeds and regressions (`fuzz/seeds/<target>/`, `fuzz/regressions/<target>/`)
//! through the checks the fuzz targets run (`fuzz/src/lib.rs`, compiled in here), on the stable
//! toolchain: a cheap guard that the committed inputs still pass.

#![allow(clippy::unwrap_used)]

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every `(target, file)` under `fuzz/<kind>/<target>/`.
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let dir = fuzz_dir().join(kind);
    let Ok(targets) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for target in targets {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for file in fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            if file.is_file() {
                out.push((name.clone(), file));
            }
        }
    }
    out.sort();
    out
}

fn replay(kind: &str) -> usize {
    let inputs = inputs(kind);
    for (target, file) in &inputs {
        let check = checks::target(target)
            .unwrap_or_else(|| panic!("fuzz/{kind}/{target}: no such fuzz target"));
        let data = fs::read(file).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("?");
            panic!("{} fails the {target} check: {why}", file.display());
        }
    }
    inputs.len()
}

#[test]
fn every_target_has_seeds_and_they_pass() {
    for (target, _) in checks::TARGETS {
        let dir = fuzz_dir().join("seeds").join(target);
        let count = fs::read_dir(&dir)
            .map(|d| {
                d.filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
                    .count()
            })
            .unwrap_or(0);
        assert!(count > 0, "no seeds in {}", dir.display());
    }
    assert!(replay("seeds") >= checks::TARGETS.len());
}

#[test]
fn regressions_pass() {
    replay("regressions");
}

/// The seeds of the document targets parse, so the fuzzer starts from inputs that reach the
/// checks behind the parser.
#[test]
fn document_seeds_are_valid_documents() {
    for (target, file) in inputs("seeds") {
        let data = fs::read(&file).unwrap();
        let text = String::from_utf8(data.clone()).unwrap_or_default();
        let parsed = match target.as_str() {
            "scenario_json" => mcp_probe_core::Scenario::from_json(&text)
                .map(drop)
                .err()
                .map(|e| e.to_string()),
            "scenario_yaml" => mcp_probe_core::Scenario::from_yaml(&text)
                .map(drop)
                .err()
                .map(|e| e.to_string()),
            "text_report" => serde_json::from_slice::<mcp_probe_core::Report>(&data)
                .map(drop)
                .err()
                .map(|e| e.to_string()),
            _ => None,
        };
        if let Some(e) = parsed {
            panic!("{}: {e}", file.display());
        }
    }
}
