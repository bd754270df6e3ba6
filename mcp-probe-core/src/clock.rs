//! Time of one probe: the [`Clock`] that says when everything must be done, and the
//! [`Deadline`] each exchange runs against, which knows the limit it stands for and words
//! the timeout failure.

use std::time::Duration;

use tokio::time::Instant;

use crate::model::{Failure, FailureCode, TimeoutPhase};

/// Longest a clean-up message (cancel, DELETE) may take.
pub(crate) const CLEANUP_BUDGET: Duration = Duration::from_millis(1000);

/// Clock of one probe: when it must be done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    /// When steps must be done (the total deadline less a reserve for clean-up).
    pub(crate) steps_until: Instant,
    /// When everything, clean-up included, must be done.
    pub(crate) hard_stop: Instant,
    pub(crate) total: Duration,
    pub(crate) request: Duration,
}

impl Clock {
    /// Starts the clock: steps get `total` less a clean-up reserve of a tenth (at most 500 ms).
    pub(crate) fn start(total: Duration, request: Option<Duration>) -> Self {
        let now = Instant::now();
        let reserve = (total / 10).min(Duration::from_millis(500));
        Clock {
            steps_until: crate::clock::instant_after(now, total.saturating_sub(reserve)),
            hard_stop: crate::clock::instant_after(now, total),
            total,
            request: request.unwrap_or(total),
        }
    }

    pub(crate) fn request_deadline(&self) -> Deadline {
        Deadline::for_request(self.request, self.steps_until, self.total)
    }

    pub(crate) fn cleanup_deadline(&self) -> Deadline {
        Deadline::cleanup(CLEANUP_BUDGET, self.hard_stop)
    }
}

/// `now + d`, saturating at a far but representable instant instead of panicking.
pub(crate) fn instant_after(now: Instant, d: Duration) -> Instant {
    /// Further than any probe runs (validated timeouts are at most a day).
    const FAR: Duration = Duration::from_secs(30 * 24 * 3600);
    now.checked_add(d.min(FAR))
        .or_else(|| now.checked_add(Duration::from_secs(3600)))
        .unwrap_or(now)
}

/// Which configured limit a deadline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// The per-request timeout.
    Request,
    /// The whole probe's timeout.
    Total,
    /// The short budget for clean-up messages (cancel, DELETE, answers).
    Cleanup,
}

impl Limit {
    fn as_str(self) -> &'static str {
        match self {
            Limit::Request => "request",
            Limit::Total => "total",
            Limit::Cleanup => "cleanup",
        }
    }
}

/// A point in time by which an exchange must be done, and the limit it stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    limit: Limit,
    budget: Duration,
}

impl Deadline {
    /// The earlier of `now + request` and `total_at`.
    pub(crate) fn for_request(request: Duration, total_at: Instant, total: Duration) -> Self {
        let by_request = instant_after(Instant::now(), request);
        if by_request < total_at {
            Deadline {
                at: by_request,
                limit: Limit::Request,
                budget: request,
            }
        } else {
            Deadline {
                at: total_at,
                limit: Limit::Total,
                budget: total,
            }
        }
    }

    /// A deadline for clean-up work: `budget` from now, but not past `hard_stop`.
    pub(crate) fn cleanup(budget: Duration, hard_stop: Instant) -> Self {
        Deadline {
            at: instant_after(Instant::now(), budget).min(hard_stop),
            limit: Limit::Cleanup,
            budget,
        }
    }

    /// A deadline no later than `self` and at most `budget` from now.
    pub(crate) fn capped(self, budget: Duration) -> Self {
        let at = instant_after(Instant::now(), budget);
        if at < self.at {
            Deadline {
                at,
                limit: Limit::Cleanup,
                budget,
            }
        } else {
            self
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// The failure for running past this deadline during `phase`.
    pub(crate) fn timeout(&self, phase: TimeoutPhase, what: &str) -> Failure {
        let ms = u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX);
        let waiting = match phase {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Tls => "in the TLS handshake",
            TimeoutPhase::Headers => "waiting for the response headers",
            TimeoutPhase::Body => "reading the response body",
            TimeoutPhase::StreamIdle => "waiting for the response on the open SSE stream",
            _ => "waiting",
        };
        let limit = match self.limit {
            Limit::Request => format!("the request timeout of {}", humantime_ms(ms)),
            Limit::Total => format!("the probe timeout of {}", humantime_ms(ms)),
            Limit::Cleanup => format!("the clean-up budget of {}", humantime_ms(ms)),
        };
        Failure::new(
            FailureCode::Timeout,
            format!("{what}: no answer within {limit} while {waiting}"),
        )
        .with_phase(phase)
        .with("limit", self.limit.as_str())
        .with("limitMs", ms)
    }
}

fn humantime_ms(ms: u64) -> String {
    humantime::format_duration(Duration::from_millis(ms)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_deadline_prefers_the_earlier_limit() {
        let total_at = Instant::now() + Duration::from_secs(10);
        let d = Deadline::for_request(Duration::from_secs(1), total_at, Duration::from_secs(10));
        assert_eq!(d.limit, Limit::Request);
        let d = Deadline::for_request(Duration::from_secs(60), total_at, Duration::from_secs(10));
        assert_eq!(d.limit, Limit::Total);
        let f = d.timeout(TimeoutPhase::Headers, "tools/list");
        assert_eq!(f.code, FailureCode::Timeout);
        assert_eq!(f.details["phase"], "headers");
        assert_eq!(f.details["limit"], "total");
        assert!(f.message.contains("10s"), "{}", f.message);
    }
}
