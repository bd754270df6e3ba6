//! Where the time of each HTTP exchange went: name resolution, TCP connect, TLS handshake,
//! waiting for the response headers, reading the body — the phases of curl's `-w` and
//! blackbox_exporter's `probe_http_duration_seconds{phase}`.
//!
//! reqwest does not expose phases, so a probe's HTTP client reports them itself: its resolver
//! marks the DNS phase, the TLS session store is asked for a ticket as the handshake begins
//! (the end of the TCP connect), and a layer around the connector marks the start and end of
//! each new connection. [`ConnRecorder`] keeps those marks; an exchange that opened no new
//! connection says so (`reusedConnection`) instead of reporting zero phases.
//!
//! Phases are consecutive and do not overlap: `dnsMs + connectMs + tlsMs + ttfbMs + bodyMs`
//! is `totalMs` up to scheduling noise.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::model::{ExchangeTimings, TimeoutPhase, Timings};

/// Most exchanges listed per step; later ones still count in the step's sums.
const MAX_LISTED_EXCHANGES: usize = 32;

/// One new connection's phases.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnTiming {
    started: Instant,
    dns: Duration,
    connect: Duration,
    tls: Option<Duration>,
    ready: Instant,
}

/// A connection being established.
#[derive(Debug, Clone, Copy)]
struct Pending {
    started: Instant,
    dns_started: Option<Instant>,
    dns_done: Option<Instant>,
    tls_started: Option<Instant>,
}

#[derive(Debug, Default)]
struct ConnState {
    pending: Option<Pending>,
    /// The last connection attempt that failed, for naming the phase it failed in.
    failed: Option<Pending>,
    /// The last connection established.
    last: Option<ConnTiming>,
}

/// Marks of the connections one probe's HTTP client opens.
///
/// A probe's exchanges are sequential, so the connection established while an exchange was
/// being sent is that exchange's connection.
#[derive(Debug, Default)]
pub(crate) struct ConnRecorder {
    state: Mutex<ConnState>,
    /// Whether the client's connector reports to this recorder (otherwise connection phases
    /// are unknown).
    hooked: bool,
}

