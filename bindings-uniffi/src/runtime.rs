//! The tokio runtime the probes run on: the foreign side polls the future, the engine's I/O,
//! timers and child processes need a runtime of their own.

use std::sync::{Arc, OnceLock};

use mcp_probe_core::{Prober, Scenario};

use crate::cancel::Cancellation;
use crate::convert::{ProbeError, ProbeReport};

/// Two worker threads, started on the first probe, shared by every probe of the process.
fn runtime() -> Result<&'static tokio::runtime::Runtime, ProbeError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("mcp-probe")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| ProbeError::Internal {
            message: format!("cannot start the async runtime: {e}"),
        })
}

/// The one prober of the process: probes share TLS configurations and detected eras.
fn prober() -> &'static Prober {
    static PROBER: OnceLock<Prober> = OnceLock::new();
    PROBER.get_or_init(Prober::new)
}

/// Runs `scenario` on the runtime until it ends or `cancellation` fires; a cancelled probe
/// is dropped, which ends what it opened.
pub(crate) async fn run(
    scenario: Scenario,
    cancellation: Option<Arc<Cancellation>>,
) -> Result<ProbeReport, ProbeError> {
    let task = runtime()?.spawn(async move {
        let probe = prober().check(&scenario);
        match cancellation {
            None => Some(probe.await),
            Some(c) => tokio::select! {
                checked = probe => Some(checked),
                () = c.cancelled() => None,
            },
        }
    });
    match task.await {
        Ok(Some(Ok(report))) => Ok(ProbeReport::from(&report)),
        Ok(Some(Err(e))) => Err(ProbeError::from_core(&e)),
        Ok(None) => Err(ProbeError::Cancelled),
        Err(e) => Err(ProbeError::Internal {
            message: format!("the probe stopped unexpectedly: {e}"),
        }),
    }
}
