//! `mcp-probe serve`: watch MCP servers continuously — a Prometheus exporter with the
//! blackbox-style `/probe`, Kubernetes health endpoints, a status page and alerts.
//!
//! [`Serve::start`] is the whole of it as a library call (the tests run it in-process);
//! the subcommand adds signals and logging around it.

mod alerts;
mod config;
mod http;
mod metrics;
mod schedule;
mod state;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use clap::{Args, ValueEnum};
use mcp_probe_core::Prober;
use tokio::net::TcpListener;
use tokio::sync::{watch, Mutex, Semaphore};

use config::{Config, Target};
use schedule::Schedule;

/// How long HTTP connections may take to finish after a shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Arguments of `mcp-probe serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Endpoints: /metrics, /probe?target=URL&module=NAME, /health/NAME, \
                        /healthz, /readyz, /api/targets, /, POST /-/reload.\n\
                        Reloads on SIGHUP; stops on SIGTERM or SIGINT. See docs/serve.md.\n\
                        Example:\n  mcp-probe serve --config monitor.yaml --listen 0.0.0.0:9464"
)]
pub(crate) struct ServeArgs {
    /// The configuration file (YAML): defaults, modules, targets, probe.allow, alerts.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,

    /// Address to listen on (port 0: any free port; the address is logged).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    listen: SocketAddr,

    /// Most probes running at once, scheduled and `/probe` together.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: u32,

    /// Only check the configuration (as a start or a reload would, environment variables and
    /// files of secrets included), print a summary and exit: 0 when valid, 2 with the error.
    #[arg(long)]
    check_config: bool,

    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What [`Serve::start`] needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The configuration file.
    pub config: PathBuf,
    /// Where to listen (port 0 picks a free port; see [`Serve::addr`]).
    pub listen: SocketAddr,
    /// Most probes running at once.
    pub concurrency: usize,
}

/// A running `serve`: its HTTP server and scheduler. Dropping it does not stop it; call
/// [`Serve::shutdown`].
#[derive(Debug)]
pub struct Serve {
    app: Arc<App>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

/// Everything the scheduler and the endpoints share.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) prober: Prober,
    pub(crate) permits: Arc<Semaphore>,
    pub(crate) alerter: alerts::Alerter,
    pub(crate) stats: metrics::Stats,
    config_path: PathBuf,
    current: RwLock<Arc<Generation>>,
    schedule: Mutex<Option<Schedule>>,
    stopping: AtomicBool,
}

/// One loaded configuration and the state of its targets.
#[derive(Debug)]
pub(crate) struct Generation {
    pub(crate) config: Config,
    pub(crate) states: HashMap<String, Arc<state::Shared>>,
}

impl Serve {
    /// Loads the configuration, binds the address and starts probing and serving. `Err` says
    /// what is wrong (a configuration error names its path in the file).
    pub async fn start(options: ServeOptions) -> Result<Serve, String> {
        let config = Config::load(&options.config)?;
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the bound address: {e}"))?;
        let alerter = alerts::Alerter::start(config.alerts.clone());
        let app = Arc::new(App {
            prober: Prober::new(),
            permits: Arc::new(Semaphore::new(options.concurrency.max(1))),
            alerter,
            stats: metrics::Stats::default(),
            config_path: options.config,
            current: RwLock::new(Arc::new(Generation {
                config: Config::empty(),
                states: HashMap::new(),
            })),
            schedule: Mutex::new(None),
            stopping: AtomicBool::new(false),
        });
        app.install(config).await;
        let (stop, mut stopping) = watch::channel(false);
        let router = http::router(Arc::clone(&app));
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopping.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!("the HTTP server stopped: {e}");
            }
        });
        tracing::info!(address = %addr, "listening");
        Ok(Serve {
            app,
            addr,
            stop,
            server,
        })
    }

    /// The address the HTTP server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Reloads the configuration file, as SIGHUP and `POST /-/reload` do: on error the old
    /// configuration keeps running and the error says why.
    pub async fn reload(&self) -> Result<(), String> {
        self.app.reload().await
    }

    /// Stops: cancels in-flight probes (their stdio servers are killed), then lets HTTP
    /// connections finish for up to 5 seconds.
    pub async fn shutdown(self) {
        self.app.stopping.store(true, Ordering::SeqCst);
        if let Some(schedule) = self.app.schedule.lock().await.take() {
            schedule.stop().await;
        }
        self.stop.send_replace(true);
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }
}

