//! Programs the tests run besides the in-process fixtures: the testkit's stdio fixture binary,
//! and the Prometheus tools `interop/setup.sh` installs. For tests only: they panic with what
//! to do when a program is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `mcp-probe-stdio-fixture` binary in the calling test's target directory, built first
/// if it is not there yet.
pub fn stdio_fixture_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own executable");
    // target/<profile>/deps/<test> → target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lies in target/<profile>/deps");
    let bin = profile_dir.join("mcp-probe-stdio-fixture");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "mcp-probe-testkit",
                "--bin",
                "mcp-probe-stdio-fixture",
            ])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cannot build mcp-probe-stdio-fixture");
    }
    bin
}

/// `name` (`promtool`, `prometheus`) found on `PATH`, where `interop/setup.sh` puts Debian's
/// `prometheus` package.
pub fn prometheus_program(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed: run interop/setup.sh as root (Debian's prometheus package)"
            )
        })
}
