//! `mcp-probe`: check MCP servers the way an LLM client uses them, from deploy pipelines.

/// jemalloc rather than the system's allocator: a probe makes hundreds of small allocations,
/// and glibc's malloc spent about half of a fleet probe's CPU on them (`benches/README.md`).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    mcp_probe_cli::main()
}
