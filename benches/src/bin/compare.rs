//! `compare`: mcp-probe side by side with rmcp, a raw hyper client and a reqwest client, in one
//! run against one fast local target (the fixture server, in its own process), and a Markdown
//! table of the medians over several rounds. Contenders take turns within each round, in a
//! rotating order.
//!
//! ```text
//! cargo build --release -p mcp-probe-cli
//! cargo run --release -p mcp-probe-benches --bin compare -- --rounds 5
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use mcp_probe_benches::{fleet, median, sequential, Connection, Error, Floor, McpProbe, Rmcp};
use mcp_probe_testkit::{FixtureServer, Mode};

const USAGE: &str = "\
Usage: compare [--rounds N] [--fleet N] [--concurrency C] [--warm N] [--cold N]
               [--modes cold,warm,fleet] [--mcp-probe PATH]
               [--runtime multi-thread|current-thread]

Measures, against the fixture server (its own process, a fresh one per measurement), the same
probe (handshake, tools/list, tools/call add = 5, DELETE) done by mcp-probe, rmcp, a raw
hyper client and the same exchanges through reqwest, and prints a Markdown table of the
medians over the rounds.

Options:
  --rounds N       rounds; contenders take turns within each (default 5)
  --fleet N        probes per fleet measurement (default 2000)
  --concurrency C  probes at once in the fleet (default 100)
  --warm N         sequential probes per warm measurement (default 200)
  --cold N         processes per cold measurement (default 20)
  --modes LIST     which of cold, warm, fleet to run (default all)
  --contenders LIST  which of mcp-probe, rmcp-default, rmcp-pooled, floor-new,
                   floor-keepalive, floor-reqwest to run (default all; the ratios need
                   floor-new and rmcp-pooled, cold rmcp-default)
  --target URL     probe this server instead of a fresh fixture server per measurement (it
                   must offer the fixture's `add` tool; for profiling the client alone)
  --mcp-probe PATH the mcp-probe binary for the cold CLI (default: next to this binary;
                   build it with `cargo build --release -p mcp-probe-cli`)
  --runtime KIND   the Tokio runtime warm and fleet contenders run on: multi-thread (default;
                   one worker per core) or current-thread (one thread: no wake-ups across
                   threads, one core for the fleet)
";

/// How probes are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode3 {
    /// A new process per probe, one after another: ms per probe.
    Cold,
    /// One client in this process, one probe after another: ms per probe.
    Warm,
    /// One client in this process, many probes at once: probes per second.
    Fleet,
}

impl Mode3 {
    fn name(self) -> &'static str {
        match self {
            Mode3::Cold => "cold",
            Mode3::Warm => "warm",
            Mode3::Fleet => "fleet",
        }
    }
}

/// Who probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contender {
    McpProbe,
    RmcpDefault,
    RmcpPooled,
    FloorNew,
    FloorKeepAlive,
    FloorReqwest,
}

impl Contender {
    fn name(self, mode: Mode3) -> &'static str {
        match (self, mode) {
            (Contender::McpProbe, Mode3::Cold) => "mcp-probe CLI (`mcp-probe check`)",
            (Contender::McpProbe, _) => "mcp-probe library (one Prober)",
            (Contender::RmcpDefault, _) => "rmcp, default client",
            (Contender::RmcpPooled, _) => "rmcp, one pooled reqwest client",
            (Contender::FloorNew, _) => "hyper floor, new connection per probe",
            (Contender::FloorKeepAlive, _) => "hyper floor, keep-alive",
            (Contender::FloorReqwest, _) => "reqwest floor, new client per probe",
        }
    }

    /// The `probe-once` name of the contenders a fresh process can run.
    fn once_name(self) -> &'static str {
        match self {
            Contender::RmcpDefault => "rmcp",
            _ => "floor",
        }
    }

    /// The `--contenders` name.
    fn key(self) -> &'static str {
        match self {
            Contender::McpProbe => "mcp-probe",
            Contender::RmcpDefault => "rmcp-default",
            Contender::RmcpPooled => "rmcp-pooled",
            Contender::FloorNew => "floor-new",
            Contender::FloorKeepAlive => "floor-keepalive",
            Contender::FloorReqwest => "floor-reqwest",
        }
    }

    fn in_mode(mode: Mode3) -> &'static [Contender] {
        match mode {
            Mode3::Cold => &[
                Contender::McpProbe,
                Contender::RmcpDefault,
                Contender::FloorNew,
            ],
            _ => &[
                Contender::McpProbe,
                Contender::RmcpDefault,
                Contender::RmcpPooled,
                Contender::FloorNew,
                Contender::FloorKeepAlive,
                Contender::FloorReqwest,
            ],
        }
    }
}