impl ConnRecorder {
    /// A recorder that the client's connector, resolver and TLS configuration report to.
    pub(crate) fn hooked() -> Self {
        ConnRecorder {
            state: Mutex::default(),
            hooked: true,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new connection is being established.
    pub(crate) fn connect_started(&self) {
        self.state().pending = Some(Pending {
            started: Instant::now(),
            dns_started: None,
            dns_done: None,
            tls_started: None,
        });
    }

    /// The resolver started looking up the host.
    pub(crate) fn dns_started(&self) {
        if let Some(p) = self.state().pending.as_mut() {
            p.dns_started = Some(Instant::now());
        }
    }

    /// The resolver is done (with or without addresses).
    pub(crate) fn dns_done(&self) {
        if let Some(p) = self.state().pending.as_mut() {
            p.dns_done = Some(Instant::now());
        }
    }

    /// The TCP connection is up and the TLS handshake begins (its first one only).
    pub(crate) fn tls_started(&self) {
        if let Some(p) = self.state().pending.as_mut() {
            p.tls_started.get_or_insert_with(Instant::now);
        }
    }

    /// The connection attempt ended.
    pub(crate) fn connect_done(&self, ok: bool) {
        let now = Instant::now();
        let mut state = self.state();
        let Some(p) = state.pending.take() else {
            return;
        };
        if !ok {
            state.failed = Some(p);
            return;
        }
        let dns = match (p.dns_started, p.dns_done) {
            (Some(a), Some(b)) => b.saturating_duration_since(a),
            _ => Duration::ZERO,
        };
        let tcp_from = p.dns_done.unwrap_or(p.started);
        let tcp_to = p.tls_started.unwrap_or(now);
        state.last = Some(ConnTiming {
            started: p.started,
            dns,
            connect: tcp_to.saturating_duration_since(tcp_from),
            tls: p.tls_started.map(|t| now.saturating_duration_since(t)),
            ready: now,
        });
    }

    /// The connection established for an exchange sent at `since`, if it opened one; `None`
    /// with `Some(false)` for a reused connection, `None` with `None` when unknown.
    fn connection_since(&self, since: Instant) -> (Option<ConnTiming>, Option<bool>) {
        if !self.hooked {
            return (None, None);
        }
        match self.state().last {
            Some(c) if c.started >= since => (Some(c), Some(false)),
            _ => (None, Some(true)),
        }
    }

    /// The phase a connection begun at or after `since` was in when it stopped or was given
    /// up: `tls` once the handshake had begun, else `connect`.
    pub(crate) fn phase_since(&self, since: Instant) -> Option<TimeoutPhase> {
        let state = self.state();
        [state.pending, state.failed]
            .into_iter()
            .flatten()
            .filter(|p| p.started >= since)
            .map(|p| {
                if p.tls_started.is_some() {
                    TimeoutPhase::Tls
                } else {
                    TimeoutPhase::Connect
                }
            })
            .next()
    }
}

/// An exchange whose response headers arrived and whose body is being read.
#[derive(Debug)]
struct Open {
    request: String,
    started: Instant,
    headers: Instant,
    conn: Option<ConnTiming>,
    reused: Option<bool>,
}

/// The exchanges of one step.
#[derive(Debug, Default)]
pub(crate) struct ExchangeLog {
    listed: Vec<ExchangeTimings>,
    open: Option<Open>,
    sum: Option<Timings>,
}

impl ExchangeLog {
    /// Records that `request`, sent at `started`, got its response headers just now; closes
    /// the exchange before it.
    pub(crate) fn headers_received(
        &mut self,
        request: &str,
        started: Instant,
        recorder: &ConnRecorder,
    ) {
        self.close();
        let (conn, reused) = recorder.connection_since(started);
        self.open = Some(Open {
            request: crate::text::truncate(request, 60),
            started,
            headers: Instant::now(),
            conn,
            reused,
        });
    }

    /// The body of the open exchange has been read (or abandoned): its timings are final.
    pub(crate) fn close(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let end = Instant::now();
        let ready = open
            .conn
            .map_or(open.started, |c| c.ready.max(open.started));
        let timings = Timings {
            dns_ms: open.conn.map(|c| millis(c.dns)),
            connect_ms: open.conn.map(|c| millis(c.connect)),
            tls_ms: open.conn.and_then(|c| c.tls.map(millis)),
            ttfb_ms: millis(open.headers.saturating_duration_since(ready)),
            body_ms: millis(end.saturating_duration_since(open.headers)),
            total_ms: millis(end.saturating_duration_since(open.started)),
            reused_connection: open.reused.unwrap_or(false),
        };
        let sum = self.sum.get_or_insert_with(|| Timings {
            reused_connection: true,
            ..Timings::default()
        });
        sum.dns_ms = add(sum.dns_ms, timings.dns_ms);
        sum.connect_ms = add(sum.connect_ms, timings.connect_ms);
        sum.tls_ms = add(sum.tls_ms, timings.tls_ms);
        sum.ttfb_ms = round3(sum.ttfb_ms + timings.ttfb_ms);
        sum.body_ms = round3(sum.body_ms + timings.body_ms);
        sum.total_ms = round3(sum.total_ms + timings.total_ms);
        sum.reused_connection &= timings.reused_connection;
        if self.listed.len() < MAX_LISTED_EXCHANGES {
            self.listed.push(ExchangeTimings {
                request: open.request,
                timings,
            });
        }
    }

    /// The step's sums (closing the open exchange), `None` when it made no HTTP exchange.
    pub(crate) fn finish(&mut self) -> (Option<Timings>, Vec<ExchangeTimings>) {
        self.close();
        (self.sum.take(), std::mem::take(&mut self.listed))
    }
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(round3(a + b)),
        (a, b) => a.or(b),
    }
}

/// Milliseconds with microsecond precision.
fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// A layer around reqwest's connector that marks the start and end of each new connection.
#[derive(Debug, Clone)]
pub(crate) struct TimingLayer(pub(crate) Arc<ConnRecorder>);

impl<S> tower_layer::Layer<S> for TimingLayer {
    type Service = TimingService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TimingService {
            inner,
            recorder: Arc::clone(&self.0),
        }
    }
}

