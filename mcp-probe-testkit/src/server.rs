//! The fixture server handle.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::record::Log;
use crate::state::Shared;
use crate::{auth, endpoint, legacy, modern, Mode, Received};

/// A running fixture server serving every [`Mode`] at its own path.
///
/// Dropping it stops the server: it stops accepting, and every open connection, including
/// requests that [`Mode::Hang`] or [`Mode::SseSilence`] keep pending, is released (aborted).
pub struct FixtureServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl FixtureServer {
    /// Starts a server on `127.0.0.1` with a port chosen by the system.
    ///
    /// Must be called within a Tokio runtime; the server runs on that runtime.
    pub async fn start() -> io::Result<FixtureServer> {
        FixtureServer::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a server on `addr` (port 0 picks a free port).
    pub async fn start_on(addr: SocketAddr) -> io::Result<FixtureServer> {
        FixtureServer::start_with(addr, Log::recording()).await
    }

    /// Starts a server on `addr` that keeps no record of the requests ([`FixtureServer::log`]
    /// stays empty), so that its memory stays flat over millions of requests: for the
    /// standalone binary and benchmarks.
    pub async fn start_unrecorded(addr: SocketAddr) -> io::Result<FixtureServer> {
        FixtureServer::start_with(addr, Log::unrecorded()).await
    }

    async fn start_with(addr: SocketAddr, log: Log) -> io::Result<FixtureServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopping) = watch::channel(false);
        let shared = Arc::new(Shared::new(addr, log, stopping));
        let app = Router::new()
            .route("/mcp", any(endpoint::default_endpoint))
            .route("/{mode}/mcp", any(endpoint::mode_endpoint))
            .route(
                "/.well-known/oauth-protected-resource/unauthorized/mcp",
                get(endpoint::protected_resource_metadata),
            )
            .route(
                "/echo_redirect/{secret}/mcp",
                any(endpoint::echo_redirect_target),
            )
            .route("/switch/healthy", post(switch_healthy))
            .route("/switch/broken", post(switch_broken))
            .with_state(Arc::clone(&shared))
            .merge(legacy::routes(Arc::clone(&shared)))
            .merge(modern::routes(Arc::clone(&shared)))
            .merge(auth::routes(Arc::clone(&shared)));
        let shutdown = shared.shutdown();
        tokio::spawn(async move {
            // Accept errors are retried inside `serve`; it only returns after shutdown.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(FixtureServer { shared, stop })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The endpoint URL of `mode`: `http://127.0.0.1:PORT/{mode}/mcp`, or for the legacy
    /// HTTP+SSE modes the stream URL `http://127.0.0.1:PORT/{mode}/sse`.
    pub fn url(&self, mode: Mode) -> String {
        let path = if mode.is_legacy() { "sse" } else { "mcp" };
        format!("http://{}/{}/{path}", self.addr(), mode.as_str())
    }

    /// Turns [`Mode::Switch`] healthy (`true`, as it starts) or broken (`false`: every POST
    /// gets 503).
    pub fn set_switch_healthy(&self, healthy: bool) {
        self.shared.set_switch_healthy(healthy);
    }

    /// Forgets every session issued so far, in every mode, as a restarted server would:
    /// requests carrying their ids get 404. Returns how many there were.
    pub fn expire_sessions(&self) -> usize {
        self.shared.expire_sessions()
    }

    /// How many sessions are live: issued, and neither ended by a DELETE nor forgotten.
    pub fn live_sessions(&self) -> usize {
        self.shared.live_sessions()
    }

    /// Every request received so far, in arrival order (none for a server started with
    /// [`FixtureServer::start_unrecorded`]).
    pub fn log(&self) -> Vec<Received> {
        self.shared.log.snapshot()
    }
}

/// `POST /switch/healthy`.
async fn switch_healthy(State(shared): State<Arc<Shared>>) -> &'static str {
    shared.set_switch_healthy(true);
    "healthy\n"
}

/// `POST /switch/broken`.
async fn switch_broken(State(shared): State<Arc<Shared>>) -> &'static str {
    shared.set_switch_healthy(false);
    "broken\n"
}

impl fmt::Debug for FixtureServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixtureServer")
            .field("addr", &self.addr())
            .finish_non_exhaustive()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
