//! An rmcp (Rust SDK) MCP server over stdio with the interop tools `add`, `echo` and `fail`,
//! for mcp-probe's stdio interop tests: `cargo run -p mcp-probe-core --example rmcp_stdio_server`.

#![allow(missing_docs, unreachable_pub)]

#[path = "../tests/peers/mod.rs"]
mod peers;

use rmcp::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let service = peers::InteropTools.serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    Ok(())
}
