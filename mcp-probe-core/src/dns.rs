//! Name resolution that leaves a typed marker in reqwest's error chain, so a DNS failure is
//! told apart from a refused connection without reading error texts.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::timing::ConnRecorder;

/// A host name did not resolve.
#[derive(Debug, thiserror::Error)]
#[error("DNS lookup of {host} failed: {reason}")]
pub(crate) struct DnsError {
    pub(crate) host: String,
    pub(crate) reason: String,
}

/// Resolves with the system resolver (as `getaddrinfo` does) on tokio's blocking pool, and
/// marks the DNS phase of the connection being established.
#[derive(Debug, Default)]
pub(crate) struct Resolver {
    timing: Option<Arc<ConnRecorder>>,
}

impl Resolver {
    /// A resolver that marks the DNS phase in `timing`.
    pub(crate) fn recording(timing: Arc<ConnRecorder>) -> Self {
        Resolver {
            timing: Some(timing),
        }
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let timing = self.timing.clone();
        Box::pin(async move {
            if let Some(t) = &timing {
                t.dns_started();
            }
            let found = tokio::net::lookup_host((host.as_str(), 0)).await;
            if let Some(t) = &timing {
                t.dns_done();
            }
            let found = found.map_err(|e| DnsError {
                host: host.clone(),
                reason: e.to_string(),
            })?;
            let addrs: Vec<SocketAddr> = found.collect();
            if addrs.is_empty() {
                return Err(DnsError {
                    host,
                    reason: "no addresses".into(),
                }
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
