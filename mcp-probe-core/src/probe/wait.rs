//! `waitUntilReady`: the pauses between the attempts of a probe that is repeated until the
//! server is healthy.

use std::time::Duration;

/// The first pause's upper bound.
const FIRST: Duration = Duration::from_millis(250);
/// The largest upper bound a pause grows to.
const CAP: Duration = Duration::from_secs(5);

/// Exponential backoff with full jitter: the n-th pause is uniformly random between zero and
/// `min(CAP, FIRST * 2^n)`, so that probes started together (a fleet of deploy jobs) spread
/// out instead of hitting a recovering server in step.
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    bound: Duration,
}

impl Backoff {
    pub(super) fn new() -> Self {
        Backoff { bound: FIRST }
    }

    /// The next pause's upper bound; the bound doubles up to [`CAP`].
    fn next_bound(&mut self) -> Duration {
        let bound = self.bound;
        self.bound = (self.bound * 2).min(CAP);
        bound
    }

    /// The next pause, never longer than `remaining` (the time left until the deadline).
    pub(super) fn next_pause(&mut self, remaining: Duration) -> Duration {
        let bound = self.next_bound();
        let millis = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
        let jittered = Duration::from_millis(rand::random_range(0..=millis));
        jittered.min(remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_double_up_to_the_cap() {
        let mut b = Backoff::new();
        let bounds: Vec<u64> = (0..8)
            .map(|_| u64::try_from(b.next_bound().as_millis()).unwrap())
            .collect();
        assert_eq!(bounds, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    }

    #[test]
    fn pauses_stay_within_the_bound_and_the_deadline() {
        let mut b = Backoff::new();
        let mut bound = FIRST;
        for _ in 0..50 {
            let pause = b.next_pause(Duration::from_secs(60));
            assert!(pause <= bound, "{pause:?} > {bound:?}");
            bound = (bound * 2).min(CAP);
        }
        let mut b = Backoff::new();
        for _ in 0..50 {
            assert!(b.next_pause(Duration::from_millis(3)) <= Duration::from_millis(3));
        }
    }
}
