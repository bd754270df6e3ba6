//! The HTTP client of one probe: TLS options applied, connections timed, the server's
//! certificate recorded, redirects followed only as the target allows.
//!
//! Every probe gets a client (and so a connection pool) of its own: a monitor probing every
//! 30 s sees a fresh DNS lookup, TCP connect and TLS handshake, and today's certificate, each
//! time, as blackbox_exporter does. What is expensive to build — the TLS configuration with
//! its root store — is cached per set of TLS options.

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::http::log::StepLog;
use crate::http::send::{send_before, SendError};
use crate::model::TlsFacts;
use crate::model::{TimeoutPhase, WarningCode};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use reqwest::{RequestBuilder, Response};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::http::classify::MAX_REDIRECTS;
use crate::http::dns::{AddressPolicy, Resolver};
use crate::http::timing::{ConnRecorder, TimingLayer};
use crate::http::tls::{self, BaseTls, ExpiryPolicy, TlsCapture, TlsFiles};
use crate::model::FollowRedirects;
use crate::model::TargetSpec;
use crate::model::{Failure, FailureCode, FailureFamily};

/// Most TLS configurations kept (one per distinct set of TLS options and file contents).
const MAX_CACHED_CONFIGS: usize = 64;

/// The redirect chain got longer than [`MAX_REDIRECTS`].
#[derive(Debug, thiserror::Error)]
#[error("more than {MAX_REDIRECTS} redirects in a row")]
pub(crate) struct TooManyRedirects;

fn redirect_policy(follow: FollowRedirects) -> Policy {
    match follow {
        FollowRedirects::None => Policy::none(),
        FollowRedirects::SameOrigin => Policy::custom(|attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
            if !same_origin || !keeps_method {
                attempt.stop()
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(TooManyRedirects)
            } else {
                attempt.follow()
            }
        }),
    }
}

/// TLS configurations shared by a [`crate::Prober`]'s probes, keyed by their options.
#[derive(Debug, Default)]
pub(crate) struct ClientCache {
    configs: Mutex<HashMap<u64, Arc<BaseTls>>>,
}

impl ClientCache {
    /// A new client for one probe of `url`. `Err` for the caller's mistakes: an unreadable or
    /// invalid CA, certificate or key file.
    pub(crate) fn client(
        &self,
        spec: &TargetSpec,
        url: &Url,
        connect: Duration,
    ) -> Result<HttpClient, Error> {
        self.guarded(spec, url, connect, None)
    }

    /// [`ClientCache::client`], connecting only to addresses `guard` allows (for URLs learnt
    /// from the server).
    pub(crate) fn guarded(
        &self,
        spec: &TargetSpec,
        url: &Url,
        connect: Duration,
        guard: Option<AddressPolicy>,
    ) -> Result<HttpClient, Error> {
        let https = url.scheme() == "https";
        let files = TlsFiles::read(&spec.tls)?;
        let key = tls::config_key(&files, spec.tls.insecure, https);
        let base = {
            let mut configs = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
            match configs.get(&key) {
                Some(base) => Arc::clone(base),
                None => {
                    let base = Arc::new(tls::build(&files, https)?);
                    if configs.len() >= MAX_CACHED_CONFIGS {
                        configs.clear();
                    }
                    configs.insert(key, Arc::clone(&base));
                    base
                }
            }
        };
        let timing = Arc::new(ConnRecorder::hooked());
        let capture = Arc::new(TlsCapture::new(spec.tls.insecure));
        let client = reqwest::Client::builder()
            .redirect(redirect_policy(spec.follow_redirects))
            .connect_timeout(connect)
            .dns_resolver(Arc::new(Resolver::guarded(Arc::clone(&timing), guard)))
            .user_agent(concat!("mcp-probe/", env!("CARGO_PKG_VERSION")))
            // No idle timer: the pool lives as long as the probe (or the open session) whose
            // client it is, and a timer would cost a task and a timer entry per probe.
            .pool_idle_timeout(None)
            // A probe's connections live for one probe, within its deadline: TCP keepalive
            // would only cost four `setsockopt` calls per connection.
            .tcp_keepalive(None)
            .tcp_keepalive_interval(None)
            .tcp_keepalive_retries(None)
            .use_preconfigured_tls(base.for_probe(Arc::clone(&capture), Arc::clone(&timing)))
            .connector_layer(TimingLayer(Arc::clone(&timing)))
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Setup,
                    format!("cannot set up the HTTP client: {e}"),
                )
            })?;
        Ok(HttpClient {
            client,
            timing,
            capture,
            expiry: Some(ExpiryPolicy::from_options(&spec.tls)),
            judged: Arc::new(AtomicBool::new(false)),
        })
    }
}

