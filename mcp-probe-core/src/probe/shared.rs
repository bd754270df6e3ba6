//! What a [`super::Prober`]'s probes share: TLS configurations, the era detected per URL,
//! OAuth tokens. A probe in progress ([`super::run::Run`]) reaches them through here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::auth::{ClientKeys, Credentials, TokenCache};
use crate::error::Error;
use crate::http::client::ClientCache;
use crate::http::client::HttpClient;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::{Era, Failure, Scenario, TargetSpec, TransportChoice};

/// What a probe in progress holds: borrowed for one probe, or shared by the runs of an open
/// session (which outlives the caller's borrow).
#[derive(Debug)]
pub(crate) enum Held<'a, T> {
    Borrowed(&'a T),
    Shared(Arc<T>),
}

impl<T> std::ops::Deref for Held<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Held::Borrowed(t) => t,
            Held::Shared(t) => t,
        }
    }
}

/// What a probe needs that can be the caller's mistake, resolved before the clock starts.
pub(crate) struct Prepared {
    /// The target and its client, for URL targets.
    pub(crate) http: Option<(Target, HttpClient)>,
    /// OAuth client credentials, secret read.
    pub(crate) credentials: Option<Credentials>,
    /// The connect timeout (for token-endpoint clients).
    pub(crate) connect: Duration,
}

/// The state a prober's probes share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    clients: ClientCache,
    /// The era found for each URL by `auto` detection, so repeated probes skip it.
    eras: Mutex<HashMap<String, Era>>,
    /// OAuth access tokens, reused until shortly before they expire.
    pub(crate) tokens: TokenCache,
    /// `private-key-jwt` client keys, parsed once.
    client_keys: ClientKeys,
}

impl Shared {
    /// Resolves everything that can be the caller's mistake, before the clock starts.
    pub(crate) fn prepare(
        &self,
        scenario: &Scenario,
        spec: &TargetSpec,
    ) -> Result<Prepared, Error> {
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
            (Some(oauth), Some((target, _))) => Some(Credentials::resolve(
                oauth,
                target.url(),
                &self.client_keys,
            )?),
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