#[derive(Debug)]
struct Options {
    rounds: usize,
    fleet: usize,
    concurrency: usize,
    warm: usize,
    cold: usize,
    modes: Vec<Mode3>,
    /// `--contenders` names; empty: all.
    contenders: Vec<String>,
    /// `--target`: an external target instead of the fixture.
    target: Option<String>,
    mcp_probe: Option<PathBuf>,
    /// `--runtime current-thread`: one thread instead of one worker per core.
    current_thread: bool,
}

impl Options {
    /// The contenders of `mode` this run measures.
    fn contenders(&self, mode: Mode3) -> Vec<Contender> {
        Contender::in_mode(mode)
            .iter()
            .copied()
            .filter(|c| self.contenders.is_empty() || self.contenders.iter().any(|n| n == c.key()))
            .collect()
    }
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        rounds: 5,
        fleet: 2000,
        concurrency: 100,
        warm: 200,
        cold: 20,
        modes: vec![Mode3::Cold, Mode3::Warm, Mode3::Fleet],
        contenders: Vec::new(),
        target: None,
        mcp_probe: None,
        current_thread: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        let mut number = || -> Result<usize, String> {
            let v = value()?;
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{arg}: {v:?} is not a positive number"))
        };
        match arg.as_str() {
            "--rounds" => o.rounds = number()?,
            "--fleet" => o.fleet = number()?,
            "--concurrency" => o.concurrency = number()?,
            "--warm" => o.warm = number()?,
            "--cold" => o.cold = number()?,
            "--mcp-probe" => o.mcp_probe = Some(value()?.into()),
            "--target" => o.target = Some(value()?.clone()),
            "--runtime" => {
                o.current_thread = match value()?.as_str() {
                    "multi-thread" => false,
                    "current-thread" => true,
                    other => return Err(format!("unknown runtime {other:?}")),
                }
            }
            "--contenders" => {
                o.contenders = value()?.split(',').map(|c| c.trim().to_owned()).collect();
                let known = [
                    "mcp-probe",
                    "rmcp-default",
                    "rmcp-pooled",
                    "floor-new",
                    "floor-keepalive",
                    "floor-reqwest",
                ];
                if let Some(bad) = o.contenders.iter().find(|c| !known.contains(&c.as_str())) {
                    return Err(format!("unknown contender {bad:?}"));
                }
            }
            "--modes" => {
                o.modes = value()?
                    .split(',')
                    .map(|m| match m.trim() {
                        "cold" => Ok(Mode3::Cold),
                        "warm" => Ok(Mode3::Warm),
                        "fleet" => Ok(Mode3::Fleet),
                        other => Err(format!("unknown mode {other:?}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(o)
}

/// The allocator the `mcp-probe` binary ships, for every contender alike.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve-fixture") => return serve_fixture(),
        Some("probe-once") => return probe_once(&args[1..]),
        Some("-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let options = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("compare: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut builder = if options.current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = builder.enable_all().build().expect("runtime");
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `compare serve-fixture`: the target, in its own process; prints its port, serves until
/// stdin closes.
fn serve_fixture() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // No request log: the measured server's memory stays flat.
        let loopback = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
        let server = FixtureServer::start_unrecorded(loopback)
            .await
            .expect("fixture server");
        println!("{}", server.addr().port());
        std::io::stdout().flush().expect("stdout");
        let _ = tokio::task::spawn_blocking(|| {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        })
        .await;
        drop(server);
    });
    ExitCode::SUCCESS
}

/// `compare probe-once rmcp|floor URL`: one probe in a fresh process (the cold contenders).
fn probe_once(args: &[String]) -> ExitCode {
    let (Some(which), Some(url)) = (args.first(), args.get(1)) else {
        eprintln!("usage: compare probe-once rmcp|floor URL");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result: Result<(), Error> = runtime.block_on(async {
        match which.as_str() {
            "rmcp" => Rmcp::default_client(url).probe().await,
            _ => Floor::new(url)?.probe(&mut None).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("probe-once: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The fixture server in a child process (killed, by closing its stdin, on drop), or an
/// external target.
struct Target {
    child: Option<Child>,
    url: String,
}

impl Target {
    fn start() -> Result<Target, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve-fixture")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .parse()
            .map_err(|_| "the fixture server did not start")?;
        Ok(Target {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}/{}/mcp", Mode::Json.as_str()),
        })
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

/// The command of one cold probe of `contender`.
fn cold_command(contender: Contender, mcp_probe: &Path, url: &str) -> Result<Command, Error> {
    let mut command = if contender == Contender::McpProbe {
        let mut c = Command::new(mcp_probe);
        c.args(["check", url, "--tool", "add", "--args", r#"{"a":2,"b":3}"#]);
        c.args(["--expect-text", "5"]);
        c
    } else {
        let mut c = Command::new(std::env::current_exe()?);
        c.args(["probe-once", contender.once_name(), url]);
        c
    };
    command.stdout(Stdio::null()).stderr(Stdio::inherit());
    Ok(command)
}

/// One cold probe: a new process.
fn cold_probe(contender: Contender, mcp_probe: &Path, url: &str) -> Result<(), Error> {
    let status = cold_command(contender, mcp_probe, url)?.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{}: exited with {status}", contender.name(Mode3::Cold)).into())
    }
}

/// Measures `contender` in `mode` against `url`: ms per probe (cold, warm) or probes per second
/// (fleet).
async fn measure(
    mode: Mode3,
    contender: Contender,
    url: &str,
    o: &Options,
    mcp_probe: &Path,
) -> Result<f64, Error> {
    const WARM_UP: usize = 10;
    let per_probe_ms = |elapsed: Duration, n: usize| elapsed.as_secs_f64() * 1000.0 / n as f64;
    match mode {
        Mode3::Cold => {
            let started = Instant::now();
            for _ in 0..o.cold {
                let (contender, mcp_probe, url) =
                    (contender, mcp_probe.to_path_buf(), url.to_owned());
                tokio::task::spawn_blocking(move || cold_probe(contender, &mcp_probe, &url))
                    .await??;
            }
            Ok(per_probe_ms(started.elapsed(), o.cold))
        }
        Mode3::Warm => {
            let elapsed = match contender {
                Contender::McpProbe => {
                    let c = McpProbe::new(url);
                    sequential(WARM_UP, || c.probe()).await?;
                    sequential(o.warm, || c.probe()).await?
                }
                Contender::RmcpDefault | Contender::RmcpPooled => {
                    let c = if contender == Contender::RmcpDefault {
                        Rmcp::default_client(url)
                    } else {
                        Rmcp::pooled(url)
                    };
                    sequential(WARM_UP, || c.probe()).await?;
                    sequential(o.warm, || c.probe()).await?
                }
                Contender::FloorNew | Contender::FloorKeepAlive | Contender::FloorReqwest => {
                    let c = floor_of(contender, url)?;
                    let keep = contender == Contender::FloorKeepAlive;
                    let mut kept = None;
                    floor_sequential(&c, keep, &mut kept, WARM_UP).await?;
                    floor_sequential(&c, keep, &mut kept, o.warm).await?
                }
            };
            Ok(per_probe_ms(elapsed, o.warm))
        }
        Mode3::Fleet => {
            let (n, c) = (o.fleet, o.concurrency);
            let elapsed = match contender {
                Contender::McpProbe => {
                    let probe = std::sync::Arc::new(McpProbe::new(url));
                    sequential(WARM_UP, || probe.probe()).await?;
                    fleet(
                        n,
                        c,
                        || (),
                        move |()| {
                            let probe = std::sync::Arc::clone(&probe);
                            async move { probe.probe().await }
                        },
                    )
                    .await?
                }
                Contender::RmcpDefault | Contender::RmcpPooled => {
                    let client = if contender == Contender::RmcpDefault {
                        Rmcp::default_client(url)
                    } else {
                        Rmcp::pooled(url)
                    };
                    sequential(WARM_UP, || client.probe()).await?;
                    fleet(
                        n,
                        c,
                        || (),
                        move |()| {
                            let client = client.clone();
                            async move { client.probe().await }
                        },
                    )
                    .await?
                }
                Contender::FloorNew | Contender::FloorKeepAlive | Contender::FloorReqwest => {
                    let floor = floor_of(contender, url)?;
                    let keep = contender == Contender::FloorKeepAlive;
                    floor_sequential(&floor, keep, &mut None, WARM_UP).await?;
                    fleet(
                        n,
                        c,
                        || None,
                        move |mut kept: Connection| {
                            let floor = floor.clone();
                            async move {
                                if !keep {
                                    kept = None;
                                }
                                floor.probe(&mut kept).await?;
                                Ok(kept)
                            }
                        },
                    )
                    .await?
                }
            };
            Ok(n as f64 / elapsed.as_secs_f64())
        }
    }
}

/// The floor `contender` names: over hyper, or over reqwest.
fn floor_of(contender: Contender, url: &str) -> Result<Floor, Error> {
    if contender == Contender::FloorReqwest {
        Floor::over_reqwest(url)
    } else {
        Floor::new(url)
    }
}

/// `n` floor probes one after another, keeping the connection between them when `keep`.
async fn floor_sequential(
    floor: &Floor,
    keep: bool,
    kept: &mut Connection,
    n: usize,
) -> Result<Duration, Error> {
    let started = Instant::now();
    for _ in 0..n {
        if !keep {
            *kept = None;
        }
        floor.probe(kept).await?;
    }
    Ok(started.elapsed())
}

async fn run(o: Options) -> Result<(), Error> {
    let mcp_probe = match &o.mcp_probe {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or("no directory")?
            .join(format!("mcp-probe{}", std::env::consts::EXE_SUFFIX)),
    };
    let cold_cli =
        o.modes.contains(&Mode3::Cold) && o.contenders(Mode3::Cold).contains(&Contender::McpProbe);
    if cold_cli && !mcp_probe.exists() {
        return Err(format!(
            "{} does not exist: build it first (cargo build --release -p mcp-probe-cli) or pass --mcp-probe",
            mcp_probe.display()
        )
        .into());
    }

    // Same work: count the HTTP requests each contender makes for one probe.
    let mut requests = Vec::new();
    {
        let server = FixtureServer::start().await?;
        let url = server.url(Mode::Json);
        for &mode in &o.modes {
            for contender in o.contenders(mode) {
                let count = match mode {
                    Mode3::Cold => {
                        let before = server.log().len();
                        let (p, u) = (mcp_probe.clone(), url.clone());
                        tokio::task::spawn_blocking(move || cold_probe(contender, &p, &u))
                            .await??;
                        server.log().len() - before
                    }
                    _ => requests_per_probe(contender, &server).await?,
                };
                requests.push(((mode, contender), count));
            }
        }
    }

    let mut results: Vec<((Mode3, Contender), Vec<f64>)> = Vec::new();
    for round in 0..o.rounds {
        for &mode in &o.modes {
            let contenders = o.contenders(mode);
            for i in 0..contenders.len() {
                let contender = contenders[(i + round) % contenders.len()];
                let target = match &o.target {
                    Some(url) => Target {
                        child: None,
                        url: url.clone(),
                    },
                    None => Target::start()?,
                };
                let value = measure(mode, contender, &target.url, &o, &mcp_probe).await?;
                drop(target);
                eprintln!(
                    "round {}/{}: {} {}: {value:.3}",
                    round + 1,
                    o.rounds,
                    mode.name(),
                    contender.name(mode)
                );
                match results.iter_mut().find(|(k, _)| *k == (mode, contender)) {
                    Some((_, values)) => values.push(value),
                    None => results.push(((mode, contender), vec![value])),
                }
            }
        }
    }

    println!(
        "{} rounds; fleet: {} probes, {} at once; warm: {} probes; cold: {} processes; {} cores; {} runtime\n",
        o.rounds,
        o.fleet,
        o.concurrency,
        o.warm,
        o.cold,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if o.current_thread {
            "current-thread"
        } else {
            "multi-thread"
        }
    );
    println!("| mode | contender | HTTP requests per probe | median | min – max | × floor (new connection) | × rmcp (pooled; cold: default) |");
    println!("|---|---|---|---|---|---|---|");
    let value_of = |mode: Mode3, contender: Contender| {
        results
            .iter()
            .find(|(k, _)| *k == (mode, contender))
            .map(|(_, v)| median(v))
    };
    for &mode in &o.modes {
        let floor = value_of(mode, Contender::FloorNew);
        let rmcp = value_of(
            mode,
            if mode == Mode3::Cold {
                Contender::RmcpDefault
            } else {
                Contender::RmcpPooled
            },
        );
        let unit = if mode == Mode3::Fleet {
            "probes/s"
        } else {
            "ms/probe"
        };
        for contender in o.contenders(mode) {
            let Some((_, values)) = results.iter().find(|(k, _)| *k == (mode, contender)) else {
                continue;
            };
            let m = median(values);
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(0.0, f64::max);
            let ratio = |r: Option<f64>| r.map_or("–".to_owned(), |r| format!("{:.2}×", m / r));
            let count = requests
                .iter()
                .find(|(k, _)| *k == (mode, contender))
                .map_or(0, |(_, n)| *n);
            let (m_s, lo_s, hi_s) = if mode == Mode3::Fleet {
                (format!("{m:.0}"), format!("{lo:.0}"), format!("{hi:.0}"))
            } else {
                (format!("{m:.2}"), format!("{lo:.2}"), format!("{hi:.2}"))
            };
            println!(
                "| {} | {} | {count} | {m_s} {unit} | {lo_s} – {hi_s} | {} | {} |",
                mode.name(),
                contender.name(mode),
                ratio(floor),
                ratio(rmcp)
            );
        }
    }
    Ok(())
}

/// Runs one in-process probe of `contender` against `server`, then a second through the same
/// client; returns the HTTP requests of the second (what a warm probe costs on the wire).
async fn requests_per_probe(contender: Contender, server: &FixtureServer) -> Result<usize, Error> {
    let url = server.url(Mode::Json);
    let mut counted = 0;
    match contender {
        Contender::McpProbe => {
            let c = McpProbe::new(&url);
            for _ in 0..2 {
                counted = server.log().len();
                c.probe().await?;
            }
        }
        Contender::RmcpDefault | Contender::RmcpPooled => {
            let c = if contender == Contender::RmcpDefault {
                Rmcp::default_client(&url)
            } else {
                Rmcp::pooled(&url)
            };
            for _ in 0..2 {
                counted = server.log().len();
                c.probe().await?;
            }
        }
        Contender::FloorNew | Contender::FloorKeepAlive | Contender::FloorReqwest => {
            let c = floor_of(contender, &url)?;
            let mut kept = None;
            for _ in 0..2 {
                counted = server.log().len();
                floor_sequential(&c, contender == Contender::FloorKeepAlive, &mut kept, 1).await?;
            }
        }
    }
    Ok(server.log().len() - counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn the_runtime_is_multi_thread_unless_asked() {
        assert!(!parse_args(&[]).unwrap().current_thread);
        let o = parse_args(&args(&["--runtime", "current-thread"])).unwrap();
        assert!(o.current_thread);
        let o = parse_args(&args(&["--runtime", "multi-thread"])).unwrap();
        assert!(!o.current_thread);
        assert_eq!(
            parse_args(&args(&["--runtime", "fibers"])).unwrap_err(),
            "unknown runtime \"fibers\""
        );
        assert_eq!(
            parse_args(&args(&["--runtime"])).unwrap_err(),
            "--runtime needs a value"
        );
    }
}
