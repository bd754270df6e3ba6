//! Cancelling a probe from Kotlin or Swift: UniFFI does not carry the foreign side's
//! cancellation into Rust, so a probe takes an explicit [`Cancellation`].

use tokio::sync::watch;

/// Stops the probes it was given to: each ends promptly (connections closed, a stdio server's
/// process group killed) and returns `ProbeError::Cancelled`. One object may serve any number
/// of probes; once cancelled it stays cancelled.
#[derive(Debug, uniffi::Object)]
pub struct Cancellation {
    sender: watch::Sender<bool>,
}

#[uniffi::export]
impl Cancellation {
    /// A cancellation that has not been cancelled.
    #[uniffi::constructor]
    pub fn new() -> Self {
        Cancellation {
            sender: watch::channel(false).0,
        }
    }

    /// Cancels every probe given this object, now and later.
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`Cancellation::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        *self.sender.borrow()
    }
}

impl Default for Cancellation {
    fn default() -> Self {
        Cancellation::new()
    }
}

impl Cancellation {
    /// Completes once cancelled (at once if it already is).
    pub(crate) async fn cancelled(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail while we borrow it.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}
