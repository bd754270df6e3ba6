//! `mcp-probe`: check MCP servers the way an LLM client uses them, from deploy pipelines.

fn main() -> std::process::ExitCode {
    mcp_probe_cli::main()
}