/// The connector wrapped by [`TimingLayer`].
#[derive(Debug, Clone)]
pub(crate) struct TimingService<S> {
    inner: S,
    recorder: Arc<ConnRecorder>,
}

impl<S, R> tower_service::Service<R> for TimingService<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let recorder = Arc::clone(&self.recorder);
        recorder.connect_started();
        let connecting = self.inner.call(request);
        Box::pin(async move {
            let result = connecting.await;
            recorder.connect_done(result.is_ok());
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_connection_splits_into_phases_and_a_reused_one_says_so() {
        let recorder = ConnRecorder::hooked();
        let mut log = ExchangeLog::default();
        let sent = Instant::now();
        recorder.connect_started();
        recorder.dns_started();
        recorder.dns_done();
        recorder.tls_started();
        recorder.connect_done(true);
        log.headers_received("initialize", sent, &recorder);
        log.close();
        let second = Instant::now();
        log.headers_received("tools/list", second, &recorder);
        let (sum, listed) = log.finish();
        assert_eq!(listed.len(), 2);
        let first = &listed[0].timings;
        assert!(!first.reused_connection);
        assert!(first.dns_ms.is_some() && first.connect_ms.is_some() && first.tls_ms.is_some());
        let parts = first.dns_ms.unwrap()
            + first.connect_ms.unwrap()
            + first.tls_ms.unwrap()
            + first.ttfb_ms
            + first.body_ms;
        assert!(parts <= first.total_ms + 0.01, "{first:?}");
        let reused = &listed[1].timings;
        assert!(reused.reused_connection);
        assert_eq!(reused.dns_ms, None);
        assert_eq!(reused.tls_ms, None);
        let sum = sum.unwrap();
        assert!(!sum.reused_connection, "one exchange opened a connection");
        assert_eq!(sum.tls_ms, first.tls_ms);
        assert_eq!(ExchangeLog::default().finish().0, None);
    }

    #[test]
    fn plain_http_has_no_tls_phase_and_failures_name_their_phase() {
        let recorder = ConnRecorder::hooked();
        let sent = Instant::now();
        recorder.connect_started();
        assert_eq!(recorder.phase_since(sent), Some(TimeoutPhase::Connect));
        recorder.tls_started();
        assert_eq!(recorder.phase_since(sent), Some(TimeoutPhase::Tls));
        recorder.connect_done(false);
        assert_eq!(recorder.phase_since(sent), Some(TimeoutPhase::Tls));
        recorder.connect_started();
        recorder.connect_done(true);
        let mut log = ExchangeLog::default();
        log.headers_received("initialize", sent, &recorder);
        let (sum, _) = log.finish();
        let sum = sum.unwrap();
        assert_eq!(sum.tls_ms, None);
        assert_eq!(sum.dns_ms, Some(0.0));
        assert!(sum.connect_ms.is_some());
    }

    #[test]
    fn an_unhooked_client_reports_no_connection_phases() {
        let recorder = ConnRecorder::default();
        let mut log = ExchangeLog::default();
        log.headers_received("initialize", Instant::now(), &recorder);
        let (sum, _) = log.finish();
        let sum = sum.unwrap();
        assert!(!sum.reused_connection);
        assert_eq!(sum.connect_ms, None);
    }

    #[test]
    fn listed_exchanges_are_bounded_but_all_count() {
        let recorder = ConnRecorder::hooked();
        let mut log = ExchangeLog::default();
        for _ in 0..(MAX_LISTED_EXCHANGES + 5) {
            log.headers_received("tools/list", Instant::now(), &recorder);
        }
        let (sum, listed) = log.finish();
        assert_eq!(listed.len(), MAX_LISTED_EXCHANGES);
        assert!(sum.unwrap().reused_connection);
    }
}