/// A probe's HTTP client: a `reqwest::Client` (it derefs to one) plus what its connections
/// recorded.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    timing: Arc<ConnRecorder>,
    capture: Arc<TlsCapture>,
    /// `None` for a plain client (tests): no certificate judgement.
    expiry: Option<ExpiryPolicy>,
    /// Whether the certificate's expiry has been judged (once per probe).
    judged: Arc<AtomicBool>,
}

impl Deref for HttpClient {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

impl From<reqwest::Client> for HttpClient {
    /// A plain client: exchanges are timed, connection phases and certificates are unknown.
    fn from(client: reqwest::Client) -> Self {
        HttpClient {
            client,
            timing: Arc::default(),
            capture: Arc::default(),
            expiry: None,
            judged: Arc::new(AtomicBool::new(true)),
        }
    }
}

impl HttpClient {
    /// Sends one request within the deadline: counts it, records its status and timings,
    /// classifies what went wrong, and judges the certificate of the probe's first TLS
    /// connection (`cert_expiring`).
    pub(crate) async fn send(
        &self,
        rb: RequestBuilder,
        deadline: &Deadline,
        what: &str,
        log: &mut StepLog,
    ) -> Result<Response, Failure> {
        log.requests = log.requests.saturating_add(1);
        log.timing.close();
        let started = Instant::now();
        match send_before(rb, deadline).await {
            Err(SendError::Expired) => Err(deadline.timeout(TimeoutPhase::Headers, what)),
            Err(SendError::TimedOut) => {
                let phase = self
                    .timing
                    .phase_since(started)
                    .unwrap_or(TimeoutPhase::Headers);
                Err(self.with_certificate(deadline.timeout(phase, what)))
            }
            Err(SendError::Failed(e)) => Err(self.failure(&e, what, deadline, started)),
            Ok(resp) => {
                log.http_status = Some(resp.status().as_u16());
                log.timing.headers_received(what, started, &self.timing);
                self.judge_certificate(log)?;
                Ok(resp)
            }
        }
    }

    /// Classifies a failed send; names the TLS phase of a connect timeout and adds the
    /// certificate's facts to TLS failures.
    fn failure(
        &self,
        e: &reqwest::Error,
        what: &str,
        deadline: &Deadline,
        started: Instant,
    ) -> Failure {
        let mut failure = classify_http_error(e, what, deadline);
        if failure.code == FailureCode::Timeout
            && failure.phase() == Some(TimeoutPhase::Connect)
            && self.timing.phase_since(started) == Some(TimeoutPhase::Tls)
        {
            failure = failure.with_phase(TimeoutPhase::Tls);
        }
        self.with_certificate(failure)
    }

    fn with_certificate(&self, failure: Failure) -> Failure {
        let tls_related =
            failure.family == FailureFamily::Tls || failure.phase() == Some(TimeoutPhase::Tls);
        if !tls_related || failure.details.contains_key("certificate") {
            return failure;
        }
        match self.capture.facts() {
            Some(facts) => failure.with("certificate", tls::facts_value(&facts)),
            None => failure,
        }
    }

    fn judge_certificate(&self, log: &mut StepLog) -> Result<(), Failure> {
        let Some(policy) = self.expiry else {
            return Ok(());
        };
        let Some((facts, seconds_left)) = self.capture.parsed() else {
            return Ok(());
        };
        if self.judged.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        if let Some(message) = policy.judge(&facts, seconds_left)? {
            log.warn(WarningCode::CertExpiring, message);
        }
        Ok(())
    }

    /// The facts of the first certificate a server presented in this probe.
    pub(crate) fn tls_facts(&self) -> Option<TlsFacts> {
        self.capture.facts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_modes_have_stable_names() {
        assert_eq!(FollowRedirects::default(), FollowRedirects::None);
        assert_eq!(
            serde_json::to_value(FollowRedirects::SameOrigin).unwrap(),
            "same-origin"
        );
        assert_eq!(FollowRedirects::SameOrigin.as_str(), "same-origin");
    }
}
