//! Fixture MCP servers, healthy and misbehaving, shared by mcp-probe's tests in every language.
//!
//! One [`FixtureServer`] speaks MCP Streamable HTTP (handshake era: protocol versions
//! 2025-03-26, 2025-06-18 and 2025-11-25) and serves every [`Mode`] at its own path,
//! `/{mode}/mcp`; `/mcp` is [`Mode::Json`]. The `legacy*` modes speak the legacy HTTP+SSE
//! transport (2024-11-05) at `/{mode}/sse` instead. [`Mode::Modern`] speaks only the 2026-07-28
//! era (`server/discover`, a `_meta` envelope on every request, no sessions);
//! [`Mode::Dual`] and [`Mode::ModernVersionMismatch`] test era detection. Every request is
//! recorded ([`Received`]).
//!
//! Hostile modes test what a probe does with servers that attack it rather than merely fail:
//! the `echo_*` modes put the client's secrets (headers, session id, client credentials) back
//! into error bodies, challenges, redirects, JSON-RPC errors and tool results;
//! [`Mode::ControlChars`] puts terminal control sequences into server and tool strings;
//! [`Mode::ManyNumbers`], [`Mode::ManyTools`], [`Mode::HugeCursors`], [`Mode::PingFlood`] and
//! [`Mode::ToolPastCap`] abuse memory and counts. HTTP that axum cannot send (an SSH banner,
//! too many or too large headers, control characters, obsolete line folding) comes from a
//! [`RawServer`] instead, one [`RawBehaviour`] per server.
//!
//! The `mcp-probe-fixture` binary serves the same for the Python and Node tests
//! (`--raw NAME` serves one [`RawBehaviour`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use mcp_probe_testkit::{FixtureServer, Mode};
//!
//! let server = FixtureServer::start().await?;
//! let url = server.url(Mode::SseSilence); // http://127.0.0.1:PORT/sse_silence/mcp
//! // ... probe `url` ...
//! assert!(server.log().iter().all(|r| r.mode == Mode::SseSilence));
//! # Ok(()) }
//! ```

mod abuse;
mod auth;
mod body;
mod echo;
mod endpoint;
mod faults;
mod features;
mod legacy;
mod mode;
mod modern;
mod notifications;
mod programs;
mod protocol;
mod raw;
mod record;
mod schemas;
mod server;
mod sse;
mod state;
mod terminal;
mod tls;

pub use auth::{fixture_workload_jwt, FIXTURE_CLIENT_KEY_PEM};
pub use mode::{Mode, UnknownMode};
pub use programs::{prometheus_program, stdio_fixture_bin};
pub use raw::{RawBehaviour, RawServer, UnknownRawBehaviour};
pub use record::Received;
pub use schemas::REMOTE_SCHEMA_URL;
pub use server::FixtureServer;
pub use tls::{TestCa, TestCert, TlsFront};

/// How many POSTs to its path [`Mode::ReadyAfter`] answers 503 before it works.
pub const READY_AFTER_POSTS: u64 = 3;