impl App {
    /// The configuration in force and its targets' state.
    pub(crate) fn current(&self) -> Arc<Generation> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Whether a shutdown has begun.
    pub(crate) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Reloads the file; a bad one leaves everything as it was.
    pub(crate) async fn reload(self: &Arc<Self>) -> Result<(), String> {
        match Config::load(&self.config_path) {
            Ok(config) => {
                self.install(config).await;
                self.stats.reloaded(true);
                tracing::info!("configuration reloaded");
                Ok(())
            }
            Err(e) => {
                self.stats.reloaded(false);
                tracing::error!("configuration not reloaded, the old one keeps running: {e}");
                Err(e)
            }
        }
    }

    /// Puts `config` in force: targets keep their state by name; every target's schedule
    /// starts afresh.
    async fn install(self: &Arc<Self>, config: Config) {
        let mut schedule = self.schedule.lock().await;
        if self.stopping() {
            return;
        }
        if let Some(old) = schedule.take() {
            old.stop().await;
        }
        let old = self.current();
        let mut states = HashMap::with_capacity(config.targets.len());
        let mut watched: Vec<(Arc<Target>, Arc<state::Shared>)> = Vec::new();
        for target in &config.targets {
            let state = old.states.get(&target.name).cloned().unwrap_or_default();
            states.insert(target.name.clone(), Arc::clone(&state));
            watched.push((Arc::clone(target), state));
        }
        self.alerter.configure(config.alerts.clone());
        {
            let mut current = self
                .current
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *current = Arc::new(Generation { config, states });
        }
        *schedule = Some(Schedule::start(self, watched));
    }
}

/// Runs `serve` until SIGTERM or SIGINT; reloads on SIGHUP.
pub(crate) async fn run(args: ServeArgs) -> ExitCode {
    if args.check_config {
        return match Config::load(&args.config) {
            Ok(config) => {
                println!(
                    "{}: valid: {} targets, {} modules, {} webhooks",
                    crate::output::terminal_safe(&args.config.display().to_string()),
                    config.targets.len(),
                    config.modules.len(),
                    config.alerts.webhooks.len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => crate::exit::usage(e),
        };
    }
    init_logging(args.log_format);
    let options = ServeOptions {
        config: args.config,
        listen: args.listen,
        concurrency: usize::try_from(args.concurrency).unwrap_or(usize::MAX),
    };
    let serve = match Serve::start(options).await {
        Ok(s) => s,
        Err(e) => return crate::exit::usage(e),
    };
    let signals = Signals::install();
    let Some(mut signals) = signals else {
        serve.shutdown().await;
        eprintln!("mcp-probe: cannot install signal handlers");
        return ExitCode::from(crate::exit::INTERNAL);
    };
    loop {
        match signals.next().await {
            Signal::Reload => {
                let _ = serve.reload().await;
            }
            Signal::Stop(name) => {
                tracing::info!(signal = name, "shutting down");
                serve.shutdown().await;
                return ExitCode::SUCCESS;
            }
        }
    }
}

/// What a signal asks for.
enum Signal {
    Reload,
    Stop(&'static str),
}

/// SIGHUP, SIGTERM and SIGINT.
struct Signals {
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> Option<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Some(Signals {
            hup: signal(SignalKind::hangup()).ok()?,
            term: signal(SignalKind::terminate()).ok()?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> Option<Signals> {
        Some(Signals {})
    }

    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.hup.recv() => Signal::Reload,
                _ = self.term.recv() => Signal::Stop("SIGTERM"),
                _ = tokio::signal::ctrl_c() => Signal::Stop("SIGINT"),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Stop("interrupt")
        }
    }
}

/// Logs to stderr as text or JSON lines; `RUST_LOG` filters (default `info`).
fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
