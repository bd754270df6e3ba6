//! The prober: runs a scenario against its target and turns everything that happens into a
//! [`Report`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::http::client::ClientCache;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::Era;
use crate::model::{Failure, Report};
use crate::model::{Scenario, TargetSpec, TransportChoice};
use crate::oauth::{Credentials, TokenCache};
use crate::run::{Prepared, Run};

/// Runs probes. Cheap to clone; clones share TLS configurations and detected eras. Every
/// probe opens its own connections, so each one reports fresh DNS, connect and TLS timings and
/// the certificate the server presents now.
///
/// ```no_run
/// # async fn demo() -> Result<(), mcp_probe_core::Error> {
/// use mcp_probe_core::{Prober, Scenario};
///
/// let prober = Prober::new();
/// let report = prober
///     .check(&Scenario::for_url("http://127.0.0.1:8000/mcp").call_tool("add", serde_json::json!({"a": 2, "b": 3})))
///     .await?;
/// if !report.ok {
///     eprintln!("{}", report.failure.as_ref().map_or("", |f| f.message.as_str()));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Prober {
    clients: Arc<ClientCache>,
    /// The era found for each URL by `auto` detection, so repeated probes skip it.
    eras: Arc<Mutex<HashMap<String, Era>>>,
    /// OAuth access tokens, reused until shortly before they expire.
    pub(crate) tokens: Arc<TokenCache>,
}

/// Runs one probe with a process-wide shared [`Prober`].
pub async fn check(scenario: &Scenario) -> Result<Report, Error> {
    static SHARED: OnceLock<Prober> = OnceLock::new();
    SHARED.get_or_init(Prober::new).check(scenario).await
}

impl Prober {
    /// A prober with no connections yet.
    pub fn new() -> Self {
        Prober::default()
    }

    /// Runs `scenario` against its target.
    ///
    /// `Err` only for the caller's mistakes (no or bad URL, unreadable credential, invalid
    /// scenario); whatever the server does ends up in the [`Report`].
    pub async fn check(&self, scenario: &Scenario) -> Result<Report, Error> {
        scenario.validate()?;
        let spec = scenario
            .target
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidUrl, "no URL given"))?;
        let prepared = self.prepare(scenario, spec)?;
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        let clock = Clock::start(scenario.timeouts.total, scenario.timeouts.request);
        let mut run = Run::start(self, scenario, spec, prepared, clock).await?;
        let mut steps = Vec::new();
        for step in scenario.effective_steps() {
            steps.push(run.step(&step).await?);
        }
        Ok(run.finish(steps, started_at, started).await)
    }

    /// Resolves everything that can be the caller's mistake, before the clock starts.
    fn prepare(&self, scenario: &Scenario, spec: &TargetSpec) -> Result<Prepared, Error> {
        let timeouts = scenario.timeouts;
        let connect = timeouts.connect.min(timeouts.total);
        let http = match scenario.effective_transport() {
            TransportChoice::Stdio => None,
            _ => {
                let target = Target::resolve(spec)?;
                let client = self.clients.client(spec, target.url(), connect)?;
                Some((target, client))
            }
        };
        let credentials = match (&spec.oauth, &http) {
            (Some(oauth), Some((target, _))) => Some(Credentials::resolve(oauth, target.url())?),
            _ => None,
        };
        Ok(Prepared {
            http,
            credentials,
            connect,
        })
    }

    /// The client for URLs other than the target (OAuth token endpoints, metadata documents):
    /// the target's TLS options, its own connections (so the report's certificate stays the MCP
    /// server's), and for URLs learnt from the server, only the addresses `guard` allows.
    pub(crate) fn token_client(
        &self,
        spec: &TargetSpec,
        url: &url::Url,
        connect: Duration,
        guard: Option<AddressPolicy>,
    ) -> Result<reqwest::Client, Error> {
        let client = self.clients.guarded(spec, url, connect, guard)?;
        Ok(reqwest::Client::clone(&client))
    }

    /// The era an earlier `auto` probe found for this URL.
    pub(crate) fn cached_era(&self, key: &str) -> Option<Era> {
        lock(&self.eras).get(key).copied()
    }

    /// Keeps a detected era for the URL; forgets it when the handshake failed, so the next
    /// probe detects again (a redeploy may have changed the server).
    pub(crate) fn remember_era(&self, key: &str, era: Option<Era>, failure: Option<&Failure>) {
        let mut eras = lock(&self.eras);
        match (era, failure) {
            (_, Some(f)) if f.step.as_deref() == Some("handshake") => {
                eras.remove(key);
            }
            (Some(era), _) => {
                // Bounded: a monitor probes a fixed set of URLs; anything beyond is not cached.
                if eras.len() < 10_000 || eras.contains_key(key) {
                    eras.insert(key.to_owned(), era);
                }
            }
            (None, _) => {}
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run probes on multi-threaded runtimes: the future must stay `Send`.
    #[test]
    fn a_probe_is_a_send_future() {
        fn assert_send<T: Send>(_: &T) {}
        let prober = Prober::new();
        let scenario = Scenario::for_url("http://127.0.0.1:9/mcp");
        let probe = prober.check(&scenario);
        assert_send(&probe);
        let shared = check(&scenario);
        assert_send(&shared);
    }
}
